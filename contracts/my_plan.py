"""A member's own plan, for the home page's "My plan": the plan, what it
includes, where it comes from and since when, and each paid feature it
lacks with what would unlock it, before any click.

A read in a fixed number of queries, whatever the number of features,
plans and organizations: the seat that sets the effective plan, the
catalogue with its features, and the contracts in force of the person's
organizations with their allotments (the memberships are the caller's).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef

from accounts.models import User
from contracts.entitlements import effective_seats
from contracts.models import AutoAssignExclusion, Contract, Event, EventKind, Seat
from organizations.models import Membership, Organization
from plans.models import Feature, Plan


class Unlock:
    """How a feature the plan lacks could come, in the order tried."""

    # Automatic assignment is on in an organization whose contract has a
    # plan that includes it: the first use gives that plan.
    AUTOMATIC = "automatic"
    # The person administers an organization: their own member page.
    OWN_PAGE = "own_page"
    # The person is a member: an administrator gives plans.
    ASK = "ask"
    # No organization: plans come from one.
    NO_ORGANIZATION = "no_organization"


@dataclass(frozen=True)
class LockedFeature:
    feature: Feature
    unlock: str
    # The plans of the catalogue that include it, cheapest first.
    plans: list[Plan]
    organization: Organization | None = None
    # AUTOMATIC: the plan the first use would give.
    offer: Plan | None = None
    # OWN_PAGE: the person's member page in `organization`.
    own_page_url: str = ""

    @property
    def plan_names(self) -> str:
        return ", ".join(plan.display_name for plan in self.plans)


@dataclass(frozen=True)
class MyPlan:
    plan: Plan
    # The seat the plan comes from; None on Free by default.
    seat: Seat | None
    since: datetime | None
    included: list[Feature]
    locked: list[LockedFeature]


def my_plan(*, user: User, memberships: list[Membership]) -> MyPlan:
    """The person's plan and its paid features, for the home page.
    `memberships` are the person's, with their organizations."""
    seat = (
        effective_seats(user.pk)
        .select_related("contract__organization", "assigned_by")
        .first()
    )
    catalogue = list(Plan.objects.with_features())
    plan = next(
        item
        for item in catalogue
        if (item.pk == seat.plan_id if seat else item.is_free)
    )
    contracts = _contracts_in_force(user, memberships)
    included, locked = [], []
    for feature in Feature:
        if plan.includes(feature):
            included.append(feature)
        else:
            locked.append(
                _locked(feature, plan, catalogue, contracts, memberships=memberships)
            )
    return MyPlan(
        plan=plan,
        seat=seat,
        since=seat.assigned_at if seat else _free_since(user),
        included=included,
        locked=locked,
    )


def _contracts_in_force(user: User, memberships: list[Membership]) -> list[Contract]:
    """The contracts in force of the person's organizations, with their
    allotments and whether the person was taken out of automatic
    assignment on each."""
    return list(
        Contract.objects.active()
        .filter(organization_id__in=[m.organization_id for m in memberships])
        .annotate(
            excluded=Exists(
                AutoAssignExclusion.objects.filter(
                    contract_id=OuterRef("pk"), user_id=user.pk
                )
            )
        )
        .prefetch_related("allotments")
        .order_by("pk")
    )


def _free_since(user: User) -> datetime:
    """When the person's last plan was taken back, or when they joined."""
    taken_back = (
        Event.objects.filter(member_id=user.pk, kind=EventKind.SEAT_RELEASED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return taken_back or user.date_joined


def _locked(
    feature: Feature,
    plan: Plan,
    catalogue: list[Plan],
    contracts: list[Contract],
    *,
    memberships: list[Membership],
) -> LockedFeature:
    plans = [
        other
        for other in catalogue
        if other.rank > plan.rank and other.includes(feature)
    ]
    by_id = {other.pk: other for other in plans}
    organizations = {m.organization_id: m.organization for m in memberships}
    for contract in contracts:
        if not contract.auto_assign or contract.excluded:
            continue
        offers = [
            by_id[allotment.plan_id]
            for allotment in contract.allotments.all()
            if allotment.plan_id in by_id
        ]
        if offers:
            return LockedFeature(
                feature=feature,
                unlock=Unlock.AUTOMATIC,
                plans=plans,
                organization=organizations[contract.organization_id],
                offer=min(offers, key=lambda offer: offer.rank),
            )
    with_contract = {contract.organization_id for contract in contracts}
    # An organization with a contract in force first: plans come from it.
    ranked = sorted(memberships, key=lambda m: m.organization_id not in with_contract)
    administered = [m for m in ranked if m.is_administrator]
    if administered:
        return LockedFeature(
            feature=feature,
            unlock=Unlock.OWN_PAGE,
            plans=plans,
            organization=administered[0].organization,
            own_page_url=administered[0].get_absolute_url(),
        )
    if ranked:
        return LockedFeature(
            feature=feature,
            unlock=Unlock.ASK,
            plans=plans,
            organization=ranked[0].organization,
        )
    return LockedFeature(feature=feature, unlock=Unlock.NO_ORGANIZATION, plans=plans)
