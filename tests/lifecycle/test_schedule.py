"""Periodic work: `lifecycle_tick` runs every sweep of LIFECYCLE_SWEEPS once
per period and prints what each did; the worker runs them from a tick task
that queues itself for the next period (so the schedule survives a
restart), that `db_worker` queues when it starts, and that never runs a
sweep twice in a period, however many workers there are."""

import signal
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lifecycle.models import SweepRun
from lifecycle.services import sweeps_run
from lifecycle.tasks import lifecycle_tick, lifecycle_tick_schedule
from tests.concurrency import postgresql_only, run_together
from tests.lifecycle import sweeps
from tests.markers import transactional_db

COUNTING = "tests.lifecycle.sweeps.counting"
SLOW = "tests.lifecycle.sweeps.slow"
FAILING = "tests.lifecycle.sweeps.failing"
NOON = datetime(2027, 3, 1, 12, 0, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _sweeps(settings):
    settings.LIFECYCLE_SWEEPS = [COUNTING]
    settings.LIFECYCLE_TICK_SECONDS = 60
    sweeps.RUNS.clear()
    yield
    sweeps.RUNS.clear()


def _tick():
    out = StringIO()
    call_command("lifecycle_tick", stdout=out)
    return out.getvalue()


def _waiting_ticks():
    return DBTaskResult.objects.filter(
        task_path=lifecycle_tick.module_path, status=TaskResultStatus.READY
    )


@pytest.mark.django_db
def test_lifecycle_tick_runs_each_sweep_once_per_period_and_says_what_it_did(
    time_machine,
):
    time_machine.move_to(NOON, tick=False)
    assert _tick() == f"{COUNTING}: 3 done\n"
    time_machine.shift(30)
    assert _tick() == f"{COUNTING}: already run in this period\n"
    time_machine.shift(30)
    assert _tick() == f"{COUNTING}: 3 done\n"
    assert [now for _name, now in sweeps.RUNS] == [NOON, NOON + timedelta(seconds=60)]
    assert list(SweepRun.objects.values_list("slot", "done")) == [
        (datetime(2027, 3, 1, 12, 1, tzinfo=UTC), 3),
        (datetime(2027, 3, 1, 12, 0, tzinfo=UTC), 3),
    ]


@pytest.mark.django_db
def test_a_failing_sweep_is_recorded_and_the_others_still_run(settings):
    settings.LIFECYCLE_SWEEPS = [FAILING, COUNTING]
    output = _tick()
    assert f"{FAILING}: failed" in output
    assert f"{COUNTING}: 3 done" in output
    failed = SweepRun.objects.get(sweep=FAILING)
    assert "the sweep broke" in failed.error
    assert failed.done is None


@pytest.mark.django_db
def test_the_tick_task_runs_the_sweeps_and_queues_itself_for_the_next_period(
    db_tasks, time_machine
):
    time_machine.move_to(NOON, tick=False)
    assert lifecycle_tick_schedule() is True
    assert lifecycle_tick_schedule() is False  # one is waiting already
    assert db_tasks.run() == 1
    assert len(sweeps.RUNS) == 1
    waiting = _waiting_ticks().get()
    assert waiting.run_after == datetime(2027, 3, 1, 12, 1, tzinfo=UTC)
    assert db_tasks.run() == 0  # not due yet
    # The worker stops for five minutes; the queue, a table, keeps the tick.
    time_machine.shift(300)
    assert db_tasks.run() == 1
    assert len(sweeps.RUNS) == 2
    assert _waiting_ticks().get().run_after == datetime(2027, 3, 1, 12, 6, tzinfo=UTC)


@pytest.mark.django_db
def test_two_ticks_queued_for_one_period_run_the_sweeps_once_and_leave_one_chain(
    db_tasks, time_machine
):
    """Two workers starting at once may both queue a tick."""
    time_machine.move_to(NOON, tick=False)
    lifecycle_tick.enqueue()
    lifecycle_tick.enqueue()
    assert db_tasks.run() == 2
    assert len(sweeps.RUNS) == 1
    assert _waiting_ticks().count() == 1


@pytest.mark.django_db
def test_db_worker_queues_the_tick_when_it_starts(db_tasks, time_machine):
    time_machine.move_to(NOON, tick=False)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker",
            max_tasks=1,
            interval=0,
            startup_delay=False,
            reload=False,
            verbosity=0,
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert len(sweeps.RUNS) == 1
    assert _waiting_ticks().count() == 1


@postgresql_only
@transactional_db
def test_two_workers_at_the_same_instant_run_a_sweep_once(settings):
    settings.LIFECYCLE_SWEEPS = [SLOW]
    outcomes = run_together([lambda: sweeps_run(now=NOON)] * 4)
    assert len(sweeps.RUNS) == 1
    assert sorted(outcome[0].done is None for outcome in outcomes) == [
        False,
        True,
        True,
        True,
    ]
    assert SweepRun.objects.get().done == 1
