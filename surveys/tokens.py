"""The signed token of a served response form: which survey (and which
invitation) served it, and a nonce that marks that one form, so that a form
served while the survey was active is accepted once, even past the limit."""

import secrets

from django.conf import settings
from django.core import signing

from surveys.models import Invitation, Survey

FORM_TOKEN_SALT = "surveys.response-form"  # noqa: S105 (a namespace, not a secret)
FORM_TOKEN_NONCE_BYTES = 12
# How long a served form stays good for its respondent: hours, not days, so
# that forms gathered while a survey was active cannot be kept for long to
# be sent past its limit. `SURVEYS_FORM_TOKEN_MAX_AGE` (seconds) changes it.
FORM_TOKEN_MAX_AGE = 4 * 3600


def form_token_max_age() -> int:
    return getattr(settings, "SURVEYS_FORM_TOKEN_MAX_AGE", FORM_TOKEN_MAX_AGE)


def form_token_new(survey: Survey, invitation: Invitation | None) -> str:
    """A signed token for a served form: the survey, the invitation, and a
    nonce that marks this form alone."""
    return signing.dumps(
        {
            "s": survey.pk,
            "i": invitation.pk if invitation else None,
            "n": secrets.token_urlsafe(FORM_TOKEN_NONCE_BYTES),
        },
        salt=FORM_TOKEN_SALT,
    )


def form_token_served_nonce(token: str) -> str | None:
    """The nonce a token carries, when it is one of ours, signed less than
    `form_token_max_age()` ago, whichever survey served it: what the public
    pages look up with the survey, in its one query. `form_token_nonce` says
    whether it belongs to the survey found."""
    served = _form_token_load(token)
    nonce = served.get("n") if served else None
    return nonce if isinstance(nonce, str) else None


def form_token_nonce(
    token: str, survey: Survey, invitation: Invitation | None
) -> str | None:
    """The nonce of a form served by this survey's page (and this
    invitation's), less than `form_token_max_age()` ago; None for anything
    else."""
    served = _form_token_load(token)
    if served is None or (served.get("s"), served.get("i")) != (
        survey.pk,
        invitation.pk if invitation else None,
    ):
        return None
    return served.get("n")


def _form_token_load(token: str) -> dict | None:
    try:
        served = signing.loads(
            token, salt=FORM_TOKEN_SALT, max_age=form_token_max_age()
        )
    except signing.BadSignature:
        return None
    return served if isinstance(served, dict) else None
