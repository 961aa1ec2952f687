"""Seats: a member's plan given, changed or taken back, members leaving,
plan requests. The contract's allotments are `allotments`'."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import email_after_commit
from contracts import entitlements, impact
from contracts.exceptions import (
    ContractError,
    ContractUnavailable,
    NotAMember,
)
from contracts.models import (
    Allotment,
    AutoAssignExclusion,
    Contract,
    EventKind,
    PlanRequest,
    Seat,
    SeatSource,
)
from contracts.services import waitlist
from contracts.services._common import _connected_contract, _email_member_plan, _event
from contracts.services.alerts import (
    allotment_alert_check_after_commit,
    allotment_alert_check_locked,
)
from contracts.services.seat_counter import seats_used_add, seats_used_move
from contracts.services.seat_rows import seat_insert, seat_put_refusal
from organizations import services as organization_services
from organizations.models import Membership, Organization, Role
from plans.models import Feature, Plan


@transaction.atomic
def member_plan_set(
    *,
    organization: Organization,
    user: User,
    plan: Plan,
    actor: User,
    contract: Contract | None = None,
) -> Seat | None:
    """Give a member a plan of the organization's contract, or take theirs
    back with Free (flows 3 and 5). Returns the seat, or None for Free.

    A plan taken back sticks: the member is excluded from automatic
    assignment on the contract, in this transaction, until an administrator
    gives them a plan (here) or includes them again
    (`member_auto_assign_include`). `contract`: the organization's, when the
    caller has just read it (the page's dropdown)."""
    if contract is None or contract.organization_id != organization.pk:
        contract = _connected_contract(organization)
    contract.organization = organization
    if not Membership.objects.filter(
        organization=organization, user=user, is_active=True
    ).exists():
        raise NotAMember(_("This person is not a member of the organization."))
    if not plan.is_free and not contract.is_active():
        raise ContractUnavailable(
            _("Contract %(reference)s is not in force: it grants no plan.")
            % {"reference": contract.reference},
            contract=contract,
        )
    if plan.is_free:
        seat = Seat.objects.filter(contract=contract, user=user).first()
        if seat is not None:
            seat_release(seat=seat, actor=actor, source=SeatSource.MANUAL)
            AutoAssignExclusion.objects.update_or_create(
                contract=contract,
                user=user,
                defaults={"created_by": actor, "created_at": timezone.now()},
            )
        return None
    seat = seat_put_in_transaction(
        contract=contract, user=user, plan=plan, actor=actor, source=SeatSource.MANUAL
    )
    AutoAssignExclusion.objects.filter(contract=contract, user=user).delete()
    return seat


@transaction.atomic
def member_auto_assign_include(
    *, organization: Organization, user: User, actor: User
) -> None:
    """Include again in automatic assignment a member whose plan was taken
    back by hand. Nothing happens (and nothing is written to the history)
    when they were not excluded."""
    contract = _connected_contract(organization)
    if not Membership.objects.filter(
        organization=organization, user=user, is_active=True
    ).exists():
        raise NotAMember(_("This person is not a member of the organization."))
    deleted, _rows = AutoAssignExclusion.objects.filter(
        contract=contract, user=user
    ).delete()
    if not deleted:
        return
    _event(EventKind.AUTO_ASSIGN_INCLUDED, contract=contract, actor=actor, member=user)
    # A survey kept inactive for want of a plan may get one at the next visit.
    transaction.on_commit(entitlements.feature_asks_reset)


def member_plan_set_many(
    *, organization: Organization, users: Iterable[User], plan: Plan, actor: User
) -> list[tuple[User, ContractError | None]]:
    """Give several members a plan, or take theirs back with Free, each in a
    transaction of its own: those who can get it keep it when others cannot
    (the last seats ran out, one left meanwhile). Returns each member with
    the refusal, or None."""
    results = []
    for user in users:
        try:
            member_plan_set(
                organization=organization, user=user, plan=plan, actor=actor
            )
        except ContractError as error:
            results.append((user, error))
        else:
            results.append((user, None))
    return results


def seat_put_check(*, contract: Contract, user: User, plan: Plan) -> None:
    """Raise the error `seat_put` would raise now, without changing anything,
    so that a form (the admin's) can show it next to the fields. `seat_put`
    checks again under its locks."""
    seat_put_refusal(contract=contract, user=user, plan=plan, lock=False)


@transaction.atomic
def seat_put(
    *,
    contract: Contract,
    user: User,
    plan: Plan,
    actor: User | None,
    source: str,
    feature: str = "",
    detail: str = "",
) -> Seat:
    """Give a person a seat of a plan on a contract, or move their seat to
    that plan. The plan's allotment row is locked while its counter of seats
    in use is read and changed, so that concurrent requests never exceed
    it. `detail`: said in the history (the group a seat came through)."""
    return seat_put_in_transaction(
        contract=contract,
        user=user,
        plan=plan,
        actor=actor,
        source=source,
        feature=feature,
        detail=detail,
    )


def seat_put_in_transaction(
    *,
    contract: Contract,
    user: User,
    plan: Plan,
    actor: User | None,
    source: str,
    feature: str = "",
    detail: str = "",
) -> Seat:
    """`seat_put` for a caller already in a transaction, without a savepoint
    of its own: its refusals are raised before anything is written, so a
    caller may catch them and go on (automatic assignment tries the next
    plan)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("seat_put_in_transaction needs a transaction.")
    seat, allotments = seat_put_refusal(
        contract=contract, user=user, plan=plan, lock=True
    )
    if seat is not None and seat.plan_id == plan.pk:
        return seat
    fields = {
        "plan": plan,
        "source": source,
        "feature": feature,
        "assigned_by": actor,
        "assigned_at": timezone.now(),
    }
    deactivated = []
    allotment = allotments[plan.pk]
    allotment.contract, allotment.plan = contract, plan
    if seat is None:
        kind = EventKind.SEAT_ASSIGNED
        seat = seat_insert(Seat(contract=contract, user=user, **fields))
        seats_used_add(contract_id=contract.pk, plan_id=plan.pk, delta=1)
    else:
        kind = EventKind.SEAT_CHANGED
        left = allotments[seat.plan_id]
        left.contract, left.plan = contract, seat.plan
        seats_used_move(
            contract_id=contract.pk, from_plan_id=left.plan_id, to_plan_id=plan.pk
        )
        left.seats_used -= 1
        waitlist.waitlist_seat_freed(contract=contract, plan=seat.plan)
        # Locked as well: the low-seat alert of the plan left re-armed now.
        allotment_alert_check_locked(left)
        # Going up never makes a survey inactive: the plans' ranks follow
        # what they allow.
        going_up = plan.rank >= seat.plan.rank
        before = None if going_up else impact.plan_now(user)
        for name, value in fields.items():
            setattr(seat, name, value)
        seat.save(update_fields=list(fields))
        if not going_up:
            deactivated = impact.plan_loss(
                user=user, before=before, after=impact.plan_now(user)
            )
    allotment.seats_used += 1
    allotment_alert_check_locked(allotment)
    # Requests for what the new plan includes are answered.
    PlanRequest.objects.filter(
        contract=contract,
        user=user,
        feature__in=plan.features.values("feature"),
    ).delete()
    waitlist.waitlist_seat_given(contract=contract, user=user, plan=plan, actor=actor)
    _event(
        kind,
        contract=contract,
        actor=actor,
        member=user,
        plan=plan,
        source=source,
        feature=feature,
        detail=detail,
    )
    _email_member_plan(user=user, plan=plan, contract=contract, deactivated=deactivated)
    return seat


@transaction.atomic
def seat_release(
    *, seat: Seat, actor: User | None, source: str, notify: bool = True
) -> None:
    """Free a seat at once. Nothing the member made is deleted. `notify`:
    email the member that their plan was taken back, naming the surveys
    that went inactive (a caller with more to say, a reclaim, sends its own
    email)."""
    deactivated = impact.seat_release_preview(seat=seat) if notify else []
    # The allotment first, as where seats are given (`seat_rows.seat_put_refusal`);
    # a seat moved meanwhile to another plan is freed from that one.
    plan_id = seat.plan_id
    while True:
        Allotment.objects.select_for_update(of=("self",)).filter(
            contract_id=seat.contract_id, plan_id=plan_id
        ).first()
        deleted, _rows = Seat.objects.filter(pk=seat.pk, plan_id=plan_id).delete()
        if deleted:
            break
        plan_id = Seat.objects.filter(pk=seat.pk).values_list("plan_id", flat=True)
        plan_id = plan_id.first()
        if plan_id is None:
            return
        seat = Seat.objects.select_related("contract", "user", "plan").filter(
            pk=seat.pk
        )
        seat = seat.first()
        if seat is None:
            return
    seats_used_add(contract_id=seat.contract_id, plan_id=plan_id, delta=-1)
    contract = seat.contract
    _event(
        EventKind.SEAT_RELEASED,
        contract=contract,
        actor=actor,
        member=seat.user,
        plan=seat.plan,
        source=source,
    )
    if notify:
        _email_member_plan(
            user=seat.user, plan=None, contract=contract, deactivated=deactivated
        )
    transaction.on_commit(entitlements.feature_asks_reset)
    waitlist.waitlist_seat_freed(contract=contract, plan=seat.plan)
    allotment_alert_check_after_commit(contract_id=contract.pk, plan_id=seat.plan_id)


@transaction.atomic
def member_remove(
    *, membership: Membership, actor: User, source: str = SeatSource.MANUAL
) -> None:
    """Take a member out of an organization; the seat they held on its
    contract is freed with them (`source`: the Members page's "by hand", or
    the admin's "by support")."""
    organization = membership.organization
    contract = Contract.objects.filter(organization=organization).first()
    organization_services.membership_remove(membership=membership, actor=actor)
    if contract is not None:
        # Whoever joins again starts afresh.
        AutoAssignExclusion.objects.filter(
            contract=contract, user_id=membership.user_id
        ).delete()
        waitlist.waitlist_member_left(
            contract=contract, user=membership.user, actor=actor
        )
        seat = Seat.objects.filter(
            contract=contract, user_id=membership.user_id
        ).first()
        if seat is not None:
            seat_release(seat=seat, actor=actor, source=source)


@transaction.atomic
def plan_request_record(*, contract: Contract, user: User, feature: Feature) -> None:
    """Note that a member used a feature when no seat was left for it; the
    administrators hear of the first such request."""
    request, created = PlanRequest.objects.update_or_create(
        contract=contract,
        user=user,
        feature=feature,
        defaults={"requested_at": timezone.now()},
    )
    if not created:
        return
    _event(
        EventKind.PLAN_REQUESTED,
        contract=contract,
        member=user,
        feature=feature,
    )
    administrators = Membership.objects.filter(
        organization=contract.organization, role=Role.ADMINISTRATOR
    ).select_related("user")
    email_after_commit(
        to=[membership.user.email for membership in administrators],
        subject=_("No plan left for “%(feature)s” on contract %(reference)s")
        % {"feature": request.get_feature_display(), "reference": contract.reference},
        template_name="contracts/email/seats_exhausted.txt",
        context={"contract": contract, "member": user, "request": request},
    )
