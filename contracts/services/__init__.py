"""Every change to contracts, keys, seats and their history happens in this
package, inside a transaction, so that the views, the admin and the
entitlements share one set of rules. Split by what changes together:
`connections` (connect, keys, disconnect, the automatic assignment switch),
`directory` (members suspended and restored), `groups` (groups of
members) and `group_plans` (groups mapped to a plan), `key_attempts` (the limits on
wrong keys and their history), `seats`
(plans given and taken back, requests), `allotments` (the seats of each
plan), `support` (what support staff do from the admin: end dates, key
revocation, deleting an organization), `waitlist` (members waiting for a
seat, served as seats free), `requests` (members asking for a plan, the
daily digest), and seats over time: `alerts` (low-seat alerts), `reclaim`
(idle seats) and `schedule` (scheduled plan changes)."""

from contracts.services.alerts import (
    allotment_alert_check,
    allotment_alert_threshold_set,
)
from contracts.services.allotments import (
    allotment_check,
    allotment_delete,
    allotment_set,
)
from contracts.services.connections import (
    KEY_LIFETIME,
    connection_key_generate,
    contract_connect,
    contract_connect_with_key,
    contract_disconnect,
    contract_set_auto_assign,
)
from contracts.services.directory import member_restore, member_suspend
from contracts.services.group_plans import (
    group_plan_remove,
    group_plan_set,
    group_waitlist_fulfil,
    group_waitlist_sweep,
)
from contracts.services.groups import (
    group_create,
    group_delete,
    group_members_add,
    group_members_remove,
    group_members_replace,
    group_update,
)
from contracts.services.key_attempts import (
    KEY_ATTEMPT_LIMIT,
    KEY_ATTEMPT_LIMIT_ORGANIZATION,
    KEY_ATTEMPT_WINDOW,
    key_attempts_prune_sweep,
)
from contracts.services.reclaim import (
    reclaim_policy_set,
    seat_idle_keep,
    seat_idle_remind,
    seat_reclaim,
)
from contracts.services.requests import (
    seat_request_create,
    seat_request_decline,
    seat_request_digest_sweep,
    seat_request_give,
)
from contracts.services.schedule import (
    plan_change_apply,
    plan_change_cancel,
    plan_change_schedule,
)
from contracts.services.seats import (
    member_auto_assign_include,
    member_plan_set,
    member_plan_set_many,
    member_remove,
    plan_request_record,
    seat_put,
    seat_put_check,
    seat_put_in_transaction,
    seat_release,
)
from contracts.services.support import (
    connection_key_revoke,
    contract_extend,
    organization_delete,
)
from contracts.services.waitlist import (
    waitlist_entry_decline,
    waitlist_entry_give,
    waitlist_fulfil,
    waitlist_join,
    waitlist_leave,
    waitlist_seat_free_notify,
    waitlist_seat_freed,
    waitlist_sweep,
)

__all__ = [
    "KEY_ATTEMPT_LIMIT",
    "KEY_ATTEMPT_LIMIT_ORGANIZATION",
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
    "group_create",
    "group_delete",
    "group_members_add",
    "group_members_remove",
    "group_members_replace",
    "group_plan_remove",
    "group_plan_set",
    "group_update",
    "group_waitlist_fulfil",
    "group_waitlist_sweep",
    "key_attempts_prune_sweep",
    "member_auto_assign_include",
    "member_plan_set",
    "member_plan_set_many",
    "member_remove",
    "member_restore",
    "member_suspend",
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
    "seat_put_in_transaction",
    "seat_reclaim",
    "seat_release",
    "seat_request_create",
    "seat_request_decline",
    "seat_request_digest_sweep",
    "seat_request_give",
    "waitlist_entry_decline",
    "waitlist_entry_give",
    "waitlist_fulfil",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_seat_free_notify",
    "waitlist_seat_freed",
    "waitlist_sweep",
]
