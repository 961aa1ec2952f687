"""The contracts app's periodic sweeps (issue 11, points 8 to 10), listed in
`settings.LIFECYCLE_SWEEPS`: the worker runs each every minute and
`manage.py lifecycle_tick` once. Each does only what is due at `now` (a
second run finds nothing left to do) and returns how many things it did.

Like a view, a sweep reads what it needs and calls the services; the
reclaim reads which of the member's surveys going back to Free makes
inactive, the one upward read (`selectors.member_plan_downgrade_preview`),
so that its email names them."""

import datetime

from django.utils import timezone

from contracts import selectors, services
from organizations import selectors as organization_selectors
from plans.models import Plan


def low_seat_sweep(*, now: datetime.datetime) -> int:
    """Send the low-seat alerts not sent yet (a threshold lowered, seats
    taken by a path that does not check), and re-arm those whose plan has
    more seats left again."""
    return sum(
        services.allotment_alert_check(
            contract_id=allotment.contract_id, plan_id=allotment.plan_id
        )
        for allotment in selectors.allotments_to_alert()
    )


def idle_seat_sweep(*, now: datetime.datetime) -> int:
    """In each organization that reclaims idle seats: free the seats whose
    reminder went unanswered, then remind the holders of seats idle for
    the policy's delay."""
    today = timezone.localdate(now)
    done = 0
    free = Plan.objects.free()
    for organization in selectors.idle_policy_organizations():
        due = selectors.idle_seats_due(
            organization=organization,
            remind_days=organization.idle_remind_days,
            reclaim_days=organization.idle_reclaim_days,
            today=today,
        )
        for seat in due.reclaim:
            member = organization_selectors.membership_get(
                user=seat.user, organization_id=organization.pk
            )
            deactivated = selectors.member_plan_downgrade_preview(
                contract=seat.contract, member=member, plan=free
            )
            done += services.seat_reclaim(
                seat=seat,
                today=today,
                deactivated=[survey.title for survey in deactivated],
            )
        for seat in due.remind:
            done += services.seat_idle_remind(seat=seat, today=today)
    return done


def scheduled_change_sweep(*, now: datetime.datetime) -> int:
    """Carry out the plan changes scheduled for today or earlier."""
    today = timezone.localdate(now)
    return sum(
        services.plan_change_apply(change=change, today=today)
        for change in selectors.scheduled_changes_due(today=today)
    )
