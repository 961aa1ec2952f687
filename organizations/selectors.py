from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject
from django.shortcuts import get_object_or_404

from accounts.models import User
from organizations.models import Group, Membership, Role


def membership_get(
    *,
    user: User,
    organization_id: int,
    administrator: bool = False,
    with_groups: bool = False,
) -> Membership:
    """The requesting user's membership of an organization, or 404.

    Everything of an organization is reached through this, so that people
    outside it, and non-administrators on its admin pages, cannot tell an
    organization that exists from one that does not. `with_groups`: the
    organization's groups too, by name, in the same query (`organization_
    groups`, see `membership_groups`).
    """
    memberships = Membership.objects.select_related("organization").filter(
        is_active=True
    )
    if administrator:
        memberships = memberships.filter(role=Role.ADMINISTRATOR)
    # Arrays of subqueries are PostgreSQL's; elsewhere (the quick start's
    # SQLite) `membership_groups` reads the groups in a query of their own.
    if with_groups and connection.vendor == "postgresql":
        memberships = memberships.annotate(
            organization_groups=ArraySubquery(
                Group.objects.filter(organization_id=OuterRef("organization_id"))
                .order_by("name", "pk")
                .values(group=JSONObject(id="pk", name="name"))
            )
        )
    # Through the organization's primary key rather than the foreign key
    # column: its lookup turns an id beyond any column's range (from the
    # URL) into "no such row", where SQLite would raise OverflowError.
    return get_object_or_404(
        memberships, user_id=user.pk, organization__pk=organization_id
    )


def membership_groups(*, membership: Membership) -> list[Group]:
    """The groups of the membership's organization, by name: those read with
    it (`membership_get(with_groups=True)`, their id and name), or one
    query."""
    items = getattr(membership, "organization_groups", None)
    if items is None:
        return list(
            Group.objects.filter(organization_id=membership.organization_id).order_by(
                "name", "pk"
            )
        )
    return [
        Group(
            pk=item["id"],
            name=item["name"],
            organization_id=membership.organization_id,
        )
        for item in items
    ]


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user_id=user.pk, is_active=True)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )


def membership_list_for_organization(
    *, organization_id: int, query: str = ""
) -> QuerySet[Membership]:
    """An organization's memberships with their people, by email, searched
    by name or email."""
    members = Membership.objects.filter(organization_id=organization_id)
    if query := query.strip():
        if "\x00" in query:
            # No stored text holds a NUL byte (forms refuse it), and
            # PostgreSQL refuses one in a query: nothing matches.
            return members.none()
        members = members.filter(
            Q(user__email__icontains=query) | Q(user__full_name__icontains=query)
        )
    return members.select_related("user").order_by("user__email", "pk")


def member_get(*, organization_id: int, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"),
        organization_id=organization_id,
        pk=membership_id,
    )
