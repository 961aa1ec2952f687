"""The members pages under real concurrency (PostgreSQL): however many
administrators click at once, a plan's seats are never exceeded."""

import re

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from contracts import services
from contracts.models import Seat
from tests.concurrency import postgresql_only, run_together
from tests.contracts.factories import ContractFactory, plan
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [postgresql_only, transactional_db]


def _organization_with_seats(professional):
    organization = OrganizationFactory()
    admins = [
        MembershipFactory(organization=organization, administrator=True).user
        for _ in range(4)
    ]
    contract = ContractFactory(seats={"professional": professional})
    services.contract_connect(
        organization=organization, contract=contract, actor=admins[0]
    )
    return organization, admins, contract


def _count(pattern, summary):
    match = re.search(pattern, summary)
    return int(match[1]) if match else 0


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_four_administrators_bulk_give_the_last_three_seats():
    """Each ticks five other members at the same moment: three get the plan,
    every other member is refused and told why."""
    organization, admins, contract = _organization_with_seats(3)
    url = reverse("contracts:member-bulk-plan", args=[organization.pk])
    batches = [
        [MembershipFactory(organization=organization).pk for _ in range(5)]
        for _ in admins
    ]
    clients = [_client(admin) for admin in admins]

    responses = run_together(
        [
            lambda client=client, batch=batch: client.post(
                url, {"bulk-plan": "professional", "bulk-members": batch}
            )
            for client, batch in zip(clients, batches, strict=True)
        ]
    )

    assert all(response.status_code == 302 for response in responses), responses
    assert Seat.objects.filter(contract=contract).count() == 3
    # Each administrator reads their own summary on the page they come back
    # to (the test client's captured contexts are shared between threads).
    summaries = [
        str(message)
        for client in clients
        for message in get_messages(client.get(responses[0].url).wsgi_request)
    ]
    assert len(summaries) == len(admins)
    given = sum(_count(r"(\d+) members? now ha", summary) for summary in summaries)
    assert given == 3, summaries
    refused = sum(_count(r"(\d+)(?: members?)? could not", s) for s in summaries)
    assert refused == 5 * len(admins) - 3, summaries
    assert all(
        summary.endswith(
            f"No Professional plan is left on contract {contract.reference}."
        )
        for summary in summaries
    ), summaries


def test_concurrent_autosaves_never_exceed_the_seats():
    """Twelve dropdown changes at once for twelve members, two seats left."""
    organization, admins, contract = _organization_with_seats(2)
    members = [MembershipFactory(organization=organization) for _ in range(12)]
    clients = [_client(admins[index % len(admins)]) for index in range(12)]

    responses = run_together(
        [
            lambda client=client, member=member: client.post(
                reverse("contracts:member-plan", args=[organization.pk, member.pk]),
                {"plan": "professional"},
                headers={"HX-Request": "true"},
            )
            for client, member in zip(clients, members, strict=True)
        ]
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 2 + [409] * 10
    assert (
        Seat.objects.filter(contract=contract, plan=plan("professional")).count() == 2
    )
