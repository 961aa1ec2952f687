"""Issue 13, point 1: each allotment's counter of seats in use
(`Allotment.seats_used`) stays equal to its seats counted after every kind
of change; `manage.py seats_audit` says so (exit 0), or names the drift and
exits 1, and `--fix` repairs it."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.entitlements import feature_use
from contracts.models import Allotment, Seat, SeatSource, WaitlistEntry
from contracts.services.contract_end import contract_end_sweep
from contracts.services.reclaim import seat_reclaim
from contracts.services.schedule import plan_change_apply
from organizations.models import Membership
from plans.models import Feature
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory, plan
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def audit():
    """The command's own run: raises (exit 1) on any drift."""
    call_command("seats_audit")
    for allotment in Allotment.objects.all():
        counted = Seat.objects.filter(
            contract_id=allotment.contract_id, plan_id=allotment.plan_id
        ).count()
        assert allotment.seats_used == counted


@pytest.fixture
def contract(organization, admin_user):
    contract = ContractFactory(
        seats={"professional": 3, "starter": 5, "reader-plus": 4}
    )
    services.contract_connect(
        organization=organization, contract=contract, actor=admin_user
    )
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin_user
    )
    return contract


@pytest.fixture
def support(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, support):
    client.force_login(support)
    return client


def _member(organization):
    return MembershipFactory(organization=organization)


def _give(organization, membership, code, admin_user):
    return services.member_plan_set(
        organization=organization,
        user=membership.user,
        plan=plan(code),
        actor=admin_user,
    )


def test_the_audit_passes_then_names_drift_and_fixes_it(
    contract, organization, admin_user, capsys
):
    member = _member(organization)
    _give(organization, member, "professional", admin_user)
    audit()
    Allotment.objects.filter(contract=contract, plan__code="professional").update(
        seats_used=7
    )
    with pytest.raises(CommandError) as refused:
        call_command("seats_audit")
    assert refused.value.returncode == 1
    assert "professional): counted 1, stored 7" in capsys.readouterr().out
    call_command("seats_audit", "--fix")
    audit()


def test_every_kind_of_change_keeps_the_counters(
    contract, organization, admin_user, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    a, b, c, d, e = (_member(organization) for _n in range(5))
    # Give, change plan, take back.
    with capture(execute=True):
        _give(organization, a, "professional", admin_user)
        _give(organization, b, "starter", admin_user)
    audit()
    with capture(execute=True):
        _give(organization, b, "professional", admin_user)
    audit()
    with capture(execute=True):
        _give(organization, b, "free", admin_user)
    audit()
    # A first use of a paid feature assigns a plan automatically.
    with capture(execute=True):
        feature_use(user=c.user, feature=Feature.CUSTOM_BRANDING)
    assert Seat.objects.filter(user=c.user).exists()
    audit()
    # Suspended, restored.
    with capture(execute=True):
        services.member_suspend(membership=c, actor=admin_user)
    audit()
    services.member_restore(membership=c, actor=admin_user)
    # Groups: joins and leaves.
    group = services.group_create(
        organization=organization, name="Research", actor=admin_user
    )
    services.group_plan_set(group=group, plan=plan("starter"), actor=admin_user)
    with capture(execute=True):
        services.group_members_add(group=group, memberships=[c, d], actor=admin_user)
    audit()
    with capture(execute=True):
        services.group_members_remove(group=group, memberships=[d], actor=admin_user)
    audit()
    with capture(execute=True):
        services.group_delete(group=group, actor=admin_user)
    audit()
    # The waitlist: Professional full (a and two more), e waits, is given.
    for filler in (_member(organization), _member(organization)):
        _give(organization, filler, "professional", admin_user)
    audit()
    entry = services.waitlist_join(
        organization=organization, user=e.user, feature=Feature.CUSTOM_BRANDING
    )
    # A seat more, its task not run: given by hand.
    services.allotment_set(
        contract=contract,
        plan=plan("professional"),
        seats=4,
        actor=admin_user,
        source=SeatSource.SUPPORT,
    )
    entry = WaitlistEntry.objects.get(pk=entry.pk)
    with capture(execute=True):
        services.waitlist_entry_give(entry=entry, actor=admin_user)
    audit()
    # A freed seat served to the waitlist.
    waiting = _member(organization)
    services.waitlist_join(
        organization=organization, user=waiting.user, feature=Feature.CUSTOM_BRANDING
    )
    with capture(execute=True):
        _give(organization, a, "free", admin_user)
    audit()
    # Reclaimed when idle.
    organization.idle_reclaim = True
    organization.save(update_fields=["idle_reclaim"])
    seat = Seat.objects.get(user=e.user)
    Seat.objects.filter(pk=seat.pk).update(
        last_used_on=timezone.localdate() - datetime.timedelta(days=90),
        idle_reminded_on=timezone.localdate() - datetime.timedelta(days=60),
    )
    with capture(execute=True):
        assert seat_reclaim(seat=seat, today=timezone.localdate(), deactivated=[])
    audit()
    # A scheduled change carried out.
    change = services.plan_change_schedule(
        organization=organization,
        user=d.user,
        plan=plan("reader-plus"),
        on=timezone.localdate(),
        actor=admin_user,
    )
    with capture(execute=True):
        assert plan_change_apply(change=change, today=timezone.localdate())
    assert Seat.objects.get(user=d.user).plan.code == "reader-plus"
    audit()
    # Removed from the organization.
    with capture(execute=True):
        services.member_remove(membership=d, actor=admin_user)
    audit()
    # The contract ends, is extended, is disconnected.
    contract.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    contract.save(update_fields=["ends_on"])
    with capture(execute=True):
        contract_end_sweep(now=timezone.now())
    audit()
    services.contract_extend(
        contract=contract,
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        actor=admin_user,
        source=SeatSource.SUPPORT,
    )
    with capture(execute=True):
        services.contract_disconnect(organization=organization, actor=admin_user)
    audit()
    assert Seat.objects.filter(contract=contract).count() > 2


class TestAdmin:
    """Support's admin: seats given, moved and freed, and deletions of
    what seats hang on."""

    @pytest.fixture
    def holders(self, contract, organization, admin_user):
        members = [_member(organization) for _n in range(3)]
        for member in members:
            _give(organization, member, "professional", admin_user)
        audit()
        return members

    def test_seats_given_moved_freed(self, staff_client, contract, organization):
        member = _member(organization)
        response = staff_client.post(
            reverse("admin:contracts_seat_add"),
            {
                "contract": contract.pk,
                "user": member.user.pk,
                "plan": plan("starter").pk,
            },
        )
        assert response.status_code == 302
        seat = Seat.objects.get(user=member.user)
        audit()
        response = staff_client.post(
            reverse("admin:contracts_seat_change", args=[seat.pk]),
            {"plan": plan("professional").pk, "confirm_inactive": "on"},
        )
        assert response.status_code == 302
        assert Seat.objects.get(pk=seat.pk).plan.code == "professional"
        audit()
        staff_client.post(
            reverse("admin:contracts_seat_delete", args=[seat.pk]), {"post": "yes"}
        )
        assert not Seat.objects.filter(pk=seat.pk).exists()
        audit()

    def test_a_user_deleted(self, staff_client, holders):
        user = holders[0].user
        response = staff_client.post(
            reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
        assert not Seat.objects.filter(user_id=user.pk).exists()
        audit()

    def test_users_deleted_in_bulk(self, staff_client, holders):
        response = staff_client.post(
            reverse("admin:accounts_user_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [m.user.pk for m in holders[:2]],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        assert Seat.objects.count() == 1
        audit()

    def test_a_membership_deleted(self, staff_client, holders):
        response = staff_client.post(
            reverse("admin:organizations_membership_delete", args=[holders[0].pk]),
            {"post": "yes"},
        )
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=holders[0].pk).exists()
        assert Seat.objects.count() == 2
        audit()

    def test_an_organization_deleted(self, staff_client, holders, organization):
        response = staff_client.post(
            reverse("admin:organizations_organization_delete", args=[organization.pk]),
            {"post": "yes"},
        )
        assert response.status_code == 302
        assert Seat.objects.count() == 0
        audit()

    def test_a_contract_deleted(self, staff_client, holders, contract):
        other = ContractFactory(seats={"professional": 2})
        services.seat_put(
            contract=other,
            user=holders[0].user,
            plan=plan("professional"),
            actor=None,
            source=SeatSource.SUPPORT,
        )
        # Support may not delete a contract from the admin…
        response = staff_client.post(
            reverse("admin:contracts_contract_delete", args=[contract.pk]),
            {"post": "yes"},
        )
        assert response.status_code == 403
        # …and one deleted otherwise takes its allotments with its seats;
        # the other contract's stay counted.
        contract.delete()
        assert Seat.objects.count() == 1
        audit()

    def test_a_contract_extended_and_a_key_revoked(
        self, staff_client, holders, contract, support
    ):
        services.contract_extend(
            contract=contract,
            ends_on=contract.ends_on + datetime.timedelta(days=365),
            actor=support,
            source=SeatSource.SUPPORT,
        )
        audit()


def test_another_organizations_seats_are_not_touched(contract, admin_user):
    other = OrganizationFactory(name="Globex")
    member = MembershipFactory(organization=other)
    elsewhere = ContractFactory(seats={"starter": 1})
    services.contract_connect(organization=other, contract=elsewhere, actor=member.user)
    audit()
