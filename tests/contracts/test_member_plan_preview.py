"""Flow 5's preview: before a lower plan is applied, the administrator sees
which of the member's surveys it would make inactive and confirms."""

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Seat
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def bob(organization, admin_user):
    contract = ContractFactory(seats={"professional": 3, "reader-plus": 1})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    membership = MembershipFactory(
        organization=organization, user=UserFactory(full_name="Bob Bernard")
    )
    services.member_plan_set(
        organization=organization,
        user=membership.user,
        plan=plan("professional"),
        actor=admin_user,
    )
    return membership


@pytest.fixture
def big_survey(bob, organization):
    survey = SurveyFactory(
        owner=bob.user, organization=organization, open=True, title="Satisfaction"
    )
    link_add(survey)
    responses_add(survey, 120, answers=False)
    return survey


def _url(bob):
    return reverse("contracts:member-plan", args=[bob.organization_id, bob.pk])


def test_free_with_a_survey_over_the_limit_asks_first(admin_client, bob, big_survey):
    response = admin_client.post(_url(bob), {"plan": "free"}, headers=HTMX)
    assert response.status_code == 200
    assert '<dialog id="plan-confirm-dialog"' in response.text
    assert "Satisfaction" in response.text
    assert "120 responses" in response.text
    assert 'name="confirmed" value="1"' in response.text
    # Nothing changed yet, and the dropdown still shows Professional.
    assert Seat.objects.get(user=bob.user).plan.code == "professional"
    assert '<option value="professional" selected' in response.text


def test_confirming_takes_the_plan_back(admin_client, bob, big_survey):
    response = admin_client.post(
        _url(bob), {"plan": "free", "confirmed": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Saved" in response.text
    assert not Seat.objects.filter(user=bob.user).exists()
    # Nothing Bob made is deleted.
    assert big_survey.responses.count() == 120


def test_without_htmx_the_confirmation_is_a_page(admin_client, bob, big_survey):
    response = admin_client.post(_url(bob), {"plan": "free"})
    assert response.status_code == 200
    assert "<h1" in response.text
    assert "Satisfaction" in response.text
    assert f'href="{bob.get_absolute_url()}"' in response.text
    assert Seat.objects.filter(user=bob.user).exists()


def test_a_lower_paid_plan_with_the_same_limit_problem_asks_too(
    admin_client, bob, big_survey
):
    response = admin_client.post(_url(bob), {"plan": "reader-plus"}, headers=HTMX)
    assert '<dialog id="plan-confirm-dialog"' in response.text
    assert Seat.objects.get(user=bob.user).plan.code == "professional"


def test_surveys_under_the_limit_or_closed_do_not_ask(admin_client, bob, organization):
    small = SurveyFactory(owner=bob.user, organization=organization, open=True)
    link_add(small)
    responses_add(small, 99, answers=False)
    closed = SurveyFactory(owner=bob.user, organization=organization, closed=True)
    link_add(closed)
    responses_add(closed, 150, answers=False)
    response = admin_client.post(_url(bob), {"plan": "free"}, headers=HTMX)
    assert "plan-confirm-dialog" not in response.text
    assert "Saved" in response.text
    assert not Seat.objects.filter(user=bob.user).exists()


def test_going_up_never_asks(admin_client, bob, big_survey, organization, admin_user):
    services.member_plan_set(
        organization=organization,
        user=bob.user,
        plan=plan("reader-plus"),
        actor=admin_user,
    )
    response = admin_client.post(_url(bob), {"plan": "professional"}, headers=HTMX)
    assert "plan-confirm-dialog" not in response.text
    assert Seat.objects.get(user=bob.user).plan.code == "professional"
