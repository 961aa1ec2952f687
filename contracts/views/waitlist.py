"""The waitlist and the requests for a plan: a member joins or leaves the
waitlist and asks for a plan (from the report that refused a feature, and
from the home page); the administrators answer both from the Contract page.

Every view here is a POST that redirects: the pages that show the forms
are the report, the home page and the Contract page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.forms import SeatRequestForm, SeatRequestGiveForm, WaitlistJoinForm
from contracts.views._common import administrator_get, redirect_after_post
from organizations import selectors as organization_selectors
from organizations.models import Membership


@login_required
@require_POST
def waitlist_join(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """ "Join the waitlist" (one click): for the feature the member was
    refused; joining twice keeps the first place."""
    membership = _member_get(request, organization_id)
    form = WaitlistJoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a feature to wait for."))
        return _back(request)
    try:
        services.waitlist_join(
            organization=membership.organization,
            user=request.user,
            feature=form.cleaned_data["feature"],
        )
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "You are on the waitlist: you will get a plan as soon as a "
                "seat is free, and an email."
            ),
        )
    return _back(request)


@login_required
@require_POST
def waitlist_leave(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = _member_get(request, organization_id)
    try:
        services.waitlist_leave(organization=membership.organization, user=request.user)
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You left the waitlist."))
    return _back(request)


@login_required
@require_POST
def plan_request_create(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """A member asks the administrators for a plan, with an optional
    reason."""
    membership = _member_get(request, organization_id)
    form = SeatRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long (500 characters at most)."))
        return _back(request)
    try:
        services.seat_request_create(
            organization=membership.organization,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your request was sent: the administrators will answer it."),
        )
    return _back(request)


@login_required
@require_POST
def waitlist_give(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """ "Give a plan" to a waiting member: the cheapest free plan that
    includes their feature."""
    membership, contract = _contract_get(request, organization_id)
    entry = contract and selectors.waitlist_entry_get(
        contract=contract, entry_id=request.POST.get("entry", "")
    )
    if not entry:
        return _answered(request, membership)
    try:
        plan = services.waitlist_entry_give(entry=entry, actor=request.user)
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(member)s now has the %(plan)s plan.")
            % {"member": entry.user.display_name, "plan": plan.display_name},
        )
    return redirect_after_post(request, _contract_url(membership))


@login_required
@require_POST
def waitlist_decline(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership, contract = _contract_get(request, organization_id)
    entry = contract and selectors.waitlist_entry_get(
        contract=contract, entry_id=request.POST.get("entry", "")
    )
    if not entry:
        return _answered(request, membership)
    try:
        services.waitlist_entry_decline(entry=entry, actor=request.user)
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(member)s is no longer waiting; they were emailed.")
            % {"member": entry.user.display_name},
        )
    return redirect_after_post(request, _contract_url(membership))


@login_required
@require_POST
def seat_request_give(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership, contract = _contract_get(request, organization_id)
    seat_request = contract and selectors.seat_request_get(
        contract=contract, request_id=request.POST.get("request", "")
    )
    if not seat_request:
        return _answered(request, membership)
    form = SeatRequestGiveForm(request.POST)
    try:
        if not form.is_valid():
            raise ContractError(_("Choose a plan to give."))
        plan = form.cleaned_data["plan"]
        services.seat_request_give(
            seat_request=seat_request, plan=plan, actor=request.user
        )
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(member)s now has the %(plan)s plan.")
            % {"member": seat_request.user.display_name, "plan": plan.display_name},
        )
    return redirect_after_post(request, _contract_url(membership))


@login_required
@require_POST
def seat_request_decline(
    request: HtmxHttpRequest, organization_id: int
) -> HttpResponse:
    membership, contract = _contract_get(request, organization_id)
    seat_request = contract and selectors.seat_request_get(
        contract=contract, request_id=request.POST.get("request", "")
    )
    if not seat_request:
        return _answered(request, membership)
    try:
        services.seat_request_decline(seat_request=seat_request, actor=request.user)
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The request of %(member)s was declined; they were emailed.")
            % {"member": seat_request.user.display_name},
        )
    return redirect_after_post(request, _contract_url(membership))


def _member_get(request: HtmxHttpRequest, organization_id: int) -> Membership:
    return organization_selectors.membership_get(
        user=request.user, organization_id=organization_id
    )


def _contract_get(request: HtmxHttpRequest, organization_id: int):
    membership = administrator_get(request, organization_id)
    contract = selectors.contract_for_organization(organization=membership.organization)
    return membership, contract


def _answered(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Sent twice, or answered by someone else meanwhile: nothing to do. An
    id of another organization's queue reads the same, so that it cannot
    be told from one answered."""
    messages.info(request, _("This was already answered."))
    return redirect_after_post(request, _contract_url(membership))


def _contract_url(membership: Membership) -> str:
    return reverse(
        "contracts:organization-contract",
        kwargs={"organization_id": membership.organization_id},
    )


def _back(request: HtmxHttpRequest) -> HttpResponse:
    """To the page the form was on (`next`, of this site only), or home."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    # Not `redirect()`, which would take a word for a URL pattern's name.
    return HttpResponseRedirect(next_url)
