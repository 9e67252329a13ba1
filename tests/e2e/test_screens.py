"""Every screen at every size, for every demo role (issue 10, items 1 and 5): each page that the
role can see, at 390 x 844, 768 x 1024 and 1440 x 900, is never wider than the window and shows
every field's placeholder whole; the switch, the Settings menu and each dialog's OK and Cancel lie
inside it; and axe-core finds no violation on the page or in any dialog it opens. One browser page
per role, resized between widths. Any console error or Content-Security-Policy violation fails the
test (conftest).

Set UI_SHOTS=/some/folder to keep a screenshot of every page and dialog for a person to look at."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from settings_app import rules
from settings_app.models import AgentUpgrades, Cluster, FreezeWindow, Project, Tenant
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules.windows import create_window

from .conftest import Browsing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {390: 844, 768: 1024, 1440: 900}
AUDITED = (390, 1440)  # axe runs at a phone's width and a desktop's (768 lays out as 1440 does)
AXE = Axe()
# axe's stylesheet preload (for one rule, css-orientation-lock) parses stylesheets by inserting
# <style> elements into the page, which the console's CSP refuses: a violation of axe's making.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": False}
SHOTS = os.environ.get("UI_SHOTS")


@dataclass(frozen=True)
class Screen:
    name: str
    url: str
    # Controls that open the confirm dialog on this page, found by role and name.
    dialogs: tuple[str, ...] = ()
    status: int = 200
    before: Callable[[Page], None] | None = None
    # What the page has to show before it is checked (drawn by a script after loading).
    ready: Callable[[Page], None] | None = None


def wait_for_swagger(page: Page) -> None:
    """The API reference draws its operations after the page has loaded."""
    expect(page.locator(".opblock").first).to_be_visible()


def the_world(demo) -> dict[str, list[Screen]]:
    """The demo with something to show: prod-east paused with a reason and held back by a
    release, Edge paused by its project (so Acme is Mixed), a superuser; and each role's pages."""
    admin = User.objects.get(username="tenant-admin")
    rules.set_cluster(demo.prod_east, AgentUpgrades.LOCK, actor=admin, pause=rules.Pause("freeze"))
    rules.push_project(demo.edge, AgentUpgrades.LOCK, actor=admin)
    rules.release_platform("4.8.0")
    User.objects.create_superuser("root", "root@example.com", "palette-demo")
    User.objects.create_user("stranger", password="palette-demo")
    soon = timezone.now() + timedelta(days=3)
    create_window(
        FreezeWindow(
            tenant=demo.acme,
            project=demo.default,
            name="Year-end",
            reason="holiday change freeze",
            time_zone="Europe/Berlin",
            schedule="weekly",
            days="4",
            start_time=time(18),
            duration=timedelta(hours=60),
            start_date=soon.date(),
        ),
        actor=admin,
    )

    acme, default = ScopeRef("tenants", demo.acme.pk), ScopeRef("projects", demo.default.pk)
    globex = ScopeRef("tenants", demo.globex.pk)
    switch = ("switch",)

    def cluster_pages(scope: ScopeRef, cluster: Cluster, dialogs=switch) -> list[Screen]:
        return [
            Screen(f"{cluster.name}-details", reverse("cluster_detail", args=[scope, cluster.pk])),
            Screen(
                f"{cluster.name}-settings",
                reverse("cluster_settings", args=[scope, cluster.pk]),
                dialogs,
            ),
        ]

    def settings_pages(obj: Project | Tenant, dialogs=switch) -> list[Screen]:
        kind = "tenant" if isinstance(obj, Tenant) else "project"
        return [
            Screen(f"{kind}-{obj.name}-general", reverse(f"{kind}_settings", args=[obj.pk])),
            Screen(
                f"{kind}-{obj.name}-platform",
                reverse(f"{kind}_platform_settings", args=[obj.pk]),
                dialogs,
            ),
        ]

    def release_version(page: Page) -> None:
        page.get_by_label("Version", exact=True).fill("4.9.0")

    return {
        "anonymous": [
            Screen("login", reverse("login")),
            Screen("login-next", f"{reverse('login')}?next=/tenants/{demo.acme.pk}/clusters/"),
            Screen("api-docs", "/v1/docs", ready=wait_for_swagger),
        ],
        "tenant-admin": [
            Screen("clusters", reverse("cluster_list", args=[acme])),
            *cluster_pages(acme, demo.prod_east, ("switch", "Undo this change")),
            Screen("projects", reverse("project_list", args=[demo.acme.pk])),
            *settings_pages(demo.acme, ("switch", "Resume all 5 clusters")),
            *settings_pages(demo.default, ("switch", "Resume all 3 clusters")),
            Screen("audit-logs", reverse("audit_log", args=[acme])),
            Screen("default-clusters", reverse("cluster_list", args=[default])),
            Screen(
                "confirm-tenant-pause",
                reverse("confirm_tenant_change", args=[demo.acme.pk]) + "?value=lock",
            ),
            Screen("not-found", "/tenants/999999/clusters/", status=404),
        ],
        "project-admin": [
            Screen("clusters", reverse("cluster_list", args=[default])),
            *cluster_pages(default, demo.prod_west),
            *settings_pages(
                demo.default,
                (
                    "switch",
                    "Add freeze window",
                    "Edit",
                    "End now",
                    "Delete",
                ),
            ),
            Screen("add-window-page", reverse("add_project_window", args=[demo.default.pk])),
            Screen("audit-logs", reverse("audit_log", args=[default])),
            Screen(
                "confirm-undo",
                reverse("confirm_cluster_undo", args=[default, demo.prod_east.pk]),
            ),
        ],
        "cluster-admin": [
            Screen("clusters", reverse("cluster_list", args=[default])),
            *cluster_pages(
                default, demo.prod_east, ("switch", "Undo this change", "Add freeze window")
            ),
            Screen("audit-logs", reverse("audit_log", args=[default])),
        ],
        "viewer": [
            Screen("clusters", reverse("cluster_list", args=[default])),
            *cluster_pages(default, demo.prod_east, ()),
            *settings_pages(demo.default, ()),
            Screen("audit-logs", reverse("audit_log", args=[default])),
        ],
        "globex-admin": [
            Screen("clusters", reverse("cluster_list", args=[globex])),
            *cluster_pages(globex, demo.globex_main),
            Screen("projects", reverse("project_list", args=[demo.globex.pk])),
            *settings_pages(demo.globex),
        ],
        "root": [
            Screen(
                "platform-upgrades",
                reverse("platform_upgrades"),
                ("Release",),
                200,
                release_version,
            ),
            Screen("confirm-release", reverse("confirm_release") + "?version=4.9.0&agent_version="),
            Screen("admin", reverse("admin:index")),
            Screen("admin-clusters", reverse("admin:settings_app_cluster_changelist")),
            Screen("admin-cluster-add", reverse("admin:settings_app_cluster_add")),
            Screen(
                "admin-cluster",
                reverse("admin:settings_app_cluster_change", args=[demo.prod_east.pk]),
            ),
            Screen(
                "admin-project-roles",
                reverse("admin:settings_app_project_permissions", args=[demo.default.pk]),
            ),
        ],
        "stranger": [Screen("no-roles", reverse("home"))],
    }


ROLES = [
    "anonymous",
    "tenant-admin",
    "project-admin",
    "cluster-admin",
    "viewer",
    "globex-admin",
    "root",
    "stranger",
]


# What is checked on every page.


def expect_no_wider_than_the_window(page: Page, where: str) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    assert max(widths[:2]) <= widths[2], (
        f"{where}: the document is {widths[:2]} wide in {widths[2]}"
    )


def expect_placeholders_whole(page: Page, where: str) -> None:
    """Every shown field's placeholder fits its field: typed in as a value, it would not scroll."""
    cut = page.evaluate(
        """() => [...document.querySelectorAll("input[placeholder]")]
            .filter((field) => field.offsetParent)
            .filter((field) => {
                const value = field.value;
                field.value = field.placeholder;
                const scrolls = field.scrollWidth > field.clientWidth;
                field.value = value;
                return scrolls;
            })
            .map((field) => `${field.name}: “${field.placeholder}”`)"""
    )
    assert not cut, f"{where}: placeholders cut off: {cut}"


def expect_inside_the_window(page: Page, element: Locator, where: str) -> None:
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    size = page.viewport_size
    assert box, f"{where}: not laid out"
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], f"{where}: {box} in {size}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], f"{where}: {box} in {size}"


def expect_no_axe_violation(page: Page, where: str) -> None:
    results = AXE.run(page, options=AXE_OPTIONS)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert not found, f"{where}: axe found\n" + "\n".join(found)


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(SHOTS) / f"{name}.png", full_page=True)


def opener(page: Page, control: str) -> Locator:
    main = page.locator("main")
    if control == "switch":
        return main.get_by_role("switch", name="Pause Agent Upgrades", exact=True)
    return main.get_by_role("button", name=control, exact=True)


def check_dialog(page: Page, control: str, where: str, audit: bool) -> None:
    opener(page, control).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for name in ("OK", "Cancel"):
        expect_inside_the_window(page, dialog.get_by_role("button", name=name, exact=True), where)
    expect_no_wider_than_the_window(page, where)
    expect_placeholders_whole(page, f"{where} (dialog)")
    if audit:
        expect_no_axe_violation(page, f"{where} (dialog)")
    shoot(page, f"{where}-dialog-{control.replace(' ', '-')}")
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog).to_be_hidden()


def check_screen(page: Page, screen: Screen, width: int, where: str) -> None:
    response = page.goto(screen.url)
    assert response.status == screen.status, where
    expect(page.locator("body")).to_be_visible()
    if screen.ready:
        screen.ready(page)
    expect_no_wider_than_the_window(page, where)
    expect_placeholders_whole(page, where)
    main_menu = page.get_by_role("navigation", name="Main Menu")
    if main_menu.count():
        menu_button = page.get_by_role("button", name="Main Menu", exact=True)
        # Below a tablet's width the Main Menu folds behind its button; above, it is shown.
        expect(menu_button if width < 768 else main_menu).to_be_visible()
        expect(main_menu if width < 768 else menu_button).to_be_hidden()
    switch = page.get_by_role("switch", name="Pause Agent Upgrades", exact=True)
    if switch.count():
        expect_inside_the_window(page, switch, f"{where}: the switch")
    settings = page.get_by_role("button", name="Settings", exact=True)
    if settings.count():
        settings.click()
        item = page.get_by_role("menuitem", name="Cluster Settings", exact=True)
        expect(item).to_be_visible()
        expect_inside_the_window(page, item, f"{where}: the Settings menu")
        page.keyboard.press("Escape")
    audit = width in AUDITED
    if audit:
        expect_no_axe_violation(page, where)
    shoot(page, where)
    if screen.before:
        screen.before(page)
    for control in screen.dialogs:
        check_dialog(page, control, where, audit)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_every_width_and_passes_axe(browsing: Browsing, demo, role: str):
    screens = the_world(demo)
    browsing.allow_console_error(r"status of 404\b")  # the not-found page, asked for on purpose
    page = browsing.new_page(None if role == "anonymous" else role)
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for screen in screens[role]:
            check_screen(page, screen, width, f"{role}-{width}-{screen.name}")


def test_the_main_menu_folds_behind_its_button_on_a_phone(browsing: Browsing, demo):
    page = browsing.new_page("tenant-admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    menu = page.get_by_role("navigation", name="Main Menu")
    button = page.get_by_role("button", name="Main Menu", exact=True)
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")

    button.click()

    expect(menu).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect_inside_the_window(page, menu.get_by_role("link", name="Audit Logs"), "menu")
    menu.get_by_role("link", name="Projects", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Projects")
    # The list is stacked rows on a phone, still a table by its roles.
    expect(page.get_by_role("rowheader")).to_have_text(["Default", "Edge"])
    expect(page.get_by_role("row").nth(1).get_by_role("cell").first).to_have_text("3")
