"""Scheduled plan changes on a member's page (issue 11, point 10):
schedule one (with the preview the dropdown shows of the surveys a lower
plan makes inactive) and cancel it. The panel is
`contracts/_scheduled_changes.html`."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.forms import ScheduleChangeForm
from contracts.views._common import administrator_get, redirect_after_post
from organizations import selectors as organization_selectors
from organizations.models import Membership
from plans.models import Plan


@login_required
@require_POST
def schedule(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Schedule the member's plan change; a lower plan that would make
    surveys inactive asks for confirmation first, as the dropdown does."""
    membership = administrator_get(request, organization_id)
    member = organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    url = member.get_absolute_url() + "#schedule-title"
    form = ScheduleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a plan and a day."))
        return redirect_after_post(request, url)
    plan, on = form.cleaned_data["plan"], form.cleaned_data["on"]
    contract = selectors.contract_for_organization(organization=membership.organization)
    if not request.POST.get("confirmed") and (
        deactivated := selectors.member_plan_downgrade_preview(
            contract=contract, member=member, plan=plan
        )
    ):
        return _confirm(request, membership, member, plan, on, deactivated)
    try:
        services.plan_change_schedule(
            organization=membership.organization,
            user=member.user,
            plan=plan,
            on=on,
            actor=request.user,
        )
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The plan change is scheduled."))
    return redirect_after_post(request, url)


@login_required
@require_POST
def schedule_cancel(
    request: HtmxHttpRequest, organization_id: int, membership_id: int, change_id: int
) -> HttpResponse:
    membership = administrator_get(request, organization_id)
    member = organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    change = selectors.scheduled_change_get(
        organization=membership.organization,
        user_id=member.user_id,
        change_id=change_id,
    )
    if services.plan_change_cancel(change=change, actor=request.user):
        messages.success(request, _("The scheduled plan change is cancelled."))
    else:
        messages.info(request, _("This plan change is no longer scheduled."))
    return redirect_after_post(request, member.get_absolute_url() + "#schedule-title")


def _confirm(
    request: HtmxHttpRequest,
    membership: Membership,
    member: Membership,
    plan: Plan,
    on: datetime.date,
    deactivated: list,
) -> HttpResponse:
    """Ask before scheduling a change that would make surveys inactive (as
    things stand today)."""
    return render(
        request,
        "contracts/member_schedule_confirm.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "member": member,
            "confirm_plan": plan,
            "on": on,
            "deactivated": deactivated,
        },
    )
