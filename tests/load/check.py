"""The load check: the console under gunicorn with production settings, and N admins at once.

    python -m tests.load.check --clients 8 --seconds 20
    .ci/with-postgres .venv/bin/python -m tests.load.check --clients 8   # on PostgreSQL

It makes a throwaway database (a temporary SQLite file, or with DATABASE_URL=postgres://… a new
database on that server, dropped at the end: never the one DATABASE_URL names), migrates it, loads
the demo and one Project Admin of Acme / Default per client, collects the static files, and starts
gunicorn on a free port of 127.0.0.1 with DEBUG off. Each client then logs in through the login
form, opens the Cluster Settings of one of Default's three clusters, and until the time is up (or
it has sent --max-changes) clicks the switch as the page does: an htmx POST of the value it wants
and the version the page shows, reading the current state back from the answer. Several clients
share each cluster, so some clicks find the page stale (409) or the value already set.

It prints the requests, the answers by status, the latency of the switch changes (p50, p99), and
whether the audit records and the version increments equal the changes that were answered as
made. It exits non-zero when any answer is not 200 or 409, a request fails, or they differ.

Not part of the test run: pytest collects test_*.py only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
CLUSTERS = ["prod-east", "prod-west", "staging"]
HTTP_TIMEOUT_S = 30
START_TIMEOUT_S = 30


# The database, the settings and the server.


@contextmanager
def throwaway_database(workdir: Path) -> Iterator[tuple[str, str]]:
    """A fresh database and its kind: a SQLite file, or a new database next to DATABASE_URL's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{workdir / 'load.sqlite3'}", "SQLite"
        return
    import psycopg

    name = f"console_load_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}")), "PostgreSQL"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_environment(database_url: str, static_root: Path) -> dict[str, str]:
    """The environment of a production deployment (README, Production), on 127.0.0.1 over plain
    HTTP: the one difference is DJANGO_SSL_REDIRECT=0, as there is no TLS in front of it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_SSL_REDIRECT="0",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args[:2])} failed:\n{result.stderr}")
    return result.stdout


PREPARE = """
import json
from django.contrib.auth.models import Group, User
from django.urls import reverse
from settings_app.models import Cluster
from settings_app.permissions.scopes import ScopeRef
group = Group.objects.get(name="Acme / Default · Project Admin")
for n in range({clients}):
    user = User.objects.create_user(f"load-{{n}}", password={password!r})
    user.groups.add(group)
clusters = Cluster.objects.filter(project__tenant__name="Acme", project__name="Default")
print(json.dumps({{
    c.name: reverse("cluster_settings", args=[ScopeRef("projects", c.project_id), c.pk])
    for c in clusters
}}))
"""

AUDIT = """
import json
from settings_app.models import AuditEvent, Cluster
clusters = Cluster.objects.filter(project__tenant__name="Acme", project__name="Default")
print(json.dumps({
    "audit_records": AuditEvent.objects.filter(cluster__in=clusters).count(),
    "versions": sum(clusters.values_list("agent_upgrades_version", flat=True)),
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, threads: int, log: Path):
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "console.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--timeout=60",
    ]
    with open(log, "w") as log_file:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file, start_new_session=True
        )
    try:
        wait_until_serving(port, server, log)
        yield " ".join(command[2:])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_serving(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer within {START_TIMEOUT_S} s:\n{log.read_text()}")


# One admin in a browser, without the browser.


@dataclass
class Admin:
    port: int
    username: str
    password: str
    settings_path: str  # the Cluster Settings page of the cluster this admin works on
    cookies: dict[str, str] = field(default_factory=dict)
    connection: http.client.HTTPConnection | None = None
    change_path: str = ""
    csrf_token: str = ""
    checked: bool = False
    version: int = 0
    answers: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = urlencode(form) if form is not None else None
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "Origin": f"http://127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a kept-alive connection the server has closed: open a new one
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=HTTP_TIMEOUT_S
                )
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def visit(self, path: str) -> str:
        """GET a page as a browser does, following redirects."""
        for _ in range(5):
            status, headers, page = self.request("GET", path)
            if status not in (301, 302):
                assert status == 200, f"{path}: {status}"
                return page
            path = urlsplit(headers["location"]).path
        raise AssertionError(f"{path}: too many redirects")

    def log_in(self) -> None:
        """The login form, then the console's landing page, then the Cluster Settings."""
        page = self.visit(f"/login/?next={self.settings_path}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = {"csrfmiddlewaretoken": token, "next": self.settings_path}
        form |= {"username": self.username, "password": self.password}
        status, headers, _ = self.request("POST", "/login/", form)
        assert status == 302, f"{self.username} could not log in: {status}"
        page = self.visit(urlsplit(headers["location"]).path)
        assert 'role="switch"' in page, "no switch on the Cluster Settings page"
        self.csrf_token = json.loads(unescape(re.search(r"hx-headers='([^']+)'", page)[1]))[
            "X-CSRFToken"
        ]
        self.change_path = re.search(r'<form class="switch-form"[^>]*action="([^"]+)"', page)[1]
        self.read_switch(page)

    def read_switch(self, panel: str) -> None:
        button = re.search(r'<button[^>]*role="switch"[^>]*>', panel)[0]
        self.checked = 'aria-checked="true"' in button
        self.version = int(re.search(r'name="version" value="(\d+)"', panel)[1])

    def click(self) -> None:
        wanted = "unlock" if self.checked else "lock"
        started = time.perf_counter()
        status, _, panel = self.request(
            "POST",
            self.change_path,
            {"value": wanted, "version": str(self.version)},
            {
                "HX-Request": "true",
                "HX-Current-URL": f"http://127.0.0.1:{self.port}{self.settings_path}",
                "X-CSRFToken": self.csrf_token,
            },
        )
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.answers[status] += 1
        if status == 200 and "nothing changed" in panel:
            self.answers["already so"] += 1
        elif status == 200:
            self.answers["changed"] += 1
        if status in (200, 409):
            self.read_switch(panel)
        else:
            self.errors.append(f"{status}: {panel[:200]}")

    def work(self, deadline: float, max_changes: int) -> None:
        try:
            while time.monotonic() < deadline and len(self.latencies_ms) < max_changes:
                self.click()
        finally:
            if self.connection is not None:
                self.connection.close()


def percentile(values: list[float], fraction: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def run_clients(admins: list[Admin], method: str, *args, allowed_s: float) -> float:
    """Run `method` of every admin at once, each in a thread; the time it took."""

    def run(admin: Admin) -> None:
        try:
            getattr(admin, method)(*args)
        except Exception as error:  # reported with the figures, never swallowed
            admin.errors.append(f"{method}: {type(error).__name__}: {error}")

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(admin,), daemon=True) for admin in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, started + allowed_s - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        sys.exit(f"clients still running {method} after {allowed_s:.0f} s")
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent admins (default 8)")
    parser.add_argument("--seconds", type=float, default=20, help="how long they click (20)")
    parser.add_argument(
        "--max-changes", type=int, default=5000, help="switch clicks per client at most (5000)"
    )
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (2)")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="console-load-"))
    password = secrets.token_urlsafe(16)
    try:
        with throwaway_database(workdir) as (database_url, kind):
            env = production_environment(database_url, workdir / "static")
            manage(env, "migrate", "--no-input")
            manage(env, "collectstatic", "--no-input")
            manage(env, "seed_demo", "--password", secrets.token_urlsafe(16))
            prepare = PREPARE.format(clients=options.clients, password=password)
            settings_paths = json.loads(manage(env, "shell", "-v", "0", "-c", prepare))
            before = json.loads(manage(env, "shell", "-v", "0", "-c", AUDIT))
            port = free_port()
            with gunicorn(
                env, port, options.workers, options.threads, workdir / "gunicorn.log"
            ) as command:
                admins = [
                    Admin(port, f"load-{n}", password, settings_paths[CLUSTERS[n % len(CLUSTERS)]])
                    for n in range(options.clients)
                ]
                # Logging in hashes a password (deliberately slow): before the clock starts.
                login_s = run_clients(
                    admins, "log_in", allowed_s=START_TIMEOUT_S + 5 * options.clients
                )
                if failed := [f"{a.username}: {e}" for a in admins for e in a.errors]:
                    sys.exit("Logging in failed:\n" + "\n".join(failed))
                deadline = time.monotonic() + options.seconds
                took = run_clients(
                    admins,
                    "work",
                    deadline,
                    options.max_changes,
                    allowed_s=options.seconds + HTTP_TIMEOUT_S * 2,
                )
            after = json.loads(manage(env, "shell", "-v", "0", "-c", AUDIT))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    answers = sum((a.answers for a in admins), Counter())
    latencies = sorted(ms for a in admins for ms in a.latencies_ms)
    errors = [f"{a.username}: {e}" for a in admins for e in a.errors]
    audit = after["audit_records"] - before["audit_records"]
    versions = after["versions"] - before["versions"]
    statuses = ", ".join(
        f"{code}: {answers[code]}" for code in sorted(k for k in answers if isinstance(k, int))
    )
    consistent = audit == versions == answers["changed"]
    clients = f"{options.clients} client{'' if options.clients == 1 else 's'}"
    print(f"Load check on {kind}: {clients} for {options.seconds:g} s")
    print(f"  server:   {command} (DEBUG off, production settings)")
    print(
        f"  logins:   {options.clients} through the login form in {login_s:.1f} s (not counted below)"
    )
    print(
        f"  requests: {len(latencies)} switch changes in {took:.1f} s ({len(latencies) / took:.0f}/s)"
    )
    print(f"  answers:  {statuses}")
    print(
        f"            changed {answers['changed']}, already so {answers['already so']}, stale page (409) {answers[409]}"
    )
    print(
        f"  latency:  p50 {percentile(latencies, 0.50):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms"
    )
    print(
        f"  audit:    {audit} records, {versions} version increments, {answers['changed']} changes "
        f"answered as made: {'equal' if consistent else 'DIFFERENT'}"
    )
    for error in errors[:10]:
        print(f"  error:    {error}")
    return (
        0
        if consistent and not errors and set(answers) <= {200, 409, "changed", "already so"}
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
