"""The respondent pages: the form, its validation, the thank-you page, and
the inactive rule."""

import re

import pytest
from django.core import signing
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.urls import reverse

from contracts import services as contract_services
from surveys.models import Answer, Question, Response, Survey
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.markers import ARRAYS_IN_ONE_QUERY
from tests.surveys.factories import (
    SurveyFactory,
    form_token,
    invitation_add,
    link_add,
    questions_add,
    responses_add,
)

pytestmark = pytest.mark.django_db


def _url(link):
    return reverse("surveys:respond-link", kwargs={"token": link.token})


def _answers(questions, client, url):
    """A complete, valid submit of the form the page served."""
    page = client.get(url)
    assert page.status_code == 200
    return {
        "form_token": form_token(page),
        f"q{questions['choice'].pk}": questions["choice"].options.all()[1].pk,
        f"q{questions['rating'].pk}": "5",
        f"q{questions['text'].pk}": "Lovely",
    }


class TestTheForm:
    def test_an_open_survey_serves_its_questions(self, client, link, survey):
        response = client.get(_url(link))
        assert response.status_code == 200
        assert survey.title in response.text
        assert "Would you come back?" in response.text
        assert 'value="5"' in response.text
        assert "(optional)" in response.text
        assert "style=" not in response.text

    def test_answers_are_saved_and_thanked(self, client, link, survey, questions):
        data = _answers(questions, client, _url(link))
        response = client.post(_url(link), data)
        assert response.status_code == 302
        assert response.url == reverse(
            "surveys:respond-link-thanks", kwargs={"token": link.token}
        )
        assert "Thank you!" in client.get(response.url).text
        saved = Response.objects.get(survey=survey)
        assert saved.channel == "link"
        values = {a.question_id: a.display_value for a in saved.answers.all()}
        assert values == {
            questions["choice"].pk: "No",
            questions["rating"].pk: "5",
            questions["text"].pk: "Lovely",
        }
        survey.refresh_from_db()
        assert survey.response_count == 1

    def test_missing_answers_are_named_and_nothing_is_saved(
        self, client, link, survey, questions
    ):
        data = _answers(questions, client, _url(link))
        del data[f"q{questions['rating'].pk}"]
        data[f"q{questions['choice'].pk}"] = "999999"
        response = client.post(_url(link), data)
        assert response.status_code == 200
        assert "Please answer this question." in response.text
        assert "Choose one of the options." in response.text
        # The answers given are kept in the form.
        assert "Lovely" in response.text
        assert not Response.objects.exists()

    def test_an_optional_question_may_be_left_empty(
        self, client, link, survey, questions
    ):
        data = _answers(questions, client, _url(link))
        data[f"q{questions['text'].pk}"] = ""
        assert client.post(_url(link), data).status_code == 302
        assert Answer.objects.count() == 2

    def test_messages_follow_the_respondents_language(self, client, link, questions):
        headers = {"Accept-Language": "fr"}
        page = client.get(_url(link), headers=headers)
        assert '<html lang="fr">' in page.text
        response = client.post(
            _url(link),
            {"form_token": form_token(page)},
            headers=headers,
        )
        assert "Veuillez répondre à cette question." in response.text

    def test_unknown_tokens_get_a_clear_404(self, client):
        response = client.get(reverse("surveys:respond-link", args=["nope"]))
        assert response.status_code == 404
        assert "This survey link does not work" in response.text
        response = client.post(reverse("surveys:respond-invitation", args=["nope"]))
        assert response.status_code == 404

    @pytest.mark.parametrize("token", ["\x00", "a\x00b", "x" * 65, "İ", "a b"])
    @pytest.mark.parametrize(
        "name",
        [
            "surveys:respond-link",
            "surveys:respond-link-thanks",
            "surveys:respond-invitation",
            "surveys:respond-invitation-thanks",
        ],
    )
    def test_what_cannot_be_a_token_gets_the_same_404(self, client, name, token):
        """Not looked up at all: PostgreSQL refuses a NUL byte in a query."""
        response = client.get(reverse(name, args=[token]))
        assert response.status_code == 404
        assert "This survey link does not work" in response.text

    def test_a_form_token_of_another_survey_is_not_a_served_form(
        self, client, link, survey, questions
    ):
        """It does not carry the served-as-active guarantee over to this
        survey: at the limit, the submit is refused."""
        other = SurveyFactory(owner=survey.owner, open=True)
        questions_add(other)
        other_page = client.get(_url(link_add(other)))
        data = _answers(questions, client, _url(link))
        data["form_token"] = form_token(other_page)
        responses_add(survey, 100, answers=False)
        response = client.post(_url(link), data)
        assert response.status_code == 409
        assert "This survey is inactive" in response.text
        assert Response.objects.filter(survey=survey).count() == 100

    def test_a_tampered_form_token_is_a_new_arrival(
        self, client, link, survey, questions
    ):
        data = _answers(questions, client, _url(link))
        data["form_token"] = data["form_token"][:-2] + "xx"
        assert client.post(_url(link), data).status_code == 302
        assert Response.objects.filter(survey=survey).count() == 1


class TestInactiveRule:
    """A survey accepts responses while it is open and below its owner's
    plan's limit (Free: 100)."""

    @pytest.mark.parametrize(
        ("count", "active"), [(99, True), (100, False), (101, False)]
    )
    def test_on_free(self, client, link, survey, count, active):
        responses_add(survey, count, answers=False)
        response = client.get(_url(link))
        assert ("This survey is inactive" in response.text) is not active
        assert ("Would you come back?" in response.text) is active

    @pytest.mark.parametrize("count", [99, 100, 101])
    def test_on_a_paid_plan(self, client, link, survey, count):
        SeatFactory(user=survey.owner, plan=plan("starter"))
        responses_add(survey, count, answers=False)
        response = client.get(_url(link))
        assert "Would you come back?" in response.text
        assert "This survey is inactive" not in response.text

    def test_a_paid_plan_has_its_own_limit(self, client, link, survey):
        SeatFactory(user=survey.owner, plan=plan("starter"))
        Survey.objects.filter(pk=survey.pk).update(response_count=1000)
        assert "This survey is inactive" in client.get(_url(link)).text

    def test_unlimited_plans_never_go_inactive(self, client, link, survey):
        SeatFactory(user=survey.owner, plan=plan("professional"))
        Survey.objects.filter(pk=survey.pk).update(response_count=1_000_000)
        assert "Would you come back?" in client.get(_url(link)).text

    def test_reader_plus_keeps_the_free_limit(self, client, link, survey):
        SeatFactory(user=survey.owner, plan=plan("reader-plus"))
        responses_add(survey, 100, answers=False)
        assert "This survey is inactive" in client.get(_url(link)).text

    def test_inactive_in_french(self, client, link, survey):
        responses_add(survey, 100, answers=False)
        response = client.get(_url(link), headers={"Accept-Language": "fr"})
        assert "Cette enquête est inactive" in response.text

    def test_an_inactive_survey_accepts_no_new_arrival(
        self, client, link, survey, questions
    ):
        data = _answers(questions, client, _url(link))
        del data["form_token"]
        responses_add(survey, 100, answers=False)
        response = client.post(_url(link), data)
        assert response.status_code == 409
        assert "This survey is inactive" in response.text
        survey.refresh_from_db()
        assert survey.response_count == 100

    def test_a_form_served_while_active_is_saved_over_the_limit(
        self, client, link, survey, questions
    ):
        responses_add(survey, 99, answers=False)
        data = _answers(questions, client, _url(link))
        # Someone else answers meanwhile: the survey reaches its limit.
        other = client.__class__()
        response = other.post(_url(link), _answers(questions, other, _url(link)))
        assert response.status_code == 302
        assert "This survey is inactive" in other.get(_url(link)).text
        # The first respondent's served form is still accepted.
        assert client.post(_url(link), data).status_code == 302
        survey.refresh_from_db()
        assert survey.response_count == 101
        assert Response.objects.filter(survey=survey).count() == 101

    def test_a_served_form_sent_again_past_the_limit_is_a_new_arrival(
        self, client, link, survey, questions
    ):
        """One served form keeps one response past the limit: replaying it
        cannot collect more than the owner's plan allows."""
        responses_add(survey, 99, answers=False)
        data = _answers(questions, client, _url(link))
        assert client.post(_url(link), data).status_code == 302
        assert client.post(_url(link), data).status_code == 409
        survey.refresh_from_db()
        assert survey.response_count == 100

    def test_a_form_shown_again_with_errors_keeps_its_place_past_the_limit(
        self, client, link, survey, questions
    ):
        """The form shown again keeps the token it was served with (nothing
        was saved from it yet): correcting the answers still counts as
        served."""
        responses_add(survey, 99, answers=False)
        data = _answers(questions, client, _url(link))
        responses_add(survey, 1, answers=False)
        incomplete = {**data, f"q{questions['rating'].pk}": ""}
        page = client.post(_url(link), incomplete)
        assert "Please answer this question." in page.text
        data["form_token"] = form_token(page)
        assert data["form_token"] == incomplete["form_token"]
        assert client.post(_url(link), data).status_code == 302
        survey.refresh_from_db()
        assert survey.response_count == 101

    def test_an_expired_form_token_falls_back_to_the_rule(
        self, client, link, survey, questions, settings, monkeypatch
    ):
        data = _answers(questions, client, _url(link))
        responses_add(survey, 100, answers=False)
        settings.SURVEYS_FORM_TOKEN_MAX_AGE = -1
        response = client.post(_url(link), data)
        assert response.status_code == 409

    def test_a_closed_survey_refuses_even_a_served_form(
        self, client, link, survey, questions
    ):
        data = _answers(questions, client, _url(link))
        Survey.objects.filter(pk=survey.pk).update(status="closed")
        response = client.post(_url(link), data)
        assert response.status_code == 409
        assert "Its owner has closed it" in response.text
        assert not Response.objects.exists()
        page = client.get(_url(link))
        assert page.status_code == 200
        assert "This survey is inactive" in page.text
        assert "Its owner has closed it" in page.text

    def test_the_owners_plan_removed_makes_the_survey_inactive(
        self, client, link, survey, organization, admin_user
    ):
        contract = ContractFactory(seats={"professional": 1})
        contract_services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        contract_services.member_plan_set(
            organization=organization,
            user=survey.owner,
            plan=plan("professional"),
            actor=admin_user,
        )
        responses_add(survey, 150, answers=False)
        assert "Would you come back?" in client.get(_url(link)).text
        contract_services.member_plan_set(
            organization=organization,
            user=survey.owner,
            plan=plan("free"),
            actor=admin_user,
        )
        assert "This survey is inactive" in client.get(_url(link)).text
        assert Response.objects.filter(survey=survey).count() == 150


class TestAutomaticAssignmentAtTheLimit:
    @pytest.fixture
    def contract(self, organization, admin_user):
        contract = ContractFactory(seats={"starter": 1})
        contract_services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        contract_services.contract_set_auto_assign(
            organization=organization, enabled=True, actor=admin_user
        )
        return contract

    def test_the_response_that_reaches_the_limit_gets_the_owner_a_plan(
        self, client, link, survey, questions, contract
    ):
        responses_add(survey, 99, answers=False)
        data = _answers(questions, client, _url(link))
        assert client.post(_url(link), data).status_code == 302
        seat = contract.seats.get(user=survey.owner)
        assert (seat.plan.code, seat.source, seat.feature) == (
            "starter",
            "automatic",
            "more_responses",
        )
        # The survey stays active for the next respondent.
        assert "Would you come back?" in client.get(_url(link)).text

    def test_a_visit_at_the_limit_gets_the_owner_a_plan(
        self, client, link, survey, contract
    ):
        responses_add(survey, 100, answers=False)
        assert "Would you come back?" in client.get(_url(link)).text
        assert contract.seats.get(user=survey.owner).plan.code == "starter"

    def test_no_seat_left_keeps_the_survey_inactive_and_asks_the_admins(
        self, client, link, survey, contract, organization, mailoutbox
    ):
        SeatFactory(contract=contract, plan=plan("starter"))
        responses_add(survey, 100, answers=False)
        assert "This survey is inactive" in client.get(_url(link)).text
        assert contract.plan_requests.get().user == survey.owner
        # Asked once a minute at most, however many people visit.
        client.get(_url(link))
        assert contract.plan_requests.count() == 1

    def test_without_a_contract_nothing_is_assigned(self, client, link, survey):
        responses_add(survey, 100, answers=False)
        assert "This survey is inactive" in client.get(_url(link)).text
        assert not survey.owner.seats.exists()


class TestInvitations:
    def test_a_personal_link_works_once(self, client, survey, questions):
        invitation = invitation_add(survey)
        url = reverse("surveys:respond-invitation", args=[invitation.token])
        data = _answers(questions, client, url)
        response = client.post(url, data)
        assert response.status_code == 302
        assert response.url == reverse(
            "surveys:respond-invitation-thanks", args=[invitation.token]
        )
        saved = Response.objects.get()
        assert (saved.channel, saved.invitation) == ("email", invitation)
        invitation.refresh_from_db()
        assert invitation.used_at is not None

        again = client.get(url)
        assert again.status_code == 200
        assert "You have already answered this survey" in again.text
        resubmit = client.post(url, data)
        assert resubmit.status_code == 200
        assert "You have already answered this survey" in resubmit.text
        assert Response.objects.count() == 1

    def test_a_link_form_token_does_not_serve_an_invitation(
        self, client, link, survey, questions
    ):
        invitation = invitation_add(survey)
        data = _answers(questions, client, _url(link))
        responses_add(survey, 100, answers=False)
        url = reverse("surveys:respond-invitation", args=[invitation.token])
        assert client.post(url, data).status_code == 409

    def test_an_invitation_to_an_inactive_survey_says_so(self, client, survey):
        invitation = invitation_add(survey)
        responses_add(survey, 100, answers=False)
        url = reverse("surveys:respond-invitation", args=[invitation.token])
        assert "This survey is inactive" in client.get(url).text


class TestHotPath:
    def test_a_first_visit_takes_one_query(
        self, client, link, questions, django_assert_num_queries
    ):
        """Nothing cached: the link, the survey, its owner's plan and the
        questions with their options, in one query."""
        with django_assert_num_queries(1 if ARRAYS_IN_ONE_QUERY else 3):
            response = client.get(_url(link))
        assert response.status_code == 200
        assert "Would you come back?" in response.text
        assert response.text.index("Yes") < response.text.index("Maybe")

    def test_a_submit_with_nothing_cached_takes_at_most_six_queries(
        self, client, link, survey, questions, django_assert_max_num_queries
    ):
        data = _answers(questions, client, _url(link))
        cache.clear()
        with django_assert_max_num_queries(6 if ARRAYS_IN_ONE_QUERY else 8):
            assert client.post(_url(link), data).status_code == 302
        assert Answer.objects.filter(response__survey=survey).count() == 3

    def test_questions_kept_for_another_revision_are_not_served(
        self, client, link, survey, questions
    ):
        """What an earlier visit kept under the link is checked against the
        revision read with the survey: a change is served at once, and the
        submit checks the answers against the questions of now."""
        client.get(_url(link))
        Question.objects.filter(pk=questions["text"].pk).delete()
        Survey.objects.filter(pk=survey.pk).update(revision=F("revision") + 1)
        page = client.get(_url(link))
        assert f'name="q{questions["text"].pk}"' not in page.text
        data = _answers(questions, client, _url(link))
        assert client.post(_url(link), data).status_code == 302
        saved = Response.objects.get(survey=survey)
        assert {a.question_id for a in saved.answers.all()} == {
            questions["choice"].pk,
            questions["rating"].pk,
        }

    def test_a_second_visit_reads_the_questions_from_the_cache(
        self, client, link, django_assert_num_queries
    ):
        client.get(_url(link))
        with django_assert_num_queries(1):
            client.get(_url(link))

    def test_an_invitation_form_takes_at_most_three_queries(
        self, client, survey, django_assert_max_num_queries
    ):
        invitation = invitation_add(survey)
        url = reverse("surveys:respond-invitation", args=[invitation.token])
        with django_assert_max_num_queries(3):
            assert client.get(url).status_code == 200

    def test_a_submit_takes_at_most_six_queries(
        self, client, link, survey, questions, django_assert_max_num_queries
    ):
        """The lookup (with whether the form was already answered), then one
        transaction: the response, the counter + 1 returning its value, and
        the answers in one insert."""
        data = _answers(questions, client, _url(link))
        with django_assert_max_num_queries(6):
            response = client.post(_url(link), data)
        assert response.status_code == 302
        survey.refresh_from_db()
        assert survey.response_count == 1
        assert Answer.objects.filter(response__survey=survey).count() == 3

    def test_the_submit_that_reaches_the_limit_keeps_the_counter_exact(
        self, client, link, survey, questions
    ):
        """The count returned by the counter's update (no re-read) is the
        one that reaches the owner's limit, and the counter equals the rows."""
        responses_add(survey, 99)
        data = _answers(questions, client, _url(link))
        client.post(_url(link), data)
        assert Response.objects.filter(survey=survey).count() == 100
        survey.refresh_from_db()
        assert survey.response_count == 100

    def test_an_invitation_submit_takes_at_most_seven_queries(
        self, client, survey, questions, django_assert_max_num_queries
    ):
        """One more than a link's: the invitation is marked used."""
        invitation = invitation_add(survey)
        url = reverse("surveys:respond-invitation", args=[invitation.token])
        data = _answers(questions, client, url)
        with django_assert_max_num_queries(7):
            assert client.post(url, data).status_code == 302
        invitation.refresh_from_db()
        assert invitation.used_at is not None

    def test_the_questions_are_rendered_once_for_every_visitor(
        self, link, survey, questions
    ):
        """The questions fragment is cached (Django's `{% cache %}`); the
        page around it, with each visitor's tokens, is rendered per visit."""
        first, second = Client(), Client()
        page = first.get(_url(link))
        assert "surveys/respond.html" in [t.name for t in page.templates]
        assert "django/forms/widgets/radio.html" in [t.name for t in page.templates]
        again = second.get(_url(link))
        # The questions come from the cache: no question widget rendered.
        assert "django/forms/widgets/radio.html" not in [
            t.name for t in again.templates
        ]
        assert "Would you come back?" in again.text
        # The tokens are each visitor's own, and each visitor can answer.
        assert "__" not in form_token(again)
        assert signing.loads(form_token(again), salt="surveys.response-form")
        assert form_token(page) != form_token(again)
        assert page.cookies["csrftoken"].value != again.cookies["csrftoken"].value
        for client in (first, second):
            data = _answers(questions, client, _url(link))
            assert client.post(_url(link), data).status_code == 302
        assert Response.objects.filter(survey=survey).count() == 2

    def test_a_cached_form_passes_the_csrf_check(self, link, questions):
        client = Client(enforce_csrf_checks=True)
        client.get(_url(link))
        page = client.get(_url(link))
        assert "django/forms/widgets/radio.html" not in [t.name for t in page.templates]
        data = _answers(questions, client, _url(link))
        data["csrfmiddlewaretoken"] = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
        ).group(1)
        assert client.post(_url(link), data).status_code == 302

    def test_a_changed_question_is_served_at_once(self, client, link, survey):
        client.get(_url(link))
        Question.objects.filter(survey=survey, kind="choice").update(
            text="Will you return?"
        )
        Survey.objects.filter(pk=survey.pk).update(revision=F("revision") + 1)
        assert "Will you return?" in client.get(_url(link)).text

    def test_a_closed_survey_is_not_served_from_the_cache(self, client, link, survey):
        client.get(_url(link))
        Survey.objects.filter(pk=survey.pk).update(status="closed")
        assert "Its owner has closed it" in client.get(_url(link)).text

    def test_branding_shows_with_the_owners_plan(self, client, link, survey):
        Survey.objects.filter(pk=survey.pk).update(
            brand_colour="teal", brand_logo="leaf"
        )
        page = client.get(_url(link))
        assert "brand-teal" not in page.text
        SeatFactory(user=survey.owner, plan=plan("professional"))
        page = client.get(_url(link))
        assert 'class="respondent brand-teal"' in page.text
        assert "surveys/logos/leaf.svg" in page.text


def test_a_signed_form_token_names_the_survey_and_invitation(client, link, survey):
    page = client.get(_url(link))
    token = form_token(page)
    served = signing.loads(token, salt="surveys.response-form")
    assert (served["s"], served["i"]) == (survey.pk, None)
    # A nonce, so that each served form can be told apart and spent once.
    assert len(served["n"]) >= 16
