"""Personal API tokens: scopes, expiry, revocation, the rate limit, the
account page (the token shown once, hashed at rest) and the command."""

import datetime
import hashlib
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from api.models import ApiToken, Scope
from api.services import api_token_revoke
from contracts.models import Seat
from tests.api.conftest import api_client, token_for

pytestmark = pytest.mark.django_db


def organizations_url() -> str:
    return "/api/v1/organizations"


def plan_url(seeded, member) -> str:
    return f"/api/v1/organizations/{seeded.organization.pk}/members/{member.pk}/plan"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer seats_wrong",
        "Bearer not-even-the-prefix",
        "Basic dXNlcjpwYXNz",
        "Bearer seats_" + "x" * 500,
    ],
)
def test_no_or_a_wrong_token_is_401(seeded, header):
    client = Client(headers={"Authorization": header} if header else {})
    response = client.get(organizations_url())
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_a_session_is_not_a_token(seeded):
    """Logged in on the site is not enough: the API wants a token (and so
    has no CSRF to defend)."""
    client = Client()
    client.force_login(seeded.admin.user)
    assert client.get(organizations_url()).status_code == 401


def test_an_expired_token_is_401(seeded):
    plaintext = token_for(
        seeded.admin.user, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    client = api_client(plaintext)
    assert client.get(organizations_url()).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        assert client.get(organizations_url()).status_code == 401


def test_a_revoked_token_is_401(seeded):
    plaintext = token_for(seeded.admin.user)
    client = api_client(plaintext)
    assert client.get(organizations_url()).status_code == 200
    api_token_revoke(token=ApiToken.objects.get(user=seeded.admin.user))
    assert client.get(organizations_url()).status_code == 401


def test_a_deactivated_account_token_is_401(seeded):
    client = api_client(token_for(seeded.admin.user))
    seeded.admin.user.is_active = False
    seeded.admin.user.save()
    assert client.get(organizations_url()).status_code == 401


def test_a_read_token_reads_but_cannot_put(seeded):
    client = api_client(token_for(seeded.admin.user, Scope.READ))
    member = seeded.members[4]
    assert client.get(plan_url(seeded, member)).status_code == 200
    response = client.put(
        plan_url(seeded, member), {"plan": "starter"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert not Seat.objects.filter(user=member.user).exists()


def test_last_use_is_written_at_most_once_a_minute(seeded):
    client = api_client(token_for(seeded.admin.user, Scope.READ))
    token = ApiToken.objects.get(user=seeded.admin.user)
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(organizations_url())
        token.refresh_from_db()
        first = token.last_used_at
        assert first == start
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        client.get(organizations_url())
        token.refresh_from_db()
        assert token.last_used_at == first
    later = start + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        client.get(organizations_url())
        token.refresh_from_db()
        assert token.last_used_at == later


def test_the_rate_limit_answers_429_with_retry_after(seeded, settings):
    settings.API_RATE_PER_TOKEN = "3/m"
    client = api_client(token_for(seeded.admin.user, Scope.READ))
    for _ in range(3):
        assert client.get(organizations_url()).status_code == 200
    response = client.get(organizations_url())
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Per token: another token of the same person has its own count.
    other = api_client(token_for(seeded.admin.user, Scope.READ))
    assert other.get(organizations_url()).status_code == 200


def test_wrong_tokens_are_limited_per_client_but_valid_ones_are_not(seeded, settings):
    settings.API_FAILURES_PER_CLIENT = "3/m"
    wrong = api_client("seats_" + "w" * 43)
    for _ in range(3):
        assert wrong.get(organizations_url()).status_code == 401
    refused = wrong.get(organizations_url())
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    # The same address with a valid token is not held back.
    valid = api_client(token_for(seeded.admin.user, Scope.READ))
    assert valid.get(organizations_url()).status_code == 200


def test_the_token_page_shows_a_new_token_once_and_stores_its_digest(seeded):
    client = Client()
    client.force_login(seeded.admin.user)
    page = reverse("api-tokens:token-list")
    empty = client.get(page)
    assert empty.status_code == 200
    # The account menu links to the page, marked as the current one.
    assert f'<a href="{page}" aria-current="page">API tokens</a>' in empty.text
    response = client.post(
        page, {"name": "Reporting script", "scope": "write", "expiry": "30"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=seeded.admin.user)
    plaintext = response.context["plaintext"]
    assert plaintext in response.text
    assert 'data-copy-target="token-plain"' in response.text
    # Hashed at rest: only the digest and a short prefix are stored.
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {token.digest, token.prefix, token.name}
    assert plaintext.startswith(token.prefix)
    assert token.scope == Scope.WRITE
    assert (
        token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    )
    # Shown once: the list afterwards shows its prefix, not the secret.
    again = client.get(page)
    assert plaintext not in again.text
    assert token.prefix in again.text
    # And the token works.
    assert api_client(plaintext).get(organizations_url()).status_code == 200


def test_the_token_page_refuses_a_form_without_a_name(seeded):
    client = Client()
    client.force_login(seeded.admin.user)
    response = client.post(
        reverse("api-tokens:token-list"), {"name": "", "scope": "read", "expiry": "30"}
    )
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_revoking_from_the_page_asks_first_then_revokes(seeded):
    plaintext = token_for(seeded.admin.user)
    token = ApiToken.objects.get(user=seeded.admin.user)
    client = Client()
    client.force_login(seeded.admin.user)
    revoke = reverse("api-tokens:token-revoke", args=[token.pk])
    confirm = client.get(revoke)
    assert confirm.status_code == 200
    assert "Revoke the token" in confirm.text
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(revoke)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_client(plaintext).get(organizations_url()).status_code == 401


def test_nobody_revokes_another_persons_token(seeded):
    token_for(seeded.admin.user)
    token = ApiToken.objects.get(user=seeded.admin.user)
    client = Client()
    client.force_login(seeded.other_admin.user)
    revoke = reverse("api-tokens:token-revoke", args=[token.pk])
    assert client.get(revoke).status_code == 404
    assert client.post(revoke).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_prints_a_working_token(seeded):
    out = io.StringIO()
    call_command(
        "api_token",
        "--user",
        seeded.admin.user.email.upper(),
        "--scope",
        "write",
        "--expires-days",
        "7",
        "--name",
        "CI",
        stdout=out,
    )
    plaintext = out.getvalue().strip()
    token = ApiToken.objects.get(user=seeded.admin.user)
    assert token.name == "CI"
    assert token.scope == Scope.WRITE
    assert (
        token.expires_at.date() == (timezone.now() + datetime.timedelta(days=7)).date()
    )
    assert api_client(plaintext).get(organizations_url()).status_code == 200


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("api_token", "--user", "nobody@example.test")


def test_support_revokes_a_token_in_the_admin_and_changes_nothing_else(seeded):
    """The admin's one change to a token is its revocation, through the
    service: a token cannot be handed to another person or given `write`."""
    plaintext = token_for(seeded.admin.user, Scope.READ)
    token = ApiToken.objects.get(user=seeded.admin.user)
    support = Client()
    support.force_login(
        User.objects.create_superuser(email="support@example.test", password="x")
    )
    change_url = reverse("admin:api_apitoken_change", args=[token.pk])
    support.post(
        change_url,
        {"name": "moved", "user": seeded.collaborator.user.pk, "scope": Scope.WRITE},
    )
    token.refresh_from_db()
    assert (token.user, token.scope) == (seeded.admin.user, Scope.READ)
    assert api_client(plaintext).get(organizations_url()).status_code == 200
    support.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert api_client(plaintext).get(organizations_url()).status_code == 401
