"""A contract's end (issue 11, point 11), by time travel through the worker's
sweep and the real task queue: the pages say "ends in N days" in the last
30 days; managers and administrators are emailed 30 and 7 days before and
on the last day, once each; the day after, the members fall back to their
best other plan or Free, with one history event and an email to each member
who lost a plan naming their surveys that went inactive. An end date moved
later by support clears the warning, and the new end gets its own notices."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from contracts import entitlements, services
from contracts.models import ContractEndNotice, Event, EventKind, SeatSource
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
END = datetime.date(2027, 3, 31)
SWEEP = "contracts.services.contract_end.contract_end_sweep"


def _on(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=PARIS)


def _before_end(days: int) -> datetime.datetime:
    return _on(END - datetime.timedelta(days=days))


@pytest.fixture
def world(settings, time_machine, organization, admin_user):
    """Contract CTR-END of Acme ends on END; Mia manages it; Bob holds its
    Professional plan and has a survey with 120 responses (over Free's 100);
    Carol holds Professional too, and Reader+ from another contract."""
    settings.LIFECYCLE_SWEEPS = [SWEEP]
    time_machine.move_to(_before_end(60), tick=False)
    mia = UserFactory(email="mia@example.test")
    contract = ContractFactory(
        reference="CTR-END",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=END,
        managers=[mia],
        seats={"professional": 5},
    )
    contract.managers.add(admin_user)
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    contract.managers.remove(admin_user)
    bob = MembershipFactory(
        organization=organization, user=UserFactory(email="bob@example.test")
    ).user
    carol = MembershipFactory(
        organization=organization, user=UserFactory(email="carol@example.test")
    ).user
    for member in (bob, carol):
        services.member_plan_set(
            organization=organization,
            user=member,
            plan=plan("professional"),
            actor=admin_user,
        )
    other = ContractFactory(ends_on=datetime.date(2028, 1, 1), managers=[mia])
    other.allotments.create(plan=plan("reader-plus"), seats=1)
    elsewhere = OrganizationFactory(name="Elsewhere")
    MembershipFactory(organization=elsewhere, user=mia, administrator=True)
    services.contract_connect(organization=elsewhere, contract=other, actor=mia)
    MembershipFactory(organization=elsewhere, user=carol)
    services.member_plan_set(
        organization=elsewhere, user=carol, plan=plan("reader-plus"), actor=mia
    )
    survey = SurveyFactory(
        owner=bob, organization=organization, open=True, title="Satisfaction"
    )
    link_add(survey)
    responses_add(survey, 120, answers=False)
    small = SurveyFactory(
        owner=bob, organization=organization, open=True, title="Small one"
    )
    link_add(small)
    contract.refresh_from_db()
    return {"contract": contract, "mia": mia, "bob": bob, "carol": carol}


@pytest.fixture
def tick(db_tasks, mailoutbox, django_capture_on_commit_callbacks):
    """Run the sweeps at the current (travelled) time, then the queued
    emails through the worker; return the emails it sent."""

    def run() -> list:
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("lifecycle_tick", stdout=StringIO())
        db_tasks.run()
        return list(mailoutbox)

    return run


def _pages(world, administrator):
    """The manager's contract page and the organization's, each read by a
    client logged in now (a session from before a jump in time expires)."""
    contract = world["contract"]
    pages = []
    for user, url in (
        (world["mia"], contract.get_absolute_url()),
        (
            administrator,
            reverse("contracts:organization-contract", args=[contract.organization_id]),
        ),
    ):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.text)
    return pages


def _subjects(emails):
    return sorted((message.to[0], message.subject) for message in emails)


def test_the_pages_say_ends_in_n_days_only_in_the_last_30_days(
    world, time_machine, admin_user
):
    time_machine.move_to(_before_end(31), tick=False)
    for page in _pages(world, admin_user):
        assert "This contract ends in" not in page
    time_machine.move_to(_before_end(30), tick=False)
    for page in _pages(world, admin_user):
        assert "This contract ends in 30 days, on March 31, 2027" in page
    time_machine.move_to(_before_end(1), tick=False)
    for page in _pages(world, admin_user):
        assert "This contract ends in 1 day, on March 31, 2027" in page
    time_machine.move_to(_before_end(0), tick=False)
    for page in _pages(world, admin_user):
        assert "This contract ends today" in page
    time_machine.move_to(_on(END + datetime.timedelta(days=1)), tick=False)
    for page in _pages(world, admin_user):
        assert "This contract ends" not in page


def test_managers_and_administrators_are_emailed_30_and_7_days_before_and_on_the_day(
    world, time_machine, tick, admin_user
):
    recipients = {admin_user.email, "mia@example.test"}
    time_machine.move_to(_before_end(31), tick=False)
    assert tick() == []
    time_machine.move_to(_before_end(30), tick=False)
    assert _subjects(tick()) == sorted(
        (to, "Contract CTR-END ends in 30 days") for to in recipients
    )
    # Later that day and the next days: nothing again.
    time_machine.shift(datetime.timedelta(hours=2))
    assert tick() == []
    time_machine.move_to(_before_end(29), tick=False)
    assert tick() == []
    time_machine.move_to(_before_end(7), tick=False)
    emails = tick()
    assert _subjects(emails) == sorted(
        (to, "Contract CTR-END ends in 7 days") for to in recipients
    )
    assert "ends in 7 days, on March 31, 2027" in emails[0].body
    time_machine.move_to(_before_end(6), tick=False)
    assert tick() == []
    time_machine.move_to(_before_end(0), tick=False)
    assert _subjects(tick()) == sorted(
        (to, "Contract CTR-END ends today") for to in recipients
    )
    assert tick() == []
    assert ContractEndNotice.objects.count() == 3


def test_a_notice_missed_while_the_worker_was_stopped_is_the_nearest_one_only(
    world, time_machine, tick
):
    time_machine.move_to(_before_end(5), tick=False)
    assert {email.subject for email in tick()} == {"Contract CTR-END ends in 5 days"}
    assert list(ContractEndNotice.objects.values_list("notice", flat=True)) == [
        "7_days"
    ]


def test_after_the_end_members_fall_back_with_one_event_and_an_email_each(
    world, time_machine, tick
):
    contract, bob, carol = world["contract"], world["bob"], world["carol"]
    time_machine.move_to(_on(END + datetime.timedelta(days=1)), tick=False)
    assert entitlements.effective_plan(bob).code == "free"
    assert entitlements.effective_plan(carol).code == "reader-plus"
    emails = {message.to[0]: message for message in tick()}
    assert set(emails) == {"bob@example.test", "carol@example.test"}
    assert (
        emails["bob@example.test"].subject
        == "Contract CTR-END has ended: your plan is now Free"
    )
    assert "- Satisfaction" in emails["bob@example.test"].body
    assert "Small one" not in emails["bob@example.test"].body
    assert "no longer accepts responses" in emails["bob@example.test"].body
    assert (
        emails["carol@example.test"].subject
        == "Contract CTR-END has ended: your plan is now Reader+"
    )
    assert "responses:" not in emails["carol@example.test"].body
    ended = Event.objects.get(kind=EventKind.CONTRACT_ENDED)
    assert ended.contract == contract
    assert ended.detail == "2027-03-31"
    # The next days: no second event, no second email.
    time_machine.move_to(_on(END + datetime.timedelta(days=2)), tick=False)
    assert tick() == []
    assert Event.objects.filter(kind=EventKind.CONTRACT_ENDED).count() == 1


def test_the_history_shows_the_end(world, time_machine, tick, admin_user):
    time_machine.move_to(_on(END + datetime.timedelta(days=1)), tick=False)
    tick()
    assert "Contract ended" in _pages(world, admin_user)[0]


def test_extending_the_contract_clears_the_warning_and_the_new_end_gets_notices(
    world, time_machine, tick, admin_user
):
    contract = world["contract"]
    time_machine.move_to(_before_end(7), tick=False)
    assert len(tick()) == 2
    services.contract_extend(
        contract=contract,
        ends_on=END + datetime.timedelta(days=90),
        actor=UserFactory(is_staff=True),
        source=SeatSource.SUPPORT,
    )
    contract.refresh_from_db()
    for page in _pages(world, admin_user):
        assert "This contract ends" not in page
    assert tick() == []
    time_machine.move_to(
        _on(contract.ends_on - datetime.timedelta(days=30)), tick=False
    )
    assert {email.subject for email in tick()} == {"Contract CTR-END ends in 30 days"}
    # The first end date passes: nobody loses anything.
    time_machine.move_to(_on(END + datetime.timedelta(days=1)), tick=False)
    assert tick() == []
    assert not Event.objects.filter(kind=EventKind.CONTRACT_ENDED).exists()
