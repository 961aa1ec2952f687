"""The in-process measurements: each page through django.test.Client (the
whole middleware stack, sessions and all), timed with perf_counter, its
queries counted with CaptureQueriesContext on requests apart from the timed
ones. The sizes take turns request by request, so that whatever else the
machine does weighs on both alike."""

import math
import re
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from contracts.models import Allotment, Contract, Seat, SeatSource
from contracts.services.seat_counter import seats_used_repair
from organizations.models import Membership, Organization
from plans.models import Plan
from surveys.models import Distribution, QuestionKind, Survey
from tests.benchmarks import seed

WARM_UP = 5
COUNTED = 2
HTMX = {"HX-Request": "true"}

# A request about to be timed; what it needs beforehand is done untimed by
# the function that returns it.
Request = Callable[[], HttpResponse]


@dataclass
class Item:
    name: str
    # Per size: the next request, made ready.
    next_request: dict[int, Callable[[], Request]]
    expected: int = 200
    requests: int | None = None


@dataclass
class Fixture:
    """What the measured requests need in one organization."""

    size: int
    organization: Organization
    contract: Contract
    admin: Client
    anonymous: Client
    autosave_url: str
    survey_token: str
    report_survey: Survey
    readers: Iterator[User] = field(default_factory=lambda: iter(()))


def measure(
    organizations: dict[int, Organization],
    *,
    requests: int,
    progress: Callable[[str], None],
) -> dict[int, dict[str, dict]]:
    fixtures = {size: _fixture(size, org) for size, org in organizations.items()}
    for fixture in fixtures.values():
        # Seats a run stopped halfway left behind.
        _restore(fixture)
    sizes = list(fixtures)
    free_readers = min(
        _free_seats(fixture, "reader-plus") for fixture in fixtures.values()
    )
    items = _items(fixtures)
    # Each first use takes a Reader+ seat: as many as the smallest
    # organization has free, so that every one is the same path.
    autoassign = next(item for item in items if item.name == "feature_autoassign")
    autoassign.requests = min(requests, free_readers - WARM_UP - COUNTED)
    results: dict[int, dict[str, dict]] = {size: {} for size in sizes}
    try:
        for item in items:
            _measure_item(item, sizes, requests, results)
            line = "  ".join(
                f"{size:>7,}: p50 {results[size][item.name]['p50_ms']:6.2f} ms"
                f" ({results[size][item.name]['queries']} q)"
                for size in sizes
            )
            progress(f"  {item.name:<22} {line}")
    finally:
        for fixture in fixtures.values():
            _restore(fixture)
    return results


def _measure_item(
    item: Item, sizes: list[int], requests: int, results: dict[int, dict[str, dict]]
) -> None:
    queries = {}
    for size in sizes:
        for _ in range(WARM_UP):
            _check(item, size, item.next_request[size]()())
        counted = []
        for _ in range(COUNTED):
            request = item.next_request[size]()
            with CaptureQueriesContext(connection) as captured:
                _check(item, size, request())
            counted.append(len(captured))
        queries[size] = max(counted)
    timings: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(item.requests or requests):
        for size in sizes:
            request = item.next_request[size]()
            started = time.perf_counter()
            response = request()
            timings[size].append((time.perf_counter() - started) * 1000)
            _check(item, size, response)
    for size in sizes:
        results[size][item.name] = {
            "p50_ms": round(statistics.median(timings[size]), 2),
            "p95_ms": round(_percentile(timings[size], 95), 2),
            "queries": queries[size],
        }


def _check(item: Item, size: int, response: HttpResponse) -> None:
    if response.status_code != item.expected:
        raise RuntimeError(
            f"{item.name} at {size:,} members answered {response.status_code}, "
            f"not {item.expected}."
        )


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * percent / 100) - 1, 0)]


def _fixture(size: int, organization: Organization) -> Fixture:
    contract = Contract.objects.get(organization=organization)
    admin = Client()
    admin.force_login(User.objects.get(email=seed.admin_email(size)))
    surveys = list(Survey.objects.filter(organization=organization).order_by("pk")[:2])
    token = Distribution.objects.get(survey=surveys[0], channel="link").token
    # A Starter member who owns no survey: going between Starter and
    # Professional never asks for a confirmation.
    starter = Plan.objects.get(code="starter")
    member = (
        Membership.objects.filter(
            organization=organization,
            user__seats__contract=contract,
            user__seats__plan=starter,
        )
        .exclude(user__surveys__isnull=False)
        .order_by("pk")
        .first()
    )
    return Fixture(
        size=size,
        organization=organization,
        contract=contract,
        admin=admin,
        anonymous=Client(),
        autosave_url=reverse(
            "contracts:member-plan",
            kwargs={"organization_id": organization.pk, "membership_id": member.pk},
        ),
        survey_token=token,
        report_survey=surveys[1],
        readers=_readers(organization, contract),
    )


def _readers(organization: Organization, contract: Contract) -> Iterator[User]:
    """Members without a seat, one after the other."""
    users = (
        User.objects.filter(memberships__organization=organization)
        .exclude(seats__contract=contract)
        .exclude(surveys__isnull=False)
        .order_by("pk")
    )
    return users.iterator()


def _free_seats(fixture: Fixture, code: str) -> int:
    allotment = Allotment.objects.get(contract=fixture.contract, plan__code=code)
    return (
        allotment.seats
        - Seat.objects.filter(contract=fixture.contract, plan=allotment.plan).count()
    )


def _restore(fixture: Fixture) -> None:
    """Give back the seats the first uses took, so that the next run starts
    from the same state."""
    Seat.objects.filter(contract=fixture.contract, source=SeatSource.AUTOMATIC).delete()
    # Deleted bypassing the seat services: their counters set right again.
    for allotment in Allotment.objects.filter(contract=fixture.contract):
        seats_used_repair(allotment=allotment)


def _items(fixtures: dict[int, Fixture]) -> list[Item]:
    def per_size(make: Callable[[Fixture], Callable[[], Request]]):
        return {size: make(fixture) for size, fixture in fixtures.items()}

    def get(client_of, url_of, headers=None):
        def make(fixture):
            client, url = client_of(fixture), url_of(fixture)
            return lambda: lambda: client.get(url, headers=headers)

        return per_size(make)

    def members_url(fixture, query=""):
        url = reverse(
            "contracts:member-list",
            kwargs={"organization_id": fixture.organization.pk},
        )
        return url + query

    results_target = {**HTMX, "HX-Target": "member-results"}
    return [
        Item(
            "bare_view",
            get(lambda f: f.anonymous, lambda f: reverse("bench-bare")),
        ),
        Item("members_page", get(lambda f: f.admin, members_url)),
        Item(
            # What the search box asks as one types: the results only. A
            # surname that 40 members of each organization have.
            "members_search",
            get(
                lambda f: f.admin,
                lambda f: members_url(f, f"?q={seed.SEARCH}"),
                results_target,
            ),
        ),
        Item(
            "members_filter",
            get(
                lambda f: f.admin,
                lambda f: members_url(f, "?plan=starter"),
                results_target,
            ),
        ),
        Item("plan_autosave", per_size(_autosave)),
        Item(
            "contract_page",
            get(
                lambda f: f.admin,
                lambda f: reverse(
                    "contracts:organization-contract",
                    kwargs={"organization_id": f.organization.pk},
                ),
            ),
        ),
        Item(
            "account_contract_page",
            get(
                lambda f: f.admin,
                lambda f: reverse(
                    "contracts:account-contract-detail",
                    kwargs={"contract_id": f.contract.pk},
                ),
            ),
        ),
        Item(
            "survey_get",
            get(
                lambda f: f.anonymous,
                lambda f: reverse(
                    "surveys:respond-link", kwargs={"token": f.survey_token}
                ),
            ),
        ),
        Item("survey_submit", per_size(_submit), expected=302),
        Item("feature_autoassign", per_size(_first_use)),
    ]


def _autosave(fixture: Fixture) -> Callable[[], Request]:
    """The member's plan dropdown, saving on change: Professional, Starter,
    Professional… (both have free seats)."""
    codes = count()

    def next_request() -> Request:
        code = "professional" if next(codes) % 2 == 0 else "starter"
        return lambda: fixture.admin.post(
            fixture.autosave_url, {"plan": code}, headers=HTMX
        )

    return next_request


FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _submit(fixture: Fixture) -> Callable[[], Request]:
    """A respondent's post of the form they were served (the GET is not
    timed): a choice, a rating and a text."""
    url = reverse("surveys:respond-link", kwargs={"token": fixture.survey_token})
    survey = Survey.objects.get(distributions__token=fixture.survey_token)
    data = {}
    for question in survey.questions.prefetch_related("options"):
        if question.kind == QuestionKind.CHOICE:
            data[f"q{question.pk}"] = question.options.all()[0].pk
        elif question.kind == QuestionKind.RATING:
            data[f"q{question.pk}"] = 4
        else:
            data[f"q{question.pk}"] = "Quick and clear."

    def next_request() -> Request:
        page = fixture.anonymous.get(url)
        token = FORM_TOKEN.search(page.content.decode()).group(1)
        return lambda: fixture.anonymous.post(url, {**data, "form_token": token})

    return next_request


def _first_use(fixture: Fixture) -> Callable[[], Request]:
    """A member without a plan clicks "Use my Reader+ seat" on a report for
    the first time: automatic assignment gives them Reader+ on the spot
    (a POST: a page view never gives a seat), and the report follows with
    real data. Each request is another member, logged in beforehand."""
    url = reverse(
        "surveys:report-real-data", kwargs={"survey_id": fixture.report_survey.pk}
    )

    def next_request() -> Request:
        client = Client()
        client.force_login(next(fixture.readers))

        def request() -> HttpResponse:
            response = client.post(url, follow=True)
            if b"simulated" in response.content and b"is-simulated" in response.content:
                raise RuntimeError("The first use was refused: no seat was assigned.")
            return response

        return request

    return next_request
