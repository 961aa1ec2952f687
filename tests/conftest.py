import os

import pytest
from asgiref.local import Local
from django.conf import settings as django_settings
from django.core.cache import cache
from django.tasks import task_backends
from django.test import Client
from django_tasks_db.management.commands import db_worker

from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory, OrganizationFactory

IMMEDIATE_TASKS = "django.tasks.backends.immediate.ImmediateBackend"
DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


def pytest_configure(config):
    """Tasks run as they are enqueued (Django's ImmediateBackend), here and
    in the servers tests start, so that a test reads `mail.outbox` right
    after a request; tests of the worker ask for the database queue
    (`db_tasks`).

    Parallel test processes (pytest-xdist's workers) share the Redis
    database that CACHE_URL names: each keeps its keys under a prefix of its
    own, which the servers it starts inherit through CACHE_URL, and clears
    only those (`tests.caches.WorkerRedisCache`)."""
    os.environ["DJANGO_TASKS_BACKEND"] = IMMEDIATE_TASKS
    django_settings.TASKS = {"default": {"BACKEND": IMMEDIATE_TASKS}}
    # An app's ready() may have built the backend already, from the settings
    # (a module with a task imported while Django set up).
    _task_backends_reset()
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


def _task_backends_reset():
    # django.tasks keeps its backends once built and, unlike the caches,
    # does not listen to setting_changed.
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


class DatabaseTasks:
    """The database queue of `db_tasks`: `run()` works it as `manage.py
    db_worker --batch` does, until no task is due (at the current time,
    which time_machine may move), and returns how many tasks it ran."""

    def run(self) -> int:
        worker = db_worker.Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="tests",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks


@pytest.fixture
def db_tasks(settings, monkeypatch):
    """Tasks go to the real queue (django-tasks-db's DatabaseBackend, tables
    in the test database) instead of running at once; `db_tasks.run()` runs
    those that are due, as a worker would. What is queued after commit
    (every email) is queued when the test's transaction "commits": wrap the
    request in `django_capture_on_commit_callbacks(execute=True)`.

        def test_x(db_tasks, mailoutbox, django_capture_on_commit_callbacks):
            with django_capture_on_commit_callbacks(execute=True):
                client.post(...)  # queues an email
            assert mailoutbox == []
            assert db_tasks.run() == 1
            assert len(mailoutbox) == 1

    The worker's own checks of the connection would close it inside the
    test's transaction: they are switched off here."""
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS}}
    _task_backends_reset()
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    yield DatabaseTasks()
    _task_backends_reset()


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
