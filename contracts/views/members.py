"""The organization's members pages: they show each member's plan and let
administrators give or take plans back (flows 3 and 5), so the contracts
app serves them; memberships themselves stay the organizations app's (its
selectors and services)."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import HtmxHttpRequest
from config.exports import csv_streaming_response
from contracts import selectors, services
from contracts.entitlements import effective_plan, effective_plan_id_of
from contracts.exceptions import ContractError
from contracts.forms import BulkPlanForm, MemberPlanForm
from contracts.models import Contract
from contracts.pagination import CappedPaginator
from organizations import selectors as organization_selectors
from organizations import services as organization_services
from organizations.forms import MemberAddForm, RoleForm
from organizations.models import Membership
from plans.models import Plan
from surveys.selectors import survey_list_deactivated_by

MEMBERS_PER_PAGE = 50
EXPORT_CHUNK = 2000
# For a value a helper reads itself unless its caller already has it.
_LOOK_UP = object()


@login_required
@require_GET
def member_list(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id
    )
    return _member_list_render(request, membership, add_form=MemberAddForm())


@login_required
@require_POST
def member_add(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = organization_services.membership_add(
                organization=membership.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except organization_services.MembershipError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("%(email)s has been added as %(role)s.")
                % {"email": added.user.email, "role": added.get_role_display()},
            )
            url = reverse(
                "contracts:member-list",
                kwargs={"organization_id": organization_id},
            )
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
    return _member_list_render(request, membership, add_form=form, status=422)


@login_required
@require_POST
def member_bulk_plan(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """Give the ticked members a plan, or take theirs back with Free. Each
    member is a change of its own; the message sums up who got it and why
    the others could not."""
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    form = BulkPlanForm(request.POST, organization_id=organization_id)
    if not form.is_valid():
        if form.names_a_stranger():
            raise Http404
        return _member_list_render(
            request,
            membership,
            add_form=MemberAddForm(),
            bulk_form=form,
            status=422,
        )
    plan = form.cleaned_data["plan"]
    results = services.member_plan_set_many(
        organization=membership.organization,
        users=[member.user for member in form.cleaned_data["members"]],
        plan=plan,
        actor=request.user,
    )
    level, summary = _bulk_summary(results, plan)
    messages.add_message(request, level, summary)
    # Back to the list as it was: same search, filter and page.
    url = reverse("contracts:member-list", kwargs={"organization_id": organization_id})
    if list_query := _list_query(request):
        url += f"?{list_query}"
    return redirect(url)


@login_required
@require_GET
def member_export(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """The members (searched and filtered as on the list) as CSV, streamed
    row by row from a database iterator, so that a large organization is
    never held in memory."""
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    catalog = selectors.plan_catalog()
    query, plan = _list_filters(request, catalog)
    members = selectors.member_export(
        organization_id=organization_id, query=query, plan=plan
    ).iterator(chunk_size=EXPORT_CHUNK)
    name = slugify(membership.organization.name) or organization_id
    return csv_streaming_response(
        selectors.member_export_rows(members=members, catalog=catalog),
        filename=f"members-{name}-{timezone.localdate().isoformat()}.csv",
    )


@login_required
@require_GET
def member_detail(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id
    )
    member = organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    return render(
        request,
        "contracts/member_detail.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "member": member,
            "role_form": RoleForm(initial={"role": member.role}),
            **_plan_context(membership, member),
        },
    )


@login_required
@require_POST
def member_plan(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Give a member a plan of the connected contract, or take theirs back
    with Free (flows 3 and 5). The dropdown saves on change; on a refusal it
    is put back to the plan actually held, with the reason."""
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    member = organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    form = MemberPlanForm(request.POST)
    errors: list[str] = []
    saved = False
    status = 422
    # The dropdown saves on every change: one read of the contract serves
    # the preview and the panel sent back.
    contract = selectors.contract_for_organization(organization=membership.organization)
    if form.is_valid() and not request.POST.get("confirmed"):
        deactivated = _surveys_deactivated(member, form.cleaned_data["plan"], contract)
        if deactivated:
            return _plan_confirm(
                request,
                membership,
                member,
                form.cleaned_data["plan"],
                deactivated,
                contract,
            )
    seat = _LOOK_UP
    if form.is_valid():
        try:
            seat = services.member_plan_set(
                organization=membership.organization,
                user=member.user,
                plan=form.cleaned_data["plan"],
                actor=request.user,
            )
        except ContractError as error:
            errors = [str(error)]
            status = 409
        else:
            saved = True
            status = 200
            if seat is not None:
                # The panel sent back names the contract: the one read above.
                seat.contract = contract
    else:
        errors = form.errors["plan"]
    if not request.htmx:
        if saved:
            messages.success(request, _("The plan has been changed."))
        for error in errors:
            messages.error(request, error)
        return redirect(member.get_absolute_url())
    return render(
        request,
        "contracts/member_detail.html#plan-form",
        {
            "membership": membership,
            "organization": membership.organization,
            "member": member,
            "plan_errors": errors,
            "plan_saved": saved,
            **_plan_context(membership, member, contract=contract, seat=seat),
        },
        status=status,
    )


@login_required
@require_POST
def member_role(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Change a member's role; the dropdown saves on change, like the plan."""
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    member = organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    form = RoleForm(request.POST)
    saved = False
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
            saved = True
            status = 200
    if not request.htmx:
        if saved:
            messages.success(request, _("The role has been changed."))
        else:
            for error in form.errors.get("role", []):
                messages.error(request, error)
        return redirect(member.get_absolute_url())
    member.refresh_from_db(fields=["role"])
    # On an error the dropdown is put back to the role actually held.
    return render(
        request,
        "contracts/member_detail.html#role-form",
        {
            "membership": membership,
            "organization": membership.organization,
            "member": member,
            "role_form": RoleForm(initial={"role": member.role}),
            "role_errors": form.errors.get("role", []),
            "saved": saved,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Confirm (GET, the page behind the dialog) and remove (POST); the seat
    the member held on the organization's contract is freed with them."""
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    member = organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    if request.method == "GET":
        contract = selectors.contract_for_organization(
            organization=membership.organization
        )
        return render(
            request,
            "contracts/member_remove.html",
            {
                "membership": membership,
                "organization": membership.organization,
                "member": member,
                "plan_seat": contract
                and selectors.member_seat(contract=contract, user_id=member.user_id),
            },
        )
    try:
        services.member_remove(membership=member, actor=request.user)
    except organization_services.MembershipError as error:
        messages.error(request, str(error))
        url = member.get_absolute_url()
    else:
        messages.success(
            request,
            _("%(email)s is no longer a member.") % {"email": member.user.email},
        )
        url = reverse(
            "contracts:member-list", kwargs={"organization_id": organization_id}
        )
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# Helpers


def _member_list_render(
    request: HtmxHttpRequest,
    membership: Membership,
    *,
    add_form: MemberAddForm,
    bulk_form: BulkPlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    catalog = selectors.plan_catalog()
    query, plan_filter = _list_filters(request, catalog)
    # Counted up to a limit: a plan filter over 100,000 members matches tens
    # of thousands, and counting them all would cost more than the page.
    page = CappedPaginator(
        selectors.member_list(
            organization_id=membership.organization_id, query=query, plan=plan_filter
        ),
        MEMBERS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    # The plan ids come annotated with the rows; the catalogue names them.
    page.object_list = list(page.object_list)
    for member in page.object_list:
        member.effective_plan = catalog.get(member.effective_plan_id)

    contract = bulk_options = None
    if membership.is_administrator:
        contract = selectors.contract_for_organization(
            organization=membership.organization
        )
        if contract is not None and contract.is_active():
            bulk_options = selectors.plan_options(contract=contract, catalog=catalog)
    ticked = set()
    if bulk_form is not None:
        ticked = set(bulk_form.data.getlist(bulk_form.add_prefix("members")))
    filter_query = urlencode(
        {
            key: value
            for key, value in (
                ("q", query),
                ("plan", plan_filter.code if plan_filter else ""),
            )
            if value
        }
    )
    context = {
        "membership": membership,
        "organization": membership.organization,
        "page": page,
        "query": query,
        "plans": catalog.values(),
        "plan_filter": plan_filter,
        # For the pagination links, which add the search and the page.
        "extra_query": f"plan={plan_filter.code}&" if plan_filter else "",
        "filter_query": filter_query,
        "list_query": _list_query(request),
        "add_form": add_form,
        "plan_contract": contract,
        "plan_locked_reason": _locked_reason(contract),
        "bulk_options": bulk_options,
        "bulk_form": bulk_form,
        "ticked": ticked,
    }
    template = "contracts/member_list.html"
    # The search box swaps the results only; the add form swaps itself.
    if request.htmx.target == "member-results":
        template += "#member-results"
    elif request.htmx and request.method == "POST":
        template += "#member-add"
    return render(request, template, context, status=status)


def _list_filters(
    request: HtmxHttpRequest, catalog: dict[int, Plan]
) -> tuple[str, Plan | None]:
    """The search text and the plan filter (a plan code; unknown ones are
    ignored) of the members list."""
    query = request.GET.get("q", "")[:100]
    code = request.GET.get("plan", "")
    plan = next((plan for plan in catalog.values() if plan.code == code), None)
    return query, plan


def _list_query(request: HtmxHttpRequest) -> str:
    """The list's own query string (search, plan filter, page), to come back
    to the same list."""
    return urlencode(
        {
            key: request.GET[key][:100]
            for key in ("q", "plan", "page")
            if request.GET.get(key)
        }
    )


def _surveys_deactivated(
    member: Membership, plan: Plan, contract: Contract | None
) -> list:
    """The member's surveys that going down to `plan` would make inactive;
    none when the plan is not lower than the one held on the contract.

    The one upward read of the design: the preview asks the surveys app."""
    if contract is None:
        # Nothing is held here to go down from.
        return []
    seat = selectors.member_seat(contract=contract, user_id=member.user_id)
    held_rank = seat.plan.rank if seat is not None else 0
    if plan.rank >= held_rank:
        return []
    return survey_list_deactivated_by(user=member.user, plan=plan)


def _plan_confirm(
    request: HtmxHttpRequest,
    membership: Membership,
    member: Membership,
    plan: Plan,
    deactivated: list,
    contract: Contract | None,
) -> HttpResponse:
    """Ask before a change that would make surveys inactive: a dialog over
    the Plan panel (put back to the plan held), or a page without htmx."""
    context = {
        "membership": membership,
        "organization": membership.organization,
        "member": member,
        "confirm_plan": plan,
        "deactivated": deactivated,
        **_plan_context(membership, member, contract=contract),
    }
    if request.htmx:
        return render(request, "contracts/member_detail.html#plan-form", context)
    return render(request, "contracts/member_plan_confirm.html", context)


def _plan_context(
    membership: Membership, member: Membership, *, contract=_LOOK_UP, seat=_LOOK_UP
) -> dict:
    """What the Plan panel of a member shows: to administrators, the
    dropdown of the connected contract's plans while the contract is in
    force, otherwise the plan in effect as text with the reason it cannot be
    changed here; to other members, the plan in effect. `contract` (the
    organization's) and `seat` (the member's on it, or None) are passed
    when the caller knows them already."""
    if not membership.is_administrator:
        return {"plan_effective": effective_plan(member.user)}
    catalog = selectors.plan_catalog()
    if contract is _LOOK_UP:
        contract = selectors.contract_for_organization(
            organization=membership.organization
        )
    if seat is _LOOK_UP:
        seat = (
            selectors.member_seat(contract=contract, user_id=member.user_id)
            if contract is not None
            else None
        )
    editable = contract is not None and contract.is_active()
    held = seat.plan if seat is not None else None
    options = (
        selectors.plan_options(contract=contract, catalog=catalog, held=held)
        if editable
        else []
    )
    return {
        "plan_contract": contract,
        "plan_seat": seat,
        "plan_held": held or next(p for p in catalog.values() if p.is_free),
        # Named from the catalogue already read: one query, not two.
        "plan_effective": catalog[effective_plan_id_of(member.user)],
        "plan_options": options,
        "plan_editable": editable,
        "plan_locked_reason": _locked_reason(contract),
    }


def _locked_reason(contract: Contract | None) -> str:
    """Why an administrator cannot change plans here, or "" when they can."""
    if contract is None:
        return _("No contract is connected: plans cannot be changed here.")
    if contract.has_ended():
        return _(
            "Contract %(reference)s ended on %(date)s: it grants no plan, and "
            "plans cannot be changed here."
        ) % {"reference": contract.reference, "date": date_format(contract.ends_on)}
    if not contract.is_active():
        return _(
            "Contract %(reference)s starts on %(date)s: plans can be given "
            "from that day."
        ) % {"reference": contract.reference, "date": date_format(contract.starts_on)}
    return ""


def _bulk_summary(
    results: list[tuple[object, ContractError | None]], plan: Plan
) -> tuple[int, str]:
    """One message for a bulk change: how many got the plan, and how many
    could not, for each reason."""
    done = sum(1 for _user, error in results if error is None)
    refusals = Counter(str(error) for _user, error in results if error is not None)
    values = {"plan": plan.display_name}
    parts = []
    if done:
        if plan.is_free:
            text = ngettext(
                "%(count)s member is back to %(plan)s",
                "%(count)s members are back to %(plan)s",
                done,
            )
        else:
            text = ngettext(
                "%(count)s member now has %(plan)s",
                "%(count)s members now have %(plan)s",
                done,
            )
        parts.append(text % {**values, "count": done})
    for reason, count in refusals.items():
        if parts:
            text = ngettext(
                "%(count)s could not: %(reason)s",
                "%(count)s could not: %(reason)s",
                count,
            )
        else:
            text = ngettext(
                "%(count)s member could not: %(reason)s",
                "%(count)s members could not: %(reason)s",
                count,
            )
        parts.append(text % {"count": count, "reason": reason})
    summary = "; ".join(parts)
    if not summary.endswith("."):
        summary += "."
    if not refusals:
        return messages.SUCCESS, summary
    return (messages.WARNING if done else messages.ERROR), summary
