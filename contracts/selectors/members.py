"""Reads of the organization's members list: each member's plan and how
their seat was given, searched and filtered by plan, one page at a time."""

from dataclasses import dataclass, field, replace

from django.core.paginator import Page
from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from contracts.entitlements import (
    effective_plan_id,
    effective_plan_is,
    effective_seats,
)
from contracts.models import Allotment, Contract, SeatSource
from contracts.pagination import CappedPaginator
from contracts.selectors.contracts import (
    PlanUsage,
    contract_for_organization,
    contract_last_disconnected,
    plan_overview,
    seat_list_held_by_members,
)
from contracts.selectors.member_plans import (
    LOOK_UP,
    PlanOption,
    plan_catalog_by_id,
    plan_locked_reason,
    plan_options,
)
from organizations import selectors as organization_selectors
from organizations.models import Membership, Organization
from plans.models import Feature, Plan

MEMBERS_PER_PAGE = 50


def member_list_with_plans(
    *, organization_id: int, query: str = "", plan: Plan | None = None
) -> QuerySet[Membership]:
    """The organization's members (searched by name or email), each with
    `effective_plan_id`, optionally only those whose effective plan is
    `plan`. The plan is computed in the same query, never one per row."""
    members = organization_selectors.membership_list_for_organization(
        organization_id=organization_id, query=query
    ).annotate(effective_plan_id=effective_plan_id(OuterRef("user_id")))
    if plan is not None:
        members = members.filter(effective_plan_is(plan, OuterRef("user_id")))
    return members


def member_list_with_seats(
    *, organization_id: int, query: str = "", plan: Plan | None = None
) -> QuerySet[Membership]:
    """`member_list_with_plans` with what the seat behind each effective plan says: how
    it was given (`seat_source`, `seat_feature`), by whom
    (`seat_assigned_by`: their name, or their email without one) and since
    when (`seat_since`); all empty for Free. Each is a subquery of the same
    query, never one query per row."""
    seat = effective_seats(OuterRef("user_id"))
    assigned_by = seat.annotate(
        by=Coalesce(
            NullIf(F("assigned_by__full_name"), Value("")),
            F("assigned_by__email"),
            output_field=CharField(),
        )
    )
    members = member_list_with_plans(
        organization_id=organization_id, query=query, plan=plan
    )
    return members.annotate(
        seat_source=Subquery(seat.values("source")[:1]),
        seat_feature=Subquery(seat.values("feature")[:1]),
        seat_since=Subquery(seat.values("assigned_at")[:1]),
        seat_assigned_by=Subquery(assigned_by.values("by")[:1]),
    )


def seat_how(*, source: str | None, feature: str | None, by: str | None) -> str:
    """How a seat was given, in words: by hand (and by whom), automatically
    (and for which feature) or by support; "" for no seat (Free)."""
    if source == SeatSource.MANUAL and by:
        return _("by hand, by %(name)s") % {"name": by}
    if source == SeatSource.AUTOMATIC and feature in Feature.values:
        return _("automatically, for “%(feature)s”") % {
            "feature": Feature(feature).label
        }
    if source in SeatSource.values:
        return str(SeatSource(source).label)
    return source or ""


def member_filter_plans(
    *,
    organization: Organization,
    catalog: dict[int, Plan],
    contract: Contract | object | None = LOOK_UP,
) -> list[Plan]:
    """The plans the members list can be filtered by, cheapest first: Free,
    then the connected contract's plans; without a contract, the plans
    members still hold from the one last disconnected (the Contract page
    lists those seats), if any. One query, or two without a contract."""
    if contract is LOOK_UP:
        contract = contract_for_organization(organization=organization)
    if contract is not None:
        plan_ids = set(
            Allotment.objects.filter(contract=contract).values_list(
                "plan_id", flat=True
            )
        )
    elif (
        disconnected := contract_last_disconnected(organization=organization)
    ) is not None:
        plan_ids = set(
            seat_list_held_by_members(contract=disconnected, organization=organization)
            .order_by()
            .values_list("plan_id", flat=True)
            .distinct()
        )
    else:
        plan_ids = set()
    return [plan for plan in catalog.values() if plan.is_free or plan.pk in plan_ids]


def plan_filter_by_code(*, plans: list[Plan], code: str) -> Plan | None:
    """The offered plan with this code; None for a plan not offered (or no
    plan at all), which the filter then ignores."""
    return next((plan for plan in plans if plan.code == code), None)


@dataclass(frozen=True)
class MemberListPage:
    """One page of the members list, searched and filtered, each member
    with `effective_plan` and how their seat was given (see
    `member_list_with_seats`); `plans` the filter's; `usages` the seats in
    use per plan of the connected contract (the header). For administrators,
    the contract and the plans a bulk change can give (None if none)."""

    page: Page
    query: str
    plans: list[Plan]
    plan_filter: Plan | None
    usages: list[PlanUsage] = field(default_factory=list)
    contract: Contract | None = None
    bulk_options: list[PlanOption] | None = None
    locked_reason: str = ""


def member_list_page(
    *, membership: Membership, query: str, plan_code: str, page_number: str | None
) -> MemberListPage:
    catalog = plan_catalog_by_id()
    contract = contract_for_organization(organization=membership.organization)
    plans = member_filter_plans(
        organization=membership.organization, catalog=catalog, contract=contract
    )
    plan_filter = plan_filter_by_code(plans=plans, code=plan_code)
    # The header's seat usage; the bulk change's options reuse it.
    usages = (
        plan_overview(contracts=[contract]).get(contract.pk, [])
        if contract is not None
        else []
    )
    # Counted up to a limit: a plan filter over 100,000 members matches tens
    # of thousands, and counting them all would cost more than the page.
    page = CappedPaginator(
        member_list_with_seats(
            organization_id=membership.organization_id, query=query, plan=plan_filter
        ),
        MEMBERS_PER_PAGE,
    ).get_page(page_number)
    # The plan ids come annotated with the rows; the catalogue names them.
    page.object_list = list(page.object_list)
    for member in page.object_list:
        member.effective_plan = catalog.get(member.effective_plan_id)
        member.seat_how = seat_how(
            source=member.seat_source,
            feature=member.seat_feature,
            by=member.seat_assigned_by,
        )
    listing = MemberListPage(
        page=page, query=query, plans=plans, plan_filter=plan_filter, usages=usages
    )
    if not membership.is_administrator:
        return listing
    bulk_options = None
    if contract is not None and contract.is_active():
        bulk_options = plan_options(contract=contract, catalog=catalog, usages=usages)
    return replace(
        listing,
        contract=contract,
        bulk_options=bulk_options,
        locked_reason=plan_locked_reason(contract=contract),
    )
