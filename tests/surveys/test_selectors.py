import pytest

from surveys.selectors import survey_list_deactivated_by
from tests.accounts.factories import UserFactory
from tests.contracts.factories import SeatFactory, plan
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
