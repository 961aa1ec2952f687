"""A member's plan: read it (anyone the member's page shows it to), change
it (administrators, with a write token) through the service of the Members
page's dropdown, and preview what a change would make inactive."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from api.auth import write_required
from api.endpoints._common import membership_get, plan_by_code, plan_ref, responses
from api.problems import ApiProblem
from api.schemas import (
    MemberPlanIn,
    MemberPlanOut,
    PlanPreviewOut,
    SeatOut,
    SurveyRef,
)
from contracts import impact, services
from contracts import selectors as contract_selectors
from contracts.exceptions import ContractError
from organizations import selectors as organization_selectors
from organizations.models import Membership

router = Router(tags=["members"])

PATH = "/organizations/{organization_id}/members/{membership_id}/plan"


@router.get(
    PATH,
    response=responses(MemberPlanOut),
    url_name="member-plan",
    summary="A member's plan",
)
def member_plan(request: HttpRequest, organization_id: int, membership_id: int):
    membership = membership_get(request, organization_id)
    member = _member_get(organization_id, membership_id)
    return _member_plan(membership, member)


@router.put(
    PATH,
    response=responses(MemberPlanOut, 400, 403, 409),
    url_name="member-plan",
    summary="Give a member a plan, or take theirs back with `free`",
)
def member_plan_set(
    request: HttpRequest,
    organization_id: int,
    membership_id: int,
    payload: MemberPlanIn,
):
    """The rules of the Members page's dropdown: a plan of the connected
    contract while seats last (409 when none is left, or no contract in
    force), Free takes the seat back (and the member's surveys the lower plan
    makes inactive are named in their email; preview them first with
    `…/plan/preview`). Administrators only; a write token."""
    write_required(request)
    membership = membership_get(request, organization_id, administrator=True)
    member = _member_get(organization_id, membership_id)
    plan = plan_by_code(payload.plan)
    try:
        services.member_plan_set(
            organization=membership.organization,
            user=member.user,
            plan=plan,
            actor=request.auth.user,
        )
    except ContractError as error:
        raise ApiProblem(409, str(error)) from error
    return _member_plan(membership, member)


class PreviewQuery(Schema):
    plan: str = Field(..., max_length=40, description="The code of the plan to give.")


@router.get(
    f"{PATH}/preview",
    response=responses(PlanPreviewOut),
    url_name="member-plan-preview",
    summary="What giving a member this plan would make inactive",
)
def member_plan_preview(
    request: HttpRequest,
    organization_id: int,
    membership_id: int,
    query: Query[PreviewQuery],
):
    """The member's surveys that going to this plan would make inactive
    (open, sent, with more responses than it allows), as the Members page
    previews them before a change. Administrators only."""
    membership = membership_get(request, organization_id, administrator=True)
    member = _member_get(organization_id, membership_id)
    plan = plan_by_code(query.plan)
    surveys = contract_selectors.member_plan_downgrade_preview(
        contract=contract_selectors.contract_for_organization(
            organization=membership.organization
        ),
        member=member,
        plan=plan,
    )
    return PlanPreviewOut(
        member_id=member.pk,
        plan=plan_ref(plan),
        surveys_deactivated=[
            SurveyRef(id=s.pk, title=s.title, response_count=s.response_count)
            for s in surveys
        ],
    )


def _member_get(organization_id: int, membership_id: int) -> Membership:
    return organization_selectors.member_get(
        organization_id=organization_id, membership_id=membership_id
    )


def _member_plan(membership: Membership, member: Membership) -> MemberPlanOut:
    contract = contract_selectors.contract_for_organization(
        organization=membership.organization
    )
    seat = contract and contract_selectors.member_seat(
        contract=contract, user_id=member.user_id
    )
    return MemberPlanOut(
        member_id=member.pk,
        plan=plan_ref(impact.plan_now(member.user)),
        seat=seat
        and SeatOut(
            plan=plan_ref(seat.plan),
            source=seat.source,
            assigned_at=seat.assigned_at,
            last_used_on=seat.last_used_on,
        ),
    )
