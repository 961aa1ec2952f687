"""Microsoft Entra ID's known ways, accepted as they come."""

import pytest

from contracts.models import Event, EventKind
from organizations.models import Membership
from tests.contracts.factories import ContractFactory
from tests.scim.conftest import USER_SCHEMA, patch_payload

pytestmark = pytest.mark.django_db

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def _entra_user(scim, upn="nina@corp.example.com", mail="nina.n@corp.example.com"):
    response = scim.post(
        "/Users",
        {
            "schemas": [USER_SCHEMA, ENTERPRISE],
            "externalId": "0a1b2c",
            "userName": upn,
            "active": "True",
            "displayName": "Nina Newman",
            "emails": [{"primary": True, "type": "work", "value": mail}],
            "name": {
                "formatted": "Nina Newman",
                "familyName": "Newman",
                "givenName": "Nina",
            },
            ENTERPRISE: {"department": "Sales", "employeeNumber": "42"},
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_creation_with_the_enterprise_extension_and_a_string_boolean(scim):
    body = _entra_user(scim)
    membership = Membership.objects.get(pk=body["id"])
    assert membership.user.email == "nina.n@corp.example.com"
    assert body["userName"] == "nina@corp.example.com"
    assert body["active"] is True
    assert ENTERPRISE not in body


def test_user_principal_name_match_before_creation(scim):
    body = _entra_user(scim)
    found = scim.get('/Users?filter=userName eq "nina@corp.example.com"').json()
    assert [user["id"] for user in found["Resources"]] == [body["id"]]


@pytest.mark.parametrize("op", ["Replace", "replace", "REPLACE"])
def test_capitalised_op_and_false_as_a_string(scim, organization, op):
    ContractFactory(organization=organization, seats={"professional": 5})
    body = _entra_user(scim)
    response = scim.patch(
        f"/Users/{body['id']}",
        patch_payload({"op": op, "path": "active", "value": "False"}),
    )
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    assert Event.objects.filter(kind=EventKind.DEPROVISIONED).count() == 1


def test_pathless_patch_with_a_value_object(scim):
    body = _entra_user(scim)
    response = scim.patch(
        f"/Users/{body['id']}",
        patch_payload(
            {"op": "Replace", "value": {"active": False, "displayName": "N. Newman"}}
        ),
    )
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    assert response.json()["displayName"] == "N. Newman"


def test_work_email_path_is_accepted(scim):
    body = _entra_user(scim)
    response = scim.patch(
        f"/Users/{body['id']}",
        patch_payload(
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "nina.n@corp.example.com",
            },
            {"op": "Add", "path": "displayName", "value": "Nina N."},
        ),
    )
    assert response.status_code == 200, response.content
    assert response.json()["displayName"] == "Nina N."
    assert response.json()["emails"][0]["value"] == "nina.n@corp.example.com"


def test_given_and_family_name_updates(scim):
    body = _entra_user(scim)
    response = scim.patch(
        f"/Users/{body['id']}",
        patch_payload(
            {"op": "Replace", "path": "name.givenName", "value": "Nadia"},
            {"op": "Replace", "path": "name.familyName", "value": "North"},
        ),
    )
    assert response.json()["name"] == {"givenName": "Nadia", "familyName": "North"}


def test_enterprise_attribute_patches_are_ignored(scim):
    body = _entra_user(scim)
    response = scim.patch(
        f"/Users/{body['id']}",
        patch_payload(
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Support"},
            {"op": "Replace", "value": {f"{ENTERPRISE}:manager": {"value": "x"}}},
        ),
    )
    assert response.status_code == 200, response.content


def test_periodic_active_true_on_an_active_user_changes_nothing(scim, organization):
    ContractFactory(organization=organization, seats={"professional": 5})
    body = _entra_user(scim)
    before = scim.get(f"/Users/{body['id']}")
    events = Event.objects.count()

    response = scim.patch(
        f"/Users/{body['id']}",
        patch_payload({"op": "Replace", "path": "active", "value": "True"}),
    )

    assert response.status_code == 200
    assert Event.objects.count() == events
    assert response["ETag"] == before["ETag"]


def test_group_member_removal_by_value_without_a_path_filter(scim):
    user = _entra_user(scim)
    group = scim.post(
        "/Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Sales",
            "members": [{"value": user["id"]}],
        },
    ).json()
    response = scim.patch(
        f"/Groups/{group['id']}",
        patch_payload(
            {"op": "Remove", "path": "members", "value": [{"value": user["id"]}]}
        ),
    )
    assert response.status_code == 200, response.content
    assert "members" not in response.json()
