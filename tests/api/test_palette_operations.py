"""Palette's six operations, answered as Palette answers them: the paths, the ProjectUid scope,
the status codes, the AuditUid header and the field names and types of Palette's schemas. Every
answer is also checked against the published OpenAPI document (PaletteClient)."""

from __future__ import annotations

from datetime import datetime

import pytest

from settings_app.models import AgentUpgrades, AuditEvent, Cluster, Project, Tenant

from .conftest import body_of

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


def rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# v1SpectroClustersUpgradeSettingsGet


def test_reading_the_tenants_value_answers_spectro_components(demo, key_for, palette):
    demo.acme.agent_upgrades = LOCK
    demo.acme.save()

    response = palette(key_for("tenant-admin")).get("/v1/spectroclusters/upgrade/settings")

    assert response.status_code == 200
    assert body_of(response) == {"spectroComponents": "lock"}


def test_reading_a_projects_value_takes_the_project_uid_header(demo, key_for, palette):
    demo.edge.agent_upgrades = LOCK
    demo.edge.save()
    key = key_for("tenant-admin")

    edge = palette(key, project=demo.edge.uid).get("/v1/spectroclusters/upgrade/settings")
    default = palette(key, project=demo.default.uid).get("/v1/spectroclusters/upgrade/settings")

    assert body_of(edge) == {"spectroComponents": "lock"}
    assert body_of(default) == {"spectroComponents": "unlock"}


def test_a_pause_whose_end_has_passed_reads_as_unlock(demo, key_for, palette, clock):
    demo.acme.agent_upgrades = LOCK
    demo.acme.agent_upgrades_until = clock.advance(hours=1)
    demo.acme.save()
    clock.advance(hours=2)

    response = palette(key_for("tenant-admin")).get("/v1/spectroclusters/upgrade/settings")

    assert body_of(response) == {"spectroComponents": "unlock"}


# v1SpectroClustersUpgradeSettings


def test_pushing_to_the_tenant_answers_204_with_the_audit_uid_and_writes_every_cluster(
    demo, key_for, palette
):
    response = palette(key_for("tenant-admin")).post(
        "/v1/spectroclusters/upgrade/settings", {"spectroComponents": "lock"}
    )

    assert response.status_code == 204
    assert response.content == b""
    event = AuditEvent.objects.get(uid=response["AuditUid"])
    assert (event.scope, event.tenant, event.new_value) == ("tenant", demo.acme, LOCK)
    assert set(
        Cluster.objects.filter(tenant=demo.acme).values_list("agent_upgrades", flat=True)
    ) == {LOCK}
    assert set(
        Project.objects.filter(tenant=demo.acme).values_list("agent_upgrades", flat=True)
    ) == {LOCK}
    assert Cluster.objects.get(name="globex-main").agent_upgrades == UNLOCK


def test_pushing_to_a_project_writes_its_clusters_only(demo, key_for, palette):
    response = palette(key_for("project-admin"), project=demo.default.uid).post(
        "/v1/spectroclusters/upgrade/settings", {"spectroComponents": "lock"}
    )

    assert response.status_code == 204
    assert AuditEvent.objects.get(uid=response["AuditUid"]).project == demo.default
    paused = set(Cluster.objects.filter(agent_upgrades=LOCK).values_list("name", flat=True))
    assert paused == {"prod-east", "prod-west", "staging"}
    assert Tenant.objects.get(pk=demo.acme.pk).agent_upgrades == UNLOCK  # rule 4


def test_a_push_records_the_user_and_the_keys_name(demo, key_for, palette):
    response = palette(key_for("tenant-admin", name="ci-freeze")).post(
        "/v1/spectroclusters/upgrade/settings", {"spectroComponents": "lock"}
    )

    events = AuditEvent.objects.exclude(action=AuditEvent.Action.KEY)  # not the key's creation
    assert events.count() == 8  # the tenant, its 2 projects and 5 clusters
    assert set(events.values_list("actor__username", "api_key_name")) == {
        ("tenant-admin", "ci-freeze")
    }
    assert AuditEvent.objects.get(uid=response["AuditUid"]).scope == "tenant"


def test_resuming_a_project_through_the_api_catches_up_agents_held_back(demo, key_for, palette):
    from settings_app import rules

    rules.push_project(demo.default, LOCK, actor=None)
    rules.release_platform("4.8.0")

    palette(key_for("project-admin"), project=demo.default.uid).post(
        "/v1/spectroclusters/upgrade/settings", {"spectroComponents": "unlock"}
    )

    agents = dict(Cluster.objects.filter(project=demo.default).values_list("name", "agent_version"))
    assert agents == {"prod-east": "4.8.0", "prod-west": "4.8.0", "staging": "4.8.0"}


# v1SpectroClustersUidUpgradeSettings


def test_setting_one_cluster_answers_204_with_the_audit_uid(demo, key_for, palette):
    response = palette(key_for("cluster-admin")).post(
        f"/v1/spectroclusters/{demo.prod_east.uid}/upgrade/settings", {"spectroComponents": "lock"}
    )

    assert response.status_code == 204
    event = AuditEvent.objects.get(uid=response["AuditUid"])
    assert (event.cluster, event.new_value, event.api_key_name) == (
        demo.prod_east,
        LOCK,
        "ci-freeze",
    )
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_upgrades == LOCK
    assert Project.objects.get(pk=demo.default.pk).agent_upgrades == UNLOCK  # rule 4


def test_setting_a_cluster_to_the_value_it_has_writes_it_again(demo, key_for, palette):
    client = palette(key_for("cluster-admin"))
    url = f"/v1/spectroclusters/{demo.prod_east.uid}/upgrade/settings"

    first = client.post(url, {"spectroComponents": "lock"})
    second = client.post(url, {"spectroComponents": "lock"})

    assert first.status_code == second.status_code == 204
    assert first["AuditUid"] != second["AuditUid"]


# v1SpectroClustersGet


def test_reading_a_cluster_answers_a_v1_spectro_cluster(demo, key_for, palette):
    from settings_app import rules

    rules.set_cluster(demo.prod_east, LOCK, actor=None)

    response = palette(key_for("viewer")).get(f"/v1/spectroclusters/{demo.prod_east.uid}")

    assert response.status_code == 200
    cluster = body_of(response)
    assert cluster["apiVersion"] == "v1"
    assert cluster["kind"] == "SpectroCluster"
    metadata = cluster["metadata"]
    assert metadata["uid"] == demo.prod_east.uid
    assert metadata["name"] == "prod-east"
    assert metadata["annotations"]["spectroComponentsUpgradeForbidden"] == "true"
    assert metadata["annotations"]["projectUid"] == demo.default.uid
    assert metadata["labels"] == {}
    assert rfc3339(metadata["creationTimestamp"]) <= rfc3339(metadata["lastModifiedTimestamp"])
    assert cluster["spec"] == {}
    assert cluster["status"] == {"state": "Running"}


@pytest.mark.parametrize(
    ("value", "until_hours", "forbidden"),
    [(LOCK, None, "true"), (UNLOCK, None, "false"), (LOCK, 1, "true"), (LOCK, -1, "false")],
    ids=["paused", "active", "paused with an end ahead", "paused with an end passed"],
)
def test_the_forbidden_annotation_is_the_pause_that_holds_now(
    demo, key_for, palette, clock, value, until_hours, forbidden
):
    from datetime import timedelta

    Cluster.objects.filter(pk=demo.prod_east.pk).update(
        agent_upgrades=value,
        agent_upgrades_until=None
        if until_hours is None
        else clock.now + timedelta(hours=until_hours),
    )

    response = palette(key_for("viewer")).get(f"/v1/spectroclusters/{demo.prod_east.uid}")

    assert (
        body_of(response)["metadata"]["annotations"]["spectroComponentsUpgradeForbidden"]
        == forbidden
    )


# v1SpectroClustersMetaGet


def test_the_cluster_list_of_the_tenant_is_an_array_of_v1_spectro_cluster_meta(
    demo, key_for, palette
):
    Cluster.objects.filter(name="edge-02").update(agent_upgrades=LOCK)

    response = palette(key_for("tenant-admin")).get("/v1/dashboard/spectroclusters/meta")

    assert response.status_code == 200
    clusters = body_of(response)
    assert [c["metadata"]["name"] for c in clusters] == [
        "edge-01",
        "edge-02",
        "prod-east",
        "prod-west",
        "staging",
    ]
    forbidden = {
        c["metadata"]["name"]: c["metadata"]["annotations"]["spectroComponentsUpgradeForbidden"]
        for c in clusters
    }
    assert forbidden["edge-02"] == "true"
    assert forbidden["edge-01"] == "false"
    assert all(c["status"] == {"state": "Running"} for c in clusters)
    assert {c["metadata"]["uid"] for c in clusters} == set(
        Cluster.objects.filter(tenant=demo.acme).values_list("uid", flat=True)
    )


def test_the_cluster_list_of_a_project_takes_the_project_uid_header(demo, key_for, palette):
    response = palette(key_for("viewer"), project=demo.default.uid).get(
        "/v1/dashboard/spectroclusters/meta"
    )

    assert [c["metadata"]["name"] for c in body_of(response)] == [
        "prod-east",
        "prod-west",
        "staging",
    ]


def test_a_cluster_admin_lists_only_their_own_clusters_of_the_project(demo, key_for, palette):
    response = palette(key_for("cluster-admin"), project=demo.default.uid).get(
        "/v1/dashboard/spectroclusters/meta"
    )

    assert [c["metadata"]["name"] for c in body_of(response)] == ["prod-east"]


# v1ProjectsUidGet


def test_reading_a_project_answers_a_v1_project(demo, key_for, palette):
    response = palette(key_for("project-admin")).get(f"/v1/projects/{demo.default.uid}")

    assert response.status_code == 200
    project = body_of(response)
    assert project["metadata"]["uid"] == demo.default.uid
    assert project["metadata"]["name"] == "Default"
    assert project["status"] == {"isDisabled": False}
