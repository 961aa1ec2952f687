import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

WORDS = {
    "en": {
        "back": "Back",
        "menu": "Menu",
        "members": "Members",
        "heading": "Members",
        "role": "Administrator",
    },
    "fr": {
        "back": "Retour",
        "menu": "Menu",
        "members": "Membres",
        "heading": "Membres",
        "role": "Administrateur",
    },
}


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_home_back_organization_side_menu_members(open_page, language):
    """Home → back arrow → the organization → collapse and reopen the side
    menu → Members, in English and in French."""
    words = WORDS[language]
    organization = OrganizationFactory(name="Acme")
    admin = MembershipFactory(organization=organization, administrator=True).user
    MembershipFactory(organization=organization, user__full_name="Bob Bernard")

    page = open_page(language)
    log_in(page, admin.email, PASSWORD, language)
    expect(page).to_have_url(f"{page.url.split('/', 3)[0]}//{page.url.split('/')[2]}/")

    page.get_by_role("link", name=words["back"]).click()
    page.get_by_role("link", name="Acme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")

    menu = page.get_by_role("navigation", name="Acme")
    members_link = menu.get_by_role("link", name=words["members"])
    toggle = page.get_by_role("button", name=words["menu"])
    expect(members_link).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")

    toggle.click()
    expect(members_link).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # The state is remembered from one page to the next.
    page.reload()
    expect(members_link).to_be_hidden()

    page.get_by_role("button", name=words["menu"]).click()
    expect(members_link).to_be_visible()
    members_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(words["heading"])
    expect(page.get_by_role("link", name="Bob Bernard")).to_be_visible()
    expect(page.get_by_role("cell", name=words["role"])).to_be_visible()
