"""Editing a question of a draft (issue 10, point 17): the service, the page
that works without JavaScript, where its confirmation shows, who may; and
the add form's parts (a wide question box, options for choice questions,
the freeze said before opening)."""

import re

import pytest
from django.urls import reverse

from surveys import selectors, services
from surveys.exceptions import SurveyError
from surveys.models import QuestionKind, Survey
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory, questions_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(owner, organization) -> Survey:
    survey = SurveyFactory(owner=owner, organization=organization)
    questions_add(survey)
    return survey


def _edit_url(question):
    return reverse("surveys:question-edit", args=[question.survey_id, question.pk])


class TestQuestionUpdate:
    def test_changes_text_type_requirement_and_options(self, draft):
        question = draft.questions.get(kind=QuestionKind.TEXT)
        revision = draft.revision
        services.question_update(
            question=question,
            kind=QuestionKind.CHOICE,
            text="  Which day suits you?  ",
            required=True,
            options=["Monday", " Tuesday ", "Monday", ""],
        )
        question.refresh_from_db()
        assert (question.kind, question.text, question.required) == (
            QuestionKind.CHOICE,
            "Which day suits you?",
            True,
        )
        assert [o.label for o in question.options.all()] == ["Monday", "Tuesday"]
        draft.refresh_from_db()
        assert draft.revision == revision + 1
        # The cached questionnaire follows the new revision.
        [item] = [q for q in selectors.questionnaire(draft) if q.id == question.pk]
        assert item.text == "Which day suits you?"

    def test_a_question_that_is_no_longer_a_choice_loses_its_options(self, draft):
        question = draft.questions.get(kind=QuestionKind.CHOICE)
        services.question_update(
            question=question, kind=QuestionKind.RATING, text="Rate it", options=["A"]
        )
        assert not question.options.exists()

    def test_a_choice_needs_two_options(self, draft):
        question = draft.questions.get(kind=QuestionKind.CHOICE)
        with pytest.raises(SurveyError):
            services.question_update(
                question=question, kind=QuestionKind.CHOICE, text="?", options=["A"]
            )
        assert question.options.count() == 3

    def test_refused_once_the_survey_is_open(self, draft):
        question = draft.questions.get(kind=QuestionKind.TEXT)
        services.survey_open(survey=draft, actor=draft.owner)
        with pytest.raises(SurveyError, match="cannot change"):
            services.question_update(question=question, kind="text", text="New")
        question.refresh_from_db()
        assert question.text == "Anything to add?"


class TestQuestionEditPage:
    def test_shows_the_question_in_the_form(self, user_client, draft):
        question = draft.questions.get(kind=QuestionKind.CHOICE)
        page = user_client(draft.owner).get(_edit_url(question))
        assert page.status_code == 200
        form = page.context["form"]
        assert form["text"].value() == "Would you come back?"
        assert form["kind"].value() == QuestionKind.CHOICE
        assert form["options"].value() == "Yes\nNo\nMaybe"

    def test_saves_and_confirms_in_the_questions_panel(self, user_client, draft):
        question = draft.questions.get(kind=QuestionKind.RATING)
        client = user_client(draft.owner)
        response = client.post(
            _edit_url(question),
            {"text": "How warm was the welcome?", "kind": "rating", "required": "on"},
        )
        assert response.status_code == 302
        assert response["Location"].endswith("#questions")
        question.refresh_from_db()
        assert question.text == "How warm was the welcome?"
        page = client.get(response["Location"]).text
        questions = page[page.index('id="questions"') : page.index('id="sending"')]
        assert "The question is saved." in questions
        assert page.count("The question is saved.") == 1

    def test_errors_stay_on_the_page(self, user_client, draft):
        question = draft.questions.get(kind=QuestionKind.CHOICE)
        response = user_client(draft.owner).post(
            _edit_url(question), {"text": "Still?", "kind": "choice", "options": "A"}
        )
        assert response.status_code == 422
        assert "Give at least two options, one per line." in response.text
        assert question.options.count() == 3

    def test_an_open_survey_sends_back_with_the_reason(self, user_client, draft):
        question = draft.questions.first()
        services.survey_open(survey=draft, actor=draft.owner)
        client = user_client(draft.owner)
        response = client.get(_edit_url(question))
        assert response.status_code == 302
        page = client.get(response["Location"]).text
        assert "The questions cannot change once the survey has been opened." in page

    def test_readers_do_not_find_it(self, user_client, draft):
        reader = MembershipFactory(organization=draft.organization, reader=True)
        question = draft.questions.first()
        assert user_client(reader.user).get(_edit_url(question)).status_code == 404
        assert (
            user_client(reader.user)
            .post(_edit_url(question), {"text": "Mine", "kind": "text"})
            .status_code
            == 404
        )
        question.refresh_from_db()
        assert question.text != "Mine"


class TestTheEditor:
    def test_each_question_has_an_edit_link_while_a_draft(self, user_client, draft):
        page = user_client(draft.owner).get(draft.get_absolute_url()).text
        for question in draft.questions.all():
            assert f'href="{_edit_url(question)}"' in page

    def test_options_show_for_choice_questions_and_without_javascript(
        self, user_client, draft
    ):
        page = user_client(draft.owner).get(draft.get_absolute_url()).text
        [part] = re.findall(r"<div data-show-if=\"kind=choice\"[^>]*>", page)
        assert "hidden" not in part
        assert 'name="options"' in page[page.index(part) :]

    def test_the_question_box_is_wide(self, user_client, draft):
        page = user_client(draft.owner).get(draft.get_absolute_url()).text
        assert re.search(r'<div class="field wide">\s*<label for="id_text"', page)

    def test_opening_says_before_that_the_questions_freeze(self, user_client, draft):
        page = user_client(draft.owner).get(draft.get_absolute_url()).text
        assert 'value="open" aria-describedby="open-note"' in page
        assert re.search(
            r'id="open-note">The questions cannot change once the survey has been '
            r"opened.</p>",
            page,
        )


class TestConfirmationsWhereTheFormIs:
    def test_branding_and_sending_confirm_in_their_panels(
        self, user_client, owner, organization
    ):
        survey = SurveyFactory(owner=owner, organization=organization, open=True)
        questions_add(survey)
        client = user_client(owner)
        client.post(reverse("surveys:link-create", args=[survey.pk]))
        client.post(
            reverse("surveys:branding", args=[survey.pk]), {"colour": "", "logo": ""}
        )
        page = client.get(survey.get_absolute_url()).text
        sending = page[page.index('id="sending"') : page.index('id="response-data"')]
        branding = page[page.index('id="branding"') :]
        top = page[: page.index("<h1>")]
        assert "The survey’s link is ready to share." in sending
        assert "The respondent pages’ look is saved." in branding
        assert "ready to share" not in top and "look is saved" not in top

    def test_other_messages_still_show_at_the_top(self, user_client, draft):
        client = user_client(draft.owner)
        client.post(
            reverse("surveys:survey-status", args=[draft.pk]), {"action": "open"}
        )
        page = client.get(draft.get_absolute_url()).text
        top = page[: page.index("<h1>")]
        assert "The survey is open. Now send it." in top
