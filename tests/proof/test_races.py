"""Races over real HTTP, against gunicorn and PostgreSQL.

Each simulated person is a `Visitor` with its own cookies, logged in through
the login form; the requests of a race leave together from threads released
by one barrier (`run_together`) and are served by gunicorn's worker
processes, each with its own database connection, as in production.

Why gunicorn rather than pytest-django's `live_server`: on PostgreSQL the
live server does give each request its own connection (it shares the test's
connection across threads only for an in-memory SQLite database), but it
opens a thread and a connection per request, so 100 requests at once ask
PostgreSQL for 100 connections (its default `max_connections`, shared with
everything else on the server), and it closes them after every request,
which is not how the production server uses them. gunicorn's sync workers
are the README's production command: a fixed number of processes, each
keeping its connection (CONN_MAX_AGE) and serving one request at a time, so
the races are between processes and the rest queue as they would.

Every test asserts on every HTTP status (none may be a 5xx or a failed
connection) and on the rows in the database.
"""

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.urls import reverse

from contracts import services
from contracts.models import (
    Contract,
    Event,
    EventKind,
    PlanRequest,
    Seat,
    SeatSource,
)
from plans.models import Feature
from surveys import services as survey_services
from surveys.models import Answer, Channel, Response, Survey
from tests.accounts.factories import UserFactory
from tests.concurrency import postgresql_only, run_together
from tests.contracts.factories import ContractFactory, plan
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.proof.server import Reply, Visitor, form_inputs
from tests.surveys.factories import (
    SurveyFactory,
    link_add,
    questions_add,
    responses_add,
)

pytestmark = [postgresql_only, transactional_db]

# More processes than the README's 4, for more requests in flight at once;
# still few connections.
GUNICORN_WORKERS = 8
ROUNDS = 4
KEY_AND_DROPDOWN_ROUNDS = 16
REAL_TEXT = "Only the real report shows this answer"


def _logged_in(server, users) -> list[Visitor]:
    """A browser per person, logged in through the login form."""
    visitors = [Visitor(server.url) for _ in users]
    with ThreadPoolExecutor(max_workers=8) as pool:
        logins = [
            pool.submit(visitor.log_in, user.email)
            for visitor, user in zip(visitors, users, strict=True)
        ]
        for login in logins:
            login.result()
    return visitors


def _statuses(results) -> list[object]:
    """Each reply's status, or the error a request raised (a failed
    connection), so that an assertion shows both."""
    return [r.status if isinstance(r, Reply) else repr(r) for r in results]


def _no_server_error(results, server) -> None:
    statuses = _statuses(results)
    failed = [s for s in statuses if not isinstance(s, int) or s >= 500]
    assert not failed, f"{failed}\n{server.log_tail()}"


def test_hundred_first_uses_of_a_paid_feature_share_exactly_ten_free_seats(server):
    """100 readers ask to read a report with real data for the first time
    ("Use my Reader+ seat" on the report: a POST, since opening the report
    gives no seat), at the same moment. Reading real data is a paid feature;
    automatic assignment is on; the contract has exactly 10 free seats of
    Reader+, the cheapest plan that includes it, and none of Professional
    (which includes it too: its one seat is held).

    Measured: opening the report first gives nobody a seat; every click is
    answered 302, back to the report, and every report after it 200 (a
    reader left without a seat reads the simulated report, never an error);
    10 pages are the real report with
    "You now have the Reader+ plan", 90 the simulated one saying no plan is
    left; in the database exactly 10 Reader+ seats, given automatically for
    that feature to the 10 readers who saw real data, each with its history
    event; the Professional seat untouched; one plan request (and one
    history event) per refused reader, which the contract page counts.

    The readers' sessions are made on the server's side, as if they had
    logged in earlier (the other tests log in through the form)."""
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, administrator=True).user
    owner = MembershipFactory(organization=organization).user
    contract = ContractFactory(
        seats={"reader-plus": 10, "professional": 1}, managers=[admin]
    )
    services.contract_connect(organization=organization, contract=contract, actor=admin)
    services.member_plan_set(
        organization=organization, user=admin, plan=plan("professional"), actor=admin
    )
    services.contract_set_auto_assign(
        organization=organization, enabled=True, actor=admin
    )
    survey = SurveyFactory(owner=owner, organization=organization, open=True)
    questions = questions_add(survey)
    survey_services.response_submit(
        survey=survey,
        answers={
            questions["choice"].pk: questions["choice"].options.first().pk,
            questions["rating"].pk: 4,
            questions["text"].pk: REAL_TEXT,
        },
        channel=Channel.LINK,
    )
    readers = [
        MembershipFactory(organization=organization, reader=True).user
        for _ in range(100)
    ]
    visitors = [Visitor(server.url) for _ in readers]
    for visitor, reader in zip(visitors, readers, strict=True):
        visitor.log_in_earlier(reader)
    url = reverse("surveys:survey-report", kwargs={"survey_id": survey.pk})
    use_url = reverse("surveys:report-real-data", kwargs={"survey_id": survey.pk})
    for visitor in visitors:
        assert "Use my Reader+ seat" in visitor.get(url).text
    assert not Seat.objects.filter(contract=contract, plan=plan("reader-plus"))

    clicks = run_together(
        [lambda visitor=v: visitor.post(use_url, {}) for v in visitors]
    )

    _no_server_error(clicks, server)
    assert _statuses(clicks) == [302] * 100
    results = [visitor.get(url) for visitor in visitors]
    _no_server_error(results, server)
    assert _statuses(results) == [200] * 100
    real = {
        reader.pk
        for reader, reply in zip(readers, results, strict=True)
        if "Simulated data" not in reply.text
    }
    assert len(real) == 10
    for reader, reply in zip(readers, results, strict=True):
        if reader.pk in real:
            assert REAL_TEXT in reply.text
            assert "You now have the Reader+ plan" in reply.text
        else:
            assert REAL_TEXT not in reply.text
            assert "no plan that does is left" in reply.text
    seats = Seat.objects.filter(contract=contract, plan=plan("reader-plus"))
    assert set(seats.values_list("user_id", flat=True)) == real
    assert set(seats.values_list("source", "feature")) == {
        (SeatSource.AUTOMATIC, Feature.REPORTS_REAL_DATA)
    }
    assert list(
        Seat.objects.filter(contract=contract, plan=plan("professional")).values_list(
            "user_id", flat=True
        )
    ) == [admin.pk]
    given = Event.objects.filter(
        contract=contract, kind=EventKind.SEAT_ASSIGNED, source=SeatSource.AUTOMATIC
    )
    assert sorted(given.values_list("member_id", flat=True)) == sorted(real)
    refused = {reader.pk for reader in readers} - real
    assert (
        set(
            PlanRequest.objects.filter(
                contract=contract, feature=Feature.REPORTS_REAL_DATA
            ).values_list("user_id", flat=True)
        )
        == refused
    )
    assert (
        Event.objects.filter(contract=contract, kind=EventKind.PLAN_REQUESTED).count()
        == 90
    )
    (admin_visitor,) = _logged_in(server, [admin])
    page = admin_visitor.get(
        reverse(
            "contracts:organization-contract",
            kwargs={"organization_id": organization.pk},
        )
    )
    assert page.status == 200
    assert "90 members asked for a plan" in page.text
    # The allotments' counters of seats in use took the hundred at once.
    call_command("seats_audit")


def test_two_administrators_taking_the_last_seat_at_once_one_wins(server):
    """Two administrators each give the contract's last Professional seat to
    a different member, at the same moment, through the member pages' plan
    dropdown (the htmx auto-save), in each of ROUNDS organizations.

    Measured, per round: the statuses are exactly one 200 ("Saved") and one
    409 whose fragment says no Professional plan is left; the contract then
    holds exactly its 2 seats, the second one held by the member whose
    administrator got the 200, with one "Plan given" event by that
    administrator; the other member has no seat and no event."""
    first, second = UserFactory(), UserFactory()
    visitors = _logged_in(server, [first, second])
    professional = plan("professional")

    for _round in range(ROUNDS):
        organization = OrganizationFactory()
        for admin in (first, second):
            MembershipFactory(organization=organization, user=admin, administrator=True)
        holder, *members = (
            MembershipFactory(organization=organization) for _ in range(3)
        )
        contract = ContractFactory(seats={"professional": 2}, managers=[first])
        services.contract_connect(
            organization=organization, contract=contract, actor=first
        )
        services.member_plan_set(
            organization=organization,
            user=holder.user,
            plan=professional,
            actor=first,
        )

        urls = [
            reverse(
                "contracts:member-plan",
                kwargs={"organization_id": organization.pk, "membership_id": m.pk},
            )
            for m in members
        ]

        results = run_together(
            [
                lambda visitor=visitor, url=url: visitor.post(
                    url, {"plan": "professional"}, htmx=True
                )
                for visitor, url in zip(visitors, urls, strict=True)
            ]
        )

        _no_server_error(results, server)
        assert sorted(_statuses(results)) == [200, 409]
        won = next(i for i, reply in enumerate(results) if reply.status == 200)
        lost = 1 - won
        assert "Saved" in results[won].text
        assert (
            f"No Professional plan is left on contract {contract.reference}"
            in results[lost].text
        )
        assert set(
            Seat.objects.filter(contract=contract, plan=professional).values_list(
                "user_id", flat=True
            )
        ) == {holder.user_id, members[won].user_id}
        given = Event.objects.filter(
            contract=contract, kind=EventKind.SEAT_ASSIGNED
        ).exclude(member=holder.user)
        assert list(given.values_list("member_id", "actor_id")) == [
            (members[won].user_id, (first, second)[won].pk)
        ]
        call_command("seats_audit")


@pytest.mark.parametrize("way", ["dropdown", "key"])
def test_one_contract_connected_to_two_organizations_at_once_one_wins(server, way):
    """Two administrators of two organizations connect the same contract at
    the same moment, in ROUNDS rounds: by the dropdown (both manage the
    contract: flow 1) or with the same connection key (flow 2).

    Measured, per round: exactly one 302 (connected) and one refusal (409
    "already connected to another organization" by the dropdown; 422
    "already been used" with the key, which works once); the contract is
    connected to the organization whose administrator got the 302, with one
    "connected" event; the other organization has no contract."""
    first, second = UserFactory(), UserFactory()
    visitors = _logged_in(server, [first, second])
    manager = UserFactory()

    for _round in range(ROUNDS):
        organizations = [OrganizationFactory(), OrganizationFactory()]
        for admin, organization in zip((first, second), organizations, strict=True):
            MembershipFactory(organization=organization, user=admin, administrator=True)
        if way == "dropdown":
            contract = ContractFactory(managers=[first, second])
            name, data = "contracts:connect", {"contract": contract.pk}
            refusal = (
                409,
                f"Contract {contract.reference} is already connected to another "
                "organization.",
            )
        else:
            contract = ContractFactory(managers=[manager])
            _key, plaintext = services.connection_key_generate(
                contract=contract, actor=manager
            )
            name, data = "contracts:connect-key", {"key": plaintext}
            refusal = (422, "This connection key has already been used.")

        urls = [reverse(name, kwargs={"organization_id": o.pk}) for o in organizations]

        results = run_together(
            [
                lambda visitor=visitor, url=url, data=data: visitor.post(url, data)
                for visitor, url in zip(visitors, urls, strict=True)
            ]
        )

        _no_server_error(results, server)
        assert sorted(_statuses(results)) == sorted([302, refusal[0]])
        won = next(i for i, reply in enumerate(results) if reply.status == 302)
        assert refusal[1] in results[1 - won].text
        contract.refresh_from_db()
        assert contract.organization_id == organizations[won].pk
        assert not Contract.objects.filter(organization=organizations[1 - won]).exists()
        assert list(
            Event.objects.filter(
                contract=contract, kind=EventKind.CONNECTED
            ).values_list("organization_id", "actor_id")
        ) == [(organizations[won].pk, (first, second)[won].pk)]


def test_one_organization_connecting_by_dropdown_and_by_key_at_once(server):
    """Two administrators of one organization connect the same contract at
    the same moment: one by the dropdown (they manage the contract), the
    other with the contract's connection key, in KEY_AND_DROPDOWN_ROUNDS
    rounds.

    Measured, per round: both answer 302 (whoever comes second finds the
    contract connected to the organization already, which is what they
    asked for); the contract is connected to it, with one "connected"
    event and one "key used" event (the key is spent either way).

    Before the key's lock was narrowed to the key's row, the two paths
    locked the contract and the organization in opposite orders, and about
    one round in ten ended in a deadlock (a 500)."""
    first, second = UserFactory(), UserFactory()
    visitors = _logged_in(server, [first, second])

    for _round in range(KEY_AND_DROPDOWN_ROUNDS):
        organization = OrganizationFactory()
        for admin in (first, second):
            MembershipFactory(organization=organization, user=admin, administrator=True)
        contract = ContractFactory(managers=[first])
        _key, plaintext = services.connection_key_generate(
            contract=contract, actor=first
        )
        kwargs = {"organization_id": organization.pk}
        posts = [
            (reverse("contracts:connect", kwargs=kwargs), {"contract": contract.pk}),
            (reverse("contracts:connect-key", kwargs=kwargs), {"key": plaintext}),
        ]

        results = run_together(
            [
                lambda visitor=visitor, post=post: visitor.post(*post)
                for visitor, post in zip(visitors, posts, strict=True)
            ]
        )

        _no_server_error(results, server)
        assert _statuses(results) == [302, 302]
        contract.refresh_from_db()
        assert contract.organization_id == organization.pk
        events = Event.objects.filter(contract=contract)
        assert events.filter(kind=EventKind.CONNECTED).count() == 1
        assert events.filter(kind=EventKind.KEY_USED).count() == 1


def _free_survey_at(count: int):
    """An open survey sent by link whose owner is on Free (limit 100), with
    `count` responses already."""
    survey = SurveyFactory(open=True)
    questions = questions_add(survey)
    link = link_add(survey)
    responses_add(survey, count, answers=False)
    url = reverse("surveys:respond-link", kwargs={"token": link.token})
    thanks = reverse("surveys:respond-link-thanks", kwargs={"token": link.token})
    return survey, questions, url, thanks


def _answers(questions, token: str, text: str) -> dict[str, object]:
    return {
        "form_token": token,
        f"q{questions['choice'].pk}": questions["choice"].options.first().pk,
        f"q{questions['rating'].pk}": 3,
        f"q{questions['text'].pk}": text,
    }


def _assert_counter_matches_rows(survey: Survey, expected: int) -> None:
    survey.refresh_from_db()
    assert survey.response_count == expected
    assert Response.objects.filter(survey=survey).count() == expected


def test_fifty_respondents_served_the_form_at_ninety_five_are_all_saved(server):
    """A Free owner's survey is at 95 of its 100 responses. 50 respondents
    open the form at the same moment (all are served it: the survey is
    active), then all send it at the same moment.

    Measured: the 50 form pages are 200 with a signed form token; the 50
    posts are 302 to the thanks page; the database has all 50 responses
    (each one's text, with its three answers), the counter says 145 as the
    rows do; a newcomer then meets the inactive survey."""
    survey, questions, url, thanks = _free_survey_at(95)
    visitors = [Visitor(server.url) for _ in range(50)]

    pages = run_together([lambda visitor=v: visitor.get(url) for v in visitors])

    _no_server_error(pages, server)
    assert _statuses(pages) == [200] * 50
    tokens = [form_inputs(page.text)["form_token"] for page in pages]
    assert all(tokens)

    results = run_together(
        [
            lambda visitor=visitor, token=token, number=number: visitor.post(
                url, _answers(questions, token, f"Respondent {number}")
            )
            for number, (visitor, token) in enumerate(
                zip(visitors, tokens, strict=True)
            )
        ]
    )

    _no_server_error(results, server)
    assert _statuses(results) == [302] * 50
    assert {reply.location for reply in results} == {thanks}
    _assert_counter_matches_rows(survey, 145)
    saved = Answer.objects.filter(
        response__survey=survey, question=questions["text"]
    ).values_list("text", flat=True)
    assert sorted(saved) == sorted(f"Respondent {number}" for number in range(50))
    assert Answer.objects.filter(response__survey=survey).count() == 50 * len(questions)
    newcomer = Visitor(server.url).get(url)
    assert newcomer.status == 200
    assert "This survey is inactive" in newcomer.text


def test_respondents_arriving_while_others_submit_keep_every_served_form(server):
    """80 respondents arrive over about a third of a second at a Free
    owner's survey at 95 of its 100 responses; each sends the form as soon
    as it is served. The limit decides who is served (those who open the
    page once 100 responses are in meet the inactive survey), never whose
    answers are kept; the arrivals near the limit race with the submits.

    Measured: every status is 200 (the form, or the inactive message) or
    302 (saved); every respondent who was served the form has their
    response saved (by its text), no one else has; the counter equals the
    rows, 95 plus the number served (at least the 5 the limit leaves)."""
    survey, questions, url, thanks = _free_survey_at(95)
    arrivals = sorted(random.uniform(0, 0.35) for _ in range(80))

    def respondent(number: int):
        time.sleep(arrivals[number])
        visitor = Visitor(server.url)
        page = visitor.get(url)
        token = form_inputs(page.text).get("form_token")
        if page.status != 200 or not token:
            return page, None
        return page, visitor.post(url, _answers(questions, token, f"Arrival {number}"))

    outcomes = run_together([lambda n=n: respondent(n) for n in range(80)])

    replies = []
    for outcome in outcomes:
        replies.extend(outcome if isinstance(outcome, tuple) else [outcome])
    replies = [reply for reply in replies if reply is not None]
    _no_server_error(replies, server)
    served = {n for n, (_page, post) in enumerate(outcomes) if post is not None}
    for number, (page, post) in enumerate(outcomes):
        assert page.status == 200
        if post is None:
            assert "This survey is inactive" in page.text
        else:
            assert (post.status, post.location) == (302, thanks), number
    assert len(served) >= 5
    saved = Answer.objects.filter(
        response__survey=survey, question=questions["text"]
    ).values_list("text", flat=True)
    assert sorted(saved) == sorted(f"Arrival {number}" for number in served)
    _assert_counter_matches_rows(survey, 95 + len(served))
    print(f"served {len(served)} of 80 arrivals")
