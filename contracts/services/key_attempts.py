"""The limits on wrong connection keys (per person and per organization,
in a sliding window) and the history of refused keys, one line per burst.
`connections.contract_connect_with_key` is their one caller."""

from datetime import datetime, timedelta

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.exceptions import ContractError, KeyThrottled
from contracts.models import Event, EventKind, KeyAttempt
from contracts.services._common import _event, _lock
from organizations.models import Organization

# Refused keys allowed in the window, per person and per organization (its
# administrators together).
KEY_ATTEMPT_LIMIT = 5
KEY_ATTEMPT_LIMIT_ORGANIZATION = 20
KEY_ATTEMPT_WINDOW = timedelta(minutes=15)


def key_attempt_slot(*, organization: Organization, actor: User) -> None:
    """Take this attempt's place under the limits on wrong keys (5 per
    person, 20 per organization, in a sliding window), or refuse it.

    The count is `KeyAttempt`, one row per refused attempt (a throttled one
    too). Counting and then checking was racy (twelve keys sent at once all
    counted zero and were all checked), so the attempt first locks the
    organization's row and the person's row, and holds both until its
    outcome is committed: attempts on one organization, or by one person,
    queue, and each one counts the refusals of those before it. Row locks
    rather than a counter in the cache (add + incr): every refusal is
    written anyway, so one source stays exact, is shared by every app
    server through the database, survives a cache flush, and keeps the
    window sliding. Only an organization's administrators can make
    attempts, and each holds the locks for a few milliseconds. Locked in
    the order every path takes: the organization first (then, in
    `_connect`, the contract); no other path locks a person's row. On
    SQLite the IMMEDIATE transaction already runs attempts one at a time.
    """
    _lock(organization)
    User.objects.select_for_update().only("pk").get(pk=actor.pk)
    refused = _key_refusals()
    if refused.filter(actor=actor).count() >= KEY_ATTEMPT_LIMIT:
        raise KeyThrottled(
            _(
                "Too many wrong connection keys in a short time. Wait 15 "
                "minutes, then try again."
            )
        )
    if (
        refused.filter(organization=organization).count()
        >= KEY_ATTEMPT_LIMIT_ORGANIZATION
    ):
        raise KeyThrottled(
            _(
                "Too many wrong connection keys were entered for "
                "%(organization)s in a short time, by its administrators "
                "together. Wait 15 minutes, then try again."
            )
            % {"organization": organization.name}
        )


def _key_refusals() -> QuerySet[KeyAttempt]:
    return KeyAttempt.objects.filter(
        created_at__gte=timezone.now() - KEY_ATTEMPT_WINDOW
    )


def key_attempts_left(*, organization: Organization, actor: User) -> int:
    """How many more refused keys the limits allow the person on the
    organization now: the smaller of what is left to them and to it."""
    refused = _key_refusals()
    return max(
        0,
        min(
            KEY_ATTEMPT_LIMIT - refused.filter(actor=actor).count(),
            KEY_ATTEMPT_LIMIT_ORGANIZATION
            - refused.filter(organization=organization).count(),
        ),
    )


def key_refusal_record(
    *, error: ContractError, organization: Organization, actor: User
) -> None:
    """Count the refusal, and write it to the history as one line per burst:
    a refusal by the same person, on the same organization and contract,
    within KEY_ATTEMPT_WINDOW of their last one joins that line (its
    number of attempts, its last time and reason) instead of adding one.
    The caller holds the organization's and the person's row locks, so no
    two refusals of one burst update its line at once."""
    now = timezone.now()
    KeyAttempt.objects.create(organization=organization, actor=actor, created_at=now)
    contract = getattr(error, "contract", None)
    detail = str(error)[:200]
    burst = (
        Event.objects.filter(
            kind=EventKind.KEY_REJECTED,
            organization=organization,
            actor=actor,
            contract=contract,
            last_at__gte=now - KEY_ATTEMPT_WINDOW,
        )
        .order_by("-last_at", "-pk")
        .first()
    )
    if burst is None:
        _event(
            EventKind.KEY_REJECTED,
            contract=contract,
            organization=organization,
            actor=actor,
            detail=detail,
            last_at=now,
        )
        return
    burst.attempts = F("attempts") + 1
    burst.last_at = now
    burst.detail = detail
    burst.save(update_fields=["attempts", "last_at", "detail"])


def key_attempts_prune_sweep(*, now: datetime) -> int:
    """Delete the refused attempts older than the window: the limits never
    read them again, and the history keeps its line per burst."""
    deleted, _rows = KeyAttempt.objects.filter(
        created_at__lt=now - KEY_ATTEMPT_WINDOW
    ).delete()
    return deleted
