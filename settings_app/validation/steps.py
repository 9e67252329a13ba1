"""Palette's documented steps for Pause Agent Upgrades, one function each, in a real browser.

Everything is found by its role and accessible name (DESIGN.md §4), never by CSS classes or ids:
the steps are the contract of the screens. When a name is missing, the step fails and says which
step and which name. The console's own browser tests use these same functions.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import quote_plus

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

SWITCH = "Pause Agent Upgrades"
UNDO = "Undo this change"
TENANT_SETTINGS = "Tenant Settings"
PROJECT_SETTINGS = "Project Settings"
GATEWAYS = "Private Cloud Gateways"


class StepFailed(Exception):
    """A documented step could not be done: `step` says which, the message what was missing."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


class LoginRefused(StepFailed):
    """The console did not accept the username and password."""


@dataclass
class Reporter:
    """Told of every step as it ends: its name, how long it took, and why it failed ('' when
    it did not); `page` is the page the steps run on."""

    report: Callable[[str, float, str], None]
    page: Page | None = None


REPORTER: ContextVar[Reporter | None] = ContextVar("validation_reporter", default=None)


@dataclass
class Looking:
    """What a running step is looking for, by role and name: what its failure will say."""

    missing: str


@contextmanager
def step(name: str, missing: str = "") -> Iterator[Looking]:
    """Run one documented step. A name that never appears, or an answer that never comes, fails
    it with what it was looking for (`looking.missing`, updated as the step goes on)."""
    looking, started = Looking(missing), time.monotonic()
    try:
        yield looking
    except StepFailed as failed:
        _report(name, started, failed.message)
        raise
    except (AssertionError, PlaywrightError) as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        failed = StepFailed(name, f"{looking.missing} ({detail})" if detail else looking.missing)
        _report(name, started, failed.message)
        raise failed from error
    _report(name, started, "")


def _report(name: str, started: float, failure: str) -> None:
    reporter = REPORTER.get()
    if reporter is not None:
        reporter.report(name, time.monotonic() - started, failure)


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Open the console and log in with the form labelled "Username" and "Password"."""
    with step(f"Log in as {username}") as looking:
        looking.missing = f"the console did not answer at {base_url}"
        page.goto(base_url.rstrip("/") + "/login/")
        looking.missing = "no field labelled “Username” on the login page"
        page.get_by_label("Username", exact=True).fill(username)
        looking.missing = "no field labelled “Password” on the login page"
        page.get_by_label("Password", exact=True).fill(password)
        looking.missing = "no button named “Log in” on the login page"
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_load_state()
        if page.get_by_role("button", name="Log in", exact=True).count():
            raise LoginRefused(
                f"Log in as {username}", "the console refused the username or password"
            )
        looking.missing = "no navigation named “Main Menu” after logging in"
        expect(main_menu(page)).to_be_attached()


def main_menu(page: Page) -> Locator:
    """The navigation named "Main Menu", also while folded behind its button (a hidden popover
    is out of the accessibility tree, so it is looked for among hidden elements too)."""
    return page.get_by_role("navigation", name="Main Menu", include_hidden=True)


def open_main_menu(page: Page) -> Locator:
    """The Main Menu, unfolded first where a narrow screen folds it behind its button."""
    menu = main_menu(page)
    button = page.get_by_role("button", name="Main Menu", exact=True)
    # Whether it is folded is what the screen shows, not aria-expanded: the script sets that,
    # and the menu folds without it (a popover).
    if button.count() and button.is_visible() and not menu.is_visible():
        button.click()
        expect(menu).to_be_visible()
    return menu


def go_to(page: Page, menu_item: str) -> None:
    """Main Menu › `menu_item`."""
    with step(f"Main Menu › {menu_item}", f"no link named “{menu_item}” in the Main Menu"):
        open_main_menu(page).get_by_role("link", name=menu_item, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(menu_item)


def choose_scope(page: Page, tenant: str, project: str | None = None) -> None:
    """The Scope switcher: "Tenant Admin" of `tenant`, or its project `project`."""
    label = project or "Tenant Admin"
    name = f"Scope › {tenant} / {label}"
    with step(name, "no list labelled “Scope” in the header") as looking:
        scope = page.get_by_role("combobox", name="Scope", exact=True)
        expect(scope).to_be_visible()
        looking.missing = f"no option “{label}” of tenant {tenant} in the Scope list"
        groups = scope.get_by_role("group", name=tenant, exact=True)
        within = groups if groups.count() else scope
        option = within.get_by_role("option", name=label, exact=True)
        expect(option).to_have_count(1)
        value = option.get_attribute("value")
        if scope.input_value() != value:
            with page.expect_navigation():
                scope.select_option(value=value)
        expect(main_menu(page)).to_be_attached()


def open_cluster(page: Page, cluster: str) -> None:
    """Main Menu › Clusters › the cluster (found with the list's search, so any page of it)."""
    go_to(page, "Clusters")
    with step(f"Clusters › {cluster}", f"no link named “{cluster}” in the Clusters list"):
        search = page.get_by_role("searchbox", name="Search clusters")
        if search.count():
            # Typing searches by itself (htmx, then the address says so). A click before that
            # answer is in would be undone by it: the address it writes cancels the navigation.
            searched = re.compile(rf"[?&]q={re.escape(quote_plus(cluster))}(&|$)")
            search.fill(cluster)
            try:
                expect(page).to_have_url(searched, timeout=5_000)
            except AssertionError:  # no htmx: the form's own submit
                search.press("Enter")
                expect(page).to_have_url(searched)
        link = page.get_by_role("table").get_by_role("link", name=cluster, exact=True)
        expect(link).to_have_count(1)
        link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(cluster)


def open_gateway(page: Page, gateway: str) -> None:
    """Main Menu › Tenant Settings › Private Cloud Gateways › the gateway."""
    go_to(page, TENANT_SETTINGS)
    with step(
        f"{TENANT_SETTINGS} › {GATEWAYS}", f"no link named “{GATEWAYS}” on {TENANT_SETTINGS}"
    ):
        page.get_by_role("link", name=GATEWAYS, exact=True).click()
        expect(page.get_by_role("heading", name=GATEWAYS, exact=True)).to_be_visible()
    with step(f"{GATEWAYS} › {gateway}", f"no link named “{gateway}” in the {GATEWAYS} list"):
        link = page.get_by_role("table").get_by_role("link", name=gateway, exact=True)
        expect(link).to_have_count(1)
        link.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(gateway)


def open_cluster_settings(page: Page) -> Locator:
    """Settings › Cluster Settings, on a cluster's (or a gateway's) page; the switch."""
    with step("Settings › Cluster Settings", "no button named “Settings” on the page") as looking:
        page.get_by_role("button", name="Settings", exact=True).click()
        looking.missing = "no menu item named “Cluster Settings” under “Settings”"
        page.get_by_role("menuitem", name="Cluster Settings", exact=True).click()
        expect(page.get_by_role("heading", name="Cluster Settings", exact=True)).to_be_visible()
    return agent_upgrades_switch(page)


def open_platform_settings(
    page: Page, settings_menu: str, *, on_general: Callable[[Page], None] | None = None
) -> Locator:
    """Main Menu › Project Settings or Tenant Settings › Platform Settings; the switch.
    `on_general` runs on the page the menu opens first (General), before Platform Settings."""
    go_to(page, settings_menu)
    if on_general is not None:
        on_general(page)
    with step(
        f"{settings_menu} › Platform Settings", "no link named “Platform Settings” on the page"
    ):
        page.get_by_role("link", name="Platform Settings", exact=True).click()
        expect(page.get_by_role("heading", name="Platform Settings", exact=True)).to_be_visible()
    return agent_upgrades_switch(page)


def read_uid(page: Page) -> str:
    """The uid a details page shows as its fact "UID" (a term and its definition)."""
    with step("See the UID", "no term “UID” with a uid after it on the page") as looking:
        term = page.get_by_role("term").filter(has_text=re.compile(r"^\s*UID\s*$"))
        expect(term).to_have_count(1)
        text = term.locator("xpath=following-sibling::*[1]").inner_text()
        found = re.search(r"\b[0-9a-f]{24}\b", text)
        if not found:
            looking.missing = f"the fact “UID” shows no uid: {text.strip()!r}"
            raise AssertionError(looking.missing)
        return found.group()


def confirm_dialog(page: Page) -> Locator:
    """The confirm pop-up: an in-page dialog (role dialog or alertdialog) with OK and Cancel."""
    return page.get_by_role("dialog").or_(page.get_by_role("alertdialog"))


def agent_upgrades_switch(page: Page) -> Locator:
    return page.get_by_role("switch", name=SWITCH, exact=True)


def is_on(page: Page, switch: Locator) -> bool:
    """See the toggle: whether Pause Agent Upgrades is checked."""
    with step(f"See {SWITCH}", f"no switch named “{SWITCH}”"):
        expect(switch).to_be_visible()
        return switch.get_attribute("aria-checked") == "true"


def holding_window(page: Page) -> str:
    """The freeze window the page says holds the scope: the provenance beside the switch
    ("… · freeze window NAME, created by …"), or else the section Freeze windows ("Now: freeze
    window NAME · …"); '' when it names none. Looked at without waiting."""
    text = page.locator("main").inner_text()
    found = re.search(r"freeze window (.+?), created by ", text) or re.search(
        r"Now: freeze window (.+?) · ", text
    )
    return found.group(1).strip() if found else ""


def undo_and_confirm(page: Page, switch: Locator) -> bool:
    """Undo this change and click OK: the value goes back to what it was, with where it came
    from. False, and nothing done, when the page offers no undo (a console without it, or a
    change made since)."""
    button = page.get_by_role("button", name=UNDO, exact=True)
    if not button.count():
        return False
    was_on = switch.get_attribute("aria-checked") == "true"
    with step(UNDO, f"the button named “{UNDO}” cannot be clicked") as looking:
        button.click()
        looking.missing = "no pop-up (a dialog) after “Undo this change”"
        dialog = confirm_dialog(page)
        expect(dialog).to_be_visible()
    with step("OK in the pop-up", "no button named “OK” in the pop-up") as looking:
        dialog.get_by_role("button", name="OK", exact=True).click()
        expect(dialog).to_be_hidden()
        looking.missing = "the switch did not change after OK: the undo was not saved"
        expect(switch).to_have_attribute("aria-checked", "false" if was_on else "true")
    return True


def toggle_and_confirm(
    page: Page, switch: Locator, *, says: str | re.Pattern | None = None
) -> bool:
    """Toggle Pause Agent Upgrades and click OK in the pop-up; the switch as the server left it."""
    was_on = switch.get_attribute("aria-checked") == "true"
    with step(f"Toggle {SWITCH}", f"the switch named “{SWITCH}” cannot be clicked") as looking:
        expect(switch).to_be_enabled()
        switch.click()
        looking.missing = "no pop-up (a dialog) after the toggle"
        dialog = confirm_dialog(page)
        expect(dialog).to_be_visible()
        if says is not None:
            looking.missing = f"the pop-up does not say “{says}”"
            expect(dialog).to_contain_text(says)
    with step("OK in the pop-up", "no button named “OK” in the pop-up") as looking:
        dialog.get_by_role("button", name="OK", exact=True).click()
        expect(dialog).to_be_hidden()
        looking.missing = "the switch did not change after OK: the change was not saved"
        expect(switch).to_have_attribute("aria-checked", "false" if was_on else "true")
    return not was_on
