"""Shared fixtures: the demo world of DESIGN.md §5 (built by tests/factories.py) and a smaller one
for the permission tests, a client logged
in as any of its users, a user without roles, a superuser, and a controlled clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from settings_app import rules
from settings_app.models import AgentUpgrades
from settings_app.rules import Pause
from tests.access_requests import EDGE_HOSTS, edge_host_of
from tests.factories import (
    REASON,
    Agents,
    Demo,
    World,
    add_gateway_and_hosts,
    build_demo,
    build_world,
    make_user,
)

LOCK = AgentUpgrades.LOCK


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers take a quarter of a second per password by design; tests don't need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db) -> Demo:
    return build_demo()


@pytest.fixture
def gateway_and_hosts(demo) -> Agents:
    """The demo's gateway pcg-vsphere and Edge hosts edge-host-01 (in edge-01) and
    edge-host-02 (in no cluster), beside the demo."""
    return add_gateway_and_hosts(demo)


@pytest.fixture
def access_world(db) -> World:
    """The least the permission tests need: four clusters around prod-east (its sibling, one in
    another project, one in another tenant) and one user for each role, granted directly."""
    world = build_world()
    for obj in EDGE_HOSTS:  # its Edge hosts, made before any test reads the state
        edge_host_of(world, obj)
    return world


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
def admin(user) -> User:
    """`tenant-admin`, the Tenant Admin of Acme: who makes the changes a test starts from."""
    return user("tenant-admin")


@pytest.fixture
def stranger(demo) -> User:
    """A user with an account and no role anywhere."""
    return make_user("stranger")


@pytest.fixture
def superuser(demo) -> User:
    """`root`, a superuser with no role: the only kind of user who sees Platform Upgrades.
    `client_for("root")` logs in as them."""
    return make_user("root", superuser=True)


@pytest.fixture
def fleet(demo, admin):
    """Acme after a release to 4.8.0 with prod-east and the Edge project paused: prod-east,
    edge-01 and edge-02 are held back (behind); staging, paused after the release, is current;
    prod-west is active and current."""
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.push_project(demo.edge, LOCK, actor=admin)
    rules.release_platform("4.8.0")
    rules.set_cluster(demo.staging, LOCK, actor=admin)


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


@pytest.fixture
def ended(demo, admin, clock):
    """prod-east was paused for an hour, two hours ago; nothing has written that down yet."""
    until = clock.now + timedelta(hours=1)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, until))
    clock.advance(hours=2)
    return until
