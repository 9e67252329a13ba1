"""The Quick start's console (DJANGO_DEBUG=1) in headless Chromium behaves as production does
(issue 22, item 1): a refused change shows its message in place and the page keeps its Main
Menu, rather than the error answer replacing the whole document; a missing page is the
console's own 404. It runs its own server in debug mode (the live server runs with debug off),
on 127.0.0.1, with its own SQLite database seeded as the Quick start seeds it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD

from .conftest import Browsing
from .test_flows import (
    agent_upgrades_switch,
    confirm_dialog,
    log_in_with_form,
    main_menu,
    messages,
    open_cluster_settings,
)

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SUPERUSER = "root"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def debug_console(tmp_path_factory) -> Iterator[str]:
    """The Quick start: migrate, seed_demo, a superuser and runserver, all with DJANGO_DEBUG=1
    and nothing else of the tests' environment; the server's address."""
    folder = tmp_path_factory.mktemp("debug-console")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env |= {
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }

    def manage(*args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    manage("migrate", "-v0")
    manage("seed_demo")
    manage("createsuperuser", "--noinput", "--username", SUPERUSER, "--email", "root@example.com")
    port = free_port()
    with open(folder / "server.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((folder / "server.log").read_text(), pytrace=False)
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def browsing(browser: Browser, debug_console: str) -> Iterator[Browsing]:
    browsing = Browsing(browser, debug_console)
    yield browsing
    browsing.close()
    if browsing.errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(browsing.errors), pytrace=False)


def logged_in(browsing: Browsing, username: str) -> Page:
    page = browsing.new_page()
    log_in_with_form(page, username)
    return page


def test_in_debug_mode_a_refused_release_shows_why_next_to_the_form_and_keeps_the_page(
    browsing: Browsing, screenshot_dir: Path
):
    page = logged_in(browsing, SUPERUSER)
    browsing.allow_console_error(r"status of 400\b")  # the browser logs the refused answer
    page.get_by_role("link", name="Platform Upgrades", exact=True).click()
    says = "4.7.1 is not newer than the current platform version 4.7.2. Nothing was released."

    for attempt in (1, 2):  # the second from the page the first answer left
        page.get_by_label("Version", exact=True).fill("4.7.1")
        with page.expect_response(lambda response: response.request.method == "POST") as answer:
            page.get_by_role("button", name="Release", exact=True).click()
        assert answer.value.status == 400, attempt

        expect(page.get_by_role("alert")).to_have_text(says)
        expect(page.get_by_role("heading", level=1)).to_have_text("Platform Upgrades")
        # The page around the form is still there: the header and its links, the history.
        header = page.get_by_role("banner")
        expect(header.get_by_role("link", name="Platform Upgrades", exact=True)).to_be_visible()
        expect(page.get_by_role("region", name="Release history")).to_be_visible()
        expect(page).to_have_url(f"{browsing.base_url}/platform/upgrades/")
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=screenshot_dir / f"debug-release-refused-{width}.png", full_page=True)


def test_in_debug_mode_a_refused_pause_reason_shows_why_and_keeps_the_switch(
    browsing: Browsing, screenshot_dir: Path
):
    page = logged_in(browsing, "tenant-admin")
    browsing.allow_console_error(r"status of 400\b")
    switch = open_cluster_settings(page, "prod-east")

    switch.click()
    dialog = confirm_dialog(page)
    dialog.get_by_label("Reason", exact=True).fill("freeze\u202eezeerf")
    dialog.get_by_role("button", name="OK", exact=True).click()

    expect(messages(page)).to_contain_text("a bidirectional override (U+202E)")
    expect(agent_upgrades_switch(page)).not_to_be_checked()
    expect(main_menu(page)).to_be_attached()
    page.screenshot(path=screenshot_dir / "debug-reason-refused-1440.png", full_page=True)
    # And the page still works: the same switch pauses with a plain reason.
    switch.click()
    confirm_dialog(page).get_by_label("Reason", exact=True).fill("freeze")
    click_and_confirm_ok(page)
    expect(agent_upgrades_switch(page)).to_be_checked()


def click_and_confirm_ok(page: Page) -> None:
    dialog = confirm_dialog(page)
    dialog.get_by_role("button", name="OK", exact=True).click()
    expect(dialog).to_be_hidden()


def test_in_debug_mode_a_missing_page_is_the_consoles_own_404(browsing: Browsing):
    page = logged_in(browsing, "tenant-admin")
    browsing.allow_console_error(r"status of 404\b")

    answer = page.goto("/no-such-page/")

    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_role("link", name="Back to the console")).to_be_visible()
    expect(page.get_by_text("urlpatterns")).to_have_count(0)
