import pytest

from surveys import selectors, services
from surveys.exceptions import (
    FormAlreadySent,
    InvitationUsed,
    SurveyError,
    SurveyNotOpen,
)
from surveys.models import Channel, Response, Survey
from tests.surveys.factories import SurveyFactory, invitation_add, responses_add

pytestmark = pytest.mark.django_db


def _answers(survey):
    items = {item.kind: item for item in selectors.questionnaire(survey)}
    return {
        items["choice"].id: items["choice"].options[0][0],
        items["rating"].id: 3,
        items["text"].id: "Hi",
    }


def _fetched(survey):
    return Survey.objects.with_owner_plan().get(pk=survey.pk)


class TestResponseSubmit:
    def test_counts_with_the_response(self, survey):
        services.response_submit(
            survey=_fetched(survey), answers=_answers(survey), channel="link"
        )
        survey.refresh_from_db()
        assert survey.response_count == 1
        assert survey.responses.get().answers.count() == 3

    def test_a_closed_survey_saves_nothing(self, survey):
        answers = _answers(survey)
        Survey.objects.filter(pk=survey.pk).update(status="closed")
        with pytest.raises(SurveyNotOpen):
            services.response_submit(survey=survey, answers=answers, channel="link")
        survey.refresh_from_db()
        assert survey.response_count == 0
        assert not Response.objects.exists()

    def test_an_invitation_answers_once(self, survey):
        invitation = invitation_add(survey)
        answers = _answers(survey)
        services.response_submit(
            survey=survey, answers=answers, channel="email", invitation=invitation
        )
        with pytest.raises(InvitationUsed):
            services.response_submit(
                survey=survey, answers=answers, channel="email", invitation=invitation
            )
        survey.refresh_from_db()
        assert survey.response_count == 1

    def test_values_are_checked_against_the_questions(self, survey):
        answers = _answers(survey)
        rating = next(i for i in selectors.questionnaire(survey) if i.kind == "rating")
        answers[rating.id] = 9
        with pytest.raises(SurveyError):
            services.response_submit(survey=survey, answers=answers, channel="link")
        assert not Response.objects.exists()

    def test_the_limit_is_not_checked_here(self, survey):
        """It decides who is served the form, not whose answers are kept."""
        responses_add(survey, 150, answers=False)
        services.response_submit(
            survey=_fetched(survey), answers=_answers(survey), channel="link"
        )
        survey.refresh_from_db()
        assert survey.response_count == 151


def test_opening_twice_changes_nothing(survey, owner):
    opened_at = survey.opened_at
    services.survey_open(survey=survey, actor=owner)
    survey.refresh_from_db()
    assert survey.opened_at == opened_at


def test_questions_change_the_revision_that_keys_the_cache(owner):
    draft = SurveyFactory(owner=owner)
    assert selectors.questionnaire(draft) == []
    services.question_add(survey=draft, kind="text", text="Why?")
    draft.refresh_from_db()
    assert [item.text for item in selectors.questionnaire(draft)] == ["Why?"]


@pytest.mark.django_db
def test_one_served_form_keeps_one_response():
    """The database refuses a second response from the same served form."""
    survey = SurveyFactory(open=True)
    services.response_submit(
        survey=survey, answers={}, channel=Channel.LINK, form_nonce="abc"
    )
    with pytest.raises(FormAlreadySent):
        services.response_submit(
            survey=survey, answers={}, channel=Channel.LINK, form_nonce="abc"
        )
    survey.refresh_from_db()
    assert survey.response_count == survey.responses.count() == 1
