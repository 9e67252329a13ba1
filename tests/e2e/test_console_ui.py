"""The console as a person uses it (issue 10): a skip link, messages that can be closed and that
fade when they report a success, releasing a version that asks first with its impact, every
change asked on a confirmation page without JavaScript, and Back and Forward through paged and
filtered lists and through a change, with no console error or CSP violation (conftest)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Error, Page, expect

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster, PlatformRelease

from .conftest import TIMEOUT_MS, Browsing, log_in_by_cookie
from .test_flows import (
    agent_upgrades_switch,
    click_and_confirm,
    confirm_dialog,
    expect_agent_upgrades,
    go_to,
    messages,
    open_cluster_settings,
    open_platform_settings,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def root(demo) -> User:
    return User.objects.create_superuser("root", "root@example.com", "palette-demo")


def posts_of(page: Page) -> list[str]:
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    return posts


# The skip link.


def test_the_first_tab_reaches_skip_to_content_which_leads_to_the_content(browsing: Browsing, demo):
    page = browsing.new_page("tenant-admin")
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content", exact=True)
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is in the content, not the Main Menu
    assert page.evaluate("document.activeElement.closest('main') !== null")


# Messages.


def test_a_message_is_at_the_top_of_the_content_and_can_be_closed(browsing: Browsing, demo):
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")
    page.locator("#messages").evaluate("region => region.dataset.fadeAfter = '60000'")

    click_and_confirm(page, switch, "Pause agent upgrades for cluster prod-east.")

    message = messages(page)
    expect(message).to_have_text("Agent upgrades paused for cluster prod-east.")
    top = page.locator("main").bounding_box()["y"]
    assert message.bounding_box()["y"] - top < 40  # first in the content, covering nothing
    message.get_by_role("button", name="Close message", exact=True).click()
    expect(message).to_have_text("")


def test_a_success_fades_and_a_conflict_stays_until_closed(browsing: Browsing, demo, user):
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")
    page.locator("#messages").evaluate("region => region.dataset.fadeAfter = '300'")

    click_and_confirm(page, switch, "Pause agent upgrades for cluster prod-east.")
    expect(messages(page)).to_have_text("Agent upgrades paused for cluster prod-east.")
    expect(messages(page)).to_have_text("", timeout=TIMEOUT_MS)

    # Someone else resumes and pauses again: this page is stale, its change is refused.
    admin = user("tenant-admin")
    rules.set_cluster(demo.prod_east, AgentUpgrades.UNLOCK, actor=admin)
    rules.set_cluster(demo.prod_east, AgentUpgrades.LOCK, actor=admin)
    browsing.allow_console_error(r"status of 409\b")
    click_and_confirm(page, switch, "Resume agent upgrades for cluster prod-east.")
    conflict = messages(page)
    expect(conflict).to_contain_text("was changed after this page was loaded")
    page.wait_for_timeout(900)  # three times the fade of a success
    expect(conflict).to_contain_text("was changed after this page was loaded")
    conflict.get_by_role("button", name="Close message", exact=True).click()
    expect(conflict).to_have_text("")


def test_a_dialog_never_opens_over_an_earlier_message(browsing: Browsing, demo):
    page = browsing.new_page("project-admin")
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")
    page.locator("#messages").evaluate("region => region.dataset.fadeAfter = '60000'")
    click_and_confirm(page, switch, "Pause agent upgrades for cluster prod-east.")
    expect(messages(page)).not_to_have_text("")

    switch.click()

    expect(confirm_dialog(page)).to_be_visible()
    expect(messages(page)).to_have_text("")
    confirm_dialog(page).get_by_role("button", name="Cancel", exact=True).click()


# Releasing a version asks first, with its impact counted on the server.


def test_release_asks_with_the_impact_and_cancel_sends_nothing(
    browsing: Browsing, demo, root, user
):
    rules.set_cluster(demo.prod_east, AgentUpgrades.LOCK, actor=user("tenant-admin"))
    page = browsing.new_page("root")
    posts = posts_of(page)
    page.goto("/platform/upgrades/")
    page.get_by_label("Version", exact=True).fill("4.8.0")

    page.get_by_role("button", name="Release", exact=True).click()
    dialog = confirm_dialog(page)
    expect(dialog.get_by_role("heading")).to_have_text("Release platform 4.8.0?")
    expect(dialog.locator("#confirm-message")).to_have_text(
        "Release 4.8.0: the agents of 5 clusters will be upgraded to 4.8.0; 1 paused cluster in "
        "1 project will be held back."
    )
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog).to_be_hidden()
    assert posts == []
    assert PlatformRelease.current().version == "4.7.2"

    page.get_by_role("button", name="Release", exact=True).click()
    dialog.get_by_role("button", name="OK", exact=True).click()

    expect(messages(page)).to_have_text(
        "Platform 4.8.0 released: 5 agents upgraded to 4.8.0, 1 cluster held back by a pause."
    )
    assert PlatformRelease.current().version == "4.8.0"


# Without JavaScript: a confirmation page asks, and nothing changes until its OK.


def page_without_javascript(browsing: Browsing, username: str) -> Page:
    context = browsing.browser.new_context(base_url=browsing.base_url, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    browsing.contexts.append(context)
    log_in_by_cookie(context, browsing.base_url, username)
    return context.new_page()


def test_without_javascript_the_switch_asks_on_a_page_and_ok_pauses(browsing: Browsing, demo):
    page = page_without_javascript(browsing, "project-admin")
    page.goto("/")
    switch = open_cluster_settings(page, "prod-east")

    switch.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pause agent upgrades for prod-east?")
    expect(page.locator("main")).to_contain_text(
        "Pause agent upgrades for cluster prod-east. Its agent stays at 4.7.2"
    )
    assert not AuditEvent.objects.exists()
    main = page.locator("main")  # the page also holds the script's dialog, closed and unused
    main.get_by_label("Reason", exact=True).fill("vendor freeze")
    main.get_by_role("button", name="OK", exact=True).click()

    expect(agent_upgrades_switch(page)).to_be_checked()
    expect(messages(page)).to_have_text("Agent upgrades paused for cluster prod-east.")
    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert (cluster.agent_upgrades, cluster.agent_upgrades_reason) == ("lock", "vendor freeze")


def test_without_javascript_cancel_changes_nothing(browsing: Browsing, demo):
    page = page_without_javascript(browsing, "tenant-admin")
    page.goto("/")
    switch = open_platform_settings(page, "Tenant Settings")

    switch.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pause agent upgrades for tenant Acme?"
    )
    page.locator("main").get_by_role("button", name="Cancel", exact=True).click()

    expect(page.get_by_role("heading", name="Platform Settings", exact=True)).to_be_visible()
    expect(agent_upgrades_switch(page)).not_to_be_checked()
    assert not AuditEvent.objects.exists()


def test_without_javascript_release_asks_on_a_page(browsing: Browsing, demo, root):
    page = page_without_javascript(browsing, "root")
    page.goto("/platform/upgrades/")
    page.get_by_label("Version", exact=True).fill("4.8.0")

    page.get_by_role("button", name="Release", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Release platform 4.8.0?")
    assert PlatformRelease.current().version == "4.7.2"
    page.locator("main").get_by_role("button", name="OK", exact=True).click()

    expect(page.get_by_text("Current platform 4.8.0 with agent 4.8.0")).to_be_visible()
    assert PlatformRelease.current().version == "4.8.0"


# Back and Forward.


def back(page: Page) -> None:
    """Back. A page the browser kept from before a change loads itself again at once, which
    ends ("aborts") the history step's own load; the expectations that follow wait for it."""
    through_history(page.go_back)


def forward(page: Page) -> None:
    through_history(page.go_forward)


def through_history(step) -> None:
    try:
        step(wait_until="commit")
    except Error as aborted:
        if "ERR_ABORTED" not in aborted.message:
            raise
    # The next step starts from a settled page: a copy that reloads itself has finished doing so
    # (a second Back sent during that reload was lost on a busy machine).
    step.__self__.wait_for_load_state("load")


def names_listed(page: Page):
    return page.locator("#cluster-results").get_by_role("rowheader")


def test_back_and_forward_through_pages_filters_and_a_change(browsing: Browsing, demo):
    Cluster.objects.bulk_create(
        Cluster(project=demo.edge, tenant=demo.acme, name=f"node-{i:02d}", agent_version="4.7.2")
        for i in range(55)
    )
    page = browsing.new_page("tenant-admin")
    page.goto("/")
    expect(names_listed(page)).to_have_count(50)
    first_page = page.url

    page.get_by_role("link", name="Next", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?page=2&after=[^&]+$"))
    expect(names_listed(page)).to_have_count(10)
    page.get_by_role("searchbox", name="Search clusters").fill("prod")
    expect(page).to_have_url(re.compile(r"\?q=prod$"))
    expect(names_listed(page)).to_have_text(["prod-east", "prod-west"])

    # A change, then back through everything and forward again.
    page.get_by_role("link", name="prod-east", exact=True).click()
    page.get_by_role("button", name="Settings", exact=True).click()
    page.get_by_role("menuitem", name="Cluster Settings", exact=True).click()
    switch = agent_upgrades_switch(page)
    click_and_confirm(page, switch, "Pause agent upgrades for cluster prod-east.")
    expect(switch).to_be_checked()
    back(page)  # Cluster Settings → the cluster's details
    back(page)  # → the filtered list
    expect(page).to_have_url(re.compile(r"\?q=prod$"))
    expect(names_listed(page)).to_have_text(["prod-east", "prod-west"])
    # The list kept from before the change is loaded again: it shows the change.
    expect_agent_upgrades(page, "prod-east", "Paused")
    back(page)
    expect(page).to_have_url(re.compile(r"\?page=2&after=[^&]+$"))
    expect(names_listed(page)).to_have_count(10)
    back(page)
    expect(page).to_have_url(first_page)
    expect(names_listed(page)).to_have_count(50)
    forward(page)
    expect(names_listed(page)).to_have_count(10)
    forward(page)
    expect(names_listed(page)).to_have_text(["prod-east", "prod-west"])
    forward(page)
    forward(page)
    expect(agent_upgrades_switch(page)).to_be_checked()  # the change, as the server has it

    # The admin's pages too.
    go_to(page, "Audit Logs")
    page.goto("/admin/")  # a Tenant Admin is not staff: the admin's login page
    back(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit Logs")


def test_back_and_forward_through_the_admin(browsing: Browsing, demo, root):
    page = browsing.new_page("root")
    page.goto("/admin/")
    page.get_by_role("link", name="Clusters", exact=True).first.click()
    page.get_by_role("link", name="prod-east", exact=True).click()
    page.get_by_role("link", name="Object permissions").click()
    expect(page.get_by_role("heading", name="Object permissions")).to_be_visible()
    page.go_back()
    page.go_back()
    page.go_forward()
    page.go_forward()
    expect(page.get_by_role("heading", name="Object permissions")).to_be_visible()
