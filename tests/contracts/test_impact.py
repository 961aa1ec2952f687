"""Issue 10, point 1: every way of taking a plan away names the member's
surveys that go inactive (with their response counts) before it happens,
and the member's email names those that went inactive."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import selectors, services
from contracts.models import Seat
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _survey(owner, title, responses, *, open=True, distributed=True):
    survey = SurveyFactory(owner=owner, title=title, open=open)
    if distributed:
        link_add(survey)
    responses_add(survey, responses, answers=False)
    return survey


@pytest.fixture
def manager(db):
    return UserFactory(email="dave@globex.example", full_name="Dave Durand")


@pytest.fixture
def contract(manager):
    return ContractFactory(
        reference="GLOBEX-2027",
        managers=[manager],
        seats={"professional": 3, "reader-plus": 2},
    )


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@acme.example", full_name="Bob Bernard")


@pytest.fixture
def seat(contract, bob):
    return SeatFactory(contract=contract, user=bob, plan=plan("professional"))


@pytest.fixture
def surveys(bob):
    """Over the Free limit and open by link (goes inactive); small; over
    the limit but a draft; over the limit but never sent."""
    return {
        "big": _survey(bob, "Satisfaction 2026", 120),
        "small": _survey(bob, "Lunch poll", 20),
        "draft": _survey(bob, "Next year", 150, open=False),
        "unsent": _survey(bob, "Kept private", 130, distributed=False),
    }


class TestPreview:
    def test_freeing_a_seat_names_the_open_distributed_surveys_over_the_limit(
        self, seat, surveys
    ):
        assert selectors.seat_release_preview(seat=seat) == [surveys["big"]]

    def test_another_seat_as_good_elsewhere_keeps_every_survey_alive(
        self, seat, bob, surveys
    ):
        SeatFactory(user=bob, plan=plan("professional"))
        assert selectors.seat_release_preview(seat=seat) == []

    def test_a_lower_seat_elsewhere_still_loses_what_it_does_not_allow(
        self, seat, bob, surveys
    ):
        _survey(bob, "Census", 1200)
        SeatFactory(
            user=bob,
            plan=plan("starter"),
            contract=ContractFactory(seats={"starter": 1}),
        )
        titles = [s.title for s in selectors.seat_release_preview(seat=seat)]
        assert titles == ["Census"]

    def test_a_seat_of_an_ended_contract_changes_nothing(self, bob, surveys):
        ended = ContractFactory(
            ends_on=timezone.localdate() - datetime.timedelta(days=1),
            seats={"professional": 1},
        )
        seat = SeatFactory(contract=ended, user=bob)
        assert selectors.seat_release_preview(seat=seat) == []

    def test_moving_down_to_reader_plus_is_previewed_as_freeing(self, seat, surveys):
        preview = selectors.seat_change_preview(seat=seat, plan=plan("reader-plus"))
        assert preview == [surveys["big"]]
        assert selectors.seat_change_preview(seat=seat, plan=plan("starter")) == []


class TestManagerFreesASeat:
    def _url(self, contract, seat):
        return reverse("contracts:seat-release", args=[contract.pk, seat.pk])

    def test_the_dialog_names_the_surveys_before_anything_changes(
        self, user_client, manager, contract, seat, surveys
    ):
        response = user_client(manager).get(self._url(contract, seat), headers=HTMX)
        assert response.status_code == 200
        assert "Satisfaction 2026" in response.text
        assert "120 responses" in response.text
        for kept in ("Lunch poll", "Next year", "Kept private"):
            assert kept not in response.text
        assert "it will become inactive" in response.text
        assert Seat.objects.filter(pk=seat.pk).exists()

    def test_the_page_without_javascript_names_them_too(
        self, user_client, manager, contract, seat, surveys
    ):
        response = user_client(manager).get(self._url(contract, seat))
        assert "<html" in response.text
        assert "Satisfaction 2026" in response.text

    def test_with_nothing_over_the_limit_it_says_so(
        self, user_client, manager, contract, seat
    ):
        response = user_client(manager).get(self._url(contract, seat), headers=HTMX)
        assert "none of their surveys becomes inactive" in response.text

    def test_the_member_is_emailed_the_surveys_that_went_inactive(
        self,
        user_client,
        manager,
        contract,
        seat,
        surveys,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            user_client(manager).post(self._url(contract, seat))
        assert not Seat.objects.filter(pk=seat.pk).exists()
        (email,) = mailoutbox
        assert email.to == ["bob@acme.example"]
        assert "- Satisfaction 2026 (120 responses)" in email.body
        assert "it is inactive" in email.body
        assert "Lunch poll" not in email.body


class TestEmailOnEveryTakeBack:
    """Every path that takes a plan away goes through `seat_release` or a
    lower `seat_put`: the email names the surveys each time."""

    @pytest.fixture
    def organization_with_bob(self, contract, bob, seat):
        membership = MembershipFactory(user=bob)
        administrator = MembershipFactory(
            organization=membership.organization, administrator=True
        ).user
        services.contract_connect(
            organization=membership.organization, contract=contract, actor=administrator
        )
        return membership, administrator

    def _body(self, mailoutbox):
        (email,) = [m for m in mailoutbox if m.to == ["bob@acme.example"]]
        return email.body

    def test_an_administrator_gives_bob_free(
        self,
        organization_with_bob,
        bob,
        surveys,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        membership, administrator = organization_with_bob
        with django_capture_on_commit_callbacks(execute=True):
            services.member_plan_set(
                organization=membership.organization,
                user=bob,
                plan=plan("free"),
                actor=administrator,
            )
        assert "Satisfaction 2026 (120 responses)" in self._body(mailoutbox)

    def test_an_administrator_gives_bob_a_lower_plan(
        self,
        organization_with_bob,
        bob,
        surveys,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        membership, administrator = organization_with_bob
        with django_capture_on_commit_callbacks(execute=True):
            services.member_plan_set(
                organization=membership.organization,
                user=bob,
                plan=plan("reader-plus"),
                actor=administrator,
            )
        body = self._body(mailoutbox)
        assert "You now have the Reader+ plan" in body
        assert "Satisfaction 2026 (120 responses)" in body

    def test_a_higher_plan_names_no_survey(
        self, contract, bob, surveys, mailoutbox, django_capture_on_commit_callbacks
    ):
        seat = SeatFactory(contract=contract, user=bob, plan=plan("reader-plus"))
        with django_capture_on_commit_callbacks(execute=True):
            services.seat_put(
                contract=contract,
                user=bob,
                plan=plan("professional"),
                actor=None,
                source="support",
            )
        assert seat.pk
        assert "inactive" not in self._body(mailoutbox)

    def test_bob_is_removed_from_the_organization(
        self,
        organization_with_bob,
        surveys,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        membership, administrator = organization_with_bob
        with django_capture_on_commit_callbacks(execute=True):
            services.member_remove(membership=membership, actor=administrator)
        assert "Satisfaction 2026 (120 responses)" in self._body(mailoutbox)

    def test_support_frees_the_seat(
        self,
        client,
        seat,
        surveys,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("admin:contracts_seat_changelist"),
                {
                    "action": "release_seats",
                    "_selected_action": [seat.pk],
                    "post": "yes",
                },
            )
        assert "Satisfaction 2026 (120 responses)" in self._body(mailoutbox)

    def test_a_title_is_written_as_typed_in_the_plain_text_email(
        self, seat, bob, mailoutbox, django_capture_on_commit_callbacks
    ):
        _survey(bob, "Bob's <big> survey", 101)
        with django_capture_on_commit_callbacks(execute=True):
            services.seat_release(seat=seat, actor=None, source="support")
        assert "- Bob's <big> survey (101 responses)" in self._body(mailoutbox)
