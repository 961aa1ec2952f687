"""Reads of contracts, their plans, seats, keys and history."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from contracts.models import (
    Allotment,
    AutoAssignExclusion,
    ConnectionKey,
    Contract,
    Event,
    EventKind,
    PlanRequest,
    Seat,
)
from organizations.models import Organization
from plans.models import Plan


@dataclass(frozen=True)
class PlanUsage:
    """One line of a contract's plan overview."""

    plan: Plan
    total: int
    assigned: int
    # The low-seat alert's threshold (issue 11, point 8): at or under it,
    # the contract pages show a banner.
    alert_at: int = 0

    @property
    def available(self) -> int:
        return max(self.total - self.assigned, 0)

    @property
    def is_low(self) -> bool:
        return self.total > 0 and self.available <= self.alert_at


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


def contract_last_disconnected(*, organization: Organization) -> Contract | None:
    """The contract the organization was disconnected from last (from its
    history), while that contract is in force: its seats then still give
    plans to the members who hold them. None otherwise."""
    event = (
        Event.objects.filter(organization=organization, kind=EventKind.DISCONNECTED)
        .select_related("contract")
        .order_by("-created_at", "-pk")
        .first()
    )
    contract = event.contract if event is not None else None
    if contract is None or not contract.is_active():
        return None
    return contract


def seat_list_held_by_members(
    *, contract: Contract, organization: Organization
) -> QuerySet[Seat]:
    """The seats of `contract` held by current members of `organization`,
    best plan first, then by email."""
    return (
        Seat.objects.filter(
            contract=contract, user__memberships__organization=organization
        )
        .select_related("user", "plan")
        .order_by("-plan__rank", "user__email", "pk")
    )


def plan_overview(*, contracts: Iterable[Contract]) -> dict[int, list[PlanUsage]]:
    """Per contract id, its plans cheapest first with the seats in total,
    assigned and available: one query, whatever the number of seats (the
    allotments' counters of seats in use, kept by the seat services)."""
    allotments = (
        Allotment.objects.filter(contract__in=[contract.pk for contract in contracts])
        .select_related("plan")
        .annotate(assigned=F("seats_used"))
        .order_by("contract_id", "plan__rank")
    )
    overview = defaultdict(list)
    for allotment in allotments:
        overview[allotment.contract_id].append(
            PlanUsage(
                plan=allotment.plan,
                total=allotment.seats,
                assigned=allotment.assigned,
                alert_at=allotment.alert_at,
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
class ContractOverview:
    """What the organization's Contract page shows of its connected
    contract, besides the history."""

    contract: Contract
    plans: list[PlanUsage]
    plan_requests: QuerySet[PlanRequest]
    plan_request_count: int
    manages_contract: bool


def contract_overview(
    *, contract: Contract, user: User, requests_shown: int
) -> ContractOverview:
    """The contract's plans with their seats, the latest `requests_shown`
    requests for a plan (read when shown) and how many members made one,
    and whether `user` manages the contract."""
    return ContractOverview(
        contract=contract,
        plans=plan_overview(contracts=[contract])[contract.pk],
        plan_requests=plan_request_list(contract=contract)[:requests_shown],
        plan_request_count=plan_request_member_count(contract=contract),
        manages_contract=contract.managers.filter(pk=user.pk).exists(),
    )


def auto_assign_exclusion(
    *, organization: Organization, user_id: int
) -> AutoAssignExclusion | None:
    """The member's exclusion from automatic assignment on the organization's
    contract (their plan was taken back by hand), with who excluded them."""
    return (
        AutoAssignExclusion.objects.filter(
            contract__organization=organization, user_id=user_id
        )
        .select_related("created_by")
        .first()
    )
