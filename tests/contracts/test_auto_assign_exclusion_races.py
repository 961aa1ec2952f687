"""Issue 10, point 2 under real concurrency (PostgreSQL): a take-back and an
automatic assignment at the same moment never leave the member both
excluded and holding a plan."""

from contracts import services
from contracts.entitlements import feature_use
from contracts.models import AutoAssignExclusion, Seat
from plans.models import Feature
from tests.concurrency import postgresql_only, run_together
from tests.contracts.factories import ContractFactory, plan
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [postgresql_only, transactional_db]


def test_a_take_back_racing_an_automatic_assignment_sticks():
    organization = OrganizationFactory()
    alice = MembershipFactory(organization=organization, administrator=True).user
    contract = ContractFactory(seats={"reader-plus": 10, "starter": 10})
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=alice
    )
    for _round in range(8):
        bob = MembershipFactory(organization=organization).user
        services.member_plan_set(
            organization=organization, user=bob, plan=plan("reader-plus"), actor=alice
        )
        run_together(
            [
                lambda bob=bob: services.member_plan_set(
                    organization=organization, user=bob, plan=plan("free"), actor=alice
                ),
                lambda bob=bob: feature_use(user=bob, feature=Feature.MORE_RESPONSES),
            ]
        )
        assert AutoAssignExclusion.objects.filter(user=bob).exists()
        assert not Seat.objects.filter(user=bob).exists()
