"""The organization's groups, for its administrators: the Groups page
(create, with each group's member count and plan), a group's page (its
members in the order they joined, rename, its plan with the seats left and
how many would wait, delete), and "Add to group" from the Members page's
selection. Every change goes through `contracts.services`' group services,
so that a group mapped to a plan gives and frees seats by its rules; a
change that takes plans back shows who loses one first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import HtmxHttpRequest
from contracts import selectors, services
from contracts.exceptions import ContractError
from contracts.forms import BulkGroupForm, GroupMemberForm, GroupNameForm, GroupPlanForm
from contracts.selectors import groups as group_selectors
from contracts.views._common import administrator_get, redirect_after_post
from contracts.views._member_list_query import list_url
from organizations.models import Group, Membership

MEMBERS_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def group_list(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """The Groups page; POST creates a group."""
    membership = administrator_get(request, organization_id)
    form = GroupNameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                organization=membership.organization,
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error("name", error.messages)
        else:
            messages.success(request, _("Group “%(name)s” created.") % {"name": group})
            return redirect_after_post(request, _group_url(group))
    context = {
        "membership": membership,
        "organization": membership.organization,
        "groups": group_selectors.group_list(organization=membership.organization),
        "form": form,
    }
    status = 422 if form.is_bound else 200
    return render(request, "contracts/group_list.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def group_detail(
    request: HtmxHttpRequest, organization_id: int, group_id: int
) -> HttpResponse:
    membership = administrator_get(request, organization_id)
    group = group_selectors.group_get(
        organization_id=organization_id, group_id=group_id
    )
    return _render_group(request, membership, group)


@login_required
@require_POST
def group_rename(
    request: HtmxHttpRequest, organization_id: int, group_id: int
) -> HttpResponse:
    membership = administrator_get(request, organization_id)
    group = group_selectors.group_get(
        organization_id=organization_id, group_id=group_id
    )
    form = GroupNameForm(request.POST)
    if form.is_valid():
        try:
            services.group_update(
                group=group, name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("name", error.messages)
        else:
            messages.success(request, _("Group renamed."))
            return redirect_after_post(request, _group_url(group))
    group.refresh_from_db(fields=["name"])
    return _render_group(request, membership, group, name_form=form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def group_delete(
    request: HtmxHttpRequest, organization_id: int, group_id: int
) -> HttpResponse:
    """Confirm, showing who loses a plan (GET), and delete (POST)."""
    membership = administrator_get(request, organization_id)
    group = group_selectors.group_get(
        organization_id=organization_id, group_id=group_id
    )
    if request.method == "GET":
        losses, count = group_selectors.group_leave_impact(group=group)
        return _confirm(
            request, membership, group, action="delete", losses=losses, count=count
        )
    services.group_delete(group=group, actor=request.user)
    messages.success(request, _("Group “%(name)s” deleted.") % {"name": group.name})
    url = reverse("contracts:group-list", kwargs={"organization_id": organization_id})
    return redirect_after_post(request, url)


@login_required
@require_POST
def group_member_remove(
    request: HtmxHttpRequest, organization_id: int, group_id: int
) -> HttpResponse:
    """Take a member out of the group; when they would lose a plan, the
    impact is shown first, to confirm."""
    membership = administrator_get(request, organization_id)
    group = group_selectors.group_get(
        organization_id=organization_id, group_id=group_id
    )
    form = GroupMemberForm(request.POST)
    if not form.is_valid():
        raise Http404
    member = group.members.select_related("user").filter(pk=form.cleaned_data["member"])
    member = member.first()
    if member is None:
        raise Http404
    if not request.POST.get("confirmed"):
        losses, count = group_selectors.group_leave_impact(
            group=group, memberships=[member]
        )
        if count:
            return _confirm(
                request, membership, group, action="remove", losses=losses,
                count=count, member=member,
            )  # fmt: skip
    services.group_members_remove(group=group, memberships=[member], actor=request.user)
    messages.success(
        request,
        _("%(email)s left the group.") % {"email": member.user.email},
    )
    return redirect_after_post(request, _group_url(group))


@login_required
@require_POST
def group_plan(
    request: HtmxHttpRequest, organization_id: int, group_id: int
) -> HttpResponse:
    """Map the group to a plan of the contract, change it, or remove the
    mapping (no plan; who loses a plan is shown first, to confirm)."""
    membership = administrator_get(request, organization_id)
    group = group_selectors.group_get(
        organization_id=organization_id, group_id=group_id
    )
    form = GroupPlanForm(request.POST)
    if not form.is_valid():
        return _render_group(request, membership, group, plan_form=form, status=422)
    plan = form.cleaned_data["plan"]
    if plan is None or plan.is_free:
        return _plan_remove(request, membership, group)
    try:
        services.group_plan_set(group=group, plan=plan, actor=request.user)
    except ContractError as error:
        form.add_error("plan", str(error))
        return _render_group(request, membership, group, plan_form=form, status=422)
    messages.success(
        request,
        _("Members of “%(group)s” get the %(plan)s plan while seats last.")
        % {"group": group.name, "plan": plan.display_name},
    )
    return redirect_after_post(request, _group_url(group))


@login_required
@require_POST
def member_bulk_group(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    """The Members page's "Add to group": the ticked members join the group,
    in the order of the list."""
    administrator_get(request, organization_id)
    form = BulkGroupForm(request.POST, organization_id=organization_id)
    if not form.is_valid():
        if form.names_a_stranger() or (
            "group" in form.errors and form.data.get(form.add_prefix("group"))
        ):
            raise Http404
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect_after_post(request, list_url(request, organization_id))
    group = form.cleaned_data["group"]
    joined = services.group_members_add(
        group=group, memberships=list(form.cleaned_data["members"]), actor=request.user
    )
    messages.success(
        request,
        _("%(count)d member(s) added to “%(group)s”.")
        % {"count": len(joined), "group": group.name},
    )
    return redirect_after_post(request, list_url(request, organization_id))


def _plan_remove(request: HtmxHttpRequest, membership: Membership, group: Group):
    if not request.POST.get("confirmed"):
        losses, count = group_selectors.group_leave_impact(group=group)
        if count:
            return _confirm(
                request, membership, group, action="unmap", losses=losses, count=count
            )
    if services.group_plan_remove(group=group, actor=request.user):
        messages.success(request, _("The group no longer gives a plan."))
    return redirect_after_post(request, _group_url(group))


def _render_group(
    request: HtmxHttpRequest,
    membership: Membership,
    group: Group,
    *,
    name_form: GroupNameForm | None = None,
    plan_form: GroupPlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    contract = selectors.contract_for_organization(organization=membership.organization)
    members = group_selectors.group_members_list(group=group, contract=contract)
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    catalog = selectors.plan_catalog_by_id()
    page.object_list = list(page.object_list)
    for member in page.object_list:
        member.held_plan = catalog.get(getattr(member, "held_plan_id", None))
    mapping = getattr(group, "plan_mapping", None)
    context = {
        "membership": membership,
        "organization": membership.organization,
        "group": group,
        "mapping": mapping,
        "contract": contract,
        "page": page,
        "choices": (
            group_selectors.group_plan_choices(group=group, contract=contract)
            if contract is not None
            else []
        ),
        "name_form": name_form or GroupNameForm(initial={"name": group.name}),
        "plan_form": plan_form,
    }
    return render(request, "contracts/group_detail.html", context, status=status)


def _confirm(request, membership, group, *, action, losses, count, member=None):
    context = {
        "membership": membership,
        "organization": membership.organization,
        "group": group,
        "action": action,
        "losses": losses,
        "loss_count": count,
        "more": count - len(losses),
        "member": member,
    }
    return render(request, "contracts/group_confirm.html", context)


def _group_get(organization_id: int, group_id: int) -> Group:
    return group_selectors.group_get(organization_id=organization_id, group_id=group_id)


def _group_url(group: Group) -> str:
    return reverse(
        "contracts:group-detail",
        kwargs={"organization_id": group.organization_id, "group_id": group.pk},
    )
