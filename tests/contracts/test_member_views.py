"""The organization's members pages: list (search, plan filter, bulk plan
change, CSV export), add, the member page (role and plan, saved on change),
remove; and who may see and do what."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contracts import services
from contracts.models import Event, EventKind, Seat, SeatSource
from organizations.models import Membership, Role
from plans.models import Feature
from tests.accounts.factories import UserFactory
from tests.contracts.factories import (
    ContractFactory,
    SeatFactory,
    plan,
    seats_bulk_create,
)
from tests.markers import ARRAYS_IN_ONE_QUERY
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def contract(db):
    return ContractFactory(
        reference="ACME-2027", seats={"professional": 3, "reader-plus": 1}
    )


@pytest.fixture
def connected(contract, organization, admin_user):
    return services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )


@pytest.fixture
def bob(organization):
    return MembershipFactory(
        organization=organization,
        user=UserFactory(email="bob@acme.example", full_name="Bob Bernard"),
    )


def _give(organization, membership, code, actor):
    return services.member_plan_set(
        organization=organization, user=membership.user, plan=plan(code), actor=actor
    )


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _gets(organization, member):
    org = organization.pk
    return [
        reverse("contracts:member-list", args=[org]),
        reverse("contracts:member-detail", args=[org, member.pk]),
    ]


def _admin_gets(organization, member):
    org = organization.pk
    return [
        reverse("contracts:member-export", args=[org]),
        reverse("contracts:member-remove", args=[org, member.pk]),
    ]


def _admin_posts(organization, member):
    org = organization.pk
    return [
        reverse("contracts:member-add", args=[org]),
        reverse("contracts:member-role", args=[org, member.pk]),
        reverse("contracts:member-plan", args=[org, member.pk]),
        reverse("contracts:member-bulk-plan", args=[org]),
        reverse("contracts:member-remove", args=[org, member.pk]),
    ]


def _post_data(member):
    return {
        "email": "x@example.test",
        "role": "reader",
        "plan": "professional",
        "bulk-plan": "professional",
        "bulk-members": [member.pk],
    }


class TestPermissions:
    def test_outsiders_get_404_everywhere(
        self, user_client, connected, organization, outsider
    ):
        member = MembershipFactory(organization=organization)
        client = user_client(outsider)
        for url in _gets(organization, member) + _admin_gets(organization, member):
            assert client.get(url).status_code == 404, url
        for url in _admin_posts(organization, member):
            assert client.post(url, _post_data(member)).status_code == 404, url
        assert Membership.objects.filter(pk=member.pk).exists()
        assert not Seat.objects.exists()

    def test_non_administrators_read_and_get_404_on_every_write(
        self, user_client, connected, organization
    ):
        reader = MembershipFactory(organization=organization, reader=True)
        target = MembershipFactory(organization=organization)
        client = user_client(reader.user)
        for url in _gets(organization, target):
            assert client.get(url).status_code == 200, url
        for url in _admin_gets(organization, target):
            assert client.get(url).status_code == 404, url
        for url in _admin_posts(organization, target):
            response = client.post(url, _post_data(target), headers=HTMX)
            assert response.status_code == 404, url
        target.refresh_from_db()
        assert target.role == Role.COLLABORATOR
        assert not Seat.objects.exists()
        assert not Membership.objects.filter(user__email="x@example.test").exists()

    def test_another_organizations_members_answer_404(
        self, admin_client, connected, organization
    ):
        foreign = MembershipFactory()
        org = organization.pk
        for url in [
            reverse("contracts:member-detail", args=[org, foreign.pk]),
            reverse("contracts:member-remove", args=[org, foreign.pk]),
        ]:
            assert admin_client.get(url).status_code == 404, url
        for url in [
            reverse("contracts:member-role", args=[org, foreign.pk]),
            reverse("contracts:member-plan", args=[org, foreign.pk]),
            reverse("contracts:member-remove", args=[org, foreign.pk]),
            reverse("contracts:member-bulk-plan", args=[org]),
        ]:
            assert admin_client.post(url, _post_data(foreign)).status_code == 404
        assert Membership.objects.filter(pk=foreign.pk).exists()
        assert not Seat.objects.exists()

    def test_a_bulk_change_naming_a_stranger_changes_nobody(
        self, admin_client, connected, organization, bob
    ):
        foreign = MembershipFactory()
        url = reverse("contracts:member-bulk-plan", args=[organization.pk])
        response = admin_client.post(
            url,
            {"bulk-plan": "professional", "bulk-members": [bob.pk, foreign.pk]},
        )
        assert response.status_code == 404
        assert not Seat.objects.exists()

    @pytest.mark.parametrize("pk", [str(2**63), "9" * 30, "9" * 5000, "-1", "1.5"])
    def test_a_bulk_change_naming_an_impossible_id_answers_404(
        self, admin_client, connected, organization, bob, pk
    ):
        url = reverse("contracts:member-bulk-plan", args=[organization.pk])
        response = admin_client.post(
            url, {"bulk-plan": "professional", "bulk-members": [bob.pk, pk]}
        )
        assert response.status_code == 404
        assert not Seat.objects.exists()

    def test_unknown_ids_answer_404(self, admin_client, organization):
        assert admin_client.get("/organizations/999999/members/").status_code == 404
        assert admin_client.get("/organizations/999999/members/1/").status_code == 404
        url = reverse("contracts:member-detail", args=[organization.pk, 999999])
        assert admin_client.get(url).status_code == 404
        url = reverse("contracts:member-plan", args=[organization.pk, 999999])
        assert admin_client.post(url, {"plan": "free"}).status_code == 404


class TestMemberList:
    def test_paginates_by_fifty(self, admin_client, organization):
        MembershipFactory.create_batch(50, organization=organization)
        url = reverse("contracts:member-list", args=[organization.pk])
        first = admin_client.get(url)
        assert first.context["page"].paginator.num_pages == 2
        assert len(first.context["page"].object_list) == 50
        second = admin_client.get(url, {"page": 2})
        assert len(second.context["page"].object_list) == 1

    def test_bad_page_numbers_show_a_page(self, admin_client, organization):
        url = reverse("contracts:member-list", args=[organization.pk])
        assert admin_client.get(url, {"page": "abc"}).status_code == 200
        assert admin_client.get(url, {"page": "9999"}).status_code == 200

    def test_search_by_name_or_email(self, admin_client, organization):
        MembershipFactory(
            organization=organization,
            user=UserFactory(email="zed@example.test", full_name="Zed Zulu"),
        )
        MembershipFactory(organization=organization, user=UserFactory(full_name="Yan"))
        url = reverse("contracts:member-list", args=[organization.pk])
        response = admin_client.get(url, {"q": "zulu"})
        emails = [m.user.email for m in response.context["page"].object_list]
        assert emails == ["zed@example.test"]

    def test_a_search_with_a_nul_byte_matches_nobody(self, admin_client, organization):
        """PostgreSQL refuses NUL bytes in text; the search answers, empty."""
        url = reverse("contracts:member-list", args=[organization.pk])
        response = admin_client.get(url, {"q": "a\x00"})
        assert response.status_code == 200
        assert "No member matches" in response.text
        export = reverse("contracts:member-export", args=[organization.pk])
        response = admin_client.get(export, {"q": "\x00"})
        assert len(b"".join(response.streaming_content).splitlines()) == 1

    def test_htmx_search_returns_only_the_results(self, admin_client, organization):
        url = reverse("contracts:member-list", args=[organization.pk])
        response = admin_client.get(
            url,
            {"q": "nobody-matches"},
            headers={"HX-Request": "true", "HX-Target": "member-results"},
        )
        # The fragment is what goes inside the results area, not the area.
        assert 'id="member-results"' not in response.text
        assert "<html" not in response.text
        assert "No member matches" in response.text

    def test_member_list_query_count_does_not_grow(
        self, admin_client, organization, django_assert_max_num_queries
    ):
        MembershipFactory.create_batch(60, organization=organization)
        url = reverse("contracts:member-list", args=[organization.pk])
        # The group filter's groups come with the membership, in its query.
        with django_assert_max_num_queries(8 if ARRAYS_IN_ONE_QUERY else 9):
            admin_client.get(url)


class TestMemberAdd:
    def test_adds_and_redirects(self, admin_client, organization):
        url = reverse("contracts:member-add", args=[organization.pk])
        response = admin_client.post(
            url, {"email": "new@example.test", "role": "reader"}
        )
        assert response.status_code == 302
        membership = Membership.objects.get(user__email="new@example.test")
        assert membership.role == Role.READER

    def test_htmx_add_redirects_the_client(self, admin_client, organization):
        url = reverse("contracts:member-add", args=[organization.pk])
        response = admin_client.post(
            url,
            {"email": "new@example.test", "role": "reader"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert response.headers["HX-Redirect"] == reverse(
            "contracts:member-list", args=[organization.pk]
        )

    def test_invalid_email_shows_the_field_error(self, admin_client, organization):
        url = reverse("contracts:member-add", args=[organization.pk])
        response = admin_client.post(
            url,
            {"email": "not-an-email", "role": "reader"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 422
        assert response.text.lstrip().startswith('<form id="member-add"')
        assert "Enter a valid email address." in response.text

    def test_unknown_role_is_refused(self, admin_client, organization):
        url = reverse("contracts:member-add", args=[organization.pk])
        response = admin_client.post(url, {"email": "a@example.test", "role": "owner"})
        assert response.status_code == 422
        assert not Membership.objects.filter(user__email="a@example.test").exists()

    def test_an_address_too_long_once_lowercased_gets_a_field_error(
        self, admin_client, organization
    ):
        email = "a" * 64 + "@" + "İ" * 63 + "." + "b" * 63 + "." + "c" * 53
        url = reverse("contracts:member-add", args=[organization.pk])
        response = admin_client.post(
            url, {"email": email + ".example", "role": "reader"}
        )
        assert response.status_code == 422
        assert "at most 254 characters" in response.text
        assert not User.objects.filter(email__startswith="a" * 64).exists()

    def test_existing_member_gets_a_clear_message(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("contracts:member-add", args=[organization.pk])
        response = admin_client.post(
            url, {"email": member.user.email, "role": "reader"}
        )
        assert response.status_code == 422
        assert "is already a member" in response.text


class TestMemberRole:
    def test_htmx_change_saves_and_says_so(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("contracts:member-role", args=[organization.pk, member.pk])
        response = admin_client.post(
            url, {"role": "reader"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<form id="role-form"')
        assert "Saved" in response.text
        member.refresh_from_db()
        assert member.role == Role.READER

    def test_same_post_twice_changes_nothing_more(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("contracts:member-role", args=[organization.pk, member.pk])
        for _ in range(2):
            response = admin_client.post(
                url, {"role": "reader"}, headers={"HX-Request": "true"}
            )
            assert response.status_code == 200
        member.refresh_from_db()
        assert member.role == Role.READER

    def test_demoting_the_last_administrator_puts_the_dropdown_back(
        self, admin_client, admin_membership, organization
    ):
        url = reverse(
            "contracts:member-role", args=[organization.pk, admin_membership.pk]
        )
        response = admin_client.post(
            url, {"role": "reader"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 409
        assert "needs at least one administrator" in response.text
        assert '<option value="administrator" selected>' in response.text
        admin_membership.refresh_from_db()
        assert admin_membership.role == Role.ADMINISTRATOR

    def test_plain_post_redirects_to_the_member(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("contracts:member-role", args=[organization.pk, member.pk])
        response = admin_client.post(url, {"role": "reader"})
        assert response.status_code == 302
        assert response.url == member.get_absolute_url()


class TestMemberRemove:
    def test_get_shows_the_confirmation_page(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("contracts:member-remove", args=[organization.pk, member.pk])
        response = admin_client.get(url)
        assert response.status_code == 200
        assert "Nothing they made is deleted." in response.text
        assert Membership.objects.filter(pk=member.pk).exists()

    def test_post_removes(self, admin_client, organization):
        member = MembershipFactory(organization=organization)
        url = reverse("contracts:member-remove", args=[organization.pk, member.pk])
        response = admin_client.post(url)
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=member.pk).exists()

    def test_the_last_administrator_cannot_leave(
        self, admin_client, admin_membership, organization
    ):
        url = reverse(
            "contracts:member-remove", args=[organization.pk, admin_membership.pk]
        )
        response = admin_client.post(url, follow=True)
        assert "needs at least one administrator" in response.text
        assert Membership.objects.filter(pk=admin_membership.pk).exists()

    def test_the_seat_goes_back_to_the_contract(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        url = reverse("contracts:member-remove", args=[organization.pk, bob.pk])
        confirm = admin_client.get(url)
        assert "Their Professional plan goes back to contract ACME-2027." in (
            confirm.text
        )
        response = admin_client.post(url, headers=HTMX)
        assert response.headers["HX-Redirect"] == reverse(
            "contracts:member-list", args=[organization.pk]
        )
        assert not Membership.objects.filter(pk=bob.pk).exists()
        assert not Seat.objects.filter(user=bob.user).exists()
        assert Event.objects.filter(
            kind=EventKind.SEAT_RELEASED, member=bob.user, actor=admin_user
        ).exists()


class TestMemberPlan:
    """Flow 3 (a plan by hand) and flow 5 (back to Free) on the member page."""

    def _url(self, organization, member):
        return reverse("contracts:member-plan", args=[organization.pk, member.pk])

    def test_the_dropdown_lists_free_and_the_contracts_plans_with_what_is_left(
        self, admin_client, connected, organization, bob
    ):
        SeatFactory(contract=connected, plan=plan("professional"))
        response = admin_client.get(bob.get_absolute_url())
        assert '<select name="plan" id="id_plan"' in response.text
        assert '<option value="free" selected>Free</option>' in response.text
        assert (
            '<option value="professional">Professional — 2 left</option>'
            in response.text
        )
        assert '<option value="reader-plus">Reader+ — 1 left</option>' in response.text
        assert 'value="starter"' not in response.text
        assert "Changes are saved automatically" in response.text
        assert "<noscript><button" in response.text

    def test_a_full_plan_is_disabled_except_for_the_member_who_holds_it(
        self, admin_client, connected, organization, admin_user, bob
    ):
        holder = MembershipFactory(organization=organization)
        _give(organization, holder, "reader-plus", admin_user)
        response = admin_client.get(bob.get_absolute_url())
        assert (
            '<option value="reader-plus" disabled>Reader+ — 0 left</option>'
            in response.text
        )
        response = admin_client.get(holder.get_absolute_url())
        assert (
            '<option value="reader-plus" selected>Reader+ — 0 left</option>'
            in response.text
        )

    def test_choosing_a_plan_saves_at_once_and_says_saved(
        self, admin_client, connected, organization, admin_user, bob
    ):
        response = admin_client.post(
            self._url(organization, bob), {"plan": "professional"}, headers=HTMX
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<div id="plan-panel">')
        assert "<html" not in response.text
        assert '<span class="saved">Saved</span>' in response.text
        assert (
            '<option value="professional" selected>Professional — 2 left</option>'
            in response.text
        )
        seat = Seat.objects.get(user=bob.user)
        assert (seat.contract, seat.plan, seat.source, seat.assigned_by) == (
            connected,
            plan("professional"),
            SeatSource.MANUAL,
            admin_user,
        )
        assert "From contract ACME-2027: given by hand on" in response.text

    def test_the_member_is_told_and_the_change_recorded(
        self,
        admin_client,
        connected,
        organization,
        admin_user,
        bob,
        django_capture_on_commit_callbacks,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                self._url(organization, bob), {"plan": "professional"}, headers=HTMX
            )
        assert [message.to for message in mail.outbox] == [[bob.user.email]]
        assert "You now have the Professional plan" in mail.outbox[0].body
        event = Event.objects.get(kind=EventKind.SEAT_ASSIGNED)
        assert (event.member, event.actor, event.plan, event.source) == (
            bob.user,
            admin_user,
            plan("professional"),
            SeatSource.MANUAL,
        )

    def test_the_same_post_twice_changes_nothing_more(
        self,
        admin_client,
        connected,
        organization,
        bob,
        django_capture_on_commit_callbacks,
    ):
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                response = admin_client.post(
                    self._url(organization, bob), {"plan": "professional"}, headers=HTMX
                )
            assert response.status_code == 200
        assert Seat.objects.filter(user=bob.user).count() == 1
        assert Event.objects.filter(member=bob.user).count() == 1
        assert len(mail.outbox) == 1

    def test_free_takes_the_plan_back_at_once(
        self,
        admin_client,
        connected,
        organization,
        admin_user,
        bob,
        django_capture_on_commit_callbacks,
    ):
        """Flow 5: until surveys exist nothing needs confirming, so Free
        applies directly."""
        _give(organization, bob, "professional", admin_user)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                self._url(organization, bob), {"plan": "free"}, headers=HTMX
            )
        assert response.status_code == 200
        assert '<span class="saved">Saved</span>' in response.text
        assert '<option value="free" selected>Free</option>' in response.text
        assert "Professional — 3 left" in response.text
        assert not Seat.objects.filter(user=bob.user).exists()
        event = Event.objects.get(kind=EventKind.SEAT_RELEASED)
        assert (event.member, event.actor, event.plan) == (
            bob.user,
            admin_user,
            plan("professional"),
        )
        assert [message.to for message in mail.outbox] == [[bob.user.email]]
        assert "was taken back" in mail.outbox[0].body

    def test_free_twice_changes_nothing_more(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        for _ in range(2):
            response = admin_client.post(
                self._url(organization, bob), {"plan": "free"}, headers=HTMX
            )
            assert response.status_code == 200
        assert Event.objects.filter(kind=EventKind.SEAT_RELEASED).count() == 1

    def test_a_plan_that_just_ran_out_puts_the_dropdown_back(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        # Someone else took the last Reader+ after the page was shown.
        _give(
            organization,
            MembershipFactory(organization=organization),
            "reader-plus",
            admin_user,
        )
        response = admin_client.post(
            self._url(organization, bob), {"plan": "reader-plus"}, headers=HTMX
        )
        assert response.status_code == 409
        assert "No Reader+ plan is left on contract ACME-2027." in response.text
        assert (
            '<option value="professional" selected>Professional — 2 left</option>'
            in response.text
        )
        assert Seat.objects.get(user=bob.user).plan == plan("professional")

    def test_a_plan_outside_the_contract_is_refused(
        self, admin_client, connected, organization, bob
    ):
        response = admin_client.post(
            self._url(organization, bob), {"plan": "starter"}, headers=HTMX
        )
        assert response.status_code == 409
        assert "Contract ACME-2027 has no Starter plan." in response.text
        assert '<option value="free" selected>Free</option>' in response.text
        assert not Seat.objects.exists()

    def test_an_unknown_plan_is_an_invalid_form(
        self, admin_client, connected, organization, bob
    ):
        response = admin_client.post(
            self._url(organization, bob), {"plan": "platinum"}, headers=HTMX
        )
        assert response.status_code == 422
        assert "Select a valid choice." in response.text
        assert not Seat.objects.exists()

    def test_a_contract_disconnected_meanwhile_makes_the_plan_read_only(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        services.contract_disconnect(organization=organization, actor=admin_user)
        response = admin_client.post(
            self._url(organization, bob), {"plan": "free"}, headers=HTMX
        )
        assert response.status_code == 409
        assert "Acme has no contract connected" in response.text
        assert "<select" not in response.text
        # The member keeps the plan shown.
        assert "<p>Professional</p>" in response.text
        assert "No contract is connected: plans cannot be changed here." in (
            response.text
        )
        assert Seat.objects.filter(user=bob.user).exists()

    def test_without_javascript_the_form_posts_and_comes_back(
        self, admin_client, connected, organization, bob
    ):
        response = admin_client.post(
            self._url(organization, bob), {"plan": "professional"}, follow=True
        )
        assert response.redirect_chain == [(bob.get_absolute_url(), 302)]
        assert "The plan has been changed." in response.text
        response = admin_client.post(
            self._url(organization, bob), {"plan": "starter"}, follow=True
        )
        assert "Contract ACME-2027 has no Starter plan." in response.text

    def test_other_members_see_the_plan_as_text(
        self, user_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        reader = MembershipFactory(organization=organization, reader=True)
        response = user_client(reader.user).get(bob.get_absolute_url())
        assert (
            "<select"
            not in response.text.split('id="plan-title"')[1].split("</section>")[0]
        )
        assert "<p>Professional</p>" in response.text

    def test_after_disconnection_the_plan_is_shown_and_cannot_be_changed(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        services.contract_disconnect(organization=organization, actor=admin_user)
        response = admin_client.get(bob.get_absolute_url())
        assert 'id="id_plan"' not in response.text
        assert "<p>Professional</p>" in response.text
        assert "No contract is connected: plans cannot be changed here." in (
            response.text
        )

    def test_a_contract_past_its_end_grants_nothing(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        connected.ends_on = timezone.localdate() - datetime.timedelta(days=1)
        connected.starts_on = connected.ends_on - datetime.timedelta(days=30)
        connected.save()
        response = admin_client.get(bob.get_absolute_url())
        assert 'id="id_plan"' not in response.text
        assert "<p>Free</p>" in response.text
        assert "Contract ACME-2027 ended on" in response.text
        response = admin_client.get(
            reverse("contracts:member-list", args=[organization.pk])
        )
        assert not any(
            member.effective_plan.code != "free"
            for member in response.context["page"].object_list
        )

    def test_a_contract_not_yet_started_cannot_give_plans_yet(
        self, admin_client, organization, admin_user, bob
    ):
        future = ContractFactory(
            starts_on=timezone.localdate() + datetime.timedelta(days=10),
            seats={"professional": 3},
        )
        services.contract_connect(
            organization=organization, contract=future, actor=admin_user
        )
        response = admin_client.get(bob.get_absolute_url())
        assert 'id="id_plan"' not in response.text
        assert f"Contract {future.reference} starts on" in response.text

    def test_a_better_plan_from_another_contract_is_mentioned(
        self, admin_client, connected, organization, bob
    ):
        SeatFactory(user=bob.user, plan=plan("professional"))
        response = admin_client.get(bob.get_absolute_url())
        assert '<option value="free" selected>Free</option>' in response.text
        assert "In effect: Professional, from another contract." in response.text

    def test_french(self, admin_client, connected, organization, bob):
        response = admin_client.post(
            self._url(organization, bob),
            {"plan": "professional"},
            headers={**HTMX, "Accept-Language": "fr"},
        )
        assert "Enregistré" in response.text
        assert "Gratuit" in response.text
        assert "Professionnel — 2 restants" in response.text


class TestMemberListPlans:
    def _url(self, organization):
        return reverse("contracts:member-list", args=[organization.pk])

    def test_each_member_shows_their_effective_plan(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        response = admin_client.get(self._url(organization))
        plans = {
            member.user.email: member.effective_plan.display_name
            for member in response.context["page"].object_list
        }
        assert plans == {admin_user.email: "Free", bob.user.email: "Professional"}
        row = response.text.split("bob@acme.example</td>")[1].split("</tr>")[0]
        # Administrators get the plan held on the contract in a dropdown.
        assert '<option value="professional" selected>' in row

    def test_filters_by_plan_with_search_and_pagination(
        self, admin_client, connected, organization
    ):
        for index in range(52):
            member = MembershipFactory(
                organization=organization,
                user=UserFactory(email=f"pro{index:02d}@acme.example"),
            )
            SeatFactory(contract=connected, plan=plan("professional"), user=member.user)
        MembershipFactory(
            organization=organization, user=UserFactory(email="pro-free@acme.example")
        )
        url = self._url(organization)

        response = admin_client.get(url, {"plan": "professional"})
        page = response.context["page"]
        assert page.paginator.count == 52
        assert 'href="?plan=professional&amp;page=2"' in response.text
        assert '<option value="professional" selected>' in response.text
        assert (
            len(
                admin_client.get(url, {"plan": "professional", "page": 2})
                .context["page"]
                .object_list
            )
            == 2
        )

        response = admin_client.get(url, {"plan": "free", "q": "pro"})
        emails = [m.user.email for m in response.context["page"].object_list]
        assert emails == ["pro-free@acme.example"]

        response = admin_client.get(url, {"plan": "professional", "q": "pro05"})
        emails = [m.user.email for m in response.context["page"].object_list]
        assert emails == ["pro05@acme.example"]

    def test_an_unknown_plan_filter_is_ignored(self, admin_client, organization, bob):
        response = admin_client.get(self._url(organization), {"plan": "platinum"})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 2

    def test_no_member_with_the_plan_says_so(
        self, admin_client, admin_user, organization
    ):
        # The filter offers the connected contract's plans only.
        services.contract_connect(
            organization=organization,
            contract=ContractFactory(seats={"starter": 2}),
            actor=admin_user,
        )
        response = admin_client.get(self._url(organization), {"plan": "starter"})
        assert "No member has the Starter plan." in response.text

    def test_htmx_filter_returns_only_the_results(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        response = admin_client.get(
            self._url(organization),
            {"plan": "professional"},
            headers={**HTMX, "HX-Target": "member-results"},
        )
        # The fragment is what goes inside the results area, not the area.
        assert 'id="member-results"' not in response.text
        assert "bob@acme.example" in response.text
        assert admin_user.email not in response.text
        # The export and the bulk form keep the filter.
        assert "/members/export/?plan=professional" in response.text
        assert "/members/plan/?plan=professional" in response.text

    def test_administrators_get_the_bulk_form_and_the_export(
        self, admin_client, connected, organization, bob
    ):
        response = admin_client.get(self._url(organization))
        assert '<form id="member-bulk"' in response.text
        assert (
            f'<input type="checkbox" form="member-bulk" name="bulk-members" '
            f'value="{bob.pk}"' in response.text
        )
        assert '<option value="professional">Professional — 3 left</option>' in (
            response.text
        )
        assert "Export as CSV" in response.text

    def test_other_members_get_neither(self, user_client, connected, organization):
        reader = MembershipFactory(organization=organization, reader=True)
        response = user_client(reader.user).get(self._url(organization))
        assert response.status_code == 200
        assert "member-bulk" not in response.text
        assert "Export as CSV" not in response.text
        # Readers sort the list too; the plans are text.
        assert 'id="sort-plan"' in response.text
        assert "Plan for " not in response.text

    def test_without_a_contract_plans_cannot_be_changed_here(
        self, admin_client, organization, bob
    ):
        response = admin_client.get(self._url(organization))
        assert "member-bulk" not in response.text
        assert "No contract is connected: plans cannot be changed here." in (
            response.text
        )


class TestMemberListPlanFilter:
    """The plan filter offers Free and the contract's plans only (issue 10,
    point 8), not the whole catalogue."""

    def _url(self, organization):
        return reverse("contracts:member-list", args=[organization.pk])

    def _options(self, response):
        select = response.text.split('id="member-plan-filter"')[1].split("</select>")[0]
        return re.findall(r'<option value="([^"]*)"', select)

    def test_connected_offers_free_and_the_contracts_plans_by_rank(
        self, admin_client, connected, organization
    ):
        response = admin_client.get(self._url(organization))
        assert self._options(response) == ["", "free", "reader-plus", "professional"]

    def test_members_who_are_not_administrators_get_the_same_options(
        self, user_client, connected, organization, bob
    ):
        response = user_client(bob.user).get(self._url(organization))
        assert self._options(response) == ["", "free", "reader-plus", "professional"]

    def test_without_any_contract_only_free_is_offered(
        self, admin_client, organization, bob
    ):
        # A seat from a contract never connected here is not this list's.
        SeatFactory(user=bob.user, plan=plan("professional"))
        response = admin_client.get(self._url(organization))
        assert self._options(response) == ["", "free"]

    def test_after_disconnecting_the_plans_still_held_are_offered(
        self, admin_client, admin_user, connected, organization, bob
    ):
        _give(organization, bob, "professional", admin_user)
        services.contract_disconnect(organization=organization, actor=admin_user)
        response = admin_client.get(self._url(organization))
        assert self._options(response) == ["", "free", "professional"]
        response = admin_client.get(self._url(organization), {"plan": "professional"})
        emails = [m.user.email for m in response.context["page"].object_list]
        assert emails == ["bob@acme.example"]

    def test_a_plan_not_offered_is_ignored(
        self, admin_client, admin_user, connected, organization, bob
    ):
        SeatFactory(user=bob.user, plan=plan("starter"))
        response = admin_client.get(self._url(organization), {"plan": "starter"})
        assert response.status_code == 200
        assert response.context["plan_filter"] is None
        assert response.context["page"].paginator.count == 2
        select = response.text.split('id="member-plan-filter"')[1]
        assert " selected>" not in select.split("</select>")[0]
        export = admin_client.get(
            reverse("contracts:member-export", args=[organization.pk]),
            {"plan": "starter"},
        )
        text = b"".join(export.streaming_content).decode("utf-8-sig")
        assert len(list(csv.reader(io.StringIO(text)))) == 3


class TestBulkPlan:
    def _url(self, organization, **query):
        url = reverse("contracts:member-bulk-plan", args=[organization.pk])
        if query:
            url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
        return url

    def _members(self, organization, count):
        return [MembershipFactory(organization=organization) for _ in range(count)]

    def test_gives_the_plan_to_every_ticked_member(
        self,
        admin_client,
        connected,
        organization,
        django_capture_on_commit_callbacks,
    ):
        members = self._members(organization, 3)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                self._url(organization),
                {
                    "bulk-plan": "professional",
                    "bulk-members": [m.pk for m in members],
                },
                follow=True,
            )
        assert response.redirect_chain == [
            (reverse("contracts:member-list", args=[organization.pk]), 302)
        ]
        assert _messages(response) == ["3 members now have Professional."]
        assert Seat.objects.filter(plan=plan("professional")).count() == 3
        assert Event.objects.filter(kind=EventKind.SEAT_ASSIGNED).count() == 3
        # Besides the low-seat alert of the last seat taken.
        changed = [m for m in mail.outbox if m.subject == "Your plan has changed"]
        assert sorted(message.to[0] for message in changed) == sorted(
            m.user.email for m in members
        )

    def test_sums_up_those_who_could_not(self, admin_client, connected, organization):
        members = self._members(organization, 5)
        response = admin_client.post(
            self._url(organization),
            {"bulk-plan": "professional", "bulk-members": [m.pk for m in members]},
            follow=True,
        )
        assert _messages(response) == [
            "3 members now have Professional; 2 could not: No Professional plan "
            "is left on contract ACME-2027."
        ]
        assert Seat.objects.filter(plan=plan("professional")).count() == 3

    def test_when_nobody_can_the_message_says_why(
        self, admin_client, connected, organization
    ):
        members = self._members(organization, 2)
        response = admin_client.post(
            self._url(organization),
            {"bulk-plan": "starter", "bulk-members": [m.pk for m in members]},
            follow=True,
        )
        assert _messages(response) == [
            "2 members could not: Contract ACME-2027 has no Starter plan."
        ]

    def test_free_takes_the_plans_back(
        self, admin_client, connected, organization, admin_user
    ):
        members = self._members(organization, 2)
        for member in members:
            _give(organization, member, "professional", admin_user)
        response = admin_client.post(
            self._url(organization),
            {"bulk-plan": "free", "bulk-members": [m.pk for m in members]},
            follow=True,
        )
        assert _messages(response) == ["2 members are back to Free."]
        assert not Seat.objects.exists()

    def test_comes_back_to_the_same_list(self, admin_client, connected, organization):
        member = self._members(organization, 1)[0]
        response = admin_client.post(
            self._url(organization, q="example", plan="free", page="1"),
            {"bulk-plan": "reader-plus", "bulk-members": [member.pk]},
        )
        assert response.status_code == 302
        assert response.url == (
            reverse("contracts:member-list", args=[organization.pk])
            + "?q=example&plan=free&page=1"
        )

    def test_nobody_ticked_shows_the_list_with_the_error(
        self, admin_client, connected, organization, bob
    ):
        response = admin_client.post(
            self._url(organization), {"bulk-plan": "professional"}
        )
        assert response.status_code == 422
        assert "Select at least one member." in response.text
        assert not Seat.objects.exists()

    def test_no_plan_chosen_keeps_the_ticks(
        self, admin_client, connected, organization, bob
    ):
        response = admin_client.post(
            self._url(organization), {"bulk-plan": "", "bulk-members": [bob.pk]}
        )
        assert response.status_code == 422
        assert "Choose the plan to give them." in response.text
        assert (
            f'name="bulk-members" value="{bob.pk}" aria-label="Select Bob Bernard" '
            "checked>" in response.text
        )

    def test_after_disconnection_nobody_gets_a_plan(
        self, admin_client, connected, organization, admin_user, bob
    ):
        services.contract_disconnect(organization=organization, actor=admin_user)
        response = admin_client.post(
            self._url(organization),
            {"bulk-plan": "professional", "bulk-members": [bob.pk]},
            follow=True,
        )
        assert _messages(response) == [
            "1 member could not: Acme has no contract connected: plans cannot "
            "be changed here."
        ]
        assert not Seat.objects.exists()


class TestExport:
    def _url(self, organization):
        return reverse("contracts:member-export", args=[organization.pk])

    def _rows(self, response):
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    def test_streams_every_member_with_plan_and_how_it_was_given(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        automatic = MembershipFactory(
            organization=organization,
            user=UserFactory(email="carol@acme.example", full_name="=HYPERLINK(1)"),
            role=Role.READER,
        )
        services.seat_put(
            contract=connected,
            user=automatic.user,
            plan=plan("reader-plus"),
            actor=None,
            source=SeatSource.AUTOMATIC,
            feature=Feature.REPORTS_REAL_DATA,
        )
        # Bob used a paid feature on the 2nd of November: his last activity.
        Seat.objects.filter(user=bob.user).update(
            last_used_on=datetime.date(2026, 11, 2)
        )
        response = admin_client.get(self._url(organization))
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith(
            'attachment; filename="members-acme-'
        )
        today = timezone.localdate().isoformat()
        assert self._rows(response) == [
            [
                "Email address",
                "Name",
                "Role",
                "Plan",
                "How assigned",
                "Since",
                "Last activity",
            ],
            [
                "bob@acme.example",
                "Bob Bernard",
                "Collaborator",
                "Professional",
                "by hand",
                today,
                "2026-11-02",
            ],
            [
                "carol@acme.example",
                "'=HYPERLINK(1)",
                "Reader",
                "Reader+",
                "automatically, for “Reading reports with real data”",
                today,
                "",
            ],
            [
                admin_user.email,
                admin_user.full_name,
                "Administrator",
                "Free",
                "",
                "",
                "",
            ],
        ]

    def test_follows_the_search_and_the_filter(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        MembershipFactory(organization=organization, user__full_name="Bobby Free")
        response = admin_client.get(
            self._url(organization), {"q": "bob", "plan": "professional"}
        )
        rows = self._rows(response)
        assert [row[0] for row in rows[1:]] == ["bob@acme.example"]

    def test_in_french(self, admin_client, organization):
        response = admin_client.get(
            self._url(organization), headers={"Accept-Language": "fr"}
        )
        header, row = self._rows(response)
        assert header[:4] == ["Adresse e-mail", "Nom", "Rôle", "Plan"]
        assert row[2:4] == ["Administrateur", "Gratuit"]


class TestQueryCounts:
    """The members pages cost as many queries for 5,000 members as for 50."""

    def _add_members(self, organization, contract, count):
        start = Membership.objects.count()
        users = UserFactory._meta.model.objects.bulk_create(
            UserFactory._meta.model(
                email=f"bulk{start + index}@acme.example",
                full_name=f"Bulk Person {start + index}",
            )
            for index in range(count)
        )
        Membership.objects.bulk_create(
            Membership(organization=organization, user=user) for user in users
        )
        # Some of them hold seats, on the organization's contract and others.
        seats_bulk_create(
            Seat(contract=contract, plan=plan("professional"), user=user)
            for user in users[:: max(count // 10, 1)]
        )

    def _counts(self, client, organization, member):
        list_url = reverse("contracts:member-list", args=[organization.pk])
        counts = []
        for url, params, headers in [
            (list_url, {}, {}),
            (list_url, {"q": "bulk"}, {**HTMX, "HX-Target": "member-results"}),
            (list_url, {"plan": "professional", "page": "2"}, {}),
            (list_url, {"q": "person", "plan": "free"}, {}),
            (member.get_absolute_url(), {}, {}),
        ]:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, params, headers=headers)
            assert response.status_code == 200
            counts.append(len(queries))
        return counts

    def test_fifty_and_five_thousand_members_cost_the_same(
        self, admin_client, connected, organization, bob
    ):
        connected.allotments.update(seats=10_000)
        self._add_members(organization, connected, 50)
        small = self._counts(admin_client, organization, bob)
        self._add_members(organization, connected, 4_950)
        assert Membership.objects.filter(organization=organization).count() > 5_000
        assert self._counts(admin_client, organization, bob) == small


class TestMemberListHeader:
    """The Members page opens with the seats in use per plan of the
    connected contract, each a link to the members holding that plan."""

    def _url(self, organization):
        return reverse("contracts:member-list", args=[organization.pk])

    def test_shows_each_plans_seats_in_use_with_a_link_to_its_members(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        response = admin_client.get(self._url(organization))
        url = self._url(organization)
        assert f'<a href="{url}?plan=professional">Professional 1/3</a>' in (
            response.text
        )
        assert f'<a href="{url}?plan=reader-plus">Reader+ 0/1</a>' in response.text
        assert (
            '<meter min="0" max="3" value="1" '
            'aria-label="Professional: 1 of 3 assigned">' in response.text
        )
        # The link leads to the members holding the plan.
        listed = admin_client.get(url, {"plan": "professional"})
        emails = [m.user.email for m in listed.context["page"].object_list]
        assert emails == ["bob@acme.example"]

    def test_members_who_are_not_administrators_see_it_too(
        self, user_client, connected, organization
    ):
        reader = MembershipFactory(organization=organization, reader=True)
        response = user_client(reader.user).get(self._url(organization))
        assert "Professional 0/3" in response.text

    def test_nothing_is_shown_without_a_connected_contract(
        self, admin_client, organization, bob
    ):
        response = admin_client.get(self._url(organization))
        assert "Seats in use" not in response.text
        assert "<meter" not in response.text

    def test_in_french(self, admin_client, connected, organization):
        response = admin_client.get(
            self._url(organization), headers={"Accept-Language": "fr"}
        )
        assert 'aria-label="Professionnel : 0 sur 3 attribués"' in response.text
        assert "0/3</a>" in response.text


class TestMemberListHowAssigned:
    """Each member's row says how their seat was given, by whom and since
    when; nothing for Free."""

    def _row(self, response, email):
        return response.text.split(f"{email}</td>")[1].split("</tr>")[0]

    def test_by_hand_automatically_and_free(
        self, admin_client, connected, organization, admin_user, bob
    ):
        _give(organization, bob, "professional", admin_user)
        carol = MembershipFactory(
            organization=organization,
            user=UserFactory(email="carol@acme.example"),
            role=Role.READER,
        )
        services.seat_put(
            contract=connected,
            user=carol.user,
            plan=plan("reader-plus"),
            actor=None,
            source=SeatSource.AUTOMATIC,
            feature=Feature.REPORTS_REAL_DATA,
        )
        response = admin_client.get(
            reverse("contracts:member-list", args=[organization.pk])
        )
        assert '<th scope="col">How assigned</th>' in response.text
        today = timezone.localdate()
        bob_row = self._row(response, "bob@acme.example")
        assert f"by hand, by {admin_user.full_name}" in bob_row
        # The Since column gives the date the seat was given; the last
        # activity, last, is empty until a paid feature is used.
        since, last_activity = re.findall(r"<td>(.*?)</td>", bob_row, re.S)[-2:]
        assert since.endswith(f"{today:%Y}")
        assert last_activity == ""
        carol_row = self._row(response, "carol@acme.example")
        assert "automatically, for “Reading reports with real data”" in carol_row
        admin_row = self._row(response, admin_user.email)
        assert "by hand" not in admin_row
        assert f"{today:%Y}" not in admin_row

    def test_an_assigner_without_a_name_is_named_by_email(
        self, admin_client, connected, organization, bob
    ):
        nameless = UserFactory(email="nameless@acme.example", full_name="")
        MembershipFactory(
            organization=organization, user=nameless, role=Role.ADMINISTRATOR
        )
        _give(organization, bob, "professional", nameless)
        response = admin_client.get(
            reverse("contracts:member-list", args=[organization.pk])
        )
        assert "by hand, by nameless@acme.example" in self._row(
            response, "bob@acme.example"
        )

    def test_by_support(self, admin_client, connected, organization, bob):
        services.seat_put(
            contract=connected,
            user=bob.user,
            plan=plan("professional"),
            actor=None,
            source=SeatSource.SUPPORT,
        )
        response = admin_client.get(
            reverse("contracts:member-list", args=[organization.pk])
        )
        assert "by support" in self._row(response, "bob@acme.example")

    def test_in_french(self, admin_client, connected, organization):
        carol = MembershipFactory(
            organization=organization, user=UserFactory(email="carol@acme.example")
        )
        services.seat_put(
            contract=connected,
            user=carol.user,
            plan=plan("reader-plus"),
            actor=None,
            source=SeatSource.AUTOMATIC,
            feature=Feature.REPORTS_REAL_DATA,
        )
        response = admin_client.get(
            reverse("contracts:member-list", args=[organization.pk]),
            headers={"Accept-Language": "fr"},
        )
        assert (
            "automatiquement, pour « Lire les rapports avec les données réelles »"
            in self._row(response, "carol@acme.example")
        )

    @pytest.mark.parametrize("client_kind", ["administrator", "reader"])
    def test_query_count_is_the_same_for_50_and_500_members(
        self,
        client_kind,
        admin_client,
        user_client,
        connected,
        organization,
        admin_user,
    ):
        connected.allotments.update(seats=1_000)
        reader = MembershipFactory(organization=organization, reader=True)
        client = (
            admin_client if client_kind == "administrator" else user_client(reader.user)
        )
        url = reverse("contracts:member-list", args=[organization.pk])

        def add(count):
            start = User.objects.count()
            users = User.objects.bulk_create(
                User(email=f"many{start + i}@acme.example", full_name=f"Many {i}")
                for i in range(count)
            )
            Membership.objects.bulk_create(
                Membership(organization=organization, user=user) for user in users
            )
            seats_bulk_create(
                Seat(
                    contract=connected,
                    plan=plan("professional"),
                    user=user,
                    assigned_by=admin_user,
                )
                for user in users[::3]
            )

        def count():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            assert "by hand, by" in response.text
            return len(queries)

        add(50)
        small = count()
        add(450)
        assert count() == small
