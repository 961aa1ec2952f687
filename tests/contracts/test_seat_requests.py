"""Issue 11, point 7: a member without a plan asks for one; the
administrators get one digest a day, answer from the Contract page, and the
member sees the state of their request."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from contracts import services
from contracts.exceptions import ContractError
from contracts.models import (
    Event,
    EventKind,
    Seat,
    SeatRequest,
    SeatRequestDigest,
    SeatRequestStatus,
)
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def contract(organization, admin_user):
    contract = ContractFactory(seats={"reader-plus": 2, "professional": 1})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    return contract


def _member(organization):
    return MembershipFactory(organization=organization, reader=True).user


def _at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, 0, tzinfo=PARIS)


class TestAsking:
    def test_asking_twice_keeps_one_pending_request(self, contract, organization):
        carol = _member(organization)
        first = services.seat_request_create(
            organization=organization, user=carol, reason="Reports for the board"
        )
        second = services.seat_request_create(organization=organization, user=carol)
        assert first.pk == second.pk
        assert first.reason == "Reports for the board"
        assert (
            Event.objects.filter(kind=EventKind.SEAT_REQUESTED, member=carol).count()
            == 1
        )

    def test_a_member_holding_a_plan_cannot_ask(
        self, contract, organization, admin_user
    ):
        carol = _member(organization)
        services.member_plan_set(
            organization=organization,
            user=carol,
            plan=plan("reader-plus"),
            actor=admin_user,
        )
        with pytest.raises(ContractError):
            services.seat_request_create(organization=organization, user=carol)
        assert not SeatRequest.objects.exists()

    def test_giving_a_plan_grants_the_request(self, contract, organization, admin_user):
        carol = _member(organization)
        request = services.seat_request_create(organization=organization, user=carol)
        services.seat_request_give(
            seat_request=request, plan=plan("reader-plus"), actor=admin_user
        )
        request.refresh_from_db()
        assert request.status == SeatRequestStatus.GRANTED
        assert request.plan == plan("reader-plus")
        assert request.answered_by == admin_user
        assert Seat.objects.get(user=carol).plan == plan("reader-plus")

    def test_declining_emails_the_member(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        carol = _member(organization)
        request = services.seat_request_create(organization=organization, user=carol)
        with django_capture_on_commit_callbacks(execute=True):
            services.seat_request_decline(seat_request=request, actor=admin_user)
        request.refresh_from_db()
        assert request.status == SeatRequestStatus.DECLINED
        assert [m.subject for m in mail.outbox if m.to == [carol.email]] == [
            "Your request for a plan was declined"
        ]
        with pytest.raises(ContractError):
            services.seat_request_give(
                seat_request=request, plan=plan("reader-plus"), actor=admin_user
            )


class TestDigest:
    def test_one_digest_a_day_lists_the_new_requests(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        carol, dan = _member(organization), _member(organization)
        services.seat_request_create(
            organization=organization, user=carol, reason="Board reports"
        )
        services.seat_request_create(organization=organization, user=dan)
        with django_capture_on_commit_callbacks(execute=True):
            # Before the digest hour: nothing yet.
            assert services.seat_request_digest_sweep(now=_at(2, 7)) == 0
            assert services.seat_request_digest_sweep(now=_at(2, 8)) == 1
            assert services.seat_request_digest_sweep(now=_at(2, 9)) == 0
        digests = [m for m in mail.outbox if m.to == [admin_user.email]]
        assert len(digests) == 1
        assert carol.display_name in digests[0].body
        assert "“Board reports”" in digests[0].body
        assert dan.display_name in digests[0].body
        # A request made later that day waits for the next day's digest.
        erin = _member(organization)
        services.seat_request_create(organization=organization, user=erin)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert services.seat_request_digest_sweep(now=_at(2, 15)) == 0
            assert services.seat_request_digest_sweep(now=_at(3, 8)) == 1
        (digest,) = [m for m in mail.outbox if m.to == [admin_user.email]]
        assert erin.display_name in digest.body
        assert carol.display_name not in digest.body
        assert SeatRequestDigest.objects.filter(organization=organization).count() == 2

    def test_no_digest_without_new_requests(self, contract, organization):
        assert services.seat_request_digest_sweep(now=_at(2, 10)) == 0
        assert not SeatRequestDigest.objects.exists()


class TestViews:
    def test_a_member_asks_from_the_home_page_and_sees_the_state(
        self, contract, organization, admin_user, client
    ):
        carol = _member(organization)
        client.force_login(carol)
        home = client.get(reverse("home"))
        assert "Ask for a plan" in home.text
        response = client.post(
            reverse("contracts:plan-request", args=[organization.pk]),
            {"reason": "Board reports"},
        )
        assert response.status_code == 302
        home = client.get(reverse("home"))
        assert "your request for a plan" in home.text
        assert "is pending" in home.text
        assert "Ask for a plan" not in home.text
        request = SeatRequest.objects.get(user=carol)
        services.seat_request_decline(seat_request=request, actor=admin_user)
        assert "was declined" in client.get(reverse("home")).text

    def test_an_administrator_gives_the_plan_from_the_contract_page(
        self, contract, organization, admin_user, admin_client
    ):
        carol = _member(organization)
        request = services.seat_request_create(
            organization=organization, user=carol, reason="Board reports"
        )
        page = admin_client.get(
            reverse("contracts:organization-contract", args=[organization.pk])
        )
        assert "Board reports" in page.text
        assert f"Give a plan to {carol.display_name}" in page.text
        response = admin_client.post(
            reverse("contracts:plan-request-give", args=[organization.pk]),
            {"request": request.pk, "plan": "reader-plus"},
        )
        assert response.status_code == 302
        assert Seat.objects.get(user=carol).plan == plan("reader-plus")
        # Sent twice: already answered, nothing more.
        admin_client.post(
            reverse("contracts:plan-request-give", args=[organization.pk]),
            {"request": request.pk, "plan": "professional"},
        )
        assert Seat.objects.get(user=carol).plan == plan("reader-plus")
