"""Trust in the browser: an ended session or a stale CSRF token during an htmx change sends the
person to log in or tells them to reload, never swapping the login page into a switch; htmx runs
as its meta tag configures it; and a Content-Security-Policy violation fails a browser test."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from settings_app.models import AgentUpgrades, AuditEvent, Project
from settings_app.validation import steps
from tests.factories import PASSWORD

from .conftest import Browsing
from .test_flows import (
    agent_upgrades_switch,
    click_and_confirm,
    log_in_with_form,
    messages,
    open_platform_settings,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RELOAD = (
    "This page is out of date or your session has expired. "
    "Reload the page and try again; nothing was changed."
)


def default_project() -> tuple[str, int]:
    project = Project.objects.get(tenant__name="Acme", name="Default")
    return project.agent_upgrades, project.agent_upgrades_version


def click_and_be_told_to_reload(browsing: Browsing, page: Page, switch: Locator, says: str) -> None:
    """Click and confirm: the answer is 403 with the reload message, the switch still shows the
    truth, no login form appears, and nothing is written."""
    before = default_project()
    browsing.allow_console_error(r"status of 403\b")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        click_and_confirm(page, switch, says)

    assert answer.value.status == 403
    expect(messages(page)).to_have_text(RELOAD)
    expect(switch).not_to_be_checked()
    expect(page.get_by_role("button", name="Log in", exact=True)).to_have_count(0)
    assert default_project() == before
    assert not AuditEvent.objects.exists()


def log_in_page(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Palette")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_have_count(1)
    # The login page is a page of its own, not swapped into the settings panel.
    expect(page.locator("#platform-settings")).to_have_count(0)


@pytest.mark.parametrize("how", ["expired", "deleted"])
def test_a_session_that_ended_sends_the_change_to_the_login_page_and_back(
    browsing: Browsing, demo, how: str
):
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_platform_settings(page, "Project Settings")
    settings_path = urlsplit(page.url).path
    before = default_project()
    if how == "expired":
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    else:
        Session.objects.all().delete()

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        click_and_confirm(page, switch, "Pause agent upgrades for 3 clusters in project Default.")

    # htmx is told to navigate (HX-Redirect), with nothing to swap.
    assert answer.value.status == 200
    redirect = urlsplit(answer.value.headers["hx-redirect"])
    assert redirect.path == "/login/"
    assert parse_qs(redirect.query)["next"] == [settings_path]
    assert answer.value.headers["content-length"] == "0"
    log_in_page(page)
    assert default_project() == before
    assert not AuditEvent.objects.exists()

    # Log in again: back on the same page, which shows the truth and works.
    page.get_by_label("Username", exact=True).fill("project-admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(settings_path) + "$"))
    switch = agent_upgrades_switch(page)
    expect(switch).not_to_be_checked()
    assert steps.toggle_and_confirm(
        page, switch, says="Pause agent upgrades for 3 clusters in project Default."
    )
    assert default_project()[0] == AgentUpgrades.LOCK


def test_a_tab_left_open_across_a_new_login_is_told_to_reload_and_changes_nothing(
    browsing: Browsing, demo
):
    old_tab = browsing.new_page()
    log_in_with_form(old_tab, "tenant-admin")
    switch = open_platform_settings(old_tab, "Tenant Settings")

    # The session ends; the person logs in again in another tab of the same browser. Logging in
    # rotates the CSRF token, so the token in the old tab's page is no longer valid.
    Session.objects.all().delete()
    new_tab = old_tab.context.new_page()
    log_in_with_form(new_tab, "tenant-admin")

    click_and_be_told_to_reload(browsing, old_tab, switch, "Pause agent upgrades for 5 clusters")

    # As told: reload, and the change goes through.
    old_tab.reload()
    switch = agent_upgrades_switch(old_tab)
    assert steps.toggle_and_confirm(old_tab, switch, says="Pause agent upgrades for 5 clusters")


def test_a_missing_csrf_cookie_is_told_to_reload_and_changes_nothing(browsing: Browsing, demo):
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_platform_settings(page, "Project Settings")
    page.context.clear_cookies(name="csrftoken")

    click_and_be_told_to_reload(
        browsing, page, switch, "Pause agent upgrades for 3 clusters in project Default."
    )


def test_htmx_runs_as_its_meta_tag_configures_it_and_injects_no_styles(browsing: Browsing, demo):
    page = browsing.new_page("tenant-admin")
    page.goto("/")

    config = page.evaluate(
        "() => ({includeIndicatorStyles: htmx.config.includeIndicatorStyles,"
        " allowEval: htmx.config.allowEval, selfRequestsOnly: htmx.config.selfRequestsOnly,"
        " styleElements: document.querySelectorAll('style').length})"
    )

    assert config == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "selfRequestsOnly": True,
        "styleElements": 0,
    }


@pytest.mark.parametrize(
    ("what", "script"),
    [
        (
            "an inline style",
            "() => { const s = document.createElement('style');"
            " s.textContent = 'body { outline: 1px solid red }'; document.head.append(s); }",
        ),
        (
            "an inline script",
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = true'; document.head.append(s); }",
        ),
        ("code in a string (eval)", "() => { setTimeout('window.ran = true', 0); }"),
    ],
)
def test_a_content_security_policy_violation_is_reported_as_a_browser_error(
    browsing: Browsing, demo, what: str, script: str
):
    page = browsing.new_page("tenant-admin")
    page.goto("/")
    assert browsing.errors == []

    page.evaluate(script)
    page.wait_for_function("() => window.cspViolations > 0")

    # Both the browser's own console error and our securitypolicyviolation listener report it;
    # the `browsing` fixture fails any test that leaves an error behind.
    assert any(
        e.startswith("console error:") and "Content Security Policy" in e for e in browsing.errors
    ), browsing.errors
    assert any(e.startswith("Content-Security-Policy violation:") for e in browsing.errors)
    assert page.evaluate("() => window.ran === undefined")
    browsing.errors.clear()  # this test provoked them on purpose
