"""Reclaiming idle seats (issue 11, point 9): the organization's policy
page, with a preview of who it would remind and reclaim today, and the
"Keep my plan" link of the reminder, which anyone holding it may use (it
is signed, and names one seat and one reminder)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.forms import IdlePolicyForm
from contracts.keep_links import keep_token_seat
from contracts.views._common import administrator_get


@login_required
@require_http_methods(["GET", "POST"])
def idle_policy(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """The policy (POST saves it) and, for the delays saved or those
    entered with "Preview" (a GET), who it reminds and reclaims today."""
    membership = administrator_get(request, organization_id)
    organization = membership.organization
    saved = {
        "enabled": organization.idle_reclaim,
        "remind_days": organization.idle_remind_days,
        "reclaim_days": organization.idle_reclaim_days,
    }
    data = request.POST if request.method == "POST" else None
    if request.method == "GET" and "preview" in request.GET:
        data = request.GET
    form = IdlePolicyForm(data, initial=saved)
    delays = form.cleaned_data if data is not None and form.is_valid() else saved
    if request.method == "POST" and form.is_valid():
        try:
            services.reclaim_policy_set(
                organization=organization, **delays, actor=request.user
            )
        except ContractError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved"))
            return redirect("contracts:idle-policy", organization_id=organization.pk)
    preview = selectors.idle_seats_due(
        organization=organization,
        remind_days=delays["remind_days"],
        reclaim_days=delays["reclaim_days"],
        today=timezone.localdate(),
    )
    context = {
        "membership": membership,
        "organization": organization,
        "form": form,
        "preview": preview,
        "delays": delays,
    }
    status = 422 if form.errors and request.method == "POST" else 200
    return render(request, "contracts/idle_policy.html", context, status=status)


@require_http_methods(["GET", "POST"])
def idle_keep(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """ "Keep my plan": a page that asks (GET changes nothing, so that a
    link scanner cannot answer for the member), and the answer (POST)."""
    today = timezone.localdate()
    context = {"token": token, "seat": keep_token_seat(token=token, today=today)}
    if request.method == "POST" and context["seat"] is not None:
        try:
            context["kept"] = services.seat_idle_keep(token=token, today=today)
        except ContractError:
            context["seat"] = None
    return render(request, "contracts/idle_keep.html", context)
