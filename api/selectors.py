"""Reads of the API: tokens, and what the contracts and organizations apps
have no selector for (groups with their counts and plans)."""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from api.models import ApiToken
from api.tokens import PREFIX, token_digest
from organizations.models import Group, Organization

# Longer than any token: what is longer is refused before it is hashed.
MAX_TOKEN_LENGTH = 100


def api_token_authenticate(*, plaintext: str) -> ApiToken | None:
    """The usable token with this secret (not revoked, not expired, of an
    active account), or None."""
    if not plaintext.startswith(PREFIX) or len(plaintext) > MAX_TOKEN_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.has_expired or not token.user.is_active:
        return None
    return token


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    """One of the person's own tokens, or 404."""
    return get_object_or_404(api_token_list(user=user), pk=token_id)


def group_list(*, organization: Organization) -> QuerySet[Group]:
    """The organization's groups by name, each with `member_count` and the
    plan it gives (`plan_mapping`, through its GroupPlan, if any)."""
    return (
        Group.objects.filter(organization=organization)
        .annotate(member_count=Count("members", distinct=True))
        .select_related("plan_mapping__plan")
        .order_by("name", "pk")
    )
