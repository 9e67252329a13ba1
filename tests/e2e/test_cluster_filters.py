"""The Clusters list's filters in headless Chromium: whatever changes the address (a chip's
Remove, a sort, a page), the filter form, the tiles and the chips show what the address says."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from settings_app import rules
from settings_app.models import AgentUpgrades
from settings_app.permissions.scopes import ScopeRef

from .conftest import Browsing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_removing_a_chip_unticks_its_filter_and_the_next_search_leaves_it_out(
    browsing: Browsing, demo, admin
):
    rules.set_cluster(demo.prod_east, AgentUpgrades.LOCK, actor=admin)
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))
    tiles = page.locator(".stats")

    tiles.get_by_role("link", name="Paused", exact=True).click()
    expect(page.get_by_role("checkbox", name="Paused", exact=True)).to_be_checked()
    page.get_by_role("link", name="Remove filter Paused").click()

    expect(page).not_to_have_url(re.compile("paused"))
    expect(page.get_by_role("rowheader")).to_have_count(5)
    expect(page.get_by_role("checkbox", name="Paused", exact=True)).not_to_be_checked()
    expect(tiles.locator("[aria-current]")).to_have_text("Clusters")
    page.get_by_label("Search clusters").fill("prod-w")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?q=prod-w$"))
    expect(page.get_by_role("rowheader")).to_have_text(["prod-west"])
    expect(page.locator(".filter-chips li")).to_have_count(1)


def test_a_sort_from_a_header_is_kept_by_the_next_search(browsing: Browsing, demo):
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)]))

    # The list is sorted by name: its header turns the order around.
    page.locator("#cluster-table thead").get_by_role("link", name=re.compile("^Name")).click()
    expect(page).to_have_url(re.compile(r"sort=-name"))
    page.get_by_label("Search clusters").fill("prod")
    page.get_by_role("button", name="Apply", exact=True).click()

    expect(page).to_have_url(re.compile(r"q=prod.*sort=-name|sort=-name.*q=prod"))
    expect(page.get_by_role("rowheader")).to_have_text(["prod-west", "prod-east"])
