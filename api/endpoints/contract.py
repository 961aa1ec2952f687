"""The organization's contract (its plans, seats in use and left), its
history, and its groups with the plans they give: what the Contract page
shows its administrators, to them only."""

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from api import selectors
from api.cursors import DEFAULT_LIMIT, MAX_LIMIT, cursor_decode, page_rows
from api.endpoints._common import membership_get, plan_ref, responses
from api.problems import ApiProblem
from api.schemas import AllotmentOut, ContractOut, EventOut, EventPageOut, GroupOut
from contracts import selectors as contract_selectors

router = Router(tags=["contract"])


@router.get(
    "/organizations/{organization_id}/contract",
    response=responses(ContractOut),
    url_name="contract",
    summary="The connected contract: seats per plan, in use and left",
)
def contract_detail(request: HttpRequest, organization_id: int):
    """404 when no contract is connected. Administrators only."""
    membership = membership_get(request, organization_id, administrator=True)
    contract = contract_selectors.contract_for_organization(
        organization=membership.organization
    )
    if contract is None:
        raise ApiProblem(404, _("No contract is connected to this organization."))
    usages = contract_selectors.plan_overview(contracts=[contract]).get(contract.pk, [])
    return ContractOut(
        reference=contract.reference,
        customer=contract.customer,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        in_force=contract.is_active(),
        auto_assign=contract.auto_assign,
        allotments=[
            AllotmentOut(
                plan=plan_ref(usage.plan),
                seats=usage.total,
                in_use=usage.assigned,
                left=usage.available,
            )
            for usage in usages
        ],
    )


class EventFilters(Schema):
    since: datetime.datetime | None = Field(
        None, description="Only events at or after this time."
    )
    cursor: str = Field("", max_length=500, description="From `next_cursor`.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get(
    "/organizations/{organization_id}/events",
    response=responses(EventPageOut),
    url_name="event-list",
    summary="The organization's history, newest first",
)
def event_list(
    request: HttpRequest, organization_id: int, filters: Query[EventFilters]
):
    """Administrators only, as on the Contract page."""
    membership = membership_get(request, organization_id, administrator=True)
    after = None
    if filters.cursor:
        created_at, pk = cursor_decode(filters.cursor, types=(str, int))
        try:
            after = (_bounded(datetime.datetime.fromisoformat(created_at)), pk)
        except ValueError:
            raise ApiProblem(422, _("This cursor is not one of this list.")) from None
    events = selectors.event_list_after(
        organization=membership.organization,
        since=_bounded(filters.since) if filters.since else None,
        after=after,
    )
    rows, next_cursor = page_rows(
        events,
        limit=filters.limit,
        last_values=lambda event: [event.created_at.isoformat(), event.pk],
    )
    return EventPageOut(
        items=[_event(event) for event in rows], next_cursor=next_cursor
    )


@router.get(
    "/organizations/{organization_id}/groups",
    response=responses(list[GroupOut]),
    url_name="group-list",
    summary="The organization's groups, with their members and plans",
)
def group_list(request: HttpRequest, organization_id: int):
    """Each group with its number of members and the plan it is mapped to,
    if any. Administrators only, as the plan mappings on the Contract
    page."""
    membership = membership_get(request, organization_id, administrator=True)
    return [
        _group(group)
        for group in selectors.group_list(organization=membership.organization)
    ]


def _bounded(moment: datetime.datetime) -> datetime.datetime:
    """`moment` in UTC (naive: read as UTC), kept within what a date can
    hold once converted."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        edge = datetime.datetime.min if moment.year == 1 else datetime.datetime.max
        return edge.replace(tzinfo=datetime.UTC)


def _event(event) -> EventOut:
    return EventOut(
        id=event.pk,
        kind=event.kind,
        label=str(event.get_kind_display()),
        created_at=event.created_at,
        actor_email=event.actor.email if event.actor else None,
        member_email=event.member.email if event.member else None,
        plan=plan_ref(event.plan) if event.plan else None,
        source=event.source,
        detail=event.detail,
    )


def _group(group) -> GroupOut:
    mapping = getattr(group, "plan_mapping", None)
    return GroupOut(
        id=group.pk,
        name=group.name,
        external_id=group.external_id,
        member_count=group.member_count,
        plan=plan_ref(mapping.plan) if mapping else None,
        mapped_at=mapping.created_at if mapping else None,
    )
