"""Reads of the API: tokens, and what the contracts and organizations apps
have no selector for (groups with their counts and plans)."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from api.models import ApiToken
from api.tokens import PREFIX, token_digest
from contracts import selectors as contract_selectors
from contracts.models import Event
from organizations.models import Group, Membership, Organization
from plans.models import Plan

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


def member_list_after(
    *,
    organization: Organization,
    query: str,
    plan: Plan | None,
    after: tuple[str, int] | None,
) -> QuerySet[Membership]:
    """The members list of the pages (searched, filtered by effective plan,
    with their seats) by email, from just after (email, membership id)."""
    members = contract_selectors.member_list_with_seats(
        organization_id=organization.pk, query=query, plan=plan
    ).order_by("user__email", "pk")
    if after is not None:
        email, pk = after
        members = members.filter(
            Q(user__email__gt=email) | Q(user__email=email, pk__gt=pk)
        )
    return members


def event_list_after(
    *,
    organization: Organization,
    since: datetime.datetime | None,
    after: tuple[datetime.datetime, int] | None,
) -> QuerySet[Event]:
    """The organization's history, newest first, from `since` on, from just
    after (time, event id)."""
    events = contract_selectors.event_list(organization=organization)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if after is not None:
        created_at, pk = after
        events = events.filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    return events
