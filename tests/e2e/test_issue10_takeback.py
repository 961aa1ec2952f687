"""Issue 10, point 2, in a browser: a take-back sticks. With automatic
assignment on, Alice takes Bob's plan back; his page says he is excluded
from automatic assignment, and a visit to his survey over the Free limit
finds it inactive instead of giving the plan back. "Include again" ends
the exclusion."""

from playwright.sync_api import expect

from contracts import services
from contracts.models import Seat
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = [transactional_db]


def test_a_plan_taken_back_is_not_given_back_until_included_again(open_page):
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization,
        administrator=True,
        user__email="alice@acme.example",
        user__full_name="Alice Martin",
    ).user
    bob = MembershipFactory(organization=organization, user__full_name="Bob Bernard")
    contract = ContractFactory(reference="ACME-2027", seats={"professional": 3})
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=alice
    )
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )
    survey = SurveyFactory(
        owner=bob.user, organization=organization, open=True, title="Satisfaction"
    )
    link = link_add(survey)
    responses_add(survey, 120, answers=False)

    page = open_page("en")
    log_in(page, alice.email, PASSWORD, "en")
    page.goto(bob.get_absolute_url())
    page.wait_for_load_state()
    page.get_by_role("combobox", name="Plan", exact=True).select_option(label="Free")
    page.get_by_role("dialog").get_by_role("button", name="Change to Free").click()
    excluded = page.get_by_text("Automatic assignment: excluded, since")
    expect(excluded).to_be_visible()
    expect(excluded).to_contain_text("by Alice Martin")
    assert not Seat.objects.filter(user=bob.user).exists()
    page.reload()
    expect(page.get_by_text("Automatic assignment: excluded, since")).to_be_visible()
    assert axe_violations(page) == []

    page.goto(f"/s/{link.token}/")
    expect(page.get_by_role("heading", name="This survey is inactive")).to_be_visible()
    assert not Seat.objects.filter(user=bob.user).exists()

    page.goto(bob.get_absolute_url())
    page.get_by_role("button", name="Include again").click()
    page.wait_for_load_state()
    expect(page.get_by_text("can get a plan automatically again")).to_be_visible()
    expect(page.get_by_text("Automatic assignment: excluded")).to_have_count(0)
