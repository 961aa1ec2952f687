"""A burst of respondents: CLIENTS concurrent clients on loopback for
SECONDS against gunicorn (2 sync workers, PostgreSQL), each opening a
survey's public link, reading the form it is served (its signed token and
one valid answer per question) and posting it, over and over.

Afterwards the survey's rows must equal the submits the clients saw
accepted (302 to the thank-you page), its response counter its rows, and no
answer may be a 5xx. A second, shorter burst takes the owner's plan back
(Free) half-way through: the survey goes inactive for newcomers, and every
form served before the change must still have its answers kept.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/seats_burst \\
        .venv/bin/python -m tests.benchmarks.burst

BENCH_BURST_CLIENTS and BENCH_BURST_SECONDS override the defaults (200 and
30; the second burst lasts half as long). Only the 1,000-member bench
organization is seeded (or reused); the burst's surveys are made for the run
and deleted after it, so that the seeded shape stays as it was.
"""

import http.client
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlencode

CLIENTS = 200
SECONDS = 30
SIZE = 1_000
TITLE = "Burst of respondents"


def measure(*, progress: Callable[[str], None] = print) -> dict:
    """Both bursts against a fresh gunicorn; the figures of the first, with
    the second's under "plan_taken_away"."""
    from django.urls import reverse

    from tests.benchmarks import seed
    from tests.benchmarks.serve import _Gunicorn

    clients = int(os.environ.get("BENCH_BURST_CLIENTS", CLIENTS))
    seconds = float(os.environ.get("BENCH_BURST_SECONDS", SECONDS))
    url = os.environ["DATABASE_URL"]
    organization = seed.seed_organization(SIZE, progress)
    owner, admin = _owner_and_admin(organization)
    _delete_surveys(organization)
    try:
        with _Gunicorn(url) as server:
            progress(
                f"  gunicorn on 127.0.0.1:{server.port}; {clients} clients "
                f"for {seconds:g} s"
            )
            survey, token = _survey(organization, owner)
            path = reverse("surveys:respond-link", kwargs={"token": token})
            for _ in range(4):
                server.get(path)  # Warm the workers up (not counted).
            burst = _Burst(server.port, path, clients)
            burst.run(seconds)
            results = _figures(burst, survey, clients, seconds)
            progress(_line("burst", results))

            survey, token = _survey(organization, owner)
            path = reverse("surveys:respond-link", kwargs={"token": token})
            burst = _Burst(server.port, path, clients)
            half = seconds / 4

            def take_away() -> float:
                _plan_set(organization, owner, admin, "free")
                return time.perf_counter()

            burst.run(seconds / 2, at=(half, take_away))
            taken = _figures(burst, survey, clients, seconds / 2)
            taken["served_before"] = burst.served_before
            taken["accepted_of_served_before"] = burst.accepted_before
            taken["lost_of_served_before"] = burst.served_before - burst.accepted_before
            taken["refused_after"] = burst.refused_after
            taken["lost_of_served"] = burst.served - burst.accepted
            results["plan_taken_away"] = taken
            progress(
                _line("plan taken away", taken)
                + f", forms served before the change {burst.served_before}, "
                f"accepted {burst.accepted_before}, refused newcomers after "
                f"{burst.refused_after}"
            )
    finally:
        _plan_set(organization, owner, admin, "professional")
        _delete_surveys(organization)
    return results


def _line(name: str, figures: dict) -> str:
    return (
        f"  {name}: {figures['submits']} submits in {figures['seconds']:g} s "
        f"({figures['submits_per_s']:.0f}/s), {figures['errors']} 5xx, "
        f"{figures['lost']} lost, other {figures['other']}, response counter "
        f"{'equal to' if figures['counter_equal'] else 'NOT equal to'} the rows"
    )


def _figures(burst: "_Burst", survey, clients: int, seconds: float) -> dict:
    from surveys.models import Response

    survey.refresh_from_db()
    rows = Response.objects.filter(survey=survey).count()
    return {
        "clients": clients,
        "seconds": round(burst.elapsed, 1),
        "submits": burst.accepted,
        "submits_per_s": round(burst.accepted / burst.elapsed, 1),
        "forms_served": burst.served,
        "errors": burst.errors,
        "lost": burst.accepted - rows,
        "rows": rows,
        "response_count": survey.response_count,
        "counter_equal": survey.response_count == rows,
        "other": dict(sorted(burst.other.items())),
    }


def _owner_and_admin(organization):
    """The last Professional member of the contract (the seeded surveys
    belong to the first ones) and the organization's administrator."""
    from accounts.models import User
    from contracts.models import Seat
    from tests.benchmarks import seed

    seat = (
        Seat.objects.filter(
            contract__organization=organization, plan__code="professional"
        )
        .select_related("user")
        .order_by("-user_id")
        .first()
    )
    return seat.user, User.objects.get(email=seed.admin_email(SIZE))


def _survey(organization, owner):
    """A new open survey of three questions sent by link; with its token."""
    from surveys.services import editing, sending

    survey = editing.survey_create(owner=owner, organization=organization, title=TITLE)
    editing.question_add(
        survey=survey,
        kind="choice",
        text="Would you come back?",
        options=["Yes", "No", "Maybe"],
    )
    editing.question_add(survey=survey, kind="rating", text="How was the welcome?")
    editing.question_add(survey=survey, kind="text", text="Anything to add?")
    survey = editing.survey_open(survey=survey, actor=owner)
    return survey, sending.link_create(survey=survey, actor=owner).token


def _plan_set(organization, owner, admin, code: str) -> None:
    from contracts.services import member_plan_set
    from plans.models import Plan

    member_plan_set(
        organization=organization,
        user=owner,
        plan=Plan.objects.get(code=code),
        actor=admin,
    )


def _delete_surveys(organization) -> None:
    from surveys.models import Survey

    for survey in Survey.objects.filter(organization=organization, title=TITLE):
        survey.responses.all().delete()
        survey.delete()


class _Form(HTMLParser):
    """The form's token and one valid answer per question."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name") or ""
        if tag == "input" and name in {"form_token", "csrfmiddlewaretoken"}:
            self.fields[name] = attributes.get("value") or ""
        elif tag == "input" and attributes.get("type") == "radio":
            # The last option of each question (the highest rating).
            self.fields[name] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self.fields[name] = "Fine, thank you."


class _Burst:
    """The clients' loop, with what they counted."""

    def __init__(self, port: int, path: str, clients: int):
        self.port = port
        self.path = path
        self.clients = clients
        self.lock = threading.RLock()  # _count is called under it too
        self.served = self.accepted = self.errors = 0
        self.served_before = self.accepted_before = self.refused_after = 0
        self.other: Counter[str] = Counter()
        self.changed_at: float | None = None
        self.elapsed = 0.0

    def run(self, seconds: float, at: tuple[float, Callable[[], float]] | None = None):
        started = time.perf_counter()
        self.deadline = started + seconds
        threads = [threading.Thread(target=self._client) for _ in range(self.clients)]
        for thread in threads:
            thread.start()
        if at is not None:
            delay, change = at
            time.sleep(max(0.0, started + delay - time.perf_counter()))
            self.changed_at = change()
        for thread in threads:
            thread.join()
        self.elapsed = time.perf_counter() - started

    def _client(self) -> None:
        while time.perf_counter() < self.deadline:
            served_at = time.perf_counter()
            status, body, cookie = self._request("GET", self.path)
            if status != 200:
                self._count("GET", status)
                continue
            form = _Form()
            form.feed(body.decode())
            if "form_token" not in form.fields:
                # The inactive page (200, no form): a newcomer refused.
                with self.lock:
                    if self.changed_at is not None and served_at >= self.changed_at:
                        self.refused_after += 1
                    else:
                        self.other["GET 200 without a form"] += 1
                continue
            # Served before the change when the change had not started by
            # the time the answer came back (the safe side: a form served
            # while the change commits counts as served before it).
            before = self.changed_at is None
            with self.lock:
                self.served += 1
                self.served_before += before
            status, _, _ = self._request(
                "POST", self.path, urlencode(form.fields), cookie
            )
            with self.lock:
                if status == 302:
                    self.accepted += 1
                    self.accepted_before += before
                else:
                    self._count("POST", status)

    def _count(self, method: str, status: int) -> None:
        if status >= 500 or status == 0:
            with self.lock:
                self.errors += 1
        if status != 200 or method == "POST":
            with self.lock:
                self.other[f"{method} {status or 'no answer'}"] += 1

    def _request(
        self, method: str, path: str, body: str | None = None, cookie: str = ""
    ):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookie:
            headers["Cookie"] = cookie
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            # The CSRF cookie the form was served with, sent back with it.
            cookie = (response.getheader("Set-Cookie") or "").split(";")[0]
            return response.status, response.read(), cookie
        except OSError:
            return 0, b"", ""
        finally:
            connection.close()


def main() -> int:
    from tests.benchmarks import database
    from tests.benchmarks.run import DEFAULT_DATABASE_URL, progress

    url = os.environ.get(
        "BENCH_DATABASE_URL", DEFAULT_DATABASE_URL.replace("seats_bench", "seats_burst")
    )
    database.ensure(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.settings"
    import django

    django.setup()
    from django.core.management import call_command

    progress(f"Database {database.display(url)}: migrating")
    call_command("migrate", verbosity=0)
    progress("A burst of respondents against gunicorn (2 sync workers)")
    results = measure(progress=progress)
    failed = (
        results["errors"]
        or results["lost"]
        or not results["counter_equal"]
        or results["plan_taken_away"]["errors"]
        or results["plan_taken_away"]["lost"]
        or results["plan_taken_away"]["lost_of_served_before"]
        or not results["plan_taken_away"]["counter_equal"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
