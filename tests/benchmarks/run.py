"""`make bench`: seed PostgreSQL, time the pages at each organization size,
load gunicorn over loopback, print a table and write bench/results.json.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/seats_bench \\
        uv run python -m tests.benchmarks.run

BENCH_SCALE=large adds an organization of 300,000 members; BENCH_REQUESTS
sets the measured requests per page and size (100 by default). Exits with
status 1 when a target is missed.
"""

import json
import os
import sys
import time
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/seats_bench"
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results.json"


def main() -> int:
    started = time.monotonic()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    large = os.environ.get("BENCH_SCALE", "") == "large"
    requests = int(os.environ.get("BENCH_REQUESTS", "100"))
    sizes = [1_000, 100_000, *([300_000] if large else [])]

    from tests.benchmarks import database

    database.ensure(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.settings"
    import django

    django.setup()

    from django.core.management import call_command

    from tests.benchmarks import burst, csv_import, pages, report, scim, seed, serve

    progress(f"Database {database.display(url)}: migrating")
    call_command("migrate", verbosity=0)
    progress("Seeding (COPY; a second run reuses what is there)")
    organizations = {size: seed.seed_organization(size, progress) for size in sizes}
    progress(f"Timing the pages in process ({requests} requests per page and size)")
    timings = pages.measure(organizations, requests=requests, progress=progress)
    progress("Serving with gunicorn (2 sync workers) and loading it over loopback")
    throughput, memory = serve.measure(url, organizations, progress=progress)
    results = {
        "sizes": {str(size): timings[size] for size in sizes},
        "throughput": throughput,
        "memory": memory,
    }
    results["scim"] = scim.measure(organizations, requests=requests, progress=progress)
    progress("Importing 100,000 members from CSV")
    results["csv_import"] = csv_import.measure(progress=progress)
    progress("A burst of respondents against gunicorn")
    results["burst"] = burst.measure(progress=progress)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    checks = report.targets(results, small=sizes[0], large=100_000)
    print()
    print(report.table(results, sizes))
    print()
    print(report.checks(checks))
    minutes = (time.monotonic() - started) / 60
    print(f"\nWritten to {RESULTS.relative_to(Path.cwd())} in {minutes:.1f} min.")
    return 0 if all(check.met for check in checks) else 1


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
