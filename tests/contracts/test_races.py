import threading

from django.db import connection, transaction

from contracts import services
from contracts.entitlements import feature_use
from contracts.exceptions import SeatsExhausted
from contracts.models import Contract, Seat, SeatSource
from plans.models import Feature
from tests.concurrency import postgresql_only, run_together
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [postgresql_only, transactional_db]


def test_fifty_administrators_take_the_last_five_seats():
    """Exactly five succeed; the others are refused cleanly."""
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, administrator=True).user
    contract = ContractFactory(seats={"professional": 10})
    services.contract_connect(organization=organization, contract=contract, actor=admin)
    SeatFactory.create_batch(5, contract=contract, plan=plan("professional"))
    members = [MembershipFactory(organization=organization).user for _ in range(50)]
    professional = plan("professional")

    results = run_together(
        [
            lambda member=member: services.member_plan_set(
                organization=organization, user=member, plan=professional, actor=admin
            )
            for member in members
        ]
    )

    assert Seat.objects.filter(contract=contract).count() == 10
    assert sum(isinstance(result, Seat) for result in results) == 5
    assert sum(isinstance(result, SeatsExhausted) for result in results) == 45


def test_concurrent_first_uses_never_exceed_the_seats():
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, administrator=True).user
    contract = ContractFactory(seats={"professional": 10})
    services.contract_connect(organization=organization, contract=contract, actor=admin)
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin
    )
    members = [MembershipFactory(organization=organization).user for _ in range(40)]

    results = run_together(
        [
            lambda member=member: feature_use(
                user=member, feature=Feature.REPORT_EXPORT
            )
            for member in members
        ]
    )

    assert all(not isinstance(result, Exception) for result in results), results
    assert sum(result.allowed for result in results) == 10
    assert Seat.objects.filter(contract=contract).count() == 10


def test_one_contract_connected_by_two_organizations_at_once():
    contract = ContractFactory()
    pairs = []
    for _ in range(2):
        organization = OrganizationFactory()
        admin = MembershipFactory(organization=organization, administrator=True).user
        pairs.append((organization, admin))

    results = run_together(
        [
            lambda organization=organization, admin=admin: services.contract_connect(
                organization=organization, contract=contract, actor=admin
            )
            for organization, admin in pairs
        ]
    )

    assert sum(isinstance(result, Contract) for result in results) == 1
    contract.refresh_from_db()
    assert contract.organization in {organization for organization, _ in pairs}


def test_a_locked_allotment_does_not_hold_up_other_contracts_of_the_plan():
    """While a transaction gives a Professional seat on one contract (and
    so holds that contract's allotment lock), another organization gives
    and takes back a Professional seat on its own contract without waiting.

    Locking the allotment once locked the catalogue's plan row as well:
    every seat of the plan, on any contract, queued behind it, and taking a
    plan back while the same member was given one deadlocked (seen by
    tests/proof/test_faults.py as a 500)."""
    professional = plan("professional")
    holding, done = threading.Event(), threading.Event()
    first, second = (ContractFactory(seats={"professional": 2}) for _ in range(2))
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, administrator=True).user
    member = MembershipFactory(organization=organization).user
    services.contract_connect(organization=organization, contract=second, actor=admin)

    def hold():
        with transaction.atomic():
            services.seat_put(
                contract=first,
                user=MembershipFactory().user,
                plan=professional,
                actor=None,
                source=SeatSource.SUPPORT,
            )
            holding.set()
            done.wait(timeout=10)

    def elsewhere():
        try:
            holding.wait(timeout=10)
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            for each in (professional, plan("free")):
                services.member_plan_set(
                    organization=organization, user=member, plan=each, actor=admin
                )
        finally:
            done.set()

    assert run_together([hold, elsewhere]) == [None, None]
    assert Seat.objects.filter(contract=first).count() == 1
    assert not Seat.objects.filter(contract=second).exists()
