"""Reads of the imports app: an organization's imports, through the
requesting administrator's membership, and the dry run of a file."""

from itertools import batched

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imports.lines import Reading, seats_needed
from imports.models import LineOutcome, MemberImport, MemberImportLine
from imports.rows import rows_read
from organizations.models import Organization
from plans.models import Plan

CHUNK = 500
# The dry run page lists this many of the lines in error.
ERRORS_SHOWN = 50


def member_import_list(*, organization: Organization) -> QuerySet[MemberImport]:
    return MemberImport.objects.filter(organization=organization).select_related(
        "created_by"
    )


def member_import_get(*, organization: Organization, import_id: int) -> MemberImport:
    """One of the organization's imports, or 404 (another organization's
    import included). The organization comes from the requesting
    administrator's membership."""
    return get_object_or_404(
        member_import_list(organization=organization).defer("content"),
        pk=import_id,
    )


def member_import_check(*, organization: Organization, text: str) -> dict:
    """The dry run of a file: how many lines would add, update, leave
    unchanged or fail, the first lines in error, and for each plan of the
    connected contract the seats the lines need against the seats left.
    Raises ImportFileError when the file cannot be read at all."""
    reading = Reading.start(organization)
    counts = dict.fromkeys(LineOutcome.values, 0)
    errors = []
    needed = {}
    total = 0
    for chunk in batched(rows_read(text), CHUNK, strict=False):
        actions = reading.actions(list(chunk))
        total += len(actions)
        for action in actions:
            counts[action.outcome] += 1
            if action.error and len(errors) < ERRORS_SHOWN:
                errors.append(
                    {
                        "line": action.row.number,
                        "email": action.row.email,
                        "message": action.error,
                    }
                )
        for plan_id, count in seats_needed(actions).items():
            needed[plan_id] = needed.get(plan_id, 0) + count
    left = reading.seats_left()
    seats = [
        {
            "plan_id": plan_id,
            "needed": count,
            "left": left.get(plan_id, 0),
            "beyond": max(count - left.get(plan_id, 0), 0),
        }
        for plan_id, count in sorted(needed.items())
    ]
    return {"total": total, "counts": counts, "errors": errors, "seats": seats}


def member_import_report_lines(*, member_import: MemberImport):
    return (
        MemberImportLine.objects.filter(member_import=member_import)
        .order_by("number")
        .values_list("number", "email", "outcome", "message")
        .iterator(chunk_size=2000)
    )


def member_import_seats(*, member_import: MemberImport) -> list[dict]:
    """The dry run's seats needed and left, each with its plan."""
    seats = member_import.dry_run.get("seats", [])
    plans = Plan.objects.in_bulk([seat["plan_id"] for seat in seats])
    return [
        {**seat, "plan": plans[seat["plan_id"]]}
        for seat in seats
        if seat["plan_id"] in plans
    ]
