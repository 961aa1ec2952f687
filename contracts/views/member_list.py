"""The organization's members list: search, plan filter, adding a member,
giving or taking back a plan for several members at once, and the CSV
export. The list shows each member's plan, so the contracts app serves it;
memberships themselves stay the organizations app's (its selectors and
services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import HtmxHttpRequest
from config.exports import csv_streaming_response
from contracts import selectors, services
from contracts.forms import BulkPlanForm
from contracts.views._common import administrator_get, redirect_after_post
from organizations import selectors as organization_selectors
from organizations import services as organization_services
from organizations.forms import MemberAddForm
from organizations.models import Membership

TEMPLATE = "contracts/member_list.html"
EXPORT_CHUNK = 2000


@login_required
@require_GET
def member_list(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id
    )
    return _render(request, membership, add_form=MemberAddForm())


@login_required
@require_POST
def member_add(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = administrator_get(request, organization_id)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, add_form=form, status=422)
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
        return _render(request, membership, add_form=form, status=422)
    messages.success(
        request,
        _("%(email)s has been added as %(role)s.")
        % {"email": added.user.email, "role": added.get_role_display()},
    )
    url = reverse("contracts:member-list", kwargs={"organization_id": organization_id})
    return redirect_after_post(request, url)


@login_required
@require_POST
def member_bulk_plan(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """Give the ticked members a plan, or take theirs back with Free. Each
    member is a change of its own; the message sums up who got it and why
    the others could not."""
    membership = administrator_get(request, organization_id)
    form = BulkPlanForm(request.POST, organization_id=organization_id)
    if not form.is_valid():
        if form.names_a_stranger():
            raise Http404
        return _render(
            request, membership, add_form=MemberAddForm(), bulk_form=form, status=422
        )
    plan = form.cleaned_data["plan"]
    results = services.member_plan_set_many(
        organization=membership.organization,
        users=[member.user for member in form.cleaned_data["members"]],
        plan=plan,
        actor=request.user,
    )
    summary = selectors.bulk_plan_summary(results=results, plan=plan)
    messages.add_message(request, summary.level, summary.text)
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
    membership = administrator_get(request, organization_id)
    catalog = selectors.plan_catalog_by_id()
    # Filtered as the list is: a plan the list does not offer is ignored.
    plans = selectors.member_filter_plans(
        organization=membership.organization, catalog=catalog
    )
    members = selectors.member_list_with_seats(
        organization_id=organization_id,
        query=_query(request),
        plan=selectors.plan_filter_by_code(
            plans=plans, code=request.GET.get("plan", "")
        ),
    ).iterator(chunk_size=EXPORT_CHUNK)
    name = slugify(membership.organization.name) or organization_id
    return csv_streaming_response(
        selectors.member_export_rows(members=members, catalog=catalog),
        filename=f"members-{name}-{timezone.localdate().isoformat()}.csv",
    )


def _render(
    request: HtmxHttpRequest,
    membership: Membership,
    *,
    add_form: MemberAddForm,
    bulk_form: BulkPlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The members list; with htmx, the search box swaps the results only,
    and the add form swaps itself."""
    listing = selectors.member_list_page(
        membership=membership,
        query=_query(request),
        plan_code=request.GET.get("plan", ""),
        page_number=request.GET.get("page"),
    )
    context = {
        "membership": membership,
        "organization": membership.organization,
        "page": listing.page,
        "query": listing.query,
        "plans": listing.plans,
        "plan_filter": listing.plan_filter,
        "usages": listing.usages,
        "plan_locked_reason": listing.locked_reason,
        "bulk_options": listing.bulk_options,
        "add_form": add_form,
        "bulk_form": bulk_form,
        "ticked": _ticked(bulk_form),
        **_query_strings(request, listing),
    }
    template = TEMPLATE
    if request.htmx.target == "member-results":
        template += "#member-results"
    elif request.htmx and request.method == "POST":
        template += "#member-add"
    return render(request, template, context, status=status)


def _query(request: HtmxHttpRequest) -> str:
    return request.GET.get("q", "")[:100]


def _ticked(bulk_form: BulkPlanForm | None) -> set[str]:
    """The members ticked in a bulk change that was refused, ticked again."""
    if bulk_form is None:
        return set()
    return set(bulk_form.data.getlist(bulk_form.add_prefix("members")))


def _query_strings(
    request: HtmxHttpRequest, listing: selectors.MemberListPage
) -> dict[str, str]:
    """The list's search and filter for the export link and the pagination
    links (which add the search and the page themselves), and its own query
    string to come back to after a bulk change."""
    plan_code = listing.plan_filter.code if listing.plan_filter else ""
    filters = (("q", listing.query), ("plan", plan_code))
    return {
        "filter_query": urlencode({key: value for key, value in filters if value}),
        "extra_query": f"plan={plan_code}&" if plan_code else "",
        "list_query": _list_query(request),
    }


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
