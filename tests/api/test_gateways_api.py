"""Private Cloud Gateways through the API (issue 21): Palette's GET /v1/overlords and
/v1/overlords/{uid}, and beyond Palette a gateway's own setting, read and written with a
cluster's body through the same rule, checks and audit as its Cluster Settings. Every answer is
checked against the OpenAPI document (the `palette` client)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Scope
from tests.state import everything

from .conftest import body_of

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
MISSING_UID = "0123456789abcdef01234567"


def setting_of(gateway) -> str:
    return f"/v1/overlords/{gateway.uid}/upgrade/settings"


@pytest.fixture
def pcg(gateway_and_hosts):
    return gateway_and_hosts.pcg_vsphere


# Reading.


def test_the_tenant_admin_lists_the_tenants_gateways_with_their_agent_and_value(
    pcg, key_for, palette
):
    body = body_of(palette(key_for("tenant-admin")).get("/v1/overlords"))

    assert [item["metadata"]["name"] for item in body["items"]] == ["pcg-vsphere"]
    item = body["items"][0]
    assert item["metadata"]["uid"] == pcg.uid
    assert item["metadata"]["annotations"]["spectroComponentsUpgradeForbidden"] == "false"
    assert item["spec"] == {"tenantUid": pcg.tenant.uid}
    assert item["agentVersion"] == "4.7.2"
    assert item["upgradeSettings"]["spectroComponents"] == "unlock"


def test_the_list_takes_palettes_name_filter(pcg, key_for, palette):
    client = palette(key_for("tenant-admin"))

    assert len(body_of(client.get("/v1/overlords?name=pcg-vsphere"))["items"]) == 1
    assert body_of(client.get("/v1/overlords?name=pcg-other"))["items"] == []


@pytest.mark.parametrize("username", ["project-admin", "cluster-admin", "viewer"])
def test_a_project_role_is_refused_the_tenants_gateways_as_the_tenant_scope(
    pcg, key_for, palette, username
):
    response = palette(key_for(username)).get("/v1/overlords")

    assert response.status_code == 403
    assert body_of(response)["message"] == (
        "Only a Tenant Admin of Acme can list its Private Cloud Gateways: they are the "
        "tenant's, not a project's. Nothing was changed."
    )


def test_another_tenants_admin_gets_the_404_of_a_missing_gateway(pcg, key_for, palette):
    client = palette(key_for("globex-admin", tenant="Globex"))

    theirs, missing = (
        client.get(f"/v1/overlords/{pcg.uid}"),
        client.get(f"/v1/overlords/{MISSING_UID}"),
    )

    assert theirs.status_code == missing.status_code == 404
    assert body_of(theirs) == body_of(missing)


def test_a_gateway_reads_by_uid_paused_while_its_pause_holds(pcg, key_for, palette):
    rules.set_gateway(pcg, LOCK, actor=User.objects.get(username="tenant-admin"))

    body = body_of(palette(key_for("tenant-admin")).get(f"/v1/overlords/{pcg.uid}"))

    assert body["metadata"]["name"] == "pcg-vsphere"
    assert body["metadata"]["annotations"]["spectroComponentsUpgradeForbidden"] == "true"
    assert body["upgradeSettings"]["spectroComponents"] == "lock"
    assert body["upgradeSettings"]["setBy"] == "tenant-admin"


# Writing: the cluster's body, the gateway's rule.


def test_a_gateway_is_paused_with_a_clusters_body_and_only_the_gateway_is_written(
    demo, pcg, key_for, palette, clock
):
    until = (clock.now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    client = palette(key_for("tenant-admin", name="ci-pcg"))

    response = client.post(
        setting_of(pcg), {"spectroComponents": "lock", "reason": "DC move", "until": until}
    )

    assert response.status_code == 204
    assert (response["GatewaysWritten"], response["ClustersWritten"]) == ("1", "0")
    assert response["EdgeHostsWritten"] == "0"
    event = AuditEvent.objects.get(uid=response["AuditUid"])
    assert (event.scope, event.gateway, event.api_key_name) == (Scope.GATEWAY, pcg, "ci-pcg")
    detail = body_of(client.get(setting_of(pcg)))
    assert detail["spectroComponents"] == "lock"
    assert (detail["reason"], detail["setWithKey"], detail["setBy"]) == (
        "DC move",
        "ci-pcg",
        "tenant-admin",
    )
    for obj in (demo.acme, demo.default, demo.prod_east):
        obj.refresh_from_db()
        assert obj.agent_upgrades == UNLOCK


def test_the_same_request_twice_is_two_changes_as_for_a_cluster(demo, pcg, key_for, palette):
    client = palette(key_for("tenant-admin"))
    cluster = f"/v1/spectroclusters/{demo.prod_east.uid}/upgrade/settings"

    gateway_uids = [client.post(setting_of(pcg), {"spectroComponents": "lock"}) for _ in "12"]
    cluster_uids = [client.post(cluster, {"spectroComponents": "lock"}) for _ in "12"]

    for first, second in (gateway_uids, cluster_uids):
        assert first.status_code == second.status_code == 204
        assert first["AuditUid"] != second["AuditUid"]
    pcg.refresh_from_db()
    assert (pcg.agent_upgrades, pcg.agent_upgrades_version) == (LOCK, 2)


@pytest.mark.parametrize(
    "body",
    [
        {"spectroComponents": "pause"},
        {},
        {"spectroComponents": "unlock", "reason": "why"},
        {"spectroComponents": "lock", "until": "2001-01-01T00:00:00Z"},
        {"spectroComponents": "lock", "until": "tomorrow"},
        {"spectroComponents": "lock", "reason": "two\nlines"},
        {"spectroComponents": "lock", "color": "red"},
    ],
)
def test_a_body_the_cluster_refuses_is_refused_with_400_and_nothing_changes(
    pcg, key_for, palette, body
):
    client = palette(key_for("tenant-admin"))
    before = everything()

    response = client.post(setting_of(pcg), body)

    assert response.status_code == 400, response.content
    answer = body_of(response)
    assert answer["code"] == "InvalidRequest"
    assert "Nothing was changed" in answer["message"]
    assert everything() == before


def test_malformed_json_is_400_and_a_body_that_is_not_json_is_415(pcg, key_for, palette):
    client = palette(key_for("tenant-admin"))
    before = everything()

    malformed = client.post(setting_of(pcg), '{"spectroComponents": ')
    form = client.post(
        setting_of(pcg), "spectroComponents=lock", content_type="application/x-www-form-urlencoded"
    )

    assert (malformed.status_code, form.status_code) == (400, 415)
    assert body_of(form)["code"] == "UnsupportedMediaType"
    assert everything() == before


def test_a_project_admin_gets_404_for_a_gateway_and_changes_nothing(pcg, key_for, palette):
    client = palette(key_for("project-admin"))
    before = everything()

    response = client.post(setting_of(pcg), {"spectroComponents": "lock"})

    assert response.status_code == 404
    assert everything() == before


def test_the_rate_limit_holds_for_a_gateway_write(pcg, key_for, palette, settings, fixed_clock):
    settings.API_RATE_LIMIT, settings.API_RATE_BURST = 10, 5
    client = palette(key_for("tenant-admin"))
    for _ in range(5):
        client.get(setting_of(pcg))
    before = everything()

    response = client.post(setting_of(pcg), {"spectroComponents": "lock"})

    assert response.status_code == 429
    assert body_of(response)["code"] == "TooManyRequests"
    assert everything() == before


def test_a_dry_run_counts_the_gateway_and_its_catch_up_and_writes_nothing(pcg, key_for, palette):
    rules.set_gateway(pcg, LOCK, actor=User.objects.get(username="tenant-admin"))
    rules.release_platform("4.8.0")
    client = palette(key_for("tenant-admin"))
    before = everything()

    response = client.post(setting_of(pcg) + "?dryRun=true", {"spectroComponents": "unlock"})

    assert response.status_code == 200
    assert body_of(response) == {
        "clusters": 0,
        "projects": 0,
        "overwritten": 0,
        "agentsToUpgrade": 1,
        "agentVersion": "4.8.0",
        "gateways": 1,
        "edgeHosts": 0,
    }
    assert everything() == before


def test_resuming_a_held_back_gateway_catches_its_agent_up(pcg, key_for, palette):
    rules.set_gateway(pcg, LOCK, actor=User.objects.get(username="tenant-admin"))
    rules.release_platform("4.8.0")
    client = palette(key_for("tenant-admin"))
    assert body_of(client.get(f"/v1/overlords/{pcg.uid}"))["agentVersion"] == "4.7.2"

    assert client.post(setting_of(pcg), {"spectroComponents": "unlock"}).status_code == 204

    assert body_of(client.get(f"/v1/overlords/{pcg.uid}"))["agentVersion"] == "4.8.0"


def test_the_audit_trail_of_a_gateway_holds_its_own_change_and_its_part_in_a_tenant_push(
    demo, pcg, key_for, palette
):
    client = palette(key_for("tenant-admin"))
    client.post(setting_of(pcg), {"spectroComponents": "lock"})
    client.post("/v1/spectroclusters/upgrade/settings", {"spectroComponents": "unlock"})
    client.post(
        "/v1/spectroclusters/upgrade/settings",
        {"spectroComponents": "lock"},
        ProjectUid=demo.default.uid,
    )

    body = body_of(client.get(f"/v1/audits?resourceUid={pcg.uid}"))

    assert [
        (item["spec"]["resource"]["kind"], item["spec"]["resource"]["uid"])
        for item in body["items"]
    ] == [("overlord", pcg.uid)] * 2
    assert [item["spec"]["change"]["via"] for item in body["items"]] == ["tenant", "cluster"]
    assert body["listmeta"]["count"] == 2
    refused = palette(key_for("project-admin")).get(f"/v1/audits?resourceUid={pcg.uid}")
    assert refused.status_code == 404
