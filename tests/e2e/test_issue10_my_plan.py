"""Issue 10, point 13, in a browser: "My plan" on the home page shows the
member's plan, where it comes from and the features it lacks, locked with
the reason, before any click; an administrator's reason links to their
member page. In English and in French; axe stays clean.

The panel's own words are new: the French run reads them from the
catalogue (`_words`), so that it checks the French page once they are
translated and the English fallback until then."""

import re

import pytest
from playwright.sync_api import expect

from contracts import services
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

WORDS = {
    "en": {
        "free": "Free",
        "professional": "Professional",
        "real_data": "Reading reports with real data",
        "own_page": "Open my member page",
        "my_plan": "My plan",
        "not_in_free": "Not in your plan, Free",
    },
    "fr": {
        "free": "Gratuit",
        "professional": "Professionnel",
        "real_data": "Lire les rapports avec les données réelles",
        "own_page": "Ouvrir ma page de membre",
        "my_plan": "Mon plan",
        "not_in_free": "Pas dans votre plan, Gratuit",
    },
}


@pytest.fixture
def acme():
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization,
        administrator=True,
        user__full_name="Alice Martin",
    )
    bob = MembershipFactory(organization=organization, user__full_name="Bob Bernard")
    contract = ContractFactory(reference="ACME-2027", seats={"professional": 3})
    services.contract_connect(
        organization=organization, contract=contract, actor=alice.user
    )
    return organization, alice, bob


def _my_plan(page, words):
    page.goto("/")
    panel = page.get_by_role("region", name=words["my_plan"])
    expect(panel).to_be_visible()
    return panel


def _locked(panel, words, feature):
    """The feature's item in the list of what the Free plan lacks."""
    return (
        panel.get_by_role("list", name=words["not_in_free"])
        .get_by_role("listitem")
        .filter(has_text=feature)
    )


def test_a_member_sees_free_and_why_each_feature_is_locked(open_page, acme, language):
    words = WORDS[language]
    _organization, _alice, bob = acme
    page = open_page(language)
    log_in(page, bob.user.email, PASSWORD, language)

    panel = _my_plan(page, words)
    expect(panel.get_by_text(words["free"], exact=True)).to_be_visible()
    expect(panel.get_by_role("heading", name=words["not_in_free"])).to_be_visible()
    reason = _locked(panel, words, words["real_data"])
    expect(reason).to_have_count(1)
    expect(reason).to_contain_text("Acme")
    expect(reason).to_contain_text(WORDS[language]["professional"])
    expect(reason.get_by_role("link")).to_have_count(0)
    assert axe_violations(page, "My plan, Free") == []


def test_a_plan_given_by_hand_names_its_contract_and_giver(open_page, acme, language):
    words = WORDS[language]
    organization, alice, bob = acme
    services.member_plan_set(
        organization=organization,
        user=bob.user,
        plan=plan("professional"),
        actor=alice.user,
    )
    page = open_page(language)
    log_in(page, bob.user.email, PASSWORD, language)

    panel = _my_plan(page, words)
    expect(panel.get_by_text(words["professional"], exact=True)).to_be_visible()
    expect(panel).to_contain_text("ACME-2027")
    expect(panel).to_contain_text("Alice Martin")
    expect(panel).to_contain_text(words["real_data"])
    # Professional includes every feature: one list, none locked.
    expect(panel.get_by_role("list")).to_have_count(1)
    assert axe_violations(page, "My plan, Professional") == []


def test_an_administrator_is_sent_to_their_member_page(open_page, acme, language):
    words = WORDS[language]
    _organization, alice, _bob = acme
    page = open_page(language)
    log_in(page, alice.user.email, PASSWORD, language)

    panel = _my_plan(page, words)
    reason = _locked(panel, words, words["real_data"])
    expect(reason).to_contain_text("Acme")
    reason.get_by_role("link", name=words["own_page"]).click()
    expect(page).to_have_url(
        re.compile(f"/organizations/{alice.organization_id}/members/{alice.pk}/$")
    )
