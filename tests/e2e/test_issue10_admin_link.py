"""Issue 10, point 14, in a browser: an administrator refused a paid feature
is never told to ask an administrator; they get a link to their own member
page, where they can give themselves a plan. In English and in French."""

import re

import pytest
from playwright.sync_api import expect

from contracts import services
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, questions_add

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

WORDS = {
    "en": {
        "own_page": "Open my member page",
        "ask": "Ask an administrator",
        "export": "Export to Excel",
        "plan": "Plan",
        "simulated": "Simulated data",
    },
    "fr": {
        "own_page": "Ouvrir ma page de membre",
        "ask": "Demandez l’un de ces plans",
        "export": "Exporter vers Excel",
        "plan": "Plan",
        "simulated": "Données simulées",
    },
}


def _acme():
    """Acme, its administrator Alice, Bob's open survey, and ACME-2027
    connected with Professional seats, automatic assignment off."""
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization,
        administrator=True,
        user__email="alice@acme.example",
        user__full_name="Alice Martin",
    )
    bob = MembershipFactory(organization=organization, user__full_name="Bob Bernard")
    contract = ContractFactory(reference="ACME-2027", seats={"professional": 3})
    services.contract_connect(
        organization=organization, contract=contract, actor=alice.user
    )
    survey = SurveyFactory(owner=bob.user, organization=organization, open=True)
    questions_add(survey)
    return alice, survey


def _expect_own_page(page, alice, words):
    expect(page).to_have_url(
        re.compile(rf"/organizations/{alice.organization_id}/members/{alice.pk}/$")
    )
    expect(page.get_by_role("combobox", name=words["plan"], exact=True)).to_be_visible()


def test_the_report_and_the_export_link_an_administrator_to_her_page(
    open_page, language
):
    words = WORDS[language]
    alice, survey = _acme()
    page = open_page(language)
    log_in(page, alice.user.email, PASSWORD, language)

    page.goto(f"/surveys/{survey.pk}/report/")
    notice = page.get_by_role("status").filter(has_text=words["simulated"])
    expect(notice).to_be_visible()
    expect(notice).not_to_contain_text(words["ask"])
    notice.get_by_role("link", name=words["own_page"]).click()
    _expect_own_page(page, alice, words)

    page.goto(f"/surveys/{survey.pk}/report/")
    page.get_by_role("button", name=words["export"]).click()
    message = page.locator(".messages").get_by_role("listitem")
    expect(message).to_be_visible()
    expect(message).not_to_contain_text(words["ask"])
    message.get_by_role("link", name=words["own_page"]).click()
    _expect_own_page(page, alice, words)


def test_a_member_is_still_told_to_ask_an_administrator(open_page, language):
    words = WORDS[language]
    alice, survey = _acme()
    carol = MembershipFactory(
        organization=alice.organization, user__email="carol@acme.example"
    ).user
    page = open_page(language)
    log_in(page, carol.email, PASSWORD, language)
    page.goto(f"/surveys/{survey.pk}/report/")
    page.get_by_role("button", name=words["export"]).click()
    message = page.locator(".messages").get_by_role("listitem")
    expect(message).to_contain_text(words["ask"])
    expect(message.get_by_role("link")).to_have_count(0)
