"""Shared fixtures: the demo world of DESIGN.md §5 (built by tests/factories.py), a client logged
in as any of its users, a user without roles, a superuser, and a controlled clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.factories import Demo, build_demo, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers take a quarter of a second per password by design; tests don't need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db) -> Demo:
    return build_demo()


@pytest.fixture
def user(demo):
    """`user("viewer")`: one of the demo users."""
    return lambda username: User.objects.get(username=username)


@pytest.fixture
def client_for(demo):
    """`client_for("tenant-admin")`: a Django test client logged in as that demo user;
    `client_for(None)` is anonymous."""

    def make(username: str | None) -> Client:
        client = Client()
        if username is not None:
            client.force_login(User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def stranger(demo) -> User:
    """A user with an account and no role anywhere."""
    return make_user("stranger")


@pytest.fixture
def superuser(demo) -> User:
    """`root`, a superuser with no role: the only kind of user who sees Platform Upgrades.
    `client_for("root")` logs in as them."""
    return make_user("root", superuser=True)


@dataclass
class Clock:
    now: datetime

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(demo, monkeypatch) -> Clock:
    """A controlled clock: `django.utils.timezone.now()` answers `clock.now`, which moves only
    when the test calls `clock.advance(hours=2)`. It starts after the demo was built, so the
    demo's first release stays older than anything the test releases."""
    controlled = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: controlled.now)
    return controlled
