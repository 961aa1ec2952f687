"""The "seats in use" counter of each allotment (`Allotment.seats_used`).

Every seat given, moved to another plan or freed changes it in the same
transaction, with an atomic `UPDATE … SET seats_used = seats_used ± 1` on
the allotment's row: the row stays locked until the transaction ends, so a
seat service that locked the allotment first reads an exact counter. Seats
deleted otherwise (a person deleted, whose seats go by cascade) are freed
first through `seat_release` (`contracts.signals`). `seats_audit` compares
the counters with the seats counted and, asked to, repairs them under the
lock."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Count, F, Value, When

from contracts.models import Allotment, Seat


def seats_used_add(*, contract_id: int, plan_id: int, delta: int) -> None:
    """Count `delta` more seats (fewer, when negative) of a plan on a
    contract. A seat's allotment always exists: a plan with seats in use
    cannot be taken off its contract (`allotment_delete`)."""
    Allotment.objects.filter(contract_id=contract_id, plan_id=plan_id).update(
        seats_used=F("seats_used") + delta
    )


def seats_used_move(*, contract_id: int, from_plan_id: int, to_plan_id: int) -> None:
    """A seat moved from one plan to another: both counters in one
    statement."""
    Allotment.objects.filter(
        contract_id=contract_id, plan_id__in=[from_plan_id, to_plan_id]
    ).update(
        seats_used=F("seats_used")
        + Case(When(plan_id=to_plan_id, then=Value(1)), default=Value(-1))
    )


@dataclass(frozen=True)
class Drift:
    allotment: Allotment
    counted: int
    stored: int


def _counted(allotments) -> dict[tuple[int, int], int]:
    contract_ids = {allotment.contract_id for allotment in allotments}
    rows = (
        Seat.objects.filter(contract_id__in=contract_ids)
        .values("contract_id", "plan_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(row["contract_id"], row["plan_id"]): row["count"] for row in rows}


def seats_audit(*, fix: bool = False, batch: int = 500) -> list[Drift]:
    """Allotments whose counter differs from their seats counted. With
    `fix`, each is locked, counted again and repaired in a transaction of
    its own; the drifts returned are those found (before repair)."""
    drifts = []
    allotments = Allotment.objects.select_related("contract", "plan").order_by("pk")
    last = 0
    while True:
        chunk = list(allotments.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        last = chunk[-1].pk
        counted = _counted(chunk)
        for allotment in chunk:
            seats = counted.get((allotment.contract_id, allotment.plan_id), 0)
            if seats != allotment.seats_used:
                drifts.append(Drift(allotment, seats, allotment.seats_used))
    if fix:
        for drift in drifts:
            seats_used_repair(allotment=drift.allotment)
    return drifts


@transaction.atomic
def seats_used_repair(*, allotment: Allotment) -> int:
    """Set an allotment's counter to its seats counted, under its lock (the
    seat services wait meanwhile). Returns the seats counted."""
    locked = (
        Allotment.objects.select_for_update(of=("self",))
        .filter(pk=allotment.pk)
        .first()
    )
    if locked is None:
        return 0
    counted = Seat.objects.filter(
        contract_id=locked.contract_id, plan_id=locked.plan_id
    ).count()
    if counted != locked.seats_used:
        Allotment.objects.filter(pk=locked.pk).update(seats_used=counted)
    return counted
