"""Fixtures for the API's tests: keys for the demo users, a client that speaks to /v1/ as
Palette's clients do and checks every answer against the published OpenAPI document, and a
real Redis for the rate limit when the machine has one."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone

from settings_app.api import limits
from settings_app.models import ApiKey, Tenant

from .contract import check_against_contract

START = 1_900_000_000.025  # 25 ms into a slot: the steps of the tests never land on a boundary


@pytest.fixture(autouse=True)
def no_rate_limit_unless_asked(settings):
    """Most tests send many requests at once with one key, or many wrong keys; the rate limits
    have tests of their own, which turn them back on. Each test starts with a cache that has
    not failed to answer."""
    settings.API_RATE_LIMIT = 0
    settings.API_FAILURE_LIMIT = 0
    limits.health.reset()


@pytest.fixture
def key_for(demo):
    """`key_for("tenant-admin")`: a new API key of that user for Acme (or `tenant="Globex"`),
    named ci-freeze unless `name=` says otherwise; returns the key itself."""

    def make(username: str, tenant: str = "Acme", name: str = "ci-freeze", days: int = 30):
        user = User.objects.get(username=username)
        _row, key = ApiKey.issue(
            user, Tenant.objects.get(name=tenant), name, timezone.now() + timedelta(days=days)
        )
        return key

    return make


class PaletteClient:
    """Requests as palette-sdk-go sends them: `ApiKey` and, in a project, `ProjectUid`;
    `Accept: application/json`; POST bodies as JSON. Every answer is checked against the
    OpenAPI document that /v1/openapi.json publishes."""

    def __init__(self, key: str | None = None, project: str | None = None) -> None:
        self.client = Client()
        self.key, self.project = key, project

    def headers(self, **more) -> dict:
        headers = {"Accept": "application/json"}
        if self.key is not None:
            headers["ApiKey"] = self.key
        if self.project is not None:
            headers["ProjectUid"] = self.project
        return headers | more

    def get(self, path: str, **headers):
        response = self.client.get(path, headers=self.headers(**headers))
        return check_against_contract(response)

    def post(self, path: str, body=None, *, content_type="application/json", **headers):
        data = json.dumps(body) if isinstance(body, dict | list) else (body or "")
        response = self.client.post(
            path, data, content_type=content_type, headers=self.headers(**headers)
        )
        return check_against_contract(response)

    def send(self, method: str, path: str, **headers):
        response = self.client.generic(method, path, headers=self.headers(**headers))
        return check_against_contract(response)

    def send_json(self, method: str, path: str, body, **headers):
        response = self.client.generic(
            method,
            path,
            json.dumps(body),
            content_type="application/json",
            headers=self.headers(**headers),
        )
        return check_against_contract(response)


@pytest.fixture
def palette(demo):
    """`palette(key, project=uid)`: a client that sends that key (None: no key)."""
    return lambda key=None, project=None: PaletteClient(key, project)


def body_of(response):
    """The JSON of an answer, streamed or not."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content) if content else None


# A real Redis for the rate-limit tests: REDIS_URL when set, else Debian's redis-server started
# on a free port of 127.0.0.1 for the session. Without either the tests fail and say how to get
# one: CI installs redis-server, so a missing one is a broken CI, not a reason to skip.

REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")


@contextlib.contextmanager
def redis_server():
    """Debian's redis-server on a free port of 127.0.0.1 while the block runs: its process
    (to stop or freeze) and its URL. Without one, the test fails and says how to get it."""
    server = shutil.which(REDIS_SERVER) or shutil.which("redis-server")
    if server is None:
        pytest.fail(
            "The rate-limit tests need a real Redis and found none: install Debian's "
            "redis-server (`apt-get install redis-server`, as .ci/run does) or set REDIS_URL "
            "to a Redis on 127.0.0.1.",
            pytrace=False,
        )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    workdir = Path(tempfile.mkdtemp(prefix="console-redis-"))
    process = subprocess.Popen(
        [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on 127.0.0.1:{port}", pytrace=False)
                time.sleep(0.05)
        yield process, f"redis://127.0.0.1:{port}/0"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a test may have frozen it
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url():
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    with redis_server() as (_process, url):
        yield url


@pytest.fixture(params=["database", "redis"])
def cache_backend(request, settings):
    """The rate limit's count in each kind of cache the console runs with."""
    if request.param == "database":
        backend = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "console_cache",
        }
    else:
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": request.getfixturevalue("redis_url"),
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # tests never see each other's counts
        }
    with override_settings(CACHES={"default": backend}):
        if request.param == "database":
            caches["default"].clear()
        yield request.param


@pytest.fixture
def fixed_clock(monkeypatch):
    """The limiter's clock, moved only by the test."""

    class FixedClock:
        now = START

        def advance(self, seconds: float) -> None:
            self.now += seconds

    clock = FixedClock()
    monkeypatch.setattr(limits, "clock", lambda: clock.now)
    return clock
