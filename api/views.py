"""The account's "API tokens" page: create a personal token (shown once),
see when each was last used, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.http import HtmxHttpRequest
from api import selectors, services
from api.forms import ApiTokenForm

TEMPLATE = "api/token_list.html"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HtmxHttpRequest) -> HttpResponse:
    """The tokens and the form for a new one. A new token's secret is in
    this response only (never cached, never stored: only its digest is)."""
    form = ApiTokenForm(request.POST or None)
    context = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            token, plaintext = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
            context |= {"created": token, "plaintext": plaintext}
            context["form"] = ApiTokenForm()
        else:
            status = 422
    context["tokens"] = selectors.api_token_list(user=request.user)
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HtmxHttpRequest, token_id: int) -> HttpResponse:
    """Confirm (GET), then revoke (POST) one of the person's own tokens."""
    token = selectors.api_token_get(user=request.user, token_id=token_id)
    if request.method == "GET":
        return render(request, "api/token_revoke.html", {"token": token})
    services.api_token_revoke(token=token)
    messages.success(
        request, _("The token “%(name)s” has been revoked.") % {"name": token.name}
    )
    return redirect("api-tokens:token-list")
