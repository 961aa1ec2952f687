"""Changes support staff make from the Django admin: a contract's end date
moved later, a connection key revoked, an organization deleted. Each takes
the person acting and how (`source`, "by support" from the admin) and
writes its history event, like every other change to contracts."""

import datetime

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.dates import date_format
from contracts.exceptions import ContractError
from contracts.models import ConnectionKey, Contract, EventKind, Seat
from contracts.services._common import _email_managers, _event, _lock
from contracts.services.connections import _disconnect
from contracts.services.seats import seat_release
from organizations.models import Organization


@transaction.atomic
def contract_extend(
    *, contract: Contract, ends_on: datetime.date, actor: User, source: str
) -> Contract:
    """Move a contract's end date later. Its seats stay as they are; a
    contract that had ended grants its plans again."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if ends_on <= contract.ends_on:
        raise ContractError(
            _(
                "Contract %(reference)s already runs until %(date)s: choose a "
                "later end date."
            )
            % {"reference": contract.reference, "date": date_format(contract.ends_on)},
            contract=contract,
        )
    before = contract.ends_on
    contract.ends_on = ends_on
    contract.full_clean()
    contract.save(update_fields=["ends_on"])
    _event(
        EventKind.CONTRACT_EXTENDED,
        contract=contract,
        actor=actor,
        source=source,
        detail=f"{before.isoformat()} → {ends_on.isoformat()}",
    )
    return contract


@transaction.atomic
def connection_key_revoke(
    *, key: ConnectionKey, actor: User, source: str
) -> ConnectionKey:
    """Stop a connection key from working (shared with the wrong person,
    say). A key already used or revoked is left as it is."""
    key = (
        ConnectionKey.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=key.pk)
    )
    if key.used_at is not None:
        raise ContractError(
            _("The connection key …%(hint)s was already used: it works no more.")
            % {"hint": key.hint},
            contract=key.contract,
        )
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    _event(
        EventKind.KEY_REVOKED,
        contract=key.contract,
        actor=actor,
        source=source,
        detail=f"…{key.hint}",
    )
    return key


@transaction.atomic
def organization_delete(
    *, organization: Organization, actor: User, source: str
) -> None:
    """Delete an organization. A connected contract is disconnected first,
    as with the Disconnect button (history event; the managers are emailed
    that the organization was deleted), and the members leave with the
    organization: the seats they held on that
    contract are freed, each member emailed, as when a member leaves.
    Refused while things the organization owns must stay (its surveys,
    whose responses are never lost)."""
    _lock(organization)
    contract = Contract.objects.filter(organization=organization).first()
    if contract is not None:
        # Disconnected first, so that automatic assignment is off before
        # the members' seats are freed.
        contract = _disconnect(organization=organization, actor=actor)
        members = organization.memberships.values("user_id")
        seats = Seat.objects.filter(contract=contract, user_id__in=members)
        for seat in seats.select_related("user", "plan", "contract"):
            seat_release(seat=seat, actor=actor, source=source)
        _event(
            EventKind.ORGANIZATION_DELETED,
            contract=contract,
            organization=None,
            actor=actor,
            source=source,
            detail=organization.name[:200],
        )
        _email_managers(
            contract,
            subject=_(
                "%(organization)s was deleted: contract %(reference)s is disconnected"
            )
            % {"organization": organization.name, "reference": contract.reference},
            template_name="contracts/email/organization_deleted.txt",
            context={
                "contract": contract,
                "organization": organization,
                "actor": actor,
            },
        )
    name = organization.name
    try:
        with transaction.atomic():
            organization.delete()
    except ProtectedError as error:
        kinds = sorted(
            {str(obj._meta.verbose_name_plural) for obj in error.protected_objects}
        )
        raise ContractError(
            _(
                "%(organization)s cannot be deleted: it still has %(kinds)s, "
                "which must be kept."
            )
            % {"organization": name, "kinds": ", ".join(kinds)},
            contract=contract,
        ) from None
