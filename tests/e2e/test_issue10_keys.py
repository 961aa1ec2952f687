"""Issue 10, point 3, in a browser: a typo in a connection key is kept in
the field, refused as not a connection key and not counted; a wrong key of
the right shape is counted, and the field comes back empty. In English and
in French; axe stays clean with the errors shown.

The sentence saying how many attempts are left is new: until the French
catalogue has it, the French run checks its number only."""

import re

import pytest
from playwright.sync_api import expect

from contracts.keys import key_generate
from tests.accounts.factories import PASSWORD
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

WORDS = {
    "en": {
        "connect": "Connect",
        "key": "Connection key",
        "not_a_key": "This is not a connection key",
        "left": "{} attempts left.",
    },
    "fr": {
        "connect": "Connecter",
        "key": "Clé de connexion",
        "not_a_key": "Ce n’est pas une clé de connexion",
        "left": "{}",
    },
}
TYPO = "SEAT-7K3M-QX9"


def _send(page, words, text):
    field = page.get_by_role("textbox", name=words["key"])
    field.fill(text)
    page.get_by_role("button", name=words["connect"], exact=True).click()
    return field


def _forget_the_refusals(browser_problems, page, count):
    """Chromium logs each refusal's status (422) as a console error; those
    were wanted here."""
    logged = (
        f"console on {page.url}: Failed to load resource: the server "
        "responded with a status of 422 (Unprocessable Content)"
    )
    for _ in range(count):
        browser_problems.remove(logged)


def test_a_typo_is_kept_and_not_counted_a_wrong_key_is_counted(
    open_page, browser_problems, language
):
    words = WORDS[language]
    organization = OrganizationFactory(name="Globex")
    erin = MembershipFactory(
        organization=organization, administrator=True, user__full_name="Erin Evans"
    ).user
    page = open_page(language)
    log_in(page, erin.email, PASSWORD, language)
    page.goto(f"/organizations/{organization.pk}/contract/")
    page.get_by_role("button", name=words["connect"], exact=True).click()

    field = _send(page, words, TYPO)
    error = page.locator("#connect-step .errorlist")
    expect(error).to_contain_text(words["not_a_key"])
    expect(error).to_contain_text(re.compile(re.escape(words["left"].format(5))))
    expect(field).to_have_value(TYPO)
    assert axe_violations(page, "a typo refused") == []

    field = _send(page, words, key_generate())
    expect(error).not_to_contain_text(words["not_a_key"])
    expect(error).to_contain_text(re.compile(re.escape(words["left"].format(4))))
    expect(field).to_have_value("")

    field = _send(page, words, TYPO.lower())
    expect(error).to_contain_text(words["not_a_key"])
    expect(error).to_contain_text(re.compile(re.escape(words["left"].format(4))))
    expect(field).to_have_value(TYPO.lower())

    _send(page, words, key_generate())
    expect(error).to_contain_text(re.compile(re.escape(words["left"].format(3))))
    _forget_the_refusals(browser_problems, page, 4)
    if language == "en":
        page.goto(f"/organizations/{organization.pk}/contract/")
        history = page.get_by_role("region", name="History")
        expect(history).to_contain_text(
            re.compile("2 refused connection key attempts by Erin Evans between")
        )
        expect(history.get_by_role("listitem")).to_have_count(1)
