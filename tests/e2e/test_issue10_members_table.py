"""Issue 10, points 1, 5, 6 and 10, in a browser: on the Members page an
administrator changes a plan from a member's row with the keyboard alone
(the arrow keys choose, Enter saves, as on a member's page); a take-back
with surveys at stake shows the preview first, from a row and from the
bulk change; the columns sort from their headers, and the order survives
paging, search and the plan filter. In English and in French; axe finds
nothing serious at 1280 px."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from contracts import services
from contracts.models import Seat
from organizations.models import Membership
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.e2e.test_keyboard import expect_focus, htmx_settled, tab_to
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

WORDS = {
    "en": {
        "apply": "Apply",
        "back_to_free": "2 members are back to Free.",
        "bulk_plan": "Plan for the selected members",
        "cancel": "Cancel",
        "confirm": "Change to Free",
        "free": "Free",
        "give_bob": "Give Bob Bernard the Free plan?",
        "name": "Name",
        "next": "Next",
        "pending": "press Enter to save",
        "professional": "Professional",
        "saved": "Saved",
        "search": "Search members",
        "select": "Select {name}",
        "columns": ["Name", "Email address", "Role", "Plan", "Since"],
    },
    "fr": {
        "apply": "Appliquer",
        "back_to_free": "2 membres sont revenus au plan Gratuit.",
        "bulk_plan": "Plan des membres sélectionnés",
        "cancel": "Annuler",
        "confirm": "Passer au plan Gratuit",
        "free": "Gratuit",
        "give_bob": "Donner le plan Gratuit à Bob Bernard ?",
        "name": "Nom",
        "next": "Suivant",
        "pending": "appuyez sur Entrée pour enregistrer",
        "professional": "Professionnel",
        "saved": "Enregistré",
        "search": "Rechercher des membres",
        "select": "Sélectionner {name}",
        "columns": ["Nom", "Adresse e-mail", "Rôle", "Plan", "Depuis"],
    },
}
SORT_KEYS = ["name", "email", "role", "plan", "since"]


def _acme(*, bob_plan=None, carol_plan=None):
    """Acme, its administrator Alice, Bob and Carol; contract ACME-2027
    connected with 2 Starter and 3 Professional seats."""
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization,
        administrator=True,
        user__email="alice@acme.example",
        user__full_name="Alice Martin",
    ).user
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
    contract = ContractFactory(
        reference="ACME-2027", seats={"starter": 2, "professional": 3}
    )
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    for member, code in ((bob, bob_plan), (carol, carol_plan)):
        if code:
            services.member_plan_set(
                organization=organization,
                user=member.user,
                plan=plan(code),
                actor=alice,
            )
    return organization, alice, bob, carol


def _satisfaction(member):
    """A survey of the member's with 120 responses: Free would make it
    inactive."""
    survey = SurveyFactory(
        owner=member.user, organization=member.organization, open=True
    )
    survey.title = "Satisfaction"
    survey.save(update_fields=["title"])
    link_add(survey)
    responses_add(survey, 120, answers=False)
    return survey


def _members_page(open_page, language, organization, alice):
    page = open_page(language)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, alice.email, PASSWORD, language)
    page.goto(f"/organizations/{organization.pk}/members/")
    # htmx listens once the page has loaded; a person is never faster.
    page.wait_for_load_state()
    return page


def _row(page, name):
    return page.get_by_role("row").filter(has_text=name)


def test_a_plan_from_a_row_with_the_keyboard_alone(open_page, language):
    """The arrow keys choose a plan without saving it at each press; Enter
    saves it in that row, and the focus stays on the row's dropdown."""
    words = WORDS[language]
    organization, alice, bob, _carol = _acme()
    page = _members_page(open_page, language, organization, alice)

    select = _row(page, "Bob Bernard").get_by_role("combobox")
    if language == "en":
        expect(select).to_have_accessible_name("Plan for Bob Bernard")
    tab_to(page, select)
    expect(select).to_have_value("free")
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("starter")
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("professional")
    bob_status = _row(page, "Bob Bernard").get_by_role("status")
    expect(bob_status.filter(has_text=words["pending"])).to_be_visible()
    assert not Seat.objects.filter(user=bob.user).exists()

    page.keyboard.press("Enter")
    row = _row(page, "Bob Bernard")
    expect(row.get_by_role("status")).to_have_text(words["saved"])
    expect_focus(row.get_by_role("combobox"))
    expect(row.get_by_role("combobox")).to_have_value("professional")
    assert Seat.objects.get(user=bob.user).plan == plan("professional")
    # Only Bob's row changed.
    expect(_row(page, "Carol Chen").get_by_role("status")).to_have_text("")
    assert not Seat.objects.filter(user__email="carol@acme.example").exists()
    assert axe_violations(page) == []


def test_a_take_back_from_a_row_asks_first(open_page, language):
    """Free would make Bob's survey inactive: the row's change opens the
    preview instead of saving; Cancel keeps his plan, confirming takes it
    back, in that row."""
    words = WORDS[language]
    organization, alice, bob, _carol = _acme(bob_plan="professional")
    _satisfaction(bob)
    page = _members_page(open_page, language, organization, alice)

    _row(page, "Bob Bernard").get_by_role("combobox").select_option(words["free"])
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name=words["give_bob"])).to_be_visible()
    expect(dialog.get_by_text("Satisfaction")).to_be_visible()
    expect(dialog.get_by_text("120")).to_be_visible()
    assert axe_violations(page, "the row's preview open") == []
    dialog.get_by_role("button", name=words["cancel"]).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(_row(page, "Bob Bernard").get_by_role("combobox")).to_have_value(
        "professional"
    )
    assert Seat.objects.filter(user=bob.user).exists()

    _row(page, "Bob Bernard").get_by_role("combobox").select_option(words["free"])
    page.get_by_role("dialog").get_by_role("button", name=words["confirm"]).click()
    row = _row(page, "Bob Bernard")
    expect(row.get_by_role("status")).to_have_text(words["saved"])
    expect(row.get_by_role("combobox")).to_have_value("free")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert not Seat.objects.filter(user=bob.user).exists()


def test_the_bulk_change_asks_first(open_page, language):
    """Bob and Carol ticked, Free for both: the preview names Bob's survey
    (Carol loses none); confirming takes both plans back."""
    words = WORDS[language]
    organization, alice, bob, _carol = _acme(
        bob_plan="professional", carol_plan="professional"
    )
    _satisfaction(bob)
    page = _members_page(open_page, language, organization, alice)

    for name in ("Bob Bernard", "Carol Chen"):
        page.get_by_role("checkbox", name=words["select"].format(name=name)).check()
    page.get_by_label(words["bulk_plan"]).select_option(words["free"])
    page.get_by_role("button", name=words["apply"]).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Bob Bernard")).to_be_visible()
    expect(dialog.get_by_role("heading", name="Carol Chen")).to_have_count(0)
    expect(dialog.get_by_text("Satisfaction")).to_be_visible()
    assert Seat.objects.filter(contract__organization=organization).count() == 2
    assert axe_violations(page, "the bulk preview open") == []

    dialog.get_by_role("button", name=words["confirm"]).click()
    expect(
        page.get_by_role("status").filter(has_text=words["back_to_free"])
    ).to_be_visible()
    assert not Seat.objects.filter(contract__organization=organization).exists()


def _many(organization, count):
    """`count` more members, Member 00 to Member NN, each on Free."""
    users = User.objects.bulk_create(
        User(email=f"member{number:02}@acme.example", full_name=f"Member {number:02}")
        for number in range(count)
    )
    Membership.objects.bulk_create(
        Membership(organization=organization, user=user) for user in users
    )


def test_sorting_survives_paging_search_and_filter(open_page, language):
    words = WORDS[language]
    organization, alice, _bob, _carol = _acme(bob_plan="professional")
    _many(organization, 55)
    page = _members_page(open_page, language, organization, alice)
    headers = page.get_by_role("columnheader")

    # Each column sorts from its header, ascending then descending.
    for key, label in zip(SORT_KEYS, words["columns"], strict=True):
        header = headers.filter(has=page.get_by_role("link", name=label, exact=True))
        header.get_by_role("link").click()
        expect(page).to_have_url(re.compile(rf"sort={key}$|\?$|members/$"))
        expect(header).to_have_attribute("aria-sort", "ascending")
        header.get_by_role("link").click()
        expect(page).to_have_url(re.compile(rf"sort=-{key}$"))
        expect(header).to_have_attribute("aria-sort", "descending")
        expect(page.locator("th[aria-sort]")).to_have_count(1)
        htmx_settled(page)
        if key == "plan":
            # Descending by plan: Bob's Professional first.
            expect(page.locator("tbody tr").first).to_contain_text("Bob Bernard")

    # By name, descending, through the pages.
    name = headers.filter(has=page.get_by_role("link", name=words["name"], exact=True))
    name.get_by_role("link").click()
    expect(name).to_have_attribute("aria-sort", "ascending")
    name.get_by_role("link").click()
    expect(name).to_have_attribute("aria-sort", "descending")
    expect(page.locator("tbody tr").first).to_contain_text("Member 54")
    page.get_by_role("link", name=words["next"]).click()
    expect(page).to_have_url(re.compile(r"sort=-name&page=2$"))
    expect(name).to_have_attribute("aria-sort", "descending")
    expect(page.locator("tbody tr").last).to_contain_text("Alice Martin")

    # The search keeps the order.
    page.get_by_label(words["search"]).fill("acme")
    expect(page).to_have_url(re.compile(r"q=acme.*sort=-name"))
    expect(name).to_have_attribute("aria-sort", "descending")
    expect(page.locator("tbody tr").first).to_contain_text("Member 54")

    # So does the plan filter.
    page.get_by_role("combobox", name="Plan", exact=True).select_option(words["free"])
    expect(page).to_have_url(re.compile(r"plan=free.*sort=-name"))
    expect(name).to_have_attribute("aria-sort", "descending")
    expect(page.locator("tbody tr").first).to_contain_text("Member 54")
    expect(page.get_by_text("Bob Bernard")).to_have_count(0)
    assert axe_violations(page, "sorted, searched and filtered") == []
