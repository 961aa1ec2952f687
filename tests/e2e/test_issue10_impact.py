"""Issue 10, points 1, 11 and 12 in a browser: the contract manager frees a
seat and reads which surveys go inactive before confirming (English and
French); support frees seats from the admin through a confirmation that
lists each member's surveys; the admin's organization page shows its
contract, members and history, and the seat list its organizations, at
1280 px without scrolling sideways."""

import re

import pytest
from playwright.sync_api import expect

from contracts import services
from contracts.models import Seat
from tests.accounts.factories import PASSWORD, UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

WORDS = {
    "en": {"free": "Free the seat", "cancel": "Cancel", "responses": "120 responses"},
    "fr": {
        "free": "Libérer la place",
        "cancel": "Annuler",
        "responses": "120 réponses",
    },
}

WIDE = {"width": 1280, "height": 800}


def _globex():
    """Dave manages GLOBEX-2027, connected to Globex; Bob holds its
    Professional plan and owns "Satisfaction", open by link with 120
    responses (over the Free limit), and "Lunch poll" with 20."""
    dave = UserFactory(email="dave@globex.example", full_name="Dave Durand")
    contract = ContractFactory(
        reference="GLOBEX-2027", managers=[dave], seats={"professional": 3}
    )
    organization = OrganizationFactory(name="Globex")
    erin = MembershipFactory(
        organization=organization, administrator=True, user__full_name="Erin Evans"
    ).user
    services.contract_connect(organization=organization, contract=contract, actor=erin)
    bob = MembershipFactory(
        organization=organization,
        user__full_name="Bob Bernard",
        user__email="bob@globex.example",
    ).user
    seat = services.member_plan_set(
        organization=organization, user=bob, plan=plan("professional"), actor=erin
    )
    for title, count in [("Satisfaction", 120), ("Lunch poll", 20)]:
        survey = SurveyFactory(owner=bob, title=title, open=True)
        link_add(survey)
        responses_add(survey, count, answers=False)
    return dave, organization, seat


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), page.url


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_manager_sees_the_surveys_before_freeing_the_seat(open_page, language):
    words = WORDS[language]
    dave, _organization, seat = _globex()

    page = open_page(language)
    log_in(page, dave.email, PASSWORD, language)
    page.goto("/account/contracts/")
    page.get_by_role("link", name="GLOBEX-2027").click()
    page.get_by_role("link", name=re.compile(f"{words['free']}.*Bob Bernard")).click()

    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("listitem")).to_have_count(1)
    expect(dialog.get_by_role("listitem")).to_contain_text("Satisfaction")
    expect(dialog.get_by_role("listitem")).to_contain_text(words["responses"])
    expect(dialog.get_by_text("Lunch poll")).to_have_count(0)
    assert axe_violations(page, "free-seat dialog") == []

    dialog.get_by_role("button", name=words["cancel"]).click()
    expect(dialog).to_be_hidden()
    assert Seat.objects.filter(pk=seat.pk).exists()

    page.get_by_role("link", name=re.compile(f"{words['free']}.*Bob Bernard")).click()
    page.get_by_role("dialog").get_by_role("button", name=words["free"]).click()
    page.wait_for_load_state()
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert not Seat.objects.filter(pk=seat.pk).exists()


def _support(page):
    support = UserFactory(
        email="support@example.com",
        full_name="Sam Support",
        is_staff=True,
        is_superuser=True,
    )
    page.set_viewport_size(WIDE)
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill(support.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    return support


@transactional_db
def test_support_frees_a_seat_after_reading_the_surveys_it_deactivates(open_page):
    _dave, organization, seat = _globex()
    page = open_page("en")
    _support(page)

    page.goto("/admin/contracts/seat/")
    _no_sideways_scroll(page)
    row = page.get_by_role("row", name=re.compile("Bob Bernard"))
    expect(row.get_by_role("cell", name="Globex", exact=True)).to_be_visible()
    assert axe_violations(page, "seat list") == []
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option("release_seats")
    page.get_by_role("button", name="Run").click()

    expect(page.get_by_role("heading", name="Free the selected seats?")).to_be_visible()
    expect(page.get_by_text("This survey becomes inactive:")).to_be_visible()
    surveys = page.locator("ul.deactivated").get_by_role("listitem")
    expect(surveys).to_have_count(1)
    expect(surveys).to_have_text(re.compile("Satisfaction.*120 responses"))
    expect(page.get_by_text("Lunch poll")).to_have_count(0)
    assert Seat.objects.filter(pk=seat.pk).exists()
    assert axe_violations(page, "free-seat confirmation") == []
    _no_sideways_scroll(page)

    page.get_by_role("button", name="Free the seats").click()
    expect(page.get_by_text("1 seat was freed.")).to_be_visible()
    assert not Seat.objects.filter(pk=seat.pk).exists()
    assert organization.pk


@transactional_db
def test_the_organization_page_is_supports_console_at_1280_px(open_page):
    _dave, organization, _seat = _globex()
    page = open_page("en")
    _support(page)

    page.goto(f"/admin/organizations/organization/{organization.pk}/change/")
    contract = page.get_by_role("region", name="Connected contract")
    expect(contract.get_by_role("link", name="GLOBEX-2027")).to_be_visible()
    members = page.get_by_role("region", name="2 members")
    bob = members.get_by_role("row", name=re.compile("Bob Bernard"))
    expect(bob.get_by_role("cell", name="Professional")).to_be_visible()
    history = page.get_by_role("region", name="Recent history")
    expect(history.get_by_text("connected contract GLOBEX-2027")).to_be_visible()
    _no_sideways_scroll(page)
    assert axe_violations(page, "organization console") == []

    contract.get_by_role("link", name="Seats held on this contract").click()
    expect(page.get_by_role("row", name=re.compile("Bob Bernard"))).to_be_visible()
    _no_sideways_scroll(page)
