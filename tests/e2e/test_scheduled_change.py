"""Issue 11, point 10, in a browser: Alice schedules Bob's plan back to
Free for a day next week from his member page, confirms after the preview
of the survey it will make inactive, sees the change pending there, and
cancels it. In English and in French."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts import services
from contracts.models import ScheduledChange, ScheduledChangeState, Seat
from tests.accounts.factories import PASSWORD
from tests.contracts.factories import ContractFactory, plan
from tests.e2e.accessibility import axe_violations
from tests.e2e.conftest import log_in
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory, link_add, responses_add

pytestmark = [transactional_db]

WORDS = {
    "en": {
        "free": "Free",
        "panel": "Scheduled plan change",
        "new_plan": "New plan",
        "on": "On",
        "schedule": "Schedule",
        "cancel_change": "Cancel the change",
        "scheduled": "The plan change is scheduled.",
        "cancelled": "The scheduled plan change is cancelled.",
    },
    "fr": {
        "free": "Gratuit",
        "panel": "Changement de plan programmé",
        "new_plan": "Nouveau plan",
        "on": "Le",
        "schedule": "Programmer",
        "cancel_change": "Annuler le changement",
        "scheduled": "Le changement de plan est programmé.",
        "cancelled": "Le changement de plan programmé est annulé.",
    },
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_administrator_schedules_a_change_to_free_and_cancels_it(
    open_page, language
):
    words = WORDS[language]
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
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )
    survey = SurveyFactory(
        owner=bob.user, organization=organization, open=True, title="Canteen"
    )
    link_add(survey)
    responses_add(survey, 120, answers=False)
    day = timezone.localdate() + datetime.timedelta(days=7)

    page = open_page(language)
    log_in(page, alice.email, PASSWORD, language)
    page.goto(bob.get_absolute_url())
    panel = page.get_by_role("region", name=words["panel"])
    panel.get_by_label(words["new_plan"]).select_option(label=words["free"])
    panel.get_by_label(words["on"], exact=True).fill(day.isoformat())
    panel.get_by_role("button", name=words["schedule"]).click()

    # The preview the dropdown shows: the survey over the Free limit.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bob Bernard")
    expect(page.get_by_text("Canteen")).to_be_visible()
    assert axe_violations(page) == []
    assert not ScheduledChange.objects.exists()
    page.get_by_role("button", name=words["schedule"]).click()

    expect(page.get_by_text(words["scheduled"])).to_be_visible()
    change = ScheduledChange.objects.get()
    assert (change.plan.code, change.on, change.state) == (
        "free",
        day,
        ScheduledChangeState.PENDING,
    )
    panel = page.get_by_role("region", name=words["panel"])
    expect(panel).to_contain_text(words["free"])
    expect(panel).to_contain_text("Alice Martin")
    assert axe_violations(page) == []

    panel.get_by_role("button", name=words["cancel_change"]).click()
    expect(page.get_by_text(words["cancelled"])).to_be_visible()
    expect(
        page.get_by_role("region", name=words["panel"]).get_by_role(
            "button", name=words["cancel_change"]
        )
    ).to_have_count(0)
    change.refresh_from_db()
    assert change.state == ScheduledChangeState.CANCELLED
    assert Seat.objects.get(user=bob.user).plan.code == "professional"
