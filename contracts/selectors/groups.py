"""Reads of the organization's groups and their plan mappings: the Groups
page, a group's page, the impact of members leaving a mapped group, and the
contract page's counts."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from contracts import impact
from contracts.models import (
    Allotment,
    Contract,
    GroupPlan,
    Seat,
    SeatSource,
    WaitlistEntry,
    WaitlistStatus,
)
from organizations.models import Group, GroupMember, Membership, Organization
from plans.models import Plan

# The impact preview names this many members at most, with their surveys.
IMPACT_SHOWN = 50


def group_list(*, organization: Organization) -> QuerySet[Group]:
    """The organization's groups by name, each with `member_count` and its
    mapping (`plan_mapping`, or none): one query."""
    counts = (
        GroupMember.objects.filter(group_id=OuterRef("pk"))
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Group.objects.filter(organization=organization)
        .annotate(
            member_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
        )
        .select_related("plan_mapping__plan")
        .order_by("name", "pk")
    )


def group_get(*, organization_id: int, group_id: int) -> Group:
    """The organization's group, or 404 (another organization's too)."""
    group = (
        group_list_for_filter(organization_id=organization_id)
        .filter(pk=group_id)
        .select_related("organization", "plan_mapping__plan")
        .first()
    )
    if group is None:
        raise Http404
    return group


def group_list_for_filter(*, organization_id: int) -> QuerySet[Group]:
    return Group.objects.filter(organization_id=organization_id).order_by("name", "pk")


def group_members_list(*, group: Group, contract: Contract | None):
    """The group's members in the order they joined, each with `held_plan_id`
    and `held_source` (their seat on the contract) and `waiting` (for a seat
    through this group): subqueries of one query."""
    members = (
        Membership.objects.filter(group_members__group=group)
        .select_related("user")
        .annotate(joined_at=Subquery(_joined(group).values("joined_at")[:1]))
        .order_by("group_members__joined_at", "group_members__pk")
    )
    if contract is None:
        return members
    seat = Seat.objects.filter(contract=contract, user_id=OuterRef("user_id"))
    return members.annotate(
        held_plan_id=Subquery(seat.values("plan_id")[:1]),
        held_source=Subquery(seat.values("source")[:1]),
        waiting=Exists(
            WaitlistEntry.objects.filter(
                group=group, user_id=OuterRef("user_id"), status=WaitlistStatus.WAITING
            )
        ),
    )


@dataclass(frozen=True)
class GroupPlanChoice:
    plan: Plan
    seats_left: int
    would_wait: int


def group_plan_choices(*, group: Group, contract: Contract) -> list[GroupPlanChoice]:
    """The contract's plans a group can be mapped to, each with the seats
    left and how many of the group's active members would wait (those
    without that plan or a better one)."""
    members = list(
        Membership.objects.filter(group_members__group=group, is_active=True)
        .annotate(
            rank=Subquery(
                Seat.objects.filter(
                    contract=contract, user_id=OuterRef("user_id")
                ).values("plan__rank")[:1]
            )
        )
        .values_list("rank", flat=True)
    )
    choices = []
    for allotment in Allotment.objects.filter(contract=contract).select_related("plan"):
        left = max(0, allotment.seats - allotment.seats_used)
        needing = sum(
            1 for rank in members if rank is None or rank < allotment.plan.rank
        )
        choices.append(
            GroupPlanChoice(
                plan=allotment.plan,
                seats_left=left,
                would_wait=max(0, needing - left),
            )
        )
    return sorted(choices, key=lambda choice: choice.plan.rank)


@dataclass(frozen=True)
class PlanLoss:
    membership: Membership
    plan: Plan
    surveys: list


def group_leave_impact(
    *, group: Group, memberships: list[Membership] | None = None
) -> tuple[list[PlanLoss], int]:
    """Who loses a plan when `memberships` (None: every member) leave the
    group, or when its mapping goes: a seat that came through a group, of
    a plan no other mapped group of theirs gives. Returns the first
    `IMPACT_SHOWN` with the surveys that would go inactive, and the count."""
    mapping = GroupPlan.objects.filter(group=group).first()
    if mapping is None:
        return [], 0
    members = Membership.objects.filter(group_members__group=group)
    if memberships is not None:
        members = members.filter(pk__in=[m.pk for m in memberships])
    seats = Seat.objects.filter(
        contract_id=mapping.contract_id,
        source=SeatSource.GROUP,
        user_id__in=members.values("user_id"),
    ).exclude(
        Exists(
            GroupPlan.objects.filter(
                contract_id=mapping.contract_id,
                plan_id=OuterRef("plan_id"),
                group__group_members__membership__user_id=OuterRef("user_id"),
                group__group_members__membership__organization_id=group.organization_id,
            ).exclude(group=group)
        )
    )
    count = seats.count()
    shown = seats.select_related("plan", "user", "contract").order_by("user__email")
    by_user = {
        member.user_id: member
        for member in members.select_related("user").filter(
            user_id__in=[seat.user_id for seat in shown[:IMPACT_SHOWN]]
        )
    }
    losses = [
        PlanLoss(
            membership=by_user[seat.user_id],
            plan=seat.plan,
            surveys=impact.seat_release_preview(seat=seat),
        )
        for seat in shown[:IMPACT_SHOWN]
        if seat.user_id in by_user
    ]
    return losses, count


@dataclass(frozen=True)
class GroupPlanCounts:
    mapping: GroupPlan
    members: int
    holding: int
    waiting: int


def group_plan_overview(*, contract: Contract) -> list[GroupPlanCounts]:
    """Each mapping of the contract with its group's member count, how many
    hold the plan through a group and how many wait: one query."""

    def count(queryset):
        return Coalesce(
            Subquery(
                queryset.order_by().values("n").annotate(c=Count("pk")).values("c")[:1],
                output_field=IntegerField(),
            ),
            0,
        )

    group_members = GroupMember.objects.filter(group_id=OuterRef("group_id")).annotate(
        n=OuterRef("group_id")
    )
    holding = Seat.objects.filter(
        contract_id=OuterRef("contract_id"),
        plan_id=OuterRef("plan_id"),
        source=SeatSource.GROUP,
        user__memberships__group_members__group_id=OuterRef("group_id"),
    ).annotate(n=OuterRef("group_id"))
    # Not those given the plan or a better one by hand meanwhile: the next
    # freed seat skips them and closes their entry.
    served = Seat.objects.filter(
        contract_id=OuterRef(OuterRef("contract_id")),
        user_id=OuterRef("user_id"),
        plan__rank__gte=OuterRef(OuterRef("plan__rank")),
    )
    waiting = (
        WaitlistEntry.objects.filter(
            group_id=OuterRef("group_id"), status=WaitlistStatus.WAITING
        )
        .exclude(Exists(served))
        .annotate(n=OuterRef("group_id"))
    )
    mappings = (
        GroupPlan.objects.filter(contract=contract)
        .select_related("group", "plan")
        .annotate(
            member_count=count(group_members),
            holding_count=count(holding),
            waiting_count=count(waiting),
        )
        .order_by("group__name", "pk")
    )
    return [
        GroupPlanCounts(
            mapping=mapping,
            members=mapping.member_count,
            holding=mapping.holding_count,
            waiting=mapping.waiting_count,
        )
        for mapping in mappings
    ]


def _joined(group: Group) -> QuerySet[GroupMember]:
    return GroupMember.objects.filter(group=group, membership_id=OuterRef("pk"))
