"""The flows an administrator does in the console (Palette's documented steps), in headless
Chromium, found by role and accessible name exactly as a validation run finds them (DESIGN.md §4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from playwright.sync_api import Locator, Page, expect

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster
from settings_app.validation import steps
from tests.factories import PASSWORD

from .conftest import Browsing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACME_CLUSTERS = ["edge-01", "edge-02", "prod-east", "prod-west", "staging"]
DEFAULT_CLUSTERS = ["prod-east", "prod-west", "staging"]
TENANT_MENU = ["Clusters", "Projects", "Tenant Settings", "Audit Logs"]
PROJECT_MENU = ["Clusters", "Project Settings", "Audit Logs"]


# Steps, in the words of the console: Palette's documented steps are the validation runs' own
# (settings_app.validation.steps), found by role and accessible name, so that the tests and the
# shipped tool cannot drift apart.

main_menu = steps.main_menu
go_to = steps.go_to
open_platform_settings = steps.open_platform_settings
agent_upgrades_switch = steps.agent_upgrades_switch


def log_in_with_form(page: Page, username: str) -> None:
    """The login form; the address is relative to the browser context's base URL."""
    steps.log_in(page, "", username, PASSWORD)


def open_cluster_settings(page: Page, cluster: str) -> Locator:
    """Main Menu > Clusters > the cluster > Settings > Cluster Settings; returns the switch."""
    steps.open_cluster(page, cluster)
    return steps.open_cluster_settings(page)


confirm_dialog = steps.confirm_dialog


def click_and_confirm(page: Page, switch: Locator, says: str | re.Pattern[str]) -> None:
    """Toggle and OK whatever the server answers (a refusal, a conflict): where the change must
    be saved, the tests use steps.toggle_and_confirm, which also sees the switch change."""
    switch.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(says)
    dialog.get_by_role("button", name="OK", exact=True).click()
    expect(dialog).to_be_hidden()


def messages(page: Page) -> Locator:
    return page.get_by_role("status")


def agent_upgrades_column(page: Page) -> dict[str, str]:
    """The Clusters table as {cluster name: its Agent upgrades cell}, read after the page is in."""
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    headers = [text.strip() for text in table.get_by_role("columnheader").all_text_contents()]
    column = headers.index("Agent upgrades") - 1  # the name is a row header, not a cell
    result = {}
    for row in table.get_by_role("row").all()[1:]:
        name = row.get_by_role("rowheader").text_content().strip()
        result[name] = row.get_by_role("cell").nth(column).text_content().strip()
    return result


def expect_agent_upgrades(page: Page, cluster: str, shown: str) -> None:
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=cluster, exact=True)
    )
    expect(row).to_have_count(1)
    cells = page.get_by_role("table").get_by_role("columnheader")
    headers = [text.strip() for text in cells.all_text_contents()]
    expect(row.get_by_role("cell").nth(headers.index("Agent upgrades") - 1)).to_have_text(shown)


def agent_upgrades(name: str) -> str:
    return Cluster.objects.get(project__tenant__name="Acme", name=name).agent_upgrades


# 1. Cluster scope


def test_project_admin_pauses_one_cluster_and_it_stays_paused_after_logging_in_again(
    browsing: Browsing, demo, screenshot_dir: Path
):
    page = browsing.new_page()
    log_in_with_form(page, "project-admin")

    switch = open_cluster_settings(page, "prod-east")
    expect(switch).not_to_be_checked()
    switch.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        "Pause agent upgrades for cluster prod-east. Its agent stays at 4.7.2 when the platform "
        "is upgraded, until upgrades are resumed."
    )
    expect(dialog.get_by_role("button", name="Cancel", exact=True)).to_be_focused()
    page.screenshot(path=screenshot_dir / "cluster-settings-dialog.png", full_page=True)
    dialog.get_by_role("button", name="OK", exact=True).click()

    expect(dialog).to_be_hidden()
    expect(switch).to_be_checked()
    expect(switch).to_be_focused()
    expect(messages(page)).to_have_text("Agent upgrades paused for cluster prod-east.")
    # The facts at the top of the page follow the answer too.
    expect(page.get_by_role("definition").filter(has_text="set on this cluster")).to_contain_text(
        "Paused"
    )
    page.screenshot(path=screenshot_dir / "cluster-settings-paused.png", full_page=True)
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == AgentUpgrades.LOCK
    assert agent_upgrades("prod-west") == AgentUpgrades.UNLOCK  # a cluster never writes sideways
    demo.default.refresh_from_db()
    assert demo.default.agent_upgrades == AgentUpgrades.UNLOCK  # nor upward (rule 4)

    # Validate: log out, log in again, the same steps, the switch shows the saved value.
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    log_in_with_form(page, "project-admin")
    assert steps.is_on(page, open_cluster_settings(page, "prod-east"))


def test_palettes_steps_find_everything_on_a_phone_where_the_main_menu_folds(
    browsing: Browsing, demo
):
    phone = {"width": 390, "height": 844}
    page = browsing.new_page()
    page.set_viewport_size(phone)
    log_in_with_form(page, "tenant-admin")
    expect(page.get_by_role("button", name="Main Menu", exact=True)).to_be_visible()
    expect(main_menu(page)).to_be_hidden()

    switch = open_cluster_settings(page, "prod-east")
    assert steps.toggle_and_confirm(
        page, switch, says="Pause agent upgrades for cluster prod-east."
    )
    assert not steps.is_on(page, open_platform_settings(page, "Tenant Settings"))

    # Validate in a new login on the phone, then Undo this change puts the value back.
    again = browsing.new_page()
    again.set_viewport_size(phone)
    log_in_with_form(again, "tenant-admin")
    switch = open_cluster_settings(again, "prod-east")
    assert steps.is_on(again, switch)
    assert steps.undo_and_confirm(again, switch)
    assert agent_upgrades("prod-east") == AgentUpgrades.UNLOCK


# 2. Project scope


def test_project_admin_pauses_the_project_and_all_its_clusters_show_paused(
    browsing: Browsing, demo
):
    page = browsing.new_page()
    log_in_with_form(page, "project-admin")

    switch = open_platform_settings(page, "Project Settings")
    expect(switch).not_to_be_checked()
    assert steps.toggle_and_confirm(
        page, switch, says="Pause agent upgrades for 3 clusters in project Default."
    )
    expect(messages(page)).to_have_text("Agent upgrades paused for 3 clusters in project Default.")
    assert {c.name: c.agent_upgrades for c in demo.default.clusters.all()} == dict.fromkeys(
        DEFAULT_CLUSTERS, AgentUpgrades.LOCK
    )
    assert agent_upgrades("edge-01") == AgentUpgrades.UNLOCK

    # Validate in a new login.
    again = browsing.new_page()
    log_in_with_form(again, "project-admin")
    assert steps.is_on(again, open_platform_settings(again, "Project Settings"))
    go_to(again, "Clusters")
    for cluster in DEFAULT_CLUSTERS:
        expect_agent_upgrades(again, cluster, "Paused")


# 3. Tenant scope


def test_tenant_admin_pauses_the_tenant_and_every_acme_cluster_shows_paused(
    browsing: Browsing, demo, screenshot_dir: Path
):
    page = browsing.new_page()
    log_in_with_form(page, "tenant-admin")

    switch = open_platform_settings(page, "Tenant Settings")
    expect(switch).not_to_be_checked()
    assert steps.toggle_and_confirm(
        page, switch, says="Pause agent upgrades for 5 clusters in 2 projects of tenant Acme."
    )
    expect(messages(page)).to_have_text("Agent upgrades paused for 5 clusters in tenant Acme.")
    page.screenshot(path=screenshot_dir / "tenant-platform-settings.png", full_page=True)

    for cluster in ACME_CLUSTERS:
        expect(open_cluster_settings(page, cluster)).to_be_checked()
        # A cluster's pages keep the Main Menu of the scope the user is in.
        expect(main_menu(page).get_by_role("link")).to_have_text(TENANT_MENU)
    go_to(page, "Clusters")
    assert agent_upgrades_column(page) == dict.fromkeys(ACME_CLUSTERS, "Paused")

    # Globex is another tenant: untouched, as its own admin sees it.
    demo.globex_main.refresh_from_db()
    assert demo.globex_main.agent_upgrades == AgentUpgrades.UNLOCK
    globex = browsing.new_page("globex-admin")
    globex.goto("/")
    expect(open_cluster_settings(globex, "globex-main")).not_to_be_checked()


# 4. Cancel


def test_cancel_in_the_dialog_leaves_the_switch_and_the_setting_unchanged(browsing: Browsing, demo):
    page = browsing.new_page("project-admin")
    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")

    switch.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel", exact=True).click()

    expect(dialog).to_be_hidden()
    expect(switch).not_to_be_checked()
    expect(switch).to_be_enabled()
    expect(switch).to_be_focused()
    assert posts == []
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == AgentUpgrades.UNLOCK
    assert demo.prod_east.agent_upgrades_version == 0
    assert not AuditEvent.objects.exists()

    page.reload()
    expect(agent_upgrades_switch(page)).not_to_be_checked()


def test_from_the_keyboard_escape_closes_the_dialog_without_a_change(browsing: Browsing, demo):
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_platform_settings(page, "Project Settings")

    switch.focus()
    page.keyboard.press("Space")
    expect(confirm_dialog(page)).to_be_visible()
    expect(confirm_dialog(page).get_by_role("button", name="Cancel", exact=True)).to_be_focused()
    page.keyboard.press("Escape")

    expect(confirm_dialog(page)).to_be_hidden()
    expect(switch).not_to_be_checked()
    expect(switch).to_be_focused()
    page.reload()
    expect(agent_upgrades_switch(page)).not_to_be_checked()
    assert not AuditEvent.objects.exists()


# 5. Read-only


def test_the_viewer_sees_disabled_switches_with_the_reason(
    browsing: Browsing, demo, screenshot_dir: Path
):
    page = browsing.new_page("viewer")
    page.goto("/")
    expect(main_menu(page).get_by_role("link")).to_have_text(PROJECT_MENU)

    switch = open_cluster_settings(page, "prod-east")
    expect(switch).to_be_disabled()
    expect(switch).not_to_be_checked()
    reason = "You have view-only access to project Default."
    expect(page.get_by_text(reason)).to_be_visible()
    expect(switch).to_have_accessible_description(re.compile(re.escape(reason)))
    page.screenshot(path=screenshot_dir / "viewer-cluster-settings.png", full_page=True)

    switch = open_platform_settings(page, "Project Settings")
    expect(switch).to_be_disabled()
    expect(page.get_by_text(reason)).to_be_visible()


# 6. Override and push


def test_a_resumed_cluster_stays_active_until_the_tenant_is_paused_again(
    browsing: Browsing, demo, screenshot_dir: Path
):
    page = browsing.new_page("tenant-admin")
    page.goto("/")
    tenant_switch = open_platform_settings(page, "Tenant Settings")
    assert steps.toggle_and_confirm(page, tenant_switch, says="Pause agent upgrades for 5 clusters")

    # Resume one cluster: an override of the tenant's push.
    switch = open_cluster_settings(page, "prod-east")
    assert steps.is_on(page, switch)
    assert not steps.toggle_and_confirm(
        page,
        switch,
        says="Resume agent upgrades for cluster prod-east. Its current value came from tenant "
        "Acme; the next time tenant Acme is paused or resumed, this cluster follows it again.",
    )
    expect(messages(page)).to_have_text("Agent upgrades resumed for cluster prod-east.")
    go_to(page, "Clusters")
    expect_agent_upgrades(page, "prod-east", "Active")
    for cluster in ["edge-01", "edge-02", "prod-west", "staging"]:
        expect_agent_upgrades(page, cluster, "Paused")

    # The tenant still shows paused, and tells that one cluster was set below it.
    tenant_switch = open_platform_settings(page, "Tenant Settings")
    expect(tenant_switch).to_be_checked()
    expect(page.get_by_text("4 of 5 clusters in 2 projects paused now")).to_be_visible()
    expect(page.get_by_text("1 set at project or cluster level")).to_be_visible()
    page.screenshot(path=screenshot_dir / "tenant-platform-settings-override.png", full_page=True)

    # Pausing the tenant again: the switch offers only the opposite of what is there, so a
    # person resumes and pauses; the push overwrites the override.
    assert not steps.toggle_and_confirm(
        page,
        tenant_switch,
        says="Resume agent upgrades for 5 clusters in 2 projects of tenant Acme. 1 of them was "
        "set at project or cluster level and will be overwritten.",
    )
    assert steps.toggle_and_confirm(page, tenant_switch, says="Pause agent upgrades for 5 clusters")
    go_to(page, "Clusters")
    assert agent_upgrades_column(page) == dict.fromkeys(ACME_CLUSTERS, "Paused")
    assert agent_upgrades("prod-east") == AgentUpgrades.LOCK


# 7. Scope switcher


def test_the_tenant_admin_switches_to_a_project_scope(browsing: Browsing, demo):
    page = browsing.new_page("tenant-admin")
    page.goto("/")
    scope = page.get_by_role("combobox", name="Scope", exact=True)
    expect(scope).to_have_value(f"tenants/{demo.acme.pk}")
    expect(main_menu(page).get_by_role("link")).to_have_text(TENANT_MENU)

    scope.select_option(label="Default")

    expect(page).to_have_url(re.compile(rf"/projects/{demo.default.pk}/clusters/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Clusters")
    expect(page.get_by_text("Project Default in tenant Acme")).to_be_visible()
    expect(page.get_by_role("rowheader")).to_have_text(DEFAULT_CLUSTERS)
    expect(page.get_by_role("combobox", name="Scope", exact=True)).to_have_value(
        f"projects/{demo.default.pk}"
    )
    expect(main_menu(page).get_by_role("link")).to_have_text(PROJECT_MENU)
    expect(page.get_by_role("rowheader")).to_have_text(DEFAULT_CLUSTERS)


# 8. A refused request


@pytest.mark.parametrize(
    ("change_of_role", "status", "says"),
    [
        pytest.param(
            "revoked",
            404,
            "No such page, or you have no role that lets you see it. "
            "Nothing was changed; reload the page to see what you can reach.",
            id="revoked",
        ),
        pytest.param(
            "demoted",
            403,
            "You have view-only access to project Default. A Cluster Admin, Project Admin or "
            "Tenant Admin can change this setting. Nothing was changed.",
            id="demoted-to-viewer",
        ),
    ],
)
def test_a_refused_change_leaves_the_switch_showing_the_truth(
    browsing: Browsing, demo, change_of_role: str, status: int, says: str, screenshot_dir: Path
):
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")
    expect(switch).not_to_be_checked()

    # The role changes after the page was loaded.
    project_admin = User.objects.get(username="project-admin")
    project_admin.groups.remove(Group.objects.get(name="Acme / Default · Project Admin"))
    if change_of_role == "demoted":
        project_admin.groups.add(Group.objects.get(name="Acme / Default · Project Viewer"))
    # The browser logs the refused answer itself; that one line is expected.
    browsing.allow_console_error(rf"status of {status}\b")

    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        click_and_confirm(page, switch, "Pause agent upgrades for cluster prod-east.")
    assert answer.value.status == status

    expect(messages(page)).to_have_text(says)
    expect(switch).not_to_be_checked()
    if change_of_role == "demoted":
        # The answer re-renders the panel with what the user may do now.
        expect(switch).to_be_disabled()
    page.screenshot(path=screenshot_dir / f"refused-{change_of_role}.png", full_page=True)
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == AgentUpgrades.UNLOCK
    assert not AuditEvent.objects.exists()


# More of DESIGN.md §4: the Cluster Admin, pages left open, sessions that end.


def test_the_cluster_admin_sees_only_their_cluster_and_may_pause_it(browsing: Browsing, demo):
    page = browsing.new_page("cluster-admin")
    page.goto("/")
    expect(main_menu(page).get_by_role("link")).to_have_text(["Clusters", "Audit Logs"])
    expect(page.get_by_role("rowheader")).to_have_text(["prod-east"])

    switch = open_cluster_settings(page, "prod-east")
    assert steps.toggle_and_confirm(
        page, switch, says="Pause agent upgrades for cluster prod-east."
    )
    assert agent_upgrades("prod-east") == AgentUpgrades.LOCK


def test_a_page_left_open_shows_the_truth_after_someone_else_changed_the_setting(
    browsing: Browsing, demo
):
    mine = browsing.new_page("project-admin")
    mine.goto("/")
    my_switch = open_cluster_settings(mine, "prod-east")
    theirs = browsing.new_page("tenant-admin")
    theirs.goto("/")
    their_switch = open_cluster_settings(theirs, "prod-east")

    # They pause first; my page still shows Active and asks for the same: nothing is written
    # twice, and my switch now shows the truth.
    click_and_confirm(theirs, their_switch, "Pause agent upgrades for cluster prod-east.")
    expect(their_switch).to_be_checked()
    expect(my_switch).not_to_be_checked()
    click_and_confirm(mine, my_switch, "Pause agent upgrades for cluster prod-east.")
    expect(my_switch).to_be_checked()
    expect(messages(mine)).to_have_text(
        "Agent upgrades are already paused for cluster prod-east; nothing changed."
    )
    assert AuditEvent.objects.filter(cluster=demo.prod_east).count() == 1

    # They resume and pause again; my page (from the first pause) asks to resume: a conflict,
    # told as such, nothing saved, the switch still showing the truth.
    click_and_confirm(theirs, their_switch, "Resume agent upgrades for cluster prod-east.")
    expect(their_switch).not_to_be_checked()
    click_and_confirm(theirs, their_switch, "Pause agent upgrades for cluster prod-east.")
    expect(their_switch).to_be_checked()
    browsing.allow_console_error(r"status of 409\b")
    click_and_confirm(mine, my_switch, "Resume agent upgrades for cluster prod-east.")
    expect(messages(mine)).to_contain_text(
        "Cluster prod-east was changed after this page was loaded"
    )
    expect(messages(mine)).to_contain_text("Nothing was saved")
    expect(my_switch).to_be_checked()
    assert agent_upgrades("prod-east") == AgentUpgrades.LOCK
    assert AuditEvent.objects.filter(cluster=demo.prod_east).count() == 3


def test_an_ended_session_sends_the_person_to_log_in_and_back_to_the_same_page(
    browsing: Browsing, demo
):
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")
    settings_url = page.url
    Session.objects.all().delete()  # the session ends on the server; the tab stays open

    click_and_confirm(page, switch, "Pause agent upgrades for cluster prod-east.")

    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "Your session ended; your change was not saved. Log in and make it again."
    )
    assert agent_upgrades("prod-east") == AgentUpgrades.UNLOCK
    page.get_by_label("Username", exact=True).fill("project-admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(settings_url)
    expect(agent_upgrades_switch(page)).not_to_be_checked()


@pytest.mark.parametrize(
    ("settings_menu", "says"),
    [
        (
            "Tenant Settings",
            "Resume agent upgrades for 5 clusters in 2 projects of tenant Acme. "
            "5 agents held back by the pause will be upgraded to 4.8.0.",
        ),
        (
            "Project Settings",
            "Resume agent upgrades for 3 clusters in project Default. "
            "3 agents held back by the pause will be upgraded to 4.8.0.",
        ),
    ],
)
def test_the_resume_dialog_says_which_agents_will_be_upgraded(
    browsing: Browsing, demo, settings_menu: str, says: str
):
    page = browsing.new_page(
        "tenant-admin" if settings_menu == "Tenant Settings" else "project-admin"
    )
    page.goto("/")
    switch = open_platform_settings(page, settings_menu)
    assert steps.toggle_and_confirm(page, switch, says="Pause agent upgrades")
    # The platform is upgraded while the agents are held back.
    rules.release_platform("4.8.0")
    page.reload()

    agent_upgrades_switch(page).click()
    dialog = confirm_dialog(page)
    expect(dialog).to_contain_text(says)
    # As the cluster dialog does ("Its agent will be upgraded from 4.7.2 to 4.8.0."), the push
    # dialog says that the held-back agents will be upgraded, and to what.
    expect(dialog.locator("#confirm-message")).to_have_text(says)
