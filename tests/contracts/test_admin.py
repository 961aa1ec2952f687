"""Support staff's admin for contracts: every rule goes through the services."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from contracts import services
from contracts.exceptions import ContractError
from contracts.models import (
    Allotment,
    ConnectionKey,
    Contract,
    Event,
    EventKind,
    PlanRequest,
    Seat,
)
from plans.models import Feature
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(db):
    return UserFactory(
        email="support@example.com",
        full_name="Sam Support",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def staff_client(client, support):
    client.force_login(support)
    return client


@pytest.fixture
def contract(db):
    return ContractFactory(
        reference="ACME-2027",
        customer="Acme",
        managers=[UserFactory(email="alice@acme.example")],
        seats={"professional": 3},
    )


def _change_url(contract):
    return reverse("admin:contracts_contract_change", args=[contract.pk])


def _contract_data(contract, allotments):
    """The change form's POST: `allotments` is [(allotment or None, plan code,
    seats, delete)]."""
    data = {
        "reference": contract.reference,
        "customer": contract.customer,
        "starts_on": contract.starts_on.isoformat(),
        "ends_on": contract.ends_on.isoformat(),
        "managers": [manager.pk for manager in contract.managers.all()],
        "allotments-TOTAL_FORMS": str(len(allotments)),
        "allotments-INITIAL_FORMS": str(sum(1 for a in allotments if a[0])),
        "allotments-MIN_NUM_FORMS": "0",
        "allotments-MAX_NUM_FORMS": "1000",
    }
    for index, (allotment, code, seats, delete) in enumerate(allotments):
        prefix = f"allotments-{index}-"
        data[prefix + "contract"] = str(contract.pk)
        data[prefix + "seats"] = str(seats)
        data[prefix + "plan"] = str(plan(code).pk)
        if allotment is not None:
            data[prefix + "id"] = str(allotment.pk)
        if delete:
            data[prefix + "DELETE"] = "on"
    return data


class TestContractAdmin:
    def test_list_search_filters_and_change_page(self, staff_client, contract):
        SeatFactory(contract=contract)
        url = reverse("admin:contracts_contract_changelist")
        listing = staff_client.get(url)
        assert "ACME-2027" in listing.text
        for query in (
            {"q": "acme"},
            {"status": "active"},
            {"status": "ended"},
            {"connected": "no"},
            {"auto_assign__exact": "1"},
        ):
            assert staff_client.get(url, query).status_code == 200, query
        assert "ACME-2027" not in staff_client.get(url, {"status": "ended"}).text
        page = staff_client.get(_change_url(contract))
        assert page.status_code == 200
        # The inline shows the seats in use next to the allotment.
        assert re.search(r'class="field-in_use">\s*<p>1</p>', page.text)
        assert reverse("admin:contracts_contract_connect", args=[contract.pk]) in (
            page.text
        )
        assert reverse("admin:contracts_contract_key", args=[contract.pk]) in (
            page.text
        )

    def test_allotments_cannot_drop_below_the_seats_in_use(
        self, staff_client, contract
    ):
        allotment = contract.allotments.get()
        SeatFactory.create_batch(2, contract=contract, plan=plan("professional"))
        response = staff_client.post(
            _change_url(contract),
            _contract_data(contract, [(allotment, "professional", 1, False)]),
        )
        assert response.status_code == 200
        assert (
            "2 members hold the Professional plan of contract ACME-2027: it needs "
            "at least 2 seats." in response.text
        )
        allotment.refresh_from_db()
        assert allotment.seats == 3

    def test_a_plan_in_use_cannot_be_deleted(self, staff_client, contract):
        allotment = contract.allotments.get()
        SeatFactory(contract=contract, plan=plan("professional"))
        response = staff_client.post(
            _change_url(contract),
            _contract_data(contract, [(allotment, "professional", 3, True)]),
        )
        assert response.status_code == 200
        assert "1 member holds the Professional plan" in response.text
        assert contract.allotments.exists()

    def test_allotments_can_grow_shrink_to_use_and_be_added(
        self, staff_client, contract
    ):
        allotment = contract.allotments.get()
        SeatFactory(contract=contract, plan=plan("professional"))
        response = staff_client.post(
            _change_url(contract),
            _contract_data(
                contract,
                [
                    (allotment, "professional", 1, False),
                    (None, "reader-plus", 4, False),
                ],
            ),
        )
        assert response.status_code == 302, response.text
        seats = dict(contract.allotments.values_list("plan__code", "seats"))
        assert seats == {"professional": 1, "reader-plus": 4}

    def test_a_new_contract_with_allotments(self, staff_client, support):
        response = staff_client.post(
            reverse("admin:contracts_contract_add"),
            {
                "reference": "NEW-1",
                "customer": "Newco",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "managers": [support.pk],
                "allotments-TOTAL_FORMS": "1",
                "allotments-INITIAL_FORMS": "0",
                "allotments-MIN_NUM_FORMS": "0",
                "allotments-MAX_NUM_FORMS": "1000",
                "allotments-0-plan": str(plan("starter").pk),
                "allotments-0-seats": "7",
            },
        )
        assert response.status_code == 302, response.text
        contract = Contract.objects.get(reference="NEW-1")
        assert contract.allotments.get().seats == 7

    def test_connect_button_connects_through_the_service(
        self, staff_client, support, contract
    ):
        organization = OrganizationFactory(name="Acme")
        url = reverse("admin:contracts_contract_connect", args=[contract.pk])
        assert staff_client.get(url).status_code == 200
        response = staff_client.post(url, {"organization": organization.pk})
        assert response.status_code == 302
        contract.refresh_from_db()
        assert contract.organization == organization
        event = Event.objects.get(kind=EventKind.CONNECTED)
        assert event.actor == support
        # The organization field's autocomplete answers.
        found = staff_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "contracts",
                "model_name": "contract",
                "field_name": "organization",
                "term": "Ac",
            },
        )
        assert found.json()["results"][0]["text"] == "Acme"

    def test_connect_button_shows_the_services_refusal(
        self, staff_client, support, contract
    ):
        organization = OrganizationFactory(name="Busy")
        services.contract_connect(
            organization=organization, contract=ContractFactory(), actor=support
        )
        url = reverse("admin:contracts_contract_connect", args=[contract.pk])
        response = staff_client.post(url, {"organization": organization.pk})
        assert response.status_code == 200
        assert "Busy already has a contract" in response.text
        contract.refresh_from_db()
        assert contract.organization is None

    def test_disconnect_button(self, staff_client, support, contract):
        organization = OrganizationFactory(name="Acme")
        services.contract_connect(
            organization=organization, contract=contract, actor=support
        )
        url = reverse("admin:contracts_contract_disconnect", args=[contract.pk])
        page = staff_client.get(url)
        assert "Members keep the plans they hold" in page.text
        response = staff_client.post(url)
        assert response.status_code == 302
        contract.refresh_from_db()
        assert contract.organization is None

    def test_key_button_shows_the_key_in_its_response_only(
        self, staff_client, contract
    ):
        url = reverse("admin:contracts_contract_key", args=[contract.pk])
        assert staff_client.get(url).status_code == 200
        response = staff_client.post(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        plaintext = re.search(r"SEAT(-[0-9A-Z]{4}){9}", response.text)[0]
        assert plaintext.endswith(ConnectionKey.objects.get().hint)
        assert not list(get_messages(response.wsgi_request))
        change = staff_client.get(_change_url(contract))
        assert plaintext not in change.text

    def test_non_staff_cannot_use_the_buttons(self, client, contract):
        client.force_login(UserFactory())
        url = reverse("admin:contracts_contract_key", args=[contract.pk])
        response = client.post(url)
        assert response.status_code == 302
        assert not ConnectionKey.objects.exists()


class TestSeatAdmin:
    def test_support_gives_a_seat_through_the_service(
        self, staff_client, support, contract
    ):
        member = UserFactory()
        response = staff_client.post(
            reverse("admin:contracts_seat_add"),
            {
                "contract": contract.pk,
                "user": member.pk,
                "plan": plan("professional").pk,
            },
        )
        assert response.status_code == 302, response.text
        seat = Seat.objects.get(user=member)
        assert (seat.source, seat.assigned_by) == ("support", support)
        event = Event.objects.get(kind=EventKind.SEAT_ASSIGNED)
        assert (event.source, event.actor) == ("support", support)

    def test_no_seat_beyond_the_allotment(self, staff_client, contract):
        SeatFactory.create_batch(3, contract=contract, plan=plan("professional"))
        response = staff_client.post(
            reverse("admin:contracts_seat_add"),
            {
                "contract": contract.pk,
                "user": UserFactory().pk,
                "plan": plan("professional").pk,
            },
        )
        assert response.status_code == 200
        assert "No Professional plan is left on contract ACME-2027." in response.text
        assert Seat.objects.count() == 3

    def test_no_seat_of_a_plan_the_contract_lacks(self, staff_client, contract):
        response = staff_client.post(
            reverse("admin:contracts_seat_add"),
            {
                "contract": contract.pk,
                "user": UserFactory().pk,
                "plan": plan("starter").pk,
            },
        )
        assert response.status_code == 200
        assert "has no Starter plan" in response.text

    def test_changing_the_plan_moves_the_seat(self, staff_client, support):
        contract = ContractFactory(seats={"professional": 1, "reader-plus": 1})
        seat = SeatFactory(contract=contract, plan=plan("professional"))
        response = staff_client.post(
            reverse("admin:contracts_seat_change", args=[seat.pk]),
            {"plan": plan("reader-plus").pk},
        )
        assert response.status_code == 302, response.text
        seat.refresh_from_db()
        assert (seat.plan.code, seat.source) == ("reader-plus", "support")
        # The last Reader+ seat taken: the low-seat alert is history too.
        assert Event.objects.exclude(kind=EventKind.LOW_SEATS).get().kind == (
            EventKind.SEAT_CHANGED
        )

    def test_deleting_frees_the_seat_by_support(self, staff_client, support, contract):
        seat = SeatFactory(contract=contract)
        response = staff_client.post(
            reverse("admin:contracts_seat_delete", args=[seat.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
        assert not Seat.objects.exists()
        event = Event.objects.get(kind=EventKind.SEAT_RELEASED)
        assert (event.source, event.actor) == ("support", support)

    def test_seats_offer_freeing_instead_of_django_bulk_delete(
        self, staff_client, contract
    ):
        """Django's bulk deletion names no survey: freeing, with its own
        confirmation, replaces it."""
        seats = SeatFactory.create_batch(2, contract=contract)
        changelist = reverse("admin:contracts_seat_changelist")
        page = staff_client.get(changelist).text
        assert 'value="release_seats"' in page
        assert 'value="delete_selected"' not in page
        staff_client.post(
            changelist,
            {
                "action": "delete_selected",
                "_selected_action": [seat.pk for seat in seats],
                "post": "yes",
            },
        )
        assert Seat.objects.count() == 2


class TestReadOnlyRecords:
    def test_keys_history_and_requests_cannot_be_edited(
        self, staff_client, support, contract
    ):
        services.connection_key_generate(contract=contract, actor=support)
        organization = MembershipFactory().organization
        services.contract_connect(
            organization=organization, contract=contract, actor=support
        )
        services.plan_request_record(
            contract=contract, user=UserFactory(), feature=Feature.REPORT_EXPORT
        )
        for model, obj in (
            ("connectionkey", ConnectionKey.objects.get()),
            ("event", Event.objects.first()),
            ("planrequest", PlanRequest.objects.get()),
        ):
            change = reverse(f"admin:contracts_{model}_change", args=[obj.pk])
            page = staff_client.get(change)
            assert page.status_code == 200, model
            assert 'name="_save"' not in page.text, model
            assert staff_client.post(change, {}).status_code == 403, model
            add = reverse(f"admin:contracts_{model}_add")
            assert staff_client.get(add).status_code == 403, model
            delete = reverse(f"admin:contracts_{model}_delete", args=[obj.pk])
            assert staff_client.post(delete, {"post": "yes"}).status_code == 403
        key_page = staff_client.get(
            reverse(
                "admin:contracts_connectionkey_change",
                args=[ConnectionKey.objects.get().pk],
            )
        )
        assert ConnectionKey.objects.get().digest not in key_page.text


class TestSupportActions:
    """Each thing support does from the admin goes through a service and
    leaves a history event naming support."""

    def test_extending_a_contract_moves_its_end_date_with_an_event(
        self, staff_client, support, contract
    ):
        url = reverse("admin:contracts_contract_extend", args=[contract.pk])
        assert url in staff_client.get(_change_url(contract)).text
        assert staff_client.get(url).status_code == 200
        before = contract.ends_on
        later = before + datetime.timedelta(days=365)
        response = staff_client.post(url, {"ends_on": later.isoformat()})
        assert response.status_code == 302, response.text
        contract.refresh_from_db()
        assert contract.ends_on == later
        event = Event.objects.get(kind=EventKind.CONTRACT_EXTENDED)
        assert (event.contract, event.actor, event.source) == (
            contract,
            support,
            "support",
        )
        assert event.detail == f"{before.isoformat()} → {later.isoformat()}"

    def test_an_end_date_that_is_not_later_is_refused(self, staff_client, contract):
        url = reverse("admin:contracts_contract_extend", args=[contract.pk])
        before = contract.ends_on
        earlier = before - datetime.timedelta(days=1)
        response = staff_client.post(url, {"ends_on": earlier.isoformat()})
        assert response.status_code == 200
        assert "choose a later end date" in response.text
        contract.refresh_from_db()
        assert contract.ends_on == before
        assert not Event.objects.exists()

    def test_the_change_form_no_longer_moves_the_end_date(self, staff_client, contract):
        before = contract.ends_on
        data = _contract_data(
            contract, [(contract.allotments.get(), "professional", 3, False)]
        )
        data["ends_on"] = (before + datetime.timedelta(days=30)).isoformat()
        response = staff_client.post(_change_url(contract), data)
        assert response.status_code == 302, response.text
        contract.refresh_from_db()
        assert contract.ends_on == before

    def test_changing_an_allotments_seats_writes_an_event(
        self, staff_client, support, contract
    ):
        allotment = contract.allotments.get()
        response = staff_client.post(
            _change_url(contract),
            _contract_data(
                contract,
                [
                    (allotment, "professional", 5, False),
                    (None, "reader-plus", 2, False),
                ],
            ),
        )
        assert response.status_code == 302, response.text
        allotment.refresh_from_db()
        assert allotment.seats == 5
        events = {
            event.plan.code: event
            for event in Event.objects.filter(kind=EventKind.SEATS_CHANGED)
        }
        assert events["professional"].detail == "3 → 5"
        assert events["reader-plus"].detail == "0 → 2"
        for event in events.values():
            assert (event.contract, event.actor, event.source) == (
                contract,
                support,
                "support",
            )

    def test_seats_below_those_in_use_are_refused_without_an_event(
        self, support, contract
    ):
        SeatFactory.create_batch(2, contract=contract, plan=plan("professional"))
        with pytest.raises(ContractError, match="needs at least 2 seats"):
            services.allotment_set(
                contract=contract,
                plan=plan("professional"),
                seats=1,
                actor=support,
                source="support",
            )
        assert contract.allotments.get().seats == 3
        assert not Event.objects.exists()

    def test_the_free_seats_action_frees_each_seat_by_support(
        self,
        staff_client,
        support,
        contract,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        seats = SeatFactory.create_batch(2, contract=contract)
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                reverse("admin:contracts_seat_changelist"),
                {
                    "action": "release_seats",
                    "_selected_action": [seat.pk for seat in seats],
                    "post": "yes",
                },
            )
        assert response.status_code == 302
        assert not Seat.objects.exists()
        events = Event.objects.filter(kind=EventKind.SEAT_RELEASED)
        assert {(e.member, e.actor, e.source) for e in events} == {
            (seat.user, support, "support") for seat in seats
        }
        assert sorted(m.to[0] for m in mailoutbox) == sorted(
            seat.user.email for seat in seats
        )

    def test_a_seat_is_freed_from_its_own_page(self, staff_client, support, contract):
        seat = SeatFactory(contract=contract)
        change = reverse("admin:contracts_seat_change", args=[seat.pk])
        assert 'value="release_seats"' in staff_client.get(change).text
        response = staff_client.post(
            change,
            {
                "CHANGE_FORM-action": "release_seats",
                "_selected_action": [seat.pk],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        assert response.url == reverse("admin:contracts_seat_changelist")
        assert not Seat.objects.exists()
        event = Event.objects.get(kind=EventKind.SEAT_RELEASED)
        assert (event.actor, event.source) == (support, "support")

    def test_revoking_a_key_stops_it_with_an_event(
        self, staff_client, support, contract
    ):
        key, plaintext = services.connection_key_generate(
            contract=contract, actor=support
        )
        response = staff_client.post(
            reverse("admin:contracts_connectionkey_changelist"),
            {"action": "revoke_keys", "_selected_action": [key.pk]},
        )
        assert response.status_code == 302
        key.refresh_from_db()
        assert key.revoked_at is not None
        event = Event.objects.get(kind=EventKind.KEY_REVOKED)
        assert (event.contract, event.actor, event.source, event.detail) == (
            contract,
            support,
            "support",
            f"…{key.hint}",
        )
        administrator = MembershipFactory(administrator=True)
        with pytest.raises(ContractError):
            services.contract_connect_with_key(
                organization=administrator.organization,
                key=plaintext,
                actor=administrator.user,
            )
        contract.refresh_from_db()
        assert contract.organization is None

    def test_a_used_key_cannot_be_revoked(self, staff_client, support, contract):
        key, plaintext = services.connection_key_generate(
            contract=contract, actor=support
        )
        administrator = MembershipFactory(administrator=True)
        services.contract_connect_with_key(
            organization=administrator.organization,
            key=plaintext,
            actor=administrator.user,
        )
        change = reverse("admin:contracts_connectionkey_change", args=[key.pk])
        response = staff_client.post(
            change,
            {"CHANGE_FORM-action": "revoke_keys", "_selected_action": [key.pk]},
            follow=True,
        )
        assert "was already used" in response.text
        key.refresh_from_db()
        assert key.revoked_at is None
        assert not Event.objects.filter(kind=EventKind.KEY_REVOKED).exists()

    def test_staff_without_the_change_permission_cannot_revoke(self, client, contract):
        staff = UserFactory(is_staff=True)
        staff.user_permissions.add(
            Permission.objects.get(codename="view_connectionkey")
        )
        client.force_login(staff)
        key, _plaintext = services.connection_key_generate(
            contract=contract, actor=staff
        )
        response = client.post(
            reverse("admin:contracts_connectionkey_changelist"),
            {"action": "revoke_keys", "_selected_action": [key.pk]},
        )
        assert response.status_code in (200, 302)
        key.refresh_from_db()
        assert key.revoked_at is None


class TestAllotmentOrder:
    def test_allotments_have_no_ordering_that_joins_the_plans(self):
        """A default ordering on the plan's rank joined the plans table into
        every allotment query, and its FOR UPDATE locks with it."""
        sql = str(Allotment.objects.filter(contract_id=1).query)
        assert "plans_plan" not in sql

    def test_the_contract_page_lists_its_plans_by_rank(self, staff_client):
        contract = ContractFactory(
            seats={"professional": 1, "starter": 2, "reader-plus": 3}
        )
        response = staff_client.get(_change_url(contract))
        (inline,) = response.context["inline_admin_formsets"]
        codes = [form.instance.plan.code for form in inline.formset.initial_forms]
        assert codes == ["reader-plus", "starter", "professional"]
