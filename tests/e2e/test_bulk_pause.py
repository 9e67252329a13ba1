"""Bulk pause from the Clusters list, in headless Chromium: select across a filter ("Select all
N"), Pause selected, OK in the in-page dialog; then, after a new login, the clusters' own pages
show the switch checked. A selection kept across pages, counted in the selection bar, cleared;
and on a phone the bar with the bulk buttons and the sort bar stay on screen over compact rows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from settings_app import rules
from settings_app.models import AgentUpgrades, Cluster
from settings_app.permissions.scopes import ScopeRef

from .conftest import Browsing
from .test_flows import agent_upgrades_switch, confirm_dialog, log_in_with_form

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_select_every_cluster_that_matches_a_filter_and_pause_them_in_one_go(
    browsing: Browsing, demo
):
    for number in range(60):
        rules.new_cluster(demo.default, f"batch-{number:02d}")
    scope = ScopeRef("tenants", demo.acme.pk)
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[scope]))

    page.get_by_label("Search clusters").fill("batch")
    expect(page.get_by_role("status").filter(has_text="Showing")).to_have_text("Showing 1–50 of 60")
    page.get_by_role("checkbox", name="Select all on this page", exact=True).check()
    expect(page.get_by_role("checkbox", name="Select batch-49", exact=True)).to_be_checked()
    page.get_by_role("checkbox", name="Select all 60 clusters that match these filters").check()
    expect(page.locator(".bulk-bar").get_by_role("status")).to_have_text("All 60 selected")
    page.get_by_role("button", name="Pause selected", exact=True).click()

    dialog = confirm_dialog(page)
    expect(dialog).to_contain_text("Pause agent upgrades for 60 clusters in 1 project.")
    expect(dialog.get_by_label("Reason")).to_be_visible()
    dialog.get_by_role("button", name="OK", exact=True).click()
    expect(page.get_by_text(re.compile(r"Agent upgrades paused for 60 clusters"))).to_be_visible()

    assert set(
        Cluster.objects.filter(name__startswith="batch-").values_list("agent_upgrades", flat=True)
    ) == {AgentUpgrades.LOCK}
    assert Cluster.objects.get(name="prod-east").agent_upgrades == AgentUpgrades.UNLOCK
    again = browsing.new_page()
    log_in_with_form(again, "tenant-admin")
    for name in ("batch-00", "batch-33", "batch-59"):
        cluster = Cluster.objects.get(name=name)
        again.goto(reverse("cluster_settings", args=[scope, cluster.pk]))
        expect(agent_upgrades_switch(again)).to_have_attribute("aria-checked", "true")


def test_after_paging_focus_goes_to_the_tables_caption(browsing: Browsing, demo):
    for number in range(55):
        rules.new_cluster(demo.default, f"batch-{number:02d}")
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()

    expect(page.locator("#cluster-caption")).to_be_focused()
    expect(page.locator("#cluster-caption")).to_have_text("Clusters, showing 51–60 of 60")
    assert "page=2" in page.url


def test_on_a_phone_the_sort_links_and_select_all_stay_on_screen_and_work(
    browsing: Browsing, demo, screenshot_dir
):
    page = browsing.new_page("tenant-admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))

    select_all = page.get_by_role("checkbox", name="Select all on this page", exact=True)
    by_project = page.get_by_role("link", name="Project", exact=True)
    expect(select_all).to_be_in_viewport()
    expect(by_project).to_be_in_viewport()
    by_project.click()
    expect(page).to_have_url(re.compile(r"sort=project"))
    expect(page.locator("th[aria-sort='ascending']")).to_have_text(re.compile("Project"))
    select_all.check()
    expect(page.get_by_role("checkbox", name="Select edge-01", exact=True)).to_be_checked()
    page.screenshot(path=screenshot_dir / "clusters-phone-sorted-selected.png", full_page=True)


def test_a_bulk_act_that_takes_a_while_says_it_is_still_working_until_its_answer(
    browsing: Browsing, demo
):
    scope = ScopeRef("tenants", demo.acme.pk)
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[scope]))
    held = []  # the act's request, kept from the server as long as a large fleet would keep it
    page.route(
        re.compile(re.escape(reverse("bulk_change_clusters", args=[scope])) + "$"),
        lambda route: held.append(route),
    )

    page.get_by_role("checkbox", name="Select all on this page", exact=True).check()
    page.get_by_role("button", name="Pause selected", exact=True).click()
    confirm_dialog(page).get_by_role("button", name="OK", exact=True).click()

    working = page.locator("#messages").get_by_text(
        "Still working on this change: one that reaches many clusters takes a few seconds."
    )
    expect(working).to_be_visible()
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_text(re.compile(r"Agent upgrades paused for 5 clusters"))).to_be_visible()
    expect(working).to_have_count(0)


def test_a_selection_made_on_two_pages_is_counted_kept_and_paused_together(
    browsing: Browsing, demo
):
    for number in range(55):
        rules.new_cluster(demo.default, f"batch-{number:02d}")
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))
    pause = page.get_by_role("button", name="Pause selected", exact=True)
    resume = page.get_by_role("button", name="Resume selected", exact=True)
    selected = page.locator(".bulk-bar").get_by_role("status")

    expect(pause).to_be_disabled()
    expect(resume).to_be_disabled()
    page.get_by_role("checkbox", name="Select batch-03", exact=True).check()
    expect(selected).to_have_text("1 selected")
    expect(pause).to_be_enabled()
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page.locator("#cluster-caption")).to_have_text(re.compile("showing 51–60"))
    page.get_by_role("checkbox", name="Select prod-west", exact=True).check()
    expect(selected).to_have_text("2 selected")
    # A filter keeps it too, and so does the way back.
    page.get_by_label("Search clusters").fill("batch-0")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_role("checkbox", name="Select batch-03", exact=True)).to_be_checked()
    expect(selected).to_have_text("2 selected")

    pause.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_contain_text("Pause agent upgrades for 2 clusters in 1 project.")
    dialog.get_by_role("button", name="OK", exact=True).click()
    expect(page.get_by_text(re.compile(r"Agent upgrades paused for 2 clusters"))).to_be_visible()

    paused = Cluster.objects.filter(agent_upgrades=AgentUpgrades.LOCK)
    assert sorted(paused.values_list("name", flat=True)) == ["batch-03", "prod-west"]
    expect(selected).to_have_text("0 selected")  # an act done is a selection used
    expect(pause).to_be_disabled()


def test_clear_selection_forgets_the_rows_of_every_page(browsing: Browsing, demo):
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))
    page.get_by_role("checkbox", name="Select edge-01", exact=True).check()
    page.get_by_role("checkbox", name="Select staging", exact=True).check()
    expect(page.locator(".bulk-bar").get_by_role("status")).to_have_text("2 selected")

    page.get_by_role("button", name="Clear selection", exact=True).click()

    expect(page.get_by_role("checkbox", name="Select edge-01", exact=True)).not_to_be_checked()
    expect(page.get_by_role("button", name="Pause selected", exact=True)).to_be_disabled()
    page.reload()
    expect(page.get_by_role("checkbox", name="Select staging", exact=True)).not_to_be_checked()


def test_on_a_phone_the_bar_with_the_bulk_buttons_stays_and_rows_are_compact(
    browsing: Browsing, demo, screenshot_dir
):
    for number in range(30):
        rules.new_cluster(demo.default, f"batch-{number:02d}")
    page = browsing.new_page("tenant-admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))
    rows = page.locator("#cluster-table tbody tr")

    heights = [box["height"] for box in (rows.nth(n).bounding_box() for n in range(5))]
    assert max(heights) <= 100, heights
    page.get_by_role("checkbox", name="Select batch-29", exact=True).scroll_into_view_if_needed()
    page.get_by_role("checkbox", name="Select batch-29", exact=True).check()
    for control in (
        page.get_by_role("button", name="Pause selected", exact=True),
        page.get_by_role("button", name="Resume selected", exact=True),
        page.get_by_role("checkbox", name="Select all on this page", exact=True),
        page.get_by_role("link", name="Project", exact=True),
    ):
        expect(control).to_be_in_viewport()
    # The bar covers no row it sits over: the sort bar lies below the bulk buttons.
    bar = page.locator(".bulk-bar").bounding_box()
    head = page.locator("#cluster-table thead").bounding_box()
    assert head["y"] >= bar["y"] + bar["height"] - 1
    page.screenshot(path=screenshot_dir / "clusters-phone-scrolled.png")
    # A row that Tab reaches while it lies under the bars comes out from under them.
    page.get_by_role("link", name="batch-09", exact=True).evaluate(
        """(link) => {
            scrollBy(0, link.closest("tr").nextElementSibling.getBoundingClientRect().top - 20);
            link.focus({ preventScroll: true });
        }"""
    )
    page.keyboard.press("Tab")
    focused = page.get_by_role("checkbox", name="Select batch-10", exact=True)
    expect(focused).to_be_focused()
    head = page.locator("#cluster-table thead").bounding_box()
    assert focused.bounding_box()["y"] >= head["y"] + head["height"]


def test_a_row_kept_from_an_earlier_page_is_left_alone_if_someone_changed_it_since(
    browsing: Browsing, demo, admin
):
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))
    page.get_by_role("checkbox", name="Select edge-01", exact=True).check()
    rules.set_cluster(demo.edge_01, AgentUpgrades.LOCK, actor=admin)  # someone else, meanwhile

    page.reload()  # the row shows the pause now; the selection keeps what was ticked
    page.get_by_role("checkbox", name="Select staging", exact=True).check()
    page.get_by_role("button", name="Resume selected", exact=True).click()

    expect(confirm_dialog(page)).to_contain_text(
        "Left alone: 1 changed by someone else since the page was drawn (stale)."
    )
