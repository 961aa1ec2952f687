"""The task worker's throughput: queue 1,000 emails, then time one
`db_worker` process sending them all with the console mailer (its output
to /dev/null), and print emails per second. Not part of `make test`.

    uv run python -m tests.benchmarks.worker_emails

On a fresh SQLite database in a temporary folder unless
BENCH_WORKER_DATABASE_URL names one (PostgreSQL: an empty database it may
migrate); BENCH_EMAILS sets the number (1,000 by default).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    count = int(os.environ.get("BENCH_EMAILS", "1000"))
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get(
            "BENCH_WORKER_DATABASE_URL", f"sqlite:///{folder}/worker.sqlite3"
        )
        os.environ.update(
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            EMAIL_URL="consolemail://",
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django_tasks_db.models import DBTaskResult

        from accounts.tasks import email_send

        call_command("migrate", verbosity=0)
        DBTaskResult.objects.all().delete()
        for number in range(count):
            email_send.enqueue(
                subject=f"Benchmark {number}",
                body="One of the emails the worker is timed on.",
                to=[f"person{number}@example.test"],
            )
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--verbosity=0",
            ],
            cwd=ROOT,
            env=os.environ,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        seconds = time.perf_counter() - started
        sent = DBTaskResult.objects.successful().count()
        print(
            f"{sent} of {count} emails sent by one worker in {seconds:.2f} s: "
            f"{sent / seconds:.0f} emails per second ({url.split(':')[0]})"
        )
        return 0 if sent == count else 1


if __name__ == "__main__":
    sys.exit(main())
