"""The SCIM resources this service serves, described with scim2-models.

Only the attributes the product keeps are declared, so that `/Schemas`
tells a directory (and scim2-tester) exactly what round-trips:

- User: an organization's membership. `userName` is the account's email,
  which other organizations share, so a directory cannot rename it
  (immutable); `emails` repeats it (read-only). `displayName` is the
  account's full name; `name` keeps the parts the directory sent.
- Group: organizations.Group, its members' `value` a membership id.
"""

from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    Email,
    ETag,
    Filter,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)
from scim2_models import GroupMembership as UserGroup

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_RESULTS = 200


class Name(ComplexAttribute):
    formatted: Annotated[str | None, Mutability.read_only] = None
    """The given and family names together."""

    family_name: str | None = None
    given_name: str | None = None


class User(Resource[Any]):
    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[
        str | None, Uniqueness.server, Required.true, Mutability.immutable
    ] = None
    """The person's email address, their account on this service."""

    name: Name | None = None
    display_name: str | None = None
    active: bool | None = None
    emails: Annotated[list[Email] | None, Mutability.read_only] = None
    groups: Annotated[list[UserGroup] | None, Mutability.read_only] = None


class Member(ComplexAttribute):
    """A member of a group: a user (nested groups are not kept)."""

    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    type: Annotated[str | None, Mutability.immutable] = None
    display: Annotated[str | None, Mutability.read_only] = None


class Group(Resource[Any]):
    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    members: list[Member] | None = None


# Entra ID sends `emails[type eq "work"].value` and enterprise attributes,
# and removes a group's members with a `value` rather than a path filter.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.forbid,
)


def provider(base_url: str) -> ScimProvider:
    config = ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A token made on the organization's Directory sync page.",
                primary=True,
            )
        ],
    )
    return ScimProvider(
        models=[User, Group],
        resource_types=[
            ResourceType.from_resource(User),
            ResourceType.from_resource(Group),
        ],
        config=config,
        policy=POLICY,
    )
