from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import HtmxHttpRequest
from organizations import selectors, services
from organizations.forms import MemberAddForm, RoleForm
from organizations.models import Membership

MEMBERS_PER_PAGE = 50


@login_required
@require_GET
def organization_list(request: HtmxHttpRequest) -> HttpResponse:
    memberships = selectors.membership_list_for_user(user=request.user)
    return render(
        request, "organizations/organization_list.html", {"memberships": memberships}
    )


@login_required
@require_GET
def organization_detail(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = selectors.membership_get(
        user=request.user, organization_id=organization_id
    )
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "member_count": membership.organization.memberships.count(),
        },
    )


@login_required
@require_GET
def member_list(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = selectors.membership_get(
        user=request.user, organization_id=organization_id
    )
    return _member_list_render(request, membership, MemberAddForm())


@login_required
@require_POST
def member_add(request: HtmxHttpRequest, organization_id: int) -> HttpResponse:
    membership = selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = services.membership_add(
                organization=membership.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except services.MembershipError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("%(email)s has been added as %(role)s.")
                % {"email": added.user.email, "role": added.get_role_display()},
            )
            url = reverse(
                "organizations:member-list",
                kwargs={"organization_id": organization_id},
            )
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
    return _member_list_render(request, membership, form, status=422)


def _member_list_render(
    request: HtmxHttpRequest,
    membership: Membership,
    add_form: MemberAddForm,
    status: int = 200,
) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    page = Paginator(
        selectors.member_list(organization_id=membership.organization_id, query=query),
        MEMBERS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "membership": membership,
        "organization": membership.organization,
        "page": page,
        "query": query,
        "add_form": add_form,
    }
    template = "organizations/member_list.html"
    # The search box swaps the results only; the add form swaps itself.
    if request.htmx.target == "member-results":
        template += "#member-results"
    elif request.htmx and request.method == "POST":
        template += "#member-add"
    return render(request, template, context, status=status)


@login_required
@require_GET
def member_detail(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    membership = selectors.membership_get(
        user=request.user, organization_id=organization_id
    )
    member = selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    return render(
        request,
        "organizations/member_detail.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "member": member,
            "role_form": RoleForm(initial={"role": member.role}),
        },
    )


@login_required
@require_POST
def member_role(
    request: HtmxHttpRequest, organization_id: int, membership_id: int
) -> HttpResponse:
    """Change a member's role; the dropdown saves on change, like the plan."""
    membership = selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    member = selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    form = RoleForm(request.POST)
    saved = False
    status = 422
    if form.is_valid():
        try:
            services.membership_change_role(
                membership=member, role=form.cleaned_data["role"], actor=request.user
            )
        except services.MembershipError as error:
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
        "organizations/member_detail.html#role-form",
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
    """Confirm (GET, the page behind the dialog) and remove (POST)."""
    membership = selectors.membership_get(
        user=request.user, organization_id=organization_id, administrator=True
    )
    member = selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )
    if request.method == "GET":
        return render(
            request,
            "organizations/member_remove.html",
            {
                "membership": membership,
                "organization": membership.organization,
                "member": member,
            },
        )
    try:
        services.membership_remove(membership=member, actor=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        url = member.get_absolute_url()
    else:
        messages.success(
            request,
            _("%(email)s is no longer a member.") % {"email": member.user.email},
        )
        url = reverse(
            "organizations:member-list", kwargs={"organization_id": organization_id}
        )
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
