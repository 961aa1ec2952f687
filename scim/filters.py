"""SCIM filters (RFC 7644 §3.4.2.2) as Django queries.

scim2-models parses the filter and checks it against the resource model;
this module maps the attributes the product keeps onto columns. A filter on
an attribute that is declared but not kept matches nothing, as RFC 7644
asks of attributes a resource does not hold."""

from django.db.models import Q
from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path.expressions import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from organizations.models import Membership
from scim import resources
from scim.models import DirectoryProfile

USER_COLUMNS = {
    "id": "pk",
    "username": "directory_profile__user_name",
    "externalid": "external_id",
    "displayname": "user__full_name",
    "name.givenname": "directory_profile__given_name",
    "name.familyname": "directory_profile__family_name",
    "emails.value": "user__email",
    "emails": "user__email",
    "active": "is_active",
    "meta.created": "created_at",
}
GROUP_COLUMNS = {
    "id": "pk",
    "displayname": "name",
    "externalid": "external_id",
    "members.value": "members__pk",
    "members": "members__pk",
    "meta.created": "created_at",
}
# Columns compared whatever the case, as their attributes are caseExact false.
CASELESS = {
    "user__email",
    "user__full_name",
    "name",
    "directory_profile__user_name",
}
LOOKUPS = {
    CompareOperator.eq: "exact",
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
    CompareOperator.gt: "gt",
    CompareOperator.ge: "gte",
    CompareOperator.lt: "lt",
    CompareOperator.le: "lte",
}


def user_filter(text: str) -> Q:
    return _query(ScimFilter[resources.User](text).ast, USER_COLUMNS)


def group_filter(text: str) -> Q:
    return _query(ScimFilter[resources.Group](text).ast, GROUP_COLUMNS)


def _column(attr_path: AttrPath, columns: dict[str, str], prefix: str = "") -> str:
    name = f"{prefix}{attr_path.attr}"
    if attr_path.sub_attr:
        name += f".{attr_path.sub_attr}"
    column = columns.get(name.lower())
    if column is None:
        raise _Unkept
    return column


class _Unkept(Exception):
    """An attribute the product does not keep: it matches nothing."""


def _query(node: FilterNode, columns: dict[str, str], prefix: str = "") -> Q:
    if isinstance(node, LogicalExpr):
        terms = [_query(term, columns, prefix) for term in node.terms]
        query = terms[0]
        for term in terms[1:]:
            query = query & term if node.op == LogicalOperator.and_ else query | term
        return query
    if isinstance(node, Not):
        return ~_query(node.expr, columns, prefix)
    if isinstance(node, ValuePath):
        return _query(node.val_filter, columns, f"{node.attr_path.attr}.")
    try:
        if isinstance(node, Present):
            column = _column(node.attr_path, columns, prefix)
            return Q(**{f"{column}__isnull": False}) & ~Q(**{column: ""})
        if isinstance(node, Comparison):
            return _comparison(node, _column(node.attr_path, columns, prefix))
    except _Unkept:
        return Q(pk__in=[])
    raise InvalidFilterException(filter=str(node))


def _comparison(node: Comparison, column: str) -> Q:
    value = node.value
    if column.endswith("pk"):
        try:
            value = int(value)
        except (TypeError, ValueError):
            return Q(pk__in=[])
    if column == "directory_profile__user_name":
        if node.op == CompareOperator.eq and isinstance(value, str):
            # A directory's lookup before each create: two index lookups.
            return Q(pk__in=user_name_matches(value))
        # A member the directory never named goes by their email.
        unnamed = Q(directory_profile__isnull=True) | Q(directory_profile__user_name="")
        return _compare(node.op, column, value) | (
            unnamed & _compare(node.op, "user__email", value)
        )
    return _compare(node.op, column, value)


def user_name_matches(user_name: str, organization_id: int | None = None) -> list:
    """The memberships whose userName is this, whatever the case: named so
    by the directory, or unnamed with this email (stored lowercased)."""
    profiles = DirectoryProfile.objects.filter(user_name__iexact=user_name)
    members = Membership.objects.filter(user__email=user_name.lower()).filter(
        Q(directory_profile__isnull=True) | Q(directory_profile__user_name="")
    )
    if organization_id is not None:
        profiles = profiles.filter(membership__organization_id=organization_id)
        members = members.filter(organization_id=organization_id)
    return [
        *profiles.values_list("membership_id", flat=True),
        *members.values_list("pk", flat=True),
    ]


def _compare(op: CompareOperator, column: str, value) -> Q:
    if column == "user__email" and op == CompareOperator.eq and isinstance(value, str):
        # Stored lowercased: the unique index answers.
        return Q(user__email=value.lower())
    if op == CompareOperator.ne:
        return ~Q(**{column: value})
    lookup = LOOKUPS[op]
    if column in CASELESS and isinstance(value, str):
        lookup = "iexact" if lookup == "exact" else lookup
        if lookup in {"contains", "startswith", "endswith"}:
            lookup = "i" + lookup
    return Q(**{f"{column}__{lookup}": value})
