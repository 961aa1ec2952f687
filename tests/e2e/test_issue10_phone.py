"""Issue 10, point 15, on a phone (390 × 844), in English and in French:
the header's links fold into a menu that opens, leads on and closes with
Escape; tables show each row as "header: value" lines; a long email address
wraps. No page scrolls sideways, the admin's included for support staff.
(The crawl of test_pages.py checks every page of the app at this size too,
as each kind of person, with axe.)"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from organizations.models import Organization
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.e2e.test_pages import PHONE, sideways_problems
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

WORDS = {
    "en": {
        "home": "Home",
        "pricing": "Plans & Pricing",
        "email": "Email address",
        "colon": ": ",
    },
    "fr": {
        "home": "Accueil",
        "pricing": "Offres et tarifs",
        "email": "Adresse e-mail",
        "colon": "\u00a0: ",
    },
}
LONG_EMAIL = "a.very.long.address.that.never.ends.anywhere@subdomain.acme.example"


def _phone(open_page, language, email="alice@acme.example"):
    """A phone's browser, logged in over the demo data."""
    page = open_page(language)
    page.set_viewport_size(PHONE)
    log_in(page, email, "demo", language)
    return page


def test_the_header_links_are_in_a_menu_on_a_phone(open_page, language):
    words = WORDS[language]
    call_command("demo_load", verbosity=0)
    page = _phone(open_page, language)
    page.goto("/organizations/")
    header = page.get_by_role("banner")
    menu = header.get_by_label("Menu", exact=True)
    pricing = header.get_by_role("link", name=words["pricing"])
    expect(menu).to_be_visible()
    expect(pricing).to_be_hidden()
    assert sideways_problems(page) == []

    menu.focus()
    page.keyboard.press("Enter")
    expect(header.get_by_role("link", name=words["home"])).to_be_visible()
    expect(pricing).to_be_visible()
    assert axe_violations(page, "site menu open") == []
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(pricing).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    pricing.click()
    expect(page).to_have_url("/plans/")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["pricing"])

    # On a laptop the links are in the bar, and the menu is not there.
    page.set_viewport_size({"width": 1280, "height": 720})
    expect(menu).to_be_hidden()
    expect(header.get_by_role("link", name=words["pricing"])).to_be_visible()


def test_tables_stack_and_long_addresses_wrap_on_a_phone(open_page, language):
    words = WORDS[language]
    call_command("demo_load", verbosity=0)
    acme = Organization.objects.get(name="Acme")
    MembershipFactory(organization=acme, user__email=LONG_EMAIL)
    page = _phone(open_page, language)
    page.goto(f"/organizations/{acme.pk}/members/?q=very.long")
    cell = page.get_by_role("cell", name=LONG_EMAIL)
    expect(cell).to_be_visible()
    # The cell shows its column's header before its value.
    label = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == f'"{words["email"]}{words["colon"]}"'
    box = cell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert sideways_problems(page) == []

    # The table keeps its headers for screen readers.
    expect(page.get_by_role("columnheader", name=words["email"])).to_have_count(1)
    assert axe_violations(page) == []


def test_the_admin_fits_a_phone_for_support(open_page, language):
    """Support staff on a phone: the admin's index, every list it links to,
    and the first object of each, without sideways scrolling."""
    call_command("demo_load", verbosity=0)
    page = _phone(open_page, language, "support@example.com")
    page.goto("/admin/")
    lists = page.eval_on_selector_all(
        "#content-main a[href$='/']:not([href$='/add/'])",
        "links => [...new Set(links.map((link) => link.pathname))]",
    )
    assert len(lists) >= 5, page.content()
    problems = []
    for url in ["/admin/", *lists]:
        page.goto(url)
        problems += sideways_problems(page)
        first = page.locator("#result_list tbody th a").first
        if first.count():
            first.click()
            page.wait_for_load_state()
            problems += sideways_problems(page)
    assert problems == []
