"""A member's page: their plan (flows 3 and 5: given or taken back from the
dropdown, which saves on change, with a preview of the surveys a lower plan
would make inactive), their role, and removing them from the
organization."""

from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.forms import MemberPlanForm
from contracts.models import Contract, Seat
from contracts.selectors.members import LOOK_UP
from contracts.views._common import administrator_get, redirect_after_post
from organizations import selectors as organization_selectors
from organizations import services as organization_services
from organizations.forms import RoleForm
from organizations.models import Membership
from plans.models import Plan

TEMPLATE = "contracts/member_detail.html"


@login_required
@require_GET
def member_detail(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id
    )
    member = _member_get(organization_id, membership_id)
    return render(
        request,
        TEMPLATE,
        {
            "membership": membership,
            "organization": membership.organization,
            "member": member,
            "role_form": RoleForm(initial={"role": member.role}),
            "panel": selectors.member_plan_panel(membership=membership, member=member),
            "exclusion": _exclusion(membership, member),
            "schedule": membership.is_administrator
            and selectors.member_schedule_panel(
                organization=membership.organization, user_id=member.user_id
            ),
        },
    )


@login_required
@require_POST
def member_auto_assign_include(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Include again in automatic assignment a member whose plan was taken
    back by hand (issue 10, point 2)."""
    membership = administrator_get(request, organization_id)
    member = _member_get(organization_id, membership_id)
    try:
        services.member_auto_assign_include(
            organization=membership.organization, user=member.user, actor=request.user
        )
    except ContractError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(name)s can get a plan automatically again.")
            % {"name": member.user.display_name},
        )
    return redirect_after_post(request, member.get_absolute_url())


@login_required
@require_POST
def member_plan(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Give a member a plan of the connected contract, or take theirs back
    with Free (flows 3 and 5). The dropdown saves on change; on a refusal it
    is put back to the plan actually held, with the reason."""
    membership = administrator_get(request, organization_id)
    member = _member_get(organization_id, membership_id)
    form = MemberPlanForm(request.POST)
    # The dropdown saves on every change: one read of the contract serves
    # the preview and the panel sent back.
    contract = selectors.contract_for_organization(organization=membership.organization)
    context = {"membership": membership, "member": member}
    if not form.is_valid():
        return _plan_answer(
            request, context, contract, errors=form.errors["plan"], status=422
        )
    plan = form.cleaned_data["plan"]
    if not request.POST.get("confirmed") and (
        deactivated := selectors.member_plan_downgrade_preview(
            contract=contract, member=member, plan=plan
        )
    ):
        return _plan_confirm(request, context, contract, plan, deactivated)
    try:
        seat = services.member_plan_set(
            organization=membership.organization,
            user=member.user,
            plan=plan,
            actor=request.user,
            contract=contract,
        )
    except ContractError as error:
        return _plan_answer(request, context, contract, errors=[str(error)], status=409)
    if seat is not None:
        # The contract read above; a plan given by hand clears exclusion.
        seat.contract = contract
        context["exclusion"] = None
    return _plan_answer(request, context, contract, seat=seat, saved=True)


@login_required
@require_POST
def member_role(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Change a member's role; the dropdown saves on change, like the plan."""
    membership = administrator_get(request, organization_id)
    member = _member_get(organization_id, membership_id)
    form = RoleForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            organization_services.membership_change_role(
                membership=member, role=form.cleaned_data["role"], actor=request.user
            )
        except organization_services.MembershipError as error:
            form.add_error("role", str(error))
            status = 409
        else:
            status = 200
    errors = form.errors.get("role", [])
    if not request.htmx:
        if status == 200:
            messages.success(request, _("The role has been changed."))
        for error in errors:
            messages.error(request, error)
        return redirect(member.get_absolute_url())
    return _role_form(request, membership, member, errors=errors, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Confirm (GET: a page, or the dialog's content with htmx) and remove
    (POST); the seat the member held on the organization's contract is
    freed with them."""
    membership = administrator_get(request, organization_id)
    member = _member_get(organization_id, membership_id)
    if request.method == "GET":
        return _remove_confirm(request, membership, member)
    try:
        services.member_remove(membership=member, actor=request.user)
    except organization_services.MembershipError as error:
        messages.error(request, str(error))
        return redirect_after_post(request, member.get_absolute_url())
    messages.success(
        request,
        _("%(email)s is no longer a member.") % {"email": member.user.email},
    )
    url = reverse("contracts:member-list", kwargs={"organization_id": organization_id})
    return redirect_after_post(request, url)


def _exclusion(membership: Membership, member: Membership):
    """The member's exclusion from automatic assignment, for administrators
    (a plan taken back by hand sticks, issue 10 point 2)."""
    if not membership.is_administrator:
        return None
    return selectors.auto_assign_exclusion(
        organization=membership.organization, user_id=member.user_id
    )


def _member_get(organization_id: int, membership_id: int) -> Membership:
    return organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )


def _plan_answer(
    request: HtmxHttpRequest,
    context: dict,
    contract: Contract | None,
    *,
    seat: Seat | object | None = LOOK_UP,
    errors: Sequence[str] = (),
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    """With htmx, the Plan panel (saved, or put back to the plan actually
    held with the reason); without, the member's page with a message."""
    if not request.htmx:
        if saved:
            messages.success(request, _("The plan has been changed."))
        for error in errors:
            messages.error(request, error)
        return redirect(context["member"].get_absolute_url())
    panel = selectors.member_plan_panel(
        membership=context["membership"],
        member=context["member"],
        contract=contract,
        seat=seat,
    )
    context = {
        **context,
        "organization": context["membership"].organization,
        "panel": panel,
        "exclusion": (
            context["exclusion"]
            if "exclusion" in context
            else _exclusion(context["membership"], context["member"])
        ),
        "plan_errors": errors,
        "plan_saved": saved,
    }
    return render(request, f"{TEMPLATE}#plan-form", context, status=status)


def _plan_confirm(
    request: HtmxHttpRequest,
    context: dict,
    contract: Contract | None,
    plan: Plan,
    deactivated: list,
) -> HttpResponse:
    """Ask before a change that would make surveys inactive: a dialog over
    the Plan panel (put back to the plan held), or a page without htmx."""
    panel = selectors.member_plan_panel(
        membership=context["membership"], member=context["member"], contract=contract
    )
    context = {
        **context,
        "organization": context["membership"].organization,
        "panel": panel,
        "exclusion": (
            context["exclusion"]
            if "exclusion" in context
            else _exclusion(context["membership"], context["member"])
        ),
        "confirm_plan": plan,
        "deactivated": deactivated,
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#plan-form", context)
    return render(request, "contracts/member_plan_confirm.html", context)


def _role_form(
    request: HtmxHttpRequest,
    membership: Membership,
    member: Membership,
    *,
    errors: list[str],
    status: int,
) -> HttpResponse:
    """The Role panel, with the dropdown put back to the role actually held
    on an error."""
    member.refresh_from_db(fields=["role"])
    return render(
        request,
        f"{TEMPLATE}#role-form",
        {
            "membership": membership,
            "organization": membership.organization,
            "member": member,
            "role_form": RoleForm(initial={"role": member.role}),
            "role_errors": errors,
            "saved": status == 200,
        },
        status=status,
    )


def _remove_confirm(
    request: HtmxHttpRequest, membership: Membership, member: Membership
) -> HttpResponse:
    """The confirmation of a removal: a page, or with htmx the dialog's
    content alone."""
    contract = selectors.contract_for_organization(organization=membership.organization)
    template = "contracts/member_remove.html"
    if request.htmx:
        template += "#remove-confirm"
    return render(
        request,
        template,
        {
            "membership": membership,
            "organization": membership.organization,
            "member": member,
            "plan_seat": contract
            and selectors.member_seat(contract=contract, user_id=member.user_id),
            "in_dialog": bool(request.htmx),
        },
    )
