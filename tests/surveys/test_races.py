"""Never lose a response: concurrent submits on PostgreSQL."""

from django.test import Client
from django.urls import reverse

from surveys.models import Response
from tests.concurrency import postgresql_only, run_together
from tests.markers import transactional_db
from tests.surveys.factories import (
    SurveyFactory,
    form_token,
    link_add,
    questions_add,
    responses_add,
)

pytestmark = [postgresql_only, transactional_db]


def test_fifty_respondents_served_at_ninety_five_are_all_saved():
    """The Free limit is 100: all 50 forms were served while the survey was
    active, so all 50 are kept, and the counter matches the rows."""
    survey = SurveyFactory(open=True)
    questions = questions_add(survey)
    link = link_add(survey)
    responses_add(survey, 95, answers=False)
    url = reverse("surveys:respond-link", kwargs={"token": link.token})

    submits = []
    for number in range(50):
        client = Client()
        page = client.get(url)
        assert page.status_code == 200
        data = {
            "form_token": form_token(page),
            f"q{questions['choice'].pk}": questions["choice"].options.first().pk,
            f"q{questions['rating'].pk}": "3",
            f"q{questions['text'].pk}": f"Respondent {number}",
        }
        submits.append(lambda client=client, data=data: client.post(url, data))

    results = run_together(submits)

    assert [getattr(r, "status_code", r) for r in results] == [302] * 50
    survey.refresh_from_db()
    assert survey.response_count == 145
    assert Response.objects.filter(survey=survey).count() == 145
    texts = set(
        Response.objects.filter(answers__question=questions["text"]).values_list(
            "answers__text", flat=True
        )
    )
    assert texts == {f"Respondent {number}" for number in range(50)}
    # New arrivals now meet an inactive survey.
    assert "This survey is inactive" in Client().get(url).text


def test_concurrent_answers_through_one_invitation_save_one():
    from tests.surveys.factories import invitation_add

    survey = SurveyFactory(open=True)
    questions = questions_add(survey)
    invitation = invitation_add(survey)
    url = reverse("surveys:respond-invitation", kwargs={"token": invitation.token})
    client = Client()
    page = client.get(url)
    data = {
        "form_token": form_token(page),
        f"q{questions['choice'].pk}": questions["choice"].options.first().pk,
        f"q{questions['rating'].pk}": "3",
    }

    results = run_together([lambda: Client().post(url, data) for _ in range(10)])

    statuses = sorted(getattr(r, "status_code", r) for r in results)
    assert statuses.count(302) == 1
    assert all(status in (200, 302, 409) for status in statuses), statuses
    survey.refresh_from_db()
    assert survey.response_count == 1
    assert Response.objects.filter(survey=survey).count() == 1
