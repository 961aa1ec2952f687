"""The SCIM resources this service serves, described with scim2-models.

Only the attributes the product keeps are declared, so that `/Schemas`
tells a directory (and scim2-tester) exactly what round-trips:

- User: an organization's membership. The account is found or made by its
  email: the work (or primary, or first) of `emails`, else `userName` when
  it is an address. Other organizations share the account, so a directory
  cannot change its email (`emails` is immutable); `userName` is the
  directory's own name for the person (Entra ID's user principal name).
  `displayName` is the account's full name; `name` keeps the parts sent.
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
    family_name: str | None = None
    given_name: str | None = None


class WorkEmail(ComplexAttribute):
    """The account's email: the one address the product keeps. Django
    validates it; pydantic's validator would refuse addresses the product
    holds (reserved domains such as .test)."""

    value: Annotated[str | None, Required.true] = None
    type: str | None = None
    primary: bool | None = None


class User(Resource[Any]):
    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    """The directory's name for the person; their email unless it says."""

    name: Name | None = None
    display_name: str | None = None
    active: Annotated[bool | None, Required.true] = None
    emails: Annotated[list[WorkEmail] | None, Mutability.immutable, Required.true] = (
        None
    )
    groups: Annotated[list[UserGroup] | None, Mutability.read_only] = None


class Member(ComplexAttribute):
    """A member of a group: a user (nested groups are not kept). Only its id
    and address: what a directory sends back must compare equal."""

    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )


class Group(Resource[Any]):
    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true, Uniqueness.server] = None
    members: list[Member] | None = None


def user_payload_complete(payload: dict) -> dict:
    """A user to create or replace with what directories leave out: a member
    is active unless said otherwise, and a userName that is an address is
    their email when `emails` is missing (Entra ID with no `mail`)."""
    keys = {key.lower() for key in payload}
    completed = dict(payload)
    if "active" not in keys:
        completed["active"] = True
    user_name = payload.get("userName")
    if "emails" not in keys and isinstance(user_name, str) and "@" in user_name:
        completed["emails"] = [{"value": user_name, "type": "work", "primary": True}]
    return completed


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
