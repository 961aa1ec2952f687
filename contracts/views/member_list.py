"""The organization's members list: search, plan filter, sorting by a
column, adding a member, giving or taking back a plan for several members
at once (after the same preview as on a member's page; one member's row is
`member_row`'s), and the CSV export. The list shows each member's plan, so the
contracts app serves it; memberships themselves stay the organizations
app's (its selectors and services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
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
from contracts.views._member_list_query import list_query, list_url
from organizations import selectors as organization_selectors
from organizations import services as organization_services
from organizations.forms import MemberAddForm
from organizations.models import Membership

TEMPLATE = "contracts/member_list.html"
EXPORT_CHUNK = 2000


@login_required
@require_GET
def member_list(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    # The group filter's choices come with the membership, in its query.
    membership = organization_selectors.membership_get(
        user=request.user, organization_id=organization_id, with_groups=True
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
    """Give the ticked members a plan, or take theirs back with Free. When
    that would make surveys of theirs inactive, they are shown first, to
    confirm, as on a member's page (issue 10, point 1). Each member is a
    change of its own; the message sums up who got it and why the others
    could not."""
    membership = administrator_get(request, organization_id)
    form = BulkPlanForm(request.POST, organization_id=organization_id)
    if not form.is_valid():
        if form.names_a_stranger():
            raise Http404
        return _render(
            request, membership, add_form=MemberAddForm(), bulk_form=form, status=422
        )
    plan = form.cleaned_data["plan"]
    members = form.cleaned_data["members"]
    if not request.POST.get("confirmed") and (
        downgrades := selectors.member_plan_downgrade_preview_many(
            contract=selectors.contract_for_organization(
                organization=membership.organization
            ),
            members=members,
            plan=plan,
        )
    ):
        return _bulk_confirm(request, membership, form, downgrades)
    results = services.member_plan_set_many(
        organization=membership.organization,
        users=[member.user for member in members],
        plan=plan,
        actor=request.user,
    )
    summary = selectors.bulk_plan_summary(results=results, plan=plan)
    messages.add_message(request, summary.level, summary.text)
    # Back to the list as it was: same search, filter, order and page.
    return redirect_after_post(request, list_url(request, organization_id))


@login_required
@require_GET
def member_export(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """The members (searched, filtered and sorted as on the list) as CSV, streamed
    row by row from a database iterator, so that a large organization is
    never held in memory."""
    membership = administrator_get(request, organization_id)
    catalog = selectors.plan_catalog_by_id()
    # Filtered as the list is: a plan the list does not offer is ignored.
    plans = selectors.member_filter_plans(
        organization=membership.organization, catalog=catalog
    )
    members = selectors.member_list_sorted(
        selectors.member_list_with_seats(
            organization_id=organization_id,
            query=_query(request),
            plan=selectors.plan_filter_by_code(
                plans=plans, code=request.GET.get("plan", "")
            ),
        ),
        sort=selectors.member_sort(request.GET.get("sort", "")),
    )
    group = request.GET.get("group", "")
    if group.isascii() and group.isdigit() and len(group) < 19:
        members = members.filter(
            group_members__group_id=int(group),
            group_members__group__organization_id=organization_id,
        )
    members = members.iterator(chunk_size=EXPORT_CHUNK)
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
    **extra,
) -> HttpResponse:
    """The members list; with htmx, the search, sort and page links swap the
    results only, and the add and bulk forms swap themselves."""
    listing = _listing(request, membership)
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
        **extra,
    }
    template = TEMPLATE
    if request.htmx.target in {"member-results", "member-bulk-panel"}:
        template += f"#{request.htmx.target}"
    elif request.htmx and request.method == "POST":
        template += "#member-add"
    return render(request, template, context, status=status)


def _bulk_confirm(
    request: HtmxHttpRequest,
    membership: Membership,
    form: BulkPlanForm,
    downgrades: list[selectors.MemberDowngrade],
) -> HttpResponse:
    """Ask before a bulk change that would make surveys inactive: a dialog
    over the bulk form with htmx, a page without."""
    confirm = {
        "confirm_plan": form.cleaned_data["plan"],
        "confirm_members": form.cleaned_data["members"],
        "downgrades": downgrades,
        "list_query": list_query(request),
    }
    if request.htmx:
        return _render(
            request, membership, add_form=MemberAddForm(), bulk_form=form, **confirm
        )
    context = {
        "membership": membership,
        "organization": membership.organization,
        "list_url": list_url(request, membership.organization_id),
        **confirm,
    }
    return render(request, "contracts/member_bulk_confirm.html", context)


def _listing(
    request: HtmxHttpRequest, membership: Membership
) -> selectors.MemberListPage:
    """The page of the list the query string asks for: search, plan and
    group filters, order, page."""
    return selectors.member_list_page(
        membership=membership,
        query=_query(request),
        plan_code=request.GET.get("plan", ""),
        page_number=request.GET.get("page"),
        sort=selectors.member_sort(request.GET.get("sort", "")),
        group_id=request.GET.get("group", "")[:20],
    )


def _query(request: HtmxHttpRequest) -> str:
    return request.GET.get("q", "")[:100]


def _ticked(bulk_form: BulkPlanForm | None) -> set[str]:
    """The members ticked in a bulk change that was refused, ticked again."""
    if bulk_form is None:
        return set()
    return set(bulk_form.data.getlist(bulk_form.add_prefix("members")))


def _query_strings(request: HtmxHttpRequest, listing: selectors.MemberListPage) -> dict:
    """The group filter's choices and choice; the list's search, filters
    and order for the export link and the
    pagination links (which add the search and the page themselves); each
    column header's link and `aria-sort`; the order for the search form;
    and the list's own query string to come back to after a change."""
    plan_code = listing.plan_filter.code if listing.plan_filter else ""
    group = str(listing.group_filter.pk) if listing.group_filter else ""
    sort = listing.sort.param
    filters = (
        ("q", listing.query),
        ("plan", plan_code),
        ("group", group),
        ("sort", sort),
    )
    return {
        "groups": listing.groups,
        "group_filter": listing.group_filter,
        "filter_query": urlencode({key: value for key, value in filters if value}),
        "extra_query": "".join(
            f"{key}={value}&" for key, value in filters[1:] if value
        ),
        "sort": sort,
        "sort_headers": listing.sort.headers(
            filters={"q": listing.query, "plan": plan_code, "group": group}
        ),
        "list_query": list_query(request),
    }
