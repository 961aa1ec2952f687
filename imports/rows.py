"""Reading an uploaded CSV of members: its encoding, its separator, its
header, and the words accepted for roles and plans (English or French)."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from organizations.models import Role
from plans.models import Plan

# About 5 MB for 100,000 lines: twice that leaves room for long names.
MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 200_000
COLUMNS = ("email", "name", "role", "plan")
# The header's words each column is known by, lowercased.
HEADERS = {
    "email": {"email", "e-mail", "mail", "courriel", "adresse e-mail"},
    "name": {"name", "full name", "nom", "nom complet"},
    "role": {"role", "rôle"},
    "plan": {"plan", "forfait", "offre"},
}
LANGUAGES = ("en", "fr")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass(frozen=True)
class Row:
    number: int  # The line of the file, the header being line 1.
    email: str
    name: str
    role: str
    plan: str


def template_csv() -> str:
    """The file to download and fill in: the header and one example."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(["ada@example.com", "Ada Lovelace", "collaborator", "Free"])
    return out.getvalue()


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without the byte order mark Excel
    writes."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MB: split it into several files.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.")
        ) from None
    if "\x00" in text:
        raise ImportFileError(_("The file is not a CSV text file."))
    return text


def rows_read(text: str) -> Iterator[Row]:
    """The data lines, with their line numbers. Columns are found by the
    header's names, in any order; `;` (Excel in French) or `,` separate
    them. Raises ImportFileError when the header has no email column."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ImportFileError(_("The file is empty."))
    if len(lines) > MAX_LINES + 1:
        raise ImportFileError(
            _("The file has more than %(count)s lines: split it into several files.")
            % {"count": f"{MAX_LINES:,}"}
        )
    header = lines[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    positions = _positions(next(reader))
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        cells = {
            column: values[index].strip() if index < len(values) else ""
            for column, index in positions.items()
        }
        yield Row(number=number, **{c: cells.get(c, "") for c in COLUMNS})


def _positions(header: list[str]) -> dict[str, int]:
    positions = {}
    for index, title in enumerate(header):
        title = title.strip().lower()
        for column, names in HEADERS.items():
            if title in names and column not in positions:
                positions[column] = index
    if "email" not in positions:
        raise ImportFileError(
            _(
                "The first line must name the columns: email, name, role, plan "
                "(download the template)."
            )
        )
    return positions


def role_lookup() -> dict[str, str]:
    """Each accepted word for a role, lowercased: its code, its name in
    English and in French."""
    words = {}
    for value, label in Role.choices:
        words[value] = value
        for language in LANGUAGES:
            with translation.override(language):
                words[str(label).lower()] = value
    return words


def plan_lookup() -> dict[str, Plan]:
    """Each accepted word for a plan, lowercased: its code, its name as
    entered, and as shown in English and in French."""
    words = {}
    for plan in Plan.objects.all():
        words[plan.code.lower()] = plan
        words[plan.name.lower()] = plan
        for language in LANGUAGES:
            with translation.override(language):
                words[plan.display_name.lower()] = plan
    return words
