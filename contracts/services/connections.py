"""Connecting a contract to an organization and disconnecting it, connection
keys, and the automatic assignment switch."""

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.dates import date_format
from contracts import entitlements, keys
from contracts.exceptions import (
    ContractError,
    ContractUnavailable,
    KeyMalformed,
    KeyRejected,
    OrganizationAlreadyConnected,
)
from contracts.models import ConnectionKey, Contract, EventKind
from contracts.services._common import (
    _connected_contract,
    _email_managers,
    _event,
    _lock,
)
from contracts.services.key_attempts import (
    key_attempt_slot,
    key_attempts_left,
    key_refusal_record,
)
from organizations.models import Organization

KEY_LIFETIME = timedelta(days=7)


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

    A text not shaped like a key (wrong prefix, length, characters or
    checksum) is a typo, refused as `KeyMalformed` before it counts as an
    attempt. Every other attempt is recorded, a refused one too: the
    attempt's own changes run in a savepoint, rolled back on a refusal, and
    the refusal is written after it in the same transaction, so that it
    stays recorded (and counted by the limits) when the attempt's changes
    roll back. A refusal says how many attempts are left (`attempts_left`).
    """
    if keys.key_normalize(key) is None:
        malformed = KeyMalformed(
            " ".join(
                [
                    # Two sentences: the first one is the catalogue's already.
                    _(
                        "This is not a connection key: check that it was "
                        "copied in full."
                    ),
                    _("It was not counted as an attempt."),
                ]
            )
        )
        malformed.attempts_left = key_attempts_left(
            organization=organization, actor=actor
        )
        raise malformed
    refused = None
    with transaction.atomic():
        try:
            key_attempt_slot(organization=organization, actor=actor)
            with transaction.atomic():
                return _connect_with_key(
                    organization=organization, key=key, actor=actor
                )
        except ContractError as error:
            key_refusal_record(error=error, organization=organization, actor=actor)
            error.attempts_left = key_attempts_left(
                organization=organization, actor=actor
            )
            refused = error
    # Raised once the refusal is committed, with the locks released.
    raise refused


@transaction.atomic
def contract_disconnect(*, organization: Organization, actor: User) -> Contract:
    """End the organization's control of its contract. Members keep the seats
    they hold; automatic assignment stops."""
    contract = _disconnect(organization=organization, actor=actor)
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
        _event(
            EventKind.AUTO_ASSIGN_ON if enabled else EventKind.AUTO_ASSIGN_OFF,
            contract=contract,
            organization=organization,
            actor=actor,
        )
        if enabled:
            transaction.on_commit(entitlements.feature_asks_reset)
    return contract


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
    _event(
        EventKind.KEY_GENERATED,
        contract=contract,
        actor=actor,
        detail=f"…{key.hint}",
    )
    return key, plain


def _disconnect(*, organization: Organization, actor: User) -> Contract:
    """The disconnection itself and its history event, without the
    managers' email, whose words depend on why it happens."""
    _lock(organization)
    contract = _connected_contract(organization, lock=True)
    contract.organization = None
    contract.connected_at = None
    contract.auto_assign = False
    contract.save(update_fields=["organization", "connected_at", "auto_assign"])
    _event(
        EventKind.DISCONNECTED,
        contract=contract,
        organization=organization,
        actor=actor,
    )
    return contract


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
    _event(
        EventKind.CONNECTED,
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
    digest = keys.key_digest(keys.key_normalize(key))
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
                "This connection key was replaced by a newer one or revoked. "
                "Ask the contract manager for a new key."
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
    _event(
        EventKind.KEY_USED,
        contract=contract,
        organization=organization,
        actor=actor,
        detail=f"…{found.hint}",
    )
    return contract
