"""Issue 10, point 18, in a browser: the "Add members" icon keeps its name
and shows a visible tooltip on keyboard focus and on hover; an administrator
who manages no contract goes from Connect straight to the key's field. In
English and in French."""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD, UserFactory
from tests.contracts.factories import ContractFactory
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

WORDS = {
    "en": {
        "tooltip": "Generate a connection key",
        "add_members": "Add members",
        "connect": "Connect",
        "contract": "Contract",
        "key": "Connection key",
    },
    "fr": {
        "tooltip": "Générer une clé de connexion",
        "add_members": "Ajouter des membres",
        "connect": "Connecter",
        "contract": "Contrat",
        "key": "Clé de connexion",
    },
}
MOST_TABS = 40


def test_keyboard_focus_and_hover_show_the_key_tooltip(open_page, language):
    words = WORDS[language]
    dave = UserFactory(full_name="Dave Durand")
    ContractFactory(reference="GLOBEX-2027", managers=[dave])
    page = open_page(language)
    log_in(page, dave.email, PASSWORD, language)
    page.goto("/account/contracts/")
    page.wait_for_load_state()

    button = page.get_by_role("button", name=words["add_members"], exact=True)
    tooltip = page.get_by_role("tooltip")
    expect(button).to_have_accessible_description(
        re.compile(re.escape(words["tooltip"]))
    )
    expect(tooltip).to_be_hidden()
    for _ in range(MOST_TABS):
        if button.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_text(words["tooltip"])

    page.keyboard.press("Tab")
    expect(tooltip).to_be_hidden()
    button.hover()
    expect(tooltip).to_be_visible()


def test_an_administrator_managing_no_contract_goes_straight_to_the_key(
    open_page, language
):
    words = WORDS[language]
    organization = OrganizationFactory(name="Globex")
    erin = MembershipFactory(organization=organization, administrator=True).user
    page = open_page(language)
    log_in(page, erin.email, PASSWORD, language)
    page.goto(f"/organizations/{organization.pk}/contract/")
    page.wait_for_load_state()

    page.get_by_role("button", name=words["connect"]).click()
    key = page.get_by_role("textbox", name=words["key"])
    expect(key).to_be_focused()
    expect(page.get_by_role("combobox", name=words["contract"])).to_have_count(0)
