"""Issue 13, point 2: the seat paths in fewer queries, through the real
views: the plan auto-save of the member page, and a first use of a paid
feature that assigns a plan (the report's "Use my Reader+ seat"). The
counts include the savepoints of the test's own transaction (two per
request). They stay the same as seats are held: the allotment's counter
is read, never the seats counted.

Measured before this change (same tests): a plan given 32, moved up 38,
moved down 40; a first use 30. The issue's targets (10 and 12) are not
reached yet: the ceilings below are what this change reached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.models import Seat
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, questions_add, responses_add

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
GIVE_QUERIES = 22
MOVE_UP_QUERIES = 23
MOVE_DOWN_QUERIES = 31
FIRST_USE_QUERIES = 21


@pytest.fixture
def contract(organization, admin_user):
    contract = ContractFactory(
        seats={"professional": 300, "starter": 300, "reader-plus": 300}
    )
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin_user
    )
    return contract


def _hold(contract, count):
    for code in ("professional", "starter", "reader-plus"):
        for _n in range(count):
            SeatFactory(contract=contract, plan=plan(code))


def _autosave(client, organization, member, code):
    url = reverse("contracts:member-plan", args=[organization.pk, member.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, {"plan": code}, headers=HTMX)
    assert response.status_code == 200
    assert Seat.objects.get(user=member.user).plan.code == code
    return len(captured)


class TestPlanAutosave:
    def test_give_and_move_within_their_ceilings(
        self, admin_client, organization, contract, django_assert_max_num_queries
    ):
        member = MembershipFactory(organization=organization)
        url = reverse("contracts:member-plan", args=[organization.pk, member.pk])
        with django_assert_max_num_queries(GIVE_QUERIES):
            admin_client.post(url, {"plan": "starter"}, headers=HTMX)
        with django_assert_max_num_queries(MOVE_UP_QUERIES):
            admin_client.post(url, {"plan": "professional"}, headers=HTMX)
        with django_assert_max_num_queries(MOVE_DOWN_QUERIES):
            admin_client.post(url, {"plan": "starter"}, headers=HTMX)
        assert Seat.objects.get(user=member.user).plan.code == "starter"

    def test_the_same_queries_with_more_seats_held(
        self, admin_client, organization, contract
    ):
        first = MembershipFactory(organization=organization)
        second = MembershipFactory(organization=organization)
        small = [
            _autosave(admin_client, organization, first, code)
            for code in ("starter", "professional", "starter")
        ]
        _hold(contract, 60)
        large = [
            _autosave(admin_client, organization, second, code)
            for code in ("starter", "professional", "starter")
        ]
        assert small == large


class TestFirstUse:
    def _first_use(self, organization, user_client, survey):
        reader = MembershipFactory(organization=organization, reader=True).user
        client = user_client(reader)
        url = reverse("surveys:report-real-data", args=[survey.pk])
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url)
        assert response.status_code == 302
        assert Seat.objects.get(user=reader).plan.code == "reader-plus"
        return len(captured)

    @pytest.fixture
    def survey(self, organization):
        owner = MembershipFactory(organization=organization).user
        survey = SurveyFactory(owner=owner, organization=organization, open=True)
        questions_add(survey)
        responses_add(survey, 2)
        return survey

    def test_a_first_use_within_its_ceiling(
        self, organization, contract, user_client, survey
    ):
        assert self._first_use(organization, user_client, survey) <= FIRST_USE_QUERIES

    def test_the_same_queries_with_more_seats_held(
        self, organization, contract, user_client, survey
    ):
        small = self._first_use(organization, user_client, survey)
        _hold(contract, 60)
        assert self._first_use(organization, user_client, survey) == small
