"""Groups of members, made on the Members page or pushed by a directory.
Every change to a group goes through here, so that a group mapped to a plan
gives and frees its seats by the same rules wherever the change comes from."""

from django.db import transaction

from accounts.models import User
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
    group_members_remove(
        group=group, memberships=list(group.members.all()), actor=actor
    )
    group.delete()


@transaction.atomic
def group_members_add(
    *, group: Group, memberships: list[Membership], actor: User | None
) -> list[int]:
    """Add members to a group in the order given. Returns the ids of the
    memberships that joined."""
    return organization_services.group_members_add(group=group, memberships=memberships)


@transaction.atomic
def group_members_remove(
    *, group: Group, memberships: list[Membership], actor: User | None
) -> list[int]:
    """Take members out of a group. Returns the ids of those who left."""
    return organization_services.group_members_remove(
        group=group, memberships=memberships
    )


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
