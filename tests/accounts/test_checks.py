from accounts.checks import proxy_count_check


def test_a_proxy_without_a_trusted_proxy_count_is_flagged(settings):
    """Behind a proxy, every client would otherwise count as the proxy in
    the per-client limits."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 0
    assert [message.id for message in proxy_count_check(None)] == ["accounts.W001"]
    settings.TRUSTED_PROXY_COUNT = 1
    assert proxy_count_check(None) == []


def test_no_proxy_needs_no_count(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.TRUSTED_PROXY_COUNT = 0
    assert proxy_count_check(None) == []
