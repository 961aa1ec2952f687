"""Tokens: each organization's directory sees and touches only its own
members and groups; a wrong, absent or revoked token gets a SCIM 401, and
a client that keeps failing is held back."""

import datetime

import pytest
from django.utils import timezone

from organizations.models import Group, Membership
from scim import services
from scim.models import ScimToken
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.scim.conftest import (
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    ScimClient,
    patch_payload,
    user_payload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_org():
    organization = OrganizationFactory(name="Globex")
    member = MembershipFactory(organization=organization, administrator=True)
    group = Group.objects.create(organization=organization, name="Globex staff")
    group.members.add(member)
    return organization, member, group


def test_a_token_never_reaches_another_organization(scim, other_org):
    _, member, group = other_org
    patch = patch_payload({"op": "replace", "path": "displayName", "value": "X"})
    for response in (
        scim.get(f"/Users/{member.pk}"),
        scim.patch(f"/Users/{member.pk}", patch),
        scim.put(f"/Users/{member.pk}", user_payload(member.user.email)),
        scim.delete(f"/Users/{member.pk}"),
        scim.get(f"/Groups/{group.pk}"),
        scim.patch(f"/Groups/{group.pk}", patch),
        scim.delete(f"/Groups/{group.pk}"),
    ):
        assert response.status_code == 404
        assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert Membership.objects.filter(pk=member.pk).exists()
    assert Group.objects.get(pk=group.pk).name == "Globex staff"
    listed = scim.get("/Users").json()["Resources"]
    assert str(member.pk) not in {user["id"] for user in listed}
    assert (
        scim.get(f'/Users?filter=userName eq "{member.user.email}"').json()[
            "totalResults"
        ]
        == 0
    )
    assert scim.get("/Groups").json()["totalResults"] == 0


def test_another_organizations_member_cannot_join_a_group(scim, other_org):
    _, member, _ = other_org
    response = scim.post(
        "/Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Mine",
            "members": [{"value": str(member.pk)}],
        },
    )
    assert response.status_code == 400
    assert not Group.objects.filter(name="Mine").exists()


@pytest.mark.parametrize(
    "header",
    [None, "Bearer scim_wrong", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_a_missing_or_wrong_token_is_a_scim_401(scim_token, header):
    client = ScimClient(None)
    response = client.get("/Users", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/scim+json"
    assert response.json() == {
        "schemas": [ERROR_SCHEMA],
        "status": "401",
        "detail": "A valid bearer token is required.",
    }


def test_a_revoked_token_is_refused(organization, scim_token):
    client = ScimClient(scim_token)
    assert client.get("/Users").status_code == 200
    services.scim_token_revoke(token=ScimToken.objects.get())
    assert client.get("/Users").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(scim):
    scim.get("/Users")
    token = ScimToken.objects.get()
    first = token.last_used_at
    assert first is not None
    scim.get("/Users")
    token.refresh_from_db()
    assert token.last_used_at == first
    ScimToken.objects.update(last_used_at=first - datetime.timedelta(minutes=2))
    scim.get("/Users")
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(seconds=1)
    assert token.last_used_at <= timezone.now()


def test_only_the_digest_is_stored(scim_token):
    token = ScimToken.objects.get()
    assert scim_token not in (token.digest, token.prefix)
    assert len(token.digest) == 64
    assert scim_token.startswith(token.prefix)


def test_failed_authentications_are_rate_limited_per_client(settings, scim_token):
    settings.SCIM_AUTH_FAILURE_RATE = "3/m"
    wrong = ScimClient("scim_wrong")
    statuses = [wrong.get("/Users").status_code for _ in range(5)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    # The held-back client is refused even with a good token, for a while.
    assert ScimClient(scim_token).get("/Users").status_code == 429


def test_csrf_is_not_required(scim_token):
    client = ScimClient(scim_token)
    client.client.enforce_csrf_checks = True
    response = client.post("/Users", user_payload("c@corp.example.com"))
    assert response.status_code == 201
