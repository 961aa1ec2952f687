"""Issue 12, point 6: plans by group. Members of a group mapped to a plan
get it while seats last; the others wait in the order they joined the
group and get freed seats in that order; leaving frees a seat that came
through the group. Never an error state."""

import pytest
from django.core import mail

from contracts import services
from contracts.exceptions import ContractError
from contracts.models import (
    Event,
    EventKind,
    GroupPlan,
    Seat,
    SeatSource,
    WaitlistEntry,
    WaitlistStatus,
)
from contracts.services.seat_counter import seats_used_add
from tests.contracts.factories import ContractFactory, plan
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


def _members(organization, count):
    return [MembershipFactory(organization=organization) for _n in range(count)]


def _holders(contract, code="professional"):
    return set(
        Seat.objects.filter(contract=contract, plan__code=code).values_list(
            "user_id", flat=True
        )
    )


def _waiting(group):
    return list(
        WaitlistEntry.objects.filter(group=group, status=WaitlistStatus.WAITING)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )


def _map(group, admin_user, code="professional"):
    return services.group_plan_set(group=group, plan=plan(code), actor=admin_user)


class TestJoining:
    def test_joins_get_seats_in_join_order_and_the_rest_wait_in_order(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        members = _members(organization, 5)
        for membership in members:
            services.group_members_add(
                group=group, memberships=[membership], actor=admin_user
            )
        users = [m.user_id for m in members]
        assert _holders(contract) == set(users[:2])
        assert _waiting(group) == users[2:]
        seat = Seat.objects.get(user_id=users[0])
        assert seat.source == SeatSource.GROUP
        event = Event.objects.get(kind=EventKind.SEAT_ASSIGNED, member_id=users[0])
        assert event.source == SeatSource.GROUP
        assert event.detail == "Research"
        assert Event.objects.filter(kind=EventKind.GROUP_WAITING).count() == 3

    def test_mapping_gives_current_members_seats_in_join_order(
        self, contract, group, organization, admin_user
    ):
        members = _members(organization, 4)
        for membership in members:
            services.group_members_add(
                group=group, memberships=[membership], actor=admin_user
            )
        _map(group, admin_user)
        users = [m.user_id for m in members]
        assert _holders(contract) == set(users[:2])
        assert _waiting(group) == users[2:]
        assert Event.objects.filter(
            kind=EventKind.GROUP_PLAN_SET, detail="Research"
        ).exists()

    def test_freed_seats_go_to_waiting_members_in_join_order(
        self,
        contract,
        group,
        organization,
        admin_user,
        django_capture_on_commit_callbacks,
    ):
        _map(group, admin_user)
        members = _members(organization, 5)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        users = [m.user_id for m in members]
        with django_capture_on_commit_callbacks(execute=True):
            services.group_members_remove(
                group=group, memberships=[members[0]], actor=admin_user
            )
        assert _holders(contract) == {users[1], users[2]}
        assert _waiting(group) == users[3:]
        with django_capture_on_commit_callbacks(execute=True):
            services.member_plan_set(
                organization=organization,
                user=members[1].user,
                plan=plan("free"),
                actor=admin_user,
            )
        assert _holders(contract) == {users[2], users[3]}
        assert _waiting(group) == users[4:]

    def test_freed_seats_are_served_by_the_queued_task(
        self,
        contract,
        group,
        organization,
        admin_user,
        db_tasks,
        django_capture_on_commit_callbacks,
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            services.group_members_remove(
                group=group, memberships=[members[1]], actor=admin_user
            )
        assert members[2].user_id not in _holders(contract)
        assert db_tasks.run() >= 1
        assert _holders(contract) == {members[0].user_id, members[2].user_id}
        assert _waiting(group) == []

    def test_the_sweep_serves_what_a_lost_task_did_not(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        # Freed without the task running (no commit captured).
        seat = Seat.objects.get(user_id=members[0].user_id)
        seat.delete()
        seats_used_add(contract_id=seat.contract_id, plan_id=seat.plan_id, delta=-1)
        from django.utils import timezone

        assert services.group_waitlist_sweep(now=timezone.now()) == 1
        assert services.group_waitlist_sweep(now=timezone.now()) == 0
        assert members[2].user_id in _holders(contract)

    def test_a_plan_as_good_given_by_hand_is_kept_and_not_lowered(
        self, contract, group, organization, admin_user
    ):
        starter_group = services.group_create(
            organization=organization, name="Starters", actor=admin_user
        )
        _map(starter_group, admin_user, "starter")
        member = _members(organization, 1)[0]
        services.member_plan_set(
            organization=organization,
            user=member.user,
            plan=plan("professional"),
            actor=admin_user,
        )
        services.group_members_add(
            group=starter_group, memberships=[member], actor=admin_user
        )
        seat = Seat.objects.get(user=member.user)
        assert (seat.plan.code, seat.source) == ("professional", SeatSource.MANUAL)
        assert _waiting(starter_group) == []
        services.group_members_remove(
            group=starter_group, memberships=[member], actor=admin_user
        )
        assert Seat.objects.get(user=member.user).plan.code == "professional"

    def test_a_lower_plan_by_hand_is_raised_by_the_group(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        member = _members(organization, 1)[0]
        services.member_plan_set(
            organization=organization,
            user=member.user,
            plan=plan("starter"),
            actor=admin_user,
        )
        services.group_members_add(group=group, memberships=[member], actor=admin_user)
        seat = Seat.objects.get(user=member.user)
        assert (seat.plan.code, seat.source) == ("professional", SeatSource.GROUP)

    def test_suspended_members_get_nothing_and_do_not_wait(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.member_suspend(membership=members[0], actor=admin_user)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        assert _holders(contract) == {members[1].user_id, members[2].user_id}
        assert _waiting(group) == []

    def test_suspending_a_holder_gives_the_seat_to_the_next_in_line(
        self,
        contract,
        group,
        organization,
        admin_user,
        django_capture_on_commit_callbacks,
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            services.member_suspend(membership=members[0], actor=admin_user)
        assert _holders(contract) == {members[1].user_id, members[2].user_id}

    def test_mapping_needs_a_plan_of_the_contract(self, contract, group, admin_user):
        with pytest.raises(ContractError):
            services.group_plan_set(
                group=group, plan=plan("reader-plus"), actor=admin_user
            )
        assert not GroupPlan.objects.exists()


class TestLeaving:
    def test_leaving_frees_the_seat_with_the_impact_email(
        self,
        contract,
        group,
        organization,
        admin_user,
        django_capture_on_commit_callbacks,
    ):
        _map(group, admin_user)
        member = _members(organization, 1)[0]
        services.group_members_add(group=group, memberships=[member], actor=admin_user)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.group_members_remove(
                group=group, memberships=[member], actor=admin_user
            )
        assert not Seat.objects.filter(user=member.user).exists()
        assert [message.to for message in mail.outbox] == [[member.user.email]]
        assert Event.objects.filter(
            kind=EventKind.SEAT_RELEASED, member=member.user, source=SeatSource.GROUP
        ).exists()

    def test_a_seat_held_by_hand_stays_when_leaving(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        member = _members(organization, 1)[0]
        services.member_plan_set(
            organization=organization,
            user=member.user,
            plan=plan("professional"),
            actor=admin_user,
        )
        services.group_members_add(group=group, memberships=[member], actor=admin_user)
        services.group_members_remove(
            group=group, memberships=[member], actor=admin_user
        )
        assert Seat.objects.get(user=member.user).source == SeatSource.MANUAL

    def test_a_seat_held_through_another_group_stays(
        self, contract, group, organization, admin_user
    ):
        other = services.group_create(
            organization=organization, name="Lab", actor=admin_user
        )
        _map(group, admin_user)
        _map(other, admin_user)
        member = _members(organization, 1)[0]
        services.group_members_add(group=group, memberships=[member], actor=admin_user)
        services.group_members_add(group=other, memberships=[member], actor=admin_user)
        services.group_members_remove(
            group=group, memberships=[member], actor=admin_user
        )
        assert Seat.objects.get(user=member.user).plan.code == "professional"
        services.group_members_remove(
            group=other, memberships=[member], actor=admin_user
        )
        assert not Seat.objects.filter(user=member.user).exists()

    def test_leaving_a_better_group_falls_back_to_the_other_groups_plan(
        self, contract, group, organization, admin_user
    ):
        starters = services.group_create(
            organization=organization, name="Starters", actor=admin_user
        )
        _map(group, admin_user)
        _map(starters, admin_user, "starter")
        member = _members(organization, 1)[0]
        services.group_members_add(
            group=starters, memberships=[member], actor=admin_user
        )
        services.group_members_add(group=group, memberships=[member], actor=admin_user)
        assert Seat.objects.get(user=member.user).plan.code == "professional"
        services.group_members_remove(
            group=group, memberships=[member], actor=admin_user
        )
        seat = Seat.objects.get(user=member.user)
        assert (seat.plan.code, seat.source) == ("starter", SeatSource.GROUP)

    def test_a_waiting_member_who_leaves_stops_waiting(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        services.group_members_remove(
            group=group, memberships=[members[2]], actor=admin_user
        )
        assert _waiting(group) == []
        assert len(_holders(contract)) == 2

    def test_removing_the_mapping_frees_group_seats_and_ends_waiting(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.member_plan_set(
            organization=organization,
            user=members[0].user,
            plan=plan("professional"),
            actor=admin_user,
        )
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        assert _waiting(group) == [members[2].user_id]
        assert services.group_plan_remove(group=group, actor=admin_user)
        assert _holders(contract) == {members[0].user_id}
        assert _waiting(group) == []
        assert Event.objects.filter(kind=EventKind.GROUP_PLAN_REMOVED).count() == 1
        assert not services.group_plan_remove(group=group, actor=admin_user)

    def test_deleting_the_group_frees_its_seats(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        services.group_delete(group=group, actor=admin_user)
        assert _holders(contract) == set()
        assert not WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).exists()
        assert Event.objects.filter(kind=EventKind.GROUP_PLAN_REMOVED).count() == 1

    def test_changing_the_mapped_plan_moves_the_group_seats(
        self, contract, group, organization, admin_user
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        _map(group, admin_user, "starter")
        assert _holders(contract, "starter") == {m.user_id for m in members}
        assert _holders(contract) == set()
        assert _waiting(group) == []

    def test_replace_keeps_the_members_who_stay(
        self,
        contract,
        group,
        organization,
        admin_user,
        django_capture_on_commit_callbacks,
    ):
        _map(group, admin_user)
        members = _members(organization, 3)
        services.group_members_add(group=group, memberships=members, actor=admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            services.group_members_replace(
                group=group, memberships=[members[1], members[2]], actor=admin_user
            )
        assert _holders(contract) == {members[1].user_id, members[2].user_id}
        assert _waiting(group) == []


def test_feature_waitlist_is_unaffected_by_group_entries(
    contract, group, organization, admin_user
):
    from contracts.selectors.waitlist import waitlist_queue

    _map(group, admin_user)
    members = _members(organization, 3)
    services.group_members_add(group=group, memberships=members, actor=admin_user)
    assert list(waitlist_queue(contract=contract)) == []
    assert _waiting(group) == [members[2].user_id]


def test_a_mapping_left_on_a_disconnected_contract_gives_nothing(
    contract, group, organization, admin_user
):
    _map(group, admin_user)
    services.contract_disconnect(organization=organization, actor=admin_user)
    member = _members(organization, 1)[0]
    services.group_members_add(group=group, memberships=[member], actor=admin_user)
    assert not Seat.objects.filter(user=member.user).exists()
    assert _waiting(group) == []
    other = ContractFactory(seats={"professional": 1})
    services.contract_connect(
        organization=organization, contract=other, actor=admin_user
    )
    _map(group, admin_user)
    assert Seat.objects.get(user=member.user).contract == other
