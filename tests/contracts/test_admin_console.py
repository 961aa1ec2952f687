"""Issue 10, points 1, 11 and 12 in the admin: freeing a seat shows each
member's surveys that go inactive before it happens, a seat moved down asks
as the app does, the organization page is support's console (contract,
members with plans, history), and the seat list is searchable and
filterable by organization."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from contracts import services
from contracts.models import Event, EventKind, Seat
from surveys.models import SurveyStatus
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import (
    SurveyFactory,
    link_add,
    questions_add,
    responses_add,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:contracts_seat_changelist"


@pytest.fixture
def support(db):
    return UserFactory(
        email="support@example.com",
        full_name="Sam Support",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def staff_client(client, support):
    client.force_login(support)
    return client


@pytest.fixture
def acme(db):
    """Acme, connected to ACME-2027; Bob holds Professional and owns a
    survey over the Free limit, open by link; Carol holds Reader+ and owns
    nothing."""
    organization = OrganizationFactory(name="Acme")
    alice = MembershipFactory(
        organization=organization, administrator=True, user__full_name="Alice"
    ).user
    contract = ContractFactory(
        reference="ACME-2027", seats={"professional": 3, "reader-plus": 2}
    )
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    seats = {}
    for name, code in [
        ("Bob Bernard", "professional"),
        ("Carol Chevalier", "reader-plus"),
    ]:
        member = MembershipFactory(organization=organization, user__full_name=name)
        seats[name.split()[0].lower()] = services.member_plan_set(
            organization=organization, user=member.user, plan=plan(code), actor=alice
        )
    survey = SurveyFactory(owner=seats["bob"].user, title="Satisfaction", open=True)
    link_add(survey)
    responses_add(survey, 120, answers=False)
    return organization, contract, seats


class TestFreeingFromTheAdmin:
    def test_the_action_asks_first_naming_each_members_surveys(
        self, staff_client, acme
    ):
        _organization, _contract, seats = acme
        response = staff_client.post(
            reverse(CHANGELIST),
            {
                "action": "release_seats",
                "_selected_action": [seats["bob"].pk, seats["carol"].pk],
            },
        )
        assert response.status_code == 200
        page = response.text
        assert "Free the selected seats?" in page
        assert "Satisfaction" in page and "120 responses" in page
        assert "None of their surveys becomes inactive." in page
        assert page.count('name="_selected_action"') == 2
        assert '<input type="hidden" name="action" value="release_seats">' in page
        assert '<input type="hidden" name="post" value="yes">' in page
        assert Seat.objects.count() == 2
        assert not Event.objects.filter(kind=EventKind.SEAT_RELEASED).exists()

    def test_from_the_seats_own_page_the_confirmation_posts_back_there(
        self, staff_client, support, acme
    ):
        _organization, _contract, seats = acme
        change = reverse("admin:contracts_seat_change", args=[seats["bob"].pk])
        asked = staff_client.post(
            change,
            {
                "CHANGE_FORM-action": "release_seats",
                "_selected_action": [seats["bob"].pk],
            },
        )
        assert 'name="CHANGE_FORM-action" value="release_seats"' in asked.text
        assert "Satisfaction" in asked.text
        assert Seat.objects.filter(pk=seats["bob"].pk).exists()

        done = staff_client.post(
            change,
            {
                "CHANGE_FORM-action": "release_seats",
                "_selected_action": [seats["bob"].pk],
                "post": "yes",
            },
        )
        assert done.status_code == 302
        assert not Seat.objects.filter(pk=seats["bob"].pk).exists()
        event = Event.objects.get(kind=EventKind.SEAT_RELEASED)
        assert (event.actor, event.source) == (support, "support")

    def test_the_delete_page_names_the_surveys_too(self, staff_client, acme):
        _organization, _contract, seats = acme
        page = staff_client.get(
            reverse("admin:contracts_seat_delete", args=[seats["bob"].pk])
        ).text
        assert "This survey becomes inactive:" in page
        assert "Satisfaction" in page and "120 responses" in page

    def test_removing_the_member_or_deleting_the_organization_names_them(
        self, staff_client, acme
    ):
        organization, _contract, seats = acme
        membership = organization.memberships.get(user=seats["bob"].user)
        for url in (
            reverse("admin:organizations_membership_delete", args=[membership.pk]),
            reverse("admin:organizations_organization_delete", args=[organization.pk]),
        ):
            page = staff_client.get(url).text
            assert "This survey becomes inactive:" in page, url
            assert "Satisfaction" in page and "120 responses" in page
        assert Seat.objects.count() == 2


class TestSeatMovedDownBySupport:
    def _post(self, staff_client, seat, **extra):
        return staff_client.post(
            reverse("admin:contracts_seat_change", args=[seat.pk]),
            {"plan": plan("reader-plus").pk, **extra},
        )

    def test_a_lower_plan_that_deactivates_surveys_asks_first(self, staff_client, acme):
        _organization, _contract, seats = acme
        response = self._post(staff_client, seats["bob"])
        assert response.status_code == 200
        assert (
            "This survey becomes inactive: Satisfaction (120 responses). "
            "Tick the box to go on." in response.text
        )
        assert Seat.objects.get(pk=seats["bob"].pk).plan.code == "professional"

    def test_ticking_the_box_moves_the_seat_by_support(
        self, staff_client, support, acme
    ):
        _organization, _contract, seats = acme
        response = self._post(staff_client, seats["bob"], confirm_inactive="on")
        assert response.status_code == 302
        assert Seat.objects.get(pk=seats["bob"].pk).plan.code == "reader-plus"
        event = Event.objects.filter(kind=EventKind.SEAT_CHANGED).latest("pk")
        assert (event.actor, event.source) == (support, "support")


class TestSeatList:
    def test_it_has_an_organization_column_filter_and_search(self, staff_client, acme):
        organization, _contract, _seats = acme
        elsewhere = SeatFactory(user__email="zoe@initech.example")
        changelist = reverse(CHANGELIST)
        page = staff_client.get(changelist).text
        assert re.search(r'<th[^>]*class="[^"]*column-organization', page)
        assert f'href="?organization={organization.pk}"' in page

        filtered = staff_client.get(changelist, {"organization": organization.pk})
        assert filtered.context["cl"].result_count == 2
        assert "zoe@initech.example" not in filtered.text

        searched = staff_client.get(changelist, {"q": "Acme"})
        assert searched.context["cl"].result_count == 2
        assert elsewhere.pk not in {s.pk for s in searched.context["cl"].result_list}

    def test_the_filter_lists_ten_organizations_and_the_one_chosen(self, staff_client):
        organizations = []
        for index in range(12):
            organization = OrganizationFactory(name=f"Org {index:02d}")
            contract = ContractFactory(organization=organization)
            SeatFactory.create_batch(12 - index, contract=contract)
            organizations.append(organization)
        changelist = reverse(CHANGELIST)
        page = staff_client.get(changelist).text
        listed = re.findall(r'href="\?organization=(\d+)"', page)
        assert len(listed) == 10
        last = organizations[-1]
        assert str(last.pk) not in listed
        chosen = staff_client.get(changelist, {"organization": last.pk})
        assert f'href="?organization={last.pk}"' in chosen.text
        assert chosen.context["cl"].result_count == 1


class TestOrganizationConsole:
    def _page(self, staff_client, organization):
        return staff_client.get(
            reverse("admin:organizations_organization_change", args=[organization.pk])
        )

    def test_it_shows_the_contract_members_with_plans_and_history(
        self, staff_client, acme
    ):
        organization, contract, _seats = acme
        response = self._page(staff_client, organization)
        assert response.status_code == 200
        page = response.text
        contract_url = reverse("admin:contracts_contract_change", args=[contract.pk])
        assert f'<a href="{contract_url}">ACME-2027</a>' in page
        assert "3 members" in page
        bob = re.search(r"Bob Bernard</a>.*?</tr>", page, re.S).group(0)
        assert "Professional" in bob
        carol = re.search(r"Carol Chevalier</a>.*?</tr>", page, re.S).group(0)
        assert "Reader+" in carol
        assert "Recent history" in page
        assert "gave Bob Bernard the Professional plan" in page
        seats_url = reverse(CHANGELIST) + f"?organization={organization.pk}"
        assert f'href="{seats_url}"' in page
        events_url = reverse("admin:contracts_event_changelist")
        assert f'href="{events_url}?organization__id__exact={organization.pk}"' in page
        history = staff_client.get(
            events_url, {"organization__id__exact": organization.pk}
        )
        assert (
            history.context["cl"].result_count
            == Event.objects.filter(organization=organization).count()
        )

    def test_members_are_limited_with_a_link_to_the_full_list(
        self, staff_client, django_assert_max_num_queries
    ):
        organization = OrganizationFactory()
        MembershipFactory.create_batch(25, organization=organization)
        page = self._page(staff_client, organization).text
        assert (
            page.count("admin/organizations/membership/") - page.count("membership/?")
            >= 20
        )
        assert "See all 25 members" in page
        memberships = reverse("admin:organizations_membership_changelist")
        full = staff_client.get(
            memberships, {"organization__id__exact": organization.pk}
        )
        assert full.context["cl"].result_count == 25
        with django_assert_max_num_queries(25):
            self._page(staff_client, organization)

    def test_an_organization_without_contract_says_so(self, staff_client):
        page = self._page(staff_client, OrganizationFactory()).text
        assert "No contract is connected." in page
        assert "Nothing has happened yet." in page


class TestSurveyStatusBySupport:
    def test_opening_and_closing_are_in_the_surveys_admin_history(
        self, staff_client, support
    ):
        survey = SurveyFactory(title="Census")
        questions_add(survey)
        changelist = reverse("admin:surveys_survey_changelist")
        for action in ("open_surveys", "close_surveys"):
            staff_client.post(
                changelist, {"action": action, "_selected_action": [survey.pk]}
            )
        survey.refresh_from_db()
        assert survey.status == SurveyStatus.CLOSED
        entries = LogEntry.objects.filter(object_id=str(survey.pk))
        assert entries.count() == 2
        assert {entry.user for entry in entries} == {support}
        history = staff_client.get(
            reverse("admin:surveys_survey_history", args=[survey.pk])
        ).text
        rows = re.findall(r"<tr>.*?</tr>", history, re.S)
        assert len([row for row in rows if "Changed" in row]) == 2, history
