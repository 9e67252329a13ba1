"""Browser fixtures: one headless Debian Chromium per session, a fresh context and page per test,
served by pytest-django's live server, failing the test on any browser console error, page error
or Content-Security-Policy violation."""

from __future__ import annotations

import os

# Playwright's sync API keeps an event loop running in the main thread, and Django refuses ORM
# calls from a thread with a running loop; the test thread needs the ORM to seed and to check.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    expect,
    sync_playwright,
)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 5_000
SCREENSHOTS = Path("/tmp/e2e-shots")
# Runs in every page before its own scripts (Playwright's init scripts are not subject to the
# page's CSP): every violation is reported to the test, including any the browser does not log.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations = (window.cspViolations || 0) + 1;
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}` +
    ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: a Playwright flow in a real browser (tests/e2e)")


def chromium_executable() -> str:
    """Debian's Chromium, or the one named by PLAYWRIGHT_CHROMIUM_EXECUTABLE; Playwright's own
    browser download cannot work here (DESIGN.md §6)."""
    return os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE") or DEFAULT_CHROMIUM


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        pytest.fail(
            f"No Chromium executable at {executable}. Install Debian's Chromium with "
            "`apt-get install chromium`, or set PLAYWRIGHT_CHROMIUM_EXECUTABLE to the path of a "
            "Chromium binary. (Do not use `playwright install`: its download cannot work here.)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        expect.set_options(timeout=TIMEOUT_MS)
        yield browser
        browser.close()


def log_in_by_cookie(context: BrowserContext, base_url: str, username: str) -> None:
    """Log in without the form: a session made by the test client, handed to the browser."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}])


@dataclass
class Browsing:
    """The browser as one test uses it: new contexts (one per person or login) against the live
    server, each page watched for console errors and uncaught exceptions."""

    browser: Browser
    base_url: str
    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    def new_page(self, username: str | None = None) -> Page:
        """A page in a fresh context; logged in as `username` by session cookie when given."""
        context = self.browser.new_context(base_url=self.base_url)
        context.set_default_timeout(TIMEOUT_MS)
        context.expose_function("reportCspViolation", self._on_csp_violation)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.contexts.append(context)
        if username is not None:
            log_in_by_cookie(context, self.base_url, username)
        page = context.new_page()
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        return page

    def allow_console_error(self, pattern: str) -> None:
        """Let one expected console error through, e.g. the browser's own line about an answer
        the test provoked on purpose ("…status of 404 (Not Found)")."""
        self.allowed.append(re.compile(pattern))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if any(pattern.search(message.text) for pattern in self.allowed):
            return
        where = message.location.get("url")
        self.errors.append(f"console error: {message.text}" + (f" ({where})" if where else ""))

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"page error: {error.name}: {error.message}")

    def _on_csp_violation(self, description: str) -> None:
        self.errors.append(f"Content-Security-Policy violation: {description}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser: Browser, live_server) -> Iterator[Browsing]:
    browsing = Browsing(browser, live_server.url)
    yield browsing
    browsing.close()
    if browsing.errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(browsing.errors), pytrace=False)


@pytest.fixture
def page(browsing: Browsing) -> Page:
    """A fresh, anonymous page."""
    return browsing.new_page()


@pytest.fixture
def screenshot_dir() -> Path:
    """Screenshots are for people to look at, outside the repository."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
