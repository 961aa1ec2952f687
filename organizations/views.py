from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import HtmxHttpRequest
from organizations import selectors


@login_required
@require_GET
def organization_list(request: HtmxHttpRequest) -> HttpResponse:
    memberships = selectors.membership_list_for_user(user=request.user)
    return render(
        request, "organizations/organization_list.html", {"memberships": memberships}
    )


@login_required
@require_GET
def organization_detail(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = selectors.membership_get(
        user=request.user, organization_id=organization_id
    )
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "member_count": membership.organization.memberships.count(),
        },
    )
