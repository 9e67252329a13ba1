"""Private Cloud Gateways in the browser (issue 21): pause gateway pcg-vsphere through Tenant
Settings › Private Cloud Gateways › pcg-vsphere › Settings › Cluster Settings, with the dialog's
OK, then see it paused in a new login; the validation run's --gateway does the same from its own
process; and the gateways list and a gateway's Cluster Settings fit a desktop's and a phone's
width with no axe violation (screenshots in /tmp/e2e-shots)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Gateway
from settings_app.rules import Pause
from settings_app.validation import steps

from .conftest import Browsing
from .test_screens import Screen, check_screen
from .test_validation_runs import run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pausing_a_gateway_through_its_cluster_settings_holds_in_a_new_login(
    browsing: Browsing, demo, gateway_and_hosts
):
    gateway = gateway_and_hosts.pcg_vsphere
    page = browsing.new_page("tenant-admin")
    page.goto("/")

    steps.open_gateway(page, "pcg-vsphere")
    switch = steps.open_cluster_settings(page)
    assert not steps.is_on(page, switch)
    steps.toggle_and_confirm(
        page, switch, says="Pause agent upgrades for gateway pcg-vsphere. Its agent stays at 4.7.2"
    )

    gateway.refresh_from_db()
    assert gateway.agent_upgrades == AgentUpgrades.LOCK
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("Agent upgrades Active → Paused")
    fresh = browsing.new_page("tenant-admin")
    fresh.goto("/")
    steps.open_gateway(fresh, "pcg-vsphere")
    assert steps.is_on(fresh, steps.open_cluster_settings(fresh))

    # Then the tenant: its push pauses the gateway again and the host in no cluster, while the
    # host in edge-01 follows its cluster.
    # (The gateway is resumed first, so that the push is seen to pause it.)
    steps.toggle_and_confirm(fresh, steps.open_cluster_settings(fresh))
    assert not steps.is_on(fresh, steps.open_cluster_settings(fresh))
    switch = steps.open_platform_settings(fresh, "Tenant Settings")
    steps.toggle_and_confirm(
        fresh, switch, says="1 gateway and 1 Edge host not in a cluster in tenant Acme"
    )
    steps.open_gateway(fresh, "pcg-vsphere")
    assert steps.is_on(fresh, steps.open_cluster_settings(fresh))
    steps.go_to(fresh, "Clusters")
    fresh.get_by_role("navigation", name="Clusters menu").get_by_role(
        "link", name="Edge Hosts"
    ).click()
    rows = fresh.get_by_role("table").get_by_role("row")
    idle = rows.filter(has=fresh.get_by_role("rowheader", name="edge-host-02"))
    in_cluster = rows.filter(has=fresh.get_by_role("rowheader", name="edge-host-01"))
    expect(idle).to_contain_text("Paused")
    expect(in_cluster).to_contain_text("follows cluster edge-01")
    expect(in_cluster).to_contain_text("Paused")  # edge-01 was paused by the same push


def test_the_validation_run_pauses_a_gateway_validates_it_and_puts_it_back(
    live_server, demo, gateway_and_hosts
):
    gateway = gateway_and_hosts.pcg_vsphere

    result = run(
        live_server.url, "enable", "--username", "tenant-admin", "--gateway", "pcg-vsphere"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Tenant Settings › Private Cloud Gateways … ok" in out
    assert "Private Cloud Gateways › pcg-vsphere … ok" in out
    assert "All procedures hold" in out
    gateway.refresh_from_db()
    assert gateway.agent_upgrades == AgentUpgrades.UNLOCK  # put back
    assert list(
        AuditEvent.objects.filter(gateway=gateway).order_by("id").values_list("new_value")
    ) == [("lock",), ("unlock",)]


def test_a_validation_run_names_the_missing_gateway(live_server, demo, gateway_and_hosts):
    result = run(live_server.url, "check", "--expect", "active", "--username", "tenant-admin",
                 "--gateway", "pcg-nowhere")  # fmt: skip

    assert result.returncode == 1
    assert "no link named “pcg-nowhere” in the Private Cloud Gateways list" in result.stdout


@pytest.mark.parametrize("width", [1440, 390])
def test_the_gateway_screens_fit_and_pass_axe(
    browsing: Browsing, demo, gateway_and_hosts, screenshot_dir: Path, width: int
):
    gateway = gateway_and_hosts.pcg_vsphere
    # Paused with a reason and an end, and behind the platform: every badge and line shows.
    Gateway.objects.filter(pk=gateway.pk).update(agent_version="4.6.9")
    gateway.refresh_from_db()
    admin = User.objects.get(username="tenant-admin")
    until = timezone.now() + timedelta(days=7)
    rules.set_gateway(
        gateway, AgentUpgrades.LOCK, actor=admin, pause=Pause("vSphere upgrade", until)
    )
    args = [gateway.tenant_id, gateway.pk]
    page = browsing.new_page("tenant-admin")
    page.set_viewport_size({"width": width, "height": 900 if width > 390 else 844})
    screens = [
        Screen("gateways", reverse("tenant_gateways", args=[gateway.tenant_id])),
        Screen("gateway-settings", reverse("gateway_settings", args=args), ("switch",)),
    ]
    for screen in screens:
        check_screen(page, screen, width, f"gateway-{width}-{screen.name}")
        page.goto(screen.url)
        page.screenshot(path=screenshot_dir / f"gateways-{width}-{screen.name}.png", full_page=True)
    page.get_by_role("switch", name=steps.SWITCH).click()
    dialog = steps.confirm_dialog(page)
    expect(dialog).to_be_visible()
    page.screenshot(path=screenshot_dir / f"gateways-{width}-dialog.png")


def test_freeze_does_not_take_a_gateway_and_says_why(live_server):
    result = run(
        live_server.url, "freeze", "--username", "tenant-admin", "--gateway", "pcg-vsphere"
    )

    assert result.returncode == 2
    assert "a gateway has no freeze windows" in result.stdout
