"""Low-seat alerts (issue 11, point 8): each allotment has a threshold; when
the seats left fall to it, the organization's administrators and the
contract's managers are emailed once, and again only after more seats than
the threshold were left in between (`Allotment.low_seats_alerted`)."""

from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.notifications import email_after_commit
from contracts.exceptions import ContractError
from contracts.models import Allotment, EventKind, SeatSource
from contracts.services._common import _event
from organizations.models import Membership, Role


@transaction.atomic
def allotment_alert_threshold_set(
    *, allotment: Allotment, threshold: int | None, actor: User
) -> Allotment:
    """Set the seats-left threshold of an allotment's alert (None: the
    default, 10 % of its seats, at least 1). Administrators set it from the
    organization's Contract page, managers from their account."""
    locked = _locked(contract_id=allotment.contract_id, plan_id=allotment.plan_id)
    if locked is None:
        raise ContractError(_("This plan is no longer on the contract."))
    if threshold is not None and not 0 <= threshold <= locked.seats:
        raise ContractError(
            _("The threshold must be between 0 and %(seats)d seats.")
            % {"seats": locked.seats}
        )
    if locked.alert_threshold == threshold:
        return locked
    locked.alert_threshold = threshold
    locked.save(update_fields=["alert_threshold"])
    _event(
        EventKind.ALERT_THRESHOLD_SET,
        contract=locked.contract,
        actor=actor,
        plan=locked.plan,
        source=SeatSource.MANUAL,
        detail=str(locked.alert_at),
    )
    _check(locked)
    return locked


@transaction.atomic
def allotment_alert_check(*, contract_id: int, plan_id: int) -> bool:
    """Alert if the plan's seats left have fallen to the threshold and the
    alert was not sent yet; re-arm it if more are left again. Locks the
    allotment row (callers that hold it already lose nothing), so that two
    seats taken at once alert once. Returns whether an alert was sent."""
    allotment = _locked(contract_id=contract_id, plan_id=plan_id)
    if allotment is None:
        return False
    return _check(allotment)


def allotment_alert_check_locked(allotment: Allotment) -> bool:
    """`allotment_alert_check` for a caller that holds the allotment's lock
    and has its counter up to date (the seat services)."""
    return _check(allotment)


def allotment_alert_check_after_commit(*, contract_id: int, plan_id: int) -> None:
    """Re-arm the low-seat alert of a plan a seat was freed from, once the
    seat is gone: locking its allotment while the seat's row is held could
    deadlock with `seat_put` (allotment first, then the seat)."""
    transaction.on_commit(
        partial(allotment_alert_check, contract_id=contract_id, plan_id=plan_id)
    )


def _locked(*, contract_id: int, plan_id: int) -> Allotment | None:
    # The allotment row only (see `seat_rows.seat_put_refusal`).
    return (
        Allotment.objects.select_for_update(of=("self",))
        .select_related("contract__organization", "plan")
        .filter(contract_id=contract_id, plan_id=plan_id)
        .first()
    )


def _check(allotment: Allotment) -> bool:
    # Locked (`_locked`): the counter is exact.
    in_use = allotment.seats_used
    left = max(allotment.seats - in_use, 0)
    low = allotment.seats_low(in_use)
    if low == allotment.low_seats_alerted:
        return False
    allotment.low_seats_alerted = low
    allotment.save(update_fields=["low_seats_alerted"])
    if not low:
        return False
    contract = allotment.contract
    _event(
        EventKind.LOW_SEATS,
        contract=contract,
        plan=allotment.plan,
        detail=f"{left} / {allotment.seats}",
    )
    administrators = (
        Membership.objects.filter(
            organization_id=contract.organization_id, role=Role.ADMINISTRATOR
        ).values_list("user__email", flat=True)
        if contract.organization_id
        else []
    )
    email_after_commit(
        to=[*administrators, *contract.managers.values_list("email", flat=True)],
        subject=ngettext(
            "Only %(left)d %(plan)s seat left on contract %(reference)s",
            "Only %(left)d %(plan)s seats left on contract %(reference)s",
            left,
        )
        % {
            "left": left,
            "plan": allotment.plan.display_name,
            "reference": contract.reference,
        },
        template_name="contracts/email/low_seats.txt",
        context={"allotment": allotment, "contract": contract, "left": left},
    )
    return True
