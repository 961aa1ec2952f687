"""The worker's schedule: a tick task that runs the sweeps, then queues
itself for the start of the next period. The queue is a database table, so
the next tick survives a restart; `db_worker` queues one when none waits
(lifecycle/management/commands/db_worker.py)."""

from datetime import timedelta

from django.conf import settings
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lifecycle.services import sweep_run_claim, sweeps_run, tick_slot

# The tick's own key in the record of runs: of two ticks queued for one
# period (two workers started at once), the one that claims it runs the
# sweeps and queues the next; the other stops, so the chain stays single.
TICK = "lifecycle.tick"


@task
def lifecycle_tick() -> dict[str, int | None]:
    """Run the sweeps due now, then queue the next tick."""
    now = timezone.now()
    slot = tick_slot(now)
    if sweep_run_claim(sweep=TICK, slot=slot) is None:
        return {}
    try:
        outcomes = sweeps_run(now=now)
    finally:
        next_slot = slot + timedelta(seconds=settings.LIFECYCLE_TICK_SECONDS)
        lifecycle_tick.using(run_after=next_slot).enqueue()
    return {outcome.sweep: outcome.done for outcome in outcomes}


def lifecycle_tick_schedule(*, backend: str = DEFAULT_TASK_BACKEND_ALIAS) -> bool:
    """Queue a tick now unless one is waiting in `backend`'s queue; say
    whether one was queued. A tick left running by a worker that died does
    not count: the new one takes over."""
    waiting = DBTaskResult.objects.filter(
        backend_name=backend,
        task_path=lifecycle_tick.module_path,
        status=TaskResultStatus.READY,
    )
    if waiting.exists():
        return False
    lifecycle_tick.using(backend=backend).enqueue()
    return True
