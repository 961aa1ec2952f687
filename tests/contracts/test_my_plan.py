"""Issue 10, point 13: "My plan" on the home page says the plan, what it
includes, where it comes from and since when, and why each feature it
lacks is locked, before any click; in a fixed number of queries."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags

from contracts import services
from contracts.models import Event, EventKind, SeatSource
from plans.models import Feature
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# The home page's queries, whatever the number of organizations, seats,
# features and surveys: the session and its person, the organizations,
# the survey page (count and rows), then "My plan": the seat that sets the
# plan, the catalogue and its features, the contracts in force with their
# allotments, and on Free the last take-back; then the plan requests'
# panel: the contracts in force, the member's seats, requests and places
# on the waitlist there.
HOME_QUERIES = 14


def _my_plan(client) -> str:
    """The text of the "My plan" panel, spaces collapsed."""
    page = client.get(reverse("home"))
    assert page.status_code == 200
    panel = page.text.split('aria-labelledby="my-plan-title"')[1].split("</section>")[0]
    return re.sub(r"\s+", " ", strip_tags(panel))


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def _locked(text: str) -> str:
    return text.split("Not in your plan")[1]


@pytest.fixture
def alice(organization):
    return MembershipFactory(
        organization=organization, administrator=True, user__full_name="Alice Martin"
    ).user


@pytest.fixture
def contract(organization, alice):
    contract = ContractFactory(
        reference="ACME-2027", seats={"professional": 3, "reader-plus": 2}
    )
    services.contract_connect(organization=organization, contract=contract, actor=alice)
    return contract


@pytest.fixture
def bob(organization):
    return MembershipFactory(organization=organization, user__full_name="Bob Bernard")


def test_free_by_default_every_feature_locked_with_whom_to_ask(
    user_client, bob, organization
):
    text = _my_plan(user_client(bob.user))
    assert "Plan Free" in text
    assert "Free by default: you hold no seat on a contract in force." in text
    assert "Up to 100 responses per survey" in text
    locked = _locked(text)
    for feature in Feature:
        assert str(feature.label) in locked
    assert text.count("Not in your plan, Free") == 1
    assert (
        "Reading reports with real data It comes with Reader+, Starter, "
        "Professional: ask an administrator of Acme."
    ) in locked
    assert "Custom branding It comes with Professional: ask an" in locked
    assert "member page" not in text


def test_a_plan_given_by_hand_says_by_whom_and_since_when(
    user_client, bob, organization, contract, alice
):
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )
    seat = bob.user.seats.get()
    text = _my_plan(user_client(bob.user))
    assert "Plan Professional" in text
    assert "From contract ACME-2027 of Acme, given by hand by Alice Martin." in text
    assert f"Since {_day(seat.assigned_at)}" in text
    assert "Unlimited responses per survey" in text
    for feature in Feature:
        assert str(feature.label) in text
    assert "Not in your plan" not in text


def test_a_plan_given_automatically_names_the_feature_and_locks_the_rest(
    user_client, bob, organization, contract, alice
):
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=alice
    )
    SeatFactory(
        contract=contract,
        user=bob.user,
        plan=plan("reader-plus"),
        source=SeatSource.AUTOMATIC,
        feature=Feature.REPORTS_REAL_DATA,
    )
    text = _my_plan(user_client(bob.user))
    assert "Plan Reader+" in text
    assert (
        "From contract ACME-2027 of Acme, given automatically when you used "
        "“Reading reports with real data”."
    ) in text
    locked = _locked(text)
    assert "Reading reports with real data" not in locked
    # Automatic assignment is on and the contract has Professional seats.
    assert (
        locked.count("the first time you use it, Acme gives you the Professional") == 3
    )


def test_automatic_assignment_offers_the_cheapest_plan_of_the_contract(
    user_client, bob, organization, contract, alice
):
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=alice
    )
    locked = _locked(_my_plan(user_client(bob.user)))
    assert (
        "Reading reports with real data It comes automatically: the first time "
        "you use it, Acme gives you the Reader+ plan, while seats are left."
    ) in locked
    assert (
        "Exporting reports It comes automatically: the first time you use it, "
        "Acme gives you the Professional plan"
    ) in locked


def test_a_member_taken_out_of_automatic_assignment_is_told_to_ask(
    user_client, bob, organization, contract, alice
):
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=alice
    )
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("free"), actor=alice
    )
    text = _my_plan(user_client(bob.user))
    assert "automatically" not in _locked(text)
    assert "ask an administrator of Acme." in text


def test_free_since_the_plan_was_taken_back(
    user_client, bob, organization, contract, alice
):
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("professional"), actor=alice
    )
    taken_back = timezone.now() - datetime.timedelta(days=40)
    bob.user.date_joined = taken_back - datetime.timedelta(days=400)
    bob.user.save()
    services.member_plan_set(
        organization=organization, user=bob.user, plan=plan("free"), actor=alice
    )
    Event.objects.filter(kind=EventKind.SEAT_RELEASED).update(created_at=taken_back)
    text = _my_plan(user_client(bob.user))
    assert f"Since {_day(taken_back)}" in text


def test_an_administrator_gets_a_link_to_their_member_page_not_ask(
    user_client, alice, organization, contract
):
    page = user_client(alice).get(reverse("home"))
    membership = alice.memberships.get()
    text = _my_plan(user_client(alice))
    assert "As an administrator of Acme, give yourself one of these plans" in text
    assert "ask an administrator" not in text
    assert f'href="{membership.get_absolute_url()}">Open my member page' in page.text


def test_without_an_organization_plans_come_from_one(user_client, outsider):
    text = _my_plan(user_client(outsider))
    assert "Plan Free" in text
    assert "which an organization’s administrators give to its members." in text


def test_the_plan_shown_is_the_effective_one_the_best_seat_in_force(
    user_client, bob, organization
):
    SeatFactory(user=bob.user, plan=plan("starter"))
    SeatFactory(
        user=bob.user,
        plan=plan("professional"),
        contract=ContractFactory(
            ends_on=timezone.localdate() - datetime.timedelta(days=1)
        ),
    )
    assert "Plan Starter" in _my_plan(user_client(bob.user))


@pytest.mark.parametrize("organizations", [1, 6])
def test_the_query_count_does_not_grow(
    user_client, organizations, django_assert_max_num_queries
):
    """One organization or six, each with a contract in force with
    automatic assignment on; Free (with a take-back to look up) or not."""
    member = MembershipFactory(administrator=True).user
    for index in range(organizations):
        organization = (
            member.memberships.first().organization
            if index == 0
            else MembershipFactory(user=member).organization
        )
        contract = ContractFactory(seats={"starter": 2, "professional": 2})
        services.contract_connect(
            organization=organization, contract=contract, actor=member
        )
        services.contract_set_auto_assign(
            organization=organization, enabled=True, actor=member
        )
    client = user_client(member)
    with django_assert_max_num_queries(HOME_QUERIES):
        client.get(reverse("home"))
    SeatFactory(user=member, plan=plan("reader-plus"))
    with django_assert_max_num_queries(HOME_QUERIES):
        client.get(reverse("home"))
