"""The product's rows as SCIM resources, with their ETag (meta.version):
a digest of what the resource shows, so any change gives a new one."""

import hashlib
import json

from django.db.models import Prefetch, QuerySet
from scim2_models import URN, Context, Meta
from scim2_models import GroupMembership as UserGroup

from organizations.models import Group, GroupMember, Membership, Organization
from scim import resources
from scim.models import DirectoryProfile


def user_queryset(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user", "directory_profile")
        .prefetch_related(
            Prefetch("member_groups", queryset=Group.objects.only("pk", "name"))
        )
        .order_by("pk")
    )


def group_queryset(organization: Organization) -> QuerySet[Group]:
    return (
        Group.objects.filter(organization=organization)
        .prefetch_related(
            Prefetch(
                "group_members",
                queryset=GroupMember.objects.order_by("joined_at", "pk"),
            )
        )
        .order_by("pk")
    )


def user_resource(membership: Membership, base_url: str) -> resources.User:
    user = membership.user
    profile = user_profile(membership)
    name = None
    if profile is not None and (profile.given_name or profile.family_name):
        name = resources.Name(
            given_name=profile.given_name or None,
            family_name=profile.family_name or None,
        )
    groups = [
        UserGroup(value=str(group.pk), display=group.name, ref=_url(base_url, group))
        for group in membership.member_groups.all()
    ]
    resource = resources.User(
        id=str(membership.pk),
        external_id=membership.external_id or None,
        user_name=(profile.user_name if profile else "") or user.email,
        display_name=user.full_name or None,
        name=name,
        active=membership.is_active,
        emails=[resources.WorkEmail(value=user.email, type="work", primary=True)],
        groups=groups or None,
    )
    return _with_meta(resource, membership, "User", base_url)


def group_resource(group: Group, base_url: str) -> resources.Group:
    members = [
        resources.Member(
            value=str(link.membership_id),
            ref=f"{base_url}/Users/{link.membership_id}",
        )
        for link in group.group_members.all()
    ]
    resource = resources.Group(
        id=str(group.pk),
        external_id=group.external_id or None,
        display_name=group.name,
        members=members or None,
    )
    return _with_meta(resource, group, "Group", base_url)


def user_profile(membership: Membership) -> DirectoryProfile | None:
    try:
        return membership.directory_profile
    except DirectoryProfile.DoesNotExist:
        return None


def dump(resource, **kwargs) -> dict:
    return resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, **kwargs)


def _with_meta(resource, row, resource_type: str, base_url: str):
    shown = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    digest = hashlib.sha256(
        json.dumps(shown, sort_keys=True, default=str).encode()
    ).hexdigest()[:20]
    resource.meta = Meta(
        resource_type=resource_type,
        created=row.created_at,
        last_modified=row.created_at,
        location=_url(base_url, row),
        version=f'W/"{digest}"',
    )
    resource.schemas = [URN(str(type(resource).__schema__))]
    return resource


def _url(base_url: str, row) -> str:
    endpoint = "Groups" if isinstance(row, Group) else "Users"
    return f"{base_url}/{endpoint}/{row.pk}"
