"""Clusters › Edge Hosts in a browser: reached by its tab, each host's cluster or "Not in a
cluster", and the list and a host's pages at a phone's width and a desktop's fit the window and
pass axe (the checks of test_screens). UI_SHOTS=/some/folder keeps their screenshots."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from settings_app import rules
from settings_app.models import AgentUpgrades
from settings_app.permissions.scopes import ScopeRef

from .conftest import Browsing
from .test_screens import AUDITED, WIDTHS, Screen, check_screen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_edge_hosts_name_each_hosts_cluster_and_pass_axe(
    browsing: Browsing, demo, gateway_and_hosts
):
    admin = User.objects.get(username="tenant-admin")
    rules.push_project(demo.edge, AgentUpgrades.LOCK, actor=admin, pause=rules.Pause("edge freeze"))
    rules.release_platform("4.8.0")
    acme, edge = ScopeRef("tenants", demo.acme.pk), ScopeRef("projects", demo.edge.pk)
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_list", args=[acme]))

    page.get_by_role("navigation", name="Clusters menu").get_by_role(
        "link", name="Edge Hosts"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Edge Hosts")
    rows = page.get_by_role("table").get_by_role("row")
    in_cluster = rows.filter(has=page.get_by_role("rowheader", name="edge-host-01"))
    idle = rows.filter(has=page.get_by_role("rowheader", name="edge-host-02"))
    expect(in_cluster.get_by_role("cell").nth(1)).to_have_text("edge-01")
    expect(in_cluster.get_by_role("link", name="edge-01")).to_be_visible()
    expect(idle.get_by_role("cell").nth(1)).to_have_text("Not in a cluster")
    hosts = gateway_and_hosts
    screens = [
        Screen("clusters-tab", reverse("cluster_list", args=[acme])),
        Screen("edge-hosts", reverse("edge_host_list", args=[acme])),
        Screen("edge-hosts-project", reverse("edge_host_list", args=[edge])),
        Screen("idle-host", reverse("edge_host_detail", args=[acme, hosts.edge_host_02.pk])),
        Screen("host-in-cluster", reverse("edge_host_detail", args=[edge, hosts.edge_host_01.pk])),
    ]
    for width in AUDITED:
        page.set_viewport_size({"width": width, "height": WIDTHS[width]})
        for screen in screens:
            check_screen(page, screen, width, f"tenant-admin-{width}-{screen.name}")
