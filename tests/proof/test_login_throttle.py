"""Login throttling across worker processes (issue 9, point 6), over real
HTTP: gunicorn with 2 sync workers on PostgreSQL, the counts in Redis.

20 wrong passwords for one account leave at the same instant from 20
browsers: each is counted (one atomic INCR in Redis) before its password is
checked, so at most the configured number are checked, whichever worker
serves them, and the rest are refused. The owner, walled out, follows a
password reset link: it logs them in, and their new password works at once.
"""

import quopri
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from tests.accounts.factories import PASSWORD, UserFactory
from tests.concurrency import run_together
from tests.markers import transactional_db
from tests.proof.server import Visitor, form_inputs

GUNICORN_WORKERS = 2
ATTEMPTS = 20
NEW_PASSWORD = "a new long secret 42"
WRONG = "The email address or the password is not right."
THROTTLED = "Too many failed attempts with this email address."

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="gunicorn's worker processes serve the test database only on "
    "PostgreSQL (set DATABASE_URL=postgres://...)",
)
redis_only = pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
    reason="counts shared by worker processes need a shared cache "
    "(set CACHE_URL=redis://127.0.0.1:6379/<n>)",
)

pytestmark = [postgresql_only, redis_only, transactional_db]


def _configured_limit() -> int:
    return int(settings.LOGIN_RATE_PER_ACCOUNT.split("/")[0])


def _reset_link(server) -> str:
    """The link of the last reset email, as the console
    mail backend printed it in the server's log (quoted-printable)."""
    text = quopri.decodestring(server.log.read_bytes()).decode(errors="replace")
    links = re.findall(r"http://127\.0\.0\.1:\d+(/accounts/reset/\S+/)", text)
    assert links, server.log_tail()
    return links[-1]


def test_concurrent_wrong_passwords_let_at_most_the_limit_through_and_a_reset_link_lets_the_owner_in(  # noqa: E501
    server,
):
    owner = UserFactory(email="ann@example.test")
    attackers = [Visitor(server.url) for _ in range(ATTEMPTS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert {page.status for page in pool.map(_login_page, attackers)} == {200}

    replies = run_together(
        [
            (lambda visitor=visitor: _post_login(visitor, owner.email, "wrong"))
            for visitor in attackers
        ]
    )

    statuses = [getattr(reply, "status", reply) for reply in replies]
    assert statuses == [200] * ATTEMPTS, (statuses, server.log_tail())
    checked = sum(WRONG in reply.text for reply in replies)
    refused = sum(THROTTLED in reply.text for reply in replies)
    limit = _configured_limit()
    print(f"{ATTEMPTS} concurrent: {checked} checked, {refused} refused")
    assert checked + refused == ATTEMPTS
    assert 1 <= checked <= limit

    # The owner, with the right password, is refused too...
    browser = Visitor(server.url)
    _login_page(browser)
    assert THROTTLED in _post_login(browser, owner.email).text

    # ...until they follow the link of a reset email, which logs them in.
    browser.get("/accounts/password-reset/")
    reply = browser.post("/accounts/password-reset/", {"email": owner.email})
    assert (reply.status, reply.location) == (302, "/accounts/password-reset/sent/")
    reply = browser.get(_reset_link(server))
    assert reply.status == 302, reply.status
    form_url = reply.location
    assert "csrfmiddlewaretoken" in form_inputs(browser.get(form_url).text)
    reply = browser.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert (reply.status, reply.location) == (302, "/accounts/reset/done/")
    assert "You are logged in." in browser.get(reply.location).text
    assert browser.get("/account/").status == 200

    # The count starts again: the password works from any browser.
    Visitor(server.url).log_in(owner.email, NEW_PASSWORD)


def _login_page(visitor: Visitor):
    return visitor.get("/accounts/login/")


def _post_login(visitor: Visitor, email: str, password: str = PASSWORD):
    return visitor.post("/accounts/login/", {"username": email, "password": password})
