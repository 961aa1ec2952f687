"""Requests for a plan: a member without one asks the administrators, with
an optional reason; the administrators hear of new requests in one digest
email a day per organization (`seat_request_digest_sweep`) and answer from
the Contract page."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import email_after_commit
from contracts.exceptions import ContractError, NotAMember
from contracts.models import (
    Contract,
    EventKind,
    Seat,
    SeatRequest,
    SeatRequestDigest,
    SeatRequestStatus,
)
from contracts.services import seats
from contracts.services._common import _connected_contract, _event
from contracts.services.waitlist import _administrator_emails
from organizations.models import Membership, Organization
from plans.models import Plan

# The digest of the day's new requests goes out from this hour on (local
# time), so that administrators read it in the morning.
DIGEST_HOUR = 8


@transaction.atomic
def seat_request_create(
    *, organization: Organization, user: User, reason: str = ""
) -> SeatRequest:
    """A member without a seat on the organization's contract asks for a
    plan. Asking again while a request is pending returns that one."""
    contract = _connected_contract(organization)
    if not Membership.objects.filter(
        organization=organization, user=user, is_active=True
    ).exists():
        raise NotAMember(_("This person is not a member of the organization."))
    pending = SeatRequest.objects.filter(
        contract=contract, user=user, status=SeatRequestStatus.PENDING
    ).first()
    if pending is not None:
        return pending
    if Seat.objects.filter(contract=contract, user=user).exists():
        raise ContractError(
            _("You already hold a plan of contract %(reference)s.")
            % {"reference": contract.reference},
            contract=contract,
        )
    request = SeatRequest(contract=contract, user=user, reason=reason.strip())
    request.full_clean(exclude=["contract", "user", "digest"])
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Asked at the same moment from another tab: that request stands.
        return SeatRequest.objects.get(
            contract=contract, user=user, status=SeatRequestStatus.PENDING
        )
    _event(EventKind.SEAT_REQUESTED, contract=contract, member=user)
    return request


@transaction.atomic
def seat_request_give(*, seat_request: SeatRequest, plan: Plan, actor: User) -> None:
    """An administrator gives the member the plan they asked for (by hand:
    the usual rules of `member_plan_set`); the request is granted."""
    seat_request = _lock_pending(seat_request)
    if plan.is_free:
        raise ContractError(_("Choose a paid plan to give."))
    seats.member_plan_set(
        organization=seat_request.contract.organization,
        user=seat_request.user,
        plan=plan,
        actor=actor,
    )


@transaction.atomic
def seat_request_decline(*, seat_request: SeatRequest, actor: User) -> None:
    """An administrator declines the request; the member is emailed."""
    seat_request = _lock_pending(seat_request)
    seat_request.status = SeatRequestStatus.DECLINED
    seat_request.answered_at = timezone.now()
    seat_request.answered_by = actor
    seat_request.save(update_fields=["status", "answered_at", "answered_by"])
    _event(
        EventKind.SEAT_REQUEST_DECLINED,
        contract=seat_request.contract,
        actor=actor,
        member=seat_request.user,
    )
    email_after_commit(
        to=[seat_request.user.email],
        subject=_("Your request for a plan was declined"),
        template_name="contracts/email/seat_request_declined.txt",
        context={"seat_request": seat_request, "contract": seat_request.contract},
    )


def seat_request_digest_sweep(*, now: datetime.datetime) -> int:
    """Once a day per organization, from DIGEST_HOUR on, email its
    administrators the pending requests no digest listed yet. The day's
    digest row is unique, so that a second run (or a second worker) sends
    nothing. Returns the number of digests sent."""
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    today = local.date()
    contracts = (
        Contract.objects.filter(
            organization__isnull=False,
            seat_requests__status=SeatRequestStatus.PENDING,
            seat_requests__digest__isnull=True,
        )
        .exclude(organization__in=_digested(today))
        .select_related("organization")
        .distinct()
    )
    return sum(
        _digest_send(contract=contract, today=today, now=now) for contract in contracts
    )


def _digested(today: datetime.date):
    return SeatRequestDigest.objects.filter(sent_on=today).values("organization")


@transaction.atomic
def _digest_send(*, contract: Contract, today: datetime.date, now) -> int:
    try:
        with transaction.atomic():
            digest = SeatRequestDigest.objects.create(
                organization=contract.organization, sent_on=today, sent_at=now
            )
    except IntegrityError:
        return 0
    requests = list(
        SeatRequest.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(
            contract=contract, status=SeatRequestStatus.PENDING, digest__isnull=True
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )
    if not requests:
        transaction.set_rollback(True)
        return 0
    SeatRequest.objects.filter(pk__in=[request.pk for request in requests]).update(
        digest=digest
    )
    email_after_commit(
        to=_administrator_emails(contract.organization),
        subject=_("New requests for a plan on contract %(reference)s")
        % {"reference": contract.reference},
        template_name="contracts/email/seat_request_digest.txt",
        context={"contract": contract, "requests": requests},
    )
    return 1


def _lock_pending(seat_request: SeatRequest) -> SeatRequest:
    locked = (
        SeatRequest.objects.select_for_update(of=("self",))
        .select_related("contract__organization", "user")
        .filter(pk=seat_request.pk, status=SeatRequestStatus.PENDING)
        .first()
    )
    if locked is None:
        raise ContractError(_("This request was already answered."))
    return locked
