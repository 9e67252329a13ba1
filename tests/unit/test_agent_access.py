"""Who sees gateways and Edge hosts (DESIGN.md §11), asked of the access helpers: every role,
own, sibling, other project, other tenant."""

from __future__ import annotations

import pytest

from settings_app.models import EdgeHost, Gateway
from settings_app.permissions.agents import (
    edge_host_access,
    gateway_access,
    visible_edge_hosts,
)
from settings_app.permissions.roles import roles_for
from settings_app.rules import new_edge_host, new_gateway

ROLES = ["tenant-admin", "project-admin", "cluster-admin", "viewer", "globex-admin"]


@pytest.fixture
def hosts(demo, gateway_and_hosts):
    """Beside the demo's: a host in prod-east (the Cluster Admin's), and Globex's gateway."""
    new_edge_host(demo.default, "east-host", cluster=demo.prod_east)
    new_gateway(demo.globex, "pcg-globex")
    return {h.name: h for h in EdgeHost.objects.select_related("project", "cluster")}


@pytest.mark.parametrize(
    ("username", "sees", "changes"),
    [
        ("tenant-admin", True, True),
        ("project-admin", False, False),
        ("cluster-admin", False, False),
        ("viewer", False, False),
        ("globex-admin", False, False),
    ],
)
def test_only_the_tenant_admin_sees_and_changes_a_gateway(
    gateway_and_hosts, user, username, sees, changes
):
    access = gateway_access(roles_for(user(username)), gateway_and_hosts.pcg_vsphere)
    assert (access.view, access.change) == (sees, changes)


@pytest.mark.parametrize(
    ("username", "seen"),
    [
        ("tenant-admin", ["east-host", "edge-host-01", "edge-host-02"]),
        ("project-admin", ["east-host"]),
        ("viewer", ["east-host"]),
        ("cluster-admin", ["east-host"]),
        ("globex-admin", []),
    ],
)
def test_each_role_sees_the_hosts_of_its_projects_and_a_cluster_admin_those_in_its_cluster(
    hosts, user, username, seen
):
    roles = roles_for(user(username))
    visible = visible_edge_hosts(roles, EdgeHost.objects.order_by("name"))
    assert list(visible.values_list("name", flat=True)) == seen
    assert [name for name, host in sorted(hosts.items()) if edge_host_access(roles, host).view] == (
        seen
    )


def test_nobody_changes_a_host_on_its_own_and_is_told_where_to(hosts, user):
    roles = roles_for(user("tenant-admin"))
    idle = edge_host_access(roles, hosts["edge-host-02"])
    in_cluster = edge_host_access(roles, hosts["edge-host-01"])
    assert not idle.change and "project Edge or its tenant" in idle.reason
    assert not in_cluster.change and "part of cluster edge-01" in in_cluster.reason


def test_a_tenant_admin_of_globex_does_not_see_acmes_gateway(hosts, user):
    roles = roles_for(user("globex-admin"))
    seen = [
        g.name for g in Gateway.objects.select_related("tenant") if gateway_access(roles, g).view
    ]
    assert seen == ["pcg-globex"]
