"""Support staff's admin for contracts: every rule goes through the services."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from contracts import services
from contracts.models import (
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
        assert Event.objects.get().kind == EventKind.SEAT_CHANGED

    def test_deleting_frees_the_seat_by_support(self, staff_client, support, contract):
        seat = SeatFactory(contract=contract)
        response = staff_client.post(
            reverse("admin:contracts_seat_delete", args=[seat.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
        assert not Seat.objects.exists()
        event = Event.objects.get(kind=EventKind.SEAT_RELEASED)
        assert (event.source, event.actor) == ("support", support)

    def test_bulk_delete_frees_each_seat(self, staff_client, contract):
        seats = SeatFactory.create_batch(2, contract=contract)
        response = staff_client.post(
            reverse("admin:contracts_seat_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [seat.pk for seat in seats],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        assert not Seat.objects.exists()
        assert Event.objects.filter(kind=EventKind.SEAT_RELEASED).count() == 2


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
