"""Every change to surveys, their questions, distributions and responses
happens here, inside a transaction, so that the views, the admin and the
demo share one set of rules. Paid features go through the contracts app's
`feature_use`, so that automatic assignment and refusals behave the same
everywhere."""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.entitlements import FeatureUse, feature_ask_due, feature_use
from contracts.exceptions import ContractError
from organizations.models import Membership, Organization
from plans.models import Feature
from surveys import selectors, tasks
from surveys.exceptions import (
    FeatureRefused,
    FormAlreadySent,
    InvitationUsed,
    SurveyError,
    SurveyNotEditable,
    SurveyNotOpen,
)
from surveys.models import (
    RATING_VALUES,
    Answer,
    BrandColour,
    BrandLogo,
    Channel,
    Distribution,
    Invitation,
    Option,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
    token_new,
)

INVITATIONS_PER_BATCH = 500
# Invitation emails one person may send in 24 hours (all their surveys);
# SURVEYS_INVITATIONS_PER_DAY changes it.
INVITATIONS_PER_DAY = 2000
CREATOR_ROLES = selectors.CREATOR_ROLES


# Surveys


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
            organization=organization, user=owner, role__in=CREATOR_ROLES
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
            raise FeatureRefused(use.message)
    survey = _lock(survey)
    survey.brand_colour = colour
    survey.brand_logo = logo
    survey.save(update_fields=["brand_colour", "brand_logo"])
    return use


# Questions


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
    labels = [label.strip() for label in options or [] if label.strip()]
    labels = list(dict.fromkeys(labels))
    if kind == QuestionKind.CHOICE and len(labels) < 2:
        raise SurveyError(_("A single-choice question needs at least two options."))
    if kind != QuestionKind.CHOICE:
        labels = []
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
    Option.objects.bulk_create(
        Option(question=question, label=label[:200], position=index)
        for index, label in enumerate(labels)
    )
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


# Distribution


@transaction.atomic
def link_create(*, survey: Survey, actor: User) -> Distribution:
    """The survey's public link, made once; asking again returns it."""
    survey = _lock(survey)
    existing = survey.distributions.filter(channel=Channel.LINK).first()
    if existing is not None:
        return existing
    _ensure_open(survey)
    return Distribution.objects.create(
        survey=survey, channel=Channel.LINK, token=token_new(), created_by=actor
    )


@dataclass(frozen=True)
class InvitationBatch:
    distribution: Distribution | None
    invited: list[Invitation]
    already_invited: list[str]


@transaction.atomic
def invitations_send(
    *, survey: Survey, emails: list[str], actor: User, base_url: str
) -> InvitationBatch:
    """Email a personal link to each new address (one batch: one
    distribution). Addresses already invited to the survey are skipped; each
    link works once. The emails leave after the transaction commits.

    `base_url` is the site's address (scheme and host) for the links."""
    survey = _lock(survey)
    _ensure_open(survey)
    addresses = list(dict.fromkeys(email.strip().lower() for email in emails if email))
    if not addresses:
        raise SurveyError(_("Enter at least one email address."))
    if len(addresses) > INVITATIONS_PER_BATCH:
        raise SurveyError(
            _("Send at most %(count)s invitations at a time.")
            % {"count": INVITATIONS_PER_BATCH}
        )
    invalid = []
    email_field = Invitation._meta.get_field("email")
    for address in addresses:
        try:
            # The column's own checks: an address, and one it can hold (an
            # address may have up to 320 characters, the column 254).
            email_field.run_validators(address)
        except ValidationError:
            invalid.append(address)
    if invalid:
        raise SurveyError(
            _("These are not email addresses: %(addresses)s")
            % {"addresses": ", ".join(invalid)}
        )
    known = set(
        survey.invitations.filter(email__in=addresses).values_list("email", flat=True)
    )
    new = [address for address in addresses if address not in known]
    if not new:
        return InvitationBatch(None, [], sorted(known))
    _daily_cap_check(actor=actor, count=len(new))
    distribution = Distribution.objects.create(
        survey=survey, channel=Channel.EMAIL, created_by=actor
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(survey=survey, distribution=distribution, email=address)
        for address in new
    )
    # The subject is one line whatever the title (titles are validated so
    # since, older ones may not be): a mailer refuses a header with a break.
    subject = _("You are invited to answer “%(title)s”") % {
        "title": " ".join(survey.title.split())
    }
    for invitation in invitations:
        body = render_to_string(
            "surveys/email/invitation.txt",
            {
                "survey": survey,
                "sender": actor,
                "url": base_url + invitation.get_absolute_url(),
            },
        )
        transaction.on_commit(
            partial(
                tasks.invitation_email_send.enqueue,
                invitation_id=invitation.pk,
                subject=subject,
                body=body,
            )
        )
    return InvitationBatch(distribution, invitations, sorted(known))


def invitations_per_day() -> int:
    return getattr(settings, "SURVEYS_INVITATIONS_PER_DAY", INVITATIONS_PER_DAY)


def _daily_cap_check(*, actor: User, count: int) -> None:
    """At most `invitations_per_day()` invitation emails per person in any
    24 hours, counted from the database, so that an account cannot be used
    to mail arbitrary addresses at will. The person's row is locked so that
    two of their batches at once are counted one after the other."""
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
    cap = invitations_per_day()
    sent = Invitation.objects.filter(
        distribution__created_by=actor,
        distribution__created_at__gte=timezone.now() - timedelta(days=1),
    ).count()
    if sent + count > cap:
        raise SurveyError(
            _(
                "You can send up to %(cap)s invitations in 24 hours. You have "
                "sent %(sent)s, so %(left)s more can go now: send fewer "
                "addresses, or try again later."
            )
            % {"cap": cap, "sent": sent, "left": max(cap - sent, 0)}
        )


# Responses


def response_submit(
    *,
    survey: Survey,
    answers: dict[int, object],
    channel: str,
    invitation: Invitation | None = None,
    form_nonce: str | None = None,
) -> Response:
    """Save a respondent's answers: one transaction that bumps the survey's
    counter (F() + 1, so concurrent submits never lose a count), marks the
    invitation used, and writes the response and its answers.

    The plan limit is not checked here: it decides who is served the form,
    and a form served while the survey was active is always kept. A survey
    closed since, or a personal link used since, refuses cleanly.

    `answers` maps question ids to the cleaned value: text, an option id, or
    a rating. When the counter reaches the owner's limit, the owner uses the
    "more responses" feature, which may give them a plan on the spot; that
    happens after the response is safely committed, so that nothing about
    plans can cost a respondent their answers.
    """
    rows = _answers(survey, answers)
    with transaction.atomic():
        now = timezone.now()
        bumped = Survey.objects.filter(pk=survey.pk, status=SurveyStatus.OPEN).update(
            response_count=F("response_count") + 1
        )
        if not bumped:
            raise SurveyNotOpen(_("This survey is closed: it accepts no more answers."))
        if invitation is not None:
            claimed = Invitation.objects.filter(
                pk=invitation.pk, survey=survey, used_at__isnull=True
            ).update(used_at=now)
            if not claimed:
                raise InvitationUsed(
                    _("This personal link has already been used to answer.")
                )
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey,
                    channel=channel,
                    invitation=invitation,
                    submitted_at=now,
                    form_nonce=form_nonce,
                )
        except IntegrityError:
            if (
                form_nonce is not None
                and Response.objects.filter(form_nonce=form_nonce).exists()
            ):
                raise FormAlreadySent(
                    _("These answers have already been sent.")
                ) from None
            raise InvitationUsed(
                _("This personal link has already been used to answer.")
            ) from None
        for answer in rows:
            answer.response = response
        Answer.objects.bulk_create(rows)
        count = Survey.objects.values_list("response_count", flat=True).get(
            pk=survey.pk
        )
    limit = getattr(survey, "owner_response_limit", None)
    if limit is not None and count == limit:
        survey_limit_reached(survey=survey)
    return response


def survey_more_responses_request(*, survey: Survey) -> bool:
    """For an open survey at its owner's limit: the owner uses "more
    responses", which may assign them a plan that keeps the survey active.
    That is tried at most once a minute per survey (`feature_ask_due`), so
    that a busy inactive link does not ask on every visit, and again at once
    when a seat may have become available. Returns whether the survey accepts
    responses afterwards; the read alone is `selectors.survey_is_accepting`.
    Needs the annotations of `Survey.objects.with_owner_plan()`."""
    if not survey.is_open:
        return False
    if not feature_ask_due(
        user_id=survey.owner_id,
        feature=Feature.MORE_RESPONSES,
        scope=f"survey:{survey.pk}",
    ):
        return False
    use = survey_limit_reached(survey=survey)
    return (
        use is not None
        and use.allowed
        and use.plan.accepts_responses(survey.response_count)
    )


def survey_limit_reached(*, survey: Survey) -> FeatureUse | None:
    """The owner uses "more responses than the Free limit" for a survey at its
    limit: with automatic assignment on and a seat free they get a plan that
    includes it. Returns the use, or None when it could not be decided now
    (a concurrent change of the same seat: the next visitor asks again)."""
    try:
        return feature_use(user=survey.owner, feature=Feature.MORE_RESPONSES)
    except ContractError:
        return None


# Internals


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


def _answers(survey: Survey, answers: dict[int, object]) -> list[Answer]:
    """The answers to save, checked against the survey's questions (the
    form checked them already; the service does not rely on it)."""
    questions = {item.id: item for item in selectors.questionnaire(survey)}
    rows = []
    for question_id, value in answers.items():
        item = questions.get(question_id)
        if item is None or value in (None, ""):
            continue
        answer = Answer(question_id=item.id)
        if item.kind == QuestionKind.TEXT:
            answer.text = str(value)
        elif item.kind == QuestionKind.RATING:
            if int(value) not in RATING_VALUES:
                raise SurveyError(_("A rating is between 1 and 5."))
            answer.rating = int(value)
        else:
            if int(value) not in dict(item.options):
                raise SurveyError(_("This option is not one of the question’s."))
            answer.option_id = int(value)
        rows.append(answer)
    return rows
