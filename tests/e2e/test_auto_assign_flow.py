"""Flow 4 in a browser: an administrator switches on automatic assignment;
a reader without a plan opens a report, and reading it with real data (a
paid feature) gives her the cheapest plan that includes it when she clicks
"Use my Reader+ seat" (a page view never gives a seat)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contracts import services
from contracts.models import Seat
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, questions_add, responses_add

WORDS = {
    "en": {
        "contract": "Contract",
        "switch": "Assign plans automatically",
        "saved": "Saved",
        "assigned": "You now have the Reader+ plan",
        "simulated": "Simulated data",
        "plan": "Reader+",
    },
    "fr": {
        "contract": "Contrat",
        "switch": "Attribuer les plans automatiquement",
        "saved": "Enregistré",
        "assigned": "Vous avez maintenant le plan Lecteur+",
        "simulated": "Données simulées",
        "plan": "Lecteur+",
    },
}


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_flow_4_a_reader_gets_a_plan_by_using_a_paid_feature(open_page, language):
    words = WORDS[language]
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization, administrator=True, user__full_name="Alice"
    ).user
    bob = MembershipFactory(organization=organization, user__full_name="Bob").user
    carol = MembershipFactory(
        organization=organization, reader=True, user__full_name="Carol"
    ).user
    contract = ContractFactory(
        reference="ACME-2027", seats={"professional": 10, "reader-plus": 5}
    )
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    survey = SurveyFactory(
        owner=bob, organization=organization, open=True, title="Satisfaction"
    )
    questions_add(survey)
    responses_add(survey, 12)

    admin_page = open_page(language)
    log_in(admin_page, alice.email, PASSWORD, language)
    admin_page.goto(organization.get_absolute_url())
    admin_page.get_by_role("navigation", name="Acme").get_by_role(
        "link", name=words["contract"]
    ).click()
    admin_page.wait_for_load_state()
    switch = admin_page.get_by_role("switch", name=words["switch"])
    expect(switch).not_to_be_checked()
    switch.check()
    expect(
        admin_page.get_by_role("status").get_by_text(words["saved"], exact=True)
    ).to_be_visible()
    contract.refresh_from_db()
    assert contract.auto_assign

    reader_page = open_page(language)
    log_in(reader_page, carol.email, PASSWORD, language)
    reader_page.goto(reverse("surveys:survey-report", args=[survey.pk]))
    expect(reader_page.get_by_text(words["simulated"])).to_be_visible()
    assert not Seat.objects.filter(user=carol).exists()
    # The button names the plan it gives ("Use my Reader+ seat").
    reader_page.get_by_role("button", name=re.compile(re.escape(words["plan"]))).click()
    expect(
        reader_page.get_by_role("status").filter(has_text=words["assigned"])
    ).to_be_visible()
    expect(reader_page.get_by_text(words["simulated"])).to_have_count(0)
    seat = Seat.objects.get(user=carol)
    assert (seat.plan.code, seat.source, seat.feature) == (
        "reader-plus",
        "automatic",
        "reports_real_data",
    )
