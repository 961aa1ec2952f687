"""Connecting through the views at the same moment, on PostgreSQL."""

from unittest import mock

from django.test import Client
from django.urls import reverse

from contracts import keys, services
from contracts.models import Contract, Event, EventKind, KeyAttempt
from tests.concurrency import postgresql_only, run_together
from tests.contracts.factories import ContractFactory
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [postgresql_only, transactional_db]

HTMX = {"HX-Request": "true"}
THROTTLED = (
    "Too many wrong connection keys in a short time. Wait 15 minutes, then try again."
)


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


def test_twelve_wrong_keys_at_once_are_checked_five_times_and_refused_with_429():
    """One administrator sends 12 well-formed wrong keys to one organization
    at the same instant: exactly 5 are checked (and refused as wrong); the
    other 7 are answered 429 before their key is looked at. Every attempt
    stays in the history."""
    membership = MembershipFactory(administrator=True)
    organization = membership.organization
    url = reverse("contracts:connect-key", args=[organization.pk])
    clients = [_client(membership.user) for _ in range(12)]
    wrong_keys = [keys.key_generate() for _ in range(12)]
    checked = []
    digest = keys.key_digest

    def counted_digest(normalized):
        checked.append(normalized)
        return digest(normalized)

    with mock.patch.object(keys, "key_digest", counted_digest):
        responses = run_together(
            [
                # Half with htmx, half as plain posts: both get the 429.
                lambda client=client, key=key, index=index: client.post(
                    url, {"key": key}, headers=HTMX if index % 2 else {}
                )
                for index, (client, key) in enumerate(
                    zip(clients, wrong_keys, strict=True)
                )
            ]
        )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [422] * 5 + [429] * 7
    assert len(checked) == 5
    for response in responses:
        if response.status_code == 429:
            assert THROTTLED in response.text
    assert KeyAttempt.objects.filter(organization=organization).count() == 12
    # One line of history for the burst, whose last refusal was a 429.
    [line] = Event.objects.filter(
        kind=EventKind.KEY_REJECTED, organization=organization
    )
    assert line.attempts == 12
    assert line.detail.startswith("Too many")


def test_thirty_wrong_keys_at_once_by_six_administrators_are_checked_twenty_times():
    """Six administrators of one organization send five well-formed wrong
    keys each at the same instant: each stays under the limit per person,
    but the organization's limit lets exactly 20 be checked; the other 10
    are answered 429 with the organization's message."""
    organization = OrganizationFactory(name="Acme")
    admins = [
        MembershipFactory(organization=organization, administrator=True).user
        for _ in range(6)
    ]
    url = reverse("contracts:connect-key", args=[organization.pk])
    posts = [
        (_client(admin), keys.key_generate()) for admin in admins for _ in range(5)
    ]
    checked = []
    digest = keys.key_digest

    def counted_digest(normalized):
        checked.append(normalized)
        return digest(normalized)

    with mock.patch.object(keys, "key_digest", counted_digest):
        responses = run_together(
            [
                lambda client=client, key=key: client.post(url, {"key": key})
                for client, key in posts
            ]
        )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [422] * 20 + [429] * 10
    assert len(checked) == 20
    for response in responses:
        if response.status_code == 429:
            assert "entered for Acme in a short time" in response.text
    assert KeyAttempt.objects.filter(organization=organization).count() == 30
    lines = Event.objects.filter(kind=EventKind.KEY_REJECTED, organization=organization)
    assert sorted(line.attempts for line in lines) == [5] * 6


def test_wrong_keys_at_once_on_two_organizations_count_for_the_one_person():
    """The limit per person holds across organizations: 6 wrong keys sent
    at once to each of two organizations by one administrator of both are
    checked 5 times in all."""
    person = MembershipFactory(administrator=True).user
    organizations = [
        MembershipFactory(user=person, administrator=True).organization
        for _ in range(2)
    ]
    calls = []
    for organization in organizations:
        url = reverse("contracts:connect-key", args=[organization.pk])
        for _ in range(6):
            client, key = _client(person), keys.key_generate()
            calls.append(
                lambda client=client, url=url, key=key: client.post(url, {"key": key})
            )

    responses = run_together(calls)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [422] * 5 + [429] * 7
