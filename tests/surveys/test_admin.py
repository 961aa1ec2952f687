import pytest
from django.contrib import admin
from django.urls import reverse

from surveys.models import Question, Response, Survey, SurveyStatus
from tests.accounts.factories import UserFactory
from tests.surveys.factories import (
    SurveyFactory,
    invitation_add,
    questions_add,
    responses_add,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_survey_model_has_working_pages(staff_client, survey, link):
    invitation_add(survey)
    responses_add(survey, 2)
    for model in admin.site._registry:
        if model._meta.app_label != "surveys":
            continue
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        assert staff_client.get(changelist).status_code == 200, info
        assert staff_client.get(changelist, {"q": "x"}).status_code == 200, info
        change = reverse(
            "admin:{}_{}_change".format(*info), args=[model.objects.first().pk]
        )
        assert staff_client.get(change).status_code == 200, info


def test_answers_are_read_only(staff_client, survey):
    responses_add(survey, 1)
    response = Response.objects.get()
    page = staff_client.get(
        reverse("admin:surveys_response_change", args=[response.pk])
    )
    assert "Fine" in page.text
    assert 'name="answers-0-text"' not in page.text
    assert (
        staff_client.post(
            reverse("admin:surveys_response_delete", args=[response.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert Response.objects.exists()


def test_questions_of_an_open_survey_are_read_only(staff_client, survey):
    page = staff_client.get(reverse("admin:surveys_survey_change", args=[survey.pk]))
    assert "Would you come back?" in page.text
    assert 'name="questions-0-text"' not in page.text


def test_a_survey_with_responses_cannot_be_deleted(staff_client, survey):
    responses_add(survey, 1)
    page = staff_client.post(
        reverse("admin:surveys_survey_delete", args=[survey.pk]), {"post": "yes"}
    )
    assert page.status_code == 200
    assert Survey.objects.filter(pk=survey.pk).exists()


def _survey_post(survey, **changes):
    """The survey's change form as the admin posts it (the inlines of an
    open survey are read-only: only their management forms)."""
    data = {
        "owner": survey.owner_id,
        "organization": survey.organization_id or "",
        "title": survey.title,
        "description": survey.description,
        "brand_colour": survey.brand_colour,
        "brand_logo": survey.brand_logo,
        "_save": "Save",
    }
    for prefix, related in (
        ("questions", survey.questions.order_by("position", "pk")),
        ("distributions", survey.distributions.all()),
    ):
        pks = list(related.values_list("pk", flat=True))
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(pks)),
                f"{prefix}-INITIAL_FORMS": str(len(pks)),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for index, pk in enumerate(pks):
            data[f"{prefix}-{index}-id"] = str(pk)
            data[f"{prefix}-{index}-survey"] = str(survey.pk)
    data.update(changes)
    return data


class TestSurveyStatus:
    def test_support_cannot_put_an_answered_survey_back_to_draft(
        self, staff_client, user_client, owner, survey, link
    ):
        responses_add(survey, 1)
        change = reverse("admin:surveys_survey_change", args=[survey.pk])
        page = staff_client.get(change)
        assert 'name="status"' not in page.text
        response = staff_client.post(
            change, _survey_post(survey, status="draft", title="Renamed")
        )
        assert response.status_code == 302, response.text
        survey.refresh_from_db()
        assert (survey.title, survey.status) == ("Renamed", SurveyStatus.OPEN)
        # So its owner still cannot touch the answered questions: deleting
        # one is refused with a message, not a 500.
        question = survey.questions.first()
        refused = user_client(owner).post(
            reverse("surveys:question-delete", args=[survey.pk, question.pk])
        )
        assert refused.status_code < 500
        assert Question.objects.filter(pk=question.pk).exists()

    def test_the_close_action_closes_through_the_service(self, staff_client, survey):
        response = staff_client.post(
            reverse("admin:surveys_survey_changelist"),
            {"action": "close_surveys", "_selected_action": [survey.pk]},
        )
        assert response.status_code == 302
        survey.refresh_from_db()
        assert survey.status == SurveyStatus.CLOSED
        assert survey.closed_at is not None

    def test_the_open_action_on_the_change_page(self, staff_client, owner):
        draft = SurveyFactory(owner=owner)
        questions_add(draft)
        change = reverse("admin:surveys_survey_change", args=[draft.pk])
        page = staff_client.get(change)
        assert 'value="open_surveys"' in page.text
        response = staff_client.post(
            change,
            {"CHANGE_FORM-action": "open_surveys", "_selected_action": [draft.pk]},
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == SurveyStatus.OPEN
        assert draft.opened_at is not None

    def test_the_services_refusal_is_a_message(self, staff_client, owner):
        empty = SurveyFactory(owner=owner)
        response = staff_client.post(
            reverse("admin:surveys_survey_changelist"),
            {"action": "open_surveys", "_selected_action": [empty.pk]},
            follow=True,
        )
        assert "Add at least one question before opening the survey." in (response.text)
        empty.refresh_from_db()
        assert empty.status == SurveyStatus.DRAFT
