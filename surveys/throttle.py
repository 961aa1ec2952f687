"""Limits of the public survey pages per client address, so that one
client cannot fill a survey with junk: responses per survey per hour, and
unanswered forms held at once.

Counted in Django's cache (Redis in production, shared by every app server)
with atomic counters: `cache.add` starts a window, `cache.incr` counts in
it. A window starts with its first count and lasts its full length, so that
two windows back to back never allow twice the limit within one length.
The client address is `accounts.http.client_address`'s, the same as the
login limits': the connection's, or behind DJANGO_TRUSTED_PROXY_COUNT
proxies the one they forwarded.

Settings (defaults below): SURVEYS_RESPONSES_PER_ADDRESS_PER_HOUR and
SURVEYS_FORM_TOKENS_PER_ADDRESS.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.http import client_address
from surveys.models import Survey
from surveys.tokens import form_token_max_age

# Generous for a class or an office behind one address, and below half of
# the Free limit (100): filling a Free survey from one address takes more
# than an hour.
RESPONSES_PER_ADDRESS_PER_HOUR = 50
RESPONSE_WINDOW_SECONDS = 3600
# Forms served to one address and not answered yet (they stay good for
# `form_token_max_age()`).
FORM_TOKENS_PER_ADDRESS = 500


def responses_per_address_per_hour() -> int:
    return getattr(
        settings,
        "SURVEYS_RESPONSES_PER_ADDRESS_PER_HOUR",
        RESPONSES_PER_ADDRESS_PER_HOUR,
    )


def form_tokens_per_address() -> int:
    return getattr(settings, "SURVEYS_FORM_TOKENS_PER_ADDRESS", FORM_TOKENS_PER_ADDRESS)


def response_take(request: HttpRequest, survey: Survey) -> bool:
    """Count a response from the client to the survey; False (and nothing
    to save) once the client has sent the hour's allowance."""
    key = f"surveys:responses:{survey.pk}:{_address(request)}"
    return _count(key, RESPONSE_WINDOW_SECONDS) <= responses_per_address_per_hour()


def form_token_take(request: HttpRequest) -> bool:
    """Count a form served to the client; False once the client holds as
    many unanswered forms as allowed (it is then not served one)."""
    key = f"surveys:form-tokens:{_address(request)}"
    return _count(key, form_token_max_age()) <= form_tokens_per_address()


def form_token_give_back(request: HttpRequest) -> None:
    """A served form has been answered: the client holds one fewer."""
    key = f"surveys:form-tokens:{_address(request)}"
    try:
        if cache.decr(key) < 0:
            cache.incr(key)
    except ValueError:
        pass  # The window has ended: nothing is held any more.


def _count(key: str, window: int) -> int:
    """One more in the key's window (started by its first count)."""
    try:
        count = cache.incr(key)
    except ValueError:
        # No window yet (or it has just ended): this count starts one.
        count = 1 if cache.add(key, 1, window) else cache.incr(key)
    if count == 1:
        # However the first count came (an increment may recreate a key
        # that expired under it, without an expiry), the window has one.
        cache.touch(key, window)
    return count


def _address(request: HttpRequest) -> str:
    # Hashed: any address (IPv6 included) gives a short key that memcached
    # would accept too.
    address = client_address(request)
    return hashlib.blake2b(address.encode(), digest_size=12).hexdigest()
