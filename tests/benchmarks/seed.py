"""Seed PostgreSQL for the benchmark, fast, with COPY.

Rows go in through the models' tables directly: this is bulk loading for the
benchmark, like loaddata, not a user's change of state. Each organization is
seeded in one transaction (members, contract, seats and their history,
surveys with their responses and answers), so that it is there in full or
not at all; an organization already seeded with the current shape is reused.
"""

import datetime
import random
import secrets
import unicodedata
from collections.abc import Callable, Iterable

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

from accounts.models import User
from contracts.models import Allotment, Contract, Event, EventKind, Seat, SeatSource
from organizations.models import Membership, Organization, Role
from plans.models import Plan
from surveys.models import (
    Answer,
    Channel,
    Distribution,
    Option,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)

BENCH_PASSWORD = "bench"
# Bumped when the seeded shape changes: an organization seeded with another
# shape is seeded again.
SEED_VERSION = 5

# Per organization: the contract's plans, as shares of the member count, and
# how many of those seats are in use.
PLAN_SHARES = {"professional": 0.35, "starter": 0.25, "reader-plus": 0.25}
IN_USE = 0.8

# A million responses in all: 20 surveys in the small organization, 180 in
# each large one, 5,000 responses each, three answers per response.
RESPONSES_PER_SURVEY = 5_000
CHOICES = ["Yes", "No", "Maybe", "Not sure"]
TEXTS = [
    "Clear and quick to fill in.",
    "I would like more options.",
    "Nothing to add.",
    "Very useful, thank you.",
    "Some questions were unclear.",
    "The welcome was warm.",
    "Too long for a Monday morning.",
    "Good, but the room was cold.",
]

Progress = Callable[[str], None]


def organization_name(size: int) -> str:
    return f"Bench {size}"


def customer_name(size: int) -> str:
    return f"Bench {size} (seed v{SEED_VERSION})"


def admin_email(size: int) -> str:
    return f"admin@bench{size}.example"


# Names drawn from these, the same each time: searches then meet the spread
# of real names (a surname matches one member in fifty).
FIRST_NAMES = [
    "Adam", "Alice", "Arthur", "Camille", "Chloé", "Emma", "Ethan", "Eva",
    "Gabriel", "Hugo", "Inès", "Jade", "Jules", "Juliette", "Léa", "Léo",
    "Lina", "Louis", "Louise", "Lucas", "Manon", "Nathan", "Noah", "Paul",
    "Raphaël", "Rose", "Sarah", "Tom", "Victor", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "André", "Bernard", "Bertrand", "Bonnet", "Chevalier", "Clément", "David",
    "Dubois", "Dupont", "Durand", "Fontaine", "Fournier", "François", "Garcia",
    "Gauthier", "Girard", "Guérin", "Lambert", "Laurent", "Lefebvre", "Leroy",
    "Martin", "Martinez", "Mercier", "Michel", "Morel", "Moreau", "Muller",
    "Nicolas", "Perrin", "Petit", "Richard", "Robert", "Robin", "Rousseau",
    "Roux", "Simon", "Thomas", "Vincent", "Blanc", "Boyer", "Brun", "Caron",
    "Colin", "Faure", "Garnier", "Henry", "Lemaire", "Masson", "Mathieu",
]  # fmt: skip
# Forty members of each organization have this surname, which no other name
# contains: the benchmark's search finds as many people at every size, so
# that it compares searching, not showing more results.
SEARCH = "Delacroix"
SEARCHED = 40


def member_name(size: int, number: int) -> str:
    people = random.Random(f"{size}:{number}")
    first = people.choice(FIRST_NAMES)
    if number % (size // SEARCHED) == 1:
        return f"{first} {SEARCH}"
    return f"{first} {people.choice(LAST_NAMES)}"


def member_email(size: int, number: int) -> str:
    plain = unicodedata.normalize("NFKD", member_name(size, number))
    plain = plain.encode("ascii", "ignore").decode().lower().replace(" ", ".")
    return f"{plain}.{number}@bench{size}.example"


def survey_count(size: int) -> int:
    return 20 if size <= 1_000 else 180


def seed_organization(size: int, progress: Progress = print) -> Organization:
    """An organization of `size` members (one administrator, who also
    manages its contract), a connected contract of three plans sized to the
    membership with 80% of its seats in use and the history that gave them,
    and surveys owned by Professional members, open and sent by link, with
    5,000 responses each. Idempotent: an organization already seeded with
    this shape is returned as it is."""
    name = organization_name(size)
    existing = Organization.objects.filter(name=name).first()
    if existing is not None and _complete(existing, size):
        progress(f"  {name}: already seeded, reused")
        return existing
    started = timezone.now()
    with transaction.atomic():
        if existing is not None:
            progress(f"  {name}: seeded with another shape, seeding again")
            _delete(existing, size)
        organization = Organization.objects.create(name=name)
        admin_id, member_ids = _members(organization, size)
        progress(f"  {name}: {size:,} members")
        contract, holders = _contract(organization, size, admin_id, member_ids)
        seats = sum(len(users) for users in holders.values())
        progress(f"  {name}: contract {contract.reference}, {seats:,} seats")
        responses = _surveys(organization, size, holders["professional"])
        progress(f"  {name}: {survey_count(size)} surveys, {responses:,} responses")
    with connection.cursor() as cursor:
        # Statistics and visibility maps, as a database in service has them.
        cursor.execute("VACUUM ANALYZE")
    seconds = (timezone.now() - started).total_seconds()
    progress(f"  {name}: seeded in {seconds:.0f} s")
    return organization


def _complete(organization: Organization, size: int) -> bool:
    contract = Contract.objects.filter(organization=organization).first()
    return (
        contract is not None
        and contract.customer == customer_name(size)
        and organization.memberships.count() == size
        and Survey.objects.filter(organization=organization).count()
        == survey_count(size)
    )


def _members(organization: Organization, size: int) -> tuple[int, list[int]]:
    password = make_password(BENCH_PASSWORD)
    now = timezone.now()
    _copy(
        User,
        [
            "email",
            "full_name",
            "password",
            "is_superuser",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        (
            (
                admin_email(size) if number == 0 else member_email(size, number),
                "Bench Administrator" if number == 0 else member_name(size, number),
                password,
                False,
                False,
                True,
                now,
            )
            for number in range(size)
        ),
    )
    users = dict(
        User.objects.filter(email__endswith=f"@bench{size}.example").values_list(
            "email", "pk"
        )
    )
    admin_id = users[admin_email(size)]
    _copy(
        Membership,
        [
            "organization_id",
            "user_id",
            "role",
            "created_at",
            "is_active",
            "external_id",
        ],
        (
            (
                organization.pk,
                user_id,
                Role.ADMINISTRATOR if user_id == admin_id else Role.COLLABORATOR,
                now,
                True,
                "",
            )
            for user_id in users.values()
        ),
    )
    return admin_id, sorted(pk for pk in users.values() if pk != admin_id)


def _contract(
    organization: Organization, size: int, admin_id: int, member_ids: list[int]
) -> tuple[Contract, dict[str, list[int]]]:
    """The contract, its allotments, the seats in use (given to members
    picked at random, the same ones each time), and one history event per
    seat given, spread over the month since it was connected."""
    now = timezone.now()
    today = timezone.localdate()
    contract = Contract.objects.create(
        reference=f"BENCH-{size}",
        customer=customer_name(size),
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=365),
        organization=organization,
        connected_at=now - datetime.timedelta(days=30),
        auto_assign=True,
    )
    contract.managers.add(admin_id)
    Event.objects.create(
        kind=EventKind.CONNECTED,
        contract=contract,
        organization=organization,
        actor_id=admin_id,
        created_at=contract.connected_at,
    )
    shuffled = list(member_ids)
    random.Random(size).shuffle(shuffled)
    cursor = 0
    seats = []
    holders = {}
    for code, share in PLAN_SHARES.items():
        plan = Plan.objects.get(code=code)
        allotted = max(2, int(size * share))
        in_use = int(allotted * IN_USE)
        # Counted as the seat services count them: the seats are copied in
        # below, bypassing them.
        Allotment.objects.create(
            contract=contract, plan=plan, seats=allotted, seats_used=in_use
        )
        holders[code] = shuffled[cursor : cursor + in_use]
        seats.extend((plan.pk, user_id) for user_id in holders[code])
        cursor += in_use
    # Given in no particular order over the month.
    random.Random(size).shuffle(seats)
    step = datetime.timedelta(days=30) / max(len(seats), 1)
    given = [contract.connected_at + step * (index + 1) for index in range(len(seats))]
    _copy(
        Seat,
        [
            "contract_id",
            "plan_id",
            "user_id",
            "source",
            "feature",
            "assigned_by_id",
            "assigned_at",
        ],
        (
            (contract.pk, plan_id, user_id, SeatSource.MANUAL, "", admin_id, at)
            for (plan_id, user_id), at in zip(seats, given, strict=True)
        ),
    )
    _copy(
        Event,
        [
            "kind",
            "contract_id",
            "organization_id",
            "actor_id",
            "member_id",
            "plan_id",
            "source",
            "feature",
            "detail",
            "created_at",
            "attempts",
        ],
        (
            (
                EventKind.SEAT_ASSIGNED,
                contract.pk,
                organization.pk,
                admin_id,
                user_id,
                plan_id,
                SeatSource.MANUAL,
                "",
                "",
                at,
                1,
            )
            for (plan_id, user_id), at in zip(seats, given, strict=True)
        ),
    )
    return contract, holders


def _surveys(organization: Organization, size: int, owners: list[int]) -> int:
    """Open surveys sent by link, each owned by a different Professional
    member (an unlimited plan: submits stay accepted), with three questions
    (a choice, a rating, a free text) and 5,000 responses answering all
    three. Returns the number of responses."""
    rng = random.Random(size)
    now = timezone.now()
    count = survey_count(size)
    survey_ids = _copy_with_ids(
        Survey,
        [
            "owner_id",
            "organization_id",
            "title",
            "description",
            "status",
            "response_count",
            "revision",
            "brand_colour",
            "brand_logo",
            "created_at",
            "opened_at",
        ],
        [
            (
                owners[index],
                organization.pk,
                f"Bench survey {index + 1} of {organization.name}",
                "How was the last team day?",
                SurveyStatus.OPEN,
                RESPONSES_PER_SURVEY,
                3,
                "",
                "",
                now - datetime.timedelta(days=20),
                now - datetime.timedelta(days=20),
            )
            for index in range(count)
        ],
    )
    kinds = [
        (QuestionKind.CHOICE, "Would you come back?"),
        (QuestionKind.RATING, "How was the welcome?"),
        (QuestionKind.TEXT, "Anything to add?"),
    ]
    question_ids = _copy_with_ids(
        Question,
        ["survey_id", "kind", "text", "required", "position"],
        [
            (survey_id, kind, text, True, position)
            for survey_id in survey_ids
            for position, (kind, text) in enumerate(kinds)
        ],
    )
    choice_ids = question_ids[0::3]
    option_ids = _copy_with_ids(
        Option,
        ["question_id", "label", "position"],
        [
            (question_id, label, position)
            for question_id in choice_ids
            for position, label in enumerate(CHOICES)
        ],
    )
    _copy(
        Distribution,
        ["survey_id", "channel", "token", "created_by_id", "created_at"],
        (
            (survey_id, Channel.LINK, secrets.token_urlsafe(24), owner_id, now)
            for survey_id, owner_id in zip(survey_ids, owners, strict=False)
        ),
    )
    span = datetime.timedelta(days=20).total_seconds()
    response_rows = [
        (
            survey_id,
            Channel.LINK,
            None,
            now - datetime.timedelta(seconds=span * (1 - n / RESPONSES_PER_SURVEY)),
        )
        for survey_id in survey_ids
        for n in range(RESPONSES_PER_SURVEY)
    ]
    response_ids = _copy_with_ids(
        Response,
        ["survey_id", "channel", "invitation_id", "submitted_at"],
        response_rows,
    )

    def answers() -> Iterable[tuple]:
        for index, response_id in enumerate(response_ids):
            survey = index // RESPONSES_PER_SURVEY
            choice, rating, text = question_ids[3 * survey : 3 * survey + 3]
            options = option_ids[len(CHOICES) * survey : len(CHOICES) * (survey + 1)]
            yield (response_id, choice, "", rng.choice(options), None)
            yield (response_id, rating, "", None, rng.randint(1, 5))
            yield (response_id, text, rng.choice(TEXTS), None, None)

    _copy(
        Answer, ["response_id", "question_id", "text", "option_id", "rating"], answers()
    )
    return len(response_ids)


def _delete(organization: Organization, size: int) -> None:
    """Everything a previous seed of this organization made, in SQL: the
    ORM's cascade would load a million rows to delete them."""

    def table(model) -> sql.Identifier:
        return sql.Identifier(model._meta.db_table)

    surveys = sql.SQL("SELECT id FROM {} WHERE organization_id = %(organization)s")
    surveys = surveys.format(table(Survey))
    of_surveys = sql.SQL("DELETE FROM {} WHERE survey_id IN ({})")
    of_rows = sql.SQL(
        "DELETE FROM {} WHERE {} IN (SELECT id FROM {} WHERE survey_id IN ({}))"
    )
    statements = [
        of_rows.format(
            table(Answer), sql.Identifier("response_id"), table(Response), surveys
        ),
        of_surveys.format(table(Response), surveys),
        of_rows.format(
            table(Option), sql.Identifier("question_id"), table(Question), surveys
        ),
        of_surveys.format(table(Question), surveys),
        of_surveys.format(table(Distribution), surveys),
        sql.SQL("DELETE FROM {} WHERE organization_id = %(organization)s").format(
            table(Survey)
        ),
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.cursor.execute(statement, {"organization": organization.pk})
    Contract.objects.filter(organization=organization).delete()
    Contract.objects.filter(reference=f"BENCH-{size}").delete()
    User.objects.filter(email__endswith=f"@bench{size}.example").delete()
    organization.delete()


def _copy(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY rows into a model's table through psycopg."""
    column_list = ", ".join(columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY {model._meta.db_table} ({column_list}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)


def _copy_with_ids(model, columns: list[str], rows: list[tuple]) -> list[int]:
    """COPY rows with ids taken from the table's identity sequence up front,
    so that rows referring to them can be copied next. Returns the ids, in
    the rows' order."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # Take a block of ids: the sequence moves past them in one call.
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
            [table, table, len(rows)],
        )
        last = cursor.fetchone()[0]
    first = last - len(rows) + 1
    ids = list(range(first, last + 1))
    _copy(
        model, ["id", *columns], ((pk, *row) for pk, row in zip(ids, rows, strict=True))
    )
    return ids
