from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def proxy_count_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Behind a proxy that sets X-Forwarded-Proto, every connection comes
    from the proxy: without TRUSTED_PROXY_COUNT, all clients would share
    its address in the per-client limits, and a stranger's failed logins
    would hold back everyone's."""
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if behind_proxy and settings.TRUSTED_PROXY_COUNT < 1:
        return [
            checks.Warning(
                "SECURE_PROXY_SSL_HEADER is set but TRUSTED_PROXY_COUNT is 0: "
                "limits per client address would count every client as the "
                "proxy.",
                hint="Set DJANGO_TRUSTED_PROXY_COUNT to the number of proxies "
                "that append to X-Forwarded-For (usually 1).",
                id="accounts.W001",
            )
        ]
    return []
