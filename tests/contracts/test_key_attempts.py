"""The limits on wrong connection keys and their history, one line per
burst (issue 10, point 3)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from contracts import services
from contracts.exceptions import KeyMalformed, KeyRejected, KeyThrottled
from contracts.keys import key_generate
from contracts.models import Event, EventKind, KeyAttempt
from tests.accounts.factories import UserFactory
from tests.contracts.factories import ContractFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _refuse(organization, actor, key=None):
    with pytest.raises(KeyRejected) as refused:
        services.contract_connect_with_key(
            organization=organization, key=key or key_generate(), actor=actor
        )
    return refused.value


def _lines(organization):
    return list(
        Event.objects.filter(
            kind=EventKind.KEY_REJECTED, organization=organization
        ).order_by("created_at", "pk")
    )


def test_each_refusal_says_how_many_attempts_are_left(organization, admin_user):
    left = [_refuse(organization, admin_user).attempts_left for _ in range(5)]
    assert left == [4, 3, 2, 1, 0]
    assert isinstance(_refuse(organization, admin_user), KeyThrottled)


def test_a_malformed_key_leaves_the_attempts_as_they_were(organization, admin_user):
    _refuse(organization, admin_user)
    typo = key_generate()[:-1] + "-"
    malformed = _refuse(organization, admin_user, key=typo)
    assert isinstance(malformed, KeyMalformed)
    assert malformed.attempts_left == 4
    assert KeyAttempt.objects.count() == 1
    assert _refuse(organization, admin_user).attempts_left == 3


def test_the_smaller_of_the_person_and_the_organization_is_left(organization):
    colleagues = [
        MembershipFactory(organization=organization, administrator=True).user
        for _ in range(4)
    ]
    for colleague in colleagues[:3]:
        for _ in range(5):
            _refuse(organization, colleague)
    # 15 of the organization's 20 are used: the fourth has 5 of their own.
    assert _refuse(organization, colleagues[3]).attempts_left == 4
    for _ in range(3):
        _refuse(organization, colleagues[3])
    assert _refuse(organization, colleagues[3]).attempts_left == 0


def test_a_burst_of_refusals_is_one_line_of_history(organization, admin_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _refuse(organization, admin_user)
        clock.shift(datetime.timedelta(minutes=2))
        _refuse(organization, admin_user, key=key_generate().lower())
        clock.shift(datetime.timedelta(minutes=1))
        last = _refuse(organization, admin_user)
    [line] = _lines(organization)
    assert line.attempts == 3
    assert line.actor == admin_user
    assert line.created_at == start
    assert line.last_at == start + datetime.timedelta(minutes=3)
    assert line.detail == str(last)
    assert KeyAttempt.objects.count() == 3


def test_a_refusal_after_a_quiet_window_starts_a_new_line(organization, admin_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _refuse(organization, admin_user)
        _refuse(organization, admin_user)
        clock.shift(datetime.timedelta(minutes=16))
        _refuse(organization, admin_user)
    assert [line.attempts for line in _lines(organization)] == [2, 1]


def test_each_person_and_each_contract_has_its_own_line(organization, admin_user):
    colleague = MembershipFactory(organization=organization, administrator=True).user
    manager = UserFactory()
    contract = ContractFactory(managers=[manager])
    _key, plain = services.connection_key_generate(contract=contract, actor=manager)
    services.connection_key_generate(contract=contract, actor=manager)
    _refuse(organization, admin_user)
    _refuse(organization, colleague)
    # The replaced key names its contract, for its managers' history.
    _refuse(organization, admin_user, key=plain)
    _refuse(organization, admin_user)
    assert [
        (line.actor_id, line.contract_id, line.attempts)
        for line in _lines(organization)
    ] == [
        (admin_user.pk, None, 2),
        (colleague.pk, None, 1),
        (admin_user.pk, contract.pk, 1),
    ]


def test_throttled_attempts_join_the_burst_and_count(organization, admin_user):
    for _ in range(7):
        _refuse(organization, admin_user)
    [line] = _lines(organization)
    assert line.attempts == 7
    assert line.detail.startswith("Too many wrong connection keys")
    assert KeyAttempt.objects.count() == 7


def test_the_sweep_deletes_attempts_the_limits_no_longer_read(
    organization, admin_user, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    _refuse(organization, admin_user)
    time_machine.shift(datetime.timedelta(minutes=10))
    _refuse(organization, admin_user)
    time_machine.shift(datetime.timedelta(minutes=6))
    assert services.key_attempts_prune_sweep(now=timezone.now()) == 1
    assert KeyAttempt.objects.count() == 1
    # The one left still counts; the history keeps its line.
    assert _refuse(organization, admin_user).attempts_left == 3
    assert len(_lines(organization)) == 1
