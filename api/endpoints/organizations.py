"""The token owner's organizations, and their members with their plans:
what the Organizations and Members pages show, to whom they show it."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from api import selectors
from api.cursors import DEFAULT_LIMIT, MAX_LIMIT, cursor_decode, page_rows
from api.endpoints._common import membership_get, plan_by_code, plan_ref, responses
from api.problems import ApiProblem
from api.schemas import MemberOut, MemberPageOut, OrganizationOut
from contracts import selectors as contract_selectors
from organizations import selectors as organization_selectors

router = Router(tags=["organizations"])


@router.get(
    "/organizations",
    response=responses(list[OrganizationOut]),
    url_name="organization-list",
    summary="The token owner's organizations",
)
def organization_list(request: HttpRequest):
    memberships = organization_selectors.membership_list_for_user(
        user=request.auth.user
    )
    return [_organization(membership) for membership in memberships]


@router.get(
    "/organizations/{organization_id}",
    response=responses(OrganizationOut),
    url_name="organization-detail",
    summary="One of the token owner's organizations",
)
def organization_detail(request: HttpRequest, organization_id: int):
    return _organization(membership_get(request, organization_id))


class MemberFilters(Schema):
    q: str = Field("", max_length=100, description="Search by name or email.")
    plan: str = Field(
        "",
        max_length=40,
        description="Only members whose effective plan has this code.",
    )
    cursor: str = Field("", max_length=500, description="From `next_cursor`.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get(
    "/organizations/{organization_id}/members",
    response=responses(MemberPageOut),
    url_name="member-list",
    summary="The organization's members with their plans, by email",
)
def member_list(
    request: HttpRequest, organization_id: int, filters: Query[MemberFilters]
):
    """Every member may read the list, as on the Members page. Pages follow
    each other by `cursor`, in the order of email addresses."""
    membership = membership_get(request, organization_id)
    catalog = contract_selectors.plan_catalog_by_id()
    plan = None
    if filters.plan:
        plans = contract_selectors.member_filter_plans(
            organization=membership.organization, catalog=catalog
        )
        plan = contract_selectors.plan_filter_by_code(plans=plans, code=filters.plan)
        if plan is None:
            plan_by_code(filters.plan)  # 422 for a code of no plan at all.
            raise ApiProblem(
                422, _("No member of this organization can hold this plan.")
            )
    after = None
    if filters.cursor:
        after = tuple(cursor_decode(filters.cursor, types=(str, int)))
    members = selectors.member_list_after(
        organization=membership.organization, query=filters.q, plan=plan, after=after
    )
    rows, next_cursor = page_rows(
        members,
        limit=filters.limit,
        last_values=lambda member: [member.user.email, member.pk],
    )
    return MemberPageOut(
        items=[_member(member, catalog) for member in rows], next_cursor=next_cursor
    )


def _organization(membership) -> OrganizationOut:
    return OrganizationOut(
        id=membership.organization_id,
        name=membership.organization.name,
        role=membership.role,
    )


def _member(member, catalog) -> MemberOut:
    plan = catalog[member.effective_plan_id]
    return MemberOut(
        id=member.pk,
        email=member.user.email,
        name=member.user.full_name,
        role=member.role,
        active=member.is_active,
        plan=plan_ref(plan),
        plan_source=member.seat_source,
        plan_since=member.seat_since,
        last_used_on=member.seat_last_used,
    )
