"""A browser flow with a live task worker: Alice takes Bob's plan back on
his member page; the page answers at once, and Bob's email leaves through a
`manage.py db_worker` process working the test database's queue (the
console mailer prints it on the worker's output), not through the request.
"""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contracts import services
from contracts.models import Seat
from tests.accounts.factories import PASSWORD
from tests.conftest import DATABASE_TASKS
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [
    transactional_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process reaches the test database on PostgreSQL only",
    ),
]


@pytest.fixture
def live_worker(db_tasks, live_server, tmp_path):
    """`manage.py db_worker` in a process of its own, on the test database
    that the live server uses, with the database queue; yields the file its
    output goes to."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    output = tmp_path / "worker.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval=0.2",
            ],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_TASKS_BACKEND": DATABASE_TASKS,
                "EMAIL_URL": "consolemail://",
                "PYTHONUNBUFFERED": "1",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield output
    process.terminate()
    process.wait(timeout=10)


def _wait_for(condition, seconds=90):
    """Poll: a worker process starting on a busy machine takes a while."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_plan_taken_back_emails_the_member_through_the_worker(open_page, live_worker):
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization,
        administrator=True,
        user__email="alice@acme.example",
        user__full_name="Alice Martin",
    ).user
    bob = MembershipFactory(
        organization=organization,
        user__email="bob@acme.example",
        user__full_name="Bob Bernard",
    )
    contract = ContractFactory(reference="ACME-2027", seats={"professional": 3})
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )
    page = open_page("en")
    log_in(page, alice.email, PASSWORD, "en")
    page.goto(bob.get_absolute_url())
    page.wait_for_load_state()
    page.get_by_role("combobox", name="Plan", exact=True).select_option(label="Free")
    assert _wait_for(lambda: not Seat.objects.filter(user=bob.user).exists())

    # Two emails to Bob: his plan given (before the page), then taken back.
    emails = DBTaskResult.objects.filter(task_path="accounts.tasks.email_send")
    assert _wait_for(
        lambda: emails.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    ), live_worker.read_text()
    taken_back = emails.order_by("enqueued_at").last().args_kwargs["kwargs"]
    assert taken_back["to"] == ["bob@acme.example"]
    assert "ACME-2027 was taken back" in taken_back["body"]
    assert _wait_for(lambda: "To: bob@acme.example" in live_worker.read_text())
    assert "Subject: Your plan has changed" in live_worker.read_text()
