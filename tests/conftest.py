"""Shared fixtures: the demo world (DESIGN.md §5) and a client logged in as any of its users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from settings_app.models import Cluster, Project, Tenant

PASSWORD = "palette-demo"


@dataclass
class Demo:
    acme: Tenant
    globex: Tenant
    default: Project  # Acme / Default
    edge: Project  # Acme / Edge
    globex_default: Project
    prod_east: Cluster
    prod_west: Cluster
    staging: Cluster
    edge_01: Cluster
    edge_02: Cluster
    globex_main: Cluster

    def refresh(self) -> None:
        for value in vars(self).values():
            value.refresh_from_db()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers take a quarter of a second per password by design; tests don't need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db) -> Demo:
    call_command("seed_demo", stdout=StringIO())
    cluster = {c.name: c for c in Cluster.objects.all()}
    return Demo(
        acme=Tenant.objects.get(name="Acme"),
        globex=Tenant.objects.get(name="Globex"),
        default=Project.objects.get(tenant__name="Acme", name="Default"),
        edge=Project.objects.get(tenant__name="Acme", name="Edge"),
        globex_default=Project.objects.get(tenant__name="Globex", name="Default"),
        prod_east=cluster["prod-east"],
        prod_west=cluster["prod-west"],
        staging=cluster["staging"],
        edge_01=cluster["edge-01"],
        edge_02=cluster["edge-02"],
        globex_main=cluster["globex-main"],
    )


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
    return User.objects.create_user("stranger", password=PASSWORD)


@pytest.fixture
def superuser(demo) -> User:
    """`root`, a superuser with no role: the only kind of user who sees Platform Upgrades.
    `client_for("root")` logs in as them."""
    return User.objects.create_superuser("root", "root@example.com", PASSWORD)


@dataclass
class Clock:
    now: datetime

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(demo, monkeypatch) -> Clock:
    """A controlled clock: `django.utils.timezone.now()` answers `clock.now`, which moves only
    when the test calls `clock.advance(hours=2)`. It starts after the demo was seeded, so the
    demo's first release stays older than anything the test releases."""
    controlled = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", lambda: controlled.now)
    return controlled
