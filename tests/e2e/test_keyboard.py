"""The six flows of DESIGN.md with the keyboard alone: after the first
page.goto of each person, only Tab and Shift+Tab, Enter, Space, the arrow
keys and Escape, as a person without a mouse works. Wherever the focus
lands, it is on the element the person expects, and it shows."""

import re

import pytest
from playwright.sync_api import expect

from contracts import services
from contracts.models import Contract, Seat
from tests.accounts.factories import PASSWORD, UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import (
    SurveyFactory,
    link_add,
    questions_add,
    responses_add,
)

KEY = re.compile(r"SEAT(-[0-9A-Z]{4}){9}")

WORDS = {
    "en": {
        "account": "Account",
        "add_members": "Add members",
        "assigned": "You now have the Reader+ plan",
        "auto": "Assign plans automatically",
        "back": "Back",
        "cancel": "Cancel",
        "confirm_free": "Change to Free",
        "connect": "Connect",
        "connected": "Contract {reference} is connected to {organization}.",
        "contract": "Contract",
        "copied": "Copied",
        "copy": "Copy",
        "disconnect": "Disconnect",
        "disconnected": "Contract {reference} is disconnected.",
        "email": "Email address",
        "generate": "Generate the key",
        "key": "Connection key",
        "members": "Members",
        "menu": "Menu",
        "move_down": "Move “{text}” down",
        "move_up": "Move “{text}” up",
        "next": "Next",
        "password": "Password",
        "pending": "press Enter to save",
        "plan": "Plan",
        "report": "Report",
        "role": "Role",
        "saved": "Saved",
        "skip": "Skip to content",
        "use_key": "Use a connection key",
    },
    "fr": {
        "account": "Compte",
        "add_members": "Ajouter des membres",
        "assigned": "Vous avez maintenant le plan Lecteur+",
        "auto": "Attribuer les plans automatiquement",
        "back": "Retour",
        "cancel": "Annuler",
        "confirm_free": "Passer au plan Gratuit",
        "connect": "Connecter",
        "connected": "Le contrat {reference} est connecté à {organization}.",
        "contract": "Contrat",
        "copied": "Copiée",
        "copy": "Copier",
        "disconnect": "Déconnecter",
        "disconnected": "Le contrat {reference} est déconnecté.",
        "email": "Adresse e-mail",
        "generate": "Générer la clé",
        "key": "Clé de connexion",
        "members": "Membres",
        "menu": "Menu",
        "move_down": "Descendre « {text} »",
        "move_up": "Monter « {text} »",
        "next": "Suivant",
        "password": "Mot de passe",
        "pending": "appuyez sur Entrée pour enregistrer",
        "plan": "Plan",
        "report": "Rapport",
        "role": "Rôle",
        "saved": "Enregistré",
        "skip": "Aller au contenu",
        "use_key": "Utiliser la clé de connexion",
    },
}

pytestmark = [transactional_db, pytest.mark.parametrize("language", ["en", "fr"])]

# More presses than any page needs to reach anything from anywhere.
MOST_TABS = 60


def htmx_settled(page):
    """Wait until htmx has no request, swap or settling under way: a person
    reads the new content before pressing the next key."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(
        0
    )


def expect_focus(target):
    """The focus is on `target`, which is visible and draws the focus ring
    that keyboard use shows. (Once htmx has settled: before that, the new
    content is not wired yet, and Enter would send its form without htmx.)"""
    htmx_settled(target.page)
    expect(target).to_be_focused()
    expect(target).to_be_visible()
    assert target.evaluate(
        "el => el.matches(':focus-visible')"
        " && getComputedStyle(el).outlineStyle !== 'none'"
    ), "the focus is not shown"


def tab_to(page, target, *, backwards=False):
    """Press Tab (or Shift+Tab) until `target` has the focus, as a person
    looking for it would; fails when Tab never gets there."""
    htmx_settled(page)
    target.wait_for()
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MOST_TABS):
        if target.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press(key)
    expect_focus(target)


def activate(page, target, key="Enter", *, backwards=False):
    """Tab to `target`, then press Enter (or Space) on it."""
    tab_to(page, target, backwards=backwards)
    page.keyboard.press(key)


def log_in(open_page, language, email):
    """The login page, filled and sent from the keyboard; home follows."""
    words = WORDS[language]
    page = open_page(language)
    page.goto("/accounts/login/")
    tab_to(page, page.get_by_label(words["email"]))
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect_focus(page.get_by_label(words["password"]))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # htmx listens once the page has loaded; a person is never faster.
    page.wait_for_load_state()
    return page


def follow(page, target):
    """Tab to a link and follow it with Enter, to the next page."""
    tab_to(page, target)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def side_menu(page, name, words, link):
    return page.get_by_role("navigation", name=name).get_by_role(
        "link", name=words[link]
    )


def test_flow_1_connect_with_the_dropdown(open_page, language):
    """Home → the organization → the side menu, closed and opened again
    with its menu button → Contract → Connect → the dropdown with the arrow
    keys → Next."""
    words = WORDS[language]
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(organization=organization, administrator=True).user
    ContractFactory(
        reference="OLD-2026", customer="Acme", managers=[alice], seats={"starter": 1}
    )
    ContractFactory(
        reference="ACME-2027",
        customer="Acme",
        managers=[alice],
        seats={"professional": 10},
    )

    page = log_in(open_page, language, alice.email)
    follow(page, page.get_by_role("link", name="Acme"))
    # The first Tab of a page reaches the skip link, which leads past the
    # top bar and the side menu; Shift+Tab goes back to the menu's button.
    page.keyboard.press("Tab")
    expect_focus(page.get_by_role("link", name=words["skip"]))
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect_focus(page.get_by_role("main").get_by_role("link").first)
    toggle = page.get_by_role("button", name=words["menu"])
    activate(page, toggle, backwards=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect_focus(toggle)
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    follow(page, side_menu(page, re.compile("Acme"), words, "contract"))

    activate(page, page.get_by_role("button", name=words["connect"]))
    dropdown = page.get_by_role("combobox", name=words["contract"])
    expect_focus(dropdown)
    expect(dropdown.locator("option:checked")).to_have_text("ACME-2027 – Acme")
    page.keyboard.press("ArrowDown")
    expect(dropdown.locator("option:checked")).to_have_text("OLD-2026 – Acme")
    page.keyboard.press("ArrowUp")
    expect(dropdown.locator("option:checked")).to_have_text("ACME-2027 – Acme")
    activate(page, page.get_by_role("button", name=words["next"]))

    expect(
        page.get_by_text(
            words["connected"].format(reference="ACME-2027", organization="Acme")
        )
    ).to_be_visible()
    assert Contract.objects.get(reference="ACME-2027").organization == organization


def test_flow_2_the_manager_copies_the_key_the_administrator_enters_it(
    open_page, language
):
    """The manager: the name menu → Account → Contract → Add members →
    Generate → Copy → Escape. The administrator: the back arrow → the
    organization → Contract → Connect → the key (she manages no contract:
    no dropdown) → Enter."""
    words = WORDS[language]
    dave = UserFactory(full_name="Dave Durand")
    contract = ContractFactory(
        reference="GLOBEX-2027", managers=[dave], seats={"professional": 3}
    )
    organization = OrganizationFactory(name="Globex")
    erin = MembershipFactory(organization=organization, administrator=True).user

    page = log_in(open_page, language, dave.email)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    # The name opens its menu; Escape closes it and leaves the focus there.
    name = page.get_by_text("Dave Durand", exact=True)
    activate(page, name)
    tab_to(page, page.get_by_role("link", name=words["account"]))
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name=words["account"])).to_be_hidden()
    expect_focus(name)
    page.keyboard.press("Enter")
    follow(page, page.get_by_role("link", name=words["account"]))
    follow(page, side_menu(page, words["account"], words, "contract"))
    add_members = page.get_by_role("button", name=words["add_members"])
    activate(page, add_members)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    activate(page, dialog.get_by_role("button", name=words["generate"]))
    expect(dialog.get_by_text(KEY)).to_be_visible()
    # The button the key came from is gone: the focus is on the next step.
    copy = dialog.get_by_role("button", name=words["copy"])
    expect_focus(copy)
    page.keyboard.press("Enter")
    expect_focus(dialog.get_by_role("button", name=words["copied"]))
    key = page.evaluate("navigator.clipboard.readText()")
    assert KEY.fullmatch(key)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect_focus(add_members)

    page = log_in(open_page, language, erin.email)
    follow(page, page.get_by_role("link", name=words["back"]))
    follow(page, page.get_by_role("link", name="Globex"))
    follow(page, side_menu(page, re.compile("Globex"), words, "contract"))
    # Erin manages no contract: Connect leads straight to the key's field
    # (issue 10, point 18).
    activate(page, page.get_by_role("button", name=words["connect"]))
    expect(page.get_by_role("combobox", name=words["contract"])).to_have_count(0)
    key_box = page.get_by_role("textbox", name=words["key"])
    expect_focus(key_box)
    page.keyboard.type(key)
    page.keyboard.press("Enter")

    expect(
        page.get_by_text(
            words["connected"].format(reference="GLOBEX-2027", organization="Globex")
        )
    ).to_be_visible()
    contract.refresh_from_db()
    assert contract.organization == organization


def _acme(seats=None):
    """Acme, its administrator Alice, Bob, and contract ACME-2027 connected
    with 3 Professional seats."""
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(organization=organization, administrator=True).user
    bob = MembershipFactory(organization=organization, user__full_name="Bob Bernard")
    contract = ContractFactory(
        reference="ACME-2027", seats=seats or {"professional": 3}
    )
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    return organization, alice, bob, contract


def _to_bobs_plan(page, words):
    """From home: Acme → Members → Bob → the Plan dropdown."""
    follow(page, page.get_by_role("link", name="Acme"))
    follow(page, side_menu(page, re.compile("Acme"), words, "members"))
    follow(page, page.get_by_role("link", name="Bob Bernard"))
    plan_select = page.get_by_role("combobox", name=words["plan"], exact=True)
    tab_to(page, plan_select)
    return plan_select


def test_flow_3_a_plan_by_hand(open_page, language):
    """Arrow keys choose a plan without saving it at each press; Enter
    saves it, and the focus stays on the dropdown. The role is saved on
    leaving its dropdown."""
    words = WORDS[language]
    _organization, alice, bob, _contract = _acme(
        seats={"starter": 2, "professional": 3}
    )

    page = log_in(open_page, language, alice.email)
    plan_select = _to_bobs_plan(page, words)
    expect(plan_select).to_have_value("free")
    page.keyboard.press("ArrowDown")
    expect(plan_select).to_have_value("starter")
    page.keyboard.press("ArrowDown")
    expect(plan_select).to_have_value("professional")
    expect(page.get_by_role("status").filter(has_text=words["pending"])).to_be_visible()
    assert not Seat.objects.filter(user=bob.user).exists()

    page.keyboard.press("Enter")
    expect(
        page.get_by_role("status").get_by_text(words["saved"], exact=True)
    ).to_be_visible()
    expect_focus(page.get_by_role("combobox", name=words["plan"], exact=True))
    assert Seat.objects.get(user=bob.user).plan == plan("professional")

    # Leaving a dropdown saves the value the arrow keys reached, too.
    role_select = page.get_by_role("combobox", name=words["role"])
    tab_to(page, role_select)
    expect(role_select).to_have_value("collaborator")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    role_form = page.locator("#role-form")
    expect(role_form.get_by_role("status")).to_have_text(words["saved"])
    expect(role_select).to_have_value("reader")
    bob.refresh_from_db()
    assert bob.role == "reader"


def test_flow_4_automatic_assignment_then_a_reader_reads_a_report(open_page, language):
    """The administrator switches automatic assignment on with Space; a
    reader without a plan opens a report and gets Reader+ with the report's
    "Use my Reader+ seat" button, pressed with Enter (opening the report
    alone gives no seat)."""
    words = WORDS[language]
    organization, alice, bob, contract = _acme(
        seats={"professional": 3, "reader-plus": 2}
    )
    carol = MembershipFactory(organization=organization, reader=True).user
    survey = SurveyFactory(
        owner=bob.user, organization=organization, open=True, title="Satisfaction"
    )
    questions_add(survey)
    responses_add(survey, 12)

    page = log_in(open_page, language, alice.email)
    follow(page, page.get_by_role("link", name="Acme"))
    follow(page, side_menu(page, re.compile("Acme"), words, "contract"))
    switch = page.get_by_role("switch", name=words["auto"])
    activate(page, switch, "Space")
    expect(
        page.get_by_role("status").get_by_text(words["saved"], exact=True)
    ).to_be_visible()
    expect(switch).to_be_checked()
    expect_focus(switch)
    contract.refresh_from_db()
    assert contract.auto_assign

    page = log_in(open_page, language, carol.email)
    follow(page, page.get_by_role("link", name="Satisfaction"))
    follow(page, page.get_by_role("link", name=words["report"]))
    assert not Seat.objects.filter(user=carol).exists()
    # The button names the plan it gives ("Use my Reader+ seat").
    plan = "Reader+" if language == "en" else "Lecteur+"
    follow(page, page.get_by_role("button", name=re.compile(re.escape(plan))))
    expect(
        page.get_by_role("status").filter(has_text=words["assigned"])
    ).to_be_visible()
    seat = Seat.objects.get(user=carol)
    assert (seat.plan.code, seat.source) == ("reader-plus", "automatic")


def test_flow_5_back_to_free_through_the_confirmation(open_page, language):
    """Free would make Bob's survey inactive: the dialog takes the focus;
    Escape keeps his plan and gives the focus back to the dropdown; the
    confirmation's button, reached with Tab, takes the plan back."""
    words = WORDS[language]
    organization, alice, bob, _contract = _acme()
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )
    survey = SurveyFactory(
        owner=bob.user, organization=organization, open=True, title="Satisfaction"
    )
    link_add(survey)
    responses_add(survey, 120, answers=False)

    page = log_in(open_page, language, alice.email)
    plan_select = _to_bobs_plan(page, words)
    expect(plan_select).to_have_value("professional")
    page.keyboard.press("ArrowUp")
    expect(plan_select).to_have_value("free")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Satisfaction")).to_be_visible()
    expect_focus(dialog.get_by_role("button", name=words["cancel"]))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    plan_select = page.get_by_role("combobox", name=words["plan"], exact=True)
    expect(plan_select).to_have_value("professional")
    expect_focus(plan_select)
    assert Seat.objects.filter(user=bob.user).exists()

    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    activate(page, dialog.get_by_role("button", name=words["confirm_free"]))
    expect(
        page.get_by_role("status").get_by_text(words["saved"], exact=True)
    ).to_be_visible()
    expect_focus(page.get_by_role("combobox", name=words["plan"], exact=True))
    assert not Seat.objects.filter(user=bob.user).exists()


def test_flow_6_disconnect_through_the_dialog(open_page, language):
    """Contract → Disconnect: the dialog takes the focus; Escape gives it
    back to the link; Disconnect again, then its button in the dialog."""
    words = WORDS[language]
    organization, alice, _bob, contract = _acme()

    page = log_in(open_page, language, alice.email)
    follow(page, page.get_by_role("link", name="Acme"))
    follow(page, side_menu(page, re.compile("Acme"), words, "contract"))
    disconnect = page.get_by_role("link", name=words["disconnect"])
    activate(page, disconnect)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_contain_text("ACME-2027")
    expect_focus(dialog.get_by_role("button", name=words["cancel"]))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect_focus(disconnect)
    contract.refresh_from_db()
    assert contract.organization == organization

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    activate(page, dialog.get_by_role("button", name=words["disconnect"]))
    expect(
        page.get_by_text(words["disconnected"].format(reference="ACME-2027"))
    ).to_be_visible()
    contract.refresh_from_db()
    assert contract.organization is None


def test_a_question_moves_up_step_by_step_with_the_focus_on_it(open_page, language):
    """On a draft survey, Enter on a question's Up button moves it, and the
    focus stays with that question's buttons after the list is swapped."""
    words = WORDS[language]
    owner = UserFactory()
    survey = SurveyFactory(owner=owner, title="Welcome desk")
    questions_add(survey)
    moved = "Anything to add?"

    page = log_in(open_page, language, owner.email)
    follow(page, page.get_by_role("link", name="Welcome desk"))
    up = page.get_by_role("button", name=words["move_up"].format(text=moved))
    activate(page, up)
    expect(page.locator(".question strong").nth(1)).to_have_text(moved)
    expect_focus(up)
    page.keyboard.press("Enter")
    expect(page.locator(".question strong").first).to_have_text(moved)
    # First now, it has no Up button: its Down button has the focus.
    expect_focus(page.get_by_role("button", name=words["move_down"].format(text=moved)))
    assert survey.questions.order_by("position").first().text == moved
