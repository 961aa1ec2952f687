"""Reads of the organization's members list: each member's plan and how
their seat was given, searched and filtered by plan, one page at a time."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.core.paginator import Page
from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from contracts.entitlements import (
    effective_plan_id,
    effective_plan_is,
    effective_seats,
)
from contracts.models import Allotment, Contract, Seat, SeatSource
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
from contracts.sorting import Sort
from organizations import selectors as organization_selectors
from organizations.models import Group, Membership, Organization
from plans.models import Feature, Plan

MEMBERS_PER_PAGE = 50

# The columns the list sorts by, each by one value of its rows: a field, or
# an annotation of `member_list_with_seats`. Another column is one more
# entry (and its header in the template). Empty values (Free's "since") come
# last both ways; ties go by email address.
MEMBER_SORTS = {
    "name": Lower(Coalesce(NullIf(F("user__full_name"), Value("")), "user__email")),
    "email": F("user__email"),
    "role": F("role"),
    "plan": F("effective_plan_rank"),
    "since": F("seat_since"),
    "activity": F("seat_last_used"),
}
MEMBER_SORT_DEFAULT = "email"


def member_sort(value: str) -> Sort:
    """The members list's order from the query string's `sort`; the default
    (by email address) for a value that names no column."""
    return Sort.parse(value, keys=MEMBER_SORTS, default=MEMBER_SORT_DEFAULT)


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
    when (`seat_since`), and the last day the member used a paid feature with
    it (`seat_last_used`, the members' last activity); all empty for Free.
    Each is a subquery of the same query, never one query per row."""
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
        seat_last_used=Subquery(seat.values("last_used_on")[:1]),
    ).alias(
        # Only for sorting by plan: Free, without a seat, is rank 0.
        effective_plan_rank=Coalesce(Subquery(seat.values("plan__rank")[:1]), Value(0)),
    )


def member_list_sorted(
    members: QuerySet[Membership], *, sort: Sort
) -> QuerySet[Membership]:
    """`member_list_with_seats` in the order `sort` asks for."""
    value = MEMBER_SORTS[sort.key]
    order = (
        value.desc(nulls_last=True) if sort.descending else value.asc(nulls_last=True)
    )
    return members.order_by(order, "user__email", "pk")


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
    usages: list[PlanUsage] | None = None,
) -> list[Plan]:
    """The plans the members list can be filtered by, cheapest first: Free,
    then the connected contract's plans; without a contract, the plans
    members still hold from the one last disconnected (the Contract page
    lists those seats), if any. One query, or two without a contract; none
    with a contract whose `usages` (its plans) the caller has read."""
    if contract is LOOK_UP:
        contract = contract_for_organization(organization=organization)
    if contract is not None and usages is not None:
        plan_ids = {usage.plan.pk for usage in usages}
    elif contract is not None:
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
    """One page of the members list, searched, filtered and sorted, each
    member with `effective_plan` and how their seat was given (see
    `member_list_with_seats` and `_member_rows`); `plans` the filter's;
    `usages` the seats in use per plan of the connected contract (the
    header). For administrators, the contract and the plans a bulk change
    can give (None if none)."""

    page: Page
    query: str
    plans: list[Plan]
    plan_filter: Plan | None
    sort: Sort
    usages: list[PlanUsage] = field(default_factory=list)
    contract: Contract | None = None
    bulk_options: list[PlanOption] | None = None
    locked_reason: str = ""
    groups: list[Group] = field(default_factory=list)
    group_filter: Group | None = None


def member_list_page(
    *,
    membership: Membership,
    query: str,
    plan_code: str,
    page_number: str | None,
    sort: Sort,
    group_id: str = "",
) -> MemberListPage:
    """`group_id`: only the members of this group of the organization (one
    the organization does not have is ignored, like an unknown plan)."""
    catalog = plan_catalog_by_id()
    # Read with the membership on the list's own page (no query of its own).
    groups = organization_selectors.membership_groups(membership=membership)
    group_filter = next((g for g in groups if str(g.pk) == group_id), None)
    contract = contract_for_organization(organization=membership.organization)
    # The header's seat usage; the filter and the plan dropdowns reuse it.
    usages = _usages(contract)
    plans = member_filter_plans(
        organization=membership.organization,
        catalog=catalog,
        contract=contract,
        usages=usages,
    )
    plan_filter = plan_filter_by_code(plans=plans, code=plan_code)
    options = _plan_choices(membership, contract, catalog, usages)
    members = member_list_sorted(
        member_list_with_seats(
            organization_id=membership.organization_id, query=query, plan=plan_filter
        ),
        sort=sort,
    )
    if group_filter is not None:
        members = members.filter(group_members__group=group_filter)
    # Counted up to a limit: a plan filter over 100,000 members matches tens
    # of thousands, and counting them all would cost more than the page.
    page = CappedPaginator(
        _with_held_plan(members, contract) if options else members, MEMBERS_PER_PAGE
    ).get_page(page_number)
    page.object_list = _member_rows(
        page.object_list,
        catalog=catalog,
        contract=contract,
        usages=usages,
        editable=options is not None,
    )
    listing = MemberListPage(
        page=page,
        query=query,
        plans=plans,
        plan_filter=plan_filter,
        sort=sort,
        usages=usages,
        groups=groups,
        group_filter=group_filter,
    )
    if not membership.is_administrator:
        return listing
    return replace(
        listing,
        contract=contract,
        bulk_options=options,
        locked_reason=plan_locked_reason(contract=contract),
    )


def member_list_row(*, membership: Membership, member: Membership) -> Membership:
    """`member` as a row of the members list shows them to `membership` (an
    administrator's), after a change of their plan from that row: three
    queries, whatever the size of the organization."""
    catalog = plan_catalog_by_id()
    contract = contract_for_organization(organization=membership.organization)
    usages = _usages(contract)
    options = _plan_choices(membership, contract, catalog, usages)
    members = member_list_with_seats(organization_id=membership.organization_id)
    if options:
        members = _with_held_plan(members, contract)
    return _member_rows(
        [get_object_or_404(members, pk=member.pk)],
        catalog=catalog,
        contract=contract,
        usages=usages,
        editable=options is not None,
    )[0]


def _usages(contract: Contract | None) -> list[PlanUsage]:
    if contract is None:
        return []
    return plan_overview(contracts=[contract]).get(contract.pk, [])


def _plan_choices(
    membership: Membership,
    contract: Contract | None,
    catalog: dict[int, Plan],
    usages: list[PlanUsage],
) -> list[PlanOption] | None:
    """The plans an administrator can give from the list (Free first, then
    the contract's, with the seats left), or None where no plan can be
    changed here: not an administrator, or no contract in force."""
    if not membership.is_administrator or contract is None:
        return None
    if not contract.is_active():
        return None
    return plan_options(contract=contract, catalog=catalog, usages=usages)


def _with_held_plan(
    members: QuerySet[Membership], contract: Contract
) -> QuerySet[Membership]:
    """Each member with `held_plan_id`, the plan of their seat on the
    connected contract (None for none), which their row's dropdown shows:
    a subquery of the list's query, never one query per row."""
    held = Seat.objects.filter(contract=contract, user_id=OuterRef("user_id"))
    return members.annotate(held_plan_id=Subquery(held.values("plan_id")[:1]))


def _member_rows(
    members: Iterable[Membership],
    *,
    catalog: dict[int, Plan],
    contract: Contract | None,
    usages: list[PlanUsage],
    editable: bool,
) -> list[Membership]:
    """The rows, each member with `effective_plan` and `seat_how` (named
    from the catalogue and the annotations of `member_list_with_seats`,
    no query); where plans can be changed here, `held_plan` and
    `plan_options`, the choices of their row's dropdown, from the contract's
    `usages` already read (None elsewhere)."""
    rows = list(members)
    for member in rows:
        member.effective_plan = catalog.get(member.effective_plan_id)
        member.seat_how = seat_how(
            source=member.seat_source,
            feature=member.seat_feature,
            by=member.seat_assigned_by,
        )
        member.plan_options = None
        if editable:
            held = catalog.get(member.held_plan_id)
            member.held_plan = held or next(
                plan for plan in catalog.values() if plan.is_free
            )
            member.plan_options = plan_options(
                contract=contract, catalog=catalog, held=held, usages=usages
            )
    return rows
