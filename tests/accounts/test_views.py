import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_email_in_any_case(client):
    UserFactory(email="ann@example.test")
    response = client.post(
        reverse("accounts:login"),
        {"username": "ANN@example.test", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_wrong_password_shows_an_error_and_logs_nobody_in(client):
    UserFactory(email="ann@example.test")
    response = client.post(
        reverse("accounts:login"),
        {"username": "ann@example.test", "password": "wrong"},
    )
    assert response.status_code == 200
    assert "The email address or the password is not right." in response.text
    assert "_auth_user_id" not in client.session


def test_login_is_refused_after_ten_failures_even_with_the_right_password(
    client,
):
    UserFactory(email="ann@example.test")
    url = reverse("accounts:login")
    for _ in range(10):
        client.post(url, {"username": "ann@example.test", "password": "wrong"})
    response = client.post(url, {"username": "ann@example.test", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.filterwarnings("error::django.core.cache.CacheKeyWarning")
def test_failed_logins_with_a_long_address_are_counted_under_a_safe_cache_key(
    client,
):
    """The counter's cache key is one memcached accepts (at most 250
    characters, no spaces), whatever address was typed."""
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 53 + ".example"
    assert len(email) == 254
    for _ in range(10):
        client.post(reverse("accounts:login"), {"username": email, "password": "x"})
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": "x"}
    )
    assert "Too many failed attempts" in response.text


def test_pages_need_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_profile_saves_the_name(client):
    user = UserFactory(full_name="Old")
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"full_name": "New Name"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "New Name"


def test_profile_shows_field_errors(client):
    user = UserFactory(full_name="Old")
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"full_name": "x" * 151})
    assert response.status_code == 200
    assert "errorlist" in response.text
    user.refresh_from_db()
    assert user.full_name == "Old"


def test_password_reset_sends_a_link_that_sets_the_password(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ann@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": "ann@example.test"})
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line
    )
    path = link[link.index("/accounts/reset/") :]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {
            "new_password1": "a new long secret 42",
            "new_password2": "a new long secret 42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a new long secret 42")


class TestSideMenu:
    def test_htmx_toggle_answers_with_an_event_and_remembers(self, client):
        client.force_login(UserFactory())
        response = client.post(
            reverse("accounts:side-menu"), headers={"HX-Request": "true"}
        )
        assert response.status_code == 204
        assert (
            response.headers["HX-Trigger"]
            == '{"side-menu-toggled": {"collapsed": true}}'
        )
        page = client.get(reverse("accounts:profile"))
        assert 'data-collapsed="true"' in page.text
        assert 'aria-expanded="false"' in page.text

    def test_plain_post_toggles_and_returns_to_the_page(self, client):
        client.force_login(UserFactory())
        url = reverse("accounts:side-menu")
        response = client.post(url, {"next": "/account/"})
        assert response.url == "/account/"
        client.post(url, {"next": "/account/"})
        page = client.get(reverse("accounts:profile"))
        assert 'data-collapsed="false"' in page.text

    def test_refuses_to_redirect_elsewhere(self, client):
        client.force_login(UserFactory())
        response = client.post(
            reverse("accounts:side-menu"), {"next": "https://evil.example/"}
        )
        assert response.url == reverse("home")

    @pytest.mark.parametrize("next_url", ["home", "a b", "a\x00b"])
    def test_a_next_like_a_view_name_is_followed_as_a_relative_path(
        self, client, next_url
    ):
        """A relative "next" is a path, never a view name to reverse."""
        client.force_login(UserFactory())
        response = client.post(reverse("accounts:side-menu"), {"next": next_url})
        assert response.status_code == 302
