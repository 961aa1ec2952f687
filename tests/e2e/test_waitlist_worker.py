"""Issue 11's waitlist with a live worker: the contract's last Reader+ seat
is Bob's; Carol, a reader refused real data, joins the waitlist from the
report; Alice takes Bob's plan back on his member page; within a minute the
`manage.py db_worker` process gives Carol the freed seat (automatic
assignment is on), she sees it under "My plan", and her email leaves
through the worker."""

from django.tasks import TaskResultStatus
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from contracts import services
from contracts.models import Seat, WaitlistEntry, WaitlistStatus
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.conftest import log_in, wait_for
from tests.markers import transactional_db, worker_process
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, questions_add, responses_add

pytestmark = [transactional_db, worker_process]


def test_a_freed_seat_goes_to_the_waiting_member_within_a_minute(
    open_page, live_worker
):
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
    carol = MembershipFactory(
        organization=organization,
        reader=True,
        user__email="carol@acme.example",
        user__full_name="Carol",
    ).user
    contract = ContractFactory(reference="ACME-2027", seats={"reader-plus": 1})
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=alice
    )
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("reader-plus"), actor=alice
    )
    survey = SurveyFactory(
        owner=bob.user, organization=organization, open=True, title="Satisfaction"
    )
    questions_add(survey)
    responses_add(survey, 3)

    # No seat left: Carol reads simulated data and joins the waitlist.
    reader = open_page("en")
    log_in(reader, carol.email, PASSWORD, "en")
    reader.goto(reverse("surveys:survey-report", args=[survey.pk]))
    expect(reader.get_by_text("Simulated data")).to_be_visible()
    reader.get_by_role("button", name="Join the waitlist").click()
    expect(reader.get_by_role("button", name="Leave the waitlist")).to_be_visible()
    assert WaitlistEntry.objects.get(user=carol).status == WaitlistStatus.WAITING

    # Alice takes Bob's plan back: the page answers at once; the seat goes
    # to Carol through the worker.
    admin = open_page("en")
    log_in(admin, alice.email, PASSWORD, "en")
    admin.goto(bob.get_absolute_url())
    admin.get_by_role("combobox", name="Plan", exact=True).select_option(label="Free")
    expect(admin.get_by_text("Saved", exact=True)).to_be_visible()
    assert wait_for(
        lambda: Seat.objects.filter(user=carol, plan=plan("reader-plus")).exists(),
        seconds=60,
    ), live_worker.read_text()
    assert WaitlistEntry.objects.get(user=carol).status == WaitlistStatus.GIVEN

    reader.goto("/")
    my_plan = reader.get_by_role("region", name="My plan")
    expect(my_plan.get_by_text("Reader+").first).to_be_visible()

    emails = DBTaskResult.objects.filter(task_path="accounts.tasks.email_send")
    assert wait_for(
        lambda: any(
            result.args_kwargs["kwargs"]["to"] == [carol.email]
            for result in emails.filter(status=TaskResultStatus.SUCCESSFUL)
        )
    ), live_worker.read_text()
    assert wait_for(lambda: "To: carol@acme.example" in live_worker.read_text())
