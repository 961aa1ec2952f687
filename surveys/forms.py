import re

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import (
    RATING_VALUES,
    BrandColour,
    BrandLogo,
    QuestionKind,
    one_line,
)
from surveys.selectors import QuestionItem

PERSONAL = ""


class SurveyCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[one_line])
    description = forms.CharField(
        label=_("Introduction"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to respondents above the questions."),
    )
    place = forms.ChoiceField(label=_("Where"), required=False)

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [
            (PERSONAL, _("My own area")),
            *((str(m.organization_id), m.organization.name) for m in memberships),
        ]


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(
        label=_("Type"), choices=QuestionKind, initial=QuestionKind.TEXT
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a single-choice question: one option per line."),
    )
    required = forms.BooleanField(label=_("Answer required"), required=False)

    def clean(self):
        cleaned = super().clean()
        options = [
            line.strip()
            for line in cleaned.get("options", "").splitlines()
            if line.strip()
        ]
        if cleaned.get("kind") == QuestionKind.CHOICE and len(options) < 2:
            self.add_error("options", _("Give at least two options, one per line."))
        cleaned["option_list"] = options
        return cleaned

    @staticmethod
    def initial_for(question) -> dict:
        """The form's values for an existing question."""
        return {
            "text": question.text,
            "kind": question.kind,
            "required": question.required,
            "options": "\n".join(option.label for option in question.options.all()),
        }

    def question(self) -> dict:
        """The question as the services take it."""
        return {
            "kind": self.cleaned_data["kind"],
            "text": self.cleaned_data["text"],
            "required": self.cleaned_data["required"],
            "options": self.cleaned_data["option_list"],
        }


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        max_length=30_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Separated by commas, spaces or new lines."),
    )

    def clean_emails(self):
        return [
            address
            for address in re.split(r"[\s,;]+", self.cleaned_data["emails"])
            if address
        ]


class BrandingForm(forms.Form):
    colour = forms.ChoiceField(label=_("Colour"), choices=BrandColour, required=False)
    logo = forms.ChoiceField(label=_("Logo"), choices=BrandLogo, required=False)


class ResponseForm(forms.Form):
    """The respondent's form, built from the survey's questionnaire."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, questions: list[QuestionItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        messages = {"required": _("Please answer this question.")}
        for item in questions:
            name = f"q{item.id}"
            if item.kind == QuestionKind.TEXT:
                field = forms.CharField(
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    error_messages={
                        **messages,
                        "max_length": _(
                            "Keep your answer under %(limit_value)d characters "
                            "(it has %(show_value)d)."
                        ),
                    },
                )
            elif item.kind == QuestionKind.RATING:
                field = forms.TypedChoiceField(
                    choices=[(value, str(value)) for value in RATING_VALUES],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={
                        **messages,
                        "invalid_choice": _("Choose a rating from 1 to 5."),
                    },
                )
            else:
                field = forms.TypedChoiceField(
                    choices=list(item.options),
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={
                        **messages,
                        "invalid_choice": _("Choose one of the options."),
                    },
                )
            field.label = item.text
            field.required = item.required
            self.fields[name] = field

    def answers(self) -> dict[int, object]:
        return {
            item.id: self.cleaned_data.get(f"q{item.id}") for item in self.questions
        }

    def items(self):
        """Each question with its bound field, in order, for the template."""
        return [(item, self[f"q{item.id}"]) for item in self.questions]
