"""Issue 12, point 6, the admin: support sees groups (members read only, in
join order) and group plans (read only); deleting a group from the admin
goes through `services.group_delete`, freeing the seats it gave."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from contracts import services
from contracts.models import GroupPlan, Seat
from organizations.models import Group
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(
        UserFactory(email="support@example.com", is_staff=True, is_superuser=True)
    )
    return client


@pytest.fixture
def mapped(organization, admin_user):
    contract = ContractFactory(seats={"professional": 2})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    group = services.group_create(
        organization=organization,
        name="Research",
        actor=admin_user,
        memberships=[MembershipFactory(organization=organization) for _n in range(3)],
    )
    services.group_plan_set(group=group, plan=plan("professional"), actor=admin_user)
    return group


def test_support_sees_a_group_and_its_members_read_only(staff_client, mapped):
    url = reverse("admin:organizations_group_change", args=[mapped.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    first = mapped.group_members.order_by("joined_at", "pk").first()
    assert escape(str(first.membership)) in response.text
    assert 'name="name"' not in response.text
    assert staff_client.post(url, {"name": "Changed"}).status_code == 403
    assert staff_client.get(reverse("admin:organizations_group_add")).status_code == 403


def test_group_plans_are_read_only(staff_client, mapped):
    mapping = GroupPlan.objects.get(group=mapped)
    assert (
        staff_client.get(reverse("admin:contracts_groupplan_changelist")).status_code
        == 200
    )
    url = reverse("admin:contracts_groupplan_change", args=[mapping.pk])
    assert staff_client.post(url, {}).status_code == 403
    delete = reverse("admin:contracts_groupplan_delete", args=[mapping.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403


def test_deleting_a_group_in_the_admin_frees_its_seats(staff_client, mapped):
    assert Seat.objects.count() == 2
    url = reverse("admin:organizations_group_delete", args=[mapped.pk])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Group.objects.filter(pk=mapped.pk).exists()
    assert Seat.objects.count() == 0
