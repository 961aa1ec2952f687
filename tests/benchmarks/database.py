"""The benchmark's own PostgreSQL database, created when missing."""

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def ensure(url: str) -> None:
    """Create the database the URL names unless it exists (connecting to the
    server's `postgres` database to do so)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"The benchmark needs PostgreSQL, not {parts.scheme}.")
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            )


def display(url: str) -> str:
    """The URL without its password, for the progress lines."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
