"""Login throttling (issue 9, point 6): failures are limited per account
across client addresses and per client address across accounts, every path
that authenticates is counted, and the owner always gets in through a
password reset link, which starts the count again."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.http import client_address
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a new long secret 42"


def _log_in(client, email, password, *, address="127.0.0.1", **headers):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def _reset_link(client, email, capture) -> str:
    with capture(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": email})
    body = mail.outbox[-1].body
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line)
    return link[link.index("/accounts/reset/") :]


def test_failures_from_many_addresses_are_counted_against_the_account():
    UserFactory(email="ann@example.test")
    for number in range(10):
        _log_in(Client(), "ann@example.test", "wrong", address=f"10.0.0.{number}")
    response = _log_in(Client(), "ann@example.test", PASSWORD, address="10.0.1.1")
    assert response.status_code == 200
    assert "Too many failed attempts with this email address" in response.text
    assert "_auth_user_id" not in response.wsgi_request.session


def test_failures_from_one_address_are_limited_across_accounts(settings):
    settings.LOGIN_RATE_PER_CLIENT = "5/15m"
    victim = UserFactory(email="victim@example.test")
    for number in range(5):
        _log_in(Client(), f"guess{number}@example.test", "wrong")
    response = _log_in(Client(), victim.email, PASSWORD)
    assert "Too many failed attempts from your network" in response.text
    # Another client is not held back, nor is the account.
    response = _log_in(Client(), victim.email, PASSWORD, address="10.9.9.9")
    assert response.status_code == 302


def test_logins_that_succeed_do_not_use_up_the_address_allowance(settings):
    """People behind one address (an office) log in as often as they need;
    logging in to an account of one's own earns no extra guesses."""
    settings.LOGIN_RATE_PER_CLIENT = "3/15m"
    ann = UserFactory(email="ann@example.test")
    for _ in range(10):
        assert _log_in(Client(), ann.email, PASSWORD).status_code == 302
    for number in range(3):
        response = _log_in(Client(), f"guess{number}@example.test", "wrong")
        assert "not right" in response.text
    response = _log_in(Client(), "guess9@example.test", "wrong")
    assert "Too many failed attempts from your network" in response.text


def test_the_address_is_the_connection_s_unless_a_proxy_is_trusted(settings, rf):
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    # The client may send its own X-Forwarded-For: only the entry the proxy
    # appended counts.
    request = rf.post(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    assert client_address(request) == "203.0.113.7"
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="junk")
    assert client_address(request) == "10.0.0.1"


def test_a_forged_forwarded_for_does_not_escape_the_address_limit(settings):
    settings.LOGIN_RATE_PER_CLIENT = "3/15m"
    for number in range(3):
        _log_in(
            Client(),
            f"guess{number}@example.test",
            "wrong",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )
    response = _log_in(
        Client(), "guess9@example.test", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert "Too many failed attempts from your network" in response.text


def test_behind_a_trusted_proxy_clients_are_counted_apart(settings):
    settings.LOGIN_RATE_PER_CLIENT = "3/15m"
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(3):
        _log_in(
            Client(),
            f"guess{number}@example.test",
            "wrong",
            address="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )
    ann = UserFactory(email="ann@example.test")
    response = _log_in(
        Client(),
        ann.email,
        PASSWORD,
        address="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 302


def test_the_reset_link_logs_the_walled_out_owner_in_and_starts_the_count_again(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(email="ann@example.test")
    for number in range(12):
        _log_in(Client(), user.email, "wrong", address=f"10.0.0.{number}")
    owner = Client()
    assert "Too many failed" in _log_in(owner, user.email, PASSWORD).text

    path = _reset_link(owner, user.email, django_capture_on_commit_callbacks)
    form_url = owner.get(path, follow=True).redirect_chain[-1][0]
    response = owner.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    page = owner.get(response.url)
    assert "You are logged in." in page.text
    assert owner.get(reverse("accounts:profile")).status_code == 200

    # The count starts again: the owner logs in with the password, and a
    # stranger has a full allowance of failures, no more.
    assert _log_in(Client(), user.email, NEW_PASSWORD).status_code == 302
    for number in range(10):
        response = _log_in(Client(), user.email, "wrong", address=f"10.1.0.{number}")
        assert "not right" in response.text
    response = _log_in(Client(), user.email, "wrong", address="10.2.0.1")
    assert "Too many failed attempts with this email address" in response.text


def test_a_successful_login_starts_the_account_s_count_again():
    user = UserFactory(email="ann@example.test")
    for number in range(9):
        _log_in(Client(), user.email, "wrong", address=f"10.0.0.{number}")
    assert _log_in(Client(), user.email, PASSWORD).status_code == 302
    for number in range(9):
        _log_in(Client(), user.email, "wrong", address=f"10.1.0.{number}")
    assert _log_in(Client(), user.email, PASSWORD).status_code == 302


def test_the_admin_login_is_counted_too():
    """The admin's login page authenticates through the same backend: it is
    no way around the limit."""
    staff = UserFactory(email="support@example.test", is_staff=True)
    for number in range(10):
        Client().post(
            reverse("admin:login"),
            {"username": staff.email, "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{number}",
        )
    response = Client().post(
        reverse("admin:login"), {"username": staff.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Too many failed attempts with this email address" in response.text
    assert "_auth_user_id" not in response.wsgi_request.session
    response = _log_in(Client(), staff.email, PASSWORD)
    assert "Too many failed attempts with this email address" in response.text


@pytest.mark.parametrize("password", ["wrong", PASSWORD])
def test_the_form_keeps_the_typed_address_and_never_the_password(password):
    user = UserFactory(email="ann@example.test")
    for number in range(10):
        _log_in(Client(), user.email, "wrong", address=f"10.0.0.{number}")
    response = _log_in(Client(), "Ann@Example.test", password)
    assert "Too many failed attempts" in response.text
    assert 'value="Ann@Example.test"' in response.text
    assert f'value="{password}"' not in response.text


def test_a_wrong_password_keeps_the_typed_address():
    response = _log_in(Client(), "nobody@example.test", "s3cret-typed")
    assert 'value="nobody@example.test"' in response.text
    assert "s3cret-typed" not in response.text


def test_the_throttle_message_says_how_long_to_wait():
    UserFactory(email="ann@example.test")
    for number in range(10):
        _log_in(Client(), "ann@example.test", "wrong", address=f"10.0.0.{number}")
    response = _log_in(Client(), "ann@example.test", PASSWORD)
    assert "Try again in " in response.text
    assert " minute" in response.text
