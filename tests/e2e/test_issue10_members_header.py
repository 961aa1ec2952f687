"""Issue 10, points 7 and 9, in a browser: the Members page opens with the
seats in use per plan of the connected contract (a gauge named for the plan,
the count a link to the members holding it), and each member's row says how
their seat was given. In English and in French."""

import re

import pytest
from playwright.sync_api import expect

from contracts import services
from contracts.models import SeatSource
from plans.models import Feature
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

WORDS = {
    "en": {
        "meter": "Professional: 1 of 3 assigned",
        "link": "Professional 1/3",
        "automatic": "automatically, for “Reading reports with real data”",
    },
    "fr": {
        "meter": "Professionnel : 1 sur 3 attribués",
        "link": "Professionnel 1/3",
        "automatic": (
            "automatiquement, pour « Lire les rapports avec les données réelles »"
        ),
    },
}


def _acme():
    """Acme, its administrator Alice, Bob with a Professional seat given by
    Alice, Carol with a Reader+ seat given automatically, Dan on Free."""
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization,
        administrator=True,
        user__email="alice@acme.example",
        user__full_name="Alice Martin",
    )
    bob = MembershipFactory(
        organization=organization,
        user__email="bob@acme.example",
        user__full_name="Bob Bernard",
    )
    carol = MembershipFactory(
        organization=organization,
        user__email="carol@acme.example",
        user__full_name="Carol Chen",
    )
    MembershipFactory(
        organization=organization,
        user__email="dan@acme.example",
        user__full_name="Dan Dupont",
    )
    contract = ContractFactory(
        reference="ACME-2027", seats={"professional": 3, "reader-plus": 2}
    )
    services.contract_connect(
        organization=organization, contract=contract, actor=alice.user
    )
    services.member_plan_set(
        organization=organization,
        user=bob.user,
        plan=plan("professional"),
        actor=alice.user,
    )
    services.seat_put(
        contract=contract,
        user=carol.user,
        plan=plan("reader-plus"),
        actor=None,
        source=SeatSource.AUTOMATIC,
        feature=Feature.REPORTS_REAL_DATA,
    )
    return alice


def test_the_header_gauges_each_plan_and_links_to_its_members(open_page, language):
    words = WORDS[language]
    alice = _acme()
    page = open_page(language)
    log_in(page, alice.user.email, PASSWORD, language)
    page.goto(f"/organizations/{alice.organization_id}/members/")

    expect(page.get_by_role("meter", name=words["meter"])).to_be_visible()
    page.get_by_role("link", name=words["link"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/members/\?plan=professional$"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("bob@acme.example")


def test_each_row_says_how_the_seat_was_given(open_page, language):
    words = WORDS[language]
    alice = _acme()
    page = open_page(language)
    log_in(page, alice.user.email, PASSWORD, language)
    page.goto(f"/organizations/{alice.organization_id}/members/")

    rows = page.locator("table tbody tr")
    carol = rows.filter(has_text="carol@acme.example")
    expect(carol).to_contain_text(words["automatic"])
    bob = rows.filter(has_text="bob@acme.example")
    expect(bob).to_contain_text("Alice Martin")
    dan = rows.filter(has_text="dan@acme.example")
    expect(dan.locator("td").last).to_have_text("")
