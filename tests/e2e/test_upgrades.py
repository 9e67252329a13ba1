"""Agent upgrades that a pause really holds back (issue 3), in headless Chromium: a platform
release on the superuser page, the paused cluster held back and caught up on resume, pauses with
a reason and an end, the Clusters list's filters. Found by role and accessible name (DESIGN.md §4);
the steps and readers are the ones of test_flows.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
)
from tests.factories import make_user

from .conftest import Browsing
from .test_flows import (
    ACME_CLUSTERS,
    DEFAULT_CLUSTERS,
    agent_upgrades_column,
    agent_upgrades_switch,
    confirm_dialog,
    expect_agent_upgrades,
    go_to,
    main_menu,
    messages,
    open_cluster_settings,
    open_platform_settings,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUPERUSER = "platform-admin"


# Steps and readers for this screens.


@pytest.fixture
def superuser(demo) -> User:
    return make_user(SUPERUSER, superuser=True)


def table_column(page: Page, header: str) -> dict[str, str]:
    """The Clusters table as {cluster name: its cell under `header`}, whitespace collapsed."""
    table = clusters_table(page)
    expect(table).to_be_visible()
    headers = [text.strip() for text in table.get_by_role("columnheader").all_text_contents()]
    column = headers.index(header) - 1  # the name is a row header, not a cell
    result = {}
    for row in table.get_by_role("row").all()[1:]:
        name = row.get_by_role("rowheader").text_content().strip()
        result[name] = " ".join(row.get_by_role("cell").nth(column).text_content().split())
    return result


def cluster_rows(page: Page) -> Locator:
    """The cluster names in the Clusters table (not the per-project summary)."""
    return clusters_table(page).get_by_role("rowheader")


def clusters_table(page: Page) -> Locator:
    """The Clusters table, by its caption ("Clusters, showing 1–5 of 5")."""
    return page.get_by_role("table", name=re.compile(r"^Clusters, "))


def fact(page: Page, term: str, within: Locator | None = None) -> Locator:
    """The value of one term in a description list: a fact at the top of a cluster's page
    ("Agent version", …), or a count in the Clusters summary."""
    terms = (within or page.locator("main")).get_by_role("term")
    term_cell = terms.filter(has_text=re.compile(rf"^{re.escape(term)}$"))
    return term_cell.locator("xpath=following-sibling::dd[1]")


def summary_count(page: Page, term: str) -> Locator:
    return fact(page, term, within=page.get_by_role("region", name="Summary"))


def behind_badges(page: Page) -> Locator:
    return clusters_table(page).get_by_text("Behind", exact=True)


def release(page: Page, version: str, confirm: bool = True) -> None:
    """Header > Platform Upgrades > Version > Release > OK (a version that would be refused
    is not asked about: `confirm=False`)."""
    page.get_by_role("link", name="Platform Upgrades", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform Upgrades")
    page.get_by_label("Version", exact=True).fill(version)
    page.get_by_role("button", name="Release", exact=True).click()
    if confirm:
        dialog = confirm_dialog(page)
        expect(dialog).to_contain_text(f"Release {version}")
        dialog.get_by_role("button", name="OK", exact=True).click()


def open_pause_dialog(page: Page, switch: Locator) -> Locator:
    switch.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Reason", exact=True)).to_be_visible()
    expect(dialog.get_by_label("Pause until (UTC)", exact=True)).to_be_visible()
    return dialog


def utc_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def as_shown(moment: datetime) -> str:
    """How the console writes a date and time: '2026-12-01 18:00 UTC'."""
    return f"{moment:%Y-%m-%d %H:%M} UTC"


# 1. The flow: pause, release, held back, resume, caught up.


def test_a_release_holds_back_the_paused_cluster_and_resuming_catches_it_up(
    browsing: Browsing, demo, superuser: User, screenshot_dir: Path
):
    page = browsing.new_page(SUPERUSER)
    page.goto("/")

    # Pause one cluster: Settings > Cluster Settings > switch > OK (no reason, no end).
    switch = open_cluster_settings(page, "prod-east")
    dialog = open_pause_dialog(page, switch)
    expect(dialog).to_contain_text("Pause agent upgrades for cluster prod-east.")
    dialog.get_by_role("button", name="OK", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(switch).to_be_checked()
    expect(messages(page)).to_have_text("Agent upgrades paused for cluster prod-east.")

    # Release 4.8.0 on the superuser's page.
    release(page, "4.8.0")
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform Upgrades")
    expect(messages(page)).to_have_text(
        "Platform 4.8.0 released: 5 agents upgraded to 4.8.0, 1 cluster held back by a pause."
    )
    expect(page.get_by_text("Current platform 4.8.0 with agent 4.8.0")).to_be_visible()
    newest = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile("^4.8.0"))
    )
    expect(newest).to_contain_text("Current")
    expect(newest.get_by_role("cell")).to_have_text(
        ["4.8.0", re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"), SUPERUSER, "5", "1"]
    )
    page.screenshot(path=screenshot_dir / "platform-upgrades.png", full_page=True)

    # The Clusters list: prod-east held back with its badge, the others upgraded.
    page.get_by_role("link", name="Palette", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clusters")
    assert table_column(page, "Agent version") == {
        "edge-01": "4.8.0",
        "edge-02": "4.8.0",
        "prod-east": "4.7.2 Behind",
        "prod-west": "4.8.0",
        "staging": "4.8.0",
    }
    expect_agent_upgrades(page, "prod-east", "Paused")
    expect(behind_badges(page)).to_have_count(1)
    expect(summary_count(page, "Behind")).to_have_text("1")
    page.screenshot(path=screenshot_dir / "clusters-behind.png", full_page=True)
    assert Cluster.objects.get(name="globex-main").agent_version == "4.8.0"  # another tenant too

    # prod-east's details tell why.
    page.get_by_role("link", name="prod-east", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("prod-east")
    expect(fact(page, "Agent version")).to_have_text(re.compile(r"^4\.7\.2\s+Behind$"))
    expect(fact(page, "Platform version")).to_have_text("4.8.0 (agent 4.8.0)")
    expect(
        page.get_by_text("Upgrade available: 4.7.2 → 4.8.0 — held back by the pause", exact=True)
    ).to_be_visible()

    # Resume: the dialog says the agent will be upgraded; OK; it catches up.
    page.get_by_role("button", name="Settings", exact=True).click()
    page.get_by_role("menuitem", name="Cluster Settings", exact=True).click()
    switch = agent_upgrades_switch(page)
    expect(switch).to_be_checked()
    switch.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog.locator("#confirm-message")).to_have_text(
        "Resume agent upgrades for cluster prod-east. "
        "Its agent will be upgraded from 4.7.2 to 4.8.0."
    )
    dialog.get_by_role("button", name="OK", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(switch).not_to_be_checked()
    expect(messages(page)).to_have_text(
        "Agent upgrades resumed for cluster prod-east. Its agent was upgraded to 4.8.0."
    )
    expect(page.get_by_text("Upgrade available")).to_have_count(0)
    history = page.get_by_role("region", name="History")
    # Both entries, in either order: they happen in the same transaction, at the same time.
    for entry in ("Agent upgrades Paused → Active", "Agent upgraded 4.7.2 → 4.8.0 (resume)"):
        expect(
            history.get_by_role("listitem").filter(has_text=f"just now · {SUPERUSER} · {entry}")
        ).to_have_count(1)

    # The same page, loaded again: agent 4.8.0, no Behind badge.
    page.reload()
    expect(fact(page, "Agent version")).to_have_text("4.8.0")
    expect(page.get_by_text("Behind", exact=True)).to_have_count(0)
    go_to(page, "Clusters")
    assert table_column(page, "Agent version") == dict.fromkeys(ACME_CLUSTERS, "4.8.0")
    upgrade = AgentUpgrade.objects.get(cluster=demo.prod_east)
    assert (upgrade.from_version, upgrade.to_version, upgrade.cause) == ("4.7.2", "4.8.0", "resume")


def test_the_agent_version_on_the_cluster_page_follows_the_resume_without_a_reload(
    browsing: Browsing, demo, superuser: User, screenshot_dir: Path
):
    Cluster.objects.filter(pk=demo.prod_east.pk).update(agent_upgrades=AgentUpgrades.LOCK)
    page = browsing.new_page(SUPERUSER)
    page.goto("/")
    release(page, "4.8.0")
    expect(messages(page)).to_contain_text("1 cluster held back")
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")
    expect(fact(page, "Agent version")).to_contain_text("Behind")

    switch.click()
    confirm_dialog(page).get_by_role("button", name="OK", exact=True).click()
    expect(messages(page)).to_contain_text("Its agent was upgraded to 4.8.0.")
    page.screenshot(path=screenshot_dir / "cluster-resumed-caught-up.png", full_page=True)
    expect(fact(page, "Agent version")).to_have_text("4.8.0", timeout=1_000)


def test_the_resume_dialog_offers_no_reason_and_no_end(
    browsing: Browsing, demo, screenshot_dir: Path
):
    Cluster.objects.filter(pk=demo.prod_east.pk).update(agent_upgrades=AgentUpgrades.LOCK)
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")
    expect(switch).to_be_checked()

    switch.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_contain_text("Resume agent upgrades for cluster prod-east.")
    page.screenshot(path=screenshot_dir / "resume-dialog.png", full_page=True)
    expect(dialog.get_by_label("Reason", exact=True)).to_be_hidden(timeout=1_000)
    expect(dialog.get_by_label("Pause until (UTC)", exact=True)).to_be_hidden(timeout=1_000)


# 2. A pause with a reason and an end, at project scope; and its end passing.


def test_a_project_pause_with_a_reason_and_an_end_and_after_the_end_has_passed(
    browsing: Browsing, demo, screenshot_dir: Path
):
    until = utc_minute(timezone.now() + timedelta(days=30))
    page = browsing.new_page("project-admin")
    page.goto("/")

    switch = open_platform_settings(page, "Project Settings")
    dialog = open_pause_dialog(page, switch)
    expect(dialog).to_contain_text("Pause agent upgrades for 3 clusters in project Default.")
    dialog.get_by_label("Reason", exact=True).fill("change freeze for the Q3 release")
    dialog.get_by_label("Pause until (UTC)", exact=True).fill(f"{until:%Y-%m-%dT%H:%M}")
    page.screenshot(path=screenshot_dir / "pause-dialog-options.png", full_page=True)
    dialog.get_by_role("button", name="OK", exact=True).click()

    expect(dialog).to_be_hidden()
    expect(switch).to_be_checked()
    expect(messages(page)).to_have_text(
        f"Agent upgrades paused for 3 clusters in project Default until {as_shown(until)}."
    )
    panel = page.get_by_role("region", name="Platform Settings")
    expect(panel).to_contain_text(f"until {as_shown(until)}")
    expect(panel).to_contain_text("“change freeze for the Q3 release”")
    page.screenshot(path=screenshot_dir / "project-pause-with-end.png", full_page=True)
    demo.default.refresh_from_db()
    assert demo.default.agent_upgrades_until == until
    assert demo.default.agent_upgrades_reason == "change freeze for the Q3 release"
    event = AuditEvent.objects.get(project=demo.default, cluster=None)
    assert (event.reason, event.until) == ("change freeze for the Q3 release", until)

    # A cluster of the project carries them: its Cluster Settings and the Clusters list.
    open_cluster_settings(page, "prod-west")
    expect(agent_upgrades_switch(page)).to_be_checked()
    settings_panel = page.get_by_role("region", name="Cluster Settings")
    expect(settings_panel).to_contain_text(f"until {as_shown(until)}")
    expect(settings_panel).to_contain_text("“change freeze for the Q3 release”")
    expect(page.get_by_role("region", name="History")).to_contain_text(
        f"until {as_shown(until)} · “change freeze for the Q3 release”"
    )
    go_to(page, "Clusters")
    last_set = table_column(page, "Last set")
    for cluster in DEFAULT_CLUSTERS:
        assert last_set[cluster].startswith(
            f"until {as_shown(until)} · “change freeze for the Q3 release” · pushed by project "
            "Default · project-admin"
        ), last_set[cluster]
    assert agent_upgrades_column(page) == dict.fromkeys(DEFAULT_CLUSTERS, "Paused")

    # The end passes (moved into the past here): the pause no longer holds anywhere on screen.
    ended = utc_minute(timezone.now() - timedelta(hours=1))
    Cluster.objects.filter(project=demo.default).update(agent_upgrades_until=ended)
    Project.objects.filter(pk=demo.default.pk).update(agent_upgrades_until=ended)
    page.reload()
    assert agent_upgrades_column(page) == dict.fromkeys(DEFAULT_CLUSTERS, "Active")
    last_set = table_column(page, "Last set")
    for cluster in DEFAULT_CLUSTERS:
        assert last_set[cluster].startswith(f"pause ended {as_shown(ended)}"), last_set[cluster]
    expect(clusters_table(page)).not_to_contain_text("Paused")
    expect(summary_count(page, "Paused")).to_have_text("0")
    page.screenshot(path=screenshot_dir / "clusters-pause-ended.png", full_page=True)

    open_cluster_settings(page, "prod-west")
    expect(agent_upgrades_switch(page)).not_to_be_checked()
    expect(fact(page, "Agent upgrades")).to_contain_text("Active")
    expect(fact(page, "Agent upgrades")).to_contain_text(f"pause ended {as_shown(ended)}")
    expect(page.get_by_role("region", name="Cluster Settings")).not_to_contain_text("Paused")
    expect(page.get_by_role("region", name="Cluster Settings")).to_contain_text(
        f"Active · pause ended {as_shown(ended)}"
    )
    switch = open_platform_settings(page, "Project Settings")
    expect(switch).not_to_be_checked()
    expect(page.get_by_role("region", name="Platform Settings")).to_contain_text(
        f"Active · pause ended {as_shown(ended)}"
    )


# 3. Cancel after typing a reason.


def test_cancel_after_typing_a_reason_sends_nothing(browsing: Browsing, demo):
    page = browsing.new_page("project-admin")
    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")

    dialog = open_pause_dialog(page, switch)
    dialog.get_by_label("Reason", exact=True).fill("waiting for the vendor")
    dialog.get_by_label("Pause until (UTC)", exact=True).fill(
        f"{utc_minute(timezone.now() + timedelta(days=2)):%Y-%m-%dT%H:%M}"
    )
    dialog.get_by_role("button", name="Cancel", exact=True).click()

    expect(dialog).to_be_hidden()
    expect(switch).not_to_be_checked()
    expect(switch).to_be_focused()
    # Opened again, the dialog does not carry the abandoned reason over.
    dialog = open_pause_dialog(page, switch)
    expect(dialog.get_by_label("Reason", exact=True)).to_have_value("")
    expect(dialog.get_by_label("Pause until (UTC)", exact=True)).to_have_value("")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    assert posts == []
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == AgentUpgrades.UNLOCK
    assert demo.prod_east.agent_upgrades_version == 0
    assert demo.prod_east.agent_upgrades_reason == ""
    assert demo.prod_east.agent_upgrades_until is None
    assert not AuditEvent.objects.exists()
    page.reload()
    expect(agent_upgrades_switch(page)).not_to_be_checked()


# 4. The Clusters list's search and filters.


def test_the_clusters_list_filters_in_place_and_the_back_button_restores_them(
    browsing: Browsing, demo
):
    Cluster.objects.filter(name__in=["prod-east", "staging"]).update(
        agent_upgrades=AgentUpgrades.LOCK
    )
    page = browsing.new_page("tenant-admin")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Clusters")
    expect(cluster_rows(page)).to_have_text(ACME_CLUSTERS)
    list_url = page.url
    page.evaluate("window.stillTheSamePage = true")  # gone if the page is loaded again
    fragments = []
    page.on(
        "request",
        lambda request: (
            fragments.append(request.url) if request.headers.get("hx-request") == "true" else None
        ),
    )
    search = page.get_by_role("searchbox", name="Search clusters", exact=True)
    paused = page.get_by_role("checkbox", name="Paused", exact=True)
    results_status = (
        page.locator("#cluster-results").get_by_role("status").filter(has_text="Showing")
    )

    search.fill("prod")
    expect(page).to_have_url(re.compile(r"/clusters/\?q=prod$"))
    expect(cluster_rows(page)).to_have_text(["prod-east", "prod-west"])
    expect(results_status).to_have_text("Showing 1–2 of 2")

    paused.check()
    expect(page).to_have_url(re.compile(r"/clusters/\?q=prod&paused=1$"))
    expect(cluster_rows(page)).to_have_text(["prod-east"])
    expect(results_status).to_have_text("Showing 1–1 of 1")

    search.fill("")
    expect(page).to_have_url(re.compile(r"/clusters/\?(q=&)?paused=1$"))  # as a GET form sends
    expect(cluster_rows(page)).to_have_text(["prod-east", "staging"])
    assert agent_upgrades_column(page) == {"prod-east": "Paused", "staging": "Paused"}
    assert page.evaluate("window.stillTheSamePage") is True
    assert fragments, "the filters did not go through htmx"

    # Back: the previous list, with the search box and the checkbox as they were.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/clusters/\?q=prod&paused=1$"))
    expect(cluster_rows(page)).to_have_text(["prod-east"])
    expect(search).to_have_value("prod")
    expect(paused).to_be_checked()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/clusters/\?q=prod$"))
    expect(cluster_rows(page)).to_have_text(["prod-east", "prod-west"])
    expect(paused).not_to_be_checked()
    page.go_back()
    expect(page).to_have_url(list_url)
    expect(cluster_rows(page)).to_have_text(ACME_CLUSTERS)
    expect(search).to_have_value("")
    expect(main_menu(page)).to_be_visible()


# 5. A refused release.


@pytest.mark.parametrize(
    ("version", "says"),
    [
        pytest.param(
            "4.7.2",
            "4.7.2 is not newer than the current platform version 4.7.2. Nothing was released.",
            id="not-newer",
        ),
        pytest.param(
            "4.8",
            "“4.8” is not a version. Use three numbers separated by dots, like 4.8.0.",
            id="malformed",
        ),
    ],
)
def test_a_refused_release_shows_why_next_to_the_form_and_changes_nothing(
    browsing: Browsing, demo, superuser: User, version: str, says: str, screenshot_dir: Path
):
    page = browsing.new_page(SUPERUSER)
    page.goto("/")
    browsing.allow_console_error(r"status of 400\b")  # the browser logs the refused answer

    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        release(page, version, confirm=False)
    assert answer.value.status == 400

    expect(page.get_by_role("heading", level=1)).to_have_text("Platform Upgrades")
    expect(page.get_by_role("alert")).to_have_text(says)
    field = page.get_by_label("Version", exact=True)
    expect(field).to_have_value(version)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(says)
    expect(messages(page)).to_have_text("")
    expect(page.get_by_text("Current platform 4.7.2 with agent 4.7.2")).to_be_visible()
    expect(page.get_by_role("rowheader")).to_have_text([re.compile(r"^4\.7\.2")])
    page.screenshot(path=screenshot_dir / f"release-refused-{version}.png", full_page=True)

    assert list(PlatformRelease.objects.values_list("version", flat=True)) == ["4.7.2"]
    assert set(Cluster.objects.values_list("agent_version", flat=True)) == {"4.7.2"}
    assert not AgentUpgrade.objects.exists()
