"""The surveys app's domain errors; each message is for the person acting."""


class SurveyError(Exception):
    """A change the rules refuse. The message says why, in the user's words."""


class SurveyNotEditable(SurveyError):
    """The questions are fixed once the survey has been opened."""


class SurveyNotOpen(SurveyError):
    """Closed (or never opened): it accepts nothing and sends nothing."""


class InvitationUsed(SurveyError):
    """A personal link works once."""


class FeatureRefused(SurveyError):
    """A paid feature the person's plan lacks; the message names the plans
    that include it. `html` is the message for django.contrib.messages, with
    the link to the person's own member page when they administer their
    organization (escaped text, only the built anchor safe)."""

    def __init__(self, message, html=None):
        super().__init__(message)
        self.html = html if html is not None else message


class FormAlreadySent(SurveyError):
    """A served form keeps one response; sent again, it is a new arrival."""
