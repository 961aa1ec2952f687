"""Seed PostgreSQL with organizations of a given size, fast, with COPY.

Rows go in through the models' tables directly: this is bulk loading for the
benchmark, like loaddata, not a user's change of state.
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from contracts.models import Allotment, Contract, Seat
from organizations.models import Membership, Organization, Role
from plans.models import Plan

BENCH_PASSWORD = "bench"

# Per organization: the contract's plans, as shares of the member count, and
# how many of those seats are in use.
PLAN_SHARES = {"professional": 0.35, "starter": 0.25, "reader-plus": 0.25}
IN_USE = 0.8


def organization_name(size: int) -> str:
    return f"Bench {size}"


def admin_email(size: int) -> str:
    return f"admin@bench{size}.example"


def member_email(size: int, number: int) -> str:
    return f"m{number:07d}@bench{size}.example"


def seed_organization(size: int) -> Organization:
    """An organization of `size` members (one administrator, who also
    manages its contract), a connected contract of three plans sized to the
    membership, 80% of its seats in use. Idempotent: an organization already
    seeded at this size is returned as it is."""
    name = organization_name(size)
    existing = Organization.objects.filter(name=name).first()
    if existing is not None and existing.memberships.count() == size:
        return existing
    with transaction.atomic():
        if existing is not None:
            _delete(existing)
        organization = Organization.objects.create(name=name)
        password = make_password(BENCH_PASSWORD)
        now = timezone.now()
        _copy(
            User._meta.db_table,
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
                    f"Bench Member {number:07d}",
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
            Membership._meta.db_table,
            ["organization_id", "user_id", "role", "created_at"],
            (
                (
                    organization.pk,
                    user_id,
                    Role.ADMINISTRATOR if user_id == admin_id else Role.COLLABORATOR,
                    now,
                )
                for user_id in users.values()
            ),
        )
        today = timezone.localdate()
        contract = Contract.objects.create(
            reference=f"BENCH-{size}",
            customer=name,
            starts_on=today - datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=365),
            organization=organization,
            connected_at=now,
            auto_assign=True,
        )
        contract.managers.add(admin_id)
        member_ids = sorted(pk for pk in users.values() if pk != admin_id)
        cursor = 0
        seats = []
        for code, share in PLAN_SHARES.items():
            plan = Plan.objects.get(code=code)
            allotment = Allotment.objects.create(
                contract=contract, plan=plan, seats=max(2, int(size * share))
            )
            in_use = int(allotment.seats * IN_USE)
            seats.extend(
                (contract.pk, plan.pk, user_id, "manual", "", admin_id, now)
                for user_id in member_ids[cursor : cursor + in_use]
            )
            cursor += in_use
        _copy(
            Seat._meta.db_table,
            [
                "contract_id",
                "plan_id",
                "user_id",
                "source",
                "feature",
                "assigned_by_id",
                "assigned_at",
            ],
            seats,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return organization


def _delete(organization: Organization) -> None:
    Contract.objects.filter(organization=organization).delete()
    User.objects.filter(memberships__organization=organization).delete()
    organization.delete()


def _copy(table: str, columns: list[str], rows) -> None:
    """COPY rows into a table through psycopg."""
    column_list = ", ".join(columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
