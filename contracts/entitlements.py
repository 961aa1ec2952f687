"""What a person may use: their effective plan; `feature_check`, the
read-only question a page (GET) asks; and `feature_use`, the one entry point
every use of a paid feature calls from a POST or a task (it may allocate a
plan on the spot).
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Exists,
    Expression,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import User
from contracts import services
from contracts.exceptions import ContractError, SeatsExhausted
from contracts.models import (
    Allotment,
    AutoAssignExclusion,
    Contract,
    Seat,
    SeatSource,
)
from organizations.models import Membership, Role
from plans.models import FREE_PLAN_CODE, Feature, Plan


class _Refused:
    """What a refusal says, for both answers: `message` in plain text, and,
    for a person who administers an organization with a contract in force,
    `own_page_url`, their own member page, where they can give themselves a
    plan instead of being told to ask an administrator."""

    message: str
    own_page_url: str

    def message_html(self) -> SafeString:
        """The message with the link to the person's own member page, for
        django.contrib.messages (which keeps it safe across the redirect):
        the text is escaped, only the anchor built here is marked safe."""
        if not self.own_page_url:
            return format_html("{}", self.message)
        return format_html(
            '{} <a href="{}">{}</a>',
            self.message,
            self.own_page_url,
            _("Open my member page"),
        )


@dataclass(frozen=True)
class FeatureUse(_Refused):
    """The answer to a use of a paid feature.

    `plan` is the person's effective plan after the call; `assigned` is the
    plan allocated on the spot, if any; `message` says what happened or why
    the use is refused, in the person's language.
    """

    allowed: bool
    plan: Plan
    assigned: Plan | None = None
    message: str = ""
    own_page_url: str = ""


def effective_seats(user_ref: Expression | OuterRef | int) -> QuerySet[Seat]:
    """A person's seats on contracts in force today, the one that sets their
    effective plan first (best plan, then the oldest seat). Slice `[:1]` of
    its `values(...)` to annotate what the seat says, e.g. how it was given."""
    today = timezone.localdate()
    return Seat.objects.filter(
        user_id=user_ref,
        contract__starts_on__lte=today,
        contract__ends_on__gte=today,
    ).order_by("-plan__rank", "assigned_at", "pk")


def effective_plan_id(user_ref: Expression | OuterRef) -> Coalesce:
    """An expression for the id of a person's effective plan: their best plan
    on a contract in force today, otherwise Free. `user_ref` points at the
    person's id, e.g. `OuterRef("owner_id")`, so that lists and hot paths can
    annotate it instead of asking once per row."""
    best_seat = effective_seats(user_ref).values("plan_id")[:1]
    # The code is unique: no ordering to compile or run.
    free = Plan.objects.filter(code=FREE_PLAN_CODE).order_by().values("pk")[:1]
    return Coalesce(Subquery(best_seat), Subquery(free), output_field=BigIntegerField())


def effective_plan_is(plan: Plan, user_ref: Expression | OuterRef) -> Q:
    """A condition equal to `effective_plan_id(user_ref) == plan.pk`, for
    filtering long lists: the person holds the plan on a contract in force
    and nothing better (Free: nothing paid). The database answers it with
    two index lookups per row and stops once it has a page, where comparing
    the annotation computes every row's plan first."""
    seats = effective_seats(user_ref)
    better = Exists(seats.filter(plan__rank__gt=plan.rank))
    if plan.is_free:
        return ~better
    return Exists(seats.filter(plan=plan)) & ~better


def effective_plan_id_of(user: User) -> int:
    """The id of the person's effective plan, in one query, for a caller
    that names plans from the catalogue it has read anyway."""
    return Plan.objects.values_list("pk", flat=True).get(pk=effective_plan_id(user.pk))


def effective_plan(user: User) -> Plan:
    """The best plan among the person's seats on active contracts, or Free.

    Computed each time, never stored on the user. Two queries: the plan, and
    its features.
    """
    return Plan.objects.with_features().get(pk=effective_plan_id(user.pk))


@dataclass(frozen=True)
class FeatureCheck(_Refused):
    """The answer to "may this person use the feature?", read only.

    `offer` is the plan automatic assignment would give them if they used
    the feature now (from a POST, through `feature_use`), when their plan
    lacks it; `message` says why the use is refused otherwise.
    """

    allowed: bool
    plan: Plan
    offer: Plan | None = None
    message: str = ""
    own_page_url: str = ""


def feature_check(*, user: User, feature: Feature) -> FeatureCheck:
    """Whether the person's plan includes the feature, and if not, which
    plan automatic assignment could give them: a read that never writes, for
    pages (GET) that show what a click would do. Only `feature_use`, from a
    POST, gives the plan."""
    feature = Feature(feature)
    plan = effective_plan(user)
    if plan.includes(feature):
        return FeatureCheck(allowed=True, plan=plan)
    contracts = _auto_assign_contracts(user).exclude(_excluded(user))
    for contract in contracts:
        offer = _auto_assign_offer(contract=contract, user=user, feature=feature)
        if offer is not None:
            return FeatureCheck(allowed=False, plan=plan, offer=offer)
    message, own_page_url = _refusal(user, plan, feature, asked=False)
    return FeatureCheck(
        allowed=False, plan=plan, message=message, own_page_url=own_page_url
    )


# A use asked for on someone's behalf, not by their own click (a respondent
# reaching a survey owner's limit asks for the owner's "more responses"), is
# tried at most once per this many seconds for the same person, feature and
# scope, so that a busy page does not ask on every visit.
FEATURE_ASK_SECONDS = 60
# Bumped by `feature_asks_reset`: part of every ask's key, so that one
# increment lets every pending ask be made again at once.
_ASK_ROUND_KEY = "contracts:feature-ask-round"


def feature_ask_due(*, user_id: int, feature: Feature, scope: str = "") -> bool:
    """Whether a use of `feature` on behalf of the person may be tried now:
    once per FEATURE_ASK_SECONDS for the same person, feature and scope (a
    survey, say), and again at once after `feature_asks_reset`. Atomic
    (`cache.add`): of concurrent callers, one is told yes."""
    round_ = cache.get(_ASK_ROUND_KEY, 0)
    key = f"contracts:feature-ask:{round_}:{user_id}:{Feature(feature)}:{scope}"
    return cache.add(key, True, FEATURE_ASK_SECONDS)


def feature_asks_reset() -> None:
    """A seat may have become available (one was freed, automatic assignment
    was switched on): every use asked for on someone's behalf may be asked
    again at once, so that a survey kept inactive for want of a seat comes
    back for the next respondent. Call it once the change has committed."""
    try:
        cache.incr(_ASK_ROUND_KEY)
    except ValueError:
        if not cache.add(_ASK_ROUND_KEY, 1, None):
            cache.incr(_ASK_ROUND_KEY)


def feature_use(*, user: User, feature: Feature) -> FeatureUse:
    """Use a paid feature: allowed, allowed after allocating a plan, or refused.

    When the person's plan lacks the feature and an organization of theirs
    has a connected, active contract with automatic assignment on, they get
    the cheapest plan of that contract that includes the feature and has a
    free seat, in this same transaction. With none left, the request is
    recorded for the organization's administrators.
    """
    feature = Feature(feature)
    with transaction.atomic():
        plan = effective_plan(user)
        if plan.includes(feature):
            _last_use_record(user=user, feature=feature)
            return FeatureUse(allowed=True, plan=plan)
        contracts = list(_auto_assign_contracts(user).exclude(_excluded(user)))
        if not contracts and _auto_assign_contracts(user).filter(_excluded(user)):
            # An administrator took the plan back by hand: no plan is given
            # back, no request recorded, nobody emailed.
            return FeatureUse(
                allowed=False, plan=plan, message=_taken_back(plan, feature)
            )
        for contract in contracts:
            assigned = auto_assign(contract=contract, user=user, feature=feature)
            if assigned is not None:
                return FeatureUse(
                    allowed=True,
                    plan=effective_plan(user),
                    assigned=assigned,
                    message=_(
                        "You now have the %(plan)s plan, which includes “%(feature)s”."
                    )
                    % {"plan": assigned.display_name, "feature": feature.label},
                )
        for contract in contracts:
            services.plan_request_record(contract=contract, user=user, feature=feature)
    message, own_page_url = _refusal(user, plan, feature, asked=bool(contracts))
    return FeatureUse(
        allowed=False, plan=plan, message=message, own_page_url=own_page_url
    )


def _last_use_record(*, user: User, feature: Feature) -> None:
    """Note today as the last use of the person's seats whose plan includes
    the feature (reclaiming idle seats): the first use of the day writes,
    later ones see the day's cache key and write nothing; the UPDATE skips
    seats marked today already, should the cache forget."""
    today = timezone.localdate()
    key = f"contracts:last-use:{today.isoformat()}:{user.pk}:{feature}"
    if not cache.add(key, True, 25 * 60 * 60):
        return
    Seat.objects.filter(user_id=user.pk, plan__features__feature=feature).filter(
        Q(last_used_on__isnull=True) | Q(last_used_on__lt=today)
    ).update(last_used_on=today)


def _auto_assign_contracts(user: User) -> QuerySet[Contract]:
    """The contracts in force, with automatic assignment on, of the
    organizations the person is an active member of."""
    active = Membership.objects.filter(user=user, is_active=True)
    return (
        Contract.objects.active()
        .filter(auto_assign=True, organization__memberships__in=active)
        .select_related("organization")
        .order_by("pk")
    )


def _excluded(user: User) -> Exists:
    """Whether an administrator took the person's plan on the contract back
    by hand (`AutoAssignExclusion`)."""
    return Exists(
        AutoAssignExclusion.objects.filter(contract_id=OuterRef("pk"), user_id=user.pk)
    )


def _taken_back(plan: Plan, feature: Feature) -> str:
    return _(
        "Your plan (%(plan)s) does not include “%(feature)s”. An administrator "
        "of your organization took your plan back: ask them for a plan."
    ) % {"plan": plan.display_name, "feature": feature.label}


def auto_assign(*, contract: Contract, user: User, feature: Feature) -> Plan | None:
    """The cheapest plan adding `feature` with a seat left, given; or None."""
    for allotment in assignable(contract=contract, user=user, feature=feature):
        try:
            seat = services.seat_put_in_transaction(
                contract=contract,
                user=user,
                plan=allotment.plan,
                actor=None,
                source=SeatSource.AUTOMATIC,
                feature=feature,
            )
        except SeatsExhausted:
            continue
        # A take-back that committed while this seat waited for its lock
        # (read committed: visible now) wins; the seat given rolls back.
        if AutoAssignExclusion.objects.filter(contract=contract, user=user).exists():
            raise ContractError(
                _("This person’s plan was changed at the same moment: try again.")
            )
        return seat.plan
    return None


def _auto_assign_offer(
    *, contract: Contract, user: User, feature: Feature
) -> Plan | None:
    """The plan `auto_assign` would give now, without locking or writing."""
    for allotment in assignable(contract=contract, user=user, feature=feature):
        try:
            services.seat_put_check(contract=contract, user=user, plan=allotment.plan)
        except ContractError:
            continue
        return allotment.plan
    return None


def assignable(*, contract: Contract, user: User, feature: Feature):
    """The allotments whose plan adds `feature` to the person's, cheapest first."""
    held = Seat.objects.filter(contract=contract, user=user).select_related("plan")
    held_rank = held[0].plan.rank if held else -1
    return (
        Allotment.objects.filter(
            contract=contract, plan__features__feature=feature, plan__rank__gt=held_rank
        )
        .select_related("plan")
        .order_by("plan__rank")
    )


def _own_member_page(user: User) -> str:
    """The person's own member page in an organization they administer, one
    whose connected contract is in force first: there they can give
    themselves a plan. Empty when they administer none."""
    in_force = Exists(
        Contract.objects.active().filter(organization_id=OuterRef("organization_id"))
    )
    membership = (
        Membership.objects.filter(user_id=user.pk, role=Role.ADMINISTRATOR)
        .order_by(in_force.desc(), "pk")
        .first()
    )
    if membership is None:
        return ""
    return reverse(
        "contracts:member-detail",
        kwargs={
            "organization_id": membership.organization_id,
            "membership_id": membership.pk,
        },
    )


def _refusal(
    user: User, plan: Plan, feature: Feature, *, asked: bool
) -> tuple[str, str]:
    """Why the use is refused, and the person's own member page when they
    administer their organization (they are never told to ask an
    administrator: they are one)."""
    unlocking = [
        other.display_name
        for other in Plan.objects.with_features().filter(rank__gt=plan.rank)
        if other.includes(feature)
    ]
    values = {
        "plan": plan.display_name,
        "feature": feature.label,
        "plans": ", ".join(unlocking),
    }
    if asked:
        return (
            _(
                "Your plan (%(plan)s) does not include “%(feature)s” and no "
                "plan that does is left on your organization’s contract. Your "
                "administrators have been told. It comes with: %(plans)s."
            )
            % values,
            "",
        )
    own_page_url = _own_member_page(user)
    if own_page_url:
        return (
            _(
                "Your plan (%(plan)s) does not include “%(feature)s”. It comes "
                "with: %(plans)s. As an administrator of your organization, "
                "you can give yourself one of these plans on your member page."
            )
            % values,
            own_page_url,
        )
    return (
        _(
            "Your plan (%(plan)s) does not include “%(feature)s”. It comes "
            "with: %(plans)s. Ask an administrator of your organization for "
            "one of these plans."
        )
        % values,
        "",
    )
