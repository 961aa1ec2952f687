"""Reads of a member's plan on the organization's contract: the plans an
administrator can choose, why they cannot, the Plan panel of a member's
page, and what a lower plan would make inactive."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.dates import date_format
from contracts.entitlements import effective_plan, effective_plan_id_of
from contracts.impact import seat_change_preview
from contracts.models import Contract, Seat
from contracts.selectors.contracts import (
    PlanUsage,
    contract_for_organization,
    plan_overview,
)
from organizations.models import Membership
from plans.models import Plan

# For a value a selector reads itself unless its caller already has it.
LOOK_UP = object()


@dataclass(frozen=True)
class PlanOption:
    """A plan an administrator can choose for a member; `seats` is None for
    Free, which is never short."""

    plan: Plan
    seats: int | None = None
    in_use: int = 0
    held: bool = False

    @property
    def left(self) -> int | None:
        return None if self.seats is None else max(self.seats - self.in_use, 0)

    @property
    def disabled(self) -> bool:
        # A full plan stays selectable for the member who holds it.
        return self.left == 0 and not self.held

    @property
    def label(self) -> str:
        """The option's words: the plan, and the seats left but for Free."""
        if self.left is None:
            return self.plan.display_name
        return ngettext(
            "%(plan)s — %(counter)s left", "%(plan)s — %(counter)s left", self.left
        ) % {"plan": self.plan.display_name, "counter": self.left}


def plan_catalog_by_id() -> dict[int, Plan]:
    """Every plan by id, cheapest first: one query that lists and exports use
    to name the plan ids they annotate."""
    return {plan.pk: plan for plan in Plan.objects.order_by("rank")}


def plan_options(
    *,
    contract: Contract,
    catalog: dict[int, Plan],
    held: Plan | None = None,
    usages: list[PlanUsage] | None = None,
) -> list[PlanOption]:
    """Free, then each plan of the contract with its seats in use (one
    query, none when the caller passes the contract's `usages` already
    read). `held` is the plan the member holds on the contract, if any: it
    is listed even when full, or when the contract no longer has it."""
    free = next(plan for plan in catalog.values() if plan.is_free)
    options = [PlanOption(plan=free, held=held is None or held.is_free)]
    if usages is None:
        usages = plan_overview(contracts=[contract]).get(contract.pk, [])
    for usage in usages:
        options.append(
            PlanOption(
                plan=usage.plan,
                seats=usage.total,
                in_use=usage.assigned,
                held=held is not None and held.pk == usage.plan.pk,
            )
        )
    if held is not None and not any(option.held for option in options):
        options.append(PlanOption(plan=held, held=True))
    return options


def member_seat(*, contract: Contract, user_id: int) -> Seat | None:
    """The member's seat on the contract, with who gave it."""
    return (
        Seat.objects.filter(contract=contract, user_id=user_id)
        .select_related("plan", "assigned_by", "contract")
        .first()
    )


def plan_locked_reason(*, contract: Contract | None) -> str:
    """Why an administrator cannot change plans here, or "" when they can."""
    if contract is None:
        return _("No contract is connected: plans cannot be changed here.")
    if contract.has_ended():
        return _(
            "Contract %(reference)s ended on %(date)s: it grants no plan, and "
            "plans cannot be changed here."
        ) % {"reference": contract.reference, "date": date_format(contract.ends_on)}
    if not contract.is_active():
        return _(
            "Contract %(reference)s starts on %(date)s: plans can be given "
            "from that day."
        ) % {"reference": contract.reference, "date": date_format(contract.starts_on)}
    return ""


@dataclass(frozen=True)
class MemberPlanPanel:
    """What the Plan panel of a member shows. To administrators: the
    dropdown of the connected contract's plans (`options`) while the
    contract is in force (`editable`), otherwise the plan in effect as text
    with the reason it cannot be changed here. To other members: the plan
    in effect only."""

    effective: Plan
    contract: Contract | None = None
    seat: Seat | None = None
    held: Plan | None = None
    options: list[PlanOption] = field(default_factory=list)
    editable: bool = False
    locked_reason: str = ""


def member_plan_panel(
    *,
    membership: Membership,
    member: Membership,
    contract: Contract | object | None = LOOK_UP,
    seat: Seat | object | None = LOOK_UP,
) -> MemberPlanPanel:
    """The Plan panel of `member` as `membership` (the reader's) sees it.
    `contract` (the organization's) and `seat` (the member's on it, or
    None) are passed when the caller knows them already."""
    if not membership.is_administrator:
        return MemberPlanPanel(effective=effective_plan(member.user))
    catalog = plan_catalog_by_id()
    if contract is LOOK_UP:
        contract = contract_for_organization(organization=membership.organization)
    if seat is LOOK_UP:
        seat = (
            member_seat(contract=contract, user_id=member.user_id)
            if contract is not None
            else None
        )
    editable = contract is not None and contract.is_active()
    held = seat.plan if seat is not None else None
    return MemberPlanPanel(
        # Named from the catalogue already read: one query, not two.
        effective=catalog[effective_plan_id_of(member.user)],
        contract=contract,
        seat=seat,
        held=held or next(plan for plan in catalog.values() if plan.is_free),
        options=(
            plan_options(contract=contract, catalog=catalog, held=held)
            if editable
            else []
        ),
        editable=editable,
        locked_reason=plan_locked_reason(contract=contract),
    )


def member_plan_downgrade_preview(
    *, contract: Contract | None, member: Membership, plan: Plan
) -> list:
    """The member's surveys that going down to `plan` would make inactive,
    as freeing a seat previews it (`contracts.impact`): none when the plan
    allows as many responses as the member's plan, or when no contract is
    connected or no seat held on it (nothing here to go down from)."""
    if contract is None:
        return []
    seat = member_seat(contract=contract, user_id=member.user_id)
    if seat is None:
        return []
    if plan.rank >= seat.plan.rank:
        # Going up never makes a survey inactive: the plans' ranks follow
        # what they allow.
        return []
    return seat_change_preview(seat=seat, plan=plan)


@dataclass(frozen=True)
class MemberDowngrade:
    """A member whose surveys a lower plan would make inactive."""

    member: Membership
    surveys: list


def member_plan_downgrade_preview_many(
    *, contract: Contract | None, members: Iterable[Membership], plan: Plan
) -> list[MemberDowngrade]:
    """`member_plan_downgrade_preview` for the members of a bulk change, in
    their order, leaving out those who would lose no survey. One query for
    their seats, then the preview of each member whose plan `plan` lowers."""
    if contract is None:
        return []
    members = list(members)
    seats = {
        seat.user_id: seat
        for seat in Seat.objects.filter(
            contract=contract, user_id__in=[member.user_id for member in members]
        ).select_related("contract", "plan", "user")
    }
    downgrades = []
    for member in members:
        seat = seats.get(member.user_id)
        if seat is None or plan.rank >= seat.plan.rank:
            continue
        if surveys := seat_change_preview(seat=seat, plan=plan):
            downgrades.append(MemberDowngrade(member=member, surveys=surveys))
    return downgrades
