"""A real server and real browsers for the proof tests.

`gunicorn_serve` starts the production server (gunicorn's sync worker
processes, as the README runs it) on a free loopback port against the test
database; `Visitor` is one person's browser: its own cookie jar, the CSRF
token sent back on every post, redirects reported rather than followed.
Only the standard library speaks HTTP here (no dependency is added).
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookiejar import Cookie, CookieJar
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection

from tests.accounts.factories import PASSWORD

STARTUP_SECONDS = 30
REQUEST_SECONDS = 30


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    workers: int

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's log, for assertion messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _database_url() -> str:
    """The test database (not the one DATABASE_URL names: pytest-django
    created `test_<name>` and pointed the connection at it)."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}{host}:{port}/{db['NAME']}"


@contextmanager
def gunicorn_serve(*, workers: int, log: Path) -> Iterator[Server]:
    """Serve the project with `gunicorn config.wsgi --workers N` (sync
    workers, one database connection each, kept between requests for
    CONN_MAX_AGE as in production) until the block ends; then stop it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.proof.settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 (a fixed command line)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                "127.0.0.1:0",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--preload",
                "--no-control-socket",
                "--graceful-timeout",
                "1",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = _wait_until_listening(server, log, workers)
        yield Server(url=url, log=log, workers=workers)
    finally:
        _stop(server)


def _wait_until_listening(server: subprocess.Popen, log: Path, workers: int) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text(errors='replace')}")
        text = log.read_text(errors="replace")
        listening = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
        if listening and text.count("Booting worker") >= workers:
            url = listening.group(1)
            if Visitor(url).get("/accounts/login/").status == 200:
                return url
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')}")


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM: the workers finish and close their connections (the tests
    are done, so none has a request left; a graceful timeout of one second
    keeps the master from waiting longer). The process group, this
    server's own, is killed if that takes too long."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)


@dataclass(frozen=True)
class Reply:
    status: int
    text: str
    location: str = ""


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects come back as replies (302 and its Location), not followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        fields = dict(attrs)
        if tag == "input" and fields.get("name"):
            self.values.setdefault(fields["name"], fields.get("value") or "")


def form_inputs(html: str) -> dict[str, str]:
    """The names and values of a page's <input> elements (the first of each
    name): hidden tokens, mostly."""
    parser = _Inputs()
    parser.feed(html)
    return parser.values


class Visitor:
    """One person's browser: own cookies (session, CSRF), English pages.

    Any HTTP status comes back as a `Reply`; a connection that fails raises
    (URLError, ConnectionError), which the tests count as a failed request.
    """

    def __init__(self, base_url: str):
        assert base_url.startswith("http://127.0.0.1:"), base_url
        self.base_url = base_url
        self.cookies = CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _KeepRedirects()
        )

    def at(self, base_url: str) -> "Visitor":
        """The same browser on another server of the same host (another
        port): one cookie jar, since cookies belong to a host, not to a
        port, as behind a load balancer that sends each request anywhere."""
        other = Visitor(base_url)
        other.cookies = self.cookies
        other._opener = self._opener
        return other

    def get(self, path: str, *, htmx: bool = False) -> Reply:
        request = urllib.request.Request(self.base_url + path)  # noqa: S310 (loopback)
        return self._send(request, htmx=htmx)

    def post(self, path: str, data: dict[str, object], *, htmx: bool = False) -> Reply:
        data = {"csrfmiddlewaretoken": self.cookie("csrftoken"), **data}
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310 (loopback)
        return self._send(request, htmx=htmx)

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        """Through the login form, as a person would."""
        page = self.get("/accounts/login/")
        assert page.status == 200, page.status
        token = form_inputs(page.text)["csrfmiddlewaretoken"]
        reply = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
        )
        assert reply.status == 302, (email, reply.status)
        assert self.cookie("sessionid"), email

    def log_in_earlier(self, user) -> None:
        """As if the person had logged in before: a session made on the
        server's side (the database's session store, as a login makes it),
        its cookie in this browser. Quicker than the form for a crowd."""
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        host = urllib.parse.urlsplit(self.base_url).hostname
        self.cookies.set_cookie(
            Cookie(
                version=0,
                name=settings.SESSION_COOKIE_NAME,
                value=session.session_key,
                port=None,
                port_specified=False,
                domain=host,
                domain_specified=False,
                domain_initial_dot=False,
                path="/",
                path_specified=True,
                secure=False,
                expires=None,
                discard=True,
                comment=None,
                comment_url=None,
                rest={"HttpOnly": None},
            )
        )

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.cookies if c.name == name), "")

    def _send(self, request: urllib.request.Request, *, htmx: bool) -> Reply:
        request.add_header("Accept-Language", "en")
        if htmx:
            request.add_header("HX-Request", "true")
        try:
            with self._opener.open(request, timeout=REQUEST_SECONDS) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Reply(
                    error.code,
                    error.read().decode(errors="replace"),
                    error.headers.get("Location", ""),
                )
