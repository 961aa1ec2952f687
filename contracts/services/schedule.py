"""Scheduled plan changes (issue 11, point 10): an administrator schedules
a member's plan (Free included) for a day; on that day the sweep carries it
out through `member_plan_set`, the dropdown's service, with its rules. One
that can no longer apply (no seat left, the member gone, no contract) is
marked failed, written to the history and emailed to the administrators."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import email_after_commit
from contracts.exceptions import ContractError, NotAMember
from contracts.models import (
    Allotment,
    Contract,
    EventKind,
    ScheduledChange,
    ScheduledChangeState,
    SeatSource,
)
from contracts.services._common import _connected_contract, _event
from contracts.services.seats import member_plan_set
from organizations.models import Membership, Organization, Role
from plans.models import Plan


@transaction.atomic
def plan_change_schedule(
    *,
    organization: Organization,
    user: User,
    plan: Plan,
    on: datetime.date,
    actor: User,
) -> ScheduledChange:
    """Schedule a member's plan change for `on` (today at the earliest).
    A member has at most one change pending: cancel it to schedule another."""
    contract = _connected_contract(organization)
    if not Membership.objects.filter(
        organization=organization, user=user, is_active=True
    ).exists():
        raise NotAMember(_("This person is not a member of the organization."))
    if on < timezone.localdate():
        raise ContractError(_("Pick today or a later day."))
    if on > contract.ends_on and not plan.is_free:
        raise ContractError(
            _("Contract %(reference)s ends on %(date)s, before that day.")
            % {"reference": contract.reference, "date": contract.ends_on.isoformat()}
        )
    if not plan.is_free and not (
        Allotment.objects.filter(contract=contract, plan=plan).exists()
    ):
        raise ContractError(
            _("Contract %(reference)s has no %(plan)s plan.")
            % {"reference": contract.reference, "plan": plan.display_name}
        )
    pending = ScheduledChange.objects.select_for_update().filter(
        organization=organization, user=user, state=ScheduledChangeState.PENDING
    )
    if pending.exists():
        raise ContractError(
            _("A plan change is already scheduled for this member: cancel it first.")
        )
    change = ScheduledChange.objects.create(
        organization=organization, user=user, plan=plan, on=on, created_by=actor
    )
    _event(
        EventKind.CHANGE_SCHEDULED,
        contract=contract,
        actor=actor,
        member=user,
        plan=plan,
        source=SeatSource.MANUAL,
        detail=on.isoformat(),
    )
    return change


@transaction.atomic
def plan_change_cancel(*, change: ScheduledChange, actor: User) -> bool:
    """Cancel a pending change; one already carried out, failed or
    cancelled stays as it is (returns False)."""
    locked = _locked(change)
    if locked is None or locked.state != ScheduledChangeState.PENDING:
        return False
    _settle(locked, ScheduledChangeState.CANCELLED)
    _event(
        EventKind.CHANGE_CANCELLED,
        contract=Contract.objects.filter(organization=locked.organization).first(),
        organization=locked.organization,
        actor=actor,
        member=locked.user,
        plan=locked.plan,
        source=SeatSource.MANUAL,
        detail=locked.on.isoformat(),
    )
    return True


@transaction.atomic
def plan_change_apply(*, change: ScheduledChange, today: datetime.date) -> bool:
    """Carry out a change due on or before `today` with the dropdown's
    service, on behalf of the administrator who scheduled it. Returns
    whether it was due; a refusal marks it failed and is reported."""
    locked = _locked(change)
    if locked is None or locked.state != ScheduledChangeState.PENDING:
        return False
    if locked.on > today:
        return False
    try:
        with transaction.atomic():
            member_plan_set(
                organization=locked.organization,
                user=locked.user,
                plan=locked.plan,
                actor=locked.created_by,
            )
    except ContractError as error:
        _fail(locked, reason=str(error))
        return True
    _settle(locked, ScheduledChangeState.DONE)
    _event(
        EventKind.CHANGE_DONE,
        contract=Contract.objects.filter(organization=locked.organization).first(),
        organization=locked.organization,
        actor=locked.created_by,
        member=locked.user,
        plan=locked.plan,
        source=SeatSource.MANUAL,
        detail=locked.on.isoformat(),
    )
    return True


def _fail(change: ScheduledChange, *, reason: str) -> None:
    change.reason = reason[:300]
    _settle(change, ScheduledChangeState.FAILED)
    _event(
        EventKind.CHANGE_FAILED,
        contract=Contract.objects.filter(organization=change.organization).first(),
        organization=change.organization,
        actor=change.created_by,
        member=change.user,
        plan=change.plan,
        source=SeatSource.MANUAL,
        detail=change.reason[:200],
    )
    administrators = Membership.objects.filter(
        organization=change.organization, role=Role.ADMINISTRATOR
    ).values_list("user__email", flat=True)
    email_after_commit(
        to=list(administrators),
        subject=_("A scheduled plan change for %(name)s failed")
        % {"name": change.user.display_name},
        template_name="contracts/email/change_failed.txt",
        context={"change": change},
    )


def _settle(change: ScheduledChange, state: str) -> None:
    change.state = state
    change.settled_at = timezone.now()
    change.save(update_fields=["state", "reason", "settled_at"])


def _locked(change: ScheduledChange) -> ScheduledChange | None:
    return (
        ScheduledChange.objects.select_for_update(of=("self",))
        .select_related("organization", "user", "plan", "created_by")
        .filter(pk=change.pk)
        .first()
    )
