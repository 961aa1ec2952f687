"""SCIM Groups: organizations.Group, changed only through
contracts.services' group functions."""

from unittest import mock

import pytest

from organizations.models import Group, GroupMember
from tests.organizations.factories import MembershipFactory
from tests.scim.conftest import GROUP_SCHEMA, patch_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(organization):
    return [MembershipFactory(organization=organization) for _ in range(3)]


def _group(scim, name="Sales", members=()):
    response = scim.post(
        "/Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": name,
            "externalId": f"ext-{name}",
            "members": [{"value": str(m.pk)} for m in members],
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def _member_ids(group_id):
    return list(
        GroupMember.objects.filter(group_id=group_id)
        .order_by("joined_at", "pk")
        .values_list("membership_id", flat=True)
    )


def test_create_with_members_in_order(scim, organization, members):
    body = _group(scim, members=[members[2], members[0]])
    group = Group.objects.get(pk=body["id"])
    assert group.organization == organization
    assert group.external_id == "ext-Sales"
    assert [m["value"] for m in body["members"]] == [
        str(members[2].pk),
        str(members[0].pk),
    ]
    assert _member_ids(group.pk) == [members[2].pk, members[0].pk]


def test_display_name_is_unique(scim):
    _group(scim)
    response = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Sales"})
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


def test_filter_by_display_name_and_external_id(scim):
    sales = _group(scim)
    _group(scim, "Support")
    for query in ('displayName eq "sales"', 'externalId eq "ext-Sales"'):
        body = scim.get(f"/Groups?filter={query}").json()
        assert [g["id"] for g in body["Resources"]] == [sales["id"]], query


def test_patch_adds_and_removes_members_with_a_value_filter(scim, members):
    group = _group(scim, members=[members[0]])
    url = f"/Groups/{group['id']}"
    scim.patch(
        url,
        patch_payload(
            {
                "op": "add",
                "path": "members",
                "value": [{"value": str(members[1].pk)}, {"value": str(members[2].pk)}],
            }
        ),
    )
    assert _member_ids(group["id"]) == [m.pk for m in members]

    response = scim.patch(
        url,
        patch_payload({"op": "remove", "path": f'members[value eq "{members[1].pk}"]'}),
    )

    assert response.status_code == 200
    assert _member_ids(group["id"]) == [members[0].pk, members[2].pk]


def test_patch_replace_display_name(scim):
    group = _group(scim)
    body = scim.patch(
        f"/Groups/{group['id']}",
        patch_payload({"op": "Replace", "path": "displayName", "value": "Sales EU"}),
    ).json()
    assert body["displayName"] == "Sales EU"
    assert Group.objects.get(pk=group["id"]).name == "Sales EU"


def test_put_replaces_the_members(scim, members):
    group = _group(scim, members=members[:2])
    response = scim.put(
        f"/Groups/{group['id']}",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Sales",
            "members": [{"value": str(members[2].pk)}, {"value": str(members[0].pk)}],
        },
    )
    assert response.status_code == 200
    assert _member_ids(group["id"]) == [members[0].pk, members[2].pk]


def test_delete(scim, members):
    group = _group(scim, members=members)
    assert scim.delete(f"/Groups/{group['id']}").status_code == 204
    assert not Group.objects.filter(pk=group["id"]).exists()


def test_an_unknown_member_is_an_invalid_value(scim):
    response = scim.post(
        "/Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "X",
            "members": [{"value": "999999"}],
        },
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not Group.objects.exists()


def test_every_change_goes_through_the_contract_services(scim, members):
    """Group→plan rules live in contracts.services: SCIM never bypasses it."""
    with (
        mock.patch(
            "contracts.services.group_members_add",
            wraps=__import__("contracts.services").services.group_members_add,
        ) as add,
        mock.patch(
            "contracts.services.group_members_remove",
            wraps=__import__("contracts.services").services.group_members_remove,
        ) as remove,
    ):
        group = _group(scim, members=[members[0]])
        scim.patch(
            f"/Groups/{group['id']}",
            patch_payload(
                {
                    "op": "add",
                    "path": "members",
                    "value": [{"value": str(members[1].pk)}],
                },
                {"op": "remove", "path": f'members[value eq "{members[0].pk}"]'},
            ),
        )
    assert [c.kwargs["memberships"] for c in add.call_args_list][-1] == [members[1]]
    assert [c.kwargs["memberships"] for c in remove.call_args_list] == [[members[0]]]
