"""The freeze windows' read-only screens in a browser: Tenant Settings › Freeze Calendar and the
Clusters list's Frozen filter, at a phone's width and a desktop's, fit the window and pass axe
(the checks of test_screens). UI_SHOTS=/some/folder keeps their screenshots."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from settings_app.models import FreezeWindow
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules.schedule import run_windows
from settings_app.rules.windows import check_window

from .conftest import Browsing
from .test_screens import AUDITED, WIDTHS, Screen, check_screen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def once(scope: dict, name: str, zone: str, start: datetime, hours: int, reason: str = ""):
    local = start.astimezone(ZoneInfo(zone)).replace(second=0, microsecond=0)
    end = local + timedelta(hours=hours)
    window = FreezeWindow(
        **scope,
        name=name,
        reason=reason,
        time_zone=zone,
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=local.date(),
        start_time=local.time(),
        end_date=end.date(),
        end_time=end.time(),
        created_by=User.objects.get(username="tenant-admin"),
        created_at=timezone.now() - timedelta(minutes=5),
    )
    check_window(window, timezone.now() - timedelta(minutes=5))
    window.save()


def freeze_the_demo(demo) -> None:
    """Launch holds Default now; Year-end (the tenant) and Patch (prod-east) overlap in three
    days; Edge freezes every weekend."""
    now = timezone.now()
    acme = {"tenant": demo.acme}
    once(acme | {"project": demo.default}, "Launch", "America/New_York", now, 2, "launch day")
    once(acme, "Year-end", "Europe/Berlin", now + timedelta(days=3), 48, "holiday freeze")
    once(acme | {"cluster": demo.prod_east}, "Patch", "UTC", now + timedelta(days=4), 6)
    FreezeWindow.objects.create(
        **acme,
        project=demo.edge,
        name="Weekend",
        time_zone="Europe/Berlin",
        schedule=FreezeWindow.Schedule.WEEKLY,
        start_date=now.date(),
        start_time=time(18, 0),
        days="4",
        duration=timedelta(hours=60),
        created_at=now - timedelta(minutes=5),
    )
    run_windows()


def test_the_freeze_calendar_and_the_frozen_clusters_fit_every_width_and_pass_axe(
    browsing: Browsing, demo
):
    freeze_the_demo(demo)
    acme = ScopeRef("tenants", demo.acme.pk)
    screens = [
        Screen("freeze-calendar", reverse("tenant_freeze_calendar", args=[demo.acme.pk])),
        Screen("frozen-clusters", reverse("cluster_list", args=[acme]) + "?frozen=1"),
    ]
    page = browsing.new_page("tenant-admin")
    for width in AUDITED:
        page.set_viewport_size({"width": width, "height": WIDTHS[width]})
        for screen in screens:
            check_screen(page, screen, width, f"tenant-admin-{width}-{screen.name}")
    expect(page.get_by_text("Frozen by freeze window Launch").first).to_be_attached()
    page.goto(screens[0].url)
    expect(
        page.get_by_role("cell", name=re.compile("^Overlap with Year-end")).first
    ).to_be_visible()
