"""Trigram indexes for searching people by part of their name or email.

The members and seats searches filter with `icontains`, which PostgreSQL
runs as `UPPER(column::text) LIKE UPPER('%words%')`: a B-tree cannot serve
a pattern that starts with a wildcard, so without these every search reads
the whole user table. The indexes are on the same expressions, so the
planner matches them. PostgreSQL only (pg_trgm is a trusted extension, which
the database's owner may create); SQLite keeps scanning, which suits the
small databases it serves.
"""

from django.db import migrations

INDEXES = {
    "accounts_user_email_trgm": "email",
    "accounts_user_full_name_trgm": "full_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON accounts_user "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
