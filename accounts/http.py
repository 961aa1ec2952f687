import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request type of views, for the `htmx` attribute the middleware adds.

    https://django-htmx.readthedocs.io/en/latest/tips.html#type-hints
    """

    htmx: HtmxDetails


def client_address(request: HttpRequest) -> str:
    """The IP address of the client, for limits counted per client.

    The connection's address (REMOTE_ADDR), unless settings say the app runs
    behind TRUSTED_PROXY_COUNT reverse proxies: each appends the address it
    received the request from to X-Forwarded-For, so the client's is the
    entry that many places from the right, and anything left of it is
    whatever the client chose to send. A header that does not fit (a request
    that bypassed the proxies, or garbage) falls back to REMOTE_ADDR.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            entry.strip()
            for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    address = request.META.get("REMOTE_ADDR", "")
    if not address:
        # A Unix socket has no peer address: only the proxy can tell.
        raise ImproperlyConfigured(
            "The request has no REMOTE_ADDR: behind a proxy on a Unix socket, "
            "set DJANGO_TRUSTED_PROXY_COUNT."
        )
    return address
