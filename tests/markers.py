import pytest
from django.db import connection

# Tests whose database work happens in other threads (real concurrency, the
# live server of browser tests) need real transactions. The flush after each
# such test would also delete the catalogue that the migrations seed:
# serialized_rollback puts it back.
transactional_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# PostgreSQL reads arrays of subqueries in the query that needs them (the
# public form's questions and options, the Members page's groups); other
# databases (the quick start's SQLite) read them in queries of their own.
ARRAYS_IN_ONE_QUERY = connection.vendor == "postgresql"

# A task worker in a process of its own reaches the test database on
# PostgreSQL only (SQLite's test database lives in the test process).
worker_process = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker process reaches the test database on PostgreSQL only",
)
