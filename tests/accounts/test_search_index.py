"""The members and seats searches (`icontains` on a person's name and email,
see organizations.selectors.membership_list_for_organization and
contracts.selectors.seat_list)
are served by trigram indexes on PostgreSQL (accounts/migrations/0002): a
pattern that starts with a wildcard cannot use a B-tree, and without them
every search reads the whole user table. The indexes only serve a query
whose expression is theirs, so these tests fail if Django's `icontains`
SQL or the indexes change apart."""

import pytest
from django.db import connection
from django.db.models import Q

from accounts.models import User
from tests.concurrency import postgresql_only

pytestmark = [pytest.mark.django_db, postgresql_only]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test's table is small enough to read whole, by itself or along
        # another index: forbid both, to see whether an index can serve the
        # search at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_search_by_name_or_email_uses_both_indexes():
    plan = _plan(
        User.objects.filter(
            Q(email__icontains="dupont") | Q(full_name__icontains="dupont")
        )
    )
    assert "Bitmap Index Scan on accounts_user_email_trgm" in plan
    assert "Bitmap Index Scan on accounts_user_full_name_trgm" in plan


def test_a_search_by_email_uses_its_index():
    plan = _plan(User.objects.filter(email__icontains="dupont"))
    assert "Bitmap Index Scan on accounts_user_email_trgm" in plan


def test_the_searched_columns_keep_finer_statistics():
    """A search is estimated from the column's histogram: with the default
    100 buckets a rare surname looked common, and the planner walked the
    whole email index of a large organization (accounts/migrations/0003)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute "
            "WHERE attrelid = 'accounts_user'::regclass "
            "AND attname IN ('email', 'full_name') ORDER BY attname"
        )
        assert cursor.fetchall() == [("email", 1000), ("full_name", 1000)]
