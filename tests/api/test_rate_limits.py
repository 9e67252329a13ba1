"""The rate limit, as Palette's: per key, 10 requests a second with bursts of 5, then 429
TooManyRequests with Retry-After, nothing changed. Tested with a fixed clock, never by sleeping,
on the database cache (the default) and on a real Redis (REDIS_URL), which .ci/run provides."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from settings_app.api import limits
from settings_app.models import AuditEvent

from .conftest import body_of

SETTINGS = "/v1/spectroclusters/upgrade/settings"
START = 1_900_000_000.025  # 25 ms into a slot: the steps below never land on a boundary


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


@pytest.fixture
def limited(settings, cache_backend, fixed_clock):
    settings.API_RATE_LIMIT = 10
    settings.API_RATE_BURST = 5
    return fixed_clock


def test_a_burst_of_five_goes_through_and_the_sixth_waits(demo, key_for, palette, limited):
    client = palette(key_for("tenant-admin"))

    answers = [client.get(SETTINGS).status_code for _ in range(6)]

    assert answers == [200, 200, 200, 200, 200, 429]


def test_the_429_says_when_to_try_again_and_changes_nothing(demo, key_for, palette, limited):
    client = palette(key_for("tenant-admin"))
    for _ in range(5):
        client.get(SETTINGS)
    limited.advance(0.03)

    response = client.post(SETTINGS, {"spectroComponents": "lock"})

    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    body = body_of(response)
    assert body["code"] == "TooManyRequests"
    assert "at most 10 a second, in bursts of 5" in body["message"]
    assert body["details"] == {"retryAfterSeconds": 0.045}
    assert not AuditEvent.objects.exists()


def test_after_a_burst_one_request_goes_through_every_tenth_of_a_second(
    demo, key_for, palette, limited
):
    client = palette(key_for("tenant-admin"))
    for _ in range(5):
        assert client.get(SETTINGS).status_code == 200

    answers = []
    for _ in range(10):
        limited.advance(0.05)
        answers.append(client.get(SETTINGS).status_code)

    assert answers == [429, 200] * 5


def test_ten_a_second_are_served_for_as_long_as_they_keep_to_it(demo, key_for, palette, limited):
    client = palette(key_for("tenant-admin"))

    answers = []
    for _ in range(30):
        answers.append(client.get(SETTINGS).status_code)
        limited.advance(0.1)

    assert set(answers) == {200}


def test_a_quiet_key_gets_its_whole_burst_again(demo, key_for, palette, limited):
    client = palette(key_for("tenant-admin"))
    for _ in range(6):
        client.get(SETTINGS)

    limited.advance(0.5)

    assert [client.get(SETTINGS).status_code for _ in range(6)] == [200] * 5 + [429]


def test_each_key_has_its_own_count(demo, key_for, palette, limited):
    first, second = palette(key_for("tenant-admin")), palette(key_for("tenant-admin", name="b"))
    for _ in range(5):
        first.get(SETTINGS)

    assert first.get(SETTINGS).status_code == 429
    assert second.get(SETTINGS).status_code == 200


def test_wrong_keys_are_counted_too(demo, palette, limited):
    client = palette("w" * 54)

    answers = [client.get(SETTINGS).status_code for _ in range(6)]

    assert answers == [401] * 5 + [429]


def test_the_count_is_shared_by_every_worker_that_shares_the_cache(demo, key_for, palette, limited):
    # Two clients stand for two workers (or hosts): they share nothing but the cache.
    key = key_for("tenant-admin")
    one, other = palette(key), palette(key)

    answers = [c.get(SETTINGS).status_code for c in (one, other, one, other, one, other)]

    assert answers == [200] * 5 + [429]


def test_the_limits_are_settings(demo, key_for, palette, settings, cache_backend, fixed_clock):
    settings.API_RATE_LIMIT, settings.API_RATE_BURST = 2, 1
    client = palette(key_for("tenant-admin"))

    assert [client.get(SETTINGS).status_code for _ in range(2)] == [200, 429]
    fixed_clock.advance(0.5)
    assert client.get(SETTINGS).status_code == 200


def test_no_limit_when_it_is_turned_off(demo, key_for, palette, settings, cache_backend):
    settings.API_RATE_LIMIT = 0
    client = palette(key_for("tenant-admin"))

    assert {client.get(SETTINGS).status_code for _ in range(20)} == {200}


def test_the_docs_and_the_openapi_document_are_not_limited(demo, client, limited):
    assert {client.get("/v1/openapi.json").status_code for _ in range(10)} == {200}


def test_a_cache_that_does_not_answer_lets_requests_through_and_says_so(
    demo, key_for, palette, settings, caplog
):
    settings.API_RATE_LIMIT = 10
    nowhere = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
    client = palette(key_for("tenant-admin"))

    with override_settings(CACHES={"default": nowhere}):
        answers = [client.get(SETTINGS).status_code for _ in range(7)]

    assert answers == [200] * 7
    assert "API rate limit not applied" in caplog.text
