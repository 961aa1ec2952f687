"""Issue 10, point 2: a take-back sticks. A plan an administrator takes back
by hand is not given back by automatic assignment until an administrator
gives the member a plan or includes them again."""

import pytest
from django.core import mail
from django.urls import reverse

from contracts import services
from contracts.entitlements import feature_check, feature_use
from contracts.models import AutoAssignExclusion, Event, EventKind, PlanRequest
from plans.models import Feature
from surveys.models import Survey
from surveys.services.responses import survey_more_responses_request
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import (
    SurveyFactory,
    link_add,
    questions_add,
    responses_add,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(organization, admin_user):
    contract = ContractFactory(reference="ACME-2027", seats={"starter": 2})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin_user
    )
    return contract


@pytest.fixture
def bob(organization):
    return MembershipFactory(organization=organization, user__full_name="Bob Bernard")


def _set(organization, bob, code, actor):
    return services.member_plan_set(
        organization=organization, user=bob.user, plan=plan(code), actor=actor
    )


def _take_back(organization, bob, admin_user):
    _set(organization, bob, "starter", admin_user)
    _set(organization, bob, "free", admin_user)


class TestTakeBack:
    def test_a_plan_taken_back_by_hand_excludes_the_member(
        self, contract, organization, bob, admin_user
    ):
        _take_back(organization, bob, admin_user)
        exclusion = AutoAssignExclusion.objects.get(contract=contract, user=bob.user)
        assert exclusion.created_by == admin_user
        use = feature_use(user=bob.user, feature=Feature.MORE_RESPONSES)
        assert not use.allowed
        assert "took your plan back" in use.message
        assert not contract.seats.filter(user=bob.user).exists()
        check = feature_check(user=bob.user, feature=Feature.MORE_RESPONSES)
        assert check.offer is None

    def test_an_excluded_member_records_no_request_and_emails_nobody(
        self, contract, organization, bob, admin_user
    ):
        _take_back(organization, bob, admin_user)
        mail.outbox.clear()
        feature_use(user=bob.user, feature=Feature.MORE_RESPONSES)
        assert not PlanRequest.objects.exists()
        assert mail.outbox == []

    def test_the_bulk_change_to_free_excludes_too(
        self, contract, organization, bob, admin_user
    ):
        _set(organization, bob, "starter", admin_user)
        services.member_plan_set_many(
            organization=organization,
            users=[bob.user],
            plan=plan("free"),
            actor=admin_user,
        )
        assert AutoAssignExclusion.objects.filter(user=bob.user).exists()

    def test_setting_free_on_a_member_without_a_plan_excludes_nobody(
        self, contract, organization, bob, admin_user
    ):
        _set(organization, bob, "free", admin_user)
        assert not AutoAssignExclusion.objects.exists()
        assert feature_use(user=bob.user, feature=Feature.MORE_RESPONSES).allowed

    def test_a_plan_given_by_hand_clears_the_exclusion(
        self, contract, organization, bob, admin_user
    ):
        _take_back(organization, bob, admin_user)
        _set(organization, bob, "starter", admin_user)
        assert not AutoAssignExclusion.objects.exists()

    def test_including_again_clears_it_and_is_in_the_history(
        self, contract, organization, bob, admin_user
    ):
        _take_back(organization, bob, admin_user)
        services.member_auto_assign_include(
            organization=organization, user=bob.user, actor=admin_user
        )
        assert not AutoAssignExclusion.objects.exists()
        event = Event.objects.get(kind=EventKind.AUTO_ASSIGN_INCLUDED)
        assert (event.actor, event.member) == (admin_user, bob.user)
        use = feature_use(user=bob.user, feature=Feature.MORE_RESPONSES)
        assert use.allowed and use.assigned.code == "starter"

    def test_including_a_member_not_excluded_writes_nothing(
        self, contract, organization, bob, admin_user
    ):
        services.member_auto_assign_include(
            organization=organization, user=bob.user, actor=admin_user
        )
        assert not Event.objects.filter(kind=EventKind.AUTO_ASSIGN_INCLUDED).exists()

    def test_an_excluded_owners_survey_at_the_free_limit_stays_inactive(
        self, contract, organization, bob, admin_user
    ):
        survey = SurveyFactory(owner=bob.user, organization=organization, open=True)
        questions_add(survey)
        _take_back(organization, bob, admin_user)
        responses_add(survey, 100, answers=False)
        survey = Survey.objects.with_owner_plan().get(pk=survey.pk)
        assert survey_more_responses_request(survey=survey) is False
        assert not contract.seats.filter(user=bob.user).exists()

    def test_an_anonymous_visit_does_not_give_the_plan_back(
        self, client, contract, organization, bob, admin_user
    ):
        survey = SurveyFactory(owner=bob.user, organization=organization, open=True)
        questions_add(survey)
        link = link_add(survey)
        _take_back(organization, bob, admin_user)
        responses_add(survey, 100, answers=False)
        url = reverse("surveys:respond-link", kwargs={"token": link.token})
        assert "This survey is inactive" in client.get(url).text
        assert not contract.seats.filter(user=bob.user).exists()


class TestMemberPage:
    def _url(self, organization, bob):
        return reverse("contracts:member-detail", args=[organization.pk, bob.pk])

    def test_the_page_says_excluded_since_when_and_by_whom(
        self, client, contract, organization, bob, admin_user
    ):
        _take_back(organization, bob, admin_user)
        client.force_login(admin_user)
        page = client.get(self._url(organization, bob)).text
        assert "Automatic assignment: excluded, since" in page
        assert f"by {admin_user.display_name}" in page
        assert "Include again" in page

    def test_include_again_works_without_javascript(
        self, client, contract, organization, bob, admin_user
    ):
        _take_back(organization, bob, admin_user)
        client.force_login(admin_user)
        url = reverse(
            "contracts:member-auto-assign-include", args=[organization.pk, bob.pk]
        )
        response = client.post(url, follow=True)
        assert response.redirect_chain[-1][0] == self._url(organization, bob)
        assert "excluded, since" not in response.text
        assert "can get a plan automatically again" in response.text
        assert not AutoAssignExclusion.objects.exists()

    def test_a_member_cannot_include_anyone(
        self, client, contract, organization, bob, admin_user
    ):
        _take_back(organization, bob, admin_user)
        client.force_login(bob.user)
        url = reverse(
            "contracts:member-auto-assign-include", args=[organization.pk, bob.pk]
        )
        assert client.post(url).status_code == 404
        assert AutoAssignExclusion.objects.exists()

    def test_the_history_says_who_included_whom_again(
        self, client, contract, organization, bob, admin_user
    ):
        _take_back(organization, bob, admin_user)
        services.member_auto_assign_include(
            organization=organization, user=bob.user, actor=admin_user
        )
        client.force_login(admin_user)
        page = client.get(
            reverse("contracts:organization-contract", args=[organization.pk])
        ).text
        assert (
            f"{admin_user.display_name} included Bob Bernard again in automatic "
            "assignment of plans."
        ) in page
