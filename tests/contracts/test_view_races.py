"""Connecting through the views at the same moment, on PostgreSQL."""

from django.test import Client
from django.urls import reverse

from contracts import services
from contracts.models import Contract
from tests.concurrency import postgresql_only, run_together
from tests.contracts.factories import ContractFactory
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [postgresql_only, transactional_db]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_two_administrators_connecting_two_contracts_at_once():
    """The organization ends up with one contract; the other administrator
    is told why theirs was not connected."""
    organization = OrganizationFactory(name="Acme")
    admins = [
        MembershipFactory(organization=organization, administrator=True).user
        for _ in range(2)
    ]
    contracts = [ContractFactory(managers=[admin]) for admin in admins]
    url = reverse("contracts:connect", args=[organization.pk])
    clients = [_client(admin) for admin in admins]

    responses = run_together(
        [
            lambda client=client, contract=contract: client.post(
                url, {"contract": contract.pk}
            )
            for client, contract in zip(clients, contracts, strict=True)
        ]
    )

    assert sorted(response.status_code for response in responses) == [302, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert "Acme" in refused.text and "contract" in refused.text
    assert Contract.objects.filter(organization=organization).count() == 1


def test_one_key_entered_by_two_organizations_at_once():
    manager = MembershipFactory().user
    contract = ContractFactory(managers=[manager])
    _key, plaintext = services.connection_key_generate(contract=contract, actor=manager)
    memberships = [MembershipFactory(administrator=True) for _ in range(2)]

    responses = run_together(
        [
            lambda membership=membership: _client(membership.user).post(
                reverse("contracts:connect-key", args=[membership.organization_id]),
                {"key": plaintext},
            )
            for membership in memberships
        ]
    )

    assert sorted(response.status_code for response in responses) == [302, 422]
    contract.refresh_from_db()
    assert contract.organization_id in {m.organization_id for m in memberships}
