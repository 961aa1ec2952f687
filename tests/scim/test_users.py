"""SCIM Users (RFC 7644) through the real stack: a membership per user."""

import pytest
from django.core import mail

from contracts.models import Event, EventKind, Seat
from organizations.models import Membership
from tests.contracts.factories import ContractFactory, SeatFactory
from tests.organizations.factories import MembershipFactory
from tests.scim.conftest import ERROR_SCHEMA, patch_payload, user_payload

pytestmark = pytest.mark.django_db


def _create(scim, email="nina@corp.example.com", **extra):
    response = scim.post("/Users", user_payload(email, **extra))
    assert response.status_code == 201, response.content
    return response.json()


def test_create_adds_a_membership_and_invites_a_new_account(
    scim, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = _create(scim, "Nina@Corp.example.com", displayName="Nina Newman")

    membership = Membership.objects.get(pk=body["id"])
    assert membership.organization == organization
    assert membership.user.email == "nina@corp.example.com"
    assert membership.user.full_name == "Nina Newman"
    assert not membership.user.has_usable_password()
    assert body["userName"] == "Nina@Corp.example.com"
    assert body["emails"][0]["value"] == "nina@corp.example.com"
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{membership.pk}")
    assert [message.to for message in mail.outbox] == [["nina@corp.example.com"]]
    assert "Choose a password" in mail.outbox[0].body
    assert "The directory of Acme added you" in mail.outbox[0].body


def test_create_answers_scim_json_with_location_and_etag(scim):
    response = scim.post("/Users", user_payload("a@corp.example.com"))
    assert response["Content-Type"] == "application/scim+json"
    assert response["Location"] == response.json()["meta"]["location"]
    assert response["ETag"] == response.json()["meta"]["version"]


def test_a_second_create_of_the_same_person_is_a_uniqueness_conflict(scim):
    _create(scim, "a@corp.example.com")
    response = scim.post("/Users", user_payload("A@corp.example.com"))
    assert response.status_code == 409
    body = response.json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == "409"
    assert body["scimType"] == "uniqueness"


def test_external_id_is_unique_in_the_organization(scim):
    _create(scim, "a@corp.example.com", externalId="x1")
    response = scim.post("/Users", user_payload("b@corp.example.com", externalId="x1"))
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


def test_filters_by_user_name_external_id_display_name_and_email(scim):
    one = _create(scim, "a@corp.example.com", externalId="x1", displayName="Ann A")
    _create(scim, "b@corp.example.com", externalId="x2", displayName="Bob B")
    for query in (
        'userName eq "A@CORP.example.com"',
        'externalId eq "x1"',
        'displayName eq "Ann A"',
        'emails.value eq "a@corp.example.com"',
        'emails[value eq "a@corp.example.com"]',
    ):
        body = scim.get(f"/Users?filter={query}").json()
        assert body["totalResults"] == 1, query
        assert [user["id"] for user in body["Resources"]] == [one["id"]], query


def test_a_member_added_by_hand_is_found_by_email_as_user_name(scim, admin_user):
    body = scim.get(f'/Users?filter=userName eq "{admin_user.email}"').json()
    assert body["totalResults"] == 1
    assert body["Resources"][0]["userName"] == admin_user.email


def test_a_bad_filter_is_an_invalid_filter_error(scim):
    response = scim.get('/Users?filter=userName eq "unclosed')
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


def test_pagination_with_start_index_and_count(scim, organization):
    for n in range(5):
        _create(scim, f"p{n}@corp.example.com")
    body = scim.get("/Users?startIndex=2&count=2").json()
    assert body["totalResults"] == 6  # with the administrator
    assert body["startIndex"] == 2
    assert body["itemsPerPage"] == 2
    ids = list(
        Membership.objects.filter(organization=organization)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert [int(user["id"]) for user in body["Resources"]] == ids[1:3]
    empty = scim.get("/Users?count=0").json()
    assert empty["totalResults"] == 6 and empty["Resources"] == []


def test_put_replaces_the_name_and_external_id(scim):
    user = _create(scim, "a@corp.example.com", displayName="Ann")
    response = scim.put(
        f"/Users/{user['id']}",
        user_payload(
            "a@corp.example.com",
            displayName="Ann Other",
            externalId="e-9",
            name={"givenName": "Ann", "familyName": "Other"},
        ),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["displayName"] == "Ann Other"
    assert body["externalId"] == "e-9"
    assert body["name"] == {"givenName": "Ann", "familyName": "Other"}


def test_patch_add_replace_remove(scim):
    user = _create(scim, "a@corp.example.com")
    url = f"/Users/{user['id']}"
    body = scim.patch(
        url, patch_payload({"op": "add", "path": "externalId", "value": "e1"})
    ).json()
    assert body["externalId"] == "e1"
    body = scim.patch(
        url, patch_payload({"op": "replace", "path": "displayName", "value": "Z"})
    ).json()
    assert body["displayName"] == "Z"
    body = scim.patch(url, patch_payload({"op": "remove", "path": "externalId"}))
    assert "externalId" not in body.json()


def test_active_false_suspends_frees_the_seat_and_records_deprovisioned(
    scim, organization
):
    contract = ContractFactory(organization=organization, seats={"professional": 5})
    user = _create(scim, "a@corp.example.com")
    membership = Membership.objects.get(pk=user["id"])
    SeatFactory(contract=contract, user=membership.user)

    response = scim.patch(
        f"/Users/{user['id']}",
        patch_payload({"op": "replace", "path": "active", "value": False}),
    )

    assert response.status_code == 200
    assert response.json()["active"] is False
    membership.refresh_from_db()
    assert membership.is_active is False
    assert not Seat.objects.filter(contract=contract, user=membership.user).exists()
    event = Event.objects.get(kind=EventKind.DEPROVISIONED)
    assert event.member == membership.user
    assert event.actor is None


def test_active_true_restores_without_giving_the_seat_back(scim, organization):
    contract = ContractFactory(organization=organization, seats={"professional": 5})
    user = _create(scim, "a@corp.example.com")
    membership = Membership.objects.get(pk=user["id"])
    SeatFactory(contract=contract, user=membership.user)
    url = f"/Users/{user['id']}"
    scim.patch(url, patch_payload({"op": "replace", "path": "active", "value": False}))

    body = scim.patch(
        url, patch_payload({"op": "replace", "path": "active", "value": True})
    ).json()

    assert body["active"] is True
    assert Event.objects.filter(kind=EventKind.REPROVISIONED).count() == 1
    assert not Seat.objects.filter(contract=contract, user=membership.user).exists()


def test_delete_removes_the_membership_and_frees_its_seat(scim, organization):
    contract = ContractFactory(organization=organization, seats={"professional": 5})
    user = _create(scim, "a@corp.example.com")
    membership = Membership.objects.get(pk=user["id"])
    SeatFactory(contract=contract, user=membership.user)

    response = scim.delete(f"/Users/{user['id']}")

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not Seat.objects.filter(contract=contract).exists()
    assert scim.get(f"/Users/{user['id']}").status_code == 404


def test_if_match_with_an_old_version_is_refused_with_412(scim):
    user = _create(scim, "a@corp.example.com")
    url = f"/Users/{user['id']}"
    old = user["meta"]["version"]
    scim.patch(
        url, patch_payload({"op": "replace", "path": "displayName", "value": "A"})
    )

    stale = scim.patch(
        url,
        patch_payload({"op": "replace", "path": "displayName", "value": "B"}),
        headers={"If-Match": old},
    )
    current = scim.get(url)
    fresh = scim.patch(
        url,
        patch_payload({"op": "replace", "path": "displayName", "value": "C"}),
        headers={"If-Match": current["ETag"]},
    )

    assert stale.status_code == 412
    assert stale.json()["status"] == "412"
    assert fresh.status_code == 200
    assert fresh.json()["displayName"] == "C"


def test_errors_are_scim_json(scim):
    for response, status in (
        (scim.get("/Users/999999"), 404),
        (scim.get("/Users/not-a-number"), 404),
        (scim.get("/Nothing/here"), 404),
        (scim.client.put("/scim/v2/Users", headers=scim._headers(None)), 405),
        (scim.post("/Users", {"schemas": ["nope"]}), 400),
    ):
        assert response.status_code == status
        assert response["Content-Type"] == "application/scim+json"
        body = response.json()
        assert body["schemas"] == [ERROR_SCHEMA]
        assert body["status"] == str(status)


def test_the_last_administrator_cannot_be_suspended(scim, admin_membership):
    response = scim.patch(
        f"/Users/{admin_membership.pk}",
        patch_payload({"op": "replace", "path": "active", "value": False}),
    )
    assert response.status_code == 400
    admin_membership.refresh_from_db()
    assert admin_membership.is_active


def test_another_member_can_be_found_and_read(scim, organization):
    other = MembershipFactory(organization=organization)
    body = scim.get(f"/Users/{other.pk}").json()
    assert body["userName"] == other.user.email
    assert body["active"] is True


def test_user_name_is_unique_in_the_organization_whatever_the_case(scim):
    _create(
        scim,
        "upn@corp.example.com",
        emails=[{"value": "one@corp.example.com", "type": "work"}],
    )
    response = scim.post(
        "/Users",
        user_payload(
            "UPN@corp.example.com",
            emails=[{"value": "two@corp.example.com", "type": "work"}],
        ),
    )
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert not Membership.objects.filter(user__email="two@corp.example.com").exists()


def test_search_by_post_and_attribute_selection(scim):
    one = _create(scim, "a@corp.example.com", displayName="Ann")
    response = scim.post(
        "/Users/.search",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": 'userName eq "a@corp.example.com"',
            "attributes": ["displayName"],
        },
    )
    assert response.status_code == 200
    (user,) = response.json()["Resources"]
    assert user["id"] == one["id"]
    assert user["displayName"] == "Ann"
    assert "emails" not in user
    single = scim.get(f"/Users/{one['id']}?excludedAttributes=emails").json()
    assert "emails" not in single and single["userName"] == "a@corp.example.com"


def test_discovery_endpoints(scim):
    config = scim.get("/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True
    assert config["etag"]["supported"] is True
    types = scim.get("/ResourceTypes").json()
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    schemas = scim.get("/Schemas").json()
    assert {s["id"] for s in schemas["Resources"]} == {
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:core:2.0:Group",
    }
    assert scim.get("/ResourceTypes/User").json()["endpoint"] == "/Users"
    assert scim.get("/Schemas/urn:nope").status_code == 404
