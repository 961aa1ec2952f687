"""Issue 11, point 10: an administrator schedules a member's plan change
(Free included) for a day from the member's page, sees it there and may
cancel it; the sweep carries it out on that day through the dropdown's
service, and one that can no longer apply is marked failed, written to the
history and emailed to the administrators."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from contracts import services, sweeps
from contracts.models import (
    Event,
    EventKind,
    ScheduledChange,
    ScheduledChangeState,
    Seat,
)
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = pytest.mark.django_db

DAY0 = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))


def at(days: int) -> datetime.datetime:
    return DAY0 + datetime.timedelta(days=days)


@pytest.fixture
def traveller():
    with time_machine.travel(DAY0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def contract(traveller, organization, admin_user):
    contract = ContractFactory(
        reference="ACME-2027",
        seats={"professional": 1, "reader-plus": 1},
        starts_on=datetime.date(2027, 1, 1),
        ends_on=datetime.date(2028, 1, 1),
    )
    return services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )


@pytest.fixture
def bob(contract, organization, admin_user):
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


def _schedule_url(member):
    return reverse(
        "contracts:member-plan-schedule", args=[member.organization_id, member.pk]
    )


def _sweep(traveller, moment, capture):
    traveller.move_to(moment)
    with capture(execute=True):
        return sweeps.scheduled_change_sweep(now=moment)


def test_a_change_back_to_free_is_previewed_scheduled_and_carried_out_on_its_day(
    traveller,
    bob,
    admin_client,
    admin_user,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    form = {"plan": "free", "on": "2027-03-06"}
    confirm = admin_client.post(_schedule_url(bob), form)
    assert confirm.status_code == 200
    assert "Give Bob Bernard the Free plan on March 6, 2027?" in confirm.text
    assert "Canteen" in confirm.text
    assert not ScheduledChange.objects.exists()

    response = admin_client.post(_schedule_url(bob), {**form, "confirmed": "1"})
    assert response.status_code == 302
    change = ScheduledChange.objects.get()
    assert (change.plan.code, change.on, change.state) == (
        "free",
        datetime.date(2027, 3, 6),
        ScheduledChangeState.PENDING,
    )
    event = Event.objects.get(kind=EventKind.CHANGE_SCHEDULED)
    assert (event.actor, event.member, event.detail) == (
        admin_user,
        bob.user,
        "2027-03-06",
    )
    page = admin_client.get(bob.get_absolute_url())
    assert "Free on March 6, 2027, scheduled by" in page.text

    capture = django_capture_on_commit_callbacks
    assert _sweep(traveller, at(4), capture) == 0
    assert Seat.objects.filter(user=bob.user).exists()
    assert _sweep(traveller, at(5), capture) == 1
    assert not Seat.objects.filter(user=bob.user).exists()
    change.refresh_from_db()
    assert change.state == ScheduledChangeState.DONE
    released = Event.objects.get(kind=EventKind.SEAT_RELEASED)
    assert (released.actor, released.member, released.source) == (
        admin_user,
        bob.user,
        "manual",
    )
    assert Event.objects.get(kind=EventKind.CHANGE_DONE).member == bob.user
    [email] = mailoutbox
    assert email.to == ["bob@acme.example"]
    assert "Your plan from contract ACME-2027 was taken back" in email.body
    assert _sweep(traveller, at(6), capture) == 0


def test_a_change_that_no_longer_applies_is_reported_not_dropped(
    traveller,
    contract,
    organization,
    admin_user,
    admin_client,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    carol = MembershipFactory(organization=organization, user__full_name="Carol Roux")
    services.plan_change_schedule(
        organization=organization,
        user=carol.user,
        plan=plan("professional"),
        on=datetime.date(2027, 3, 3),
        actor=admin_user,
    )
    # Meanwhile the last Professional seat goes to someone else.
    dan = MembershipFactory(organization=organization)
    services.member_plan_set(
        organization=organization,
        user=dan.user,
        plan=plan("professional"),
        actor=admin_user,
    )

    assert _sweep(traveller, at(2), django_capture_on_commit_callbacks) == 1
    change = ScheduledChange.objects.get()
    assert change.state == ScheduledChangeState.FAILED
    assert change.reason == "No Professional plan is left on contract ACME-2027."
    assert not Seat.objects.filter(user=carol.user).exists()
    event = Event.objects.get(kind=EventKind.CHANGE_FAILED)
    assert (event.member, event.detail) == (carol.user, change.reason)
    failed = [m for m in mailoutbox if "failed" in m.subject]
    assert [m.to for m in failed] == [[admin_user.email]]
    assert failed[0].subject == "A scheduled plan change for Carol Roux failed"
    assert "No Professional plan is left" in failed[0].body
    page = admin_client.get(carol.get_absolute_url())
    assert "Failed: the change to Professional on March 3, 2027" in page.text
    assert _sweep(traveller, at(3), django_capture_on_commit_callbacks) == 0


def test_a_cancelled_change_is_not_carried_out(
    traveller, bob, admin_client, admin_user, django_capture_on_commit_callbacks
):
    change = services.plan_change_schedule(
        organization=bob.organization,
        user=bob.user,
        plan=plan("reader-plus"),
        on=datetime.date(2027, 3, 2),
        actor=admin_user,
    )
    url = reverse(
        "contracts:member-plan-schedule-cancel",
        args=[bob.organization_id, bob.pk, change.pk],
    )
    assert admin_client.post(url).status_code == 302
    change.refresh_from_db()
    assert change.state == ScheduledChangeState.CANCELLED
    assert Event.objects.get(kind=EventKind.CHANGE_CANCELLED).actor == admin_user
    assert "scheduled by" not in admin_client.get(bob.get_absolute_url()).text
    assert _sweep(traveller, at(1), django_capture_on_commit_callbacks) == 0
    assert Seat.objects.get(user=bob.user).plan.code == "professional"


def test_a_second_change_or_a_past_day_is_refused(
    traveller, bob, admin_client, admin_user
):
    form = {"plan": "reader-plus", "confirmed": "1"}
    response = admin_client.post(
        _schedule_url(bob), {**form, "on": "2027-02-28"}, follow=True
    )
    assert "Pick today or a later day." in response.text
    admin_client.post(_schedule_url(bob), {**form, "on": "2027-03-05"})
    response = admin_client.post(
        _schedule_url(bob), {**form, "on": "2027-03-09"}, follow=True
    )
    assert "already scheduled for this member" in response.text
    assert ScheduledChange.objects.count() == 1
