"""Every change to contracts, keys, seats and their history happens in this
package, inside a transaction, so that the views, the admin and the
entitlements share one set of rules. Split by what changes together:
`connections` (connect, keys, disconnect, the automatic assignment switch)
`seats` (plans given and taken back, requests, allotments), `support`
(what support staff do from the admin: end dates, key revocation,
deleting an organization), and seats over time: `alerts` (low-seat
alerts), `reclaim` (idle seats) and `schedule` (scheduled plan changes)."""

from contracts.services.alerts import (
    allotment_alert_check,
    allotment_alert_threshold_set,
)
from contracts.services.connections import (
    KEY_ATTEMPT_LIMIT,
    KEY_ATTEMPT_WINDOW,
    KEY_LIFETIME,
    connection_key_generate,
    contract_connect,
    contract_connect_with_key,
    contract_disconnect,
    contract_set_auto_assign,
)
from contracts.services.reclaim import (
    reclaim_policy_set,
    seat_idle_keep,
    seat_idle_remind,
    seat_reclaim,
)
from contracts.services.schedule import (
    plan_change_apply,
    plan_change_cancel,
    plan_change_schedule,
)
from contracts.services.seats import (
    allotment_check,
    allotment_delete,
    allotment_set,
    member_auto_assign_include,
    member_plan_set,
    member_plan_set_many,
    member_remove,
    plan_request_record,
    seat_put,
    seat_put_check,
    seat_release,
)
from contracts.services.support import (
    connection_key_revoke,
    contract_extend,
    organization_delete,
)

__all__ = [
    "KEY_ATTEMPT_LIMIT",
    "KEY_ATTEMPT_WINDOW",
    "KEY_LIFETIME",
    "allotment_alert_check",
    "allotment_alert_threshold_set",
    "allotment_check",
    "allotment_delete",
    "allotment_set",
    "connection_key_generate",
    "connection_key_revoke",
    "contract_connect",
    "contract_connect_with_key",
    "contract_disconnect",
    "contract_extend",
    "contract_set_auto_assign",
    "member_auto_assign_include",
    "member_plan_set",
    "member_plan_set_many",
    "member_remove",
    "organization_delete",
    "plan_change_apply",
    "plan_change_cancel",
    "plan_change_schedule",
    "plan_request_record",
    "reclaim_policy_set",
    "seat_idle_keep",
    "seat_idle_remind",
    "seat_put",
    "seat_put_check",
    "seat_reclaim",
    "seat_release",
]
