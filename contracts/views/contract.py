"""The organization's Contract page (administrators only): connecting by
dropdown (flow 1) or by connection key (flow 2), the plan overview, automatic
assignment, the members who asked for a plan, disconnecting (flow 6) and the
history.

Each step is a real form that works without JavaScript; with htmx the steps
swap the `connect-step` partial of the page in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import (
    ContractError,
    KeyRejected,
    KeyThrottled,
    NotConnected,
)
from contracts.forms import USE_KEY, AutoAssignForm, ConnectForm, ConnectKeyForm
from contracts.pagination import CappedPaginator
from contracts.selectors.groups import group_plan_overview
from contracts.views._common import administrator_get, redirect_after_post
from organizations.models import Membership

EVENTS_PER_PAGE = 20
HELD_SEATS_PER_PAGE = 20
PLAN_REQUESTS_SHOWN = 50
TEMPLATE = "contracts/organization_contract.html"


@login_required
@require_GET
def organization_contract(
    request: HtmxHttpRequest, organization_id: int
) -> HttpResponse:
    membership = administrator_get(request, organization_id)
    # Pagination of the history and Cancel in the connect steps swap one
    # part of the page.
    partial = (
        request.htmx.target
        if request.htmx.target in {"history", "connect-step"}
        else None
    )
    return _render(request, membership, partial=partial)


@login_required
@require_http_methods(["GET", "POST"])
def connect(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """Flow 1: pick a contract you manage, or "Use a connection key". A
    person with no contract to pick goes straight to the key's field (flow
    2): a dropdown with a single choice would be a step for nothing."""
    membership = administrator_get(request, organization_id)
    organization = membership.organization
    if request.method == "GET" and _has_contract(organization):
        return _already_connected(request, membership)
    connectable = selectors.contract_list_connectable(user=request.user)
    if request.method == "GET" and not connectable.exists():
        return _render(request, membership, step="key", key_form=ConnectKeyForm())
    # A form sent twice is answered by the service: connecting the same
    # contract again changes nothing.
    form = ConnectForm(
        request.POST if request.method == "POST" else None,
        connectable=connectable,
        managed=selectors.contract_list_managed(user=request.user),
    )
    if request.method == "GET":
        return _render(request, membership, step="choose", connect_form=form)
    if not form.is_valid():
        return _render(
            request, membership, step="choose", connect_form=form, status=422
        )
    choice = form.cleaned_data["contract"]
    if choice == USE_KEY:
        if request.htmx:
            return _render(request, membership, step="key", key_form=ConnectKeyForm())
        return redirect("contracts:connect-key", organization_id=organization.pk)
    try:
        contract = services.contract_connect(
            organization=organization, contract=choice, actor=request.user
        )
    except ContractError as error:
        form.add_error(None, str(error))
        return _render(
            request, membership, step="choose", connect_form=form, status=409
        )
    return _connected(request, membership, contract)


@login_required
@sensitive_post_parameters("key")
@never_cache
@require_http_methods(["GET", "POST"])
def connect_key(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """Flow 2: enter the key the contract manager shared.

    The key travels in the POST body only; it is never put in a URL, the
    session or a response. A text not shaped like a key is sent back in the
    field, to correct (not cached: `never_cache`).
    """
    membership = administrator_get(request, organization_id)
    organization = membership.organization
    if request.method == "GET":
        if _has_contract(organization):
            return _already_connected(request, membership)
        return _render(request, membership, step="key", key_form=ConnectKeyForm())
    form = ConnectKeyForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, step="key", key_form=form, status=422)
    try:
        contract = services.contract_connect_with_key(
            organization=organization,
            key=form.cleaned_data["key"],
            actor=request.user,
        )
    except ContractError as error:
        form.add_error("key", _key_refusal_message(error))
        if isinstance(error, KeyThrottled):
            status = 429
        elif isinstance(error, KeyRejected):
            status = 422
        else:
            status = 409
        return _render(request, membership, step="key", key_form=form, status=status)
    return _connected(request, membership, contract)


@login_required
@require_http_methods(["GET", "POST"])
def disconnect(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """Confirm (GET: the page behind the dialog, or with htmx the dialog's
    content alone) and disconnect (POST)."""
    membership = administrator_get(request, organization_id)
    organization = membership.organization
    if request.method == "GET":
        return _disconnect_confirm(request, membership)
    try:
        contract = services.contract_disconnect(
            organization=organization, actor=request.user
        )
    except NotConnected:
        # Sent twice, or someone else was quicker: the result is the same.
        messages.info(request, _("This organization has no contract."))
    else:
        messages.success(
            request,
            _(
                "Contract %(reference)s is disconnected. Members keep the plans "
                "they hold."
            )
            % {"reference": contract.reference},
        )
    return redirect_after_post(request, _contract_url(membership))


@login_required
@require_POST
def auto_assign(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """The "Assign plans automatically" switch, saved as soon as it changes."""
    membership = administrator_get(request, organization_id)
    form = AutoAssignForm(request.POST)
    form.is_valid()  # A checkbox is always valid: absent means off.
    error = ""
    try:
        services.contract_set_auto_assign(
            organization=membership.organization,
            enabled=form.cleaned_data["enabled"],
            actor=request.user,
        )
    except ContractError as refused:
        error = str(refused)
    if request.htmx:
        return _auto_assign_switch(request, membership, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved"))
    return redirect(_contract_url(membership))


def _key_refusal_message(error: ContractError) -> str:
    """Why the key was refused, and how many attempts are left."""
    if isinstance(error, KeyThrottled) or error.attempts_left is None:
        return str(error)
    if error.attempts_left == 0:
        left = _("No attempts left: wait 15 minutes before the next one.")
    else:
        left = ngettext(
            "%(count)d attempt left.",
            "%(count)d attempts left.",
            error.attempts_left,
        ) % {"count": error.attempts_left}
    return f"{error} {left}"


def _contract_url(membership: Membership) -> str:
    return reverse(
        "contracts:organization-contract",
        kwargs={"organization_id": membership.organization_id},
    )


def _disconnect_confirm(
    request: HtmxHttpRequest, membership: Membership
) -> HttpResponse:
    contract = selectors.contract_for_organization(organization=membership.organization)
    if contract is None:
        messages.info(request, _("This organization has no contract."))
        return redirect(_contract_url(membership))
    template = "contracts/contract_disconnect.html"
    if request.htmx:
        template += "#disconnect-confirm"
    return render(
        request,
        template,
        {
            "membership": membership,
            "organization": membership.organization,
            "contract": contract,
            "in_dialog": bool(request.htmx),
        },
    )


def _auto_assign_switch(
    request: HtmxHttpRequest, membership: Membership, *, error: str
) -> HttpResponse:
    """The switch alone, put back to the state actually saved on an error."""
    contract = selectors.contract_for_organization(organization=membership.organization)
    return render(
        request,
        f"{TEMPLATE}#auto-assign",
        {
            "membership": membership,
            "organization": membership.organization,
            "contract": contract,
            "auto_assign_form": _auto_assign_form(contract),
            "auto_assign_errors": [error] if error else [],
            "saved": not error,
        },
        status=409 if error else 200,
    )


def _has_contract(organization) -> bool:
    return selectors.contract_for_organization(organization=organization) is not None


def _auto_assign_form(contract) -> AutoAssignForm:
    return AutoAssignForm(
        initial={"enabled": contract is not None and contract.auto_assign}
    )


def _render(
    request: HtmxHttpRequest,
    membership: Membership,
    *,
    step: str = "",
    connect_form: ConnectForm | None = None,
    key_form: ConnectKeyForm | None = None,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The Contract page, or with htmx the part of it that changed: a step
    of connecting is answered with that step alone."""
    organization = membership.organization
    context = {
        "membership": membership,
        "organization": organization,
        "step": step,
        "connect_form": connect_form,
        "key_form": key_form,
    }
    if (step and request.htmx) or partial == "connect-step":
        return render(request, f"{TEMPLATE}#connect-step", context, status=status)
    # The history grows with every seat given: counted up to a limit.
    context["history"] = CappedPaginator(
        selectors.event_list(organization=organization), EVENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    if partial == "history":
        return render(request, f"{TEMPLATE}#history", context, status=status)
    context.update(_contract_context(request, organization))
    return render(request, TEMPLATE, context, status=status)


def _contract_context(request: HtmxHttpRequest, organization) -> dict:
    """The connected contract, if any, with its plans, the requests for a
    plan and the automatic assignment switch."""
    contract = selectors.contract_for_organization(organization=organization)
    if contract is None:
        return {"contract": None, **_disconnected_context(request, organization)}
    overview = selectors.contract_overview(
        contract=contract, user=request.user, requests_shown=PLAN_REQUESTS_SHOWN
    )
    return {
        "contract": contract,
        "overview": overview.plans,
        "auto_assign_form": _auto_assign_form(contract),
        "plan_requests": overview.plan_requests,
        "plan_request_count": overview.plan_request_count,
        "manages_contract": overview.manages_contract,
        "waitlist": selectors.waitlist_queue(contract=contract),
        "seat_requests": selectors.seat_request_queue(contract=contract),
        "request_plans": selectors.seat_request_plans(contract=contract),
        "group_plans": group_plan_overview(contract=contract),
    }


def _disconnected_context(request: HtmxHttpRequest, organization) -> dict:
    """The contract the organization was last disconnected from, while it
    is in force, and the seats its members still hold from it: they keep
    their plans until its managers free them, so the page must not say
    that everyone is on Free."""
    disconnected = selectors.contract_last_disconnected(organization=organization)
    if disconnected is None:
        return {"disconnected": None}
    return {
        "disconnected": disconnected,
        "held_seats": CappedPaginator(
            selectors.seat_list_held_by_members(
                contract=disconnected, organization=organization
            ),
            HELD_SEATS_PER_PAGE,
        ).get_page(request.GET.get("held")),
    }


def _connected(
    request: HtmxHttpRequest, membership: Membership, contract
) -> HttpResponse:
    messages.success(
        request,
        _("Contract %(reference)s is connected to %(organization)s.")
        % {
            "reference": contract.reference,
            "organization": membership.organization.name,
        },
    )
    return redirect_after_post(request, _contract_url(membership))


def _already_connected(
    request: HtmxHttpRequest, membership: Membership
) -> HttpResponse:
    messages.info(
        request,
        _(
            "%(organization)s already has a contract: disconnect it before "
            "connecting another one."
        )
        % {"organization": membership.organization.name},
    )
    return redirect_after_post(request, _contract_url(membership))
