"""The contract manager's account pages: contracts, plan usage, the
connection key ("Add members"), seats held and freeing them, history."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contracts import services
from contracts.models import ConnectionKey, Event, EventKind, Seat
from plans.models import Feature
from tests.accounts.factories import UserFactory
from tests.contracts.factories import (
    ContractFactory,
    SeatFactory,
    plan,
    seats_bulk_create,
)
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
KEY_PATTERN = re.compile(r"SEAT(-[0-9A-Z]{4}){9}")


@pytest.fixture
def manager(db):
    return UserFactory(email="dave@globex.example", full_name="Dave Durand")


@pytest.fixture
def manager_client(user_client, manager):
    return user_client(manager)


@pytest.fixture
def contract(manager):
    return ContractFactory(
        reference="GLOBEX-2027",
        customer="Globex",
        managers=[manager],
        seats={"professional": 3},
    )


def _detail(contract):
    return reverse("contracts:account-contract-detail", args=[contract.pk])


def _key_url(contract):
    return reverse("contracts:key-generate", args=[contract.pk])


def _release_url(contract, seat):
    return reverse("contracts:seat-release", args=[contract.pk, seat.pk])


class TestAccess:
    def test_only_managers_reach_a_contracts_pages(self, user_client, contract):
        seat = SeatFactory(contract=contract)
        staff = UserFactory(is_staff=True, is_superuser=True)
        for person in (UserFactory(), staff):
            client = user_client(person)
            assert client.get(_detail(contract)).status_code == 404
            for url in (_key_url(contract), _release_url(contract, seat)):
                assert client.get(url).status_code == 404, url
                assert client.post(url).status_code == 404, url
        assert ConnectionKey.objects.count() == 0
        assert Seat.objects.filter(pk=seat.pk).exists()

    def test_unknown_ids_answer_404(self, manager_client, contract):
        assert manager_client.get("/account/contracts/999999/").status_code == 404
        url = f"/account/contracts/{contract.pk}/seats/999999/release/"
        assert manager_client.get(url).status_code == 404

    def test_a_seat_of_another_contract_answers_404(self, manager_client, contract):
        other = ContractFactory(managers=[UserFactory()])
        seat = SeatFactory(contract=other)
        response = manager_client.get(_release_url(contract, seat))
        assert response.status_code == 404
        url = reverse("contracts:seat-release", args=[other.pk, seat.pk])
        assert manager_client.post(url).status_code == 404
        assert Seat.objects.filter(pk=seat.pk).exists()

    def test_account_menu_has_contract(self, manager_client):
        page = manager_client.get(reverse("accounts:profile"))
        assert f'href="{reverse("contracts:account-contract-list")}"' in page.text
        assert ">Contract</a>" in page.text


class TestContractList:
    def test_lists_the_contracts_i_manage_with_their_overview(
        self, manager_client, manager, contract
    ):
        organization = OrganizationFactory(name="Globex")
        second = ContractFactory(
            reference="GLOBEX-2028", managers=[manager], seats={"reader-plus": 2}
        )
        services.contract_connect(
            organization=organization, contract=second, actor=manager
        )
        SeatFactory(contract=second, plan=plan("reader-plus"))
        ContractFactory(reference="NOT-MINE-1")

        page = manager_client.get(reverse("contracts:account-contract-list"))

        assert "GLOBEX-2027" in page.text
        assert "GLOBEX-2028" in page.text
        assert "NOT-MINE-1" not in page.text
        first, other = page.text.split("<article")[1:]
        assert "not connected" in first
        assert "Globex" in other and "not connected" not in other
        assert '<meter min="0" max="3" value="0"' in first
        assert '<meter min="0" max="2" value="1"' in other

    def test_each_contract_has_an_add_members_button_with_its_dialog(
        self, manager_client, contract
    ):
        page = manager_client.get(reverse("contracts:account-contract-list"))
        button = re.search(r"<button[^>]*class=\"icon-button\"[^>]*>", page.text)[0]
        assert 'aria-label="Add members"' in button
        assert f'data-opens-dialog="key-dialog-{contract.pk}"' in button
        assert f'<dialog id="key-dialog-{contract.pk}"' in page.text
        assert f'action="{_key_url(contract)}"' in page.text
        assert "Generate the key" in page.text

    def test_the_add_members_button_has_a_visible_key_tooltip(
        self, manager_client, contract
    ):
        """Issue 10, point 18: the name stays "Add members"; a tooltip
        element (not `title`, which keyboard focus never shows) says what the
        click does, and describes the button."""
        page = manager_client.get(reverse("contracts:account-contract-list"))
        button = re.search(r"<button[^>]*class=\"icon-button\"[^>]*>", page.text)[0]
        assert 'aria-label="Add members"' in button
        assert "title=" not in button
        tip = f"key-tip-{contract.pk}"
        assert f'aria-describedby="{tip} ' in button
        assert (
            f'<span class="tooltip" role="tooltip" id="{tip}">'
            "Generate a connection key</span>" in page.text
        )

    def test_in_french_the_button_is_ajouter_des_membres(
        self, manager_client, contract
    ):
        page = manager_client.get(
            reverse("contracts:account-contract-list"),
            headers={"Accept-Language": "fr"},
        )
        assert 'aria-label="Ajouter des membres"' in page.text

    def test_nobody_managing_nothing_sees_a_clear_empty_state(self, user_client):
        page = user_client(UserFactory()).get(
            reverse("contracts:account-contract-list")
        )
        assert "You manage no contract." in page.text

    def test_the_overview_is_one_query_for_all_contracts(
        self, manager_client, manager, django_assert_max_num_queries
    ):
        for n in range(5):
            ContractFactory(managers=[manager], seats={"professional": n + 1})
        with django_assert_max_num_queries(6):
            manager_client.get(reverse("contracts:account-contract-list"))


class TestConnectionKey:
    def test_htmx_generation_shows_the_key_once_with_a_copy_button(
        self, manager_client, contract
    ):
        response = manager_client.post(
            _key_url(contract), {"in_dialog": "1"}, headers=HTMX
        )
        assert response.status_code == 200
        assert "<html" not in response.text
        plaintext = KEY_PATTERN.search(response.text)[0]
        key = ConnectionKey.objects.get()
        assert plaintext.endswith(key.hint)
        assert f'<code id="key-plain-{contract.pk}">{plaintext}</code>' in response.text
        assert f'data-copy-target="key-plain-{contract.pk}"' in response.text
        assert 'data-copied-label="Copied"' in response.text
        assert 'hx-history="false"' in response.text
        assert '<form method="dialog">' in response.text
        # The summary behind the dialog is brought up to date, out of band.
        assert (
            f'<div id="key-status-{contract.pk}" hx-swap-oob="true">' in response.text
        )
        assert response.text.count(f'id="key-status-{contract.pk}"') == 1
        assert "no-store" in response["Cache-Control"]

        # Afterwards only the last characters are shown.
        for url in (reverse("contracts:account-contract-list"), _detail(contract)):
            page = manager_client.get(url)
            assert plaintext not in page.text
            assert f"…{key.hint}" in page.text
            assert "expires on" in page.text
            assert "Generate a new key" in page.text

    def test_closing_the_dialog_fetches_its_panel_afresh(
        self, manager_client, manager, contract
    ):
        """A key shown once is gone the next time the dialog opens: its panel
        is fetched again when it closes (not when it opens, which could
        replace a form already sent)."""
        services.connection_key_generate(contract=contract, actor=manager)
        page = manager_client.get(reverse("contracts:account-contract-list"))
        assert f'data-refresh-on-close="{_key_url(contract)}"' in page.text
        assert f'data-refresh-target="#key-panel-{contract.pk}"' in page.text
        panel = manager_client.get(_key_url(contract), headers=HTMX)
        assert "<html" not in panel.text
        assert f'id="key-title-{contract.pk}"' in panel.text
        assert '<form method="dialog">' in panel.text
        assert "Generate a new key" in panel.text
        assert KEY_PATTERN.search(panel.text) is None

    def test_without_javascript_the_key_page_generates_and_shows_it(
        self, manager_client, contract
    ):
        page = manager_client.get(_key_url(contract))
        assert page.status_code == 200
        assert "<h1" in page.text
        assert KEY_PATTERN.search(page.text) is None
        response = manager_client.post(_key_url(contract))
        assert response.status_code == 200
        assert "<html" in response.text
        assert KEY_PATTERN.search(response.text)
        assert "no-store" in response["Cache-Control"]

    def test_a_new_key_revokes_the_old_one(self, manager_client, contract):
        manager_client.post(_key_url(contract))
        page = manager_client.get(_key_url(contract))
        assert "A new key replaces the one ending" in page.text
        manager_client.post(_key_url(contract))
        old, new = ConnectionKey.objects.order_by("created_at", "pk")
        assert old.revoked_at is not None
        assert new.is_usable
        page = manager_client.get(_detail(contract))
        assert f"…{new.hint}" in page.text

    def test_used_key_shows_who_used_it(self, manager_client, manager, contract):
        _key, plaintext = services.connection_key_generate(
            contract=contract, actor=manager
        )
        admin = MembershipFactory(
            administrator=True, user__full_name="Erin Moreau"
        ).user
        organization = admin.memberships.get().organization
        services.contract_connect_with_key(
            organization=organization, key=plaintext, actor=admin
        )
        page = manager_client.get(reverse("contracts:account-contract-list"))
        assert "by Erin Moreau" in page.text
        assert "used on" in page.text

    def test_an_ended_contract_gets_no_key(self, manager_client, contract):
        today = timezone.localdate()
        contract.starts_on = today - datetime.timedelta(days=400)
        contract.ends_on = today - datetime.timedelta(days=1)
        contract.save()
        response = manager_client.post(
            _key_url(contract), {"in_dialog": "1"}, headers=HTMX
        )
        assert response.status_code == 409
        assert "a connection key could not connect it" in response.text
        assert not ConnectionKey.objects.exists()

    def test_the_key_is_not_stored_in_the_session(self, manager_client, contract):
        response = manager_client.post(_key_url(contract))
        plaintext = KEY_PATTERN.search(response.text)[0]
        stored = " ".join(str(value) for value in manager_client.session.values())
        assert plaintext not in stored
        assert plaintext not in str(response.cookies)


class TestContractDetail:
    def test_shows_overview_seats_and_how_they_were_given(
        self, manager_client, manager, contract
    ):
        organization = OrganizationFactory(name="Globex")
        admin = MembershipFactory(
            organization=organization, administrator=True, user__full_name="Erin M"
        ).user
        services.contract_connect(
            organization=organization, contract=contract, actor=manager
        )
        bob = MembershipFactory(
            organization=organization, user__full_name="Bob Bernard"
        ).user
        services.member_plan_set(
            organization=organization,
            user=bob,
            plan=plan("professional"),
            actor=admin,
        )
        carol = MembershipFactory(
            organization=organization, user__full_name="Carol Petit"
        ).user
        services.seat_put(
            contract=contract,
            user=carol,
            plan=plan("professional"),
            actor=None,
            source="automatic",
            feature=Feature.REPORT_EXPORT,
        )

        page = manager_client.get(_detail(contract))

        assert '<meter min="0" max="3" value="2"' in page.text
        seats = page.text.split('id="seat-results"')[1].split("</table>")[0]
        assert "Bob Bernard" in seats and "by hand, by Erin M" in seats
        assert "Carol Petit" in seats
        assert "automatically, for “Exporting reports”" in seats
        assert seats.count("Free the seat") == 2

    def test_seats_are_paginated_by_fifty_and_searchable(
        self, manager_client, contract
    ):
        contract.allotments.update(seats=100)
        SeatFactory.create_batch(50, contract=contract)
        SeatFactory(contract=contract, user__email="zed@example.test")
        first = manager_client.get(_detail(contract))
        assert len(first.context["seats"].object_list) == 50
        assert first.context["seats"].paginator.num_pages == 2

        found = manager_client.get(
            _detail(contract),
            {"q": "zed@"},
            headers={**HTMX, "HX-Target": "seat-results"},
        )
        assert "<html" not in found.text
        assert "zed@example.test" in found.text
        assert "1 seat held" in found.text

        nothing = manager_client.get(_detail(contract), {"q": "nobody"})
        assert "No seat holder matches" in nothing.text

    def test_a_seat_search_with_a_nul_byte_matches_nobody(
        self, manager_client, contract
    ):
        """PostgreSQL refuses NUL bytes in text; the search answers, empty."""
        SeatFactory(contract=contract)
        response = manager_client.get(_detail(contract), {"q": "\x00"})
        assert response.status_code == 200
        assert "No seat holder matches" in response.text

    def test_history_shows_the_contracts_events_paginated(
        self, manager_client, manager, contract
    ):
        for _ in range(21):
            services.connection_key_generate(contract=contract, actor=manager)
        page = manager_client.get(_detail(contract))
        assert page.context["history"].paginator.count == 21
        assert "Dave Durand generated a connection key (…" in page.text
        assert 'href="?history_page=2"' in page.text
        assert 'hx-target="#history"' in page.text
        second = manager_client.get(
            _detail(contract),
            {"history_page": 2},
            headers={**HTMX, "HX-Target": "history"},
        )
        assert "<html" not in second.text
        assert second.text.count("<li>") == 1

    def test_history_tells_what_support_did_in_sentences(
        self, manager_client, manager, contract
    ):
        """Each support action reads as a sentence naming support, not as
        the bare name of the event's kind."""
        support = UserFactory(full_name="Sam Support", is_staff=True)
        key, _plain = services.connection_key_generate(contract=contract, actor=manager)
        services.connection_key_revoke(key=key, actor=support, source="support")
        services.contract_extend(
            contract=contract,
            ends_on=contract.ends_on + datetime.timedelta(days=30),
            actor=support,
            source="support",
        )
        services.allotment_set(
            contract=contract,
            plan=plan("professional"),
            seats=5,
            actor=support,
            source="support",
        )
        text = manager_client.get(_detail(contract)).text
        assert f"Sam Support (support) revoked the connection key …{key.hint}" in text
        assert "Sam Support (support) changed the end date of contract" in text
        assert "Sam Support (support) changed the Professional seats" in text
        assert "3 → 5" in text

    def test_detail_queries_do_not_grow_with_the_seats_held(
        self, manager_client, contract, django_assert_num_queries
    ):
        contract.allotments.update(seats=6000)

        def hold(count):
            start = User.objects.count()
            users = User.objects.bulk_create(
                User(email=f"holder{start + n}@example.test") for n in range(count)
            )
            seats_bulk_create(
                Seat(contract=contract, plan=plan("professional"), user=user)
                for user in users
            )

        hold(50)
        with django_assert_num_queries(8):
            manager_client.get(_detail(contract))
        hold(4950)
        with django_assert_num_queries(8):
            manager_client.get(_detail(contract))


class TestSeatRelease:
    @pytest.fixture
    def seat(self, contract):
        return SeatFactory(contract=contract, user__full_name="Bob Bernard")

    def test_each_seat_opens_a_confirmation(self, manager_client, contract, seat):
        page = manager_client.get(_detail(contract))
        assert f'href="{_release_url(contract, seat)}"' in page.text
        assert 'hx-target="#seat-release-dialog"' in page.text
        assert '<dialog id="seat-release-dialog"' in page.text

        confirm = manager_client.get(_release_url(contract, seat), headers=HTMX)
        assert "<html" not in confirm.text
        assert "Free the seat of Bob Bernard?" in confirm.text
        assert '<form method="dialog">' in confirm.text

        plain = manager_client.get(_release_url(contract, seat))
        assert "<html" in plain.text
        assert '<h1 id="seat-release-title">' in plain.text

    def test_freeing_releases_the_seat_and_records_it(
        self, manager_client, manager, contract, seat
    ):
        response = manager_client.post(_release_url(contract, seat), follow=True)
        assert response.redirect_chain[-1][0] == _detail(contract)
        assert "Bob Bernard’s Professional plan is free again." in response.text
        assert not Seat.objects.filter(pk=seat.pk).exists()
        event = Event.objects.get(kind=EventKind.SEAT_RELEASED)
        assert (event.actor, event.member, event.source) == (
            manager,
            seat.user,
            "manual",
        )
        assert (
            "Dave Durand took back the Professional plan of Bob Bernard by hand."
            in (response.text)
        )

    def test_htmx_free_redirects_the_client(self, manager_client, contract, seat):
        response = manager_client.post(_release_url(contract, seat), headers=HTMX)
        assert response["HX-Redirect"] == _detail(contract)
        assert not Seat.objects.filter(pk=seat.pk).exists()

    def test_freeing_twice_is_harmless(self, manager_client, contract, seat):
        manager_client.post(_release_url(contract, seat))
        response = manager_client.post(_release_url(contract, seat), follow=True)
        assert "This seat is already free." in response.text
        assert Event.objects.filter(kind=EventKind.SEAT_RELEASED).count() == 1

    def test_managers_free_seats_after_a_disconnection(
        self, manager_client, manager, contract, seat
    ):
        organization = OrganizationFactory()
        services.contract_connect(
            organization=organization, contract=contract, actor=manager
        )
        services.contract_disconnect(organization=organization, actor=manager)
        response = manager_client.post(_release_url(contract, seat))
        assert response.status_code == 302
        assert not Seat.objects.filter(pk=seat.pk).exists()
