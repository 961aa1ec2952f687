"""Sweeps for the tests of the schedule: each notes its runs in RUNS."""

import threading
import time
from datetime import datetime

RUNS: list[tuple[str, datetime]] = []
_lock = threading.Lock()


def counting(*, now: datetime) -> int:
    with _lock:
        RUNS.append(("counting", now))
    return 3


def slow(*, now: datetime) -> int:
    """Takes a while, so that a second run at once would overlap it."""
    time.sleep(0.3)
    with _lock:
        RUNS.append(("slow", now))
    return 1


def failing(*, now: datetime) -> int:
    raise RuntimeError("the sweep broke")
