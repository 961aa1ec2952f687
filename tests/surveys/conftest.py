import pytest

from surveys.models import Survey
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, link_add, questions_add


@pytest.fixture
def owner(organization):
    return MembershipFactory(organization=organization).user


@pytest.fixture
def survey(owner, organization) -> Survey:
    """An open survey of the organization, sent by link, with a choice, a
    rating and an optional text question; its owner is on Free."""
    survey = SurveyFactory(owner=owner, organization=organization, open=True)
    questions_add(survey)
    return survey


@pytest.fixture
def link(survey):
    return link_add(survey)


@pytest.fixture
def questions(survey):
    return {question.kind: question for question in survey.questions.all()}
