"""What the surveys services share: the survey row's lock and the rules
every change checks."""

from django.db.models import F
from django.utils.translation import gettext as _

from surveys import selectors
from surveys.exceptions import SurveyNotEditable, SurveyNotOpen
from surveys.models import Survey, SurveyStatus

CREATOR_ROLES = selectors.CREATOR_ROLES


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _lock_editable(survey: Survey) -> Survey:
    survey = _lock(survey)
    if survey.status != SurveyStatus.DRAFT:
        raise SurveyNotEditable(
            _("The questions cannot change once the survey has been opened.")
        )
    return survey


def _ensure_open(survey: Survey) -> None:
    if survey.status != SurveyStatus.OPEN:
        raise SurveyNotOpen(_("Open the survey before sending it."))


def _revise(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(revision=F("revision") + 1)
