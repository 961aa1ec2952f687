"""Reads of contracts worth naming. Those that take a `user` apply what the
person may see, and answer 404 for the rest, so that ids cannot be probed.

Split by page family: `contracts` (contracts, their plans and seats, keys,
history), `members` (the organization's members list), `member_plans` (a
member's plan: the choices, the Plan panel, the downgrade preview),
`member_exports` (the members' CSV) and `bulk` (the summary of a bulk plan
change). The previews of a seat freed or moved (`seat_release_preview`,
`seat_change_preview`: the surveys that go inactive) are
`contracts.impact`'s, which the services share."""

from contracts.impact import seat_change_preview, seat_release_preview
from contracts.selectors.bulk import BulkPlanSummary, bulk_plan_summary
from contracts.selectors.contracts import (
    ContractOverview,
    PlanUsage,
    auto_assign_exclusion,
    connection_key_latest,
    contract_for_organization,
    contract_get_managed,
    contract_last_disconnected,
    contract_list_connectable,
    contract_list_managed,
    contract_overview,
    event_list,
    plan_overview,
    plan_request_list,
    plan_request_member_count,
    seat_get,
    seat_list,
    seat_list_held_by_members,
)
from contracts.selectors.member_exports import member_export_rows
from contracts.selectors.member_plans import (
    MemberDowngrade,
    MemberPlanPanel,
    PlanOption,
    member_plan_downgrade_preview,
    member_plan_downgrade_preview_many,
    member_plan_panel,
    member_seat,
    plan_catalog_by_id,
    plan_locked_reason,
    plan_options,
)
from contracts.selectors.members import (
    MemberListPage,
    member_filter_plans,
    member_list_page,
    member_list_row,
    member_list_sorted,
    member_list_with_plans,
    member_list_with_seats,
    member_sort,
    plan_filter_by_code,
)

__all__ = [
    "BulkPlanSummary",
    "ContractOverview",
    "MemberDowngrade",
    "MemberListPage",
    "MemberPlanPanel",
    "PlanOption",
    "PlanUsage",
    "auto_assign_exclusion",
    "bulk_plan_summary",
    "connection_key_latest",
    "contract_for_organization",
    "contract_get_managed",
    "contract_last_disconnected",
    "contract_list_connectable",
    "contract_list_managed",
    "contract_overview",
    "event_list",
    "member_export_rows",
    "member_filter_plans",
    "member_list_page",
    "member_list_row",
    "member_list_sorted",
    "member_list_with_plans",
    "member_list_with_seats",
    "member_plan_downgrade_preview",
    "member_plan_downgrade_preview_many",
    "member_plan_panel",
    "member_seat",
    "member_sort",
    "plan_catalog_by_id",
    "plan_filter_by_code",
    "plan_locked_reason",
    "plan_options",
    "plan_overview",
    "plan_request_list",
    "plan_request_member_count",
    "seat_change_preview",
    "seat_get",
    "seat_list",
    "seat_list_held_by_members",
    "seat_release_preview",
]
