"""Issue 11, point 6: the waitlist. A member refused a feature for want of
a seat joins it; a freed seat goes to the oldest fitting waiting member
(automatic assignment on) or the administrators hear of it (off)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from contracts import services
from contracts.exceptions import ContractError, SeatsExhausted
from contracts.models import (
    AutoAssignExclusion,
    Event,
    EventKind,
    Seat,
    SeatSource,
    WaitlistEntry,
    WaitlistStatus,
)
from plans.models import Feature
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory

READ = Feature.REPORTS_REAL_DATA


@pytest.fixture
def contract(organization, admin_user):
    """Two Reader+ seats and one Professional, connected, all held."""
    contract = ContractFactory(seats={"reader-plus": 2, "professional": 1})
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    return contract


def _member(organization):
    return MembershipFactory(organization=organization, reader=True).user


def _fill(contract, organization, admin_user):
    """Every seat held; returns the holders by plan code."""
    holders = {}
    for code, count in (("reader-plus", 2), ("professional", 1)):
        for _n in range(count):
            user = _member(organization)
            services.member_plan_set(
                organization=organization, user=user, plan=plan(code), actor=admin_user
            )
            holders.setdefault(code, []).append(user)
    return holders


def _auto_assign(organization, admin_user, enabled=True):
    services.contract_set_auto_assign(
        organization=organization, enabled=enabled, actor=admin_user
    )


class TestJoinAndLeave:
    def test_joining_twice_keeps_one_entry_and_one_event(
        self, contract, organization, admin_user
    ):
        _fill(contract, organization, admin_user)
        carol = _member(organization)
        first = services.waitlist_join(
            organization=organization, user=carol, feature=READ
        )
        second = services.waitlist_join(
            organization=organization, user=carol, feature=READ
        )
        assert first.pk == second.pk
        assert WaitlistEntry.objects.filter(user=carol).count() == 1
        assert (
            Event.objects.filter(kind=EventKind.WAITLIST_JOINED, member=carol).count()
            == 1
        )

    def test_leaving_closes_the_entry_and_joining_again_opens_a_new_one(
        self, contract, organization, admin_user
    ):
        _fill(contract, organization, admin_user)
        carol = _member(organization)
        services.waitlist_join(organization=organization, user=carol, feature=READ)
        services.waitlist_leave(organization=organization, user=carol)
        entry = WaitlistEntry.objects.get(user=carol)
        assert entry.status == WaitlistStatus.LEFT
        assert entry.closed_by == carol
        assert Event.objects.filter(kind=EventKind.WAITLIST_LEFT, member=carol).exists()
        services.waitlist_join(organization=organization, user=carol, feature=READ)
        assert WaitlistEntry.objects.filter(
            user=carol, status=WaitlistStatus.WAITING
        ).exists()

    def test_no_plan_of_the_contract_has_the_feature(self, organization, admin_user):
        contract = ContractFactory(seats={"reader-plus": 1})
        services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        with pytest.raises(ContractError):
            services.waitlist_join(
                organization=organization,
                user=_member(organization),
                feature=Feature.REPORT_EXPORT,
            )
        assert not WaitlistEntry.objects.exists()

    def test_a_member_leaving_the_organization_leaves_its_waitlist(
        self, contract, organization, admin_user
    ):
        _fill(contract, organization, admin_user)
        carol = _member(organization)
        services.waitlist_join(organization=organization, user=carol, feature=READ)
        services.member_remove(
            membership=carol.memberships.get(organization=organization),
            actor=admin_user,
        )
        assert WaitlistEntry.objects.get(user=carol).status == WaitlistStatus.LEFT


class TestFulfilment:
    def test_a_freed_seat_goes_to_the_oldest_fitting_member_with_an_email(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        holders = _fill(contract, organization, admin_user)
        _auto_assign(organization, admin_user)
        exporter, first, second = (_member(organization) for _n in range(3))
        services.waitlist_join(
            organization=organization, user=exporter, feature=Feature.REPORT_EXPORT
        )
        services.waitlist_join(organization=organization, user=first, feature=READ)
        services.waitlist_join(organization=organization, user=second, feature=READ)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.member_plan_set(
                organization=organization,
                user=holders["reader-plus"][0],
                plan=plan("free"),
                actor=admin_user,
            )
        # The exporter waits longer, but Reader+ lacks exporting.
        seat = Seat.objects.get(user=first)
        assert seat.plan == plan("reader-plus")
        assert seat.source == SeatSource.AUTOMATIC
        assert seat.feature == READ
        assert not Seat.objects.filter(user__in=[exporter, second]).exists()
        entry = WaitlistEntry.objects.get(user=first)
        assert entry.status == WaitlistStatus.GIVEN
        assert entry.plan == plan("reader-plus")
        assert Event.objects.filter(
            kind=EventKind.SEAT_ASSIGNED, member=first, source=SeatSource.AUTOMATIC
        ).exists()
        assert [first.email] in [message.to for message in mail.outbox]

    def test_a_plan_with_several_features_counts_its_seats_once(
        self, organization, admin_user, django_capture_on_commit_callbacks
    ):
        """Professional includes four features: a freed seat of it is seen
        free while the other one is still held."""
        contract = ContractFactory(seats={"professional": 2})
        services.contract_connect(
            organization=organization, contract=contract, actor=admin_user
        )
        _auto_assign(organization, admin_user)
        holders = [_member(organization) for _n in range(2)]
        for holder in holders:
            services.member_plan_set(
                organization=organization,
                user=holder,
                plan=plan("professional"),
                actor=admin_user,
            )
        exporter = _member(organization)
        services.waitlist_join(
            organization=organization, user=exporter, feature=Feature.REPORT_EXPORT
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.member_plan_set(
                organization=organization,
                user=holders[0],
                plan=plan("free"),
                actor=admin_user,
            )
        assert Seat.objects.get(user=exporter).plan == plan("professional")

    def test_seats_added_by_support_serve_the_queue(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        _fill(contract, organization, admin_user)
        _auto_assign(organization, admin_user)
        waiting = [_member(organization) for _n in range(3)]
        for user in waiting:
            services.waitlist_join(organization=organization, user=user, feature=READ)
        with django_capture_on_commit_callbacks(execute=True):
            services.allotment_set(
                contract=contract,
                plan=plan("reader-plus"),
                seats=4,
                actor=admin_user,
                source=SeatSource.SUPPORT,
            )
        assert set(
            Seat.objects.filter(user__in=waiting).values_list("user", flat=True)
        ) == {waiting[0].pk, waiting[1].pk}
        assert WaitlistEntry.objects.get(user=waiting[2]).status == (
            WaitlistStatus.WAITING
        )

    def test_a_member_excluded_from_automatic_assignment_is_skipped(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        holders = _fill(contract, organization, admin_user)
        _auto_assign(organization, admin_user)
        excluded, other = _member(organization), _member(organization)
        services.waitlist_join(organization=organization, user=excluded, feature=READ)
        services.waitlist_join(organization=organization, user=other, feature=READ)
        AutoAssignExclusion.objects.create(contract=contract, user=excluded)
        with django_capture_on_commit_callbacks(execute=True):
            services.member_plan_set(
                organization=organization,
                user=holders["reader-plus"][0],
                plan=plan("free"),
                actor=admin_user,
            )
        assert Seat.objects.get(user=other).plan == plan("reader-plus")
        assert not Seat.objects.filter(user=excluded).exists()

    def test_the_sweep_gives_what_a_lost_task_did_not_and_is_idempotent(
        self, contract, organization, admin_user
    ):
        holders = _fill(contract, organization, admin_user)
        carol = _member(organization)
        services.waitlist_join(organization=organization, user=carol, feature=READ)
        _auto_assign(organization, admin_user)
        # Outside a captured commit: the task never runs.
        services.member_plan_set(
            organization=organization,
            user=holders["reader-plus"][0],
            plan=plan("free"),
            actor=admin_user,
        )
        assert not Seat.objects.filter(user=carol).exists()
        assert services.waitlist_sweep(now=timezone.now()) == 1
        assert Seat.objects.get(user=carol).plan == plan("reader-plus")
        assert services.waitlist_sweep(now=timezone.now()) == 0

    def test_the_sweep_gives_nothing_with_automatic_assignment_off(
        self, contract, organization, admin_user
    ):
        holders = _fill(contract, organization, admin_user)
        carol = _member(organization)
        services.waitlist_join(organization=organization, user=carol, feature=READ)
        services.member_plan_set(
            organization=organization,
            user=holders["reader-plus"][0],
            plan=plan("free"),
            actor=admin_user,
        )
        assert services.waitlist_sweep(now=timezone.now()) == 0
        assert not Seat.objects.filter(user=carol).exists()

    def test_the_sweep_skips_an_ended_contract(
        self, contract, organization, admin_user
    ):
        holders = _fill(contract, organization, admin_user)
        carol = _member(organization)
        services.waitlist_join(organization=organization, user=carol, feature=READ)
        _auto_assign(organization, admin_user)
        services.member_plan_set(
            organization=organization,
            user=holders["reader-plus"][0],
            plan=plan("free"),
            actor=admin_user,
        )
        later = timezone.now() + datetime.timedelta(days=400)
        assert services.waitlist_sweep(now=later) == 0


class TestAutomaticAssignmentOff:
    def test_administrators_are_emailed_once_per_freed_seat(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        holders = _fill(contract, organization, admin_user)
        for _n in range(3):
            services.waitlist_join(
                organization=organization, user=_member(organization), feature=READ
            )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.member_plan_set(
                organization=organization,
                user=holders["reader-plus"][0],
                plan=plan("free"),
                actor=admin_user,
            )
        to_admin = [m for m in mail.outbox if m.to == [admin_user.email]]
        assert len(to_admin) == 1
        assert "3 members are waiting" in to_admin[0].body
        assert WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).count() == 3

    def test_nobody_is_emailed_when_the_freed_plan_fits_nobody(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        holders = _fill(contract, organization, admin_user)
        services.waitlist_join(
            organization=organization,
            user=_member(organization),
            feature=Feature.REPORT_EXPORT,
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.member_plan_set(
                organization=organization,
                user=holders["reader-plus"][0],
                plan=plan("free"),
                actor=admin_user,
            )
        assert [m for m in mail.outbox if m.to == [admin_user.email]] == []


class TestAdministratorAnswers:
    def test_give_a_plan_gives_the_cheapest_fitting_free_plan(
        self, contract, organization, admin_user
    ):
        holders = _fill(contract, organization, admin_user)
        carol = _member(organization)
        entry = services.waitlist_join(
            organization=organization, user=carol, feature=READ
        )
        with pytest.raises(SeatsExhausted):
            services.waitlist_entry_give(entry=entry, actor=admin_user)
        services.member_plan_set(
            organization=organization,
            user=holders["professional"][0],
            plan=plan("free"),
            actor=admin_user,
        )
        assert services.waitlist_entry_give(entry=entry, actor=admin_user) == plan(
            "professional"
        )
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.GIVEN
        assert entry.closed_by == admin_user
        assert Seat.objects.get(user=carol).source == SeatSource.MANUAL

    def test_decline_closes_the_entry_and_emails_the_member(
        self, contract, organization, admin_user, django_capture_on_commit_callbacks
    ):
        _fill(contract, organization, admin_user)
        carol = _member(organization)
        entry = services.waitlist_join(
            organization=organization, user=carol, feature=READ
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.waitlist_entry_decline(entry=entry, actor=admin_user)
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.DECLINED
        assert Event.objects.filter(
            kind=EventKind.WAITLIST_DECLINED, member=carol, actor=admin_user
        ).exists()
        assert [m.subject for m in mail.outbox if m.to == [carol.email]] == [
            "Your place on the waitlist was declined"
        ]
        with pytest.raises(ContractError):
            services.waitlist_entry_decline(entry=entry, actor=admin_user)
