"""A survey and its questions: creating, opening, closing, the respondent
pages' look, and the questions while the survey is a draft."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.entitlements import FeatureUse, feature_use
from organizations.models import Membership, Organization
from plans.models import Feature
from surveys.exceptions import (
    FeatureRefused,
    SurveyError,
)
from surveys.models import (
    BrandColour,
    BrandLogo,
    Option,
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
)
from surveys.services._common import (
    CREATOR_ROLES,
    _lock,
    _lock_editable,
    _revise,
)


@transaction.atomic
def survey_create(
    *,
    owner: User,
    title: str,
    description: str = "",
    organization: Organization | None = None,
) -> Survey:
    """A new draft, in the owner's own area or in an organization where they
    are an administrator or a collaborator (readers only read)."""
    if (
        organization is not None
        and not Membership.objects.filter(
            organization=organization,
            user=owner,
            is_active=True,
            role__in=CREATOR_ROLES,
        ).exists()
    ):
        raise SurveyError(
            _(
                "Only administrators and collaborators of %(organization)s "
                "create surveys."
            )
            % {"organization": organization.name}
        )
    survey = Survey(
        owner=owner, organization=organization, title=title, description=description
    )
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_open(*, survey: Survey, actor: User) -> Survey:
    survey = _lock(survey)
    if survey.status == SurveyStatus.OPEN:
        return survey
    if not survey.questions.exists():
        raise SurveyError(_("Add at least one question before opening the survey."))
    survey.status = SurveyStatus.OPEN
    survey.opened_at = timezone.now()
    survey.save(update_fields=["status", "opened_at"])
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, actor: User) -> Survey:
    """Stop accepting responses. The responses collected stay."""
    survey = _lock(survey)
    if survey.status != SurveyStatus.OPEN:
        return survey
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    return survey


@transaction.atomic
def survey_set_branding(
    *, survey: Survey, colour: str, logo: str, actor: User
) -> FeatureUse | None:
    """Choose the respondent pages' colour and logo. Branding is a feature of
    the survey's owner's plan (it shows while their plan includes it), so the
    owner's plan is the one asked, and may be assigned on the spot.

    Going back to the default look is always allowed. Returns the feature
    use when one was needed."""
    colour = BrandColour(colour)
    logo = BrandLogo(logo)
    use = None
    if colour or logo:
        use = feature_use(user=survey.owner, feature=Feature.CUSTOM_BRANDING)
        if not use.allowed:
            raise FeatureRefused(use.message, html=use.message_html())
    survey = _lock(survey)
    survey.brand_colour = colour
    survey.brand_logo = logo
    survey.save(update_fields=["brand_colour", "brand_logo"])
    return use


# Questions


def _option_labels(kind: QuestionKind, options: list[str] | None) -> list[str]:
    """A question's options, trimmed and without repeats: none unless it is
    a single-choice question, which needs two at least."""
    labels = [label.strip() for label in options or [] if label.strip()]
    labels = list(dict.fromkeys(labels))
    if kind == QuestionKind.CHOICE and len(labels) < 2:
        raise SurveyError(_("A single-choice question needs at least two options."))
    return labels if kind == QuestionKind.CHOICE else []


def _options_set(question: Question, labels: list[str]) -> None:
    Option.objects.bulk_create(
        Option(question=question, label=label[:200], position=index)
        for index, label in enumerate(labels)
    )


@transaction.atomic
def question_add(
    *,
    survey: Survey,
    kind: str,
    text: str,
    required: bool = True,
    options: list[str] | None = None,
) -> Question:
    survey = _lock_editable(survey)
    kind = QuestionKind(kind)
    labels = _option_labels(kind, options)
    last = survey.questions.aggregate(last=Max("position"))["last"]
    question = Question(
        survey=survey,
        kind=kind,
        text=text.strip(),
        required=required,
        position=0 if last is None else last + 1,
    )
    question.full_clean()
    question.save()
    _options_set(question, labels)
    _revise(survey)
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    kind: str,
    text: str,
    required: bool = True,
    options: list[str] | None = None,
) -> Question:
    """Change a question of a draft: its text, type, whether an answer is
    required, and its options (replaced whole). A draft has no responses, so
    nothing refers to the old options."""
    survey = _lock_editable(question.survey)
    kind = QuestionKind(kind)
    labels = _option_labels(kind, options)
    question.kind = kind
    question.text = text.strip()
    question.required = required
    question.full_clean()
    question.save(update_fields=["kind", "text", "required"])
    question.options.all().delete()
    _options_set(question, labels)
    _revise(survey)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _lock_editable(question.survey)
    question.delete()
    _revise(question.survey)


@transaction.atomic
def question_move(*, question: Question, direction: str) -> None:
    """Swap a question with its neighbour above ("up") or below ("down");
    at either end nothing moves. The survey row is locked so that two moves
    at once cannot give two questions one position."""
    survey = _lock_editable(question.survey)
    question.refresh_from_db(fields=["position"])
    siblings = survey.questions.exclude(pk=question.pk)
    if direction == "up":
        neighbour = siblings.filter(position__lte=question.position).last()
    elif direction == "down":
        neighbour = siblings.filter(position__gte=question.position).first()
    else:
        raise SurveyError(_("Unknown direction."))
    if neighbour is None:
        return
    if neighbour.position == question.position:
        # Equal positions (never written here) are told apart by id.
        neighbour.position += 1 if direction == "down" else -1
    question.position, neighbour.position = neighbour.position, question.position
    Question.objects.bulk_update([question, neighbour], ["position"])
    _revise(survey)
