"""Issue 11, point 8: low-seat alerts. Each allotment has a threshold (10 %
of its seats, at least 1, unless set); when the seats left fall to it, the
organization's administrators and the contract's managers are emailed once,
and again only after more were left in between. The contract pages show a
banner while it lasts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services, sweeps
from contracts.models import Allotment, Event, EventKind, SeatSource
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return UserFactory(email="dave@globex.example")


@pytest.fixture
def contract(organization, admin_user, manager):
    contract = ContractFactory(
        reference="ACME-2027", seats={"professional": 10}, managers=[manager]
    )
    return services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )


def _give(organization, admin_user, count):
    members = MembershipFactory.create_batch(count, organization=organization)
    for membership in members:
        services.member_plan_set(
            organization=organization,
            user=membership.user,
            plan=plan("professional"),
            actor=admin_user,
        )
    return members


def _alerts(mailoutbox):
    return [message for message in mailoutbox if "left on contract" in message.subject]


def test_the_default_threshold_is_a_tenth_of_the_seats_at_least_one():
    assert [Allotment(seats=seats).alert_at for seats in (0, 1, 9, 10, 25, 100)] == [
        1,
        1,
        1,
        1,
        2,
        10,
    ]
    assert Allotment(seats=100, alert_threshold=0).alert_at == 0


def test_crossing_the_threshold_alerts_once_and_again_after_going_back_above(
    organization,
    admin_user,
    manager,
    contract,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        members = _give(organization, admin_user, 8)
    assert _alerts(mailoutbox) == []

    with django_capture_on_commit_callbacks(execute=True):
        members += _give(organization, admin_user, 2)  # 1 left, then 0
    alerts = _alerts(mailoutbox)
    assert {message.to[0] for message in alerts} == {admin_user.email, manager.email}
    assert len(alerts) == 2
    assert alerts[0].subject == "Only 1 Professional seat left on contract ACME-2027"
    assert "Only 1 Professional seat of 10 is left" in alerts[0].body
    assert Event.objects.filter(kind=EventKind.LOW_SEATS).count() == 1
    assert Allotment.objects.get().low_seats_alerted

    # Back to 1 left: still at the threshold, nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        services.member_plan_set(
            organization=organization,
            user=members[0].user,
            plan=plan("free"),
            actor=admin_user,
        )
    assert len(_alerts(mailoutbox)) == 2
    assert Allotment.objects.get().low_seats_alerted
    # 2 left: above the threshold, the alert is armed again.
    with django_capture_on_commit_callbacks(execute=True):
        services.member_plan_set(
            organization=organization,
            user=members[1].user,
            plan=plan("free"),
            actor=admin_user,
        )
    assert not Allotment.objects.get().low_seats_alerted
    assert len(_alerts(mailoutbox)) == 2
    # Down to 1 again: a second alert.
    with django_capture_on_commit_callbacks(execute=True):
        _give(organization, admin_user, 1)
    assert len(_alerts(mailoutbox)) == 4
    assert Event.objects.filter(kind=EventKind.LOW_SEATS).count() == 2


def test_the_sweep_alerts_seats_taken_outside_the_services_once(
    organization, contract, mailoutbox, django_capture_on_commit_callbacks
):
    """Seats written without `seat_put` (a data import, say) are caught by
    the sweep within a minute; a second run finds nothing to do."""
    SeatFactory.create_batch(9, contract=contract, plan=plan("professional"))
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeps.low_seat_sweep(now=now) == 1
        assert sweeps.low_seat_sweep(now=now + datetime.timedelta(minutes=1)) == 0
    assert len(_alerts(mailoutbox)) == 2


def test_administrators_and_managers_set_the_threshold_and_see_the_banner(
    organization, admin_client, manager, contract, user_client, admin_user
):
    _give(organization, admin_user, 5)
    page = reverse("contracts:organization-contract", args=[organization.pk])
    assert "seats of 10 are left" not in admin_client.get(page).text

    response = admin_client.post(
        reverse("contracts:alert-threshold", args=[organization.pk]),
        {"plan": "professional", "threshold": "5"},
    )
    assert response.status_code == 302
    allotment = Allotment.objects.get()
    assert (allotment.alert_threshold, allotment.low_seats_alerted) == (5, True)
    event = Event.objects.get(kind=EventKind.ALERT_THRESHOLD_SET)
    assert (event.actor, event.detail, event.source) == (
        admin_user,
        "5",
        SeatSource.MANUAL,
    )
    assert "Only 5 Professional seats of 10 are left." in admin_client.get(page).text

    manager_client = user_client(manager)
    response = manager_client.post(
        reverse("contracts:account-alert-threshold", args=[contract.pk]),
        {"plan": "professional", "threshold": ""},
    )
    assert response.status_code == 302
    allotment.refresh_from_db()
    assert (allotment.alert_threshold, allotment.low_seats_alerted) == (None, False)
    page = manager_client.get(contract.get_absolute_url()).text
    assert "You will be told when 1 Professional seats or fewer are left." in page
    assert "Professional seats of 10 are left" not in page


def test_a_threshold_above_the_seats_is_refused(organization, admin_client, contract):
    response = admin_client.post(
        reverse("contracts:alert-threshold", args=[organization.pk]),
        {"plan": "professional", "threshold": "11"},
        follow=True,
    )
    assert "The threshold must be between 0 and 10 seats." in response.text
    assert Allotment.objects.get().alert_threshold is None
