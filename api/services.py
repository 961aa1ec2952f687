"""Writes of personal API tokens."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from api.models import ApiToken, Scope
from api.tokens import token_digest, token_display, token_generate

# `last_used_at` is written at most this often per token: a script calling
# the API in a loop costs no write per request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str = Scope.READ,
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`, and its secret, which is never stored and
    cannot be shown again."""
    plaintext = token_generate()
    token = ApiToken(
        user=user,
        name=name,
        scope=scope,
        expires_at=expires_at,
        prefix=token_display(plaintext),
        digest=token_digest(plaintext),
    )
    token.full_clean()
    token.save()
    return token, plaintext


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke a token for good; revoking it again changes nothing."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def api_token_used(*, token: ApiToken) -> None:
    """Record that the token was used now, at most once a minute: one
    conditional UPDATE, which concurrent requests cannot make twice."""
    now = timezone.now()
    last = token.last_used_at
    if last is not None and now - last < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(
        last_used_at__gt=now - LAST_USED_PRECISION
    ).update(last_used_at=now)
