"""A freeze window in the browser (issue 19): added through its dialog on Project Settings,
started and ended by the scheduler on a clock the test sets (nothing sleeps), and seen in a new
login each time; the dialog with its preview passes axe at a phone's width and a desktop's."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from settings_app.models import AgentUpgrades, FreezeWindow
from settings_app.rules.schedule import run_windows

from .conftest import Browsing
from .test_screens import expect_no_axe_violation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BERLIN = ZoneInfo("Europe/Berlin")


def next_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def open_add_dialog(page: Page, url: str):
    page.goto(url)
    page.get_by_role("button", name="Add freeze window", exact=True).click()
    dialog = page.get_by_role("dialog", name="Add freeze window")
    expect(dialog).to_be_visible()
    return dialog


def fill_once(dialog, name: str, start: datetime, end: datetime) -> None:
    local_start, local_end = start.astimezone(BERLIN), end.astimezone(BERLIN)
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Reason (optional)").fill("release weekend")
    dialog.get_by_label("Time zone").fill("Europe/Berlin")
    dialog.get_by_label("Once", exact=True).check()
    dialog.get_by_label("Start date").fill(f"{local_start:%Y-%m-%d}")
    dialog.get_by_label("Start time", exact=True).first.fill(f"{local_start:%H:%M}")
    dialog.get_by_label("End date").fill(f"{local_end:%Y-%m-%d}")
    dialog.get_by_label("End time").fill(f"{local_end:%H:%M}")
    dialog.get_by_label("End time").dispatch_event("change")


def switch_in_a_new_login(browsing: Browsing, url: str):
    page = browsing.new_page("project-admin")
    page.goto(url)
    return page.get_by_role("switch", name="Pause Agent Upgrades", exact=True)


def test_a_window_added_in_the_dialog_pauses_the_project_while_it_holds_and_then_puts_it_back(
    browsing: Browsing, demo, clock, screenshot_dir: Path
):
    settings_url = reverse("project_platform_settings", args=[demo.default.pk])
    page = browsing.new_page("project-admin")
    page.set_viewport_size({"width": 1440, "height": 900})
    start = next_minute(clock.now)
    end = start + timedelta(minutes=2)

    dialog = open_add_dialog(page, settings_url)
    fill_once(dialog, "Launch", start, end)

    preview = dialog.locator("#window-preview")
    expect(preview).to_contain_text("Next: ")
    expect(preview).to_contain_text("Europe/Berlin (")
    expect(preview).to_contain_text("· pauses 3 clusters in project Default")
    expect_no_axe_violation(page, "the Add freeze window dialog")
    page.screenshot(path=screenshot_dir / "freeze-window-dialog-1440.png")
    dialog.get_by_role("button", name="OK", exact=True).click()

    expect(dialog).to_be_hidden()
    section = page.get_by_role("region", name="Freeze windows")
    expect(section).to_contain_text("Launch")
    expect(page.locator("#messages")).to_contain_text("Freeze window Launch added.")
    window = FreezeWindow.objects.get(name="Launch")
    assert (window.project, window.time_zone) == (demo.default, "Europe/Berlin")

    # The scheduler, a minute later: the window starts, and a new login sees the switch on.
    clock.now = start + timedelta(seconds=5)
    run_windows()
    switch = switch_in_a_new_login(browsing, settings_url)
    expect(switch).to_be_checked()
    expect(switch.page.get_by_role("region", name="Freeze windows")).to_contain_text(
        "Now: freeze window Launch"
    )

    # After its end: back to active, as before.
    clock.now = end + timedelta(seconds=5)
    run_windows()
    switch = switch_in_a_new_login(browsing, settings_url)
    expect(switch).not_to_be_checked()
    demo.default.refresh_from_db()
    assert demo.default.agent_upgrades == AgentUpgrades.UNLOCK


def test_the_dialog_refuses_a_time_that_does_not_exist_and_saves_nothing(
    browsing: Browsing, demo, clock
):
    page = browsing.new_page("tenant-admin")
    dialog = open_add_dialog(page, reverse("tenant_platform_settings", args=[demo.acme.pk]))
    year = clock.now.year + 1
    skipped = datetime(year, 3, 31, tzinfo=BERLIN)
    skipped -= timedelta(days=(skipped.weekday() + 1) % 7)  # the last Sunday of March
    fill_once(dialog, "Impossible", clock.now, clock.now)
    dialog.get_by_label("Start date").fill(f"{skipped:%Y-%m-%d}")
    dialog.get_by_label("Start time", exact=True).first.fill("02:30")
    dialog.get_by_label("End date").fill(f"{skipped + timedelta(days=1):%Y-%m-%d}")
    browsing.allow_console_error("status of 400")

    dialog.get_by_role("button", name="OK", exact=True).click()

    expect(dialog.get_by_role("alert")).to_contain_text("does not exist in Europe/Berlin")
    expect(dialog.get_by_role("alert")).to_be_focused()
    expect(dialog).to_be_visible()
    assert not FreezeWindow.objects.exists()


def test_the_add_dialog_with_its_preview_fits_a_phone_and_passes_axe(
    browsing: Browsing, demo, clock, screenshot_dir: Path
):
    page = browsing.new_page("tenant-admin")
    page.set_viewport_size({"width": 390, "height": 844})
    dialog = open_add_dialog(page, reverse("tenant_platform_settings", args=[demo.acme.pk]))
    start = next_minute(clock.now) + timedelta(days=2)
    fill_once(dialog, "Year-end", start, start + timedelta(hours=60))

    expect(dialog.locator("#window-preview")).to_contain_text("pauses 5 clusters in 2 projects")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    expect_no_axe_violation(page, "the Add freeze window dialog at 390")
    page.screenshot(path=screenshot_dir / "freeze-window-dialog-390.png")
    dialog.get_by_role("button", name="OK", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "freeze-window-dialog-390-bottom.png")
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog).to_be_hidden()
