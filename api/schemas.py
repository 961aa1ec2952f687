"""The API's schemas: what each endpoint answers (`<Thing>Out`) and
accepts (`<Thing>In`), so that the OpenAPI document is exact."""

import datetime

from ninja import Field, Schema


class OrganizationOut(Schema):
    id: int
    name: str
    role: str = Field(description="The token owner's role in the organization.")


class PlanRef(Schema):
    code: str
    name: str


class SeatOut(Schema):
    """The seat a member holds on the organization's contract."""

    plan: PlanRef
    source: str = Field(description="How it was given: manual, automatic, …")
    assigned_at: datetime.datetime
    last_used_on: datetime.date | None


class MemberOut(Schema):
    id: int = Field(description="The membership's id.")
    email: str
    name: str
    role: str
    active: bool = Field(description="False for a member suspended by the directory.")
    plan: PlanRef = Field(description="The member's effective plan.")
    plan_source: str | None = Field(
        description="How the seat behind that plan was given; null for Free."
    )
    plan_since: datetime.datetime | None
    last_used_on: datetime.date | None


class MemberPageOut(Schema):
    items: list[MemberOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class MemberPlanOut(Schema):
    member_id: int
    plan: PlanRef = Field(description="The member's effective plan.")
    seat: SeatOut | None = Field(
        description="Their seat on the organization's contract, if any."
    )


class MemberPlanIn(Schema):
    plan: str = Field(
        description="The code of a plan of the contract, or `free` to take "
        "the member's plan back.",
        max_length=40,
    )


class SurveyRef(Schema):
    id: int
    title: str
    response_count: int


class PlanPreviewOut(Schema):
    member_id: int
    plan: PlanRef
    surveys_deactivated: list[SurveyRef] = Field(
        description="The member's surveys this plan would make inactive."
    )


class AllotmentOut(Schema):
    plan: PlanRef
    seats: int
    in_use: int
    left: int


class ContractOut(Schema):
    reference: str
    customer: str
    starts_on: datetime.date
    ends_on: datetime.date
    in_force: bool
    auto_assign: bool
    allotments: list[AllotmentOut]


class EventOut(Schema):
    id: int
    kind: str
    label: str
    created_at: datetime.datetime
    actor_email: str | None
    member_email: str | None
    plan: PlanRef | None
    source: str
    detail: str


class EventPageOut(Schema):
    items: list[EventOut]
    next_cursor: str | None


class GroupOut(Schema):
    id: int
    name: str
    external_id: str
    member_count: int
    plan: PlanRef | None = Field(description="The plan the group gives, if mapped.")
    mapped_at: datetime.datetime | None
