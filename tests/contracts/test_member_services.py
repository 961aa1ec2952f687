"""The services and reads behind the members pages."""

import datetime

import pytest
from django.db.models import OuterRef
from django.utils import timezone

from contracts import services
from contracts.entitlements import effective_plan_id, effective_seats
from contracts.exceptions import NotAMember, SeatsExhausted
from contracts.models import Seat
from organizations.models import Membership
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(organization, admin_user):
    contract = ContractFactory(seats={"professional": 2})
    return services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )


class TestMemberPlanSetMany:
    def test_those_who_can_get_the_plan_keep_it(
        self, connected, organization, admin_user
    ):
        users = [MembershipFactory(organization=organization).user for _ in range(3)]
        stranger = MembershipFactory().user

        results = services.member_plan_set_many(
            organization=organization,
            users=[*users, stranger],
            plan=plan("professional"),
            actor=admin_user,
        )

        assert [type(error) for _user, error in results] == [
            type(None),
            type(None),
            SeatsExhausted,
            NotAMember,
        ]
        assert [user for user, _error in results] == [*users, stranger]
        assert set(Seat.objects.values_list("user", flat=True)) == {
            users[0].pk,
            users[1].pk,
        }

    def test_free_frees_every_seat(self, connected, organization, admin_user):
        users = [MembershipFactory(organization=organization).user for _ in range(2)]
        services.member_plan_set_many(
            organization=organization,
            users=users,
            plan=plan("professional"),
            actor=admin_user,
        )
        results = services.member_plan_set_many(
            organization=organization, users=users, plan=plan("free"), actor=admin_user
        )
        assert [error for _user, error in results] == [None, None]
        assert not Seat.objects.exists()


class TestEffectiveSeats:
    def test_the_best_plan_first_then_the_oldest_seat(self):
        member = MembershipFactory().user
        now = timezone.now()
        SeatFactory(user=member, plan=plan("reader-plus"), assigned_at=now)
        newer = SeatFactory(
            user=member,
            plan=plan("professional"),
            assigned_at=now,
        )
        older = SeatFactory(
            user=member,
            plan=plan("professional"),
            assigned_at=now - datetime.timedelta(days=1),
        )
        assert list(effective_seats(member.pk)) == [
            older,
            newer,
            Seat.objects.get(plan=plan("reader-plus")),
        ]

    def test_seats_of_ended_contracts_do_not_count(self):
        member = MembershipFactory().user
        ended = ContractFactory(
            starts_on=timezone.localdate() - datetime.timedelta(days=60),
            ends_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        SeatFactory(user=member, contract=ended)
        assert not effective_seats(member.pk).exists()

    def test_the_effective_plan_can_annotate_a_list(self, organization):
        holder = MembershipFactory(organization=organization)
        SeatFactory(user=holder.user, plan=plan("professional"))
        MembershipFactory(organization=organization)
        plans = dict(
            Membership.objects.filter(organization=organization)
            .annotate(plan_id=effective_plan_id(OuterRef("user_id")))
            .values_list("user_id", "plan_id")
        )
        assert plans[holder.user_id] == plan("professional").pk
        assert sorted(plans.values()) == sorted(
            [plan("professional").pk, plan("free").pk]
        )
