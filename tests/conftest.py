import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory, OrganizationFactory


def pytest_configure(config):
    """Parallel test processes (pytest-xdist's workers) share the Redis
    database that CACHE_URL names: each keeps its keys under a prefix of its
    own, which the servers it starts inherit through CACHE_URL, and clears
    only those (`tests.caches.WorkerRedisCache`)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("CACHE_URL", "")
    if worker and url.startswith(("redis://", "rediss://", "unix://")):
        prefix = f"test-{worker}"
        separator = "&" if "?" in url else "?"
        os.environ["CACHE_URL"] = f"{url}{separator}key_prefix={prefix}"
        django_settings.CACHES["default"].update(
            BACKEND="tests.caches.WorkerRedisCache", KEY_PREFIX=prefix
        )


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # A fast hasher, and static files served from the apps' folders rather
    # than from the manifest that collectstatic writes for production.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    yield
    # Rate-limit counters live in the cache: no test inherits another's.
    cache.clear()


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme")


@pytest.fixture
def admin_membership(organization):
    return MembershipFactory(organization=organization, administrator=True)


@pytest.fixture
def admin_user(admin_membership):
    return admin_membership.user


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def user_client():
    """A client logged in as the given user: `user_client(user)`."""

    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@elsewhere.example")
