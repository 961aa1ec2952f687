"""SCIM 2.0 timings: a directory creating users (POST /Users) and patching
them (displayName replace; active false then true) at 1,000 and 100,000
members, the sizes taking turns request by request; then 10,000 creates in
a row, with their total time. Through django.test.Client, the whole stack
with the bearer token. What the run creates is deleted afterwards.

Alone, on a database of its own (members and contracts seeded with COPY as
`make bench` seeds them, without the surveys):

    BENCH_SCIM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/seats_scim_bench \\
        uv run python -m tests.benchmarks.scim

From `make bench` (tests/benchmarks/run.py): `scim.measure(organizations,
requests=…, progress=…)` on the organizations it seeded, for the "scim" key
of bench/results.json. BENCH_SCIM_BURST sets the creates in a row (10,000).
"""

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from itertools import count
from typing import TYPE_CHECKING

from tests.benchmarks import database

# Django is set up by main() (alone) or run.py before the models are read.
if TYPE_CHECKING:
    from django.test import Client

    from organizations.models import Organization

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/seats_scim_bench"
DOMAIN = "scim-bench.example"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
WARM_UP = 5
TARGET_RATIO = 1.5


def measure(
    organizations: dict[int, "Organization"],
    *,
    requests: int = 100,
    burst: int | None = None,
    progress: Callable[[str], None] = print,
) -> dict:
    """p50 of POST /Users and of PATCH per size, their ratio, and the total
    time of `burst` creates in a row (in the smallest organization)."""
    burst = int(os.environ.get("BENCH_SCIM_BURST", "10000")) if burst is None else burst
    _cleanup()
    clients = {size: _client(org) for size, org in organizations.items()}
    sizes = sorted(organizations)
    numbers = count()
    try:
        timings = {
            size: {"create": [], "patch": [], "patch_active": []} for size in sizes
        }
        created = {size: [] for size in sizes}
        idle = {size: _members_without_seat(org) for size, org in organizations.items()}
        progress(f"  SCIM: {requests} creates and patches per size, sizes in turn")
        for index in range(WARM_UP + requests):
            for size in sizes:
                client = clients[size]
                elapsed, user_id = _create(client, next(numbers))
                created[size].append(user_id)
                patch_name = _patch(
                    client,
                    user_id,
                    {
                        "op": "replace",
                        "path": "displayName",
                        "value": f"Renamed {index}",
                    },
                )
                member = idle[size][index % len(idle[size])]
                suspend = _patch(
                    client,
                    member,
                    {"op": "Replace", "path": "active", "value": "False"},
                )
                restore = _patch(
                    client, member, {"op": "Replace", "path": "active", "value": "True"}
                )
                if index >= WARM_UP:
                    timings[size]["create"].append(elapsed)
                    timings[size]["patch"].append(patch_name)
                    timings[size]["patch_active"].extend([suspend, restore])
        results = {
            str(size): {
                name: {
                    "p50_ms": _ms(statistics.median(values)),
                    "requests": len(values),
                }
                for name, values in by_name.items()
            }
            for size, by_name in timings.items()
        }
        small, large = str(sizes[0]), str(sizes[-1])
        results["ratio"] = {
            name: round(
                results[large][name]["p50_ms"] / results[small][name]["p50_ms"], 2
            )
            for name in ("create", "patch", "patch_active")
        }
        results["target_ratio"] = TARGET_RATIO
        if burst:
            progress(f"  SCIM: {burst:,} creates in a row ({sizes[0]:,} members)")
            started = time.perf_counter()
            for _ in range(burst):
                _create(clients[sizes[0]], next(numbers))
            total = time.perf_counter() - started
            results["burst"] = {
                "creates": burst,
                "total_s": round(total, 1),
                "per_create_ms": _ms(total / burst),
            }
        return results
    finally:
        _cleanup()


def _client(organization: "Organization") -> "Client":
    from django.test import Client

    from scim import services

    _, token = services.scim_token_create(
        organization=organization, name="bench", actor=None
    )
    return Client(
        headers={"Authorization": f"Bearer {token}"}, SERVER_NAME="testserver"
    )


def _create(client: "Client", number: int) -> tuple[float, str]:
    body = json.dumps(
        {
            "schemas": [USER_SCHEMA],
            "userName": f"user{number}@{DOMAIN}",
            "externalId": f"bench-{number}",
            "displayName": f"Bench User {number}",
            "name": {"givenName": "Bench", "familyName": f"User {number}"},
            "emails": [
                {"value": f"user{number}@{DOMAIN}", "type": "work", "primary": True}
            ],
            "active": True,
        }
    )
    started = time.perf_counter()
    response = client.post("/scim/v2/Users", body, content_type="application/scim+json")
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.content
    return elapsed, response.json()["id"]


def _patch(client: "Client", user_id, operation: dict) -> float:
    body = json.dumps({"schemas": [PATCH_SCHEMA], "Operations": [operation]})
    started = time.perf_counter()
    response = client.patch(
        f"/scim/v2/Users/{user_id}", body, content_type="application/scim+json"
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.content
    return elapsed


def _members_without_seat(organization: "Organization") -> list[int]:
    from contracts.models import Seat
    from organizations.models import Membership

    holders = Seat.objects.filter(contract__organization=organization).values("user_id")
    return list(
        Membership.objects.filter(organization=organization, role="collaborator")
        .exclude(user_id__in=holders)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )


def _cleanup() -> None:
    """Delete the accounts a run created, and the bench tokens."""
    from django.db import transaction

    from accounts.models import User
    from scim.models import ScimToken

    with transaction.atomic():
        User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
        ScimToken.objects.filter(name="bench").delete()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _seed(size: int, progress) -> "Organization":
    """Members and a connected contract, as `make bench` seeds them, without
    the surveys (reused when there)."""
    from django.db import connection, transaction

    from organizations.models import Organization
    from tests.benchmarks import seed

    name = f"SCIM bench {size}"
    _cleanup()
    existing = Organization.objects.filter(name=name).first()
    if existing is not None and existing.memberships.count() == size:
        progress(f"  {name}: already seeded, reused")
        return existing
    with transaction.atomic():
        if existing is not None:
            seed._delete(existing, size)
        organization = Organization.objects.create(name=name)
        admin_id, member_ids = seed._members(organization, size)
        seed._contract(organization, size, admin_id, member_ids)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    progress(f"  {name}: seeded")
    return organization


def main() -> int:
    url = os.environ.get("BENCH_SCIM_DATABASE_URL", DEFAULT_DATABASE_URL)
    database.ensure(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.settings"
    import django

    django.setup()
    from django.core.management import call_command

    def progress(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)

    progress(f"Database {database.display(url)}: migrating")
    call_command("migrate", verbosity=0)
    sizes = [
        int(size) for size in os.environ.get("BENCH_SIZES", "1000,100000").split(",")
    ]
    organizations = {size: _seed(size, progress) for size in sizes}
    requests = int(os.environ.get("BENCH_REQUESTS", "100"))
    results = measure(organizations, requests=requests, progress=progress)
    print(json.dumps(results, indent=2))
    for name, ratio in results["ratio"].items():
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(f"{name}: p50 ratio {ratio} (target ≤ {TARGET_RATIO}) {verdict}")
    return 0 if all(r <= TARGET_RATIO for r in results["ratio"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
