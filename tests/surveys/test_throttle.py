"""The public survey pages resist junk: responses per client address per
survey per hour, unanswered forms per client, form tokens good for hours,
and the owner's "more responses" asked at most once a minute, again at once
when a seat may have become available."""

import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from contracts import services as contract_services
from surveys import throttle
from surveys.models import Survey
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.surveys.factories import form_token, responses_add

pytestmark = pytest.mark.django_db


def _url(link):
    return reverse("surveys:respond-link", kwargs={"token": link.token})


def _answer(client, link, questions):
    page = client.get(_url(link))
    if page.status_code != 200:
        return page
    data = {
        "form_token": form_token(page),
        f"q{questions['choice'].pk}": questions["choice"].options.all()[0].pk,
        f"q{questions['rating'].pk}": "4",
    }
    return client.post(_url(link), data)


class TestResponsesPerAddress:
    def test_one_address_cannot_fill_a_free_survey_within_an_hour(
        self, link, survey, questions
    ):
        """With the default settings, one address sends at most
        RESPONSES_PER_ADDRESS_PER_HOUR (below half the Free limit of 100)
        in an hour: filling the survey from there takes more than an hour."""
        assert throttle.responses_per_address_per_hour() * 2 <= 100
        client = Client(REMOTE_ADDR="203.0.113.7")
        statuses = [_answer(client, link, questions).status_code for _ in range(55)]
        allowed = throttle.responses_per_address_per_hour()
        assert statuses[:allowed] == [302] * allowed
        assert set(statuses[allowed:]) == {429}
        survey.refresh_from_db()
        assert survey.response_count == allowed < 100
        refused = _answer(client, link, questions)
        assert "Too many answers from your connection" in refused.text
        # Another address is not held back.
        other = Client(REMOTE_ADDR="198.51.100.1")
        assert _answer(other, link, questions).status_code == 302

    def test_the_limit_is_a_setting(self, link, survey, questions, settings):
        settings.SURVEYS_RESPONSES_PER_ADDRESS_PER_HOUR = 2
        client = Client()
        statuses = [_answer(client, link, questions).status_code for _ in range(3)]
        assert statuses == [302, 302, 429]

    def test_the_window_lasts_its_full_length_from_its_first_response(
        self, link, survey, questions, settings, monkeypatch
    ):
        """Two windows back to back never allow twice the limit within one
        window's length: a window starts at its first response."""
        settings.SURVEYS_RESPONSES_PER_ADDRESS_PER_HOUR = 2
        monkeypatch.setattr(throttle, "RESPONSE_WINDOW_SECONDS", 2)
        client = Client()
        assert _answer(client, link, questions).status_code == 302
        time.sleep(1)
        assert _answer(client, link, questions).status_code == 302
        assert _answer(client, link, questions).status_code == 429
        time.sleep(1.2)
        # The first window (from the first response) has ended.
        assert _answer(client, link, questions).status_code == 302


class TestUnansweredForms:
    def test_a_client_holds_a_limited_number_of_unanswered_forms(
        self, link, questions, settings
    ):
        settings.SURVEYS_FORM_TOKENS_PER_ADDRESS = 3
        client = Client()
        assert [client.get(_url(link)).status_code for _ in range(3)] == [200] * 3
        refused = client.get(_url(link))
        assert refused.status_code == 429
        assert "Too many answers from your connection" in refused.text
        # Junk posts do not collect forms either.
        assert client.post(_url(link), {"form_token": "x"}).status_code == 429
        assert Client(REMOTE_ADDR="198.51.100.2").get(_url(link)).status_code == 200

    def test_an_answered_form_is_given_back(self, link, questions, settings):
        settings.SURVEYS_FORM_TOKENS_PER_ADDRESS = 2
        client = Client()
        first = client.get(_url(link))
        client.get(_url(link))
        data = {
            "form_token": form_token(first),
            f"q{questions['choice'].pk}": questions["choice"].options.all()[0].pk,
            f"q{questions['rating'].pk}": "4",
        }
        assert client.post(_url(link), data).status_code == 302
        assert client.get(_url(link)).status_code == 200
        assert client.get(_url(link)).status_code == 429


def test_a_form_token_is_good_for_hours_not_days(
    client, link, survey, questions, monkeypatch
):
    """A form served five hours ago no longer counts as served: past the
    limit, it is a new arrival and refused."""
    page = client.get(_url(link))
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 5 * 3600)
    old = signing.dumps(
        signing.loads(form_token(page), salt="surveys.response-form"),
        salt="surveys.response-form",
    )
    monkeypatch.setattr(signing.time, "time", real_time)
    responses_add(survey, 100, answers=False)
    data = {
        "form_token": old,
        f"q{questions['choice'].pk}": questions["choice"].options.all()[0].pk,
        f"q{questions['rating'].pk}": "4",
    }
    assert client.post(_url(link), data).status_code == 409
    survey.refresh_from_db()
    assert survey.response_count == 100


class TestMoreResponsesAsk:
    @pytest.fixture
    def contract(self, organization, admin_user):
        contract = ContractFactory(seats={"starter": 1})
        contract_services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        return contract

    def test_switching_automatic_assignment_on_lets_the_next_visit_ask(
        self,
        client,
        link,
        survey,
        contract,
        organization,
        admin_user,
        django_capture_on_commit_callbacks,
    ):
        responses_add(survey, 100, answers=False)
        assert "This survey is inactive" in client.get(_url(link)).text
        with django_capture_on_commit_callbacks(execute=True):
            contract_services.contract_set_auto_assign(
                organization=organization, enabled=True, actor=admin_user
            )
        # Within the minute, yet asked again: the survey is active.
        assert "Would you come back?" in client.get(_url(link)).text
        assert contract.seats.get(user=survey.owner).plan.code == "starter"

    def test_a_freed_seat_lets_the_next_visit_ask(
        self,
        client,
        link,
        survey,
        contract,
        organization,
        admin_user,
        django_capture_on_commit_callbacks,
    ):
        contract_services.contract_set_auto_assign(
            organization=organization, enabled=True, actor=admin_user
        )
        taken = SeatFactory(contract=contract, plan=plan("starter"))
        responses_add(survey, 100, answers=False)
        assert "This survey is inactive" in client.get(_url(link)).text
        assert "This survey is inactive" in client.get(_url(link)).text
        assert contract.plan_requests.count() == 1
        with django_capture_on_commit_callbacks(execute=True):
            contract_services.seat_release(
                seat=taken, actor=admin_user, source="manual"
            )
        assert "Would you come back?" in client.get(_url(link)).text
        assert contract.seats.get(user=survey.owner).plan.code == "starter"
        assert Survey.objects.get(pk=survey.pk).response_count == 100
