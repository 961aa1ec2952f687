"""Issue 11, point 6 under real concurrency (PostgreSQL, threads): seats
freed at the same moment go to as many different waiting members, never
one member twice, never more seats than the allotment."""

from django.db.models import Count
from django.utils import timezone

from contracts import services
from contracts.models import Seat, WaitlistEntry, WaitlistStatus
from plans.models import Feature
from tests.concurrency import postgresql_only, run_together
from tests.contracts.factories import ContractFactory, plan
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [postgresql_only, transactional_db]


def _world(*, seats: int, waiting: int):
    """A contract whose `seats` Reader+ seats are all held, with automatic
    assignment on and `waiting` members on its waitlist, oldest first."""
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, administrator=True).user
    contract = ContractFactory(seats={"reader-plus": seats})
    services.contract_connect(organization=organization, contract=contract, actor=admin)
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin
    )
    holders = []
    for _n in range(seats):
        holder = MembershipFactory(organization=organization, reader=True).user
        services.member_plan_set(
            organization=organization,
            user=holder,
            plan=plan("reader-plus"),
            actor=admin,
        )
        holders.append(holder)
    queue = []
    for _n in range(waiting):
        member = MembershipFactory(organization=organization, reader=True).user
        services.waitlist_join(
            organization=organization,
            user=member,
            feature=Feature.REPORTS_REAL_DATA,
        )
        queue.append(member)
    return organization, admin, contract, holders, queue


def _take_back_all(organization, admin, holders):
    """Each holder's plan taken back in a thread of its own, at once; each
    freed seat queues the fulfilment task at commit (run at once by the
    tests' immediate backend, in that thread)."""
    return run_together(
        [
            lambda holder=holder: services.member_plan_set(
                organization=organization,
                user=holder,
                plan=plan("free"),
                actor=admin,
            )
            for holder in holders
        ]
    )


def _assert_invariants(contract, queue, *, given):
    waiting_seats = Seat.objects.filter(contract=contract, user__in=queue)
    assert waiting_seats.count() == given
    assert Seat.objects.filter(contract=contract).count() == given
    assert not (
        waiting_seats.values("user").annotate(n=Count("pk")).filter(n__gt=1).exists()
    )
    answered = WaitlistEntry.objects.filter(
        contract=contract, status=WaitlistStatus.GIVEN
    )
    assert set(answered.values_list("user_id", flat=True)) == set(
        waiting_seats.values_list("user_id", flat=True)
    )


def test_two_seats_freed_at_once_go_to_two_different_waiting_members():
    for _round in range(5):
        organization, admin, contract, holders, queue = _world(seats=2, waiting=3)
        results = _take_back_all(organization, admin, holders)
        assert [r for r in results if isinstance(r, Exception)] == []
        _assert_invariants(contract, queue, given=2)
        # The two oldest, in the order they joined.
        assert set(
            Seat.objects.filter(contract=contract).values_list("user_id", flat=True)
        ) == {queue[0].pk, queue[1].pk}


def test_ten_seats_freed_at_once_for_a_hundred_waiting_give_exactly_ten():
    organization, admin, contract, holders, queue = _world(seats=10, waiting=100)
    results = _take_back_all(organization, admin, holders)
    assert [r for r in results if isinstance(r, Exception)] == []
    _assert_invariants(contract, queue, given=10)
    assert set(
        Seat.objects.filter(contract=contract).values_list("user_id", flat=True)
    ) == {member.pk for member in queue[:10]}
    assert (
        WaitlistEntry.objects.filter(
            contract=contract, status=WaitlistStatus.WAITING
        ).count()
        == 90
    )
    # The backstop finds nothing left to do.
    assert services.waitlist_sweep(now=timezone.now()) == 0
