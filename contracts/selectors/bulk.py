"""The message that sums up a bulk plan change on the members list: who got
the plan, and how many could not, for each reason."""

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import ngettext

from contracts.exceptions import ContractError
from plans.models import Plan


@dataclass(frozen=True)
class BulkPlanSummary:
    """One message for a bulk change, and its level for Django's messages."""

    text: str
    level: int


def bulk_plan_summary(
    *, results: list[tuple[object, ContractError | None]], plan: Plan
) -> BulkPlanSummary:
    """How many members got the plan, and how many could not, for each
    reason."""
    done = sum(1 for _user, error in results if error is None)
    refusals = Counter(str(error) for _user, error in results if error is not None)
    parts = []
    if done:
        parts.append(_bulk_done(done, plan))
    for reason, count in refusals.items():
        parts.append(_bulk_refused(count, reason, first=not parts))
    text = "; ".join(parts)
    if not text.endswith("."):
        text += "."
    if not refusals:
        level = messages.SUCCESS
    else:
        level = messages.WARNING if done else messages.ERROR
    return BulkPlanSummary(text=text, level=level)


def _bulk_done(count: int, plan: Plan) -> str:
    if plan.is_free:
        text = ngettext(
            "%(count)s member is back to %(plan)s",
            "%(count)s members are back to %(plan)s",
            count,
        )
    else:
        text = ngettext(
            "%(count)s member now has %(plan)s",
            "%(count)s members now have %(plan)s",
            count,
        )
    return text % {"count": count, "plan": plan.display_name}


def _bulk_refused(count: int, reason: str, *, first: bool) -> str:
    if first:
        text = ngettext(
            "%(count)s member could not: %(reason)s",
            "%(count)s members could not: %(reason)s",
            count,
        )
    else:
        text = ngettext(
            "%(count)s could not: %(reason)s",
            "%(count)s could not: %(reason)s",
            count,
        )
    return text % {"count": count, "reason": reason}
