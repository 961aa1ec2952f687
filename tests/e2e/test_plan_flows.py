"""Flows 3 and 5 in a browser: an administrator gives Bob a plan from his
member page, then takes it back with Free; and the members list's bulk
change. In English and in French. (Flow 4 needs the surveys app.)"""

import pytest
from playwright.sync_api import expect

from contracts import services
from contracts.models import Seat
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

WORDS = {
    "en": {
        "members": "Members",
        "back": "Back",
        "plan": "Plan",
        "professional": "Professional — 3 left",
        "professional_after": "Professional — 2 left",
        "free": "Free",
        "saved": "Saved",
        "select_all": "Select every member of this page",
        "bulk_plan": "Plan for the selected members",
        "apply": "Apply",
        "bulk_done": "3 members now have Professional.",
        "cancel": "Cancel",
        "confirm": "Change to Free",
        "inactive": "This survey is inactive",
    },
    "fr": {
        "members": "Membres",
        "back": "Retour",
        "plan": "Plan",
        "professional": "Professionnel — 3 restants",
        "professional_after": "Professionnel — 2 restants",
        "free": "Gratuit",
        "saved": "Enregistré",
        "select_all": "Sélectionner tous les membres de cette page",
        "bulk_plan": "Plan des membres sélectionnés",
        "apply": "Appliquer",
        "bulk_done": "3 membres ont maintenant le plan Professionnel.",
        "cancel": "Annuler",
        "confirm": "Passer au plan Gratuit",
        "inactive": "Cette enquête est inactive",
    },
}


def _acme():
    """Acme, its administrator Alice, Bob, and contract ACME-2027 connected
    with 3 Professional seats."""
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
    contract = ContractFactory(reference="ACME-2027", seats={"professional": 3})
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    return organization, alice, bob


def _bobs_plan(page):
    # Administrators see each member's plan in their row's dropdown (issue
    # 10, point 5).
    return (
        page.get_by_role("row").filter(has_text="Bob Bernard").get_by_role("combobox")
    )


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_flow_3_an_administrator_gives_bob_a_plan(open_page, language):
    words = WORDS[language]
    _organization, alice, bob = _acme()

    page = open_page(language)
    log_in(page, alice.email, PASSWORD, language)
    page.get_by_role("link", name="Acme").click()
    page.get_by_role("navigation", name="Acme").get_by_role(
        "link", name=words["members"]
    ).click()
    expect(_bobs_plan(page)).to_have_value("free")
    page.get_by_role("link", name="Bob Bernard").click()
    # htmx listens once the page has loaded; a person is never faster.
    page.wait_for_load_state()

    plan_select = page.get_by_role("combobox", name=words["plan"], exact=True)
    expect(plan_select).to_have_value("free")
    plan_select.select_option(label=words["professional"])

    expect(
        page.get_by_role("status").get_by_text(words["saved"], exact=True)
    ).to_be_visible()
    expect(page.get_by_role("combobox", name=words["plan"], exact=True)).to_have_value(
        "professional"
    )
    expect(
        page.get_by_role("option", name=words["professional_after"])
    ).to_be_attached()
    assert Seat.objects.get(user=bob.user).plan == plan("professional")

    page.get_by_role("link", name=words["back"]).click()
    expect(_bobs_plan(page)).to_have_value("professional")


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_flow_5_back_to_free(open_page, language):
    words = WORDS[language]
    organization, alice, bob = _acme()
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )

    page = open_page(language)
    log_in(page, alice.email, PASSWORD, language)
    page.goto(bob.get_absolute_url())
    plan_select = page.get_by_role("combobox", name=words["plan"], exact=True)
    expect(plan_select).to_have_value("professional")
    plan_select.select_option(label=words["free"])

    expect(
        page.get_by_role("status").get_by_text(words["saved"], exact=True)
    ).to_be_visible()
    expect(page.get_by_role("option", name=words["professional"])).to_be_attached()
    assert not Seat.objects.filter(user=bob.user).exists()

    page.get_by_role("link", name=words["back"]).click()
    expect(_bobs_plan(page)).to_have_value("free")


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_plan_for_every_member_of_the_page_at_once(open_page, language):
    words = WORDS[language]
    organization, alice, _bob = _acme()
    MembershipFactory(organization=organization, user__full_name="Carol Chen")

    page = open_page(language)
    log_in(page, alice.email, PASSWORD, language)
    page.goto(f"/organizations/{organization.pk}/members/")
    page.get_by_role("checkbox", name=words["select_all"]).check()
    page.get_by_label(words["bulk_plan"]).select_option(label=words["professional"])
    page.get_by_role("button", name=words["apply"]).click()

    expect(
        page.get_by_role("status").filter(has_text=words["bulk_done"])
    ).to_be_visible()
    expect(_bobs_plan(page)).to_have_value("professional")
    assert Seat.objects.filter(contract__organization=organization).count() == 3


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_flow_5_asks_first_when_a_survey_would_become_inactive(open_page, language):
    """Bob's survey has 120 responses: Free would make it inactive. The
    dialog names it; Cancel changes nothing; confirming takes the plan back,
    and respondents then see that the survey is inactive."""
    words = WORDS[language]
    organization, alice, bob = _acme()
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )
    survey = SurveyFactory(
        owner=bob.user, organization=organization, open=True, title="Satisfaction"
    )
    link = link_add(survey)
    responses_add(survey, 120, answers=False)

    page = open_page(language)
    log_in(page, alice.email, PASSWORD, language)
    page.goto(bob.get_absolute_url())
    page.wait_for_load_state()
    page.get_by_role("combobox", name=words["plan"], exact=True).select_option(
        label=words["free"]
    )
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Satisfaction")).to_be_visible()
    dialog.get_by_role("button", name=words["cancel"]).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("combobox", name=words["plan"], exact=True)).to_have_value(
        "professional"
    )
    assert Seat.objects.filter(user=bob.user).exists()

    page.get_by_role("combobox", name=words["plan"], exact=True).select_option(
        label=words["free"]
    )
    page.get_by_role("dialog").get_by_role("button", name=words["confirm"]).click()
    expect(
        page.get_by_role("status").get_by_text(words["saved"], exact=True)
    ).to_be_visible()
    assert not Seat.objects.filter(user=bob.user).exists()

    page.goto(f"/s/{link.token}/")
    expect(page.get_by_role("heading", name=words["inactive"])).to_be_visible()
