"""The organization's Contract page: connect (flows 1 and 2), automatic
assignment, plan requests, disconnect (flow 6), history."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contracts import services
from contracts.keys import key_generate
from contracts.models import ConnectionKey, Contract, Event, EventKind, Seat
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


def _url(name, organization):
    return reverse(f"contracts:{name}", kwargs={"organization_id": organization.pk})


@pytest.fixture
def contract(admin_user):
    """A contract the organization's administrator manages (flow 1)."""
    return ContractFactory(
        reference="ACME-2027",
        customer="Acme Inc.",
        managers=[admin_user],
        seats={"professional": 10, "reader-plus": 5},
    )


@pytest.fixture
def manager(db):
    return UserFactory(email="dave@globex.example")


@pytest.fixture
def foreign_contract(manager):
    """A contract managed by someone outside the organization (flow 2)."""
    return ContractFactory(
        reference="GLOBEX-2027", managers=[manager], seats={"professional": 3}
    )


@pytest.fixture
def connected(contract, organization, admin_user):
    return services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )


def _key_for(contract, manager):
    _key, plaintext = services.connection_key_generate(contract=contract, actor=manager)
    return plaintext


def _overview_rows(html):
    """The first four cells of each row of the plan overview."""
    body = html.split('class="table overview"')[1].split("</tbody>")[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]:
        cells = re.findall(r"<t[hd][^>]*>\s*([^<]*?)\s*<", row)
        rows.append(cells[:4])
    return rows


def _refresh(contract):
    contract.refresh_from_db()
    return contract


class TestAccess:
    ALL = ["organization-contract", "connect", "connect-key", "disconnect"]
    POSTS = ["connect", "connect-key", "disconnect", "auto-assign"]

    def test_outsiders_get_404_everywhere(self, user_client, organization, outsider):
        client = user_client(outsider)
        for name in self.ALL:
            assert client.get(_url(name, organization)).status_code == 404, name
        for name in self.POSTS:
            response = client.post(_url(name, organization), {"key": "x"})
            assert response.status_code == 404, name

    def test_members_who_are_not_administrators_get_404(
        self, user_client, organization, connected
    ):
        for traits in ({"reader": True}, {}):
            member = MembershipFactory(organization=organization, **traits).user
            client = user_client(member)
            for name in self.ALL:
                assert client.get(_url(name, organization)).status_code == 404
            for name in self.POSTS:
                assert client.post(_url(name, organization)).status_code == 404
        assert _refresh(connected).organization == organization

    def test_administrators_of_another_organization_get_404(
        self, user_client, organization, connected
    ):
        other_admin = MembershipFactory(administrator=True).user
        client = user_client(other_admin)
        for name in self.ALL:
            assert client.get(_url(name, organization)).status_code == 404
        assert client.post(_url("disconnect", organization)).status_code == 404
        assert _refresh(connected).organization == organization

    def test_unknown_organizations_answer_404(self, admin_client):
        assert admin_client.get("/organizations/999999/contract/").status_code == 404
        url = "/organizations/999999/contract/connect/"
        assert admin_client.post(url, {"contract": "key"}).status_code == 404

    def test_anonymous_people_are_sent_to_log_in(self, client, organization):
        response = client.get(_url("organization-contract", organization))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_side_menu_shows_contract_to_administrators_only(
        self, admin_client, user_client, organization
    ):
        contract_url = _url("organization-contract", organization)
        page = admin_client.get(organization.get_absolute_url())
        assert f'href="{contract_url}"' in page.text
        reader = MembershipFactory(organization=organization, reader=True).user
        page = user_client(reader).get(organization.get_absolute_url())
        assert f'href="{contract_url}"' not in page.text

    def test_side_menu_marks_the_contract_page_current(
        self, admin_client, organization
    ):
        page = admin_client.get(_url("organization-contract", organization))
        contract_url = _url("organization-contract", organization)
        assert f'href="{contract_url}" aria-current="page"' in page.text


class TestContractPageWithoutContract:
    def test_says_no_contract_and_offers_to_connect(self, admin_client, organization):
        page = admin_client.get(_url("organization-contract", organization))
        assert page.status_code == 200
        assert "No contract" in page.text
        assert f'action="{_url("connect", organization)}"' in page.text
        assert ">Connect</button>" in page.text
        assert "Disconnect" not in page.text


class TestConnectByDropdown:
    def test_dropdown_lists_only_contracts_that_can_be_connected(
        self, admin_client, admin_user, organization, contract
    ):
        today = timezone.localdate()
        ContractFactory(
            reference="ENDED-2020",
            managers=[admin_user],
            starts_on=today - datetime.timedelta(days=400),
            ends_on=today - datetime.timedelta(days=1),
        )
        elsewhere = ContractFactory(reference="ELSEWHERE-1", managers=[admin_user])
        services.contract_connect(
            organization=OrganizationFactory(), contract=elsewhere, actor=admin_user
        )
        ContractFactory(reference="NOT-MINE-1")
        ContractFactory(
            reference="LATER-2028",
            managers=[admin_user],
            starts_on=today + datetime.timedelta(days=10),
            ends_on=today + datetime.timedelta(days=400),
        )

        page = admin_client.get(_url("connect", organization))

        options = re.findall(
            r'<option value="([^"]+)"[^>]*>([^<]+)</option>', page.text
        )
        assert [label for _value, label in options] == [
            "ACME-2027 – Acme Inc.",
            "LATER-2028 – " + Contract.objects.get(reference="LATER-2028").customer,
            "Use a connection key",
        ]
        assert options[-1][0] == "key"

    def test_htmx_connect_returns_the_dropdown_step_only(
        self, admin_client, organization, contract
    ):
        response = admin_client.get(_url("connect", organization), headers=HTMX)
        assert response.text.lstrip().startswith('<div id="connect-step"')
        assert "<html" not in response.text
        assert '<select name="contract"' in response.text
        assert ">Next</button>" in response.text

    def test_next_connects_the_chosen_contract(
        self, admin_client, organization, contract
    ):
        response = admin_client.post(
            _url("connect", organization), {"contract": contract.pk}, follow=True
        )
        assert response.redirect_chain == [
            (_url("organization-contract", organization), 302)
        ]
        assert _refresh(contract).organization == organization
        assert "Contract ACME-2027 is connected to Acme." in response.text
        # Per plan, cheapest first: total, assigned, available.
        assert _overview_rows(response.text) == [
            ["Reader+", "5", "0", "5"],
            ["Professional", "10", "0", "10"],
        ]
        assert '<meter min="0" max="10" value="0"' in response.text

    def test_htmx_cancel_puts_the_connect_button_back(
        self, admin_client, organization, contract
    ):
        response = admin_client.get(
            _url("organization-contract", organization),
            headers={**HTMX, "HX-Target": "connect-step"},
        )
        assert response.text.lstrip().startswith('<div id="connect-step"')
        assert ">Connect</button>" in response.text
        assert "<select" not in response.text

    def test_htmx_next_redirects_the_client_to_the_contract_page(
        self, admin_client, organization, contract
    ):
        response = admin_client.post(
            _url("connect", organization), {"contract": contract.pk}, headers=HTMX
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == _url("organization-contract", organization)
        assert _refresh(contract).organization == organization

    def test_sending_connect_twice_is_harmless(
        self, admin_client, organization, contract
    ):
        for _ in range(2):
            response = admin_client.post(
                _url("connect", organization), {"contract": contract.pk}
            )
            assert response.status_code == 302
        assert _refresh(contract).organization == organization
        assert Event.objects.filter(kind=EventKind.CONNECTED).count() == 1

    def test_a_contract_someone_else_manages_is_refused(
        self, admin_client, organization, foreign_contract
    ):
        response = admin_client.post(
            _url("connect", organization),
            {"contract": foreign_contract.pk},
            headers=HTMX,
        )
        assert response.status_code == 422
        assert "This is not a contract you can connect." in response.text
        assert _refresh(foreign_contract).organization is None

    @pytest.mark.parametrize(
        "value", ["", "abc", "999999", "²", "١", "9" * 5000, str(2**63), "-1"]
    )
    def test_nonsense_choices_are_refused(self, admin_client, organization, value):
        response = admin_client.post(_url("connect", organization), {"contract": value})
        assert response.status_code == 422
        assert not Contract.objects.filter(organization=organization).exists()

    def test_an_ended_contract_cannot_be_connected(
        self, admin_client, organization, contract
    ):
        today = timezone.localdate()
        contract.starts_on = today - datetime.timedelta(days=400)
        contract.ends_on = today - datetime.timedelta(days=1)
        contract.save()
        response = admin_client.post(
            _url("connect", organization), {"contract": contract.pk}, headers=HTMX
        )
        assert response.status_code == 409
        assert response.text.lstrip().startswith('<div id="connect-step"')
        assert "ended on" in response.text
        assert _refresh(contract).organization is None

    def test_a_contract_connected_meanwhile_elsewhere_is_refused(
        self, admin_client, admin_user, organization, contract
    ):
        services.contract_connect(
            organization=OrganizationFactory(), contract=contract, actor=admin_user
        )
        response = admin_client.post(
            _url("connect", organization), {"contract": contract.pk}
        )
        assert response.status_code == 409
        assert "already connected to another organization" in response.text

    def test_an_organization_with_a_contract_cannot_connect_another(
        self, admin_client, admin_user, organization, connected
    ):
        second = ContractFactory(reference="SECOND-1", managers=[admin_user])
        response = admin_client.post(
            _url("connect", organization), {"contract": second.pk}
        )
        assert response.status_code == 409
        assert "Acme already has a contract" in response.text
        assert _refresh(second).organization is None

    def test_connect_page_of_a_connected_organization_leads_back(
        self, admin_client, organization, connected
    ):
        for name in ("connect", "connect-key"):
            response = admin_client.get(_url(name, organization))
            assert response.status_code == 302
            assert response["Location"] == _url("organization-contract", organization)

    def test_a_contract_without_seats_connects_and_says_it_has_no_plans(
        self, admin_client, admin_user, organization
    ):
        empty = ContractFactory(reference="EMPTY-1", managers=[admin_user])
        response = admin_client.post(
            _url("connect", organization), {"contract": empty.pk}, follow=True
        )
        assert _refresh(empty).organization == organization
        assert "This contract has no plans." in response.text


class TestConnectWithoutAContractToPick:
    """Issue 10, point 18: an administrator who manages no contract that
    could be connected goes straight to the key's field, without a dropdown
    whose only choice is "Use a connection key"."""

    def test_connect_shows_the_key_field_at_once(self, admin_client, organization):
        page = admin_client.get(_url("connect", organization))
        assert page.status_code == 200
        assert "<select" not in page.text
        assert "Use a connection key" not in page.text
        assert 'name="key"' in page.text and "autofocus" in page.text
        assert f'action="{_url("connect-key", organization)}"' in page.text

    def test_htmx_connect_swaps_in_the_key_step(self, admin_client, organization):
        response = admin_client.get(_url("connect", organization), headers=HTMX)
        assert response.text.lstrip().startswith('<div id="connect-step"')
        assert "<select" not in response.text
        assert 'name="key"' in response.text
        assert ">Connect with a connection key<" in response.text

    def test_a_contract_managed_elsewhere_gives_no_dropdown_either(
        self, admin_client, admin_user, organization
    ):
        """Connected to another organization, it cannot be picked here."""
        elsewhere = ContractFactory(reference="ELSEWHERE-1", managers=[admin_user])
        services.contract_connect(
            organization=OrganizationFactory(), contract=elsewhere, actor=admin_user
        )
        page = admin_client.get(_url("connect", organization))
        assert "<select" not in page.text
        assert 'name="key"' in page.text

    def test_a_manager_still_gets_the_dropdown(
        self, admin_client, organization, contract
    ):
        page = admin_client.get(_url("connect", organization))
        assert '<select name="contract"' in page.text
        assert "Use a connection key" in page.text

    def test_in_french_the_key_field_comes_at_once(self, admin_client, organization):
        page = admin_client.get(
            _url("connect", organization), headers={"Accept-Language": "fr"}
        )
        assert "<select" not in page.text
        assert 'name="key"' in page.text
        assert "Clé de connexion" in page.text


class TestConnectWithKey:
    def test_use_a_connection_key_leads_to_the_key_form(
        self, admin_client, organization
    ):
        response = admin_client.post(_url("connect", organization), {"contract": "key"})
        assert response.status_code == 302
        assert response["Location"] == _url("connect-key", organization)
        page = admin_client.get(response["Location"])
        assert '<form method="post"' in page.text
        assert 'name="key"' in page.text
        assert 'autocomplete="off"' in page.text

    def test_htmx_use_a_connection_key_swaps_in_the_key_form(
        self, admin_client, organization
    ):
        response = admin_client.post(
            _url("connect", organization), {"contract": "key"}, headers=HTMX
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<div id="connect-step"')
        assert 'name="key"' in response.text
        assert ">Connect</button>" in response.text

    def test_the_right_key_connects_the_contract(
        self, admin_client, organization, foreign_contract, manager
    ):
        plaintext = _key_for(foreign_contract, manager)
        response = admin_client.post(
            _url("connect-key", organization), {"key": plaintext}, follow=True
        )
        assert response.redirect_chain == [
            (_url("organization-contract", organization), 302)
        ]
        assert _refresh(foreign_contract).organization == organization
        assert "Contract GLOBEX-2027 is connected to Acme." in response.text
        assert plaintext not in response.text
        assert ConnectionKey.objects.get().used_at is not None

    def test_htmx_key_redirects_the_client(
        self, admin_client, organization, foreign_contract, manager
    ):
        plaintext = _key_for(foreign_contract, manager)
        response = admin_client.post(
            _url("connect-key", organization), {"key": plaintext}, headers=HTMX
        )
        assert response["HX-Redirect"] == _url("organization-contract", organization)
        assert _refresh(foreign_contract).organization == organization

    def test_sending_the_key_twice_is_harmless(
        self, admin_client, organization, foreign_contract, manager
    ):
        plaintext = _key_for(foreign_contract, manager)
        for _ in range(2):
            response = admin_client.post(
                _url("connect-key", organization), {"key": plaintext}
            )
            assert response.status_code == 302
        assert not Event.objects.filter(kind=EventKind.KEY_REJECTED).exists()
        assert _refresh(foreign_contract).organization == organization

    def test_an_empty_key_is_asked_for_again(self, admin_client, organization):
        response = admin_client.post(
            _url("connect-key", organization), {"key": "  "}, headers=HTMX
        )
        assert response.status_code == 422
        assert "This field is required." in response.text

    @pytest.mark.parametrize(
        ("situation", "message", "status"),
        [
            ("malformed", "This is not a connection key", 422),
            ("unknown", "This connection key is not right", 422),
            ("expired", "This connection key expired on", 422),
            ("used", "This connection key has already been used", 422),
            ("revoked", "replaced by a newer one or revoked", 422),
            ("connected elsewhere", "already connected to another organization", 409),
            ("organization has one", "Acme already has a contract", 409),
        ],
    )
    def test_each_refused_key_gets_its_message_and_changes_nothing(
        self,
        admin_client,
        admin_user,
        organization,
        foreign_contract,
        manager,
        situation,
        message,
        status,
    ):
        plaintext = _key_for(foreign_contract, manager)
        other = OrganizationFactory()
        if situation == "malformed":
            plaintext = "SEAT-1234"
        elif situation == "unknown":
            plaintext = key_generate()
        elif situation == "expired":
            ConnectionKey.objects.update(
                expires_at=timezone.now() - datetime.timedelta(minutes=1)
            )
        elif situation == "used":
            services.contract_connect_with_key(
                organization=other, key=plaintext, actor=manager
            )
            services.contract_disconnect(organization=other, actor=manager)
        elif situation == "revoked":
            _key_for(foreign_contract, manager)
        elif situation == "connected elsewhere":
            services.contract_connect(
                organization=other, contract=foreign_contract, actor=manager
            )
        elif situation == "organization has one":
            own = ContractFactory(managers=[admin_user])
            services.contract_connect(
                organization=organization, contract=own, actor=admin_user
            )
        before = Contract.objects.filter(organization=organization).first()

        response = admin_client.post(
            _url("connect-key", organization), {"key": plaintext}, headers=HTMX
        )

        assert response.status_code == status
        assert response.text.lstrip().startswith('<div id="connect-step"')
        assert message in response.text
        assert 'name="key"' in response.text
        assert Contract.objects.filter(organization=organization).first() == before
        recorded = Event.objects.filter(
            kind=EventKind.KEY_REJECTED, organization=organization
        ).exists()
        if situation == "malformed":
            # A typo is kept in the field to correct, and not counted.
            assert f'value="{plaintext}"' in response.text
            assert "5 attempts left." in response.text
            assert not recorded
        else:
            # A well-shaped key is a secret: not sent back.
            assert plaintext not in response.text
            assert "4 attempts left." in response.text
            assert recorded

    def test_without_javascript_a_refused_key_shows_the_whole_page(
        self, admin_client, organization
    ):
        response = admin_client.post(_url("connect-key", organization), {"key": "x"})
        assert response.status_code == 422
        assert "<html" in response.text
        assert "This is not a connection key" in response.text

    def test_five_wrong_keys_block_the_sixth_attempt_with_429(
        self, admin_client, organization, foreign_contract, manager
    ):
        plaintext = _key_for(foreign_contract, manager)
        for _ in range(5):
            response = admin_client.post(
                _url("connect-key", organization), {"key": key_generate()}
            )
            assert response.status_code == 422
        assert "No attempts left: wait 15 minutes" in response.text
        response = admin_client.post(
            _url("connect-key", organization), {"key": plaintext}, headers=HTMX
        )
        assert response.status_code == 429
        assert "Too many wrong connection keys" in response.text
        assert _refresh(foreign_contract).organization is None

    def test_malformed_keys_never_use_up_the_attempts(
        self, admin_client, organization, foreign_contract, manager
    ):
        plaintext = _key_for(foreign_contract, manager)
        for typo in ["SEAT-WRONG", "nope", plaintext[:-2], plaintext + "X"] * 3:
            response = admin_client.post(
                _url("connect-key", organization), {"key": typo}, headers=HTMX
            )
            assert response.status_code == 422
            assert "This is not a connection key" in response.text
            assert "5 attempts left." in response.text
        response = admin_client.post(
            _url("connect-key", organization), {"key": plaintext}
        )
        assert response.status_code == 302
        assert _refresh(foreign_contract).organization == organization

    def test_the_organization_limit_holds_for_another_administrator(
        self, user_client, organization, foreign_contract, manager
    ):
        """Four administrators use up the organization's 20 attempts with
        five each; a fifth is refused with 429 before their key is read."""
        plaintext = _key_for(foreign_contract, manager)
        for _ in range(4):
            colleague = MembershipFactory(organization=organization, administrator=True)
            client = user_client(colleague.user)
            for _ in range(5):
                response = client.post(
                    _url("connect-key", organization), {"key": key_generate()}
                )
                assert response.status_code == 422
        fresh = MembershipFactory(organization=organization, administrator=True)
        response = user_client(fresh.user).post(
            _url("connect-key", organization), {"key": plaintext}
        )
        assert response.status_code == 429
        assert "Too many wrong connection keys were entered for Acme" in response.text
        assert _refresh(foreign_contract).organization is None

    def test_the_history_shows_one_line_per_burst(
        self, admin_client, admin_user, organization
    ):
        for _ in range(3):
            admin_client.post(
                _url("connect-key", organization), {"key": key_generate()}
            )
        page = admin_client.get(_url("organization-contract", organization))
        history = page.text.split('id="history"')[1]
        name = admin_user.display_name
        assert f"3 refused connection key attempts by {name} between" in history
        assert history.count("refused connection key") == 1
        assert "entered a connection key that was refused" not in history

    def test_the_typed_text_is_not_cached(self, admin_client, organization):
        response = admin_client.post(_url("connect-key", organization), {"key": "x"})
        assert "no-store" in response["Cache-Control"]

    def test_the_key_is_kept_nowhere(
        self, admin_client, organization, foreign_contract, manager
    ):
        """Not in the session, not in a URL, not echoed back; error reports
        hide it."""
        plaintext = _key_for(foreign_contract, manager)
        admin_client.post(_url("connect-key", organization), {"key": "wrong"})
        response = admin_client.post(
            _url("connect-key", organization), {"key": plaintext}
        )
        assert list(response.wsgi_request.sensitive_post_parameters) == ["key"]
        session = admin_client.session
        stored = " ".join(f"{k}={v}" for k, v in session.items())
        assert plaintext not in stored
        assert plaintext.replace("-", "") not in stored
        assert plaintext not in response["Location"]
        assert not any(
            plaintext in str(value) for value in Event.objects.values_list("detail")
        )


class TestDisconnect:
    def test_contract_page_links_to_a_confirmation_in_a_dialog(
        self, admin_client, organization, connected
    ):
        page = admin_client.get(_url("organization-contract", organization))
        assert (
            f'href="{_url("disconnect", organization)}" '
            'data-opens-dialog="disconnect-dialog"'
        ) in page.text
        dialog = page.text.split('<dialog id="disconnect-dialog"')[1]
        assert "Members keep the plans they hold" in dialog
        assert "Automatic assignment stops." in dialog
        assert '<form method="dialog">' in dialog

    def test_confirmation_page_works_without_javascript(
        self, admin_client, organization, connected
    ):
        page = admin_client.get(_url("disconnect", organization))
        assert page.status_code == 200
        assert '<h1 id="disconnect-confirm-title">' in page.text
        assert "Disconnect contract ACME-2027 from Acme?" in page.text
        assert f'href="{_url("organization-contract", organization)}"' in page.text
        assert _refresh(connected).organization == organization

    def test_accepting_disconnects_and_members_keep_their_plans(
        self, admin_client, admin_user, organization, connected
    ):
        member = MembershipFactory(organization=organization).user
        services.member_plan_set(
            organization=organization,
            user=member,
            plan=plan("professional"),
            actor=admin_user,
        )
        services.contract_set_auto_assign(
            organization=organization, enabled=True, actor=admin_user
        )
        response = admin_client.post(_url("disconnect", organization), follow=True)
        assert response.redirect_chain[-1][0] == _url(
            "organization-contract", organization
        )
        assert "Contract ACME-2027 is disconnected" in response.text
        assert "No contract" in response.text
        assert ">Connect</button>" in response.text
        contract = _refresh(connected)
        assert contract.organization is None
        assert contract.auto_assign is False
        assert Seat.objects.filter(contract=contract, user=member).exists()

    def test_htmx_disconnect_redirects_the_client(
        self, admin_client, organization, connected
    ):
        response = admin_client.post(_url("disconnect", organization), headers=HTMX)
        assert response["HX-Redirect"] == _url("organization-contract", organization)
        assert _refresh(connected).organization is None

    def test_disconnecting_twice_is_harmless(
        self, admin_client, organization, connected
    ):
        admin_client.post(_url("disconnect", organization))
        response = admin_client.post(_url("disconnect", organization), follow=True)
        assert response.status_code == 200
        assert "This organization has no contract." in response.text
        assert Event.objects.filter(kind=EventKind.DISCONNECTED).count() == 1

    def test_the_organization_can_connect_again(
        self, admin_client, organization, connected
    ):
        admin_client.post(_url("disconnect", organization))
        admin_client.post(_url("connect", organization), {"contract": connected.pk})
        assert _refresh(connected).organization == organization


class TestAutoAssign:
    def test_the_switch_is_an_autosaving_form(
        self, admin_client, organization, connected
    ):
        page = admin_client.get(_url("organization-contract", organization))
        form = page.text.split('<form id="auto-assign-form"')[1].split("</form>")[0]
        assert 'hx-trigger="change"' in form
        assert 'role="switch"' in form
        assert 'type="checkbox"' in form
        assert "<noscript><button" in form
        assert "Assign plans automatically" in form
        assert "Changes are saved automatically" in form

    def test_switching_on_and_off_saves_at_once(
        self, admin_client, organization, connected
    ):
        url = _url("auto-assign", organization)
        response = admin_client.post(url, {"enabled": "on"}, headers=HTMX)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<form id="auto-assign-form"')
        assert "Saved" in response.text
        assert re.search(r'<input[^>]*role="switch"[^>]*checked', response.text)
        assert _refresh(connected).auto_assign is True

        response = admin_client.post(url, {}, headers=HTMX)
        assert "Saved" in response.text
        assert not re.search(r'<input[^>]*role="switch"[^>]*checked', response.text)
        assert _refresh(connected).auto_assign is False
        assert list(
            Event.objects.filter(kind__startswith="auto_assign").values_list(
                "kind", flat=True
            )
        ) == [EventKind.AUTO_ASSIGN_OFF, EventKind.AUTO_ASSIGN_ON]

    def test_without_javascript_the_switch_posts_and_comes_back(
        self, admin_client, organization, connected
    ):
        response = admin_client.post(
            _url("auto-assign", organization), {"enabled": "on"}, follow=True
        )
        assert response.redirect_chain[-1][0] == _url(
            "organization-contract", organization
        )
        assert "Saved" in response.text
        assert _refresh(connected).auto_assign is True

    def test_without_a_contract_the_switch_says_why_not(
        self, admin_client, organization
    ):
        response = admin_client.post(
            _url("auto-assign", organization), {"enabled": "on"}, headers=HTMX
        )
        assert response.status_code == 409
        assert "has no contract connected" in response.text


class TestPlanRequests:
    def test_lists_who_asked_for_what_and_when(
        self, admin_client, organization, connected
    ):
        bob = MembershipFactory(organization=organization, user__full_name="Bob B").user
        carol = MembershipFactory(
            organization=organization, user__full_name="Carol C"
        ).user
        for user, feature in [
            (bob, Feature.REPORT_EXPORT),
            (bob, Feature.CUSTOM_BRANDING),
            (carol, Feature.REPORTS_REAL_DATA),
        ]:
            services.plan_request_record(contract=connected, user=user, feature=feature)

        page = admin_client.get(_url("organization-contract", organization))

        assert "2 members asked for a plan" in page.text
        section = page.text.split('id="requests-title"')[1].split("</section>")[0]
        assert section.count("Bob B") == 2
        assert "Carol C" in section
        assert "Exporting reports" in section
        assert "Reading reports with real data" in section
        assert "<time datetime=" in section

    def test_nothing_is_said_when_nobody_asked(
        self, admin_client, organization, connected
    ):
        page = admin_client.get(_url("organization-contract", organization))
        assert "asked for a plan" not in page.text


class TestHistory:
    def test_events_read_as_sentences_newest_first(
        self, admin_client, admin_user, organization, connected
    ):
        member = MembershipFactory(
            organization=organization, user__full_name="Bob Bernard"
        ).user
        services.member_plan_set(
            organization=organization,
            user=member,
            plan=plan("professional"),
            actor=admin_user,
        )
        services.seat_put(
            contract=connected,
            user=member,
            plan=plan("reader-plus"),
            actor=None,
            source="automatic",
            feature=Feature.REPORTS_REAL_DATA,
        )
        support = UserFactory(full_name="Sam Support", is_staff=True)
        seat = Seat.objects.get(user=member)
        services.seat_release(seat=seat, actor=support, source="support")

        page = admin_client.get(_url("organization-contract", organization))

        history = page.text.split('id="history"')[1]
        name = admin_user.display_name
        sentences = [
            "Sam Support (support) took back the Reader+ plan of Bob Bernard.",
            "Bob Bernard moved to the Reader+ plan automatically, for "
            "“Reading reports with real data”.",
            f"{name} gave Bob Bernard the Professional plan by hand.",
            f"{name} connected contract ACME-2027 to Acme.",
        ]
        positions = [history.index(sentence) for sentence in sentences]
        assert positions == sorted(positions)

    def test_shows_only_this_organizations_events(
        self, admin_client, admin_user, organization, connected
    ):
        other = OrganizationFactory(name="Initech")
        services.contract_connect(
            organization=other,
            contract=ContractFactory(reference="INITECH-1"),
            actor=admin_user,
        )
        page = admin_client.get(_url("organization-contract", organization))
        assert "INITECH-1" not in page.text

    def test_is_paginated_by_twenty_with_htmx_links(
        self, admin_client, admin_user, organization, connected
    ):
        for enabled in [True, False] * 12:
            services.contract_set_auto_assign(
                organization=organization, enabled=enabled, actor=admin_user
            )
        url = _url("organization-contract", organization)
        first = admin_client.get(url)
        assert first.context["history"].paginator.count == 25
        assert len(first.context["history"].object_list) == 20
        assert 'href="?page=2"' in first.text
        assert 'hx-get="?page=2" hx-target="#history"' in first.text

        second = admin_client.get(
            url, {"page": 2}, headers={**HTMX, "HX-Target": "history"}
        )
        assert "<html" not in second.text
        assert second.text.count("<li>") == 5
        assert "connected contract ACME-2027 to Acme." in second.text

        plain = admin_client.get(url, {"page": 2})
        assert "<html" in plain.text
        assert "connected contract ACME-2027 to Acme." in plain.text


class TestQueryCounts:
    def test_contract_page_queries_do_not_grow_with_the_seats_held(
        self, admin_client, admin_user, organization, django_assert_num_queries
    ):
        contract = ContractFactory(
            managers=[admin_user], seats={"professional": 6000, "reader-plus": 10}
        )
        services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        url = _url("organization-contract", organization)

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
        SeatFactory(contract=contract, plan=plan("reader-plus"))
        asking = MembershipFactory(organization=organization).user
        services.plan_request_record(
            contract=contract, user=asking, feature=Feature.CUSTOM_BRANDING
        )
        # Ten, two for the waitlist and the requests for a plan (the plans
        # to give are read only when a request is shown) and one for the
        # plans by group.
        with django_assert_num_queries(13):
            small = admin_client.get(url)
        hold(4950)
        with django_assert_num_queries(13):
            large = admin_client.get(url)
        assert '<meter min="0" max="6000" value="50"' in small.text
        assert '<meter min="0" max="6000" value="5000"' in large.text


class TestDisconnectedSeats:
    """After a disconnection the page says who still holds a seat from the
    contract (issue 10, point 4), instead of claiming everyone is on Free."""

    def _hold(self, organization, contract, code, email, name=""):
        member = MembershipFactory(
            organization=organization,
            user=UserFactory(email=email, full_name=name),
        ).user
        return SeatFactory(contract=contract, plan=plan(code), user=member)

    def test_lists_the_seats_members_still_hold_and_who_can_free_them(
        self, admin_client, admin_user, organization, connected
    ):
        self._hold(organization, connected, "professional", "bob@acme.example", "Bob")
        self._hold(
            organization, connected, "reader-plus", "carol@acme.example", "Carol"
        )
        # A seat of someone outside the organization is not its business.
        SeatFactory(
            contract=connected,
            plan=plan("professional"),
            user=UserFactory(email="stranger@example.test", full_name="Stranger"),
        )
        admin_client.post(_url("disconnect", organization))

        response = admin_client.get(_url("organization-contract", organization))

        assert "its members use the Free plan" not in response.text
        assert "the contract's managers can free them" in response.text
        assert "Seats still held from ACME-2027" in response.text
        rows = re.findall(
            r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td><time",
            response.text,
        )
        # Best plan first.
        assert rows == [("Bob", "Professional"), ("Carol", "Reader+")]
        assert "Stranger" not in response.text
        assert "2 seats" in response.text

    def test_reads_the_contract_from_the_newest_disconnection(
        self, admin_client, admin_user, organization, connected
    ):
        self._hold(organization, connected, "professional", "bob@acme.example", "Bob")
        admin_client.post(_url("disconnect", organization))
        other = ContractFactory(
            reference="OTHER-2027", managers=[admin_user], seats={"starter": 2}
        )
        services.contract_connect(
            organization=organization, contract=other, actor=admin_user
        )
        self._hold(organization, other, "starter", "dan@acme.example", "Dan")
        admin_client.post(_url("disconnect", organization))

        response = admin_client.get(_url("organization-contract", organization))

        assert "Seats still held from OTHER-2027" in response.text
        assert "Dan" in response.text
        assert "Seats still held from ACME-2027" not in response.text
        assert "<td>Bob</td>" not in response.text

    def test_with_no_seat_left_members_are_said_to_use_free(
        self, admin_client, organization, connected
    ):
        admin_client.post(_url("disconnect", organization))
        response = admin_client.get(_url("organization-contract", organization))
        assert "its members use the Free plan" in response.text
        assert "Seats still held" not in response.text

    def test_an_ended_contract_grants_nothing_so_free_is_true(
        self, admin_client, organization, connected
    ):
        self._hold(organization, connected, "professional", "bob@acme.example")
        admin_client.post(_url("disconnect", organization))
        Contract.objects.filter(pk=connected.pk).update(
            starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2020, 12, 31)
        )
        response = admin_client.get(_url("organization-contract", organization))
        assert "its members use the Free plan" in response.text
        assert "Seats still held" not in response.text

    def test_the_list_is_paginated_and_its_queries_do_not_grow(
        self, admin_client, organization, connected, django_assert_num_queries
    ):
        connected.allotments.update(seats=1000)
        admin_client.post(_url("disconnect", organization))
        url = _url("organization-contract", organization)

        def hold(count):
            start = User.objects.count()
            for n in range(count):
                self._hold(
                    organization, connected, "professional", f"h{start + n}@acme.test"
                )

        hold(25)
        with django_assert_num_queries(9):
            first = admin_client.get(url)
        assert "25 seats" in first.text
        assert 'href="?held=2"' in first.text
        second = admin_client.get(url, {"held": 2})
        assert second.text.count("<td><time") == 5
        hold(40)
        with django_assert_num_queries(9):
            admin_client.get(url)
