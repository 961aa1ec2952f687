"""Groups mapped to a plan of the organization's contract (what Microsoft
Entra ID calls group-based licensing, without its "not enough licences"
error state): the group's members get the plan while seats last; the others
wait, in the order they joined the group, on the waitlist (a
`WaitlistEntry` naming the group), and the next seat of that plan freed goes
to the next of them. A seat that came through a group (`SeatSource.GROUP`)
is freed when its holder leaves the group, unless another mapped group of
theirs gives the same plan; a plan given by hand is never taken back or
lowered by a group.

Locks, always in this order: the group's row (every change to a group's
members or mapping), then every allotment row of the contract in the order
of their ids (`waitlist._lock_allotments`), then seats and waiting entries.
Joins to one group therefore take turns, so that the order they joined is
the order they are served in."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.exceptions import ContractError, SeatsExhausted
from contracts.models import (
    Allotment,
    Contract,
    EventKind,
    GroupPlan,
    Seat,
    SeatSource,
    WaitlistEntry,
    WaitlistStatus,
)
from contracts.services import waitlist
from contracts.services._common import _connected_contract, _event
from contracts.services.seats import seat_put, seat_release
from organizations.models import Group, GroupMember, Membership
from plans.models import Plan


def group_lock(group: Group) -> GroupPlan | None:
    """Lock the group's row, and the contract's allotments when the group is
    mapped to a plan; returns its mapping, if any."""
    Group.objects.select_for_update().only("pk").get(pk=group.pk)
    mapping = _mapping(group)
    if mapping is not None:
        waitlist._lock_allotments(mapping.contract)
    return mapping


@transaction.atomic
def group_plan_set(*, group: Group, plan: Plan, actor: User | None) -> GroupPlan:
    """Map a group to a plan of its organization's connected contract, or
    change its plan. Its members get the plan at once in the order they
    joined the group, while seats last; the others wait."""
    contract = _connected_contract(group.organization)
    Group.objects.select_for_update().only("pk").get(pk=group.pk)
    waitlist._lock_allotments(contract)
    if not Allotment.objects.filter(contract=contract, plan=plan).exists():
        raise ContractError(
            _("Contract %(reference)s has no %(plan)s plan.")
            % {"reference": contract.reference, "plan": plan.display_name}
        )
    # Any mapping, one left on a contract since disconnected included.
    mapping = GroupPlan.objects.filter(group=group).first()
    if (
        mapping is not None
        and mapping.plan_id == plan.pk
        and mapping.contract_id == contract.pk
    ):
        return mapping
    if mapping is None:
        mapping = GroupPlan.objects.create(
            contract=contract, group=group, plan=plan, created_by=actor
        )
    else:
        mapping.plan = plan
        mapping.contract = contract
        mapping.save(update_fields=["plan", "contract"])
        # Those waiting wait again, for the new plan, in the same order.
        _close_group_entries(group=group, actor=actor)
    _event(
        EventKind.GROUP_PLAN_SET,
        contract=contract,
        actor=actor,
        plan=plan,
        detail=group.name[:200],
    )
    members_settle(contract=contract, memberships=group_members(group), actor=actor)
    return mapping


@transaction.atomic
def group_plan_remove(*, group: Group, actor: User | None) -> bool:
    """Unmap a group: the seats its members held through it are freed
    (unless another mapped group of theirs gives the same plan) and those
    waiting through it stop waiting. Returns whether it was mapped."""
    mapping = group_lock(group)
    if mapping is None:
        return False
    contract = mapping.contract
    mapping.delete()
    _close_group_entries(group=group, actor=actor)
    _event(
        EventKind.GROUP_PLAN_REMOVED,
        contract=contract,
        actor=actor,
        plan=mapping.plan,
        detail=group.name[:200],
    )
    members_settle(contract=contract, memberships=group_members(group), actor=actor)
    return True


def group_members(group: Group) -> list[Membership]:
    """The group's members, in the order they joined it."""
    return list(
        Membership.objects.filter(group_members__group=group)
        .select_related("user", "organization")
        .order_by("group_members__joined_at", "group_members__pk")
    )


def members_settle(
    *, contract: Contract, memberships: list[Membership], actor: User | None
) -> None:
    """Bring each member's seat in line with the mapped groups they are in,
    in the order given (the order they joined). The caller holds the
    allotments' locks."""
    for membership in memberships:
        _settle(contract=contract, membership=membership, actor=actor)


def group_waitlist_fulfil(*, contract: Contract, plan: Plan | None = None) -> int:
    """Give the free seats of `plan` (None: of every mapped plan) to the
    members waiting through a group, in the order they joined it, one
    transaction per seat. Returns how many were given."""
    given = 0
    tried: set[int] = set()
    while True:
        with transaction.atomic():
            waitlist._lock_allotments(contract)
            contract = Contract.objects.select_related("organization").get(
                pk=contract.pk
            )
            entry = _next_group_entry(contract, plan=plan, tried=tried)
            if entry is None:
                return given
            tried.add(entry.pk)
            membership = Membership.objects.filter(
                organization_id=contract.organization_id, user_id=entry.user_id
            ).first()
            if membership is None:
                waitlist._close(entry, status=WaitlistStatus.LEFT, actor=None)
                continue
            before = Seat.objects.filter(contract=contract, user_id=entry.user_id)
            before = before.values_list("plan_id", flat=True).first()
            _settle(contract=contract, membership=membership, actor=None)
            after = Seat.objects.filter(contract=contract, user_id=entry.user_id)
            if after.values_list("plan_id", flat=True).first() != before:
                given += 1


def group_waitlist_sweep(*, now: datetime.datetime) -> int:
    """The periodic backstop: every contract in force with members waiting
    through a group gives them its free seats. Returns the seats given."""
    contracts = Contract.objects.active(on=timezone.localdate(now)).filter(
        waitlist__status=WaitlistStatus.WAITING, waitlist__group__isnull=False
    )
    return sum(
        group_waitlist_fulfil(contract=contract) for contract in contracts.distinct()
    )


def _mapping(group: Group) -> GroupPlan | None:
    """The group's mapping to a plan of its organization's connected
    contract; one left on a contract since disconnected gives nothing."""
    return (
        GroupPlan.objects.select_related("plan", "contract__organization")
        .filter(group=group, contract__organization_id=group.organization_id)
        .first()
    )


def _settle(*, contract: Contract, membership: Membership, actor: User | None) -> None:
    """One member: the best plan of their mapped groups if a seat of it is
    left, else the next best while they wait for the better one; a seat that
    came through a group no longer backing it freed; a plan held otherwise
    kept unless a group gives a better one."""
    user = membership.user
    if not membership.is_active:
        _close_entries(contract=contract, user=user, keep=(), actor=actor)
        return
    mappings = list(
        GroupPlan.objects.filter(
            contract=contract, group__group_members__membership=membership
        )
        .select_related("plan", "group")
        .order_by("-plan__rank", "pk")
    )
    seat = (
        Seat.objects.select_for_update(of=("self",))
        .select_related("plan", "contract__organization")
        .filter(contract=contract, user=user)
        .first()
    )
    mapped_plans = {mapping.plan_id for mapping in mappings}
    stale = None
    backed = seat is None or seat.source != SeatSource.GROUP
    if not backed and seat.plan_id not in mapped_plans:
        stale, seat = seat, None
    waiting_for: dict[int, str] = {}
    for mapping in mappings:
        if seat is not None and seat.plan.rank >= mapping.plan.rank:
            break
        if not contract.is_active():
            waiting_for[mapping.group_id] = mapping.group.name
            continue
        try:
            seat = seat_put(
                contract=contract,
                user=user,
                plan=mapping.plan,
                actor=actor,
                source=SeatSource.GROUP,
                detail=mapping.group.name[:200],
            )
        except SeatsExhausted:
            waiting_for[mapping.group_id] = mapping.group.name
            continue
        stale = None
    if stale is not None:
        seat_release(seat=stale, actor=actor, source=SeatSource.GROUP)
    _close_entries(contract=contract, user=user, keep=waiting_for, actor=actor)
    for group_id, name in waiting_for.items():
        _wait(contract=contract, user=user, group_id=group_id, name=name, actor=actor)


def _wait(*, contract: Contract, user: User, group_id: int, name: str, actor) -> None:
    if WaitlistEntry.objects.filter(
        contract=contract, user=user, group_id=group_id, status=WaitlistStatus.WAITING
    ).exists():
        return
    try:
        with transaction.atomic():
            WaitlistEntry.objects.create(
                contract=contract, user=user, group_id=group_id
            )
    except IntegrityError:  # pragma: no cover - the group's lock is held
        return
    _event(
        EventKind.GROUP_WAITING,
        contract=contract,
        actor=actor,
        member=user,
        detail=name[:200],
    )


def _close_entries(*, contract: Contract, user: User, keep, actor) -> None:
    """Close the member's waiting entries through groups other than `keep`
    (those they hold a good enough plan for, left or unmapped)."""
    WaitlistEntry.objects.filter(
        contract=contract,
        user=user,
        status=WaitlistStatus.WAITING,
        group__isnull=False,
    ).exclude(group_id__in=keep).update(
        status=WaitlistStatus.LEFT, closed_at=timezone.now(), closed_by=actor
    )


def _close_group_entries(*, group: Group, actor) -> None:
    WaitlistEntry.objects.filter(group=group, status=WaitlistStatus.WAITING).update(
        status=WaitlistStatus.LEFT, closed_at=timezone.now(), closed_by=actor
    )


def _free_plan_ids(contract: Contract) -> set[int]:
    return set(
        Allotment.objects.filter(
            contract=contract, seats__gt=F("seats_used")
        ).values_list("plan_id", flat=True)
    )


def _next_group_entry(
    contract: Contract, *, plan: Plan | None, tried: set[int]
) -> WaitlistEntry | None:
    """The waiting entry, through a group mapped to a plan with a seat free
    (`plan` only, if given), of the member who joined their group first;
    locked, skipping one another transaction is closing."""
    free = _free_plan_ids(contract)
    if plan is not None:
        free &= {plan.pk}
    if not free:
        return None
    joined = GroupMember.objects.filter(
        group_id=OuterRef("group_id"),
        membership__user_id=OuterRef("user_id"),
        membership__organization_id=contract.organization_id,
    )
    return (
        WaitlistEntry.objects.filter(
            Q(group__plan_mapping__plan_id__in=free),
            contract=contract,
            status=WaitlistStatus.WAITING,
        )
        .exclude(pk__in=tried)
        .annotate(
            joined_at=Subquery(joined.values("joined_at")[:1]),
            joined_id=Subquery(joined.values("pk")[:1]),
        )
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("joined_at", "joined_id", "pk")
        .first()
    )
