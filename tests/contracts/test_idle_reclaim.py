"""Issue 11, point 9: reclaiming idle seats, off by default. A member who
used no paid feature for N days is reminded with a signed "Keep my plan"
link; their seat is freed M days later unless they kept it or used a paid
feature, and the email names the surveys that become inactive. The last
use is recorded by `feature_use` at most once a day per seat. Time moves
with time-machine; the sweep runs as the worker would run it."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import entitlements, services, sweeps
from contracts.models import Event, EventKind, Seat
from plans.models import Feature
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DAY0 = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=PARIS)


def at(days: int, hour: int = 9) -> datetime.datetime:
    return DAY0 + datetime.timedelta(days=days, hours=hour - 9)


@pytest.fixture
def traveller():
    with time_machine.travel(DAY0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def bob(traveller, organization, admin_user):
    contract = ContractFactory(
        reference="ACME-2027",
        seats={"professional": 3},
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2028, 1, 1),
    )
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    bob = MembershipFactory(
        organization=organization,
        user__email="bob@acme.example",
        user__full_name="Bob Bernard",
    )
    services.member_plan_set(
        organization=organization,
        user=bob.user,
        plan=plan("professional"),
        actor=admin_user,
    )
    survey = SurveyFactory(
        owner=bob.user, organization=organization, open=True, title="Canteen"
    )
    link_add(survey)
    responses_add(survey, 120, answers=False)
    return bob


@pytest.fixture
def policy_on(organization, admin_user):
    return services.reclaim_policy_set(
        organization=organization,
        enabled=True,
        remind_days=30,
        reclaim_days=7,
        actor=admin_user,
    )


def _sweep(traveller, moment, capture):
    traveller.move_to(moment)
    with capture(execute=True):
        return sweeps.idle_seat_sweep(now=moment)


def _keep_url(message) -> str:
    return re.search(r"http://localhost:8000(/keep-my-plan/\S+/)", message.body)[1]


def test_an_idle_member_is_reminded_then_their_seat_reclaimed(
    traveller, bob, policy_on, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert _sweep(traveller, at(29), capture) == 0
    assert _sweep(traveller, at(30), capture) == 1
    [reminder] = mailoutbox
    assert reminder.to == ["bob@acme.example"]
    assert reminder.subject == "Keep your Professional plan?"
    assert "since March 1, 2027" in reminder.body
    assert "it will be freed on that day" in reminder.body
    assert "before April 7, 2027" in reminder.body
    event = Event.objects.get(kind=EventKind.IDLE_REMINDED)
    assert (event.member, event.detail) == (bob.user, "idle since 2027-03-01")
    # The worker runs every minute: nothing twice.
    assert _sweep(traveller, at(30, hour=10), capture) == 0
    assert len(mailoutbox) == 1

    assert _sweep(traveller, at(36), capture) == 0
    assert Seat.objects.filter(user=bob.user).exists()
    assert _sweep(traveller, at(37), capture) == 1
    assert not Seat.objects.filter(user=bob.user).exists()
    [reclaimed] = mailoutbox[1:]
    assert reclaimed.to == ["bob@acme.example"]
    assert reclaimed.subject == "Your Professional plan was freed"
    assert "These surveys have more responses than the Free plan" in reclaimed.body
    assert "- Canteen" in reclaimed.body
    event = Event.objects.get(kind=EventKind.SEAT_RECLAIMED)
    assert (event.member, event.plan.code, event.source) == (
        bob.user,
        "professional",
        "automatic",
    )
    # Freed through the seat service, like any seat.
    assert Event.objects.filter(kind=EventKind.SEAT_RELEASED, member=bob.user).exists()
    assert _sweep(traveller, at(38), capture) == 0


def test_keep_my_plan_asks_on_get_and_keeps_on_post(
    traveller, bob, policy_on, client, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _sweep(traveller, at(30), capture)
    url = _keep_url(mailoutbox[0])

    traveller.move_to(at(33))
    page = client.get(url)
    assert page.status_code == 200
    assert "about to be freed" in page.text
    seat = Seat.objects.get(user=bob.user)
    assert (seat.idle_reminded_on, seat.last_used_on) == (
        datetime.date(2027, 3, 31),
        None,
    )

    answer = client.post(url)
    assert "You keep your Professional plan" in answer.text
    seat.refresh_from_db()
    assert (seat.idle_reminded_on, seat.last_used_on) == (
        None,
        datetime.date(2027, 4, 3),
    )
    event = Event.objects.get(kind=EventKind.IDLE_KEPT)
    assert (event.actor, event.member) == (bob.user, bob.user)
    # Used once: a second click changes nothing.
    assert "has expired or was used already" in client.post(url).text
    assert Event.objects.filter(kind=EventKind.IDLE_KEPT).count() == 1

    assert _sweep(traveller, at(37), capture) == 0
    assert Seat.objects.filter(user=bob.user).exists()
    # The clock started again on the day kept: reminded 30 days later.
    assert _sweep(traveller, at(33 + 30), capture) == 1


def test_the_keep_link_expires_with_the_window_and_refuses_tampering(
    traveller, bob, policy_on, client, mailoutbox, django_capture_on_commit_callbacks
):
    _sweep(traveller, at(30), django_capture_on_commit_callbacks)
    url = _keep_url(mailoutbox[0])
    assert "about to be freed" in client.get(url).text
    assert "has expired or was used already" in client.get(url[:-3] + "xx/").text
    tampered = client.post(url[:-3] + "xx/")
    assert "has expired or was used already" in tampered.text
    traveller.move_to(at(37))
    assert "has expired or was used already" in client.get(url).text
    assert "has expired or was used already" in client.post(url).text
    assert not Event.objects.filter(kind=EventKind.IDLE_KEPT).exists()


def test_using_a_paid_feature_after_the_reminder_keeps_the_seat(
    traveller, bob, policy_on, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _sweep(traveller, at(30), capture)
    traveller.move_to(at(32))
    use = entitlements.feature_use(user=bob.user, feature=Feature.REPORT_EXPORT)
    assert use.allowed
    assert _sweep(traveller, at(37), capture) == 0
    assert Seat.objects.get(user=bob.user).last_used_on == datetime.date(2027, 4, 2)


def test_nothing_happens_while_the_policy_is_off(
    traveller, bob, mailoutbox, django_capture_on_commit_callbacks
):
    assert _sweep(traveller, at(400), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_the_page_previews_who_would_be_reminded_and_reclaimed_before_switching_on(
    traveller, organization, bob, user_client, admin_user
):
    carol = MembershipFactory(organization=organization, user__full_name="Carol Roux")
    services.member_plan_set(
        organization=organization,
        user=carol.user,
        plan=plan("professional"),
        actor=admin_user,
    )
    Seat.objects.filter(user=bob.user).update(
        idle_reminded_on=datetime.date(2027, 3, 20)
    )
    traveller.move_to(at(40))
    admin_client = user_client(admin_user)
    url = reverse("contracts:idle-policy", args=[organization.pk])
    page = admin_client.get(
        url, {"preview": "1", "remind_days": "30", "reclaim_days": "7"}
    )
    assert page.status_code == 200
    assert "The policy is off" in page.text
    assert "1 member would be reminded" in page.text
    assert "1 plan would be freed" in page.text
    reminded, freed = page.text.split("would be reminded")[1].split("would be freed")
    assert "Carol Roux" in reminded and "Bob Bernard" not in reminded
    assert "Bob Bernard" in freed
    # A preview changes nothing.
    organization.refresh_from_db()
    assert not organization.idle_reclaim

    response = admin_client.post(
        url, {"enabled": "on", "remind_days": "30", "reclaim_days": "7"}
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (
        organization.idle_reclaim,
        organization.idle_remind_days,
        organization.idle_reclaim_days,
    ) == (True, 30, 7)
    event = Event.objects.get(kind=EventKind.RECLAIM_POLICY_SET)
    assert event.actor == admin_user
    assert "reminder after 30 days" in event.detail
    contract_page = admin_client.get(
        reverse("contracts:organization-contract", args=[organization.pk])
    )
    assert "On: a member who uses no paid feature for 30 days" in contract_page.text


def test_feature_use_writes_the_last_use_at_most_once_a_day(traveller, bob):
    def use():
        with CaptureQueriesContext(connection) as queries:
            assert entitlements.feature_use(
                user=bob.user, feature=Feature.REPORT_EXPORT
            ).allowed
        return [q["sql"] for q in queries.captured_queries]

    first = use()
    writes = [sql for sql in first if sql.startswith('UPDATE "contracts_seat"')]
    assert len(writes) == 1
    second = use()
    assert not any(sql.startswith("UPDATE") for sql in second)
    assert len(second) == len(first) - 1
    assert Seat.objects.get(user=bob.user).last_used_on == datetime.date(2027, 3, 1)

    traveller.move_to(at(1))
    third = use()
    assert len([sql for sql in third if sql.startswith("UPDATE")]) == 1
    assert Seat.objects.get(user=bob.user).last_used_on == datetime.date(2027, 3, 2)
