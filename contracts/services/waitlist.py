"""The waitlist: members who used a paid feature when no seat of a plan
that includes it was left. When a seat frees (a plan taken back, a member
leaving, seats added, a reclaim) the seat-freeing services call
`waitlist_seat_freed`, which queues `contracts.tasks.waitlist_seat_freed_task`
once the change has committed: with automatic assignment on, the oldest
fitting waiting members get the free seats (`waitlist_fulfil`); with it off,
the administrators hear that a seat is free and someone is waiting.
`waitlist_sweep` does the same every minute, should a task be lost."""

import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import email_after_commit
from contracts import entitlements, tasks
from contracts.exceptions import ContractError, NotAMember, SeatsExhausted
from contracts.models import (
    Allotment,
    AutoAssignExclusion,
    Contract,
    EventKind,
    SeatRequest,
    SeatRequestStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from contracts.services import seats
from contracts.services._common import _connected_contract, _event
from organizations.models import Membership, Organization, Role
from plans.models import Feature, Plan, PlanFeature


@transaction.atomic
def waitlist_join(
    *, organization: Organization, user: User, feature: Feature
) -> WaitlistEntry:
    """Put a member on the waitlist of the organization's contract for a
    feature their plan lacks. Joining twice changes nothing: the entry
    already waiting is returned. A seat free at this very moment goes to
    the queue once this commits, like any freed seat."""
    feature = Feature(feature)
    contract = _connected_contract(organization)
    if not Membership.objects.filter(
        organization=organization, user=user, is_active=True
    ).exists():
        raise NotAMember(_("This person is not a member of the organization."))
    waiting = WaitlistEntry.objects.filter(
        contract=contract, user=user, status=WaitlistStatus.WAITING, group=None
    ).first()
    if waiting is not None:
        return waiting
    if not contract.is_active():
        raise ContractError(
            _("Contract %(reference)s is not in force: it grants no plan.")
            % {"reference": contract.reference},
            contract=contract,
        )
    if not _fitting_plans(contract, user, feature).exists():
        raise ContractError(
            _("No plan of contract %(reference)s adds “%(feature)s” to yours.")
            % {"reference": contract.reference, "feature": feature.label},
            contract=contract,
        )
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                contract=contract, user=user, feature=feature
            )
    except IntegrityError:
        # Joined at the same moment from another tab: that entry stands.
        return WaitlistEntry.objects.get(
            contract=contract, user=user, status=WaitlistStatus.WAITING, group=None
        )
    _event(EventKind.WAITLIST_JOINED, contract=contract, member=user, feature=feature)
    waitlist_seat_freed(contract=contract, plan=None)
    return entry


@transaction.atomic
def waitlist_leave(*, organization: Organization, user: User) -> None:
    """Take the member off the waitlist of the organization's contract.
    Nothing happens when they were not waiting."""
    contract = _connected_contract(organization)
    entry = _waiting(contract=contract, user=user)
    if entry is None:
        return
    _close(entry, status=WaitlistStatus.LEFT, actor=user)
    _event(
        EventKind.WAITLIST_LEFT,
        contract=contract,
        actor=user,
        member=user,
        feature=entry.feature,
    )


@transaction.atomic
def waitlist_entry_give(*, entry: WaitlistEntry, actor: User) -> Plan:
    """An administrator's "Give a plan": the cheapest plan of the contract
    that includes the feature the member waits for, while a seat of it is
    free. Given by hand: it also includes the member again in automatic
    assignment, like any plan given by hand."""
    _lock_allotments(entry.contract)
    entry = _lock_waiting(entry)
    for allotment in _fitting_plans(entry.contract, entry.user, entry.feature):
        try:
            seats.member_plan_set(
                organization=entry.contract.organization,
                user=entry.user,
                plan=allotment.plan,
                actor=actor,
            )
        except SeatsExhausted:
            continue
        return allotment.plan
    raise SeatsExhausted(
        _("No plan that includes “%(feature)s” is left: free a seat first.")
        % {"feature": entry.get_feature_display()}
    )


@transaction.atomic
def waitlist_entry_decline(*, entry: WaitlistEntry, actor: User) -> None:
    """An administrator's "Decline": the member leaves the waitlist and is
    emailed."""
    entry = _lock_waiting(entry)
    _close(entry, status=WaitlistStatus.DECLINED, actor=actor)
    _event(
        EventKind.WAITLIST_DECLINED,
        contract=entry.contract,
        actor=actor,
        member=entry.user,
        feature=entry.feature,
    )
    email_after_commit(
        to=[entry.user.email],
        subject=_("Your place on the waitlist was declined"),
        template_name="contracts/email/waitlist_declined.txt",
        context={"entry": entry, "contract": entry.contract, "actor": actor},
    )


def waitlist_seat_freed(*, contract: Contract, plan: Plan | None) -> None:
    """The hook of every service that frees a seat of `plan` (None: any
    plan may have one free) on the contract: once the change commits, a
    task gives the seat to the waiting members, or tells the
    administrators. Nothing is queued when nobody waits."""
    if not WaitlistEntry.objects.filter(
        contract=contract, status=WaitlistStatus.WAITING
    ).exists():
        return
    transaction.on_commit(
        partial(
            tasks.waitlist_seat_freed_task.enqueue,
            contract_id=contract.pk,
            plan_id=plan.pk if plan is not None else None,
        )
    )


def waitlist_seat_given(
    *, contract: Contract, user: User, plan: Plan, actor: User | None
) -> None:
    """The hook of `seat_put`: the member's entries for what the plan
    includes are answered, and so is their pending request."""
    now = timezone.now()
    WaitlistEntry.objects.filter(
        contract=contract,
        user=user,
        status=WaitlistStatus.WAITING,
        feature__in=plan.features.values("feature"),
    ).update(status=WaitlistStatus.GIVEN, closed_at=now, closed_by=actor, plan=plan)
    SeatRequest.objects.filter(
        contract=contract, user=user, status=SeatRequestStatus.PENDING
    ).update(
        status=SeatRequestStatus.GRANTED, answered_at=now, answered_by=actor, plan=plan
    )


def waitlist_member_left(*, contract: Contract, user: User, actor: User) -> None:
    """The hook of `member_remove`: whoever leaves the organization leaves
    its waitlist and has their pending request closed."""
    now = timezone.now()
    WaitlistEntry.objects.filter(
        contract=contract, user=user, status=WaitlistStatus.WAITING
    ).update(status=WaitlistStatus.LEFT, closed_at=now, closed_by=actor)
    SeatRequest.objects.filter(
        contract=contract, user=user, status=SeatRequestStatus.PENDING
    ).update(status=SeatRequestStatus.DECLINED, answered_at=now, answered_by=actor)


def waitlist_fulfil(*, contract: Contract) -> int:
    """Give the contract's free seats to its waiting members, oldest first,
    each the cheapest free plan that includes their feature, one
    transaction per seat; returns how many were given.

    Each transaction locks the contract's allotment rows first (in the
    order of their ids, like every path that locks more than one), then
    the entry it serves: concurrent calls take turns, so that the oldest
    members are served first, no member gets two seats and no plan more
    seats than its allotment (`seat_put` counts under the same lock)."""
    given = 0
    tried: set[int] = set()
    while True:
        entry = None
        try:
            with transaction.atomic():
                _lock_allotments(contract)
                if (
                    not Contract.objects.active()
                    .filter(pk=contract.pk, auto_assign=True)
                    .exists()
                ):
                    return given
                entry = _next_entry(contract, tried=tried)
                if entry is None:
                    return given
                assigned = entitlements.auto_assign(
                    contract=contract, user=entry.user, feature=Feature(entry.feature)
                )
        except ContractError:
            # Excluded or changed at the same moment: rolled back whole.
            assigned = None
        if assigned is None:
            tried.add(entry.pk)
        else:
            given += 1


def waitlist_seat_free_notify(*, contract: Contract, plan: Plan | None) -> int:
    """With automatic assignment off, email the administrators that a seat
    (of `plan`, or of any plan) is free and members wait for it: once per
    freed seat, and only when a waiting member's feature fits a free plan.
    Returns the number of members waiting for it."""
    contract = Contract.objects.select_related("organization").get(pk=contract.pk)
    if contract.organization is None or contract.auto_assign:
        return 0
    plan_ids = _free_plan_ids(contract)
    if plan is not None:
        plan_ids = [pk for pk in plan_ids if pk == plan.pk]
    waiting = _waiting_members(contract).filter(
        feature__in=PlanFeature.objects.filter(plan_id__in=plan_ids).values("feature")
    )
    count = waiting.count()
    if count:
        email_after_commit(
            to=_administrator_emails(contract.organization),
            subject=_("A seat is free on contract %(reference)s and members wait")
            % {"reference": contract.reference},
            template_name="contracts/email/waitlist_seat_free.txt",
            context={"contract": contract, "plan": plan, "count": count},
        )
    return count


def waitlist_sweep(*, now: datetime.datetime) -> int:
    """The periodic backstop: every contract in force with automatic
    assignment on and members waiting gives its free seats. Idempotent;
    returns the number of seats given."""
    contracts = Contract.objects.active(on=timezone.localdate(now)).filter(
        auto_assign=True,
        waitlist__status=WaitlistStatus.WAITING,
    )
    return sum(waitlist_fulfil(contract=contract) for contract in contracts.distinct())


def _administrator_emails(organization: Organization) -> list[str]:
    return list(
        Membership.objects.filter(
            organization=organization, role=Role.ADMINISTRATOR
        ).values_list("user__email", flat=True)
    )


def _waiting(*, contract: Contract, user: User) -> WaitlistEntry | None:
    """The member's waiting entry, locked: one being given a seat at this
    moment is answered once that commits, and is then no longer waiting."""
    return (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .filter(contract=contract, user=user, status=WaitlistStatus.WAITING, group=None)
        .first()
    )


def _lock_allotments(contract: Contract) -> None:
    """Lock every allotment row of the contract, in the order of their ids:
    taken before any waiting entry's row, as `seat_put` takes its
    allotment's before the entries it answers, so that no two paths wait
    for each other."""
    list(
        Allotment.objects.select_for_update(of=("self",))
        .filter(contract=contract)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _lock_waiting(entry: WaitlistEntry) -> WaitlistEntry:
    locked = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("contract__organization", "user")
        .filter(pk=entry.pk, status=WaitlistStatus.WAITING)
        .first()
    )
    if locked is None:
        raise ContractError(_("This member is no longer waiting."))
    return locked


def _close(entry: WaitlistEntry, *, status: str, actor: User | None) -> None:
    entry.status = status
    entry.closed_at = timezone.now()
    entry.closed_by = actor
    entry.save(update_fields=["status", "closed_at", "closed_by"])


def _fitting_plans(contract: Contract, user: User, feature: str) -> QuerySet:
    """The contract's allotments whose plan includes the feature and ranks
    above the seat the member holds there, cheapest first."""
    return entitlements.assignable(
        contract=contract, user=user, feature=Feature(feature)
    )


def _free_plan_ids(contract: Contract) -> list[int]:
    """The ids of the contract's plans with a seat free (read as the
    caller's locks allow: exact under the allotments' locks)."""
    return list(
        Allotment.objects.filter(
            contract=contract, seats__gt=F("seats_used")
        ).values_list("plan_id", flat=True)
    )


def _waiting_members(contract: Contract) -> QuerySet[WaitlistEntry]:
    """The contract's waiting entries of members still in its organization
    and not excluded from automatic assignment, oldest first."""
    return WaitlistEntry.objects.filter(
        contract=contract,
        status=WaitlistStatus.WAITING,
        user__memberships__organization_id=contract.organization_id,
    ).exclude(
        Exists(
            AutoAssignExclusion.objects.filter(
                contract=contract, user_id=OuterRef("user_id")
            )
        )
    )


def _next_entry(contract: Contract, *, tried: set[int]) -> WaitlistEntry | None:
    """The oldest waiting entry whose feature a free plan includes, locked;
    an entry another transaction holds is being closed (left, declined):
    skipped."""
    features = PlanFeature.objects.filter(plan_id__in=_free_plan_ids(contract)).values(
        "feature"
    )
    return (
        _waiting_members(contract)
        .filter(feature__in=features)
        .exclude(pk__in=tried)
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
