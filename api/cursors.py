"""Cursor pagination: each page ends with an opaque cursor, the position of
its last row in the list's order, and the next page starts after that row
(keyset pagination). Rows added or removed meanwhile never shift a page:
none is shown twice and none is skipped, whatever the size of the list."""

import base64
import binascii
import json

from django.utils.translation import gettext as _

from api.problems import ApiProblem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def cursor_encode(values: list) -> str:
    data = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def cursor_decode(cursor: str, *, types: tuple[type, ...]) -> list:
    """The values of a cursor of this list, or 422 for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or not all(
            isinstance(value, kind)
            and not isinstance(value, bool)
            # PostgreSQL refuses a NUL byte in a query.
            and not (isinstance(value, str) and "\x00" in value)
            and not (isinstance(value, int) and not 0 <= value < 2**63)
            for value, kind in zip(values, types, strict=True)
        )
    ):
        raise ApiProblem(422, _("This cursor is not one of this list."))
    return values


def page_rows(rows, *, limit: int, last_values) -> tuple[list, str | None]:
    """The page's rows (one more is read to know whether a next page
    exists), and the cursor of the next page, or None on the last."""
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    found = found[:limit]
    return found, cursor_encode(last_values(found[-1]))
