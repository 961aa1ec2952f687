import datetime

import pytest
from django.utils import timezone

from surveys.models import Survey
from surveys.selectors import survey_get_by_link, survey_list_deactivated_by
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.surveys.factories import (
    SurveyFactory,
    invitation_add,
    link_add,
    responses_add,
)

pytestmark = pytest.mark.django_db


class TestSurveyListDeactivatedBy:
    """What the members page shows before a plan is taken back: the
    person's open surveys, sent by email or link, at or over the limit."""

    @pytest.fixture
    def member(self):
        member = UserFactory()
        SeatFactory(user=member, plan=plan("professional"))
        return member

    def _survey(self, member, count, *, sent="link", **kwargs):
        survey = SurveyFactory(owner=member, **kwargs)
        if sent == "link":
            link_add(survey)
        elif sent == "email":
            invitation_add(survey)
        responses_add(survey, count, answers=False)
        return survey

    def test_lists_sent_open_surveys_at_or_over_the_limit(self, member):
        at_limit = self._survey(member, 100, open=True, title="B at the limit")
        by_email = self._survey(
            member, 150, sent="email", open=True, title="A by email"
        )
        self._survey(member, 99, open=True)
        self._survey(member, 500, sent=None, open=True)
        self._survey(member, 500, closed=True)
        self._survey(UserFactory(), 500, open=True)
        assert survey_list_deactivated_by(user=member, plan=plan("free")) == [
            by_email,
            at_limit,
        ]

    def test_a_plan_with_a_higher_limit_deactivates_fewer(self, member):
        self._survey(member, 150, open=True)
        big = self._survey(member, 1200, open=True)
        assert survey_list_deactivated_by(user=member, plan=plan("starter")) == [big]

    def test_an_unlimited_plan_deactivates_nothing(self, member):
        self._survey(member, 5000, open=True)
        assert survey_list_deactivated_by(user=member, plan=plan("professional")) == []

    def test_one_query(self, member, django_assert_num_queries):
        self._survey(member, 150, open=True)
        free = plan("free")
        with django_assert_num_queries(1):
            surveys = survey_list_deactivated_by(user=member, plan=free)
            [survey.organization for survey in surveys]


class TestSurveyGetByLink:
    """The public link's lookup runs SQL built once a day; it must answer
    what `Survey.objects.with_owner_plan()` answers."""

    def _expected(self, survey):
        annotated = Survey.objects.with_owner_plan().get(pk=survey.pk)
        return (
            annotated.owner_plan_id,
            annotated.owner_response_limit,
            annotated.owner_has_branding,
        )

    def _found(self, link):
        survey = survey_get_by_link(token=link.token)
        return (
            survey.owner_plan_id,
            survey.owner_response_limit,
            survey.owner_has_branding,
        )

    def test_an_owner_on_free(self):
        survey = SurveyFactory(open=True)
        link = link_add(survey)
        assert self._found(link) == self._expected(survey)
        assert self._found(link) == (plan("free").pk, 100, False)

    def test_an_owner_with_professional(self):
        survey = SurveyFactory(open=True, brand_colour="teal")
        SeatFactory(user=survey.owner, plan=plan("reader-plus"))
        SeatFactory(user=survey.owner, plan=plan("professional"))
        link = link_add(survey)
        found = survey_get_by_link(token=link.token)
        assert found == survey
        assert self._found(link) == self._expected(survey)
        assert self._found(link) == (plan("professional").pk, None, True)
        assert found.brand_class == "brand-teal"

    def test_an_unknown_token_finds_nothing(self):
        link_add(SurveyFactory(open=True))
        assert survey_get_by_link(token="nope") is None

    def test_a_contract_that_ends_today_grants_nothing_tomorrow(self, monkeypatch):
        today = timezone.localdate()
        survey = SurveyFactory(open=True)
        ending = ContractFactory(ends_on=today)
        SeatFactory(user=survey.owner, contract=ending, plan=plan("starter"))
        link = link_add(survey)
        assert self._found(link) == (plan("starter").pk, 1000, False)
        tomorrow = today + datetime.timedelta(days=1)
        monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
        assert self._found(link) == (plan("free").pk, 100, False)
        assert self._found(link) == self._expected(survey)
