"""The Clusters summary counts the scope's gateways (a tenant's) and idle Edge hosts, paused and
behind, each linking to its list; the scope's Mixed state covers them too (issue 21). (The list
links go through views.agent_links; those lists are built beside.)"""

from __future__ import annotations

from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades
from settings_app.permissions.scopes import ScopeRef
from tests.factories import make_release
from tests.html import parse

LOCK = AgentUpgrades.LOCK


def other_agents(client, ref: ScopeRef) -> list[tuple[str, str]]:
    page = parse(client.get(reverse("cluster_list", args=[ref])))
    lines = page.find_all("ul", class_="other-agents")
    if not lines:
        return []
    return [(a.text, a.attrs["href"]) for a in lines[0].find_all("a")]


def test_the_tenant_summary_counts_its_gateways_and_idle_hosts_paused_and_behind(
    demo, client_for, admin, gateway_and_hosts
):
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)
    make_release("4.8.0")
    tenant = ScopeRef("tenants", demo.acme.pk)

    lines = other_agents(client_for("tenant-admin"), tenant)

    assert [text for text, _ in lines] == [
        "1 gateway: 1 paused, 1 behind",
        "1 Edge host: 0 paused, 1 behind (not in a cluster)",
    ]
    assert lines[0][1].endswith(f"/tenants/{demo.acme.pk}/settings/gateways/")
    assert lines[1][1].endswith(f"/{tenant}/edge-hosts/")


def test_a_project_summary_counts_its_idle_hosts_and_no_gateway(
    demo, client_for, gateway_and_hosts
):
    lines = other_agents(client_for("tenant-admin"), ScopeRef("projects", demo.edge.pk))

    assert [text for text, _ in lines] == ["1 Edge host: 0 paused, 0 behind (not in a cluster)"]


def test_a_scope_without_gateways_or_idle_hosts_shows_no_line(demo, client_for):
    assert other_agents(client_for("tenant-admin"), ScopeRef("tenants", demo.acme.pk)) == []


def test_a_gateway_resumed_in_a_paused_tenant_makes_it_mixed(
    demo, client_for, admin, gateway_and_hosts
):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, AgentUpgrades.UNLOCK, actor=admin)

    page = parse(
        client_for("tenant-admin").get(reverse("tenant_platform_settings", args=[demo.acme.pk]))
    )

    assert "Mixed · 5 of 5 clusters, 0 of 1 gateway and 1 of 1 Edge host paused" in page.text


def test_the_push_again_button_names_the_gateways_and_hosts_it_writes_too(
    demo, client_for, admin, gateway_and_hosts
):
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)

    page = parse(
        client_for("tenant-admin").get(reverse("tenant_platform_settings", args=[demo.acme.pk]))
    )

    assert "Resume all 5 clusters, 1 gateway and 1 Edge host" in page.text
