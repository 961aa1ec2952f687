import pytest
from django.contrib import admin
from django.urls import reverse

from surveys.models import Response, Survey
from tests.accounts.factories import UserFactory
from tests.surveys.factories import invitation_add, responses_add

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
