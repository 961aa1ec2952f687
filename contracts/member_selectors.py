"""Reads of the members pages: members with their plans, and the plans an
administrator can hand out. (Kept apart from the contract pages' selectors.)
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from contracts.entitlements import effective_plan_id, effective_seats
from contracts.models import Allotment, Contract, Seat
from organizations import selectors as organization_selectors
from organizations.models import Membership
from plans.models import Plan


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


def plan_catalog() -> dict[int, Plan]:
    """Every plan by id, cheapest first: one query that lists and exports use
    to name the plan ids they annotate."""
    return {plan.pk: plan for plan in Plan.objects.order_by("rank")}


def organization_contract(*, organization_id: int) -> Contract | None:
    """The contract connected to the organization, if any."""
    return Contract.objects.filter(organization_id=organization_id).first()


def plan_options(
    *, contract: Contract, catalog: dict[int, Plan], held: Plan | None = None
) -> list[PlanOption]:
    """Free, then each plan of the contract with its seats in use (one
    query). `held` is the plan the member holds on the contract, if any: it
    is listed even when full, or when the contract no longer has it."""
    in_use = (
        Seat.objects.filter(contract_id=OuterRef("contract_id"), plan=OuterRef("plan"))
        .order_by()
        .values("plan")
        .annotate(count=Count("pk"))
        .values("count")
    )
    allotments = (
        Allotment.objects.filter(contract=contract)
        .annotate(
            in_use=Coalesce(Subquery(in_use, output_field=IntegerField()), 0),
        )
        .order_by("plan__rank")
    )
    free = next(plan for plan in catalog.values() if plan.is_free)
    options = [PlanOption(plan=free, held=held is None or held.is_free)]
    for allotment in allotments:
        options.append(
            PlanOption(
                plan=catalog[allotment.plan_id],
                seats=allotment.seats,
                in_use=allotment.in_use,
                held=held is not None and held.pk == allotment.plan_id,
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


def member_list(
    *, organization_id: int, query: str = "", plan: Plan | None = None
) -> QuerySet[Membership]:
    """The organization's members (searched by name or email), each with
    `effective_plan_id`, optionally only those whose effective plan is
    `plan`. The plan is computed in the same query, never one per row."""
    members = organization_selectors.member_list(
        organization_id=organization_id, query=query
    ).annotate(effective_plan_id=effective_plan_id(OuterRef("user_id")))
    if plan is not None:
        members = members.filter(effective_plan_id=plan.pk)
    return members


def member_export(
    *, organization_id: int, query: str = "", plan: Plan | None = None
) -> QuerySet[Membership]:
    """`member_list` with what the seat behind each effective plan says: how
    it was given (`seat_source`, `seat_feature`) and since when
    (`seat_since`); all empty for Free."""
    seat = effective_seats(OuterRef("user_id"))
    members = member_list(organization_id=organization_id, query=query, plan=plan)
    return members.annotate(
        seat_source=Subquery(seat.values("source")[:1]),
        seat_feature=Subquery(seat.values("feature")[:1]),
        seat_since=Subquery(seat.values("assigned_at")[:1]),
    )
