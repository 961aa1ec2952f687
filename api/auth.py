"""Authentication by personal API token (`Authorization: Bearer …`), and
the rate limit per token, counted in the shared cache by django-ratelimit
(as the login form's limits are, accounts/throttle.py)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from api import selectors, services
from api.models import ApiToken
from api.problems import ApiProblem

# Requests per token, as django-ratelimit's "count/period"; a setting
# (`API_RATE_PER_TOKEN`) can change it.
DEFAULT_RATE = "600/m"
# Requests with a wrong token per client address (`API_FAILURES_PER_CLIENT`):
# a client guessing or replaying revoked tokens is held back; requests with
# a valid token are never counted here.
DEFAULT_FAILURES = "60/m"
# django-ratelimit's key for the client's address (RATELIMIT_IP_META_KEY).
CLIENT = "ip"


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = selectors.api_token_authenticate(plaintext=token)
        if api_token is None:
            _limit(
                request,
                group="api.token-failures",
                key=CLIENT,
                rate=getattr(settings, "API_FAILURES_PER_CLIENT", DEFAULT_FAILURES),
                message=_(
                    "Too many requests with a wrong token: try again in %(seconds)s s."
                ),
            )
            return None
        _limit(
            request,
            group="api.token",
            key=lambda _group, _request: str(api_token.pk),
            rate=getattr(settings, "API_RATE_PER_TOKEN", DEFAULT_RATE),
            message=_("Too many requests with this token: try again in %(seconds)s s."),
        )
        services.api_token_used(token=api_token)
        # The rest of the stack (selectors, services) knows the person.
        request.user = api_token.user
        return api_token


def write_required(request: HttpRequest) -> None:
    """Refuse a change asked with a read-only token (403)."""
    if not request.auth.can_write:
        raise ApiProblem(403, _("This token is read-only: changes need a write token."))


def _limit(request: HttpRequest, *, group: str, key, rate: str, message: str):
    """Count the request (one atomic increment in the shared cache); 429
    with Retry-After past the rate."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    if usage is not None and usage["should_limit"]:
        seconds = max(int(usage["time_left"]), 1)
        raise ApiProblem(
            429, message % {"seconds": seconds}, headers={"Retry-After": str(seconds)}
        )
