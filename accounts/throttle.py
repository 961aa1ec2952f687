"""
Abuse limits of the login and password reset forms, counted by
django-ratelimit in Django's cache: shared by every worker and app server
when CACHE_URL points to Redis, per process with the local-memory default.

Each attempt is counted with one atomic increment (the cache's add and
incr) BEFORE the password is checked or the email queued, and the answer is
read from that same increment, so N concurrent attempts let at most the
limit through. A check-then-record design (read the count, check the
password, write a failure) lets a whole burst pass before the first failure
is written, which is why django-axes is not used (README, Accounts and
security).

The rates are settings (`LOGIN_RATE_PER_ACCOUNT` and the like) in
django-ratelimit's "count/period" form; windows are fixed, with a start
that differs per key.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_ratelimit.core import get_usage

from accounts.models import User

# django-ratelimit's key for the client: the address that
# RATELIMIT_IP_META_KEY names (accounts.http.client_address), IPv6 by /64.
CLIENT = "ip"


class Scope(StrEnum):
    ACCOUNT = "account"
    CLIENT = "client"
    EMAIL = "email"


@dataclass(frozen=True)
class Throttled:
    """A limit that refused an attempt: what it counts, and for how long."""

    scope: Scope
    seconds_left: int


def login_attempt_record(*, request: HttpRequest, email: str) -> Throttled | None:
    """Count a login attempt for the account and for the client, before its
    password is checked; the limit it is over, if any.

    The account's count is keyed by its state: the email with, when an
    account uses it, a digest of its password hash and last login (what
    Django's password reset tokens are keyed by). A successful login or a
    new password (the reset link, which also logs its owner in) starts a
    new count at once, so a stranger's failures never keep the owner out
    longer than it takes to follow a reset link.

    The client's count is of failures: attempts less the successes recorded
    by `login_success_record`, so that people behind one address (an office)
    who log in do not use up each other's allowance, and logging in to an
    account of one's own earns no guesses at others.
    """
    email = email.lower()
    account = _usage(
        request,
        group="accounts.login.account",
        key=_account_state(email),
        rate=settings.LOGIN_RATE_PER_ACCOUNT,
        increment=True,
    )
    attempts = _usage(
        request,
        group="accounts.login.client",
        key=CLIENT,
        rate=settings.LOGIN_RATE_PER_CLIENT,
        increment=True,
    )
    if account["should_limit"]:
        return Throttled(Scope.ACCOUNT, account["time_left"])
    successes = _usage(
        request,
        group="accounts.login.client-successes",
        key=CLIENT,
        rate=settings.LOGIN_RATE_PER_CLIENT,
        increment=False,
    )
    # A cache that failed answers "limit" with a count of 0 (fail closed).
    failed = attempts["should_limit"] and attempts["count"] == 0
    if failed or attempts["count"] - successes["count"] > attempts["limit"]:
        return Throttled(Scope.CLIENT, attempts["time_left"])
    return None


def login_success_record(*, request: HttpRequest) -> None:
    """Give the client back the attempt of a login that succeeded."""
    _usage(
        request,
        group="accounts.login.client-successes",
        key=CLIENT,
        rate=settings.LOGIN_RATE_PER_CLIENT,
        increment=True,
    )


def password_reset_request_record(
    *, request: HttpRequest, email: str
) -> Throttled | None:
    """Count a request for a password reset email, per client and per
    email address, whether or not an account uses the address (the count
    does the same work either way); the limit it is over, if any.

    A client over its limit is not counted against the address, so that a
    stranger held back by the client limit cannot use up the owner's emails.
    """
    client = _usage(
        request,
        group="accounts.password-reset.client",
        key=CLIENT,
        rate=settings.PASSWORD_RESET_RATE_PER_CLIENT,
        increment=True,
    )
    if client["should_limit"]:
        return Throttled(Scope.CLIENT, client["time_left"])
    address = _usage(
        request,
        group="accounts.password-reset.email",
        key=email.lower(),
        rate=settings.PASSWORD_RESET_RATE_PER_EMAIL,
        increment=True,
    )
    if address["should_limit"]:
        return Throttled(Scope.EMAIL, address["time_left"])
    return None


def _usage(
    request: HttpRequest, *, group: str, key: str, rate: str, increment: bool
) -> dict:
    # Any other key is a value, which goes into a SHA-256 cache key
    # (django-ratelimit's): an address of any length or alphabet makes a key
    # that memcached accepts too.
    usage = get_usage(
        request,
        group=group,
        key=key if key == CLIENT else (lambda _group, _request: key),
        rate=rate,
        increment=increment,
    )
    # None only when RATELIMIT_ENABLE is off: nothing is limited then.
    return usage or {"count": 0, "limit": 0, "should_limit": False, "time_left": 0}


def _account_state(email: str) -> str:
    state = (
        User._default_manager.filter(email=email)
        .values_list("password", "last_login")
        .first()
    )
    if state is None:
        return email
    password, last_login = state
    digest = salted_hmac(
        "accounts.throttle.account", f"{password}{last_login}", algorithm="sha256"
    ).hexdigest()
    return f"{email}:{digest}"
