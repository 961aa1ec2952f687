"""Reads of contracts worth naming. Those that take a `user` apply what the
person may see, and answer 404 for the rest, so that ids cannot be probed."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.exports import spreadsheet_safe
from contracts.entitlements import (
    effective_plan_id,
    effective_plan_is,
    effective_seats,
)
from contracts.models import (
    Allotment,
    ConnectionKey,
    Contract,
    Event,
    PlanRequest,
    Seat,
    SeatSource,
)
from organizations import selectors as organization_selectors
from organizations.models import Membership, Organization, Role
from plans.models import Feature, Plan


@dataclass(frozen=True)
class PlanUsage:
    """One line of a contract's plan overview."""

    plan: Plan
    total: int
    assigned: int

    @property
    def available(self) -> int:
        return max(self.total - self.assigned, 0)


def contract_list_managed(*, user: User) -> QuerySet[Contract]:
    """The contracts a person manages, each with its latest connection key
    (`latest_keys`, a list of at most one)."""
    return (
        Contract.objects.filter(managers=user)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "keys",
                queryset=ConnectionKey.objects.select_related(
                    "created_by", "used_by"
                ).order_by("-created_at", "-pk")[:1],
                to_attr="latest_keys",
            )
        )
        .order_by("reference")
    )


def contract_get_managed(*, user: User, contract_id: int) -> Contract:
    """A contract the person manages, or 404."""
    return get_object_or_404(contract_list_managed(user=user), pk=contract_id)


def contract_list_connectable(*, user: User) -> QuerySet[Contract]:
    """The contracts a person manages that an organization may connect now:
    not connected, and not ended (one that starts later may be connected in
    advance)."""
    return Contract.objects.filter(
        managers=user,
        organization__isnull=True,
        ends_on__gte=timezone.localdate(),
    ).order_by("reference")


def contract_for_organization(*, organization: Organization) -> Contract | None:
    return Contract.objects.filter(organization=organization).first()


def plan_overview(*, contracts: Iterable[Contract]) -> dict[int, list[PlanUsage]]:
    """Per contract id, its plans cheapest first with the seats in total,
    assigned and available: one query, whatever the number of seats."""
    # COUNT(*), not COUNT(id): PostgreSQL then counts the entries of the
    # (contract, plan) index without reading the table's rows.
    assigned = (
        Seat.objects.filter(contract=OuterRef("contract"), plan=OuterRef("plan"))
        .order_by()
        .values("contract")
        .annotate(count=Count("*"))
        .values("count")
    )
    allotments = (
        Allotment.objects.filter(contract__in=[contract.pk for contract in contracts])
        .select_related("plan")
        .annotate(assigned=Coalesce(Subquery(assigned), 0))
        .order_by("contract_id", "plan__rank")
    )
    overview = defaultdict(list)
    for allotment in allotments:
        overview[allotment.contract_id].append(
            PlanUsage(
                plan=allotment.plan, total=allotment.seats, assigned=allotment.assigned
            )
        )
    return overview


def seat_list(*, contract: Contract, query: str = "") -> QuerySet[Seat]:
    """The seats held on a contract, by member, searchable by name or email."""
    seats = Seat.objects.filter(contract=contract)
    if query := query.strip():
        if "\x00" in query:
            # Nothing stored holds a NUL byte; PostgreSQL refuses one.
            return seats.none()
        seats = seats.filter(
            Q(user__email__icontains=query) | Q(user__full_name__icontains=query)
        )
    return seats.select_related("user", "plan", "assigned_by").order_by(
        "user__email", "pk"
    )


def seat_get(*, contract: Contract, seat_id: int) -> Seat:
    return get_object_or_404(
        Seat.objects.select_related("user", "plan", "contract"),
        contract=contract,
        pk=seat_id,
    )


def event_list(
    *, contract: Contract | None = None, organization: Organization | None = None
) -> QuerySet[Event]:
    """The history of a contract or of an organization, newest first."""
    if (contract is None) == (organization is None):
        raise ValueError("Pass a contract or an organization.")
    events = (
        Event.objects.filter(contract=contract)
        if contract is not None
        else Event.objects.filter(organization=organization)
    )
    return events.select_related(
        "actor", "member", "plan", "contract", "organization"
    ).order_by("-created_at", "-pk")


def plan_request_list(*, contract: Contract) -> QuerySet[PlanRequest]:
    return (
        PlanRequest.objects.filter(contract=contract)
        .select_related("user")
        .order_by("-requested_at", "-pk")
    )


def plan_request_member_count(*, contract: Contract) -> int:
    """How many members asked for a plan (one may ask for several features)."""
    return (
        PlanRequest.objects.filter(contract=contract).values("user").distinct().count()
    )


def connection_key_latest(*, contract: Contract) -> ConnectionKey | None:
    return (
        ConnectionKey.objects.filter(contract=contract)
        .select_related("created_by", "used_by")
        .order_by("-created_at", "-pk")
        .first()
    )


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


def plan_catalog() -> dict[int, Plan]:
    """Every plan by id, cheapest first: one query that lists and exports use
    to name the plan ids they annotate."""
    return {plan.pk: plan for plan in Plan.objects.order_by("rank")}


def plan_options(
    *, contract: Contract, catalog: dict[int, Plan], held: Plan | None = None
) -> list[PlanOption]:
    """Free, then each plan of the contract with its seats in use (one
    query). `held` is the plan the member holds on the contract, if any: it
    is listed even when full, or when the contract no longer has it."""
    free = next(plan for plan in catalog.values() if plan.is_free)
    options = [PlanOption(plan=free, held=held is None or held.is_free)]
    for usage in plan_overview(contracts=[contract]).get(contract.pk, []):
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


def member_list(
    *, organization_id: int, query: str = "", plan: Plan | None = None
) -> QuerySet[Membership]:
    """The organization's members (searched by name or email), each with
    `effective_plan_id`, optionally only those whose effective plan is
    `plan`. The plan is computed in the same query, never one per row."""
    members = organization_selectors.member_list(
        organization_id=organization_id, query=query
    ).annotate(effective_plan_id=effective_plan_id(OuterRef("user_id")))
    if plan is not None:
        members = members.filter(effective_plan_is(plan, OuterRef("user_id")))
    return members


def member_export(
    *, organization_id: int, query: str = "", plan: Plan | None = None
) -> QuerySet[Membership]:
    """`member_list` with what the seat behind each effective plan says: how
    it was given (`seat_source`, `seat_feature`) and since when
    (`seat_since`); all empty for Free."""
    seat = effective_seats(OuterRef("user_id"))
    members = member_list(organization_id=organization_id, query=query, plan=plan)
    return members.annotate(
        seat_source=Subquery(seat.values("source")[:1]),
        seat_feature=Subquery(seat.values("feature")[:1]),
        seat_since=Subquery(seat.values("assigned_at")[:1]),
    )


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
