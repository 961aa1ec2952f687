"""Faults: the server's database connections killed while people use it.

gunicorn runs as in production (the README's `--workers 4`, sync workers):
each worker process keeps one PostgreSQL connection between requests
(CONN_MAX_AGE) and checks it before reusing it (CONN_HEALTH_CHECKS). The
test kills those connections from its own with `pg_terminate_backend`
(every backend of the test database but its own; it waits until each one is
gone), between requests or while requests run, and measures what that
costs. pytest-django's `live_server` would measure nothing here: it opens a
connection per request and closes it at the end, so no connection outlives
a request (see test_races.py).

The simulated people make real requests over HTTP with their own cookies:
an administrator reads the members page and changes members' plans with
the auto-saving dropdown (htmx posts), respondents open a survey's public
page and send the form.

A request fails when it answers a 5xx or its connection fails. The data is
consistent when: no plan has more seats than its allotment; each member's
seat (or none) is what the history of "Plan given / changed / taken back"
events says, in order (a seat and its event are written together or not at
all); each plan change that answered is reflected (the member ends with the
plan of their last answered change, or of a later failed one); the
survey's response counter equals its rows, each response has all its
answers, and every answer sent that was acknowledged (302) is saved.
"""

import http.client
import random
import threading
import time
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.urls import reverse

from contracts import services
from contracts.models import Event, EventKind, Seat
from surveys.models import Answer, Response
from tests.concurrency import run_together
from tests.contracts.factories import ContractFactory, plan
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.proof.server import Visitor, form_inputs
from tests.surveys.factories import SurveyFactory, link_add, questions_add

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="kills the server's PostgreSQL connections (pg_terminate_backend) "
        "and serves the test database from gunicorn: set DATABASE_URL to a "
        "PostgreSQL database",
    ),
    transactional_db,
]

GUNICORN_WORKERS = 4
PROFESSIONAL_SEATS = 4
KILLS = 5
AFTERWARDS = 8
# What each kind of request may answer when it does not fail.
ANSWERS = {
    "members page": {200},
    "plan change": {200, 409},
    "survey page": {200},
    "survey submit": {302},
}


@dataclass
class Attempt:
    kind: str
    started: float
    ended: float
    status: int | None
    error: str = ""
    target: object = None

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500

    def overlaps(self, kill: "Kill") -> bool:
        return self.started <= kill.ended and self.ended >= kill.started


@dataclass
class Kill:
    started: float
    ended: float
    terminated: int


@dataclass
class World:
    """An organization with a connected contract of PROFESSIONAL_SEATS
    Professional seats (one held by the survey's owner, the rest shared by
    five members whose plans keep changing) and an open survey sent by link
    whose owner's plan has no response limit."""

    server: object
    organization: object
    contract: object
    administrators: list
    members: list
    survey: object
    questions: dict
    option_id: int
    survey_url: str
    members_url: str
    # Kills wait for this lock and requests start under it, so that no
    # request starts while a kill runs: the requests a kill can break are
    # those already in flight when it begins.
    starting: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0

    def plan_url(self, member) -> str:
        return reverse(
            "contracts:member-plan",
            kwargs={
                "organization_id": self.organization.pk,
                "membership_id": member.pk,
            },
        )


def _world(server, *, administrators: int = 1) -> World:
    organization = OrganizationFactory()
    admins = [
        MembershipFactory(organization=organization, administrator=True).user
        for _ in range(administrators)
    ]
    owner = MembershipFactory(organization=organization)
    members = [MembershipFactory(organization=organization) for _ in range(5)]
    contract = ContractFactory(
        seats={"professional": PROFESSIONAL_SEATS}, managers=[admins[0]]
    )
    services.contract_connect(
        organization=organization, contract=contract, actor=admins[0]
    )
    services.member_plan_set(
        organization=organization,
        user=owner.user,
        plan=plan("professional"),
        actor=admins[0],
    )
    survey = SurveyFactory(owner=owner.user, organization=organization, open=True)
    questions = questions_add(survey)
    link = link_add(survey)
    return World(
        server=server,
        organization=organization,
        contract=contract,
        administrators=admins,
        members=members,
        survey=survey,
        questions=questions,
        option_id=questions["choice"].options.first().pk,
        survey_url=reverse("surveys:respond-link", kwargs={"token": link.token}),
        members_url=reverse(
            "contracts:member-list", kwargs={"organization_id": organization.pk}
        ),
    )


def _attempt(world: World, kind: str, call, target=None) -> Attempt:
    with world.starting:
        started = time.monotonic()
        world.in_flight += 1
    try:
        reply = call()
    except (OSError, http.client.HTTPException) as error:
        return Attempt(kind, started, time.monotonic(), None, repr(error), target)
    else:
        return Attempt(kind, started, time.monotonic(), reply.status, "", target)
    finally:
        with world.starting:
            world.in_flight -= 1


def _visit(world: World, admin: Visitor, rng: random.Random, number: int):
    """One person's turn: the members page, a plan change, a response."""
    yield _attempt(world, "members page", lambda: admin.get(world.members_url))
    member = rng.choice(world.members)
    code = rng.choice(["professional", "free"])
    yield _attempt(
        world,
        "plan change",
        lambda: admin.post(world.plan_url(member), {"plan": code}, htmx=True),
        target=(member.user_id, code),
    )
    respondent = Visitor(world.server.url)
    replies = []

    def open_form():
        replies.append(respondent.get(world.survey_url))
        return replies[-1]

    page = _attempt(world, "survey page", open_form)
    yield page
    token = form_inputs(replies[0].text).get("form_token") if replies else None
    if page.failed or not token:
        return
    text = f"Answer {number}"
    questions = world.questions
    yield _attempt(
        world,
        "survey submit",
        lambda: respondent.post(
            world.survey_url,
            {
                "form_token": token,
                f"q{questions['choice'].pk}": world.option_id,
                f"q{questions['rating'].pk}": 2,
                f"q{questions['text'].pk}": text,
            },
        ),
        target=text,
    )


def _server_connections() -> list[int]:
    """The backends of the test database other than the test's own: the
    gunicorn workers' connections (the test's threads make none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def _kill_server_connections(world: World) -> Kill:
    """Terminate every backend of the test database but the test's own,
    waiting (up to 5 s each) until each one is gone."""
    with world.starting:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            terminated = sum(1 for (done,) in cursor.fetchall() if done)
        return Kill(started, time.monotonic(), terminated)


def _assert_consistent(world: World, attempts: list[Attempt]) -> None:
    professional = plan("professional")
    seats = Seat.objects.filter(contract=world.contract)
    assert seats.filter(plan=professional).count() <= PROFESSIONAL_SEATS

    held = dict(seats.values_list("user_id", "plan_id"))
    history: dict[int, int | None] = {}
    events = Event.objects.filter(
        contract=world.contract,
        kind__in=[
            EventKind.SEAT_ASSIGNED,
            EventKind.SEAT_CHANGED,
            EventKind.SEAT_RELEASED,
        ],
    ).order_by("created_at", "pk")
    for kind, member_id, plan_id in events.values_list("kind", "member_id", "plan_id"):
        history[member_id] = None if kind == EventKind.SEAT_RELEASED else plan_id
    assert {member: plan for member, plan in history.items() if plan} == held

    codes = {"professional": professional.pk, "free": None}
    changes = [a for a in attempts if a.kind == "plan change"]
    for member in world.members:
        mine = [a for a in changes if a.target[0] == member.user_id]
        saved = [a for a in mine if a.status == 200]
        # A change saved (200) sets the plan; one that failed may have been
        # saved or not; a refused one (409) changes nothing. Any of them is
        # overtaken by a saved change sent after it answered.
        possible = {
            codes[a.target[1]]
            for a in mine
            if (a.status == 200 or a.failed)
            and not any(b.started > a.ended for b in saved)
        }
        if not saved:
            possible.add(None)
        assert held.get(member.user_id) in possible, (member, mine)

    survey = world.survey
    survey.refresh_from_db()
    responses = Response.objects.filter(survey=survey)
    assert survey.response_count == responses.count()
    answers = Answer.objects.filter(response__survey=survey)
    assert answers.count() == responses.count() * len(world.questions)
    saved = set(
        answers.filter(question=world.questions["text"]).values_list("text", flat=True)
    )
    submits = [a for a in attempts if a.kind == "survey submit"]
    acknowledged = {a.target for a in submits if a.status == 302}
    assert acknowledged <= saved
    assert saved <= {a.target for a in submits}


def _unexpected(attempts: list[Attempt]) -> list[Attempt]:
    return [a for a in attempts if not a.failed and a.status not in ANSWERS[a.kind]]


def test_connections_killed_between_requests_cost_no_request(server):
    """Every worker holds an idle connection; all are killed between
    requests; then bursts of requests (members pages, plan changes, survey
    pages and submits) reach every worker.

    Measured: the kill ends GUNICORN_WORKERS connections (one per worker,
    kept since earlier requests); not one later request fails (the health
    check finds each dead connection before the request uses it, and the
    worker opens a new one); every worker has reconnected; the data is
    consistent."""
    world = _world(server, administrators=GUNICORN_WORKERS * 2)
    admins = [Visitor(server.url) for _ in world.administrators]
    for visitor, user in zip(admins, world.administrators, strict=True):
        visitor.log_in(user.email)
    for _ in range(20):
        run_together([lambda a=a: a.get(world.members_url) for a in admins])
        if len(_server_connections()) == GUNICORN_WORKERS:
            break
    assert len(_server_connections()) == GUNICORN_WORKERS, server.log_tail()
    time.sleep(0.2)  # Every worker is between requests.

    kill = _kill_server_connections(world)

    assert kill.terminated == GUNICORN_WORKERS
    attempts = []
    for burst in range(2):
        visits = run_together(
            [
                lambda a=a, n=burst * 100 + n: list(
                    _visit(world, a, random.Random(n), n)
                )
                for n, a in enumerate(admins)
            ]
        )
        for visit in visits:
            assert isinstance(visit, list), visit
            attempts.extend(visit)
    failed = [a for a in attempts if a.failed]
    assert not failed, f"{failed}\n{server.log_tail()}"
    assert not _unexpected(attempts)
    assert len(_server_connections()) == GUNICORN_WORKERS
    _assert_consistent(world, attempts)


@pytest.mark.parametrize("streams", [1, 3])
def test_connections_killed_while_requests_run_cost_only_those_requests(
    server, streams
):
    """`streams` people (each an administrator who reads the members page,
    changes a plan, then answers the survey as a respondent, again and
    again) use the site while the test kills every server connection KILLS
    times, 0.2 to 0.4 s apart, each at a random moment of a request in
    flight; the people go on until AFTERWARDS more requests have started
    after the last kill. No request starts while a kill runs, so the
    requests a kill can break are the ones in flight when it begins.

    Measured: each kill ended at least one connection (kept by a worker
    since an earlier request); every failed request was in flight during a
    kill (none fails later, on a connection killed earlier); a kill breaks
    at most the requests in flight, at most one per connection it ended,
    and so with one person at most one request per kill; the requests that
    did not fail answered as they should (no 403 from a lost session or
    token); after the last kill the requests succeed; the data is
    consistent. At least one kill overlapped a request (they wait for one
    in flight); how many requests broke is printed (`pytest -s`): a request
    the kill catches between its queries and its answer survives it."""
    world = _world(server, administrators=streams)
    admins = [Visitor(server.url) for _ in range(streams)]
    for visitor, user in zip(admins, world.administrators, strict=True):
        visitor.log_in(user.email)
    stop = threading.Event()
    attempts: list[Attempt] = []

    crashes: list[Exception] = []

    def person(number: int, admin: Visitor) -> None:
        rng = random.Random(number)
        turn = 0
        try:
            while not stop.is_set():
                attempts.extend(_visit(world, admin, rng, number * 100_000 + turn))
                turn += 1
        except Exception as error:  # Shown by the assertion below.
            crashes.append(error)

    people = [
        threading.Thread(target=person, args=(n, a)) for n, a in enumerate(admins)
    ]
    for thread in people:
        thread.start()
    kills = []
    try:
        time.sleep(0.3)
        for _ in range(KILLS):
            time.sleep(random.uniform(0.2, 0.4))
            # In the middle of a request, at a random point of it.
            while not world.in_flight:
                time.sleep(0.001)
            time.sleep(random.uniform(0, 0.02))
            kills.append(_kill_server_connections(world))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not crashes:
            if sum(a.started > kills[-1].ended for a in attempts) >= AFTERWARDS:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in people:
            thread.join(timeout=60)

    assert not crashes
    failed = [a for a in attempts if a.failed]
    report = (
        f"{streams} stream(s): {len(attempts)} requests, {len(failed)} failed; "
        f"the kills ended {[k.terminated for k in kills]} connections, "
        f"with {[sum(a.overlaps(k) for a in attempts) for k in kills]} "
        "requests in flight"
    )
    print(report)
    assert all(kill.terminated >= 1 for kill in kills), report
    for attempt in failed:
        assert any(attempt.overlaps(kill) for kill in kills), (
            f"{attempt} failed outside any kill\n{server.log_tail()}"
        )
    hit = 0
    for kill in kills:
        in_flight = [a for a in attempts if a.overlaps(kill)]
        broken = [a for a in in_flight if a.failed]
        assert len(broken) <= min(len(in_flight), kill.terminated), (kill, broken)
        if streams == 1:
            assert len(broken) <= 1, (kill, broken)
        hit += bool(in_flight)
    assert hit >= 1, report
    assert not _unexpected(attempts), _unexpected(attempts)
    after = [a for a in attempts if a.started > kills[-1].ended]
    assert len(after) >= AFTERWARDS
    assert not [a for a in after if a.failed]
    _assert_consistent(world, attempts)
