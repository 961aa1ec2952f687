"""A respondent answers by link; the survey goes inactive when its owner's
plan is taken back; the owner still downloads the response data. In
English and in French."""

import csv
import io

import pytest
from playwright.sync_api import expect

from contracts import services as contract_services
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import (
    SurveyFactory,
    link_add,
    questions_add,
    responses_add,
)

WORDS = {
    "en": {
        "send": "Send my answers",
        "required": "Please answer this question.",
        "thanks": "Thank you!",
        "inactive": "This survey is inactive",
        "data": "Response data",
        "download": "Download",
        "header": "Response",
    },
    "fr": {
        "send": "Envoyer mes réponses",
        "required": "Veuillez répondre à cette question.",
        "thanks": "Merci !",
        "inactive": "Cette enquête est inactive",
        "data": "Données de réponse",
        "download": "Télécharger",
        "header": "Réponse",
    },
}


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_respondent_answers_by_link(open_page, language):
    words = WORDS[language]
    survey = SurveyFactory(title="Welcome desk", open=True)
    questions_add(survey)
    link = link_add(survey)

    page = open_page(language)
    page.goto(link.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome desk")

    # Sending nothing names what is missing, and saves nothing.
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_text(words["required"])).to_have_count(2)

    page.get_by_role("radio", name="Maybe").check()
    page.get_by_role("group", name="How was the welcome?").get_by_role(
        "radio", name="4"
    ).check()
    page.get_by_role("textbox").fill("Great coffee")
    page.get_by_role("button", name=words["send"]).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words["thanks"])
    response = survey.responses.get()
    assert sorted(a.display_value for a in response.answers.all()) == [
        "4",
        "Great coffee",
        "Maybe",
    ]


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_inactive_after_the_plan_is_taken_back_and_the_data_downloads(
    open_page, language
):
    words = WORDS[language]
    organization = OrganizationFactory(name="Acme")
    admin = MembershipFactory(organization=organization, administrator=True).user
    owner = MembershipFactory(organization=organization).user
    contract = ContractFactory(seats={"professional": 1})
    contract_services.contract_connect(
        organization=organization, contract=contract, actor=admin
    )
    contract_services.member_plan_set(
        organization=organization, user=owner, plan=plan("professional"), actor=admin
    )
    survey = SurveyFactory(
        owner=owner, organization=organization, title="Big survey", open=True
    )
    questions_add(survey)
    link = link_add(survey)
    responses_add(survey, 150)

    respondent = open_page(language)
    respondent.goto(link.get_absolute_url())
    expect(respondent.get_by_role("button", name=words["send"])).to_be_visible()

    # An administrator takes the owner's plan back: Free allows 100.
    contract_services.member_plan_set(
        organization=organization, user=owner, plan=plan("free"), actor=admin
    )
    respondent.reload()
    expect(respondent.get_by_role("heading", level=1)).to_have_text(words["inactive"])
    expect(respondent.get_by_role("button", name=words["send"])).to_have_count(0)

    # The owner still has every response.
    page = open_page(language)
    log_in(page, owner.email, PASSWORD, language)
    page.get_by_role("link", name="Big survey").click()
    expect(page.get_by_role("heading", name=words["inactive"])).to_be_visible()
    data = page.get_by_role("region", name=words["data"])
    with page.expect_download() as download_info:
        data.get_by_role("link", name=words["download"]).click()
    download = download_info.value
    assert download.suggested_filename == "big-survey-responses.csv"
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0][0] == words["header"]
    assert len(rows) == 151
    assert survey.responses.count() == 150
