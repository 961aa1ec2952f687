import datetime

import pytest
from django.core import mail
from django.utils import timezone

from contracts import services
from contracts.exceptions import (
    ContractUnavailable,
    KeyMalformed,
    KeyRejected,
    KeyThrottled,
    NotAMember,
    NotConnected,
    OrganizationAlreadyConnected,
    SeatsExhausted,
)
from contracts.keys import key_generate
from contracts.models import (
    ConnectionKey,
    Contract,
    Event,
    EventKind,
    KeyAttempt,
    Seat,
)
from organizations.models import Membership
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, SeatFactory, plan
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return UserFactory(email="manager@example.test")


@pytest.fixture
def contract(manager):
    return ContractFactory(
        reference="ACME-2027",
        managers=[manager],
        seats={"professional": 2, "reader-plus": 1},
    )


@pytest.fixture
def connected(contract, organization, admin_user):
    return services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )


def _kinds(**filters):
    return list(Event.objects.filter(**filters).values_list("kind", flat=True))


class TestConnect:
    def test_connects_records_and_tells_the_managers(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.contract_connect(
                organization=organization, contract=contract, actor=admin_user
            )
        contract.refresh_from_db()
        assert contract.organization == organization
        assert contract.connected_at is not None
        assert _kinds(contract=contract) == [EventKind.CONNECTED]
        assert [message.to for message in mail.outbox] == [["manager@example.test"]]
        assert "ACME-2027" in mail.outbox[0].subject

    def test_connecting_again_changes_nothing(
        self, connected, organization, admin_user
    ):
        services.contract_connect(
            organization=organization, contract=connected, actor=admin_user
        )
        assert _kinds(contract=connected) == [EventKind.CONNECTED]

    def test_an_ended_contract_cannot_be_connected(
        self, contract, organization, admin_user
    ):
        contract.starts_on = timezone.localdate() - datetime.timedelta(days=400)
        contract.ends_on = timezone.localdate() - datetime.timedelta(days=1)
        contract.save()
        with pytest.raises(ContractUnavailable, match="ended on"):
            services.contract_connect(
                organization=organization, contract=contract, actor=admin_user
            )
        contract.refresh_from_db()
        assert contract.organization is None

    def test_a_contract_connected_elsewhere_is_refused(self, connected, admin_user):
        other = OrganizationFactory()
        with pytest.raises(ContractUnavailable, match="another organization"):
            services.contract_connect(
                organization=other, contract=connected, actor=admin_user
            )

    def test_an_organization_holds_one_contract(
        self, connected, organization, admin_user
    ):
        second = ContractFactory()
        with pytest.raises(OrganizationAlreadyConnected):
            services.contract_connect(
                organization=organization, contract=second, actor=admin_user
            )
        second.refresh_from_db()
        assert second.organization is None


class TestConnectionKeys:
    def test_only_a_digest_and_a_hint_are_stored(self, contract, manager):
        key, plain = services.connection_key_generate(contract=contract, actor=manager)
        stored = ConnectionKey.objects.get(pk=key.pk)
        assert plain.replace("-", "").removeprefix("SEAT") not in str(
            ConnectionKey.objects.filter(pk=key.pk).values().get()
        )
        assert plain.endswith(stored.hint)
        assert stored.expires_at - stored.created_at == datetime.timedelta(days=7)
        assert _kinds(contract=contract) == [EventKind.KEY_GENERATED]

    def test_a_new_key_revokes_the_old_one(
        self, contract, manager, organization, admin_user
    ):
        _key, old = services.connection_key_generate(contract=contract, actor=manager)
        _key, new = services.connection_key_generate(contract=contract, actor=manager)
        with pytest.raises(KeyRejected, match="replaced by a newer one or revoked"):
            services.contract_connect_with_key(
                organization=organization, key=old, actor=admin_user
            )
        services.contract_connect_with_key(
            organization=organization, key=new, actor=admin_user
        )
        contract.refresh_from_db()
        assert contract.organization == organization

    def test_connecting_with_a_key_uses_it_once(
        self, contract, manager, organization, admin_user
    ):
        key, plain = services.connection_key_generate(contract=contract, actor=manager)
        services.contract_connect_with_key(
            organization=organization, key=plain, actor=admin_user
        )
        key.refresh_from_db()
        assert key.used_by == admin_user
        assert set(_kinds(contract=contract)) >= {
            EventKind.KEY_USED,
            EventKind.CONNECTED,
        }
        services.contract_disconnect(organization=organization, actor=admin_user)
        with pytest.raises(KeyRejected, match="already been used"):
            services.contract_connect_with_key(
                organization=organization, key=plain, actor=admin_user
            )

    def test_an_expired_key_is_refused(
        self, contract, manager, organization, admin_user
    ):
        key, plain = services.connection_key_generate(contract=contract, actor=manager)
        ConnectionKey.objects.filter(pk=key.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        with pytest.raises(KeyRejected, match="expired"):
            services.contract_connect_with_key(
                organization=organization, key=plain, actor=admin_user
            )
        contract.refresh_from_db()
        assert contract.organization is None

    @pytest.mark.parametrize(
        "key", ["hello", "SEAT-" + "-".join(["ABCD"] * 9), "SEAT-" + "0" * 36]
    )
    def test_malformed_keys_are_refused_without_counting(
        self, organization, admin_user, key
    ):
        """Wrong length, characters or checksum: a typo, refused before it
        counts as an attempt, so it is neither recorded nor counted."""
        with pytest.raises(KeyMalformed, match="not a connection key") as refused:
            services.contract_connect_with_key(
                organization=organization, key=key, actor=admin_user
            )
        assert refused.value.attempts_left == services.KEY_ATTEMPT_LIMIT
        assert _kinds(organization=organization) == []
        assert not KeyAttempt.objects.exists()

    def test_a_well_formed_unknown_key_is_refused(self, organization, admin_user):
        with pytest.raises(KeyRejected, match="not right"):
            services.contract_connect_with_key(
                organization=organization, key=key_generate(), actor=admin_user
            )

    def test_the_key_of_a_contract_connected_elsewhere_is_refused(
        self, contract, manager, admin_user
    ):
        _key, plain = services.connection_key_generate(contract=contract, actor=manager)
        services.contract_connect(
            organization=OrganizationFactory(), contract=contract, actor=admin_user
        )
        organization = MembershipFactory(
            user=admin_user, administrator=True
        ).organization
        with pytest.raises(ContractUnavailable):
            services.contract_connect_with_key(
                organization=organization, key=plain, actor=admin_user
            )
        event = Event.objects.get(kind=EventKind.KEY_REJECTED)
        assert event.contract == contract

    def test_five_failures_per_person_block_the_sixth_attempt(
        self, contract, manager, organization, admin_user
    ):
        _key, plain = services.connection_key_generate(contract=contract, actor=manager)
        for _ in range(5):
            with pytest.raises(KeyRejected):
                services.contract_connect_with_key(
                    organization=organization, key=key_generate(), actor=admin_user
                )
        with pytest.raises(KeyThrottled):
            services.contract_connect_with_key(
                organization=organization, key=plain, actor=admin_user
            )
        contract.refresh_from_db()
        assert contract.organization is None

    def test_twenty_failures_per_organization_block_every_administrator(
        self, contract, manager, organization
    ):
        """Four administrators, five wrong keys each, stay under the limit
        per person but use up the organization's 20: a fifth is refused."""
        _key, plain = services.connection_key_generate(contract=contract, actor=manager)
        for _ in range(4):
            someone = MembershipFactory(organization=organization, administrator=True)
            for _ in range(5):
                with pytest.raises(KeyRejected) as refused:
                    services.contract_connect_with_key(
                        organization=organization,
                        key=key_generate(),
                        actor=someone.user,
                    )
        assert refused.value.attempts_left == 0
        fresh = MembershipFactory(organization=organization, administrator=True).user
        with pytest.raises(KeyThrottled, match="for Acme"):
            services.contract_connect_with_key(
                organization=organization, key=plain, actor=fresh
            )
        contract.refresh_from_db()
        assert contract.organization is None

    def test_failures_older_than_the_window_do_not_count(
        self, contract, manager, organization, admin_user
    ):
        _key, plain = services.connection_key_generate(contract=contract, actor=manager)
        for _ in range(5):
            with pytest.raises(KeyRejected):
                services.contract_connect_with_key(
                    organization=organization, key=key_generate(), actor=admin_user
                )
        KeyAttempt.objects.update(
            created_at=timezone.now() - datetime.timedelta(minutes=16)
        )
        services.contract_connect_with_key(
            organization=organization, key=plain, actor=admin_user
        )


class TestDisconnect:
    def test_members_keep_their_seats_and_automatic_assignment_stops(
        self, connected, organization, admin_user, django_capture_on_commit_callbacks
    ):
        member = MembershipFactory(organization=organization).user
        services.contract_set_auto_assign(
            organization=organization, enabled=True, actor=admin_user
        )
        services.member_plan_set(
            organization=organization,
            user=member,
            plan=plan("professional"),
            actor=admin_user,
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.contract_disconnect(organization=organization, actor=admin_user)
        connected.refresh_from_db()
        assert connected.organization is None
        assert connected.auto_assign is False
        assert Seat.objects.filter(contract=connected, user=member).exists()
        assert "disconnected" in mail.outbox[-1].subject
        with pytest.raises(NotConnected):
            services.member_plan_set(
                organization=organization,
                user=member,
                plan=plan("free"),
                actor=admin_user,
            )

    def test_disconnecting_without_a_contract_is_refused(
        self, organization, admin_user
    ):
        with pytest.raises(NotConnected):
            services.contract_disconnect(organization=organization, actor=admin_user)

    def test_the_organization_can_connect_again(
        self, connected, organization, admin_user
    ):
        services.contract_disconnect(organization=organization, actor=admin_user)
        services.contract_connect(
            organization=organization, contract=connected, actor=admin_user
        )
        assert Contract.objects.get(organization=organization) == connected


class TestSeats:
    def test_giving_a_plan_records_and_tells_the_member(
        self, connected, organization, admin_user, django_capture_on_commit_callbacks
    ):
        member = MembershipFactory(organization=organization).user
        with django_capture_on_commit_callbacks(execute=True):
            seat = services.member_plan_set(
                organization=organization,
                user=member,
                plan=plan("professional"),
                actor=admin_user,
            )
        assert seat.source == "manual"
        assert seat.assigned_by == admin_user
        event = Event.objects.get(kind=EventKind.SEAT_ASSIGNED)
        assert (event.member, event.actor, event.plan) == (
            member,
            admin_user,
            plan("professional"),
        )
        assert mail.outbox[-1].to == [member.email]

    def test_the_same_change_twice_changes_nothing(
        self, connected, organization, admin_user
    ):
        member = MembershipFactory(organization=organization).user
        for _ in range(2):
            services.member_plan_set(
                organization=organization,
                user=member,
                plan=plan("professional"),
                actor=admin_user,
            )
        assert Seat.objects.filter(user=member).count() == 1
        assert _kinds(kind=EventKind.SEAT_ASSIGNED) == [EventKind.SEAT_ASSIGNED]

    def test_a_full_plan_is_refused(self, connected, organization, admin_user):
        SeatFactory(contract=connected, plan=plan("reader-plus"))
        member = MembershipFactory(organization=organization).user
        with pytest.raises(SeatsExhausted, match="No Reader\\+ plan is left"):
            services.member_plan_set(
                organization=organization,
                user=member,
                plan=plan("reader-plus"),
                actor=admin_user,
            )
        assert not Seat.objects.filter(user=member).exists()

    def test_changing_plan_moves_the_seat(self, connected, organization, admin_user):
        member = MembershipFactory(organization=organization).user
        services.member_plan_set(
            organization=organization,
            user=member,
            plan=plan("reader-plus"),
            actor=admin_user,
        )
        services.member_plan_set(
            organization=organization,
            user=member,
            plan=plan("professional"),
            actor=admin_user,
        )
        seat = Seat.objects.get(user=member)
        assert seat.plan == plan("professional")
        # The Reader+ seat is free again.
        other = MembershipFactory(organization=organization).user
        services.member_plan_set(
            organization=organization,
            user=other,
            plan=plan("reader-plus"),
            actor=admin_user,
        )

    def test_free_takes_the_seat_back_at_once(
        self, connected, organization, admin_user
    ):
        member = MembershipFactory(organization=organization).user
        services.member_plan_set(
            organization=organization,
            user=member,
            plan=plan("professional"),
            actor=admin_user,
        )
        assert (
            services.member_plan_set(
                organization=organization,
                user=member,
                plan=plan("free"),
                actor=admin_user,
            )
            is None
        )
        assert not Seat.objects.filter(user=member).exists()
        assert _kinds(kind=EventKind.SEAT_RELEASED) == [EventKind.SEAT_RELEASED]

    def test_only_members_get_plans(self, connected, organization, admin_user):
        with pytest.raises(NotAMember):
            services.member_plan_set(
                organization=organization,
                user=UserFactory(),
                plan=plan("professional"),
                actor=admin_user,
            )

    def test_a_plan_outside_the_contract_is_refused(
        self, connected, organization, admin_user
    ):
        member = MembershipFactory(organization=organization).user
        with pytest.raises(Exception, match="has no Starter plan"):
            services.member_plan_set(
                organization=organization,
                user=member,
                plan=plan("starter"),
                actor=admin_user,
            )

    def test_leaving_the_organization_frees_the_seat(
        self, connected, organization, admin_user
    ):
        membership = MembershipFactory(organization=organization)
        services.member_plan_set(
            organization=organization,
            user=membership.user,
            plan=plan("professional"),
            actor=admin_user,
        )
        services.member_remove(membership=membership, actor=admin_user)
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert not Seat.objects.filter(user=membership.user).exists()
