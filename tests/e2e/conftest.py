"""Browser tests: Playwright drives Debian's Chromium against live_server.

They skip, saying why, where Chromium is absent; CI installs it.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from tests.conftest import DATABASE_TASKS

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    # Browser tests run last: once Playwright has started, its event loop
    # stays set on the main thread, where Django then refuses database work
    # (the flush after a transactional test, for one).
    items.sort(key=_is_browser_test)
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    )
    for item in items:
        if _is_browser_test(item):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _database_before_browser(django_db_setup, live_server):
    """Set up the test database and the live server before Playwright starts
    its event loop, in which Django would refuse to do either. Returns what
    the database held after the migrations, per alias, for
    `_serialized_contents_after_browser`."""
    return {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_after_browser(_database_before_browser, browser):
    """Once Playwright has started, the tests run in another context, where
    Django's connections (kept in a contextvar by asgiref's Local) are new
    objects without the database contents serialized at setup. Without them
    `serialized_rollback` restores nothing, and the catalogue the migrations
    seeded is gone after the first browser test's flush."""
    for alias, contents in _database_before_browser.items():
        connections[alias]._test_serialized_contents = contents


def _is_browser_test(item):
    return E2E_DIR in Path(item.fspath).parents


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # Playwright's sync API runs an event loop in the test's thread, which
    # makes Django refuse ORM calls there (the test's own, and the database
    # flush after it) unless told it is safe. Only these tests are told; the
    # hook sees every test of the session.
    if not _is_browser_test(item):
        return (yield)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        return (yield)


class BrowserProblems(list):
    """Console errors, page errors and CSP violations seen by the pages."""


# Chromium also logs a CSP violation as a console error, but only as text;
# the `securitypolicyviolation` event names the directive and what was
# blocked, and it is reported through a binding, which survives navigations
# (a list kept in `window` would not).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
}, true);
"""


@pytest.fixture
def browser_problems():
    """What the pages of a test did wrong; `open_page` fails the test on
    any."""
    return BrowserProblems()


@pytest.fixture
def open_page(live_server, browser, browser_problems):
    """Open a page in a language: `open_page("fr")`. After the test, no page
    may have logged a console error or a page error, nor met a CSP
    violation."""
    contexts = []
    problems = browser_problems

    def open_in(language="en"):
        context = browser.new_context(
            base_url=live_server.url,
            locale={"en": "en-US", "fr": "fr-FR"}[language],
            extra_http_headers={"Accept-Language": language},
        )
        contexts.append(context)
        context.expose_binding(
            "__cspViolation",
            lambda source, text: problems.append(
                f"CSP violation on {source['page'].url}: {text}"
            ),
        )
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and problems.append(f"console on {page.url}: {message.text}")
            ),
        )
        page.on(
            "pageerror",
            lambda error: problems.append(f"page error on {page.url}: {error}"),
        )
        page.set_default_timeout(10_000)
        return page

    yield open_in
    for context in contexts:
        context.close()
    assert list(problems) == []


def log_in(page, email, password, language="en"):
    """Log in through the login page, as a person would."""
    page.goto("/accounts/login/")
    labels = {
        "en": ("Email address", "Password", "Log in"),
        "fr": ("Adresse e-mail", "Mot de passe", "Se connecter"),
    }[language]
    page.get_by_label(labels[0]).fill(email)
    page.get_by_label(labels[1]).fill(password)
    page.locator("main").get_by_role("button", name=labels[2]).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def live_worker(db_tasks, live_server, tmp_path):
    """`manage.py db_worker` in a process of its own, on the test database
    that the live server uses, with the database queue; yields the file its
    output goes to."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    output = tmp_path / "worker.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval=0.2",
            ],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_TASKS_BACKEND": DATABASE_TASKS,
                "EMAIL_URL": "consolemail://",
                "PYTHONUNBUFFERED": "1",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield output
    process.terminate()
    process.wait(timeout=10)


def wait_for(condition, seconds=90):
    """Poll: a worker process starting on a busy machine takes a while."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
