"""Groups of members, made on the Members page or pushed by a directory.
Every change to a group goes through here, so that a group mapped to a plan
gives and frees its seats by the same rules wherever the change comes from
(`group_plans`)."""

from django.db import transaction

from accounts.models import User
from contracts.models import EventKind
from contracts.services._common import _event
from contracts.services.group_plans import group_lock, members_settle
from organizations import services as organization_services
from organizations.models import Group, Membership, Organization


@transaction.atomic
def group_create(
    *,
    organization: Organization,
    name: str,
    actor: User | None,
    external_id: str = "",
    memberships: list[Membership] = (),
) -> Group:
    group = organization_services.group_create(
        organization=organization, name=name, external_id=external_id
    )
    if memberships:
        group_members_add(group=group, memberships=list(memberships), actor=actor)
    return group


@transaction.atomic
def group_update(
    *, group: Group, name: str, actor: User | None, external_id: str | None = None
) -> Group:
    return organization_services.group_update(
        group=group, name=name, external_id=external_id
    )


@transaction.atomic
def group_delete(*, group: Group, actor: User | None) -> None:
    """Delete a group: the seats its members held through it are freed as
    when they leave it."""
    mapping = group_lock(group)
    group_members_remove(
        group=group, memberships=list(group.members.all()), actor=actor
    )
    if mapping is not None:
        _event(
            EventKind.GROUP_PLAN_REMOVED,
            contract=mapping.contract,
            actor=actor,
            plan=mapping.plan,
            detail=group.name[:200],
        )
    group.delete()


@transaction.atomic
def group_members_add(
    *, group: Group, memberships: list[Membership], actor: User | None
) -> list[int]:
    """Add members to a group in the order given. Returns the ids of the
    memberships that joined. Joining a mapped group gives its plan while
    seats last; the others wait in the order they joined."""
    mapping = group_lock(group)
    joined = organization_services.group_members_add(
        group=group, memberships=memberships
    )
    if mapping is not None and joined:
        by_id = {membership.pk: membership for membership in memberships}
        members_settle(
            contract=mapping.contract,
            memberships=[by_id[pk] for pk in joined],
            actor=actor,
        )
    return joined


@transaction.atomic
def group_members_remove(
    *, group: Group, memberships: list[Membership], actor: User | None
) -> list[int]:
    """Take members out of a group. Returns the ids of those who left. A
    seat held through the group is freed unless another mapped group of
    theirs gives the same plan, or it was given by hand."""
    mapping = group_lock(group)
    left = organization_services.group_members_remove(
        group=group, memberships=memberships
    )
    if mapping is not None and left:
        by_id = {membership.pk: membership for membership in memberships}
        members_settle(
            contract=mapping.contract,
            memberships=[by_id[pk] for pk in left],
            actor=actor,
        )
    return left


@transaction.atomic
def group_members_replace(
    *, group: Group, memberships: list[Membership], actor: User | None
) -> None:
    """Make the group's members exactly these (a SCIM PUT or a PATCH
    replace): those missing leave, the new ones join in the order given."""
    keep = {membership.pk for membership in memberships}
    group_members_remove(
        group=group,
        memberships=[m for m in group.members.all() if m.pk not in keep],
        actor=actor,
    )
    group_members_add(group=group, memberships=memberships, actor=actor)
