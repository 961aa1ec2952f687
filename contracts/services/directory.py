"""Members suspended and restored, by directory sync (SCIM) or by hand:
a suspended member keeps their place and what they made, reaches nothing of
the organization and holds no seat."""

from django.db import transaction

from accounts.models import User
from contracts.models import Contract, EventKind, Seat, SeatSource
from contracts.services import waitlist
from contracts.services._common import _event
from contracts.services.seats import seat_release
from organizations import services as organization_services
from organizations.models import Membership


@transaction.atomic
def member_suspend(
    *, membership: Membership, actor: User | None, source: str = SeatSource.DIRECTORY
) -> bool:
    """Suspend a member and free the seat they held on the organization's
    contract (its impact preview and email included). Returns whether
    anything changed: suspending a suspended member does nothing."""
    if not organization_services.membership_set_active(
        membership=membership, active=False
    ):
        return False
    contract = Contract.objects.filter(
        organization_id=membership.organization_id
    ).first()
    if contract is None:
        return True
    contract.organization = membership.organization
    _event(
        EventKind.DEPROVISIONED, contract=contract, actor=actor, member=membership.user
    )
    waitlist.waitlist_member_left(contract=contract, user=membership.user, actor=actor)
    seat = Seat.objects.filter(contract=contract, user_id=membership.user_id).first()
    if seat is not None:
        seat_release(seat=seat, actor=actor, source=source)
    return True


@transaction.atomic
def member_restore(*, membership: Membership, actor: User | None) -> bool:
    """Restore a suspended member. No seat comes back by itself. Returns
    whether anything changed: a directory's periodic "active: true" on an
    active member does nothing and writes nothing."""
    if not organization_services.membership_set_active(
        membership=membership, active=True
    ):
        return False
    contract = Contract.objects.filter(
        organization_id=membership.organization_id
    ).first()
    if contract is not None:
        contract.organization = membership.organization
        _event(
            EventKind.REPROVISIONED,
            contract=contract,
            actor=actor,
            member=membership.user,
        )
    return True
