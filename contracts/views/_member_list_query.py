"""The members list's own query string (search, plan filter, order, page),
which the list's posts carry in their URL, to come back to the same list."""

from django.urls import reverse
from django.utils.http import urlencode

from accounts.http import HtmxHttpRequest


def list_query(request: HtmxHttpRequest) -> str:
    """The list's own query string, to come back to the same list."""
    return urlencode(
        {
            key: request.GET[key][:100]
            for key in ("q", "plan", "group", "sort", "page")
            if request.GET.get(key)
        }
    )


def with_list_query(request: HtmxHttpRequest, url: str) -> str:
    """`url` with the list's query string, if any."""
    if query := list_query(request):
        return f"{url}?{query}"
    return url


def list_url(request: HtmxHttpRequest, organization_id: int) -> str:
    """The members list as it was: same search, filter, order and page."""
    return with_list_query(
        request,
        reverse("contracts:member-list", kwargs={"organization_id": organization_id}),
    )
