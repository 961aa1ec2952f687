from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import User
from api.models import Scope
from api.services import api_token_create
from contracts import services as contract_services
from contracts.models import Contract, GroupPlan
from organizations.models import Group, Membership, Organization
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory


@dataclass
class Seeded:
    """Organization A (an administrator, a collaborator, a reader, more
    members; a connected contract of 2 professional and 5 starter seats,
    one of each in use; a group mapped to starter), and organization B with
    its administrator."""

    organization: Organization
    admin: Membership
    collaborator: Membership
    reader: Membership
    members: list[Membership]
    contract: Contract
    group: Group
    other_organization: Organization
    other_admin: Membership


def token_for(user: User, scope: str = Scope.WRITE, **kwargs) -> str:
    _token, plaintext = api_token_create(user=user, name="test", scope=scope, **kwargs)
    return plaintext


def api_client(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def seed() -> Seeded:
    admin = MembershipFactory(administrator=True, user__email="admin@a.test")
    organization = admin.organization
    collaborator = MembershipFactory(
        organization=organization, user__email="collaborator@a.test"
    )
    reader = MembershipFactory(
        organization=organization, reader=True, user__email="reader@a.test"
    )
    members = [
        MembershipFactory(organization=organization, user__email=f"m{i:02d}@a.test")
        for i in range(5)
    ]
    contract = ContractFactory(
        managers=[admin.user], seats={"professional": 2, "starter": 5}
    )
    contract_services.contract_connect(
        organization=organization, contract=contract, actor=admin.user
    )
    contract_services.member_plan_set(
        organization=organization,
        user=members[0].user,
        plan=plan("professional"),
        actor=admin.user,
    )
    contract_services.member_plan_set(
        organization=organization,
        user=members[1].user,
        plan=plan("starter"),
        actor=admin.user,
    )
    group = contract_services.group_create(
        organization=organization,
        name="Analysts",
        actor=admin.user,
        memberships=[members[2], members[3]],
    )
    GroupPlan.objects.get_or_create(
        group=group, defaults={"contract": contract, "plan": plan("starter")}
    )
    other_admin = MembershipFactory(administrator=True, user__email="admin@b.test")
    return Seeded(
        organization=organization,
        admin=admin,
        collaborator=collaborator,
        reader=reader,
        members=members,
        contract=contract,
        group=group,
        other_organization=other_admin.organization,
        other_admin=other_admin,
    )


@pytest.fixture
def seeded(db) -> Seeded:
    return seed()
