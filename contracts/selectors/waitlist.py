"""Reads of the waitlist and of the requests for a plan: the queue the
Contract page shows its administrators, what a member sees of their own
place and request, and whether joining the waitlist is offered."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from contracts import entitlements
from contracts.models import (
    AutoAssignExclusion,
    Contract,
    Seat,
    SeatRequest,
    SeatRequestStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from organizations.models import Organization
from plans.models import Feature, Plan


@dataclass(frozen=True)
class WaitlistOffer:
    """Joining the waitlist of `organization`'s contract for a feature, or
    the member's place on it (`entry`) when they already wait."""

    organization: Organization
    feature: Feature
    entry: WaitlistEntry | None


@dataclass(frozen=True)
class PlanRequestPanel:
    """What a member sees of one organization's contract on the home page:
    whether they hold a seat there, their latest request for a plan, and
    their place on the waitlist."""

    organization: Organization
    contract: Contract
    has_seat: bool
    latest_request: SeatRequest | None
    waiting: WaitlistEntry | None

    @property
    def can_ask(self) -> bool:
        pending = (
            self.latest_request is not None
            and self.latest_request.status == SeatRequestStatus.PENDING
        )
        return not self.has_seat and not pending


def waitlist_queue(*, contract: Contract) -> QuerySet[WaitlistEntry]:
    """The members waiting for a seat of the contract, oldest first."""
    return (
        WaitlistEntry.objects.filter(
            contract=contract, status=WaitlistStatus.WAITING, group__isnull=True
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )


def seat_request_queue(*, contract: Contract) -> QuerySet[SeatRequest]:
    """The pending requests for a plan of the contract, oldest first."""
    return (
        SeatRequest.objects.filter(contract=contract, status=SeatRequestStatus.PENDING)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def waitlist_entry_get(*, contract: Contract, entry_id: object) -> WaitlistEntry | None:
    """A waiting entry of the contract, or None (answered meanwhile, or not
    the contract's)."""
    return _by_id(waitlist_queue(contract=contract), entry_id)


def seat_request_get(*, contract: Contract, request_id: object) -> SeatRequest | None:
    """A pending request of the contract, or None."""
    return _by_id(seat_request_queue(contract=contract), request_id)


def seat_request_plans(*, contract: Contract) -> QuerySet[Plan]:
    """The paid plans an administrator can give from a request."""
    return Plan.objects.filter(allotment__contract=contract).order_by("rank")


def waitlist_offer(*, user: User, feature: Feature) -> WaitlistOffer | None:
    """Whether the member, refused a feature, may join a waitlist: an
    organization of theirs has a contract in force with a plan that would
    add the feature to theirs (none free, or `feature_check` would have
    offered it), and they were not excluded from automatic assignment."""
    feature = Feature(feature)
    contracts = (
        Contract.objects.active()
        .filter(organization__memberships__user=user)
        .exclude(
            pk__in=AutoAssignExclusion.objects.filter(user=user).values("contract")
        )
        .select_related("organization")
        .order_by("pk")
    )
    for contract in contracts:
        if entitlements.assignable(contract=contract, user=user, feature=feature):
            entry = WaitlistEntry.objects.filter(
                contract=contract,
                user=user,
                status=WaitlistStatus.WAITING,
                group__isnull=True,
            ).first()
            return WaitlistOffer(
                organization=contract.organization, feature=feature, entry=entry
            )
    return None


def plan_request_panels(*, user: User) -> list[PlanRequestPanel]:
    """For each organization of the member with a connected contract in
    force: their seat, latest request and place on the waitlist there."""
    contracts = list(
        Contract.objects.active()
        .filter(organization__memberships__user=user)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    ids = [contract.pk for contract in contracts]
    held = set(
        Seat.objects.filter(user=user, contract_id__in=ids).values_list(
            "contract_id", flat=True
        )
    )
    latest = {}
    for request in SeatRequest.objects.filter(user=user, contract_id__in=ids).order_by(
        "created_at", "pk"
    ):
        latest[request.contract_id] = request
    waiting = {
        entry.contract_id: entry
        for entry in WaitlistEntry.objects.filter(
            user=user,
            contract_id__in=ids,
            status=WaitlistStatus.WAITING,
            group__isnull=True,
        )
    }
    return [
        PlanRequestPanel(
            organization=contract.organization,
            contract=contract,
            has_seat=contract.pk in held,
            latest_request=latest.get(contract.pk),
            waiting=waiting.get(contract.pk),
        )
        for contract in contracts
    ]


def _by_id(queryset: QuerySet, pk: object):
    """The row of an id sent in a form, or None for anything that is not
    one (a bigint at most, so that the database never sees an overflow)."""
    text = str(pk)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return queryset.filter(pk=int(text)).first()
