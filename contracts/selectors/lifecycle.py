"""Reads of seats over time (issue 11): which allotments are due a low-seat
alert, which idle seats are due a reminder or a reclaim, and scheduled plan
changes. The "Keep my plan" links are read in `contracts.keep_links`."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contracts.models import (
    Allotment,
    Contract,
    ScheduledChange,
    ScheduledChangeState,
    Seat,
)
from organizations.models import Organization
from plans.models import FREE_PLAN_CODE, Plan

FAILED_SHOWN_DAYS = 30


@dataclass(frozen=True)
class IdleSeats:
    """The seats an idle policy reminds (`remind`) and reclaims (`reclaim`)
    on a day."""

    remind: list[Seat]
    reclaim: list[Seat]


def idle_policy_organizations() -> QuerySet[Organization]:
    """The organizations that reclaim idle seats."""
    return Organization.objects.filter(idle_reclaim=True).order_by("pk")


def idle_seats(*, organization: Organization) -> QuerySet[Seat]:
    """The seats the organization's members hold on its connected contract,
    each with `idle_since`: the last day a paid feature was used with it,
    or the day it was given. A reminder counts for the idle spell it was
    sent in: a use or "Keep my plan" afterwards starts a new one."""
    return (
        Seat.objects.filter(
            contract__organization=organization,
            user__memberships__organization=organization,
        )
        .annotate(idle_since=Coalesce("last_used_on", TruncDate("assigned_at")))
        .select_related("user", "plan", "contract")
        .order_by("user__email", "pk")
    )


def _reminded() -> Q:
    return Q(idle_reminded_on__isnull=False, idle_reminded_on__gt=F("idle_since"))


def idle_seats_due(
    *,
    organization: Organization,
    remind_days: int,
    reclaim_days: int,
    today: datetime.date,
) -> IdleSeats:
    """Who a policy of `remind_days` without use, then `reclaim_days` after
    the reminder, reminds and reclaims on `today`: what the sweep does when
    the policy is on, and the preview before it is switched on."""
    seats = idle_seats(organization=organization).filter(
        contract__starts_on__lte=today, contract__ends_on__gte=today
    )
    return IdleSeats(
        remind=list(
            seats.exclude(_reminded()).filter(
                idle_since__lte=today - datetime.timedelta(days=remind_days)
            )
        ),
        reclaim=list(
            seats.filter(_reminded()).filter(
                idle_reminded_on__lte=today - datetime.timedelta(days=reclaim_days)
            )
        ),
    )


def scheduled_change_list(
    *, organization: Organization, user_id: int
) -> QuerySet[ScheduledChange]:
    """A member's scheduled plan changes still to happen, and those that
    failed in the last FAILED_SHOWN_DAYS: what their page shows."""
    failed_since = timezone.now() - datetime.timedelta(days=FAILED_SHOWN_DAYS)
    return (
        ScheduledChange.objects.filter(organization=organization, user_id=user_id)
        .filter(
            Q(state=ScheduledChangeState.PENDING)
            | Q(state=ScheduledChangeState.FAILED, settled_at__gte=failed_since)
        )
        .select_related("plan", "created_by")
        .order_by("on", "pk")
    )


def scheduled_change_get(
    *, organization: Organization, user_id: int, change_id: int
) -> ScheduledChange:
    """One of the member's scheduled changes, or 404."""
    return get_object_or_404(
        ScheduledChange.objects.select_related("plan"),
        organization=organization,
        user_id=user_id,
        pk=change_id,
    )


def scheduled_changes_due(*, today: datetime.date) -> QuerySet[ScheduledChange]:
    return ScheduledChange.objects.filter(
        state=ScheduledChangeState.PENDING, on__lte=today
    ).order_by("on", "pk")


def allotment_get(*, contract: Contract, plan: Plan) -> Allotment | None:
    return (
        Allotment.objects.select_related("plan")
        .filter(contract=contract, plan=plan)
        .first()
    )


def allotments_to_alert() -> list[Allotment]:
    """The allotments whose low-seat alert state is out of date: under the
    threshold and not alerted, or above it and still marked alerted. One
    query, with the seats in use the allotments' counters."""
    allotments = Allotment.objects.annotate(in_use=F("seats_used"))
    return [
        allotment
        for allotment in allotments.order_by("pk")
        if allotment.seats_low(allotment.in_use) != allotment.low_seats_alerted
    ]


@dataclass(frozen=True)
class SchedulePanel:
    """The member page's scheduled plan changes, for administrators: the
    changes pending or failed, and the plans a change may go to (Free and
    the connected contract's)."""

    changes: list[ScheduledChange]
    plans: list[Plan]
    earliest: datetime.date


def member_schedule_panel(*, organization: Organization, user_id: int) -> SchedulePanel:
    contract = Contract.objects.filter(organization=organization).first()
    plans = Plan.objects.filter(
        Q(code=FREE_PLAN_CODE) | Q(allotment__contract=contract)
    ).order_by("rank")
    return SchedulePanel(
        changes=list(scheduled_change_list(organization=organization, user_id=user_id)),
        plans=list(plans) if contract is not None else [],
        earliest=timezone.localdate(),
    )
