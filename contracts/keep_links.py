"""The signed "Keep my plan" links of idle-seat reminders (issue 11, point
9): no state of their own, `django.core.signing` with a salt of their own;
a link names the seat and the reminder it answers, and is valid until the
day before the reclaim."""

import datetime

from django.core import signing

from contracts.models import Seat

KEEP_SALT = "contracts.idle-keep"


def keep_token(*, seat: Seat, until: datetime.date) -> str:
    """The signed value of a "Keep my plan" link: the seat and the reminder
    it answers, valid until `until` (the day before the reclaim)."""
    return signing.dumps(
        {
            "seat": seat.pk,
            "reminded": seat.idle_reminded_on.isoformat(),
            "until": until.isoformat(),
        },
        salt=KEEP_SALT,
    )


def keep_token_seat(*, token: str, today: datetime.date) -> Seat | None:
    """The seat a "Keep my plan" link keeps, while its reminder is the
    current one and the window is open; None otherwise (tampered, expired,
    answered, or the seat freed meanwhile)."""
    try:
        value = signing.loads(token, salt=KEEP_SALT)
        seat_id = int(value["seat"])
        reminded = datetime.date.fromisoformat(value["reminded"])
        until = datetime.date.fromisoformat(value["until"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if today > until:
        return None
    return (
        Seat.objects.select_related("user", "plan", "contract__organization")
        .filter(pk=seat_id, idle_reminded_on=reminded)
        .first()
    )
