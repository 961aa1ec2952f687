"""Reclaiming idle seats (issue 11, point 9), off by default: an
organization may have a member who used no paid feature for
`idle_remind_days` reminded, with a signed "Keep my plan" link, and their
seat freed `idle_reclaim_days` later unless they kept it or used a paid
feature meanwhile."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import email_after_commit
from contracts.exceptions import ContractError
from contracts.keep_links import keep_token, keep_token_seat
from contracts.models import Allotment, Contract, EventKind, Seat, SeatSource
from contracts.services._common import _event, _lock
from contracts.services.seats import seat_release
from organizations.models import Organization

MAX_DAYS = 3650


@transaction.atomic
def reclaim_policy_set(
    *,
    organization: Organization,
    enabled: bool,
    remind_days: int,
    reclaim_days: int,
    actor: User,
) -> Organization:
    """Switch reclaiming idle seats on or off, with its two delays."""
    if not (1 <= remind_days <= MAX_DAYS and 1 <= reclaim_days <= MAX_DAYS):
        raise ContractError(
            _("Each delay is between 1 and %(max)d days.") % {"max": MAX_DAYS}
        )
    _lock(organization)
    organization.refresh_from_db(
        fields=["idle_reclaim", "idle_remind_days", "idle_reclaim_days"]
    )
    values = (enabled, remind_days, reclaim_days)
    if values == (
        organization.idle_reclaim,
        organization.idle_remind_days,
        organization.idle_reclaim_days,
    ):
        return organization
    organization.idle_reclaim = enabled
    organization.idle_remind_days = remind_days
    organization.idle_reclaim_days = reclaim_days
    organization.save(
        update_fields=["idle_reclaim", "idle_remind_days", "idle_reclaim_days"]
    )
    _event(
        EventKind.RECLAIM_POLICY_SET,
        contract=Contract.objects.filter(organization=organization).first(),
        organization=organization,
        actor=actor,
        source=SeatSource.MANUAL,
        detail=(
            _("on: reminder after %(remind)d days, reclaim %(reclaim)d days later")
            if enabled
            else _("off")
        )
        % {"remind": remind_days, "reclaim": reclaim_days},
    )
    return organization


@transaction.atomic
def seat_idle_remind(*, seat: Seat, today: datetime.date) -> bool:
    """Remind the holder of an idle seat that it will be freed, with a
    "Keep my plan" link valid until the day before. Does nothing (returns
    False) when the seat is gone, was used meanwhile, or was reminded."""
    locked = _locked_seat(seat)
    if locked is None:
        return False
    organization = locked.contract.organization
    idle_since = locked.last_used_on or timezone.localdate(locked.assigned_at)
    due = idle_since + datetime.timedelta(days=organization.idle_remind_days)
    reminded = locked.idle_reminded_on and locked.idle_reminded_on > idle_since
    if reminded or today < due:
        return False
    locked.idle_reminded_on = today
    locked.save(update_fields=["idle_reminded_on"])
    reclaim_on = today + datetime.timedelta(days=organization.idle_reclaim_days)
    _event(
        EventKind.IDLE_REMINDED,
        contract=locked.contract,
        member=locked.user,
        plan=locked.plan,
        source=SeatSource.AUTOMATIC,
        detail=_("idle since %(date)s") % {"date": idle_since.isoformat()},
    )
    token = keep_token(seat=locked, until=reclaim_on - datetime.timedelta(days=1))
    email_after_commit(
        to=[locked.user.email],
        subject=_("Keep your %(plan)s plan?") % {"plan": locked.plan.display_name},
        template_name="contracts/email/idle_reminder.txt",
        context={
            "seat": locked,
            "idle_since": idle_since,
            "reclaim_on": reclaim_on,
            "keep_url": settings.SITE_URL
            + reverse("contracts:idle-keep", kwargs={"token": token}),
        },
    )
    return True


@transaction.atomic
def seat_idle_keep(*, token: str, today: datetime.date) -> Seat:
    """The holder's "Keep my plan": the seat counts as used today, which
    starts its idle spell afresh."""
    seat = keep_token_seat(token=token, today=today)
    locked = _locked_seat(seat) if seat is not None else None
    if locked is None or locked.idle_reminded_on != seat.idle_reminded_on:
        raise ContractError(
            _(
                "This link has expired or was used already. If your plan was "
                "freed, ask an administrator of your organization for one."
            )
        )
    locked.last_used_on = today
    locked.idle_reminded_on = None
    locked.save(update_fields=["last_used_on", "idle_reminded_on"])
    _event(
        EventKind.IDLE_KEPT,
        contract=locked.contract,
        actor=locked.user,
        member=locked.user,
        plan=locked.plan,
        source=SeatSource.MANUAL,
    )
    return locked


@transaction.atomic
def seat_reclaim(
    *, seat: Seat, today: datetime.date, deactivated: Sequence[str]
) -> bool:
    """Free an idle seat whose reminder went unanswered for the policy's
    delay, through `seat_release` like any seat freed, and tell the member
    which of their surveys (`deactivated`, their titles) become inactive.
    Does nothing (returns False) when it is no longer due."""
    # The allotment before the seat, as `seat_put` and `seat_release` lock
    # them, so that they never wait for each other.
    Allotment.objects.select_for_update(of=("self",)).filter(
        contract_id=seat.contract_id, plan_id=seat.plan_id
    ).first()
    locked = _locked_seat(seat)
    if locked is None:
        return False
    organization = locked.contract.organization
    idle_since = locked.last_used_on or timezone.localdate(locked.assigned_at)
    reminded = locked.idle_reminded_on
    if (
        not organization.idle_reclaim
        or not reminded
        or reminded <= idle_since
        or today < reminded + datetime.timedelta(days=organization.idle_reclaim_days)
    ):
        return False
    seat_release(seat=locked, actor=None, source=SeatSource.AUTOMATIC, notify=False)
    _event(
        EventKind.SEAT_RECLAIMED,
        contract=locked.contract,
        member=locked.user,
        plan=locked.plan,
        source=SeatSource.AUTOMATIC,
        detail=_("idle since %(date)s") % {"date": idle_since.isoformat()},
    )
    email_after_commit(
        to=[locked.user.email],
        subject=_("Your %(plan)s plan was freed") % {"plan": locked.plan.display_name},
        template_name="contracts/email/idle_reclaimed.txt",
        context={
            "seat": locked,
            "idle_since": idle_since,
            "deactivated": list(deactivated),
        },
    )
    return True


def _locked_seat(seat: Seat) -> Seat | None:
    return (
        Seat.objects.select_for_update(of=("self",))
        .select_related("user", "plan", "contract__organization")
        .filter(pk=seat.pk, contract__organization__isnull=False)
        .first()
    )
