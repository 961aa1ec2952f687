"""Throughput and memory under gunicorn: 2 sync workers on a free loopback
port, a small load generator in threads (one connection per request, as
gunicorn's sync workers close them), the workers' peak memory read from
/proc."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.test import Client
from django.urls import reverse

from accounts.models import User
from organizations.models import Organization
from surveys.models import Distribution
from tests.benchmarks import seed

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
CONNECTIONS = 4
WARM_UP_SECONDS = 2.0
ROUND_SECONDS = 6.0
ROUNDS = 2


def measure(
    url: str,
    organizations: dict[int, Organization],
    *,
    progress: Callable[[str], None],
) -> tuple[dict, dict]:
    size = max(size for size in organizations if size <= 100_000)
    organization = organizations[size]
    admin = Client()
    admin.force_login(User.objects.get(email=seed.admin_email(size)))
    session = admin.cookies["sessionid"].value
    token = (
        Distribution.objects.filter(survey__organization=organization, channel="link")
        .order_by("survey_id")
        .values_list("token", flat=True)
        .first()
    )
    bare = reverse("bench-bare")
    survey = reverse("surveys:respond-link", kwargs={"token": token})
    export = reverse(
        "contracts:member-export", kwargs={"organization_id": organization.pk}
    )
    # The same view on a few members (a search), to warm the workers up.
    small_export = f"{export}?q={seed.SEARCH}"
    with _Gunicorn(url) as server:
        progress(f"  gunicorn on 127.0.0.1:{server.port}, workers {server.workers()}")
        # Each kind of request is served a few times over before anything is
        # read, so that the workers' imports and first-use caches are not
        # counted as growth.
        for _ in range(4 * WORKERS):
            for path in (bare, survey):
                server.get(path)
            server.get(small_export, session=session)
        growth = _export_growth(server, export, session, size)
        progress(f"  CSV export of {size:,} members: peak grows by {growth:.1f} MB")
        rates = {bare: 0.0, survey: 0.0}
        for path in rates:
            _load(server.port, path, WARM_UP_SECONDS)
        for _ in range(ROUNDS):
            for path in rates:
                rates[path] += _load(server.port, path, ROUND_SECONDS) / ROUNDS
        peak = max(_status_mb(pid, "VmHWM") for pid in server.workers())
        progress(
            f"  bare {rates[bare]:.0f} req/s, survey GET {rates[survey]:.0f} req/s, "
            f"worker peak {peak:.1f} MB"
        )
    throughput = {
        "bare_rps": round(rates[bare], 1),
        "survey_get_rps": round(rates[survey], 1),
        "ratio": round(rates[survey] / rates[bare], 3),
    }
    memory = {
        "worker_peak_mb": round(peak, 1),
        "csv_export_growth_mb": round(growth, 1),
    }
    return throughput, memory


def _export_growth(server: "_Gunicorn", path: str, session: str, size: int) -> float:
    """How much a worker's peak resident memory grows while it streams the
    export: the peaks are reset (clear_refs), the export downloaded in full,
    and the largest growth of a worker's peak over its memory before is
    the answer."""
    workers = server.workers()
    before = {}
    for pid in workers:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        before[pid] = _status_mb(pid, "VmRSS")
    body = server.get(path, session=session)
    lines = body.count(b"\n")
    if lines != size + 1:
        raise RuntimeError(f"The export has {lines} lines, not {size + 1}.")
    return max(_status_mb(pid, "VmHWM") - before[pid] for pid in workers)


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"No {key} for process {pid}.")


def _load(port: int, path: str, seconds: float) -> float:
    """Requests per second over `seconds`, from CONNECTIONS threads that
    each send one request per connection and read the whole answer."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    ).encode()
    deadline = time.perf_counter() + seconds
    done = [0] * CONNECTIONS
    failures = []

    def client(index: int) -> None:
        while time.perf_counter() < deadline:
            status = _exchange(port, request)[:12]
            if not status.startswith(b"HTTP/1.1 200"):
                failures.append(status)
                return
            done[index] += 1

    started = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(index,)) for index in range(CONNECTIONS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{path} answered {failures[0]!r} under load.")
    return sum(done) / elapsed


def _exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


class _Gunicorn:
    """gunicorn serving the benchmark's settings, stopped on exit."""

    def __init__(self, url: str):
        self.url = url
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "_Gunicorn":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
            "DATABASE_URL": self.url,
            "DEBUG": "false",
        }
        self.process = subprocess.Popen(  # noqa: S603 (this Python, fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while len(self.workers()) < WORKERS or not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start.")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def workers(self) -> list[int]:
        """The worker processes: the master's children."""
        if self.process is None:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent id is the second field after the command's ")".
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                children.append(int(entry.name))
        return sorted(children)

    def get(self, path: str, session: str = "") -> bytes:
        """The body of a GET that must answer 200 (chunked or not)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            headers = {"Cookie": f"sessionid={session}"} if session else {}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}.")
        return body

    def _answers(self) -> bool:
        try:
            self.get(reverse("bench-bare"))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
