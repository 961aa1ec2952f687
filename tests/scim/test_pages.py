"""The organization's Directory sync page and the scim_token command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from scim.models import ScimToken
from scim.tokens import token_digest
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.scim.conftest import ScimClient

pytestmark = pytest.mark.django_db


def _url(organization, name="directory-sync", **kwargs):
    return reverse(f"organizations:{name}", args=[organization.pk, *kwargs.values()])


def test_the_page_shows_the_scim_address(admin_client, organization):
    response = admin_client.get(_url(organization))
    assert response.status_code == 200
    assert b"http://testserver/scim/v2/" in response.content
    assert b"Directory sync" in response.content


def test_a_created_token_is_shown_once_and_works(admin_client, organization):
    response = admin_client.post(
        _url(organization, "directory-sync-create"), {"name": "Entra"}
    )
    assert response.status_code == 200
    token = ScimToken.objects.get()
    plaintext = response.context["plaintext"]
    assert token_digest(plaintext) == token.digest
    assert plaintext.encode() in response.content
    assert token.created_by == response.wsgi_request.user
    again = admin_client.get(_url(organization))
    assert plaintext.encode() not in again.content
    assert token.prefix.encode() in again.content
    assert ScimClient(plaintext).get("/Users").status_code == 200


def test_revocation_is_confirmed_then_applied(admin_client, organization):
    admin_client.post(_url(organization, "directory-sync-create"), {"name": "Okta"})
    token = ScimToken.objects.get()
    revoke = _url(organization, "directory-sync-revoke", token=token.pk)

    confirm = admin_client.get(revoke)
    assert confirm.status_code == 200
    assert b"Revoke the token Okta?" in confirm.content
    token.refresh_from_db()
    assert token.revoked_at is None

    response = admin_client.post(revoke)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert admin_client.get(revoke).status_code == 404


@pytest.mark.parametrize("who", ["collaborator", "outsider", "other-admin"])
def test_only_the_organizations_administrators_reach_it(
    user_client, organization, outsider, who
):
    if who == "collaborator":
        user = MembershipFactory(organization=organization).user
    elif who == "outsider":
        user = outsider
    else:
        user = MembershipFactory(
            organization=OrganizationFactory(), administrator=True
        ).user
    client = user_client(user)
    assert client.get(_url(organization)).status_code == 404
    assert (
        client.post(_url(organization, "directory-sync-create"), {"name": "x"})
    ).status_code == 404
    assert not ScimToken.objects.exists()


def test_another_organizations_token_cannot_be_revoked(admin_client, organization):
    other = OrganizationFactory()
    from scim import services

    token, _ = services.scim_token_create(organization=other, name="x", actor=None)
    response = admin_client.post(
        _url(organization, "directory-sync-revoke", token=token.pk)
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_prints_a_working_token(organization, admin_membership):
    out = io.StringIO()
    call_command("scim_token", organization="Acme", stdout=out)
    plaintext = out.getvalue().strip()
    assert ScimToken.objects.get(organization=organization).digest == token_digest(
        plaintext
    )
    assert ScimClient(plaintext).get("/Users").json()["totalResults"] == 1


def test_the_command_refuses_an_unknown_or_ambiguous_name(organization):
    with pytest.raises(CommandError, match="No organization"):
        call_command("scim_token", organization="Nope")
    OrganizationFactory(name="Acme")
    with pytest.raises(CommandError, match="Several"):
        call_command("scim_token", organization="Acme")
    assert not ScimToken.objects.exists()
