"""Writes of the imports app: a file uploaded and checked, confirmed, run.

Each line goes through the same services as the pages (organizations'
membership_add and membership_change_role, accounts' user_update_profile,
contracts' member_plan_set), in a savepoint of its own: a line that fails
leaves nothing behind and never stops the others. Lines are run in chunks,
each one transaction that reads its members and seats at once and updates
the progress once."""

import logging
from itertools import batched

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_update_profile
from contracts import services as contract_services
from contracts.exceptions import ContractError
from imports.lines import Action, Reading
from imports.models import ImportStatus, LineOutcome, MemberImport, MemberImportLine
from imports.rows import decode, rows_read
from imports.selectors import CHUNK, member_import_check
from organizations import services as organization_services
from organizations.models import Organization

logger = logging.getLogger(__name__)
CHANGES = {LineOutcome.NEW, LineOutcome.UPDATED}


@transaction.atomic
def member_import_create(
    *,
    organization: Organization,
    actor: User,
    data: bytes,
    file_name: str,
    base_url: str,
    send_invitations: bool,
) -> MemberImport:
    """Keep an uploaded file with its dry run, waiting for confirmation.
    Raises ImportFileError when the file cannot be read."""
    text = decode(data)
    check = member_import_check(organization=organization, text=text)
    return MemberImport.objects.create(
        organization=organization,
        created_by=actor,
        file_name=file_name[:255],
        content=text,
        base_url=base_url,
        send_invitations=send_invitations,
        language=translation.get_language() or "",
        dry_run=check,
        total_lines=check["total"],
    )


def member_import_confirm(*, member_import: MemberImport, actor: User) -> bool:
    """Queue a checked import to run in the background (once: a second
    confirmation does nothing). Returns whether it was queued now."""
    from imports.tasks import member_import_run_task

    with transaction.atomic():
        queued = MemberImport.objects.filter(
            pk=member_import.pk, status=ImportStatus.CHECKED
        ).update(status=ImportStatus.QUEUED)
        if queued:
            transaction.on_commit(
                lambda: member_import_run_task.enqueue(import_id=member_import.pk)
            )
    return bool(queued)


def member_import_run(*, import_id: int) -> None:
    """Run a queued import, chunk after chunk. An import already taken by
    another worker, or not confirmed, is left alone."""
    started = MemberImport.objects.filter(
        pk=import_id, status=ImportStatus.QUEUED
    ).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    if not started:
        return
    member_import = MemberImport.objects.select_related(
        "organization", "created_by"
    ).get(pk=import_id)
    reading = Reading.start(member_import.organization)
    try:
        with translation.override(member_import.language or None):
            _chunks_run(member_import, reading)
    except Exception:
        logger.exception("Member import %s failed", import_id)
        status = ImportStatus.FAILED
    else:
        status = ImportStatus.DONE
    MemberImport.objects.filter(pk=import_id).update(
        status=status, finished_at=timezone.now()
    )


def _chunks_run(member_import: MemberImport, reading: Reading) -> None:
    for chunk in batched(rows_read(member_import.content), CHUNK, strict=False):
        _chunk_run(member_import, reading, list(chunk))


@transaction.atomic
def _chunk_run(member_import: MemberImport, reading: Reading, rows) -> None:
    lines = []
    actions = reading.actions(rows)
    added = _new_people_add(member_import, actions)
    for action in actions:
        if action.outcome in CHANGES and id(action) not in added:
            try:
                with transaction.atomic():
                    _line_apply(member_import, action)
            except (
                ValidationError,
                organization_services.MembershipError,
                ContractError,
            ) as error:
                action.error = _message(error)
            except DatabaseError:
                logger.exception(
                    "Line %s of import %s", action.row.number, member_import.pk
                )
                action.error = _("This line could not be saved: try it again.")
        lines.append(
            MemberImportLine(
                member_import=member_import,
                number=action.row.number,
                email=action.row.email[:254],
                outcome=action.outcome,
                message=action.error[:500],
            )
        )
    MemberImportLine.objects.bulk_create(lines)
    counts = dict.fromkeys(LineOutcome.values, 0)
    for line in lines:
        counts[line.outcome] += 1
    MemberImport.objects.filter(pk=member_import.pk).update(
        done_lines=F("done_lines") + len(lines),
        new_count=F("new_count") + counts[LineOutcome.NEW],
        updated_count=F("updated_count") + counts[LineOutcome.UPDATED],
        unchanged_count=F("unchanged_count") + counts[LineOutcome.UNCHANGED],
        error_count=F("error_count") + counts[LineOutcome.ERROR],
    )


def _new_people_add(member_import: MemberImport, actions: list[Action]) -> set[int]:
    """Add the chunk's new people who have no account and get no plan in
    one go (`membership_add_many`), in a savepoint; the ids of the actions
    done. When it is refused, none is done: each goes through
    `membership_add` on its own, which finds the one at fault."""
    new = [
        action
        for action in actions
        if action.outcome == LineOutcome.NEW
        and action.plan is None
        and not action.has_account
    ]
    if not new:
        return set()
    try:
        with transaction.atomic():
            organization_services.membership_add_many(
                organization=member_import.organization,
                people=[(a.email, a.role, a.name or "") for a in new],
                actor=member_import.created_by,
                base_url=member_import.base_url,
                notify=member_import.send_invitations,
            )
    except organization_services.MembershipError:
        return set()
    return {id(action) for action in new}


def _line_apply(member_import: MemberImport, action: Action) -> None:
    organization = member_import.organization
    actor = member_import.created_by
    membership = action.membership
    if membership is None:
        membership = (
            None if action.has_account else _new_person_add(member_import, action)
        ) or organization_services.membership_add(
            organization=organization,
            email=action.email,
            role=action.role,
            actor=actor,
            base_url=member_import.base_url,
            notify=member_import.send_invitations,
        )
    elif action.role is not None:
        organization_services.membership_change_role(
            membership=membership, role=action.role, actor=actor
        )
    if action.name is not None and membership.user.full_name != action.name:
        user_update_profile(user=membership.user, full_name=action.name)
    if action.plan is not None:
        contract_services.member_plan_set(
            organization=organization,
            user=membership.user,
            plan=action.plan,
            actor=actor,
        )


def _new_person_add(member_import: MemberImport, action: Action):
    """The quicker path of the chunk's new people, for one (in the line's
    savepoint, before its plan): the account gets its name at once. None
    when refused (an account made meanwhile): `membership_add` then says
    what the rules make of it."""
    try:
        with transaction.atomic():
            (membership,) = organization_services.membership_add_many(
                organization=member_import.organization,
                people=[(action.email, action.role, action.name or "")],
                actor=member_import.created_by,
                base_url=member_import.base_url,
                notify=member_import.send_invitations,
            )
    except organization_services.MembershipError:
        return None
    return membership


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
