"""What taking a plan away costs its holder: which of their surveys go
inactive (open, sent by email or link, with as many responses as the lower
plan allows or more, and fewer than the plan they had allowed).

The surveys app sits above contracts (apps depend one way), so it hands
its read over when it is ready (`surveys.apps.SurveysConfig.ready`): the
contracts services name those surveys in the member's email, on every path
that takes a plan away, and the previews of the account pages and the admin
read the same answer before anything changes."""

from collections.abc import Callable

from accounts.models import User
from contracts import entitlements
from contracts.models import Seat
from plans.models import Plan

# (*, user, plan) -> the person's surveys that `plan` would make inactive.
SurveysReader = Callable[..., list]

_surveys_reader: SurveysReader | None = None


def surveys_reader_register(reader: SurveysReader) -> None:
    """Called once by the surveys app, which knows what a survey is."""
    global _surveys_reader
    _surveys_reader = reader


def plan_loss(*, user: User, before: Plan, after: Plan) -> list:
    """The person's surveys that going from `before` to `after` (their
    effective plans) makes inactive: none when `after` allows as many
    responses; those already at `before`'s limit were inactive already."""
    if _surveys_reader is None or after.response_limit is None:
        return []
    if before.response_limit is not None and before.response_limit <= (
        after.response_limit
    ):
        return []
    surveys = _surveys_reader(user=user, plan=after)
    if before.response_limit is None:
        return surveys
    return [s for s in surveys if s.response_count < before.response_limit]


def plan_now(user: User) -> Plan:
    """The person's effective plan, without its features (one query)."""
    return Plan.objects.get(pk=entitlements.effective_plan_id(user.pk))


def seat_release_preview(*, seat: Seat) -> list:
    """The surveys freeing this seat would make inactive: the member falls
    back to their best other seat on a contract in force, or Free. A seat of
    a contract not in force changes nothing (it grants no plan)."""
    return seat_change_preview(seat=seat, plan=None)


def seat_change_preview(*, seat: Seat, plan: Plan | None) -> list:
    """The surveys moving this seat to `plan` (None: freeing it) would make
    inactive, given the member's other seats on contracts in force."""
    others = (
        entitlements.effective_seats(seat.user_id)
        .exclude(pk=seat.pk)
        .select_related("plan")
    )
    fallback = next(iter(others[:1]), None)
    after = fallback.plan if fallback is not None else Plan.objects.free()
    if plan is not None and seat.contract.is_active() and plan.rank > after.rank:
        after = plan
    return plan_loss(user=seat.user, before=plan_now(seat.user), after=after)
