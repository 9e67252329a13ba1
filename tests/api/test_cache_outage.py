"""When Redis fails, the API keeps answering: requests go through uncounted, at most one warning
a minute is logged (no traceback), and a frozen Redis costs a request a quarter of a second at
most, not redis-py's 5 s. Each test runs a redis-server of its own, which it stops or freezes."""

from __future__ import annotations

import contextlib
import logging
import signal
import time

import pytest
from django.test import override_settings

from console.settings import redis_cache
from settings_app.api import limits

from .conftest import redis_server

SETTINGS = "/v1/spectroclusters/upgrade/settings"
BOUND = 2.0  # seconds a request may take with Redis frozen: generous; it takes about 0.25 s


@pytest.fixture
def limited(settings, fixed_clock):
    """The limits on, and time standing still for them: a counted request would be refused
    after the first five."""
    settings.API_RATE_LIMIT, settings.API_RATE_BURST = 10, 5
    settings.API_FAILURE_LIMIT = 10


@contextlib.contextmanager
def at_most(seconds: float):
    """Fail, rather than hang, if the block takes longer than `seconds`."""

    def too_long(_signal, _frame):
        pytest.fail(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def warnings_of_the_limiter(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == limits.__name__]


def test_a_stopped_redis_lets_requests_through_with_one_warning_and_no_traceback(
    demo, key_for, palette, limited, caplog
):
    client = palette(key_for("tenant-admin"))
    with redis_server() as (process, url), override_settings(CACHES={"default": redis_cache(url)}):
        assert client.get(SETTINGS).status_code == 200  # counted, on a pooled connection
        process.kill()
        process.wait(timeout=10)

        answers = [client.get(SETTINGS).status_code for _ in range(20)]
        wrong = palette("w" * 54).get(SETTINGS).status_code

    assert answers == [200] * 20  # uncounted: more than the burst of 5
    assert wrong == 401
    [warning] = warnings_of_the_limiter(caplog)
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert "API rate limits not applied: the cache did not answer" in warning.getMessage()


def test_a_redis_that_was_never_there_is_warned_of_once_a_minute(
    demo, key_for, palette, limited, caplog, monkeypatch
):
    now = [1000.0]
    monkeypatch.setattr(limits, "monotonic", lambda: now[0])
    client = palette(key_for("tenant-admin"))

    with override_settings(CACHES={"default": redis_cache("redis://127.0.0.1:1/0")}):
        answers = []
        for _ in range(12):  # two minutes, a request every ten seconds
            answers.append(client.get(SETTINGS).status_code)
            now[0] += 10

    assert answers == [200] * 12
    assert len(warnings_of_the_limiter(caplog)) == 2


def test_a_frozen_redis_costs_a_request_well_under_two_seconds(
    demo, key_for, palette, limited, caplog
):
    client = palette(key_for("tenant-admin"))
    with redis_server() as (process, url), override_settings(CACHES={"default": redis_cache(url)}):
        assert client.get(SETTINGS).status_code == 200
        process.send_signal(signal.SIGSTOP)  # the teardown of redis_server sends SIGCONT

        took, answers = [], []
        with at_most(30):
            for _ in range(5):
                started = time.monotonic()
                answers.append(client.get(SETTINGS).status_code)
                took.append(time.monotonic() - started)

    assert answers == [200] * 5
    assert max(took) < BOUND, took
    assert len(warnings_of_the_limiter(caplog)) == 1


def test_the_limits_apply_again_once_redis_answers(demo, key_for, palette, limited, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(limits, "monotonic", lambda: now[0])
    client = palette(key_for("tenant-admin"))
    with redis_server() as (process, url), override_settings(CACHES={"default": redis_cache(url)}):
        process.send_signal(signal.SIGSTOP)
        with at_most(30):
            assert [client.get(SETTINGS).status_code for _ in range(8)] == [200] * 8
        process.send_signal(signal.SIGCONT)

        now[0] += limits.QUIET_SECONDS
        answers = [client.get(SETTINGS).status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]
