"""Every change to contracts, keys, seats and their history happens here,
inside a transaction, so that the views, the admin and the entitlements
share one set of rules."""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.notifications import email_after_commit
from contracts import keys
from contracts.exceptions import (
    AllotmentTooSmall,
    ContractError,
    ContractUnavailable,
    KeyRejected,
    KeyThrottled,
    NotAMember,
    NotConnected,
    OrganizationAlreadyConnected,
    SeatsExhausted,
)
from contracts.models import (
    Allotment,
    ConnectionKey,
    Contract,
    Event,
    EventKind,
    PlanRequest,
    Seat,
    SeatSource,
)
from organizations import services as organization_services
from organizations.models import Membership, Organization, Role
from plans.models import Feature, Plan

KEY_LIFETIME = timedelta(days=7)
KEY_ATTEMPT_LIMIT = 5
KEY_ATTEMPT_WINDOW = timedelta(minutes=15)


# Connecting and disconnecting


@transaction.atomic
def contract_connect(
    *, organization: Organization, contract: Contract, actor: User
) -> Contract:
    """Connect a contract the actor manages to an organization they administer
    (flow 1). The views check both roles; the rules of the contract are here."""
    return _connect(organization=organization, contract=contract, actor=actor)


def contract_connect_with_key(
    *, organization: Organization, key: str, actor: User
) -> Contract:
    """Connect the contract a connection key belongs to (flow 2).

    Every attempt is recorded; a refused one in a transaction of its own, so
    that it stays recorded (and counted by the limit) when the attempt's own
    changes roll back.
    """
    try:
        with transaction.atomic():
            return _connect_with_key(organization=organization, key=key, actor=actor)
    except ContractError as error:
        with transaction.atomic():
            Event.objects.create(
                kind=EventKind.KEY_REJECTED,
                contract=getattr(error, "contract", None),
                organization=organization,
                actor=actor,
                detail=str(error)[:200],
            )
        raise


@transaction.atomic
def contract_disconnect(*, organization: Organization, actor: User) -> Contract:
    """End the organization's control of its contract. Members keep the seats
    they hold; automatic assignment stops."""
    _lock(organization)
    contract = _connected_contract(organization, lock=True)
    contract.organization = None
    contract.connected_at = None
    contract.auto_assign = False
    contract.save(update_fields=["organization", "connected_at", "auto_assign"])
    Event.objects.create(
        kind=EventKind.DISCONNECTED,
        contract=contract,
        organization=organization,
        actor=actor,
    )
    _email_managers(
        contract,
        subject=_("Contract %(reference)s was disconnected")
        % {"reference": contract.reference},
        template_name="contracts/email/disconnected.txt",
        context={"contract": contract, "organization": organization, "actor": actor},
    )
    return contract


@transaction.atomic
def contract_set_auto_assign(
    *, organization: Organization, enabled: bool, actor: User
) -> Contract:
    contract = _connected_contract(organization, lock=True)
    if contract.auto_assign != enabled:
        contract.auto_assign = enabled
        contract.save(update_fields=["auto_assign"])
        Event.objects.create(
            kind=EventKind.AUTO_ASSIGN_ON if enabled else EventKind.AUTO_ASSIGN_OFF,
            contract=contract,
            organization=organization,
            actor=actor,
        )
    return contract


# Connection keys


@transaction.atomic
def connection_key_generate(
    *, contract: Contract, actor: User
) -> tuple[ConnectionKey, str]:
    """A new key for the contract, returned in full this once; any earlier
    key stops working. An ended contract cannot be connected, so it gets no
    key."""
    if contract.has_ended():
        raise ContractUnavailable(
            _(
                "Contract %(reference)s ended on %(date)s: a connection key "
                "could not connect it."
            )
            % {"reference": contract.reference, "date": date_format(contract.ends_on)},
            contract=contract,
        )
    now = timezone.now()
    ConnectionKey.objects.filter(
        contract=contract, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    plain = keys.key_generate()
    normalized = keys.key_normalize(plain)
    key = ConnectionKey.objects.create(
        contract=contract,
        digest=keys.key_digest(normalized),
        hint=keys.key_hint(normalized),
        created_by=actor,
        created_at=now,
        expires_at=now + KEY_LIFETIME,
    )
    Event.objects.create(
        kind=EventKind.KEY_GENERATED,
        contract=contract,
        organization=contract.organization,
        actor=actor,
        detail=f"…{key.hint}",
    )
    return key, plain


# Seats


@transaction.atomic
def member_plan_set(
    *, organization: Organization, user: User, plan: Plan, actor: User
) -> Seat | None:
    """Give a member a plan of the organization's contract, or take theirs
    back with Free (flows 3 and 5). Returns the seat, or None for Free."""
    contract = _connected_contract(organization)
    if not Membership.objects.filter(organization=organization, user=user).exists():
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
        return None
    return seat_put(
        contract=contract, user=user, plan=plan, actor=actor, source=SeatSource.MANUAL
    )


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
    _seat_put_refusal(contract=contract, user=user, plan=plan, lock=False)


@transaction.atomic
def seat_put(
    *,
    contract: Contract,
    user: User,
    plan: Plan,
    actor: User | None,
    source: str,
    feature: str = "",
) -> Seat:
    """Give a person a seat of a plan on a contract, or move their seat to
    that plan. The plan's allotment row is locked while its seats are
    counted, so that concurrent requests never exceed it."""
    seat = _seat_put_refusal(contract=contract, user=user, plan=plan, lock=True)
    if seat is not None and seat.plan_id == plan.pk:
        return seat
    fields = {
        "plan": plan,
        "source": source,
        "feature": feature,
        "assigned_by": actor,
        "assigned_at": timezone.now(),
    }
    if seat is None:
        kind = EventKind.SEAT_ASSIGNED
        try:
            with transaction.atomic():
                seat = Seat.objects.create(contract=contract, user=user, **fields)
        except IntegrityError:
            raise ContractError(
                _("This person’s plan was changed at the same moment: try again.")
            ) from None
    else:
        kind = EventKind.SEAT_CHANGED
        for name, value in fields.items():
            setattr(seat, name, value)
        seat.save(update_fields=list(fields))
    # Requests for what the new plan includes are answered.
    PlanRequest.objects.filter(
        contract=contract,
        user=user,
        feature__in=plan.features.values("feature"),
    ).delete()
    Event.objects.create(
        kind=kind,
        contract=contract,
        organization=contract.organization,
        actor=actor,
        member=user,
        plan=plan,
        source=source,
        feature=feature,
    )
    _email_member_plan(user=user, plan=plan, contract=contract)
    return seat


@transaction.atomic
def seat_release(*, seat: Seat, actor: User | None, source: str) -> None:
    """Free a seat at once. Nothing the member made is deleted."""
    deleted, _rows = Seat.objects.filter(pk=seat.pk).delete()
    if not deleted:
        return
    contract = seat.contract
    Event.objects.create(
        kind=EventKind.SEAT_RELEASED,
        contract=contract,
        organization=contract.organization,
        actor=actor,
        member=seat.user,
        plan=seat.plan,
        source=source,
    )
    _email_member_plan(user=seat.user, plan=None, contract=contract)


@transaction.atomic
def member_remove(*, membership: Membership, actor: User) -> None:
    """Take a member out of an organization; the seat they held on its
    contract is freed with them."""
    organization = membership.organization
    contract = Contract.objects.filter(organization=organization).first()
    organization_services.membership_remove(membership=membership, actor=actor)
    if contract is not None:
        seat = Seat.objects.filter(
            contract=contract, user_id=membership.user_id
        ).first()
        if seat is not None:
            seat_release(seat=seat, actor=actor, source=SeatSource.MANUAL)


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
    Event.objects.create(
        kind=EventKind.PLAN_REQUESTED,
        contract=contract,
        organization=contract.organization,
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


# Allotments


def allotment_check(*, contract: Contract, plan: Plan, seats: int) -> None:
    """Raise the error `allotment_set` would raise now, without changing
    anything (for the admin's form). `allotment_set` checks again under its
    lock."""
    _allotment_refusal(contract=contract, plan=plan, seats=seats)


@transaction.atomic
def allotment_set(*, contract: Contract, plan: Plan, seats: int) -> Allotment:
    """Give a contract `seats` seats of a plan. Never fewer than the members
    who hold the plan: their seats are not taken back silently."""
    allotment = (
        Allotment.objects.select_for_update(of=("self",)).filter(
            contract=contract, plan=plan
        )
    ).first()
    _allotment_refusal(contract=contract, plan=plan, seats=seats)
    if allotment is None:
        return Allotment.objects.create(contract=contract, plan=plan, seats=seats)
    if allotment.seats != seats:
        allotment.seats = seats
        allotment.save(update_fields=["seats"])
    return allotment


@transaction.atomic
def allotment_delete(*, allotment: Allotment) -> None:
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


# Internals


def _seat_put_refusal(
    *, contract: Contract, user: User, plan: Plan, lock: bool
) -> Seat | None:
    """The person's seat on the contract, if any, after checking that they
    may have the plan. With `lock`, the plan's allotment row and the seat are
    locked until the transaction ends, so that the count stays true."""
    allotments = Allotment.objects.filter(contract=contract, plan=plan)
    seats = Seat.objects.filter(contract=contract, user=user)
    if lock:
        # The allotment row only (`of`): allotments are ordered by their
        # plan's rank, which joins the plans table, and a plain FOR UPDATE
        # would lock the catalogue's plan row as well, making every seat of
        # that plan on every contract wait, and deadlocking with a plan
        # taken back (its history event takes a key share lock on that row
        # while its deleted seat is what this transaction waits for).
        allotments = allotments.select_for_update(of=("self",))
        seats = seats.select_for_update()
    allotment = allotments.first()
    if allotment is None:
        raise ContractError(
            _("Contract %(reference)s has no %(plan)s plan.")
            % {"reference": contract.reference, "plan": plan.display_name}
        )
    seat = seats.first()
    if seat is not None and seat.plan_id == plan.pk:
        return seat
    in_use = Seat.objects.filter(contract=contract, plan=plan).count()
    if in_use >= allotment.seats:
        raise SeatsExhausted(
            _("No %(plan)s plan is left on contract %(reference)s.")
            % {"plan": plan.display_name, "reference": contract.reference}
        )
    return seat


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


def _connect(
    *, organization: Organization, contract: Contract, actor: User
) -> Contract:
    # Lock the organization, then the contract: every path takes them in
    # this order, so two connections at once queue instead of deadlocking.
    _lock(organization)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.organization_id == organization.pk:
        return contract
    if contract.has_ended():
        raise ContractUnavailable(
            _("Contract %(reference)s ended on %(date)s and cannot be connected.")
            % {
                "reference": contract.reference,
                "date": date_format(contract.ends_on),
            }
        )
    if contract.organization_id is not None:
        raise ContractUnavailable(
            _("Contract %(reference)s is already connected to another organization.")
            % {"reference": contract.reference}
        )
    if Contract.objects.filter(organization=organization).exists():
        raise OrganizationAlreadyConnected(
            _(
                "%(organization)s already has a contract: disconnect it before "
                "connecting another one."
            )
            % {"organization": organization.name}
        )
    contract.organization = organization
    contract.connected_at = timezone.now()
    try:
        with transaction.atomic():
            contract.save(update_fields=["organization", "connected_at"])
    except IntegrityError:
        raise OrganizationAlreadyConnected(
            _("%(organization)s was connected to a contract at the same moment.")
            % {"organization": organization.name}
        ) from None
    Event.objects.create(
        kind=EventKind.CONNECTED,
        contract=contract,
        organization=organization,
        actor=actor,
    )
    _email_managers(
        contract,
        subject=_("Contract %(reference)s was connected to %(organization)s")
        % {"reference": contract.reference, "organization": organization.name},
        template_name="contracts/email/connected.txt",
        context={"contract": contract, "organization": organization, "actor": actor},
    )
    return contract


def _connect_with_key(*, organization: Organization, key: str, actor: User) -> Contract:
    since = timezone.now() - KEY_ATTEMPT_WINDOW
    failures = Event.objects.filter(kind=EventKind.KEY_REJECTED, created_at__gte=since)
    if (
        failures.filter(actor=actor).count() >= KEY_ATTEMPT_LIMIT
        or failures.filter(organization=organization).count() >= KEY_ATTEMPT_LIMIT
    ):
        raise KeyThrottled(
            _(
                "Too many wrong connection keys in a short time. Wait 15 "
                "minutes, then try again."
            )
        )
    normalized = keys.key_normalize(key)
    if normalized is None:
        raise KeyRejected(
            _("This is not a connection key: check that it was copied in full.")
        )
    digest = keys.key_digest(normalized)
    # The key's row only (`of`): with the contract joined, a plain FOR
    # UPDATE would lock the contract before `_connect` locks the
    # organization, the opposite of the order every other path takes, and
    # a key and the dropdown connecting at once deadlocked.
    found = (
        ConnectionKey.objects.select_for_update(of=("self",))
        .select_related("contract")
        .filter(digest=digest)
        .first()
    )
    if found is None or not secrets.compare_digest(found.digest, digest):
        raise KeyRejected(
            _("This connection key is not right. Ask the contract manager for it.")
        )
    if (
        found.used_at is not None
        and found.used_by_id == actor.pk
        and found.contract.organization_id == organization.pk
    ):
        # The same person sent the form twice: the first one connected it.
        return found.contract
    error = None
    if found.revoked_at is not None:
        error = KeyRejected(
            _(
                "This connection key was replaced by a newer one. Ask the "
                "contract manager for the new key."
            ),
            contract=found.contract,
        )
    elif found.used_at is not None:
        error = KeyRejected(
            _("This connection key has already been used. Keys work once."),
            contract=found.contract,
        )
    elif found.expires_at <= timezone.now():
        error = KeyRejected(
            _(
                "This connection key expired on %(date)s. Ask the contract "
                "manager for a new one."
            )
            % {"date": date_format(timezone.localtime(found.expires_at))},
            contract=found.contract,
        )
    if error is not None:
        raise error
    try:
        contract = _connect(
            organization=organization, contract=found.contract, actor=actor
        )
    except ContractError as refused:
        refused.contract = found.contract
        raise
    found.used_at = timezone.now()
    found.used_by = actor
    found.save(update_fields=["used_at", "used_by"])
    Event.objects.create(
        kind=EventKind.KEY_USED,
        contract=contract,
        organization=organization,
        actor=actor,
        detail=f"…{found.hint}",
    )
    return contract


def _lock(organization: Organization) -> None:
    Organization.objects.select_for_update().only("pk").get(pk=organization.pk)


def _connected_contract(organization: Organization, *, lock: bool = False) -> Contract:
    contracts = Contract.objects.filter(organization=organization)
    if lock:
        contracts = contracts.select_for_update()
    contract = contracts.first()
    if contract is None:
        raise NotConnected(
            _(
                "%(organization)s has no contract connected: plans cannot be "
                "changed here."
            )
            % {"organization": organization.name}
        )
    # The events written next name it: no second read.
    contract.organization = organization
    return contract


def _email_managers(contract: Contract, *, subject, template_name, context) -> None:
    email_after_commit(
        to=list(contract.managers.values_list("email", flat=True)),
        subject=subject,
        template_name=template_name,
        context=context,
    )


def _email_member_plan(*, user: User, plan: Plan | None, contract: Contract) -> None:
    email_after_commit(
        to=[user.email],
        subject=_("Your plan has changed"),
        template_name="contracts/email/plan_changed.txt",
        context={"member": user, "plan": plan, "contract": contract},
    )
