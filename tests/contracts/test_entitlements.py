import datetime

import pytest
from django.core import mail
from django.db.models import OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contracts import services
from contracts.entitlements import (
    effective_plan,
    effective_plan_id,
    effective_plan_is,
    feature_ask_due,
    feature_asks_reset,
    feature_check,
    feature_use,
)
from contracts.models import EventKind, PlanRequest, Seat
from plans.models import Feature
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(organization, admin_user):
    contract = ContractFactory(seats={"professional": 1, "reader-plus": 1})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin_user
    )
    return contract


class TestEffectivePlan:
    def test_nobody_without_a_seat_is_free(self):
        assert effective_plan(UserFactory()).code == "free"

    def test_the_best_seat_wins(self):
        user = UserFactory()
        SeatFactory(user=user, plan=plan("reader-plus"))
        SeatFactory(user=user, plan=plan("professional"))
        assert effective_plan(user).code == "professional"

    def test_an_ended_contract_grants_nothing(self):
        user = UserFactory()
        ended = ContractFactory(
            starts_on=timezone.localdate() - datetime.timedelta(days=100),
            ends_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        SeatFactory(user=user, contract=ended, plan=plan("professional"))
        assert effective_plan(user).code == "free"

    def test_two_queries(self, django_assert_num_queries):
        user = UserFactory()
        SeatFactory(user=user)
        with django_assert_num_queries(2):
            effective_plan(user).includes(Feature.REPORT_EXPORT)


class TestFeatureUse:
    def test_a_plan_that_includes_the_feature_allows_it(self, contract, organization):
        member = MembershipFactory(organization=organization).user
        SeatFactory(contract=contract, user=member, plan=plan("professional"))
        use = feature_use(user=member, feature=Feature.REPORT_EXPORT)
        assert use.allowed
        assert use.assigned is None

    def test_the_cheapest_plan_with_the_feature_is_assigned(
        self, contract, organization
    ):
        member = MembershipFactory(organization=organization, reader=True).user
        use = feature_use(user=member, feature=Feature.REPORTS_REAL_DATA)
        assert use.allowed
        assert use.assigned.code == "reader-plus"
        seat = Seat.objects.get(user=member)
        assert (seat.source, seat.feature) == ("automatic", "reports_real_data")

    def test_a_taken_cheap_plan_falls_back_to_the_next(self, contract, organization):
        SeatFactory(contract=contract, plan=plan("reader-plus"))
        member = MembershipFactory(organization=organization).user
        use = feature_use(user=member, feature=Feature.REPORTS_REAL_DATA)
        assert use.assigned.code == "professional"

    def test_an_existing_seat_is_upgraded(self, contract, organization):
        member = MembershipFactory(organization=organization).user
        SeatFactory(contract=contract, user=member, plan=plan("reader-plus"))
        use = feature_use(user=member, feature=Feature.REPORT_EXPORT)
        assert use.assigned.code == "professional"
        assert Seat.objects.get(user=member).plan.code == "professional"

    def test_no_seat_left_refuses_records_and_tells_the_administrators(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        SeatFactory(contract=contract, plan=plan("professional"))
        member = MembershipFactory(organization=organization).user
        with django_capture_on_commit_callbacks(execute=True):
            use = feature_use(user=member, feature=Feature.REPORT_EXPORT)
            feature_use(user=member, feature=Feature.REPORT_EXPORT)
        assert not use.allowed
        assert "administrators have been told" in use.message
        assert PlanRequest.objects.filter(user=member).count() == 1
        assert contract.events.filter(kind=EventKind.PLAN_REQUESTED).count() == 1
        assert [message.to for message in mail.outbox] == [[admin_user.email]]

    def test_a_later_seat_answers_the_request(self, contract, organization, admin_user):
        taken = SeatFactory(contract=contract, plan=plan("professional"))
        member = MembershipFactory(organization=organization).user
        feature_use(user=member, feature=Feature.REPORT_EXPORT)
        services.seat_release(seat=taken, actor=admin_user, source="manual")
        assert feature_use(user=member, feature=Feature.REPORT_EXPORT).allowed
        assert not PlanRequest.objects.filter(user=member).exists()

    def test_without_automatic_assignment_the_use_is_refused(
        self, contract, organization, admin_user
    ):
        services.contract_set_auto_assign(
            organization=organization, enabled=False, actor=admin_user
        )
        member = MembershipFactory(organization=organization).user
        use = feature_use(user=member, feature=Feature.REPORT_EXPORT)
        assert not use.allowed
        assert "Ask an administrator" in use.message
        assert "Professional" in use.message
        assert not Seat.objects.filter(user=member).exists()

    def test_an_ended_contract_assigns_nothing(self, contract, organization):
        contract.starts_on = timezone.localdate() - datetime.timedelta(days=100)
        contract.ends_on = timezone.localdate() - datetime.timedelta(days=1)
        contract.save()
        member = MembershipFactory(organization=organization).user
        assert not feature_use(user=member, feature=Feature.REPORT_EXPORT).allowed


class TestEffectivePlanIs:
    """The members list's plan filter asks `effective_plan_is`, which the
    database answers by index; it must agree with `effective_plan_id`."""

    @pytest.fixture
    def people(self):
        today = timezone.localdate()
        ended = ContractFactory(
            starts_on=today - datetime.timedelta(days=100),
            ends_on=today - datetime.timedelta(days=1),
        )
        later = ContractFactory(
            starts_on=today + datetime.timedelta(days=1),
            ends_on=today + datetime.timedelta(days=100),
        )
        other = ContractFactory()
        people = {
            "nothing": UserFactory(),
            "reader": UserFactory(),
            "starter": UserFactory(),
            "two contracts": UserFactory(),
            "ended": UserFactory(),
            "not yet": UserFactory(),
        }
        SeatFactory(user=people["reader"], plan=plan("reader-plus"))
        SeatFactory(user=people["starter"], plan=plan("starter"))
        # The better plan of two contracts wins.
        SeatFactory(user=people["two contracts"], plan=plan("starter"))
        SeatFactory(
            user=people["two contracts"], contract=other, plan=plan("professional")
        )
        # Contracts not in force today grant nothing.
        SeatFactory(user=people["ended"], contract=ended, plan=plan("professional"))
        SeatFactory(user=people["not yet"], contract=later, plan=plan("starter"))
        return people

    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            ("free", {"nothing", "ended", "not yet"}),
            ("reader-plus", {"reader"}),
            ("starter", {"starter"}),
            ("professional", {"two contracts"}),
        ],
    )
    def test_agrees_with_the_effective_plan(self, people, code, expected):
        everyone = User.objects.filter(pk__in=[user.pk for user in people.values()])
        names = {user.pk: name for name, user in people.items()}
        chosen = plan(code)
        by_filter = everyone.filter(effective_plan_is(chosen, OuterRef("pk")))
        by_annotation = everyone.annotate(
            plan_id=effective_plan_id(OuterRef("pk"))
        ).filter(plan_id=chosen.pk)
        assert {names[user.pk] for user in by_filter} == expected
        assert {names[user.pk] for user in by_annotation} == expected


class TestFeatureAsks:
    """A use asked for on someone's behalf (a respondent reaching a survey
    owner's limit) is tried once a minute, and again at once when a seat may
    have become available."""

    def test_asked_once_per_scope(self):
        assert feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES, scope="a")
        assert not feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES, scope="a")
        assert feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES, scope="b")
        assert feature_ask_due(user_id=2, feature=Feature.MORE_RESPONSES, scope="a")

    def test_a_reset_lets_every_ask_be_made_again(self):
        feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES)
        feature_asks_reset()
        assert feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES)
        assert not feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES)

    def test_freeing_a_seat_resets_the_asks_once_committed(
        self, contract, admin_user, django_capture_on_commit_callbacks
    ):
        seat = SeatFactory(contract=contract, plan=plan("professional"))
        feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.seat_release(seat=seat, actor=admin_user, source="manual")
        assert not feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES)
        for callback in callbacks:
            callback()
        assert feature_ask_due(user_id=1, feature=Feature.MORE_RESPONSES)


class TestAdministratorsAreNeverToldToAskAnAdministrator:
    """Issue 10, point 14: a refused administrator gets a link to their own
    member page, where they can give themselves a plan; a plain member is
    still told to ask an administrator."""

    @pytest.fixture
    def manual_contract(self, contract, organization, admin_user):
        services.contract_set_auto_assign(
            organization=organization, enabled=False, actor=admin_user
        )
        return contract

    def test_an_administrator_gets_their_member_page(
        self, manual_contract, organization, admin_membership
    ):
        own_page = reverse(
            "contracts:member-detail",
            kwargs={
                "organization_id": organization.pk,
                "membership_id": admin_membership.pk,
            },
        )
        use = feature_use(user=admin_membership.user, feature=Feature.REPORT_EXPORT)
        check = feature_check(user=admin_membership.user, feature=Feature.REPORT_EXPORT)
        for answer in (use, check):
            assert not answer.allowed
            assert "Ask an administrator" not in answer.message
            assert "give yourself one of these plans" in answer.message
            assert answer.own_page_url == own_page
            assert f'<a href="{own_page}">' in answer.message_html()

    def test_a_member_is_told_to_ask_an_administrator(
        self, manual_contract, organization
    ):
        member = MembershipFactory(organization=organization).user
        use = feature_use(user=member, feature=Feature.REPORT_EXPORT)
        check = feature_check(user=member, feature=Feature.REPORT_EXPORT)
        for answer in (use, check):
            assert "Ask an administrator" in answer.message
            assert answer.own_page_url == ""
            assert "<a" not in answer.message_html()

    def test_the_message_text_is_escaped_around_the_link(
        self, manual_contract, admin_user
    ):
        use = feature_use(user=admin_user, feature=Feature.REPORT_EXPORT)
        html = use.message_html()
        assert "“" in html and "<" not in use.message
        assert html.count("<a ") == 1
