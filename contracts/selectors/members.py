"""Reads of the organization's members pages: each member's plan, what the
administrators can choose, what a change would do, and the CSV export."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from django.core.paginator import Page
from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from config.dates import date_format
from config.exports import spreadsheet_safe
from contracts.entitlements import (
    effective_plan,
    effective_plan_id,
    effective_plan_id_of,
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
from organizations import selectors as organization_selectors
from organizations.models import Membership, Organization, Role
from plans.models import Feature, Plan

# The one upward read of the design: which of a member's surveys a lower
# plan would make inactive, for the preview below. Only the members pages'
# views read this module; models and services never import surveys.
from surveys.selectors import survey_list_deactivated_by

MEMBERS_PER_PAGE = 50
# For a value a selector reads itself unless its caller already has it.
LOOK_UP = object()


@dataclass(frozen=True)
class PlanOption:
    """A plan an administrator can choose for a member; `seats` is None for
    Free, which is never short."""

    plan: Plan
    seats: int | None = None
    in_use: int = 0
    held: bool = False

    @property
    def left(self) -> int | None:
        return None if self.seats is None else max(self.seats - self.in_use, 0)

    @property
    def disabled(self) -> bool:
        # A full plan stays selectable for the member who holds it.
        return self.left == 0 and not self.held


def plan_catalog_by_id() -> dict[int, Plan]:
    """Every plan by id, cheapest first: one query that lists and exports use
    to name the plan ids they annotate."""
    return {plan.pk: plan for plan in Plan.objects.order_by("rank")}


def plan_options(
    *,
    contract: Contract,
    catalog: dict[int, Plan],
    held: Plan | None = None,
    usages: list[PlanUsage] | None = None,
) -> list[PlanOption]:
    """Free, then each plan of the contract with its seats in use (one
    query, none when the caller passes the contract's `usages` already
    read). `held` is the plan the member holds on the contract, if any: it
    is listed even when full, or when the contract no longer has it."""
    free = next(plan for plan in catalog.values() if plan.is_free)
    options = [PlanOption(plan=free, held=held is None or held.is_free)]
    if usages is None:
        usages = plan_overview(contracts=[contract]).get(contract.pk, [])
    for usage in usages:
        options.append(
            PlanOption(
                plan=usage.plan,
                seats=usage.total,
                in_use=usage.assigned,
                held=held is not None and held.pk == usage.plan.pk,
            )
        )
    if held is not None and not any(option.held for option in options):
        options.append(PlanOption(plan=held, held=True))
    return options


def member_seat(*, contract: Contract, user_id: int) -> Seat | None:
    """The member's seat on the contract, with who gave it."""
    return (
        Seat.objects.filter(contract=contract, user_id=user_id)
        .select_related("plan", "assigned_by", "contract")
        .first()
    )


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


def member_export_rows(
    *, members: Iterable[Membership], catalog: dict[int, Plan]
) -> Iterator[list[str]]:
    """The rows of the members' CSV, header first. Every label is
    translated before the first row, in the request's language, because the
    response is iterated after the view has returned."""
    header = [
        _("Email address"),
        _("Name"),
        _("Role"),
        _("Plan"),
        _("How assigned"),
        _("Since"),
    ]
    roles = {role.value: str(role.label) for role in Role}
    plans = {plan_id: plan.display_name for plan_id, plan in catalog.items()}
    sources = {source.value: str(source.label) for source in SeatSource}
    features = {
        feature.value: _("automatically, for “%(feature)s”")
        % {"feature": feature.label}
        for feature in Feature
    }

    def rows() -> Iterator[list[str]]:
        yield header
        for member in members:
            how = sources.get(member.seat_source or "", member.seat_source or "")
            if member.seat_source == SeatSource.AUTOMATIC and member.seat_feature:
                how = features.get(member.seat_feature, how)
            since = (
                timezone.localtime(member.seat_since).date().isoformat()
                if member.seat_since
                else ""
            )
            yield [
                spreadsheet_safe(member.user.email),
                spreadsheet_safe(member.user.full_name),
                roles.get(member.role, member.role),
                plans.get(member.effective_plan_id, ""),
                how,
                since,
            ]

    return rows()


def plan_locked_reason(*, contract: Contract | None) -> str:
    """Why an administrator cannot change plans here, or "" when they can."""
    if contract is None:
        return _("No contract is connected: plans cannot be changed here.")
    if contract.has_ended():
        return _(
            "Contract %(reference)s ended on %(date)s: it grants no plan, and "
            "plans cannot be changed here."
        ) % {"reference": contract.reference, "date": date_format(contract.ends_on)}
    if not contract.is_active():
        return _(
            "Contract %(reference)s starts on %(date)s: plans can be given "
            "from that day."
        ) % {"reference": contract.reference, "date": date_format(contract.starts_on)}
    return ""


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


@dataclass(frozen=True)
class MemberPlanPanel:
    """What the Plan panel of a member shows. To administrators: the
    dropdown of the connected contract's plans (`options`) while the
    contract is in force (`editable`), otherwise the plan in effect as text
    with the reason it cannot be changed here. To other members: the plan
    in effect only."""

    effective: Plan
    contract: Contract | None = None
    seat: Seat | None = None
    held: Plan | None = None
    options: list[PlanOption] = field(default_factory=list)
    editable: bool = False
    locked_reason: str = ""


def member_plan_panel(
    *,
    membership: Membership,
    member: Membership,
    contract: Contract | object | None = LOOK_UP,
    seat: Seat | object | None = LOOK_UP,
) -> MemberPlanPanel:
    """The Plan panel of `member` as `membership` (the reader's) sees it.
    `contract` (the organization's) and `seat` (the member's on it, or
    None) are passed when the caller knows them already."""
    if not membership.is_administrator:
        return MemberPlanPanel(effective=effective_plan(member.user))
    catalog = plan_catalog_by_id()
    if contract is LOOK_UP:
        contract = contract_for_organization(organization=membership.organization)
    if seat is LOOK_UP:
        seat = (
            member_seat(contract=contract, user_id=member.user_id)
            if contract is not None
            else None
        )
    editable = contract is not None and contract.is_active()
    held = seat.plan if seat is not None else None
    return MemberPlanPanel(
        # Named from the catalogue already read: one query, not two.
        effective=catalog[effective_plan_id_of(member.user)],
        contract=contract,
        seat=seat,
        held=held or next(plan for plan in catalog.values() if plan.is_free),
        options=(
            plan_options(contract=contract, catalog=catalog, held=held)
            if editable
            else []
        ),
        editable=editable,
        locked_reason=plan_locked_reason(contract=contract),
    )


def member_plan_downgrade_preview(
    *, contract: Contract | None, member: Membership, plan: Plan
) -> list:
    """The member's surveys that going down to `plan` would make inactive;
    none when the plan is not lower than the one held on the contract, or
    when no contract is connected (nothing is held here to go down from)."""
    if contract is None:
        return []
    seat = member_seat(contract=contract, user_id=member.user_id)
    held_rank = seat.plan.rank if seat is not None else 0
    if plan.rank >= held_rank:
        return []
    return survey_list_deactivated_by(user=member.user, plan=plan)
