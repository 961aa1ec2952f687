"""The low-seat alert's threshold of a contract's plans (issue 11, point
8), set by the organization's administrators from its Contract page or by
the contract's managers from their account; both pages show the banner
(`contracts/_low_seats.html`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.forms import AlertThresholdForm
from contracts.models import Contract
from contracts.views._common import administrator_get


@login_required
@require_POST
def organization_threshold(
    request: HtmxHttpRequest, organization_id: int
) -> HttpResponse:
    membership = administrator_get(request, organization_id)
    contract = selectors.contract_for_organization(organization=membership.organization)
    url = reverse(
        "contracts:organization-contract", kwargs={"organization_id": organization_id}
    )
    if contract is None:
        messages.info(request, _("This organization has no contract."))
        return redirect(url)
    return _threshold_set(request, contract, url)


@login_required
@require_POST
def account_threshold(request: HtmxHttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get_managed(
        user=request.user, contract_id=contract_id
    )
    return _threshold_set(request, contract, contract.get_absolute_url())


def _threshold_set(
    request: HtmxHttpRequest, contract: Contract, url: str
) -> HttpResponse:
    form = AlertThresholdForm(request.POST)
    allotment = form.is_valid() and selectors.allotment_get(
        contract=contract, plan=form.cleaned_data["plan"]
    )
    if not allotment:
        messages.error(request, _("Enter a number of seats, or leave it empty."))
        return redirect(url)
    try:
        allotment = services.allotment_alert_threshold_set(
            allotment=allotment,
            threshold=form.cleaned_data["threshold"],
            actor=request.user,
        )
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You will be told when %(count)d %(plan)s seats or fewer are left.")
            % {"count": allotment.alert_at, "plan": allotment.plan.display_name},
        )
    return redirect(url)
