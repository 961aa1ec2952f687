"""Issue 11, point 6 through the pages: the report that refuses reading
real data offers "Join the waitlist"; the member sees their place and can
leave; the Contract page shows the queue with "Give a plan" and
"Decline"."""

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Seat, WaitlistEntry, WaitlistStatus
from plans.models import Feature
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory
from tests.surveys.factories import SurveyFactory

READ = Feature.REPORTS_REAL_DATA


@pytest.fixture
def contract(organization, admin_user):
    """One Reader+ seat, held by someone else; automatic assignment on."""
    contract = ContractFactory(seats={"reader-plus": 1})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin_user
    )
    holder = MembershipFactory(organization=organization, reader=True).user
    services.member_plan_set(
        organization=organization,
        user=holder,
        plan=plan("reader-plus"),
        actor=admin_user,
    )
    return contract


@pytest.fixture
def carol(organization):
    return MembershipFactory(organization=organization, reader=True).user


@pytest.fixture
def report_url(organization, admin_user):
    survey = SurveyFactory(owner=admin_user, organization=organization, open=True)
    return reverse("surveys:survey-report", args=[survey.pk])


def test_the_refused_report_offers_the_waitlist_and_joining_shows_the_place(
    contract, organization, carol, client, report_url
):
    client.force_login(carol)
    page = client.get(report_url)
    assert "Join the waitlist" in page.text
    response = client.post(
        reverse("contracts:waitlist-join", args=[organization.pk]),
        {"feature": READ, "next": report_url},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == report_url
    entry = WaitlistEntry.objects.get(user=carol)
    assert entry.status == WaitlistStatus.WAITING
    page = client.get(report_url)
    assert "You are on the waitlist" in page.text
    assert "Join the waitlist" not in page.text
    assert "you are on the waitlist" in client.get(reverse("home")).text
    client.post(
        reverse("contracts:waitlist-leave", args=[organization.pk]),
        {"next": "https://elsewhere.example/"},
    )
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.LEFT
    assert "Join the waitlist" in client.get(report_url).text


def test_no_waitlist_is_offered_while_a_seat_is_free(
    organization, admin_user, carol, client, report_url
):
    contract = ContractFactory(seats={"reader-plus": 1})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin_user
    )
    client.force_login(carol)
    page = client.get(report_url)
    assert "Use my Reader+ seat" in page.text
    assert "Join the waitlist" not in page.text


def test_the_contract_page_shows_the_queue_and_gives_a_plan(
    contract, organization, admin_user, admin_client, carol
):
    services.waitlist_join(organization=organization, user=carol, feature=READ)
    url = reverse("contracts:organization-contract", args=[organization.pk])
    page = admin_client.get(url)
    assert "1 member waits for a plan" in page.text
    assert carol.display_name in page.text
    assert str(READ.label) in page.text
    give = reverse("contracts:waitlist-give", args=[organization.pk])
    entry = WaitlistEntry.objects.get(user=carol)
    response = admin_client.post(give, {"entry": entry.pk}, follow=True)
    # No seat free: refused with the reason, still waiting.
    assert "free a seat first" in response.text
    assert entry.status == WaitlistStatus.WAITING
    services.contract_set_auto_assign(
        organization=organization, enabled=False, actor=admin_user
    )
    holder = Seat.objects.get(contract=contract).user
    services.member_plan_set(
        organization=organization, user=holder, plan=plan("free"), actor=admin_user
    )
    response = admin_client.post(give, {"entry": entry.pk}, follow=True)
    assert f"{carol.display_name} now has the Reader+ plan" in response.text
    assert Seat.objects.get(user=carol).plan == plan("reader-plus")
    assert "waits for a plan" not in admin_client.get(url).text


def test_decline_from_the_contract_page(contract, organization, admin_client, carol):
    entry = services.waitlist_join(organization=organization, user=carol, feature=READ)
    response = admin_client.post(
        reverse("contracts:waitlist-decline", args=[organization.pk]),
        {"entry": entry.pk},
        follow=True,
    )
    assert "is no longer waiting" in response.text
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.DECLINED


def test_an_entry_of_another_organization_reads_as_already_answered(
    contract, organization, admin_client
):
    other = MembershipFactory(reader=True)
    other_contract = ContractFactory(seats={"reader-plus": 0})
    services.contract_connect(
        organization=other.organization,
        contract=other_contract,
        actor=MembershipFactory(
            organization=other.organization, administrator=True
        ).user,
    )
    entry = services.waitlist_join(
        organization=other.organization, user=other.user, feature=READ
    )
    response = admin_client.post(
        reverse("contracts:waitlist-decline", args=[organization.pk]),
        {"entry": entry.pk},
        follow=True,
    )
    assert "already answered" in response.text
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.WAITING


def test_a_refused_export_offers_the_waitlist_for_exporting(
    contract, organization, admin_user, carol, client, report_url
):
    """Exporting needs Professional, and the contract has none left for
    Carol: the refusal names the feature and offers the waitlist, which
    brings her back to the report."""
    services.allotment_set(
        contract=contract,
        plan=plan("professional"),
        seats=0,
        actor=admin_user,
        source="support",
    )
    client.force_login(carol)
    survey_id = int(report_url.rstrip("/").split("/")[-2])
    response = client.post(
        reverse("surveys:report-export", args=[survey_id]), follow=True
    )
    assert "Join the waitlist" in response.text
    assert f'value="{Feature.REPORT_EXPORT}"' in response.text
    assert f'name="next" value="{report_url}"' in response.text
    client.post(
        reverse("contracts:waitlist-join", args=[organization.pk]),
        {"feature": Feature.REPORT_EXPORT, "next": report_url},
    )
    assert WaitlistEntry.objects.get(user=carol).feature == Feature.REPORT_EXPORT


def test_a_refused_branding_offers_the_waitlist_to_the_owner(
    contract, organization, admin_user, carol, client
):
    """Carol's own survey: branding needs Professional, none left; the
    refusal beside the branding form offers the waitlist for branding."""
    services.allotment_set(
        contract=contract,
        plan=plan("professional"),
        seats=0,
        actor=admin_user,
        source="support",
    )
    survey = SurveyFactory(owner=carol, organization=organization)
    client.force_login(carol)
    response = client.post(
        reverse("surveys:branding", args=[survey.pk]),
        {"colour": "teal", "logo": "leaf"},
        follow=True,
    )
    assert "Join the waitlist" in response.text
    assert f'value="{Feature.CUSTOM_BRANDING}"' in response.text
    assert f'name="next" value="{survey.get_absolute_url()}#branding"' in (
        response.text
    )
