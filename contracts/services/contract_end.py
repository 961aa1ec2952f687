"""A contract's end, announced and carried out by a sweep of the worker
(settings.LIFECYCLE_SWEEPS): its managers and the organization's
administrators are emailed 30 and 7 days before it and on its last day;
the day after, its members fall back to their best other plan or Free (the
entitlements read the end date: nothing is taken away here), with one
history event and an email to each member who lost a plan, naming their
surveys that went inactive.

Each notice is recorded once per end date (ContractEndNotice): a sweep never
sends one twice, and an end date moved later by support gets notices of its
own."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.notifications import email_after_commit
from contracts import entitlements, impact
from contracts.models import (
    END_NOTICE_DAYS,
    Contract,
    ContractEndNotice,
    EndNotice,
    EventKind,
    Seat,
    SeatSource,
)
from contracts.services._common import _event
from organizations.models import Membership, Role

# A contract that ended up to this many days ago is still carried out (a
# worker stopped for a few days catches up); older ends are history.
ENDED_CATCH_UP_DAYS = 7


def contract_end_sweep(*, now: datetime.datetime) -> int:
    """Send each contract's end notice that is due at `now` and not sent yet
    for its end date; return how many were sent."""
    today = timezone.localdate(now)
    contracts = Contract.objects.filter(
        ends_on__gte=today - datetime.timedelta(days=ENDED_CATCH_UP_DAYS),
        ends_on__lte=today + datetime.timedelta(days=END_NOTICE_DAYS),
    ).values_list("pk", "ends_on")
    sent_before = set(
        ContractEndNotice.objects.filter(
            contract__in=contracts.values("pk")
        ).values_list("contract_id", "ends_on", "notice")
    )
    sent = 0
    for contract_id, ends_on in contracts:
        if (contract_id, ends_on, _notice_due(ends_on, today)) in sent_before:
            continue
        sent += contract_end_notice_send(contract_id=contract_id, today=today)
    return sent


def _notice_due(ends_on: datetime.date, today: datetime.date) -> str:
    """The notice a contract ending on `ends_on` is due on `today`: the one
    of the nearest step not yet passed (a contract made 5 days before its
    end gets the 7-day notice only)."""
    days = (ends_on - today).days
    if days < 0:
        return EndNotice.ENDED
    if days == 0:
        return EndNotice.LAST_DAY
    if days <= 7:
        return EndNotice.DAYS_7
    return EndNotice.DAYS_30


@transaction.atomic
def contract_end_notice_send(*, contract_id: int, today: datetime.date) -> int:
    """Send the contract's end notice due on `today` unless it was sent for
    this end date (1 if sent, else 0). The contract's row is locked, and the
    notice's unique key is written first, so that two sweeps cannot both
    send it."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=contract_id)
    )
    notice = _notice_due(contract.ends_on, today)
    try:
        with transaction.atomic():
            ContractEndNotice.objects.create(
                contract=contract, ends_on=contract.ends_on, notice=notice
            )
    except IntegrityError:
        return 0
    if notice == EndNotice.ENDED:
        _contract_ended(contract=contract)
    else:
        _end_announce(contract=contract, days=(contract.ends_on - today).days)
    return 1


def _end_announce(*, contract: Contract, days: int) -> None:
    """Email the managers and the administrators that the contract ends."""
    recipients = list(contract.managers.values_list("email", flat=True))
    if contract.organization is not None:
        recipients += Membership.objects.filter(
            organization=contract.organization, role=Role.ADMINISTRATOR
        ).values_list("user__email", flat=True)
    if days == 0:
        subject = _("Contract %(reference)s ends today") % {
            "reference": contract.reference
        }
    else:
        subject = ngettext(
            "Contract %(reference)s ends in %(days)s day",
            "Contract %(reference)s ends in %(days)s days",
            days,
        ) % {"reference": contract.reference, "days": days}
    email_after_commit(
        to=recipients,
        subject=subject,
        template_name="contracts/email/contract_ending.txt",
        context={"contract": contract, "days": days},
    )


def _contract_ended(*, contract: Contract) -> None:
    """One history event (its detail: the end date), and an email to each
    member whose effective plan is now lower than the one they held on the
    contract, naming their surveys that went inactive (over the new plan's
    response limit, under the old one's)."""
    seats = Seat.objects.filter(contract=contract).select_related("user", "plan")
    for seat in seats.order_by("pk"):
        plan = entitlements.effective_plan(seat.user)
        if plan.rank >= seat.plan.rank:
            continue
        surveys = impact.plan_loss(user=seat.user, before=seat.plan, after=plan)
        email_after_commit(
            to=[seat.user.email],
            subject=_("Contract %(reference)s has ended: your plan is now %(plan)s")
            % {"reference": contract.reference, "plan": plan.display_name},
            template_name="contracts/email/contract_ended.txt",
            context={
                "contract": contract,
                "member": seat.user,
                "lost": seat.plan,
                "plan": plan,
                "surveys": surveys,
            },
        )
    _event(
        EventKind.CONTRACT_ENDED,
        contract=contract,
        source=SeatSource.AUTOMATIC,
        detail=contract.ends_on.isoformat(),
    )
