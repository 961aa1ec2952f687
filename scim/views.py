"""The organization's "Directory sync" page: the SCIM address to give a
directory, its tokens (a new one shown once), and their revocation.
Administrators only; anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import HtmxHttpRequest
from organizations.models import Membership
from organizations.selectors import membership_get
from scim import services
from scim.forms import ScimTokenForm
from scim.models import ScimToken

TEMPLATE = "scim/directory_sync.html"


@login_required
@require_GET
def directory_sync(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    return _page(request, membership, ScimTokenForm())


@login_required
@require_POST
def token_create(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """Make a token and show it, this once: only its digest is kept."""
    membership = membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    form = ScimTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, form, status=400)
    token, plaintext = services.scim_token_create(
        organization=membership.organization,
        name=form.cleaned_data["name"],
        actor=request.user,
    )
    return _page(
        request, membership, ScimTokenForm(), new_token=token, plaintext=plaintext
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(
    request: HtmxHttpRequest, organization_id: int, token_id: int
) -> HttpResponse:
    """Confirm (GET) and revoke (POST): the directory's next request fails."""
    membership = membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    token = get_object_or_404(
        ScimToken,
        organization_id=membership.organization_id,
        pk=token_id,
        revoked_at__isnull=True,
    )
    if request.method == "GET":
        context = {
            "membership": membership,
            "organization": membership.organization,
            "token": token,
        }
        return render(request, "scim/token_revoke.html", context)
    services.scim_token_revoke(token=token)
    messages.success(
        request,
        _("The token %(name)s is revoked: the directory can no longer use it.")
        % {"name": token.name},
    )
    return redirect("organizations:directory-sync", organization_id)


def _page(
    request: HtmxHttpRequest,
    membership: Membership,
    form: ScimTokenForm,
    status: int = 200,
    **extra,
) -> HttpResponse:
    organization = membership.organization
    context = {
        "membership": membership,
        "organization": organization,
        "form": form,
        "scim_url": request.build_absolute_uri(reverse("scim:root")),
        "tokens": organization.scim_tokens.select_related("created_by"),
        **extra,
    }
    return render(request, TEMPLATE, context, status=status)
