"""Issue 11, point 6 in a browser: a reader refused real data (no seat
left) joins the waitlist from the report; support adds a seat; an
administrator gives her a plan from the queue on the Contract page, and
she reads the report with real data."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contracts import services
from contracts.models import Seat, SeatSource, WaitlistEntry, WaitlistStatus
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, questions_add, responses_add

WORDS = {
    "en": {
        "join": "Join the waitlist",
        "waiting": "You are on the waitlist",
        "leave": "Leave the waitlist",
        "give": "Give a plan to Carol",
        "given": "Carol now has the Reader+ plan.",
        "simulated": "Simulated data",
    },
    "fr": {
        "join": "Rejoindre la liste d’attente",
        "waiting": "Vous êtes sur la liste d’attente",
        "leave": "Quitter la liste d’attente",
        "give": "Attribuer un plan à Carol",
        "given": "Carol a maintenant le plan Lecteur+.",
        "simulated": "Données simulées",
    },
}


@transactional_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_reader_joins_the_waitlist_and_an_administrator_gives_her_a_plan(
    open_page, language
):
    words = WORDS[language]
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization, administrator=True, user__full_name="Alice"
    ).user
    bob = MembershipFactory(organization=organization, user__full_name="Bob").user
    carol = MembershipFactory(
        organization=organization, reader=True, user__full_name="Carol"
    ).user
    contract = ContractFactory(reference="ACME-2027", seats={"reader-plus": 1})
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    services.member_plan_set(
        organization=organization, user=bob, plan=plan("reader-plus"), actor=alice
    )
    survey = SurveyFactory(
        owner=bob, organization=organization, open=True, title="Satisfaction"
    )
    questions_add(survey)
    responses_add(survey, 12)

    reader_page = open_page(language)
    log_in(reader_page, carol.email, PASSWORD, language)
    reader_page.goto(reverse("surveys:survey-report", args=[survey.pk]))
    expect(reader_page.get_by_text(words["simulated"])).to_be_visible()
    reader_page.get_by_role("button", name=words["join"]).click()
    # The place is shown (and told in the message), with a way out.
    expect(reader_page.get_by_text(words["waiting"]).last).to_be_visible()
    expect(reader_page.get_by_role("button", name=words["leave"])).to_be_visible()
    assert axe_violations(reader_page) == []
    assert WaitlistEntry.objects.get(user=carol).status == WaitlistStatus.WAITING

    services.allotment_set(
        contract=contract,
        plan=plan("reader-plus"),
        seats=2,
        actor=alice,
        source=SeatSource.SUPPORT,
    )
    admin_page = open_page(language)
    log_in(admin_page, alice.email, PASSWORD, language)
    admin_page.goto(reverse("contracts:organization-contract", args=[organization.pk]))
    expect(admin_page.get_by_role("cell", name="Carol", exact=True)).to_be_visible()
    assert axe_violations(admin_page) == []
    admin_page.get_by_role("button", name=words["give"]).click()
    expect(admin_page.get_by_text(words["given"])).to_be_visible()
    expect(admin_page.get_by_role("button", name=words["give"])).to_have_count(0)
    assert Seat.objects.get(user=carol).plan == plan("reader-plus")

    reader_page.reload()
    expect(reader_page.get_by_text(words["simulated"])).to_have_count(0)
    expect(reader_page.get_by_role("button", name=words["join"])).to_have_count(0)
