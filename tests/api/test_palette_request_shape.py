"""What palette-sdk-go sends for these operations, sent exactly: its headers (ApiKey without a
prefix, ProjectUid in a project scope, Accept: application/json, its User-Agent), POST for
updates with the body its JSON encoder writes (one line, a newline after it), no body and no
Content-Type on reads, and the query parameters its generated client adds to a cluster read."""

from __future__ import annotations

from django.test import Client

from settings_app.models import AuditEvent, Cluster

from .conftest import body_of
from .contract import check_against_contract

GO = {"User-Agent": "Go-http-client/1.1", "Accept": "application/json", "Accept-Encoding": "gzip"}


def sdk_get(path: str, key: str, project: str | None = None):
    headers = GO | {"ApiKey": key} | ({"ProjectUid": project} if project else {})
    return check_against_contract(Client().generic("GET", path, headers=headers))


def sdk_post(path: str, body: bytes, key: str, project: str | None = None):
    headers = GO | {"ApiKey": key} | ({"ProjectUid": project} if project else {})
    return check_against_contract(
        Client().generic("POST", path, body, content_type="application/json", headers=headers)
    )


def test_get_platform_clusters_upgrade_setting_as_the_sdk_sends_it(demo, key_for):
    response = sdk_get("/v1/spectroclusters/upgrade/settings", key_for("tenant-admin"))

    assert response.status_code == 200
    assert response.json() == {"spectroComponents": "unlock"}


def test_update_platform_cluster_upgrade_setting_as_the_sdk_sends_it(demo, key_for):
    response = sdk_post(
        "/v1/spectroclusters/upgrade/settings",
        b'{"spectroComponents":"lock"}\n',
        key_for("tenant-admin"),
    )

    assert response.status_code == 204
    assert AuditEvent.objects.filter(uid=response["AuditUid"]).exists()


def test_the_same_update_in_a_project_scope_as_the_sdk_sends_it(demo, key_for):
    response = sdk_post(
        "/v1/spectroclusters/upgrade/settings",
        b'{"spectroComponents":"lock"}\n',
        key_for("project-admin"),
        project=demo.default.uid,
    )

    assert response.status_code == 204
    assert set(Cluster.objects.filter(agent_upgrades="lock").values_list("name", flat=True)) == {
        "prod-east",
        "prod-west",
        "staging",
    }


def test_update_pause_agent_upgrade_setting_cluster_as_the_sdk_sends_it(demo, key_for):
    response = sdk_post(
        f"/v1/spectroclusters/{demo.prod_east.uid}/upgrade/settings",
        b'{"spectroComponents":"lock"}\n',
        key_for("cluster-admin"),
        project=demo.default.uid,
    )

    assert response.status_code == 204
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_upgrades == "lock"


def test_get_cluster_as_the_sdk_sends_it(demo, key_for):
    response = sdk_get(
        f"/v1/spectroclusters/{demo.prod_east.uid}?includeNonSpectroLabels=false&resolvePackValues=false",
        key_for("viewer"),
        project=demo.default.uid,
    )

    assert response.status_code == 200
    cluster = response.json()
    # GetCluster treats a cluster without status.state, or "Deleted", as gone.
    assert cluster["status"]["state"] == "Running"
    assert cluster["metadata"]["annotations"]["spectroComponentsUpgradeForbidden"] == "false"


def test_the_cluster_list_and_a_project_as_the_sdk_sends_them(demo, key_for):
    key = key_for("viewer")

    clusters = sdk_get("/v1/dashboard/spectroclusters/meta", key, project=demo.default.uid)
    project = sdk_get(f"/v1/projects/{demo.default.uid}", key)

    assert [c["metadata"]["name"] for c in body_of(clusters)] == [
        "prod-east",
        "prod-west",
        "staging",
    ]
    assert project.json()["metadata"]["name"] == "Default"


def test_a_404_is_what_the_sdk_reads_as_a_missing_cluster(demo, key_for):
    response = sdk_get("/v1/spectroclusters/0123456789abcdef01234567", key_for("viewer"))

    assert response.status_code == 404  # apiutil.Is404: GetCluster answers nil, nil
