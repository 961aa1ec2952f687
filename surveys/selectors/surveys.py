"""Reads of the surveys app: who sees which survey, the public pages' hot
lookups, the questionnaire and how a survey was sent."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from organizations.models import Membership, Role
from plans.models import Feature, Plan, PlanFeature
from surveys.models import (
    Channel,
    Distribution,
    EmailStatus,
    Invitation,
    Option,
    Question,
    Response,
    Survey,
    SurveyStatus,
)

CREATOR_ROLES = (Role.ADMINISTRATOR, Role.COLLABORATOR)
QUESTIONNAIRE_CACHE_SECONDS = 3600


# Who sees what


def survey_list_for_user(*, user: User) -> QuerySet[Survey]:
    """The surveys a person may see: their own surveys outside any
    organization, and every survey of the organizations they belong to.
    Annotated with the viewer's role, whether they manage each survey, and
    the owner's plan (for the inactive rule): one query for any number."""
    role = Membership.objects.filter(
        organization_id=OuterRef("organization_id"), user_id=user.pk, is_active=True
    ).values("role")[:1]
    return (
        Survey.objects.with_owner_plan()
        .filter(
            Q(organization__isnull=True, owner_id=user.pk)
            | Q(
                organization_id__in=Membership.objects.filter(
                    user_id=user.pk, is_active=True
                ).values("organization_id")
            )
        )
        .annotate(
            viewer_role=Subquery(role),
            viewer_can_manage=Case(
                When(
                    Q(owner_id=user.pk) | Q(viewer_role=Role.ADMINISTRATOR),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .select_related("organization", "owner")
    )


def survey_get(*, user: User, survey_id: int, manage: bool = False) -> Survey:
    """A survey the person may see, or 404; with `manage`, one they may
    change (its owner, or an administrator of its organization).

    Reading is for the owner and the members of the survey's organization;
    the organization keeps a survey when its owner leaves, and the former
    member no longer sees it."""
    surveys = survey_list_for_user(user=user).filter(pk=survey_id)
    if manage:
        surveys = surveys.filter(viewer_can_manage=True)
    survey = surveys.first()
    if survey is None:
        raise Http404
    return survey


def organizations_for_new_survey(*, user: User) -> QuerySet[Membership]:
    """Where a person may create surveys besides their own area."""
    return (
        Membership.objects.filter(
            user_id=user.pk, is_active=True, role__in=CREATOR_ROLES
        )
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )


def survey_list_deactivated_by(*, user: User, plan: Plan) -> list[Survey]:
    """The person's surveys that the plan would make inactive: open, sent by
    email or link, with as many responses as the plan's limit or more. The
    members page asks this before a plan is taken back or lowered."""
    if plan.response_limit is None:
        return []
    return list(
        Survey.objects.filter(
            owner_id=user.pk,
            status=SurveyStatus.OPEN,
            response_count__gte=plan.response_limit,
        )
        .distributed()
        .select_related("organization")
        .order_by("title", "pk")
    )


# The public pages: one query finds the survey and its owner's plan.


def survey_is_accepting(*, survey: Survey) -> bool:
    """The inactive rule, read only: open, and below the owner's plan's
    limit. Needs the annotations of `Survey.objects.with_owner_plan()`."""
    return survey.is_accepting


# What token_new() makes: URL-safe base64, and no longer than the column.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def form_nonce_spent(*, nonce: str) -> bool:
    """Whether a response was already accepted from this served form."""
    return Response.objects.filter(form_nonce=nonce).exists()


def survey_get_by_link(
    *, token: str, form_nonce: str | None = None, with_questions: bool = False
) -> Survey | None:
    """The survey a public link opens, with what `Survey.objects.
    with_owner_plan()` annotates (its owner's plan, that plan's response
    limit, whether it includes custom branding), or None. One query, by the
    unique index on the link's token; with a submitted form's nonce, the same
    query says whether a response was already accepted from that form
    (`form_nonce_spent`); `with_questions`, the questionnaire too (what
    `questionnaire` then returns without a query)."""
    # Anything else (a NUL byte, which PostgreSQL refuses in a query) is
    # not looked up.
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    surveys = Survey.objects.with_owner_plan().filter(
        distributions__channel=Channel.LINK, distributions__token=token
    )
    if form_nonce is not None:
        surveys = surveys.annotate(form_nonce_spent=_nonce_spent(form_nonce))
    if with_questions:
        surveys = surveys.annotate(questionnaire_items=_questionnaire_items())
    # The token is unique: no ordering to compute.
    survey = next(iter(surveys.order_by()[:1]), None)
    if survey is not None and with_questions:
        survey.questionnaire_read = _questionnaire_from_json(survey.questionnaire_items)
    return survey


def survey_get_for_form(*, token: str, form_nonce: str | None = None) -> Survey | None:
    """`survey_get_by_link` for the public form, with its questionnaire, in
    one query whether the cache is warm or cold: the questions kept under the
    link's token by an earlier visit, used only if the survey's revision read
    now is theirs (a change is served at once), or else read in that one
    query and kept for the next visitor."""
    key = f"surveys:link-questionnaire:{token}"
    kept = cache.get(key) if TOKEN_PATTERN.fullmatch(token) else None
    # Arrays of subqueries are PostgreSQL's; elsewhere (the quick start's
    # SQLite) `questionnaire` reads the questions in a query of their own.
    survey = survey_get_by_link(
        token=token,
        form_nonce=form_nonce,
        with_questions=kept is None and connection.vendor == "postgresql",
    )
    if survey is None:
        return None
    if kept is not None and kept[:2] == (survey.pk, survey.revision):
        survey.questionnaire_read = kept[2]
    else:
        # Read in the query; or kept for another revision, read again now.
        items = questionnaire(survey)
        cache.set(key, (survey.pk, survey.revision, items), QUESTIONNAIRE_CACHE_SECONDS)
    return survey


def invitation_get_by_token(
    *, token: str, form_nonce: str | None = None
) -> Invitation | None:
    """A personal link's invitation with its survey and what `survey_get_by_
    link` annotates on it, in one query."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    invitations = Invitation.objects.with_survey_owner_plan().filter(token=token)
    if form_nonce is not None:
        invitations = invitations.annotate(form_nonce_spent=_nonce_spent(form_nonce))
    invitation = next(iter(invitations.order_by()[:1]), None)
    if invitation is not None:
        survey = invitation.survey
        survey.owner_plan_id = invitation.owner_plan_id
        survey.owner_response_limit = invitation.owner_response_limit
        survey.owner_has_branding = invitation.owner_has_branding
        if form_nonce is not None:
            survey.form_nonce_spent = invitation.form_nonce_spent
    return invitation


def _nonce_spent(form_nonce: str) -> Exists:
    return Exists(Response.objects.filter(form_nonce=form_nonce))


def _questionnaire_items() -> ArraySubquery:
    """The survey's questions in order, each with its options in order, as
    JSON objects: a subquery of the public form's one query."""
    options = ArraySubquery(
        Option.objects.filter(question_id=OuterRef("pk"))
        .order_by("position", "pk")
        .values(option=JSONObject(id="pk", label="label"))
    )
    return ArraySubquery(
        Question.objects.filter(survey_id=OuterRef("pk"))
        .order_by("position", "pk")
        .values(
            question=JSONObject(
                id="pk", kind="kind", text="text", required="required", options=options
            )
        )
    )


@dataclass(frozen=True)
class QuestionItem:
    id: int
    kind: str
    text: str
    required: bool
    options: tuple[tuple[int, str], ...] = ()


def questionnaire(survey: Survey) -> list[QuestionItem]:
    """The survey's questions and options as plain data, cached: the public
    form is served many times and the questions change only while the survey
    is a draft (every change bumps the revision in the key). A survey found
    `with_questions` (see `survey_get_for_form`) has them already."""
    read = getattr(survey, "questionnaire_read", None)
    if read is not None:
        return read
    key = f"surveys:questionnaire:{survey.pk}:{survey.revision}"
    items = cache.get(key)
    if items is None:
        items = [
            QuestionItem(
                id=question.pk,
                kind=question.kind,
                text=question.text,
                required=question.required,
                options=tuple(
                    (option.pk, option.label) for option in question.options.all()
                ),
            )
            for question in survey.questions.prefetch_related("options")
        ]
        cache.set(key, items, QUESTIONNAIRE_CACHE_SECONDS)
    return items


def _questionnaire_from_json(items: list[dict]) -> list[QuestionItem]:
    return [
        QuestionItem(
            id=item["id"],
            kind=item["kind"],
            text=item["text"],
            required=item["required"],
            options=tuple(
                (option["id"], option["label"]) for option in item["options"]
            ),
        )
        for item in items
    ]


# How a survey was sent


@dataclass(frozen=True)
class DistributionSummary:
    link: Distribution | None
    batches: list[Distribution]
    invited: int
    answered_by_email: int
    answered_by_link: int
    # Invitation emails by outcome: taken by the mailer, still being sent,
    # and failed after their retries (with the first addresses, to show).
    emailed: int = 0
    pending: int = 0
    failed: int = 0
    failed_addresses: list[str] = field(default_factory=list)


FAILED_ADDRESSES_SHOWN = 20


def distribution_summary(*, survey: Survey) -> DistributionSummary:
    distributions = list(
        survey.distributions.annotate(
            invited=Count("invitations"),
            answered=Count("invitations", filter=Q(invitations__used_at__isnull=False)),
            emailed=_email_count(EmailStatus.SENT),
            pending=_email_count(EmailStatus.PENDING),
            failed=_email_count(EmailStatus.FAILED),
        )
    )
    link = next((d for d in distributions if d.channel == Channel.LINK), None)
    batches = [d for d in distributions if d.channel == Channel.EMAIL]
    answered = sum(batch.answered for batch in batches)
    failed = sum(batch.failed for batch in batches)
    return DistributionSummary(
        link=link,
        batches=batches,
        invited=sum(batch.invited for batch in batches),
        answered_by_email=answered,
        answered_by_link=max(survey.response_count - answered, 0),
        emailed=sum(batch.emailed for batch in batches),
        pending=sum(batch.pending for batch in batches),
        failed=failed,
        failed_addresses=list(
            survey.invitations.filter(email_status=EmailStatus.FAILED)
            .order_by("email")
            .values_list("email", flat=True)[:FAILED_ADDRESSES_SHOWN]
        )
        if failed
        else [],
    )


def _email_count(status: str) -> Count:
    return Count("invitations", filter=Q(invitations__email_status=status))


def feature_plans() -> dict[str, str]:
    """For each paid feature, the plans that include it (cheapest first), to
    say in the UI which plan unlocks what. One query."""
    names = defaultdict(list)
    for feature, plan in PlanFeature.objects.order_by("plan__rank").values_list(
        "feature", "plan__name"
    ):
        names[feature].append(_(plan))
    return {feature: ", ".join(names[feature]) for feature in Feature}
