"""Schemathesis against a served console: the demo data, a Tenant Admin's API key, the console
under gunicorn on 127.0.0.1, and `st run` with every check on every operation of
/v1/openapi.json. The document must say what the server does, and the server must never fail."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
DEMO_UIDS = (
    "from settings_app.models import EdgeHost, Gateway; "
    "print(Gateway.objects.get(name='pcg-vsphere').uid, "
    "EdgeHost.objects.get(name='edge-host-02').uid)"
)
RUN_SECONDS = 40  # fuzzing repeats until the time is spent; the whole test takes about a minute


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*args: str, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def served_console(tmp_path):
    """The console with the demo data on a fresh SQLite file, served by gunicorn; yields its
    origin and an API key of tenant-admin in Acme."""
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'console.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_API_RATE_LIMIT": "0",  # the fuzzer sends as fast as it can; the limit has tests
    }
    manage("migrate", "-v0", env=env)
    manage("seed_demo", env=env)
    key = manage("create_api_key", "tenant-admin", "--tenant", "Acme", env=env).splitlines()[-1]
    # The demo's gateway and Edge host in no cluster, for schemathesis.toml: their operations
    # are fuzzed on real objects, not only on a missing one's 404.
    uids = manage("shell", "-c", DEMO_UIDS, env=env).split()
    port = free_port()
    server = subprocess.Popen(
        # No limit on the request line: gunicorn's own 414 (an HTML page, for a query string
        # past 4094 bytes) is the server's, in front of the console; the console's answers are
        # what is checked here.
        [
            BIN / "gunicorn",
            "console.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--limit-request-line",
            "0",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{origin}/v1/openapi.json", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "gunicorn.log").read_text(), pytrace=False)
                time.sleep(0.2)
        yield origin, key, {"DEMO_GATEWAY_UID": uids[0], "DEMO_EDGE_HOST_UID": uids[1]}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_served_api_passes_every_schemathesis_check(served_console, tmp_path):
    origin, key, uids = served_console

    done = subprocess.run(
        [
            BIN / "st",
            "--config-file",
            CONFIG,
            "run",
            f"{origin}/v1/openapi.json",
            "--header",
            f"ApiKey: {key}",
            "--checks",
            "all",
            "--max-examples",
            "25",
            "--max-time",
            str(RUN_SECONDS),
            # One worker: with two, Hypothesis parses lambdas' source in both threads at once,
            # which CPython 3.11's parser does not survive ("AST constructor recursion depth
            # mismatch"), and the run ends in schemathesis' Runtime Errors.
            "--workers",
            "1",
            "--no-color",
        ],
        cwd=tmp_path,  # its cache (.schemathesis/) stays out of the checkout
        env=os.environ | uids,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS + 60,
    )

    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
