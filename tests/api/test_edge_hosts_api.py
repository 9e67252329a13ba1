"""Edge hosts through the API (issue 21): Palette's GET /v1/edgehosts/{uid} and
/v1/edgehosts/metadata, each host with its cluster or none, its agent and the setting that
decides for it; and the project and tenant pushes, which write gateways and idle hosts, counting
them in their answers and in their dry runs. Every answer is checked against the OpenAPI
document (the `palette` client)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Scope
from tests.state import everything

from .conftest import body_of

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
SETTINGS = "/v1/spectroclusters/upgrade/settings"
HOSTS = "/v1/edgehosts/metadata"


@pytest.fixture
def agents(gateway_and_hosts):
    return gateway_and_hosts


def admin() -> User:
    return User.objects.get(username="tenant-admin")


def names(body) -> list[str]:
    return [host["name"] for host in body["edgeHosts"]]


# One host.


def test_a_host_in_a_cluster_answers_its_cluster_and_the_clusters_setting(
    demo, agents, key_for, palette
):
    rules.set_cluster(demo.edge_01, LOCK, actor=admin())
    host = agents.edge_host_01

    body = body_of(palette(key_for("tenant-admin")).get(f"/v1/edgehosts/{host.uid}"))

    assert body["metadata"]["name"] == "edge-host-01"
    assert body["metadata"]["annotations"]["spectroComponentsUpgradeForbidden"] == "true"
    assert body["metadata"]["annotations"]["projectUid"] == demo.edge.uid
    assert body["status"] == {
        "state": "in-use",
        "inUseClustersRef": [{"uid": demo.edge_01.uid, "name": "edge-01"}],
    }
    assert body["followsCluster"] is True
    assert body["agentVersion"] == "4.7.2"
    assert (body["upgradeSettings"]["spectroComponents"], body["upgradeSettings"]["setVia"]) == (
        "lock",
        "cluster",
    )


def test_a_host_in_no_cluster_answers_its_own_setting_written_by_its_project(
    demo, agents, key_for, palette
):
    rules.push_project(demo.edge, LOCK, actor=admin())
    host = agents.edge_host_02

    body = body_of(palette(key_for("tenant-admin")).get(f"/v1/edgehosts/{host.uid}"))

    assert body["status"] == {"state": "ready", "inUseClustersRef": []}
    assert body["followsCluster"] is False
    assert body["upgradeSettings"]["spectroComponents"] == "lock"
    assert body["upgradeSettings"]["setVia"] == "project"
    assert body["upgradeSettings"]["setBy"] == "tenant-admin"


@pytest.mark.parametrize("username", ["project-admin", "cluster-admin", "viewer"])
def test_a_host_of_another_project_answers_404_as_a_missing_one(agents, key_for, palette, username):
    client = palette(key_for(username))

    theirs = client.get(f"/v1/edgehosts/{agents.edge_host_02.uid}")
    missing = client.get("/v1/edgehosts/0123456789abcdef01234567")

    assert theirs.status_code == missing.status_code == 404
    assert body_of(theirs) == body_of(missing)


def test_a_host_is_not_changed_on_its_own(agents, key_for, palette):
    client = palette(key_for("tenant-admin"))
    before = everything()

    response = client.post(
        f"/v1/edgehosts/{agents.edge_host_02.uid}", {"spectroComponents": "lock"}
    )

    assert response.status_code == 405
    assert everything() == before


# The scope's hosts.


def test_the_tenant_lists_every_host_and_a_project_its_own(demo, agents, key_for, palette):
    key = key_for("tenant-admin")

    tenant = body_of(palette(key).get(HOSTS))
    edge = body_of(palette(key, project=demo.edge.uid).get(HOSTS))
    default = body_of(palette(key, project=demo.default.uid).get(HOSTS))

    assert names(tenant) == names(edge) == ["edge-host-01", "edge-host-02"]
    assert default == {"edgeHosts": []}
    assert tenant["edgeHosts"][0] == {
        "uid": agents.edge_host_01.uid,
        "name": "edge-host-01",
        "state": "in-use",
        "inUseClustersRef": [{"uid": demo.edge_01.uid, "name": "edge-01"}],
        "agentVersion": "4.7.2",
        "spectroComponents": "unlock",
    }
    assert tenant["edgeHosts"][1]["inUseClustersRef"] == []


def test_palettes_unused_filter_lists_the_hosts_in_no_cluster(demo, agents, key_for, palette):
    body = body_of(palette(key_for("tenant-admin")).get(HOSTS + "?quickFilter=unusedEdgeHosts"))

    assert names(body) == ["edge-host-02"]


def test_a_hosts_value_in_the_list_is_its_clusters_while_it_is_in_one(
    demo, agents, key_for, palette
):
    rules.set_cluster(demo.edge_01, LOCK, actor=admin())

    body = body_of(palette(key_for("tenant-admin")).get(HOSTS))

    assert [host["spectroComponents"] for host in body["edgeHosts"]] == ["lock", "unlock"]


def test_a_cluster_admin_lists_only_the_hosts_of_their_cluster(demo, agents, key_for, palette):
    rules.new_edge_host(demo.default, "host-prod-east", cluster=demo.prod_east)
    rules.new_edge_host(demo.default, "host-default")

    cluster_admin = palette(key_for("cluster-admin"), project=demo.default.uid).get(HOSTS)
    viewer = palette(key_for("viewer"), project=demo.default.uid).get(HOSTS)

    assert names(body_of(cluster_admin)) == ["host-prod-east"]
    assert names(body_of(viewer)) == ["host-default", "host-prod-east"]


def test_a_project_role_is_refused_the_tenants_hosts_and_another_projects(
    demo, agents, key_for, palette
):
    key = key_for("project-admin")

    assert palette(key).get(HOSTS).status_code == 403
    assert palette(key, project=demo.edge.uid).get(HOSTS).status_code == 404


def test_an_unknown_quick_filter_is_refused_with_400(agents, key_for, palette):
    response = palette(key_for("tenant-admin")).get(HOSTS + "?quickFilter=everything")

    assert response.status_code == 400


# The pushes write gateways and idle hosts, and count them.


def test_a_tenant_push_writes_and_counts_every_gateway_and_idle_host(
    demo, agents, key_for, palette
):
    response = palette(key_for("tenant-admin")).post(SETTINGS, {"spectroComponents": "lock"})

    assert response.status_code == 204
    assert (response["GatewaysWritten"], response["EdgeHostsWritten"]) == ("1", "1")
    assert response["ClustersWritten"] == "5"
    agents.refresh()
    assert agents.pcg_vsphere.agent_upgrades == LOCK
    assert agents.edge_host_02.agent_upgrades == LOCK
    event = AuditEvent.objects.get(uid=response["AuditUid"])
    assert event.parts.filter(scope=Scope.EDGE_HOST, edge_host=agents.edge_host_02).exists()


def test_a_project_push_writes_and_counts_its_idle_hosts_and_no_gateway(
    demo, agents, key_for, palette
):
    client = palette(key_for("tenant-admin"), project=demo.edge.uid)

    response = client.post(SETTINGS, {"spectroComponents": "lock"})

    assert (response["GatewaysWritten"], response["EdgeHostsWritten"]) == ("0", "1")
    agents.refresh()
    assert (agents.pcg_vsphere.agent_upgrades, agents.edge_host_02.agent_upgrades) == (
        UNLOCK,
        LOCK,
    )


def test_the_dry_runs_count_the_gateways_and_idle_hosts_a_push_would_write(
    demo, agents, key_for, palette
):
    key = key_for("tenant-admin")
    before = everything()

    tenant = body_of(palette(key).post(SETTINGS + "?dryRun=true", {"spectroComponents": "lock"}))
    edge = body_of(
        palette(key, project=demo.edge.uid).post(
            SETTINGS + "?dryRun=true", {"spectroComponents": "lock"}
        )
    )
    default = body_of(
        palette(key, project=demo.default.uid).post(
            SETTINGS + "?dryRun=true", {"spectroComponents": "lock"}
        )
    )

    assert (tenant["clusters"], tenant["gateways"], tenant["edgeHosts"]) == (5, 1, 1)
    assert (edge["clusters"], edge["gateways"], edge["edgeHosts"]) == (2, 0, 1)
    assert (default["gateways"], default["edgeHosts"]) == (0, 0)
    assert everything() == before


def test_the_audit_trail_of_an_idle_host_holds_its_part_in_a_push(demo, agents, key_for, palette):
    key = key_for("tenant-admin")
    palette(key, project=demo.edge.uid).post(SETTINGS, {"spectroComponents": "lock"})
    host = agents.edge_host_02

    mine = body_of(palette(key).get(f"/v1/audits?resourceUid={host.uid}"))
    viewer = palette(key_for("viewer")).get(f"/v1/audits?resourceUid={host.uid}")

    assert [item["spec"]["resource"] for item in mine["items"]] == [
        {"kind": "edgehost", "name": "edge-host-02", "uid": host.uid}
    ]
    assert mine["items"][0]["spec"]["change"]["via"] == "project"
    assert viewer.status_code == 404  # a viewer of Acme / Default does not see the host
