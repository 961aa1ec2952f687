"""Issue 10, points 4 and 8 in a browser, in English and in French: after a
disconnection the Contract page lists the seats members still hold, and the
Members page's plan filter offers Free and the contract's plans only."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from contracts import services
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

WORDS = {
    "en": {
        "contract": "Contract",
        "members": "Members",
        "disconnect": "Disconnect",
        "no_contract": "No contract",
        "plan": "Plan",
        "all_plans": "All plans",
        "free": "Free",
        "reader_plus": "Reader+",
        "professional": "Professional",
        "all_on_free": "its members use the Free plan",
        "managers_free": "the contract's managers can free them",
    },
    "fr": {
        "contract": "Contrat",
        "members": "Membres",
        "disconnect": "Déconnecter",
        "no_contract": "Aucun contrat",
        "plan": "Plan",
        "all_plans": "Tous les plans",
        "free": "Gratuit",
        "reader_plus": "Lecteur+",
        "professional": "Professionnel",
        "managers_free": "les gestionnaires du contrat peuvent les libérer",
        "all_on_free": "ses membres utilisent le plan",
    },
}


def _acme():
    """Acme, its administrator Alice, Bob holding Professional and Carol
    holding Reader+ from the connected contract ACME-2027."""
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization,
        administrator=True,
        user__email="alice@acme.example",
        user__full_name="Alice Martin",
    ).user
    contract = ContractFactory(
        reference="ACME-2027", seats={"professional": 3, "reader-plus": 2}
    )
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    for email, name, code in [
        ("bob@acme.example", "Bob Bernard", "professional"),
        ("carol@acme.example", "Carol Chevalier", "reader-plus"),
    ]:
        member = MembershipFactory(
            organization=organization, user__email=email, user__full_name=name
        )
        services.member_plan_set(
            organization=organization, user=member.user, plan=plan(code), actor=alice
        )
    return organization, alice


def _open(page, words, link):
    page.get_by_role("link", name="Acme").click()
    _side_menu(page, words, link)


def _side_menu(page, words, link):
    page.get_by_role("navigation", name=re.compile("Acme")).get_by_role(
        "link", name=words[link]
    ).click()
    page.wait_for_load_state()


def _disconnect(page, words):
    page.get_by_role("link", name=words["disconnect"]).click()
    page.get_by_role("dialog").get_by_role("button", name=words["disconnect"]).click()
    expect(page.get_by_role("heading", name=words["no_contract"])).to_be_visible()


def _filter_options(page, words):
    return page.get_by_role("combobox", name=words["plan"], exact=True).locator(
        "option"
    )


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_after_disconnecting_the_contract_page_lists_the_seats_still_held(
    open_page, language
):
    words = WORDS[language]
    _organization, alice = _acme()

    page = open_page(language)
    log_in(page, alice.email, PASSWORD, language)
    _open(page, words, "contract")
    _disconnect(page, words)

    bob = page.get_by_role("row", name=re.compile("Bob Bernard")).get_by_role("cell")
    expect(bob.nth(1)).to_have_text(words["professional"])
    carol = page.get_by_role("row", name=re.compile("Carol Chevalier"))
    expect(carol.get_by_role("cell").nth(1)).to_have_text(words["reader_plus"])
    expect(page.get_by_text(words["all_on_free"])).to_have_count(0)
    assert axe_violations(page, "contract page, disconnected") == []
    expect(page.get_by_text(words["managers_free"])).to_be_visible()


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_plan_filter_offers_free_and_the_contracts_plans(open_page, language):
    words = WORDS[language]
    organization, alice = _acme()

    page = open_page(language)
    log_in(page, alice.email, PASSWORD, language)
    _open(page, words, "members")
    # Connected: Free and the contract's plans, cheapest first; no Starter.
    expect(_filter_options(page, words)).to_have_text(
        [words["all_plans"], words["free"], words["reader_plus"], words["professional"]]
    )

    # Carol's plan is taken back; then the contract is disconnected.
    services.member_plan_set(
        organization=organization,
        user=User.objects.get(email="carol@acme.example"),
        plan=plan("free"),
        actor=alice,
    )
    _side_menu(page, words, "contract")
    _disconnect(page, words)
    _side_menu(page, words, "members")
    # Disconnected: Free and the plans members still hold from it.
    expect(_filter_options(page, words)).to_have_text(
        [words["all_plans"], words["free"], words["professional"]]
    )
    assert axe_violations(page, "members page, disconnected") == []
    page.get_by_role("combobox", name=words["plan"], exact=True).select_option(
        label=words["professional"]
    )
    expect(page.get_by_role("row", name=re.compile("Bob Bernard"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Carol Chevalier"))).to_have_count(0)
