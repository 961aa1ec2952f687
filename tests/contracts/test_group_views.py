"""Issue 12, point 6, the pages: the Groups page, a group's page (members,
rename, plan, delete with the impact), "Add to group" and the group filter
on the Members page, "Suspended" marked, and the contract page's counts.
Administrators only; 404 for everyone else."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services
from contracts.models import GroupPlan, Seat, WaitlistEntry, WaitlistStatus
from organizations.models import Group, GroupMember
from tests.contracts.factories import ContractFactory, plan
from tests.markers import ARRAYS_IN_ONE_QUERY
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(organization, admin_user):
    contract = ContractFactory(seats={"professional": 2, "starter": 5})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    return contract


@pytest.fixture
def group(organization, admin_user):
    return services.group_create(
        organization=organization, name="Research", actor=admin_user
    )


def _url(name, organization, group=None):
    kwargs = {"organization_id": organization.pk}
    if group is not None:
        kwargs["group_id"] = group.pk
    return reverse(f"contracts:{name}", kwargs=kwargs)


def _members(organization, count, **traits):
    return [
        MembershipFactory(organization=organization, **traits) for _n in range(count)
    ]


class TestAccess:
    @pytest.mark.parametrize(
        "name", ["group-list", "group-detail", "group-delete"], ids=str
    )
    def test_others_get_404(self, name, organization, group, user_client, outsider):
        reader = MembershipFactory(organization=organization, reader=True)
        other_admin = MembershipFactory(administrator=True)
        url = _url(name, organization, group if name != "group-list" else None)
        assert user_client(reader.user).get(url).status_code == 404
        assert user_client(outsider).get(url).status_code == 404
        assert user_client(other_admin.user).get(url).status_code == 404

    def test_another_organizations_group_is_404(
        self, organization, admin_client, admin_user
    ):
        other = MembershipFactory(administrator=True).organization
        foreign = services.group_create(organization=other, name="X", actor=None)
        url = _url("group-detail", organization, foreign)
        assert admin_client.get(url).status_code == 404
        assert (
            admin_client.post(_url("group-delete", organization, foreign)).status_code
            == 404
        )
        assert Group.objects.filter(pk=foreign.pk).exists()


class TestGroupPages:
    def test_create_lists_with_count_and_mapping(
        self, admin_client, organization, contract, admin_user
    ):
        response = admin_client.post(_url("group-list", organization), {"name": "Lab"})
        assert response.status_code == 302
        group = Group.objects.get(name="Lab")
        services.group_members_add(
            group=group, memberships=_members(organization, 3), actor=admin_user
        )
        services.group_plan_set(group=group, plan=plan("starter"), actor=admin_user)
        page = admin_client.get(_url("group-list", organization))
        assert page.status_code == 200
        assert page.context["groups"][0].member_count == 3
        assert "Starter" in page.text

    def test_a_duplicate_name_is_refused_on_the_page(
        self, admin_client, organization, group
    ):
        response = admin_client.post(
            _url("group-list", organization), {"name": "Research"}
        )
        assert response.status_code == 422
        assert "already has a group with this name" in response.text

    def test_rename(self, admin_client, organization, group):
        response = admin_client.post(
            _url("group-rename", organization, group), {"name": "Science"}
        )
        assert response.status_code == 302
        group.refresh_from_db()
        assert group.name == "Science"

    def test_map_shows_seats_left_and_who_would_wait_then_gives_seats(
        self, admin_client, organization, contract, group, admin_user
    ):
        members = _members(organization, 3)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        page = admin_client.get(_url("group-detail", organization, group))
        assert "Professional: 2 seats left, 1 would wait" in page.text
        response = admin_client.post(
            _url("group-plan", organization, group), {"plan": "professional"}
        )
        assert response.status_code == 302
        assert GroupPlan.objects.get(group=group).plan.code == "professional"
        assert Seat.objects.filter(contract=contract).count() == 2
        page = admin_client.get(_url("group-detail", organization, group))
        assert "Waiting for a seat" in page.text

    def test_a_plan_outside_the_contract_is_refused(
        self, admin_client, organization, contract, group
    ):
        response = admin_client.post(
            _url("group-plan", organization, group), {"plan": "reader-plus"}
        )
        assert response.status_code == 422
        assert not GroupPlan.objects.exists()

    def test_removing_a_member_shows_the_impact_then_frees_the_seat(
        self,
        admin_client,
        organization,
        contract,
        group,
        admin_user,
        django_capture_on_commit_callbacks,
    ):
        member = _members(organization, 1)[0]
        services.group_plan_set(
            group=group, plan=plan("professional"), actor=admin_user
        )
        services.group_members_add(group=group, memberships=[member], actor=admin_user)
        url = _url("group-member-remove", organization, group)
        preview = admin_client.post(url, {"member": member.pk})
        assert preview.status_code == 200
        assert "1 member loses a plan" in preview.text
        assert member.user.display_name in preview.text
        assert GroupMember.objects.filter(group=group).exists()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            done = admin_client.post(url, {"member": member.pk, "confirmed": "1"})
        assert done.status_code == 302
        assert not Seat.objects.filter(user=member.user).exists()
        assert [message.to for message in mail.outbox] == [[member.user.email]]

    def test_removing_a_member_who_loses_nothing_needs_no_confirmation(
        self, admin_client, organization, group, admin_user
    ):
        member = _members(organization, 1)[0]
        services.group_members_add(group=group, memberships=[member], actor=admin_user)
        response = admin_client.post(
            _url("group-member-remove", organization, group), {"member": member.pk}
        )
        assert response.status_code == 302
        assert not GroupMember.objects.filter(group=group).exists()

    def test_delete_confirms_with_who_loses_a_plan(
        self, admin_client, organization, contract, group, admin_user
    ):
        members = _members(organization, 3)
        services.group_plan_set(
            group=group, plan=plan("professional"), actor=admin_user
        )
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        confirm = admin_client.get(_url("group-delete", organization, group))
        assert "2 members lose a plan" in confirm.text
        response = admin_client.post(_url("group-delete", organization, group))
        assert response.status_code == 302
        assert not Group.objects.filter(pk=group.pk).exists()
        assert not Seat.objects.filter(contract=contract).exists()

    def test_unmapping_confirms_then_frees(
        self, admin_client, organization, contract, group, admin_user
    ):
        members = _members(organization, 1)
        services.group_plan_set(
            group=group, plan=plan("professional"), actor=admin_user
        )
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        url = _url("group-plan", organization, group)
        confirm = admin_client.post(url, {"plan": ""})
        assert confirm.status_code == 200
        assert "1 member loses a plan" in confirm.text
        assert GroupPlan.objects.exists()
        assert admin_client.post(url, {"plan": "", "confirmed": "1"}).status_code == 302
        assert not GroupPlan.objects.exists()
        assert not Seat.objects.filter(contract=contract).exists()


class TestMembersPage:
    def test_add_to_group_from_the_selection_in_list_order(
        self, admin_client, organization, contract, group, admin_user
    ):
        services.group_plan_set(
            group=group, plan=plan("professional"), actor=admin_user
        )
        members = _members(organization, 3)
        response = admin_client.post(
            _url("member-bulk-group", organization),
            {"bulk-members": [m.pk for m in members], "bulk-group": group.pk},
        )
        assert response.status_code == 302
        assert GroupMember.objects.filter(group=group).count() == 3
        assert Seat.objects.filter(contract=contract).count() == 2
        assert (
            WaitlistEntry.objects.filter(
                group=group, status=WaitlistStatus.WAITING
            ).count()
            == 1
        )

    def test_add_to_another_organizations_group_is_404(
        self, admin_client, organization, contract
    ):
        other = MembershipFactory(administrator=True).organization
        foreign = services.group_create(organization=other, name="X", actor=None)
        member = _members(organization, 1)[0]
        response = admin_client.post(
            _url("member-bulk-group", organization),
            {"bulk-members": [member.pk], "bulk-group": foreign.pk},
        )
        assert response.status_code == 404
        assert not GroupMember.objects.exists()

    def test_the_page_offers_groups_and_add_to_group(
        self, admin_client, organization, contract, group
    ):
        _members(organization, 2)
        page = admin_client.get(_url("member-list", organization))
        assert 'id="member-group-filter"' in page.text
        assert "Add to group" in page.text
        assert _url("group-list", organization) in page.text

    def test_group_filter_lists_only_its_members(
        self, admin_client, organization, contract, group, admin_user
    ):
        inside, _outside = _members(organization, 2)
        services.group_members_add(group=group, memberships=[inside], actor=admin_user)
        page = admin_client.get(
            _url("member-list", organization) + f"?group={group.pk}"
        )
        emails = {m.user.email for m in page.context["page"].object_list}
        assert emails == {inside.user.email}
        # A group of no one's, or not a number: ignored, like an unknown plan.
        page = admin_client.get(_url("member-list", organization) + "?group=x")
        assert page.status_code == 200
        assert len(page.context["page"].object_list) == 3

    def test_query_count_is_constant_with_a_group_filter(
        self,
        admin_client,
        organization,
        contract,
        group,
        admin_user,
        django_assert_num_queries,
    ):
        url = _url("member-list", organization) + f"?group={group.pk}"
        services.group_members_add(
            group=group, memberships=_members(organization, 3), actor=admin_user
        )
        admin_client.get(url)
        with CaptureQueriesContext(connection) as small:
            admin_client.get(url)
        services.group_members_add(
            group=group, memberships=_members(organization, 30), actor=admin_user
        )
        with django_assert_num_queries(len(small)):
            response = admin_client.get(url)
        assert len(response.context["page"].object_list) == 33
        assert len(small) <= (8 if ARRAYS_IN_ONE_QUERY else 9)

    def test_the_groups_come_with_the_membership_by_name(
        self, admin_client, organization, contract, group, admin_user
    ):
        """The group filter's choices, read in the membership's query: every
        group of the organization, by name, and none of another's."""
        services.group_create(organization=organization, name="Alpha", actor=admin_user)
        other = MembershipFactory().organization
        services.group_create(organization=other, name="Elsewhere", actor=admin_user)
        page = admin_client.get(
            _url("member-list", organization) + f"?group={group.pk}"
        )
        groups = page.context["groups"]
        assert [g.name for g in groups] == ["Alpha", "Research"]
        assert page.context["group_filter"] == group
        assert f'<option value="{group.pk}" selected>Research</option>' in page.text

    def test_suspended_members_are_marked(
        self, admin_client, organization, contract, admin_user
    ):
        member = _members(organization, 1)[0]
        services.member_suspend(membership=member, actor=admin_user)
        page = admin_client.get(_url("member-list", organization))
        assert "Suspended" in page.text
        detail = admin_client.get(member.get_absolute_url())
        assert "Suspended" in detail.text


def test_the_contract_page_shows_each_mapping_with_its_counts(
    admin_client, organization, contract, group, admin_user
):
    members = _members(organization, 5)
    services.member_plan_set(
        organization=organization,
        user=members[0].user,
        plan=plan("professional"),
        actor=admin_user,
    )
    services.group_members_add(group=group, memberships=members, actor=admin_user)
    services.group_plan_set(group=group, plan=plan("professional"), actor=admin_user)
    page = admin_client.get(_url("organization-contract", organization))
    (row,) = page.context["group_plans"]
    assert (row.members, row.holding, row.waiting) == (5, 1, 3)
    assert "Plans by group" in page.text
    assert "Research" in page.text


def test_the_history_says_what_the_group_did(
    admin_client, organization, contract, group, admin_user
):
    members = _members(organization, 3)
    services.group_plan_set(group=group, plan=plan("professional"), actor=admin_user)
    services.group_members_add(group=group, memberships=members, actor=admin_user)
    services.group_members_remove(
        group=group, memberships=[members[0]], actor=admin_user
    )
    services.group_plan_remove(group=group, actor=admin_user)
    text = admin_client.get(_url("organization-contract", organization)).text
    name = members[0].user.display_name
    assert f"{name} got the Professional plan through the group “Research”" in text
    assert "waits for a seat through the group “Research”" in text
    assert "mapped the group “Research” to the Professional plan" in text
    assert "stopped giving the Professional plan to the group “Research”" in text
    assert "given through a group, was taken back" in text


def test_a_waiting_member_given_the_plan_by_hand_no_longer_counts_as_waiting(
    admin_client, organization, contract, group, admin_user
):
    members = _members(organization, 3)
    services.group_plan_set(group=group, plan=plan("professional"), actor=admin_user)
    services.group_members_add(group=group, memberships=members, actor=admin_user)
    services.member_plan_set(
        organization=organization,
        user=members[0].user,
        plan=plan("free"),
        actor=admin_user,
    )
    # The seat freed goes to the next in line only once the change commits:
    # here the administrator gives it by hand to the one waiting first.
    services.member_plan_set(
        organization=organization,
        user=members[2].user,
        plan=plan("professional"),
        actor=admin_user,
    )
    page = admin_client.get(_url("organization-contract", organization))
    (row,) = page.context["group_plans"]
    assert (row.members, row.holding, row.waiting) == (3, 1, 0)


def test_add_to_group_with_htmx_reloads_the_list_as_it_was(
    admin_client, organization, contract, group
):
    members = _members(organization, 2)
    url = _url("member-bulk-group", organization) + "?q=example&sort=-plan"
    response = admin_client.post(
        url,
        {"bulk-members": [m.pk for m in members], "bulk-group": group.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == (
        _url("member-list", organization) + "?q=example&sort=-plan"
    )
    assert GroupMember.objects.filter(group=group).count() == 2


def test_add_to_group_without_a_group_says_so(admin_client, organization, contract):
    member = _members(organization, 1)[0]
    response = admin_client.post(
        _url("member-bulk-group", organization),
        {"bulk-members": [member.pk]},
        follow=True,
    )
    assert "Choose the group to add them to." in response.text
    assert not GroupMember.objects.exists()


def test_the_group_page_marks_suspended_members(
    admin_client, organization, contract, group, admin_user
):
    member = _members(organization, 1)[0]
    services.group_members_add(group=group, memberships=[member], actor=admin_user)
    services.member_suspend(membership=member, actor=admin_user)
    page = admin_client.get(_url("group-detail", organization, group))
    assert "Suspended" in page.text
