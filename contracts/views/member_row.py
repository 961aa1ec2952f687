"""A member's plan changed from their row of the members list (issue 10,
points 5 and 10): the dropdown saves on change, with the service, the
rules and the preview of the member's page."""

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.forms import MemberPlanForm
from contracts.views._common import administrator_get
from contracts.views._member_list_query import list_query, list_url, with_list_query
from organizations import selectors as organization_selectors
from organizations.models import Membership
from plans.models import Plan

TEMPLATE = "contracts/member_list.html"


@login_required
@require_POST
def member_list_plan(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Give a member a plan from their row of the list, or take theirs back
    with Free: the service, the rules and the preview of their page (issue
    10, point 5). With htmx the row comes back (saved; put back to the plan
    held, with the reason; or with the confirmation over it); without, the
    list, or the confirmation page."""
    membership = administrator_get(request, organization_id)
    member = organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    form = MemberPlanForm(request.POST)
    if not form.is_valid():
        return _row(request, membership, member, errors=form.errors["plan"], status=422)
    plan = form.cleaned_data["plan"]
    if not request.POST.get("confirmed") and (
        deactivated := selectors.member_plan_downgrade_preview(
            contract=selectors.contract_for_organization(
                organization=membership.organization
            ),
            member=member,
            plan=plan,
        )
    ):
        return _row_confirm(request, membership, member, plan, deactivated)
    try:
        services.member_plan_set(
            organization=membership.organization,
            user=member.user,
            plan=plan,
            actor=request.user,
        )
    except ContractError as error:
        return _row(request, membership, member, errors=[str(error)], status=409)
    return _row(request, membership, member, saved=True)


def _row(
    request: HtmxHttpRequest,
    membership: Membership,
    member: Membership,
    *,
    errors: Sequence[str] = (),
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    """With htmx, the member's row (saved, or put back to the plan actually
    held with the reason); without, the list with a message."""
    if not request.htmx:
        if saved:
            messages.success(
                request,
                _("%(name)s’s plan has been changed.")
                % {"name": member.user.display_name},
            )
        for error in errors:
            messages.error(request, error)
        return redirect(list_url(request, membership.organization_id))
    context = {
        "plan_errors": errors,
        "plan_saved": saved,
        # After a confirmation, the focus goes back to the row's dropdown.
        "plan_focus": saved and bool(request.POST.get("confirmed")),
    }
    return _row_render(request, membership, member, context, status=status)


def _row_confirm(
    request: HtmxHttpRequest,
    membership: Membership,
    member: Membership,
    plan: Plan,
    deactivated: list,
) -> HttpResponse:
    """Ask before a change from a row that would make surveys inactive: the
    row (put back to the plan held) with the dialog of a member's page over
    it with htmx; that dialog's page without, back to the list."""
    context = {
        "confirm_plan": plan,
        "deactivated": deactivated,
        "confirm_url": _row_url(request, membership.organization_id, member.pk),
    }
    if request.htmx:
        return _row_render(request, membership, member, context)
    context |= {
        "membership": membership,
        "organization": membership.organization,
        "member": member,
        "cancel_url": list_url(request, membership.organization_id),
    }
    return render(request, "contracts/member_plan_confirm.html", context)


def _row_render(
    request: HtmxHttpRequest,
    membership: Membership,
    member: Membership,
    context: dict,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "membership": membership,
        "organization": membership.organization,
        "member": selectors.member_list_row(membership=membership, member=member),
        "list_query": list_query(request),
        # The row's box, ticked for a bulk change, stays ticked.
        "ticked": set(request.POST.getlist("bulk-members")),
        **context,
    }
    return render(request, f"{TEMPLATE}#member-row", context, status=status)


def _row_url(request: HtmxHttpRequest, organization_id: int, member_id: int) -> str:
    """Where a row's plan is posted, with the list's query string, to come
    back to the same list without JavaScript."""
    return with_list_query(
        request,
        reverse("contracts:member-list-plan", args=[organization_id, member_id]),
    )
