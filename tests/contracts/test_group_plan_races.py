"""Issue 12, point 6 under real concurrency (PostgreSQL, threads): members
joining a mapped group at the same moment get its seats in the order they
joined, the others wait in that order, and seats freed at the same moment
go to the next of them in that order; never more seats than the allotment,
never an error."""

from contracts import services
from contracts.models import Seat, WaitlistEntry, WaitlistStatus
from organizations.models import GroupMember
from tests.concurrency import postgresql_only, run_together
from tests.contracts.factories import ContractFactory, plan
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [postgresql_only, transactional_db]


def _join_order(group):
    return list(
        GroupMember.objects.filter(group=group)
        .order_by("joined_at", "pk")
        .values_list("membership__user_id", flat=True)
    )


def _waiting(group):
    return list(
        WaitlistEntry.objects.filter(group=group, status=WaitlistStatus.WAITING)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )


def _holders(contract):
    return set(Seat.objects.filter(contract=contract).values_list("user_id", flat=True))


def test_thirty_joining_ten_seats_at_once_give_ten_seats_and_twenty_in_order():
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, administrator=True).user
    contract = ContractFactory(seats={"professional": 10})
    services.contract_connect(organization=organization, contract=contract, actor=admin)
    group = services.group_create(organization=organization, name="All", actor=admin)
    services.group_plan_set(group=group, plan=plan("professional"), actor=admin)
    members = [MembershipFactory(organization=organization) for _n in range(30)]

    results = run_together(
        [
            lambda membership=membership: services.group_members_add(
                group=group, memberships=[membership], actor=admin
            )
            for membership in members
        ]
    )

    assert all(
        result == [membership.pk]
        for result, membership in zip(results, members, strict=True)
    )
    order = _join_order(group)
    assert len(order) == 30
    assert Seat.objects.filter(contract=contract).count() == 10
    assert _holders(contract) == set(order[:10])
    assert _waiting(group) == order[10:]

    # Five holders leave at the same moment: the next five in join order
    # get their seats (each freed seat served at its commit, in its thread).
    leaving = order[:5]
    by_user = {membership.user_id: membership for membership in members}
    results = run_together(
        [
            lambda user_id=user_id: services.group_members_remove(
                group=group, memberships=[by_user[user_id]], actor=admin
            )
            for user_id in leaving
        ]
    )
    assert not [result for result in results if isinstance(result, Exception)]
    assert Seat.objects.filter(contract=contract).count() == 10
    assert _holders(contract) == set(order[5:15])
    assert _waiting(group) == order[15:]
