"""Running the periodic sweeps (settings.LIFECYCLE_SWEEPS): each sweep at
most once per period of LIFECYCLE_TICK_SECONDS, whoever asks (the worker's
tick, cron's `lifecycle_tick`), thanks to a row with a unique key written
before it runs."""

import logging
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from lifecycle.models import SweepRun

logger = logging.getLogger(__name__)

# How long the record of past runs is kept (the admin lists it).
SWEEP_RUNS_KEPT = timedelta(days=7)


@dataclass(frozen=True)
class SweepOutcome:
    """What one sweep did in a tick: `done` things, or None when it had
    already run in this period (`error` when it raised)."""

    sweep: str
    done: int | None
    error: str = ""


def tick_slot(now: datetime) -> datetime:
    """The start of the period of LIFECYCLE_TICK_SECONDS that holds `now`."""
    seconds = settings.LIFECYCLE_TICK_SECONDS
    start = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, tz=UTC)


def sweep_run_claim(*, sweep: str, slot: datetime) -> SweepRun | None:
    """Record that `sweep` runs in the period starting at `slot`, or return
    None when someone already did: the unique key decides between two
    workers at the same instant (the second waits for the first's commit,
    then fails to insert)."""
    try:
        with transaction.atomic():
            return SweepRun.objects.create(sweep=sweep, slot=slot)
    except IntegrityError:
        return None


def sweeps_run(*, now: datetime) -> list[SweepOutcome]:
    """Run every sweep of LIFECYCLE_SWEEPS not yet run in this period. A
    sweep that raises is recorded (admin: sweep runs) and logged; the others
    still run."""
    slot = tick_slot(now)
    outcomes = [
        _sweep_run(sweep=sweep, slot=slot, now=now)
        for sweep in settings.LIFECYCLE_SWEEPS
    ]
    SweepRun.objects.filter(slot__lt=now - SWEEP_RUNS_KEPT).delete()
    return outcomes


def _sweep_run(*, sweep: str, slot: datetime, now: datetime) -> SweepOutcome:
    run = sweep_run_claim(sweep=sweep, slot=slot)
    if run is None:
        return SweepOutcome(sweep=sweep, done=None)
    try:
        done = import_string(sweep)(now=now)
    except Exception:
        logger.exception("Sweep %s failed", sweep)
        run.error = traceback.format_exc()
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        return SweepOutcome(sweep=sweep, done=None, error=run.error)
    run.done = done
    run.finished_at = timezone.now()
    run.save(update_fields=["done", "finished_at"])
    return SweepOutcome(sweep=sweep, done=done)
