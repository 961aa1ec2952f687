"""Support staff delete members and organizations in the admin through the
contracts app's services: a member who leaves frees their seat, an
organization's contract is disconnected first, and nothing gives a 500."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from contracts import services
from contracts.exceptions import ContractError
from contracts.models import Contract, Event, EventKind, Seat
from organizations.models import Membership, Organization
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.surveys.factories import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(db):
    return UserFactory(full_name="Sam Support", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, support):
    client.force_login(support)
    return client


@pytest.fixture
def manager(db):
    return UserFactory(email="manager@contract.example")


@pytest.fixture
def contract(organization, admin_user, manager):
    """ACME-2027, connected to Acme, with automatic assignment on."""
    contract = ContractFactory(
        reference="ACME-2027", managers=[manager], seats={"professional": 5}
    )
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin_user
    )
    return contract


def _member_with_seat(organization, contract, admin_user):
    membership = MembershipFactory(organization=organization)
    services.member_plan_set(
        organization=organization,
        user=membership.user,
        plan=plan("professional"),
        actor=admin_user,
    )
    return membership


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestMembershipDelete:
    def test_deleting_a_membership_frees_the_members_seat(
        self,
        staff_client,
        support,
        organization,
        contract,
        admin_user,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        membership = _member_with_seat(organization, contract, admin_user)
        member = membership.user
        mailoutbox.clear()
        url = reverse("admin:organizations_membership_delete", args=[membership.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(url, {"post": "yes"})
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert not Seat.objects.filter(user=member).exists()
        event = Event.objects.get(kind=EventKind.SEAT_RELEASED, member=member)
        assert (event.actor, event.source, event.contract) == (
            support,
            "support",
            contract,
        )
        # The email the Members page's Remove sends.
        assert [message.to for message in mailoutbox] == [[member.email]]
        assert "was taken back" in mailoutbox[0].body

    def test_bulk_delete_frees_each_members_seat(
        self, staff_client, organization, contract, admin_user
    ):
        memberships = [
            _member_with_seat(organization, contract, admin_user) for _ in range(2)
        ]
        response = staff_client.post(
            reverse("admin:organizations_membership_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [membership.pk for membership in memberships],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        assert not Membership.objects.filter(
            pk__in=[membership.pk for membership in memberships]
        ).exists()
        assert not Seat.objects.filter(contract=contract).exists()
        assert Event.objects.filter(kind=EventKind.SEAT_RELEASED).count() == 2
        assert "2 memberships were deleted." in _messages(response)

    def test_the_last_administrator_is_refused_without_a_success_message(
        self, staff_client, admin_membership
    ):
        url = reverse(
            "admin:organizations_membership_delete", args=[admin_membership.pk]
        )
        response = staff_client.post(url, {"post": "yes"})
        assert response.status_code == 302
        assert response.url == reverse(
            "admin:organizations_membership_change", args=[admin_membership.pk]
        )
        (message,) = _messages(response)
        assert "needs at least one administrator" in message
        assert Membership.objects.filter(pk=admin_membership.pk).exists()
        assert not LogEntry.objects.filter(action_flag=DELETION).exists()

    def test_bulk_delete_deletes_what_the_rules_allow_and_says_what_not(
        self, staff_client, organization, admin_membership
    ):
        other = MembershipFactory(organization=organization)
        response = staff_client.post(
            reverse("admin:organizations_membership_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [admin_membership.pk, other.pk],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        messages = _messages(response)
        assert any("needs at least one administrator" in m for m in messages)
        assert "1 membership was deleted." in messages
        assert list(Membership.objects.values_list("pk", flat=True)) == [
            admin_membership.pk
        ]
        assert LogEntry.objects.filter(action_flag=DELETION).count() == 1


class TestOrganizationDelete:
    def test_deleting_a_connected_organization_disconnects_its_contract_first(
        self,
        staff_client,
        support,
        organization,
        contract,
        admin_user,
        manager,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        membership = _member_with_seat(organization, contract, admin_user)
        mailoutbox.clear()
        url = reverse("admin:organizations_organization_delete", args=[organization.pk])
        confirmation = staff_client.get(url)
        assert "Contract ACME-2027 is connected to this organization" in (
            confirmation.text
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(url, {"post": "yes"})
        assert response.status_code == 302
        assert not Organization.objects.filter(pk=organization.pk).exists()
        contract.refresh_from_db()
        assert contract.organization is None
        assert contract.connected_at is None
        assert contract.auto_assign is False
        disconnected = Event.objects.get(kind=EventKind.DISCONNECTED)
        assert disconnected.actor == support
        deleted = Event.objects.get(kind=EventKind.ORGANIZATION_DELETED)
        assert (deleted.contract, deleted.actor, deleted.detail) == (
            contract,
            support,
            "Acme",
        )
        # The members left with it: their seats are freed, as when leaving.
        assert not Seat.objects.filter(user=membership.user).exists()
        released = Event.objects.get(kind=EventKind.SEAT_RELEASED)
        assert (released.actor, released.source) == (support, "support")
        recipients = sorted(message.to[0] for message in mailoutbox)
        assert recipients == sorted([manager.email, membership.user.email])
        # The managers are told the seats were freed, not that members
        # keep them, as a plain disconnection says.
        (to_manager,) = [m for m in mailoutbox if m.to == [manager.email]]
        assert "deleted the organization Acme" in to_manager.body
        assert "seats its members held were freed" in to_manager.body
        assert "keep the plans" not in to_manager.body

    def test_bulk_delete_disconnects_each_connected_organization(
        self, staff_client, organization, contract
    ):
        other = OrganizationFactory(name="Globex")
        response = staff_client.post(
            reverse("admin:organizations_organization_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [organization.pk, other.pk],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        assert not Organization.objects.exists()
        assert Contract.objects.get(pk=contract.pk).organization is None
        assert Event.objects.filter(kind=EventKind.DISCONNECTED).count() == 1
        assert "2 organizations were deleted." in _messages(response)

    def test_an_organization_with_surveys_is_refused_with_a_clear_page(
        self, staff_client, organization, contract, owner_of_a_survey
    ):
        url = reverse("admin:organizations_organization_delete", args=[organization.pk])
        response = staff_client.post(url, {"post": "yes"})
        assert response.status_code == 200
        assert "Cannot delete organization" in response.text
        assert Organization.objects.filter(pk=organization.pk).exists()
        contract.refresh_from_db()
        assert contract.organization == organization
        assert not Event.objects.filter(kind=EventKind.DISCONNECTED).exists()

    def test_the_service_refuses_protected_organizations_and_keeps_the_contract(
        self, support, organization, contract, owner_of_a_survey
    ):
        with pytest.raises(ContractError, match="Acme cannot be deleted"):
            services.organization_delete(
                organization=organization, actor=support, source="support"
            )
        contract.refresh_from_db()
        assert contract.organization == organization
        assert contract.auto_assign is True
        assert not Event.objects.filter(kind=EventKind.DISCONNECTED).exists()


@pytest.fixture
def owner_of_a_survey(organization):
    owner = MembershipFactory(organization=organization).user
    SurveyFactory(owner=owner, organization=organization)
    return owner
