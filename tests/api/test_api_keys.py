"""API keys as Palette's: at least 256 random bits, stored only as a SHA-256 digest with a short
visible prefix, found by the prefix and compared in constant time; an unknown, expired or revoked
key (or one whose user is inactive) is not found; and whom a key may be made for and managed by,
decided in the permissions module."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm

from settings_app import permissions
from settings_app.models import ApiKey
from settings_app.models.keys import PREFIX_LENGTH


def issue(username: str, tenant, name: str = "ci-freeze", days: int = 30):
    return ApiKey.issue(
        User.objects.get(username=username), tenant, name, timezone.now() + timedelta(days=days)
    )


def test_a_key_has_at_least_256_random_bits_beyond_its_visible_prefix(demo):
    row, key = issue("tenant-admin", demo.acme)

    secret = key[PREFIX_LENGTH:]
    assert len(secret) * 6 >= 256  # URL-safe base64: six bits a character
    assert row.prefix == key[:PREFIX_LENGTH]


def test_only_the_digest_of_a_key_is_stored(demo):
    row, key = issue("tenant-admin", demo.acme)
    row.refresh_from_db()

    assert row.digest == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(value) for value in ApiKey.objects.values_list().get(pk=row.pk)]
    assert key not in stored
    assert not any(key[PREFIX_LENGTH:] in value for value in stored)


def test_two_keys_are_never_alike(demo):
    keys = {issue("tenant-admin", demo.acme)[1] for _ in range(50)}

    assert len(keys) == 50


def test_a_key_is_found_with_its_user_and_tenant(demo):
    row, key = issue("project-admin", demo.acme)

    found = ApiKey.find(key)

    assert found == row
    assert found.user.username == "project-admin"
    assert found.tenant == demo.acme


def test_the_digests_are_compared_in_constant_time(demo, monkeypatch):
    _row, key = issue("tenant-admin", demo.acme)
    compared = []
    original = hmac.compare_digest
    monkeypatch.setattr(
        hmac, "compare_digest", lambda a, b: compared.append((a, b)) or original(a, b)
    )

    assert ApiKey.find(key) is not None
    assert ApiKey.find(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert len(compared) == 2


@pytest.mark.parametrize(
    "spoil",
    [
        # One character changed (the key is random: it may begin with either letter).
        pytest.param(
            lambda row, key: (row, ("y" if key[0] == "x" else "x") + key[1:]), id="unknown"
        ),
        pytest.param(lambda row, key: (row, key + "x"), id="longer"),
        pytest.param(lambda row, key: (row, ""), id="empty"),
        pytest.param(lambda row, key: (row, "k" * 5000), id="huge"),
    ],
)
def test_a_key_that_is_not_one_of_ours_is_not_found(demo, spoil):
    row, key = issue("tenant-admin", demo.acme)

    _row, presented = spoil(row, key)

    assert ApiKey.find(presented) is None


def test_a_revoked_key_is_not_found_until_it_is_activated_again(demo):
    row, key = issue("tenant-admin", demo.acme)
    ApiKey.objects.filter(pk=row.pk).update(active=False)

    assert ApiKey.find(key) is None
    ApiKey.objects.filter(pk=row.pk).update(active=True)
    assert ApiKey.find(key) == row


def test_an_expired_key_is_not_found(demo, clock):
    row, key = issue("tenant-admin", demo.acme, days=7)

    clock.advance(days=7, seconds=1)

    assert ApiKey.find(key) is None
    assert row.state == ApiKey.State.EXPIRED


def test_the_key_of_an_inactive_user_is_not_found(demo):
    _row, key = issue("tenant-admin", demo.acme)
    User.objects.filter(username="tenant-admin").update(is_active=False)

    assert ApiKey.find(key) is None


def test_a_keys_state_reads_active_inactive_or_expired(demo, clock):
    row, _key = issue("tenant-admin", demo.acme, days=7)
    assert row.state == ApiKey.State.ACTIVE
    row.active = False
    assert row.state == ApiKey.State.INACTIVE


def test_last_use_is_written_at_most_once_a_minute(demo, clock, django_assert_num_queries):
    row, key = issue("tenant-admin", demo.acme)
    found = ApiKey.find(key)

    with django_assert_num_queries(1):
        found.note_use()
    clock.advance(seconds=59)
    with django_assert_num_queries(0):
        found.note_use()
    clock.advance(seconds=1)
    with django_assert_num_queries(1):
        found.note_use()
    row.refresh_from_db()
    assert row.last_used_at == clock.now


# Whom a key may be made for: the tenants where the user holds a role.


@pytest.mark.parametrize(
    ("username", "tenants"),
    [
        ("tenant-admin", ["Acme"]),
        ("project-admin", ["Acme"]),
        ("cluster-admin", ["Acme"]),
        ("viewer", ["Acme"]),
        ("globex-admin", ["Globex"]),
        ("stranger", []),
        ("root", ["Acme", "Globex"]),
    ],
)
def test_a_user_may_make_keys_for_the_tenants_where_they_hold_a_role(
    demo, stranger, superuser, username, tenants
):
    user = User.objects.get(username=username)

    assert [t.name for t in permissions.key_tenants(user)] == tenants


def test_a_user_with_roles_in_two_tenants_may_make_keys_for_both(demo):
    user = User.objects.get(username="project-admin")
    assign_perm("settings_app.administer_cluster", user, demo.globex_main)

    assert [t.name for t in permissions.key_tenants(user)] == ["Acme", "Globex"]


# Who may revoke, activate or delete a key: its owner, and the Tenant Admins of its tenant.


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("project-admin", True),  # the owner
        ("tenant-admin", True),  # Tenant Admin of the key's tenant
        ("viewer", False),
        ("cluster-admin", False),
        ("globex-admin", False),
        ("root", True),
    ],
)
def test_a_key_is_managed_by_its_owner_and_its_tenants_admins_only(
    demo, superuser, username, allowed
):
    row, _key = issue("project-admin", demo.acme)
    user = User.objects.get(username=username)

    if allowed:
        assert permissions.api_key_for_user(user, row.pk) == row
    else:
        with pytest.raises(Http404):
            permissions.api_key_for_user(user, row.pk)


def test_a_missing_key_answers_like_someone_elses(demo):
    user = User.objects.get(username="viewer")

    with pytest.raises(Http404) as missing:
        permissions.api_key_for_user(user, 999_999)
    row, _key = issue("project-admin", demo.acme)
    with pytest.raises(Http404) as theirs:
        permissions.api_key_for_user(user, row.pk)
    assert str(missing.value) == str(theirs.value)
