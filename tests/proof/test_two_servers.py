"""Two app servers behind one load balancer: two gunicorn instances on two
ports, sharing PostgreSQL and Redis (`CACHE_URL`), as the README's scale
path runs them.

The requests of each test alternate between the two servers, as a load
balancer would send them, so that what one server counts or changes is
seen by the other: a login throttle and the connection-key limit counted
across both, a session made on one and valid on the other, a survey closed
through one that is inactive on the other at once. With a cache of each
process's own (locmem), the counters would be split in two and each server
would let through twice the limit.
"""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.urls import reverse
from django.utils.module_loading import import_string

from contracts import keys
from contracts.models import Contract
from surveys.models import Survey, SurveyStatus
from tests.accounts.factories import UserFactory
from tests.markers import transactional_db
from tests.organizations.factories import MembershipFactory, OrganizationFactory
from tests.proof.server import Reply, Server, Visitor, gunicorn_serve
from tests.surveys.factories import SurveyFactory, link_add, questions_add

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two app servers share one PostgreSQL database (set DATABASE_URL "
        "to a postgres:// URL)",
    ),
    pytest.mark.skipif(
        not issubclass(
            import_string(settings.CACHES["default"]["BACKEND"]), RedisCache
        ),
        reason="two app servers share rate limits through Redis (set CACHE_URL "
        "to a redis:// URL)",
    ),
    transactional_db,
]

# Each instance is the README's production command with fewer workers: the
# point is two servers, not many processes.
WORKERS_PER_SERVER = 2
# The connection-key limit of the issue: 5 wrong keys, then 429.
KEY_ATTEMPT_LIMIT = 5


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory) -> Iterator[tuple[Server, Server]]:
    """Servers A and B: separate gunicorn instances (separate master and
    worker processes, separate ports), with the same settings, database
    and cache, started for this module and stopped after it."""
    logs = tmp_path_factory.mktemp("two-servers")
    with (
        gunicorn_serve(workers=WORKERS_PER_SERVER, log=logs / "a.log") as a,
        gunicorn_serve(workers=WORKERS_PER_SERVER, log=logs / "b.log") as b,
    ):
        assert a.url != b.url
        yield a, b


def _alternately(a: Server, b: Server, count: int) -> list[Server]:
    """A, B, A, B…: where a load balancer's round robin sends `count`
    requests."""
    return [(a, b)[i % 2] for i in range(count)]


def _server_logs(a: Server, b: Server) -> str:
    return f"A:\n{a.log_tail(30)}\nB:\n{b.log_tail(30)}"


def _login_attempt(visitor: Visitor, email: str, password: str) -> Reply:
    """One submitted login form (the visitor's CSRF cookie comes from the
    login page, of whichever server)."""
    page = visitor.get(reverse("accounts:login"))
    assert page.status == 200, page.status
    return visitor.post(
        reverse("accounts:login"), {"username": email, "password": password}
    )


def test_login_failures_are_counted_across_both_servers(servers):
    """Wrong passwords for one account, sent alternately to A and B: each
    server sees only half of them, yet the attempt after the configured
    limit (`LOGIN_RATE_PER_ACCOUNT`) is refused with the throttle message,
    on whichever server it lands."""
    a, b = servers
    user = UserFactory()
    limit = int(settings.LOGIN_RATE_PER_ACCOUNT.split("/")[0])
    throttled = "Too many failed attempts with this email address."
    browser = Visitor(a.url)

    replies = [
        _login_attempt(browser.at(server.url), user.email, "not-the-password")
        for server in _alternately(a, b, limit + 1)
    ]

    logs = _server_logs(a, b)
    assert [r.status for r in replies] == [200] * (limit + 1), logs
    for number, reply in enumerate(replies[:limit], start=1):
        assert throttled not in reply.text, (number, logs)
        assert "The email address or the password is not right." in reply.text
    assert throttled in replies[limit].text, logs
    assert not browser.cookie("sessionid")


def test_wrong_connection_keys_are_counted_across_both_servers(servers):
    """An administrator sends well-formed wrong connection keys alternately
    to A and B: the first five are each refused as not right (422), the
    sixth, on either server, is refused as too many (429); nothing is
    connected."""
    a, b = servers
    organization = OrganizationFactory()
    admin = MembershipFactory(organization=organization, administrator=True).user
    url = reverse("contracts:connect-key", kwargs={"organization_id": organization.pk})
    browser = Visitor(a.url)
    browser.log_in(admin.email)

    replies = []
    for server in _alternately(a, b, KEY_ATTEMPT_LIMIT + 1):
        on_server = browser.at(server.url)
        assert on_server.get(url).status == 200
        replies.append(on_server.post(url, {"key": keys.key_generate()}))

    logs = _server_logs(a, b)
    assert [r.status for r in replies] == [422] * KEY_ATTEMPT_LIMIT + [429], logs
    for reply in replies[:KEY_ATTEMPT_LIMIT]:
        assert "This connection key is not right." in reply.text
        assert "Too many wrong connection keys in a short time." not in reply.text
    assert "Too many wrong connection keys in a short time." in replies[-1].text
    assert not Contract.objects.filter(organization=organization).exists()


def test_a_session_made_on_one_server_is_valid_on_the_other(servers):
    """Logged in through A's login form, the same cookie opens the account
    page on B; logged out through B, the cookie opens nothing on A."""
    a, b = servers
    user = UserFactory(full_name="Ada Two-Servers")
    anonymous = Visitor(b.url).get(reverse("accounts:profile"))
    assert anonymous.status == 302, anonymous.status
    assert reverse("accounts:login") in anonymous.location
    browser = Visitor(a.url)

    browser.log_in(user.email)
    on_b = browser.at(b.url).get(reverse("accounts:profile"))

    assert on_b.status == 200, _server_logs(a, b)
    assert user.email in on_b.text
    assert "Ada Two-Servers" in on_b.text

    logged_out = browser.at(b.url).post(reverse("accounts:logout"), {})
    assert logged_out.status == 302, logged_out.status
    on_a = browser.at(a.url).get(reverse("accounts:profile"))
    assert on_a.status == 302, on_a.status


def test_a_survey_closed_through_one_server_is_inactive_on_the_other_at_once(
    servers,
):
    """A respondent opens a survey's public link on B (the blank form is
    served, and cached); its owner closes the survey through A; the very
    next visit of the link on B shows that the survey is inactive."""
    a, b = servers
    owner = UserFactory()
    survey = SurveyFactory(owner=owner, open=True, title="Seen from two servers")
    questions_add(survey)
    link = reverse("surveys:respond-link", kwargs={"token": link_add(survey).token})
    respondent = Visitor(b.url)
    before = respondent.get(link)
    assert before.status == 200, _server_logs(a, b)
    assert "Seen from two servers" in before.text
    assert "This survey is inactive" not in before.text
    owner_browser = Visitor(a.url)
    owner_browser.log_in(owner.email)

    closed = owner_browser.post(
        reverse("surveys:survey-status", kwargs={"survey_id": survey.pk}),
        {"action": "close"},
    )
    after = respondent.get(link)

    assert closed.status == 302, _server_logs(a, b)
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.CLOSED
    assert after.status == 200, _server_logs(a, b)
    assert "This survey is inactive" in after.text
    assert "Its owner has closed it" in after.text
