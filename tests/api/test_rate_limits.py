"""The rate limit, as Palette's: 10 requests a second with bursts of 5, then 429
TooManyRequests with Retry-After, nothing changed; counted per user, all of a user's keys
together, so that more keys do not buy more requests. Tested with a fixed clock, never by sleeping,
on the database cache (the default) and on a real Redis (REDIS_URL), which .ci/run provides."""

from __future__ import annotations

import pytest

from settings_app.models import AuditEvent

from .conftest import body_of

SETTINGS = "/v1/spectroclusters/upgrade/settings"


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
    assert not AuditEvent.objects.exclude(action=AuditEvent.Action.KEY).exists()


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


def test_a_users_keys_share_one_count(demo, key_for, palette, limited):
    clients = [palette(key_for("tenant-admin", name=name)) for name in ("a", "b", "c")]

    answers = [clients[i % 3].get(SETTINGS).status_code for i in range(9)]

    assert answers == [200] * 5 + [429] * 4


def test_three_keys_get_the_rate_of_one(demo, key_for, palette, limited):
    clients = [palette(key_for("tenant-admin", name=name)) for name in ("a", "b", "c")]
    for client in clients:
        client.get(SETTINGS)
        client.get(SETTINGS)

    served = 0
    for _ in range(10):  # a second, each key asking every tenth of a second
        limited.advance(0.1)
        served += sum(client.get(SETTINGS).status_code == 200 for client in clients)

    assert served == 10


def test_each_user_has_their_own_count(demo, key_for, palette, limited):
    first, other = palette(key_for("tenant-admin")), palette(key_for("project-admin"))
    for _ in range(5):
        first.get(SETTINGS)

    assert first.get(SETTINGS).status_code == 429
    assert other.get(SETTINGS, ProjectUid=demo.default.uid).status_code == 200


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
