"""Audit Logs with gateways and Edge hosts (issue 21): their events name their object ("Gateway
pcg-vsphere", "Edge host edge-host-02") with a link to it; the object-kind filter (by the events'
scope) stays in the address and narrows the CSV export too; gateway events are the tenant's
only. (The links go through views.agent_links; the gateway and host pages are built beside.)"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, Scope
from settings_app.permissions import visible_audit_events
from settings_app.permissions.roles import roles_for
from settings_app.permissions.scopes import ScopeRef
from tests.factories import grant
from tests.html import parse

LOCK = AgentUpgrades.LOCK


@pytest.fixture
def agents_history(demo, admin, gateway_and_hosts):
    """A gateway paused on its own, then a tenant push (which writes it and edge-host-02)."""
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    return gateway_and_hosts


def tenant_url(demo, name: str = "audit_log") -> str:
    return reverse(name, args=[ScopeRef("tenants", demo.acme.pk)])


def what_cells(response) -> list:
    rows = parse(response).find("tbody").find_all("tr")
    return [row.find_all("td")[2] for row in rows]


def test_gateway_and_host_events_name_their_object_with_a_link(demo, client_for, agents_history):
    cells = what_cells(client_for("tenant-admin").get(tenant_url(demo)))

    named = {cell.text: cell.find_all("a") for cell in cells}
    assert "Gateway pcg-vsphere" in named
    assert "Edge host edge-host-02" in named
    gateway_link = named["Gateway pcg-vsphere"][0].attrs["href"]
    host_link = named["Edge host edge-host-02"][0].attrs["href"]
    assert gateway_link.endswith(f"/settings/gateways/{agents_history.pcg_vsphere.pk}/")
    assert host_link.endswith(f"/edge-hosts/{agents_history.edge_host_02.pk}/")


@pytest.mark.parametrize(
    ("kind", "objects"),
    [
        ("gateway", {"Gateway pcg-vsphere"}),
        ("host", {"Edge host edge-host-02"}),
        ("tenant", {"Tenant Acme"}),
    ],
)
def test_the_kind_filter_shows_the_events_of_one_kind_of_object(
    demo, client_for, agents_history, kind, objects
):
    cells = what_cells(client_for("tenant-admin").get(tenant_url(demo), {"kind": kind}))

    assert {cell.text for cell in cells} == objects


def test_the_kind_filter_is_in_the_form_the_chips_and_the_export_link(
    demo, client_for, agents_history
):
    page = parse(client_for("tenant-admin").get(tenant_url(demo), {"kind": "gateway"}))

    select = page.find("select", name="kind")
    options = [(o.attrs["value"], o.text) for o in select.find_all("option")]
    assert options == [
        ("", "All kinds"),
        ("tenant", "Tenants"),
        ("project", "Projects"),
        ("cluster", "Clusters"),
        ("gateway", "Gateways"),
        ("host", "Edge hosts"),
    ]
    assert select.find("option", selected=True).attrs["value"] == "gateway"
    assert [chip.text for chip in page.find_all("a", class_="chip")] == [
        "Gateways \N{MULTIPLICATION SIGN}"
    ]
    export = page.find("a", download=True).attrs["href"]
    assert export.endswith("?kind=gateway")


def test_an_unknown_kind_is_ignored(demo, client_for, agents_history):
    every = what_cells(client_for("tenant-admin").get(tenant_url(demo)))
    unknown = what_cells(client_for("tenant-admin").get(tenant_url(demo), {"kind": "spaceship"}))

    assert len(unknown) == len(every)


def test_the_csv_export_applies_the_kind_filter_and_names_the_kind(
    demo, client_for, agents_history
):
    response = client_for("tenant-admin").get(tenant_url(demo, "audit_log_csv"), {"kind": "host"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert {(row["object_kind"], row["object_name"]) for row in rows} == {
        ("Edge host", "edge-host-02")
    }


def test_typing_a_gateways_name_finds_its_own_events_and_its_part_in_pushes(
    demo, client_for, agents_history
):
    cells = what_cells(client_for("tenant-admin").get(tenant_url(demo), {"object": "pcg-vsphere"}))

    assert [cell.text for cell in cells] == ["Gateway pcg-vsphere", "Gateway pcg-vsphere"]


@pytest.mark.parametrize("username", ["project-admin", "viewer", "cluster-admin"])
def test_no_project_role_may_see_a_gateway_event_even_across_the_tenant(
    demo, user, agents_history, username
):
    events = visible_audit_events(roles_for(user(username)), demo.acme)

    assert not events.filter(scope=Scope.GATEWAY).exists()
    assert (
        visible_audit_events(roles_for(user("tenant-admin")), demo.acme)
        .filter(scope=Scope.GATEWAY)
        .exists()
    )


def test_an_edge_project_admin_sees_the_idle_hosts_events_but_no_gateway_event(
    demo, client_for, agents_history, user
):
    grant(user("project-admin"), "Project Admin", demo.edge)
    url = reverse("audit_log", args=[ScopeRef("projects", demo.edge.pk)])

    seen = {cell.text for cell in what_cells(client_for("project-admin").get(url))}

    assert "Edge host edge-host-02" in seen
    assert not any(text.startswith("Gateway") for text in seen)
