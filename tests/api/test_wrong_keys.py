"""Wrong API keys: a header that cannot be a key is refused at once, with nothing written; wrong
keys that could be keys are counted per client address, 10 a minute, and beyond that every
request from the address gets 429 with Retry-After, a good key's too. Tested with a fixed clock
on the database cache and on a real Redis."""

from __future__ import annotations

import secrets

import pytest
from django.core.cache import cache
from django.db import connection

from settings_app.models import AuditEvent

from .conftest import body_of

SETTINGS = "/v1/spectroclusters/upgrade/settings"


@pytest.fixture
def limited(settings, cache_backend, fixed_clock):
    settings.API_RATE_LIMIT, settings.API_RATE_BURST = 10, 5
    settings.API_FAILURE_LIMIT = 10
    return fixed_clock


def cache_rows(backend: str) -> int:
    """How many entries the cache holds (this test's only, on Redis)."""
    if backend == "database":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM console_cache")
            return cursor.fetchone()[0]
    return len(cache._cache.get_client().keys(f"{cache.key_prefix}:*"))


def wrong_key() -> str:
    return secrets.token_urlsafe(40)  # as a key is made: 54 characters, never one of ours


def from_address(client, address: str, forwarded: str | None = None):
    client.client.defaults["REMOTE_ADDR"] = address
    if forwarded is not None:
        client.client.defaults["HTTP_X_FORWARDED_FOR"] = forwarded
    return client


@pytest.mark.parametrize(
    "header",
    ["short", "w" * 53, "w" * 55, "w" * 5000, "w" * 53 + "=", "w" * 53 + "/", "w" * 53 + " "],
)
def test_a_header_that_cannot_be_a_key_is_refused_at_once_and_writes_nothing(
    demo, palette, limited, cache_backend, header
):
    answers = [palette(header).get(SETTINGS) for _ in range(20)]

    assert {a.status_code for a in answers} == {401}
    assert {body_of(a)["code"] for a in answers} == {"InvalidApiKey"}
    assert cache_rows(cache_backend) == 0


def test_a_header_that_cannot_be_a_key_costs_no_query(
    demo, palette, limited, django_assert_num_queries
):
    client = palette("w" * 53)
    with django_assert_num_queries(0):
        assert client.get(SETTINGS).status_code == 401


def test_wrong_keys_from_one_address_are_refused_after_ten(demo, palette, limited, cache_backend):
    answers = [palette(wrong_key()).get(SETTINGS).status_code for _ in range(30)]

    assert answers == [401] * 10 + [429] * 20
    assert cache_rows(cache_backend) == 10  # one per counted wrong key, no more


def test_the_429_says_when_to_try_again_in_the_apis_error_shape(demo, palette, limited):
    for _ in range(10):
        palette(wrong_key()).get(SETTINGS)

    response = palette(wrong_key()).post(SETTINGS, {"spectroComponents": "lock"})

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "2"  # the next wrong key is allowed 1.975 s from now
    assert body_of(response) == {
        "code": "TooManyRequests",
        "message": "Too many requests with a wrong API key from your address: at most 10 a "
        "minute. Check the key you send, wait 2 s (Retry-After) and send it again; nothing "
        "was changed.",
        "ref": "POST /v1/spectroclusters/upgrade/settings",
        "details": {"retryAfterSeconds": 1.975},
    }
    assert not AuditEvent.objects.exists()


def test_an_address_past_its_wrong_keys_is_refused_a_good_key_too_until_the_next_is_allowed(
    demo, key_for, palette, limited
):
    good = palette(key_for("tenant-admin"))
    for _ in range(10):
        palette(wrong_key()).get(SETTINGS)

    assert good.get(SETTINGS).status_code == 429
    limited.advance(2)
    assert good.get(SETTINGS).status_code == 200
    assert palette(wrong_key()).get(SETTINGS).status_code == 401  # one more a 6 s
    assert palette(wrong_key()).get(SETTINGS).status_code == 429


def test_another_address_is_not_held_back(demo, key_for, palette, limited):
    for _ in range(11):
        from_address(palette(wrong_key()), "198.51.100.9").get(SETTINGS)

    neighbour = from_address(palette(key_for("tenant-admin")), "198.51.100.10")

    assert neighbour.get(SETTINGS).status_code == 200
    assert from_address(palette(wrong_key()), "198.51.100.10").get(SETTINGS).status_code == 401


def test_behind_a_proxy_the_address_counted_is_the_one_the_proxy_saw(
    demo, key_for, palette, limited, settings
):
    settings.PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(10):
        from_address(palette(wrong_key()), proxy, "198.51.100.9").get(SETTINGS)

    # What the client wrote itself, left of what the proxy appended, changes nothing.
    spoofed = from_address(palette(wrong_key()), proxy, "203.0.113.5, 198.51.100.9")
    other_client = from_address(palette(key_for("tenant-admin")), proxy, "198.51.100.10")

    assert spoofed.get(SETTINGS).status_code == 429
    assert other_client.get(SETTINGS).status_code == 200


def test_addresses_of_one_ipv6_network_count_together(demo, palette, limited):
    for host in range(1, 11):
        from_address(palette(wrong_key()), f"2001:db8::{host:x}").get(SETTINGS)

    same_network = from_address(palette(wrong_key()), "2001:db8::ffff:1")
    next_network = from_address(palette(wrong_key()), "2001:db8:0:1::1")

    assert same_network.get(SETTINGS).status_code == 429
    assert next_network.get(SETTINGS).status_code == 401


def test_how_many_wrong_keys_is_a_setting_and_0_turns_the_count_off(
    demo, palette, limited, settings
):
    settings.API_FAILURE_LIMIT = 2
    assert [palette(wrong_key()).get(SETTINGS).status_code for _ in range(3)] == [401, 401, 429]

    settings.API_FAILURE_LIMIT = 0
    assert {palette(wrong_key()).get(SETTINGS).status_code for _ in range(20)} == {401}
