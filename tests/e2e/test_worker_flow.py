"""A browser flow with a live task worker: Alice takes Bob's plan back on
his member page; the page answers at once, and Bob's email leaves through a
`manage.py db_worker` process working the test database's queue (the
console mailer prints it on the worker's output), not through the request.
"""

from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contracts import services
from contracts.models import Seat
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.conftest import log_in, wait_for
from tests.markers import transactional_db, worker_process
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [transactional_db, worker_process]


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
    assert wait_for(lambda: not Seat.objects.filter(user=bob.user).exists())

    # Two emails to Bob: his plan given (before the page), then taken back.
    emails = DBTaskResult.objects.filter(task_path="accounts.tasks.email_send")
    assert wait_for(
        lambda: emails.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    ), live_worker.read_text()
    taken_back = emails.order_by("enqueued_at").last().args_kwargs["kwargs"]
    assert taken_back["to"] == ["bob@acme.example"]
    assert "ACME-2027 was taken back" in taken_back["body"]
    assert wait_for(lambda: "To: bob@acme.example" in live_worker.read_text())
    assert "Subject: Your plan has changed" in live_worker.read_text()
