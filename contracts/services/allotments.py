"""A contract's allotments: how many seats of each plan it has, never fewer
than the members who hold the plan."""

from django.db import transaction
from django.utils.translation import ngettext

from accounts.models import User
from contracts.exceptions import AllotmentTooSmall
from contracts.models import Allotment, Contract, EventKind, Seat
from contracts.services import waitlist
from contracts.services._common import _event
from contracts.services.alerts import allotment_alert_check
from plans.models import Plan


def allotment_check(*, contract: Contract, plan: Plan, seats: int) -> None:
    """Raise the error `allotment_set` would raise now, without changing
    anything (for the admin's form). `allotment_set` checks again under its
    lock."""
    _allotment_refusal(contract=contract, plan=plan, seats=seats)


@transaction.atomic
def allotment_set(
    *, contract: Contract, plan: Plan, seats: int, actor: User, source: str
) -> Allotment:
    """Give a contract `seats` seats of a plan. Never fewer than the members
    who hold the plan: their seats are not taken back silently."""
    allotment = (
        Allotment.objects.select_for_update(of=("self",)).filter(
            contract=contract, plan=plan
        )
    ).first()
    _allotment_refusal(contract=contract, plan=plan, seats=seats)
    before = allotment.seats if allotment is not None else 0
    if allotment is None:
        allotment = Allotment.objects.create(contract=contract, plan=plan, seats=seats)
    elif allotment.seats != seats:
        allotment.seats = seats
        allotment.save(update_fields=["seats"])
    if seats > before:
        waitlist.waitlist_seat_freed(contract=contract, plan=plan)
    if before != seats:
        allotment_alert_check(contract_id=contract.pk, plan_id=plan.pk)
        _seats_changed_event(
            contract=contract,
            plan=plan,
            before=before,
            after=seats,
            actor=actor,
            source=source,
        )
    return allotment


@transaction.atomic
def allotment_delete(*, allotment: Allotment, actor: User, source: str) -> None:
    """Take a plan off a contract, which only an unused plan allows."""
    locked = (
        Allotment.objects.select_for_update(of=("self",))
        .filter(pk=allotment.pk)
        .first()
    )
    if locked is None:
        return
    _allotment_refusal(contract=locked.contract, plan=locked.plan, seats=0)
    locked.delete()
    _seats_changed_event(
        contract=locked.contract,
        plan=locked.plan,
        before=locked.seats,
        after=0,
        actor=actor,
        source=source,
    )


def _seats_changed_event(
    *,
    contract: Contract,
    plan: Plan,
    before: int,
    after: int,
    actor: User,
    source: str,
) -> None:
    _event(
        EventKind.SEATS_CHANGED,
        contract=contract,
        actor=actor,
        plan=plan,
        source=source,
        detail=f"{before} → {after}",
    )


def _allotment_refusal(*, contract: Contract, plan: Plan, seats: int) -> None:
    in_use = Seat.objects.filter(contract=contract, plan=plan).count()
    if seats < in_use:
        raise AllotmentTooSmall(
            ngettext(
                "%(count)d member holds the %(plan)s plan of contract "
                "%(reference)s: it needs at least %(count)d seat. Free seats "
                "first.",
                "%(count)d members hold the %(plan)s plan of contract "
                "%(reference)s: it needs at least %(count)d seats. Free seats "
                "first.",
                in_use,
            )
            % {
                "count": in_use,
                "plan": plan.display_name,
                "reference": contract.reference,
            },
            contract=contract,
        )
