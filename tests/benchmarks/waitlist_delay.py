"""The waitlist's delay: how long after an administrator takes a plan back
the oldest waiting member holds the freed seat, through a live `db_worker`
process (automatic assignment on), over 100 runs; prints p50 and p95. Not
part of `make test`.

    uv run python -m tests.benchmarks.waitlist_delay

On a PostgreSQL database made afresh for the run: BENCH_WAITLIST_DATABASE
names it (seats_waitlist_bench by default, on the server of
BENCH_POSTGRES_URL, postgres://postgres@127.0.0.1:5432/postgres by
default); BENCH_RUNS sets the number of runs. The worker polls its queue
every second (`db_worker`'s default, as `make run` and production run it),
which bounds the delay.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]


def _database_fresh(server: str, name: str) -> str:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.rsplit("/", 1)[0] + f"/{name}"


def main() -> int:
    runs = int(os.environ.get("BENCH_RUNS", "100"))
    url = _database_fresh(
        os.environ.get(
            "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        os.environ.get("BENCH_WAITLIST_DATABASE", "seats_waitlist_bench"),
    )
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_URL="dummymail://",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from contracts import services
    from contracts.models import Seat, SeatSource
    from plans.models import Feature, Plan
    from tests.contracts.factories import ContractFactory
    from tests.organizations.factories import MembershipFactory, OrganizationFactory

    call_command("migrate", verbosity=0)
    organization = OrganizationFactory(name="Bench")
    admin = MembershipFactory(organization=organization, administrator=True).user
    holder = MembershipFactory(organization=organization).user
    waiting = MembershipFactory(organization=organization, reader=True).user
    contract = ContractFactory(reference="BENCH-1", seats={"reader-plus": 1})
    reader_plus = Plan.objects.get(code="reader-plus")
    free = Plan.objects.free()
    services.contract_connect(organization=organization, contract=contract, actor=admin)
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin
    )

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--verbosity=0"],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
    )
    delays = []
    try:
        # The first run waits for the worker to start: not counted.
        for run in range(runs + 1):
            services.member_plan_set(
                organization=organization, user=holder, plan=reader_plus, actor=admin
            )
            services.waitlist_join(
                organization=organization,
                user=waiting,
                feature=Feature.REPORTS_REAL_DATA,
            )
            started = time.perf_counter()
            services.member_plan_set(
                organization=organization, user=holder, plan=free, actor=admin
            )
            deadline = started + 60
            seat = Seat.objects.filter(user=waiting, plan=reader_plus)
            while not seat.exists():
                if time.perf_counter() > deadline:
                    print("A freed seat was not given within a minute.")
                    return 1
                time.sleep(0.005)
            if run:
                delays.append(time.perf_counter() - started)
            services.seat_release(
                seat=seat.get(), actor=None, source=SeatSource.SUPPORT
            )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    delays.sort()
    p50 = statistics.median(delays)
    p95 = delays[max(0, round(0.95 * len(delays)) - 1)]
    print(
        f"Freed seat to the waiting member, through one worker, over {runs} "
        f"runs: p50 {p50:.2f} s, p95 {p95:.2f} s, max {delays[-1]:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
