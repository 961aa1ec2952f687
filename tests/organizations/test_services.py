import pytest
from django.core import mail

from organizations import services
from organizations.models import Membership, Role
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_creator_becomes_the_administrator():
    creator = UserFactory()
    organization = services.organization_create(name="Initech", creator=creator)
    membership = Membership.objects.get(organization=organization)
    assert membership.user == creator
    assert membership.role == Role.ADMINISTRATOR


def test_adding_an_unknown_email_invites_the_person(
    organization, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_add(
            organization=organization,
            email="New.Person@Example.test",
            role=Role.READER,
            actor=admin_user,
            base_url="https://seats.example",
        )
    assert membership.user.email == "new.person@example.test"
    assert not membership.user.has_usable_password()
    assert membership.role == Role.READER
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.test"]
    assert "https://seats.example/accounts/reset/" in mail.outbox[0].body


def test_adding_an_existing_user_links_to_the_login(
    organization, admin_user, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="known@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_add(
            organization=organization,
            email="KNOWN@example.test",
            role=Role.COLLABORATOR,
            actor=admin_user,
            base_url="https://seats.example",
        )
    assert membership.user == existing
    assert existing.has_usable_password()
    assert "https://seats.example/accounts/login/" in mail.outbox[0].body


def test_no_email_when_the_transaction_rolls_back(
    organization, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.membership_add(
            organization=organization,
            email="someone@example.test",
            role=Role.COLLABORATOR,
            actor=admin_user,
            base_url="https://seats.example",
        )
    # Nothing is sent before the commit.
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_adding_a_member_twice_is_refused(organization, admin_user):
    member = MembershipFactory(organization=organization)
    with pytest.raises(services.AlreadyMember):
        services.membership_add(
            organization=organization,
            email=member.user.email,
            role=Role.READER,
            actor=admin_user,
            base_url="https://seats.example",
        )
    member.refresh_from_db()
    assert member.role == Role.COLLABORATOR


def test_an_address_too_long_once_lowercased_is_refused(organization, admin_user):
    """ "İ" lowercases to two characters: 254 typed, 255 stored."""
    email = "a" * 64 + "@" + "İ" * 63 + "." + "b" * 63 + "." + "c" * 53 + ".example"
    assert len(email) == 254
    with pytest.raises(services.MembershipError, match="at most 254 characters"):
        services.membership_add(
            organization=organization,
            email=email,
            role=Role.READER,
            actor=admin_user,
            base_url="https://seats.example",
        )
    assert Membership.objects.filter(organization=organization).count() == 1


def test_last_administrator_cannot_be_demoted(admin_membership):
    with pytest.raises(services.LastAdministrator):
        services.membership_change_role(
            membership=admin_membership,
            role=Role.READER,
            actor=admin_membership.user,
        )
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMINISTRATOR


def test_last_administrator_cannot_be_removed(admin_membership):
    with pytest.raises(services.LastAdministrator):
        services.membership_remove(
            membership=admin_membership, actor=admin_membership.user
        )
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_an_administrator_can_step_down_when_another_remains(admin_membership):
    MembershipFactory(organization=admin_membership.organization, administrator=True)
    services.membership_change_role(
        membership=admin_membership, role=Role.COLLABORATOR, actor=admin_membership.user
    )
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.COLLABORATOR


def test_removing_a_member_keeps_their_account(organization, admin_user):
    member = MembershipFactory(organization=organization)
    services.membership_remove(membership=member, actor=admin_user)
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert type(member.user).objects.filter(pk=member.user_id).exists()
