import pytest
from django.core.cache import cache
from django.test import Client

from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory, OrganizationFactory


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
