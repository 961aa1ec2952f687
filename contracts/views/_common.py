"""What the organization's pages of the contracts app share: who may see
them, and the answer after a successful post."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import HtmxHttpRequest
from organizations import selectors as organization_selectors
from organizations.models import Membership


def administrator_get(request: HtmxHttpRequest, organization_id: int) -> Membership:
    """The requesting administrator's membership, or 404."""
    return organization_selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )


def redirect_after_post(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """To `url`: a whole page load with htmx (the messages go with it), a
    plain redirect without."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
