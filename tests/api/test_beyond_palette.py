"""More than Palette, without breaking its contract (issue 9, item 6): a per-cluster read, a
pause's reason and end, dry runs that state the dialog's figures, the audit trail with Palette's
filters and list shape, and paging (or streaming) the cluster list."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from settings_app import rules
from settings_app.api.streaming import CLUSTERS_PER_CHUNK, stream_json_array
from settings_app.models import AgentUpgrades, AuditEvent, Cluster
from settings_app.wording.changes import cluster_confirm, push_confirm
from tests.state import everything

from .conftest import body_of

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
SETTINGS = "/v1/spectroclusters/upgrade/settings"


def cluster_settings(cluster) -> str:
    return f"/v1/spectroclusters/{cluster.uid}/upgrade/settings"


# The per-cluster read.


def test_a_clusters_value_reads_with_where_it_came_from(demo, key_for, palette, clock):
    admin = User.objects.get(username="tenant-admin")
    rules.push_tenant(
        demo.acme,
        LOCK,
        actor=admin,
        pause=rules.pause_for(LOCK, "freeze", clock.now + timedelta(days=1)),
    )

    body = body_of(palette(key_for("viewer")).get(cluster_settings(demo.prod_east)))

    assert body == {
        "spectroComponents": "lock",
        "setVia": "tenant",
        "setBy": "tenant-admin",
        "setAt": clock.now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "reason": "freeze",
        "until": (clock.now + timedelta(days=1))
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "setWithKey": None,
        "freezeWindow": None,
    }


def test_a_cluster_never_set_reads_unlock_with_nothing_else(demo, key_for, palette):
    body = body_of(palette(key_for("viewer")).get(cluster_settings(demo.prod_east)))

    assert body == {
        "spectroComponents": "unlock",
        "setVia": None,
        "setBy": None,
        "setAt": None,
        "reason": None,
        "until": None,
        "setWithKey": None,
        "freezeWindow": None,
    }


def test_a_value_set_through_an_api_key_names_the_key(demo, key_for, palette):
    key = key_for("tenant-admin", name="ci-deploy")
    client = palette(key)
    response = client.post(cluster_settings(demo.prod_east), {"spectroComponents": "lock"})
    assert response.status_code == 204

    body = body_of(palette(key_for("viewer")).get(cluster_settings(demo.prod_east)))

    assert (body["spectroComponents"], body["setBy"], body["setWithKey"]) == (
        "lock",
        "tenant-admin",
        "ci-deploy",
    )


def test_the_setting_detail_names_every_field_of_the_setting():
    from settings_app.api.schemas import ClusterUpgradeSettingsDetail
    from settings_app.models import SETTING_FIELDS

    assert list(ClusterUpgradeSettingsDetail.model_fields) == [
        names.api for names in SETTING_FIELDS.values()
    ]


def test_a_pause_whose_end_passed_reads_as_resumed_by_its_end(demo, key_for, palette, clock):
    end = clock.now + timedelta(hours=1)
    rules.set_cluster(demo.prod_east, LOCK, actor=None, pause=rules.pause_for(LOCK, "x", end))
    clock.advance(hours=2)

    body = body_of(palette(key_for("viewer")).get(cluster_settings(demo.prod_east)))

    assert (body["spectroComponents"], body["setVia"], body["reason"]) == ("unlock", "expiry", None)


# Reason and end.


def test_a_pause_through_the_api_carries_its_reason_and_end(demo, key_for, palette, clock):
    response = palette(key_for("tenant-admin")).post(
        SETTINGS,
        {
            "spectroComponents": "lock",
            "reason": "change freeze",
            "until": "2099-12-01T18:00:00+01:00",
        },
    )

    assert response.status_code == 204
    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert cluster.agent_upgrades_reason == "change freeze"
    assert cluster.agent_upgrades_until.isoformat() == "2099-12-01T17:00:00+00:00"
    event = AuditEvent.objects.get(uid=response["AuditUid"])
    assert (event.reason, event.until) == ("change freeze", cluster.agent_upgrades_until)


# Dry runs: the dialog's figures, and nothing written.


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\b(\d+) (?:clusters?|projects?|of them|agents?)", text)]


def test_a_dry_run_of_a_tenant_push_states_the_dialogs_figures_and_writes_nothing(
    demo, key_for, palette
):
    rules.set_cluster(demo.prod_east, LOCK, actor=None)
    rules.push_project(demo.edge, LOCK, actor=None)
    rules.release_platform("4.8.0")
    client = palette(key_for("tenant-admin"))
    before = everything()

    response = client.post(f"{SETTINGS}?dryRun=true", {"spectroComponents": "unlock"})

    assert response.status_code == 200
    impact = body_of(response)
    assert impact == {
        "clusters": 5,
        "projects": 2,
        "overwritten": 3,  # prod-east set on the cluster, edge-01 and edge-02 by their project
        "agentsToUpgrade": 3,
        "agentVersion": "4.8.0",
        "gateways": 0,
        "edgeHosts": 0,
    }
    acme = type(demo.acme).objects.get(pk=demo.acme.pk)
    dialog = push_confirm(acme, UNLOCK, rules.scope_counts(acme, "4.8.0"), "4.8.0")
    assert numbers(dialog) == [5, 2, 3, 3]
    assert everything() == before


def test_a_dry_run_of_a_project_push_states_the_dialogs_figures(demo, key_for, palette):
    rules.set_cluster(demo.prod_east, LOCK, actor=None)
    client = palette(key_for("project-admin"), project=demo.default.uid)

    impact = body_of(client.post(f"{SETTINGS}?dryRun=true", {"spectroComponents": "lock"}))

    assert impact == {
        "clusters": 3,
        "projects": 1,
        "overwritten": 1,
        "agentsToUpgrade": 0,
        "agentVersion": "4.7.2",
        "gateways": 0,
        "edgeHosts": 0,
    }
    dialog = push_confirm(demo.default, LOCK, rules.scope_counts(demo.default, "4.7.2"), "4.7.2")
    assert "3 clusters in project Default. 1 of them was set individually" in dialog


def test_a_dry_run_of_a_tenant_push_counts_the_gateways_and_idle_hosts_it_writes(
    demo, key_for, palette, gateway_and_hosts
):
    client = palette(key_for("tenant-admin"))

    impact = body_of(client.post(f"{SETTINGS}?dryRun=true", {"spectroComponents": "lock"}))

    assert (impact["clusters"], impact["gateways"], impact["edgeHosts"]) == (5, 1, 1)


def test_a_dry_run_of_a_cluster_resume_counts_the_agent_it_catches_up(demo, key_for, palette):
    rules.set_cluster(demo.prod_east, LOCK, actor=None)
    rules.release_platform("4.8.0")
    client = palette(key_for("cluster-admin"))
    before = everything()

    impact = body_of(
        client.post(
            f"{cluster_settings(demo.prod_east)}?dryRun=true", {"spectroComponents": "unlock"}
        )
    )

    assert impact == {
        "clusters": 1,
        "projects": 1,
        "overwritten": 0,
        "agentsToUpgrade": 1,
        "agentVersion": "4.8.0",
        "gateways": 0,
        "edgeHosts": 0,
    }
    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert "will be upgraded from 4.7.2 to 4.8.0" in cluster_confirm(cluster, "4.8.0")
    assert everything() == before


def test_a_dry_run_checks_the_body_as_the_change_would(demo, key_for, palette):
    response = palette(key_for("tenant-admin")).post(
        f"{SETTINGS}?dryRun=true", {"spectroComponents": "lock", "until": "2000-01-01T00:00:00Z"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize("flag", ["false", "0"])
def test_dry_run_false_makes_the_change(demo, key_for, palette, flag):
    response = palette(key_for("tenant-admin")).post(
        f"{SETTINGS}?dryRun={flag}", {"spectroComponents": "lock"}
    )

    assert response.status_code == 204


# The audit trail.


def events(response) -> list[dict]:
    """The setting changes listed; the creation of the keys the test reads with (an API key's
    event, test_api_key_revocation) is left out."""
    return [e for e in body_of(response)["items"] if ": API key " not in e["spec"]["actionMsg"]]


def test_the_audit_trail_lists_what_the_user_may_see_newest_first(demo, key_for, palette):
    admin = User.objects.get(username="tenant-admin")
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, api_key_name="ci-freeze")
    rules.push_tenant(demo.globex, LOCK, actor=None)

    admin_sees = events(palette(key_for("tenant-admin")).get("/v1/audits"))
    viewer_sees = events(palette(key_for("viewer")).get("/v1/audits"))

    assert [e["spec"]["resource"]["name"] for e in admin_sees] == ["prod-east", "edge-01"]
    assert [e["spec"]["resource"]["name"] for e in viewer_sees] == ["prod-east"]
    newest = admin_sees[0]
    assert newest["metadata"]["uid"] == AuditEvent.objects.get(cluster=demo.prod_east).uid
    assert newest["spec"]["actionType"] == "update"
    assert newest["spec"]["actionMsg"] == "Cluster prod-east: Agent upgrades Active → Paused"
    assert newest["spec"]["actor"]["username"] == "tenant-admin"
    assert newest["spec"]["actor"]["apiKeyName"] == "ci-freeze"
    assert newest["spec"]["resource"] == {
        "kind": "spectrocluster",
        "name": "prod-east",
        "uid": demo.prod_east.uid,
    }
    assert newest["spec"]["change"]["fromValue"] == "unlock"


def test_the_audit_trail_takes_palettes_filters(demo, key_for, palette, clock):
    start = clock.now
    rules.set_cluster(demo.prod_east, LOCK, actor=None)
    clock.advance(hours=1)
    middle = clock.now
    rules.push_project(demo.edge, LOCK, actor=None)
    client = palette(key_for("tenant-admin"))

    def names(query: str) -> list[str]:
        return [e["spec"]["resource"]["name"] for e in events(client.get(f"/v1/audits?{query}"))]

    stamp = lambda t: t.isoformat().replace("+00:00", "Z")  # noqa: E731
    assert names(f"startTime={stamp(middle)}") == ["edge-02", "edge-01", "Edge"]
    assert names(f"endTime={stamp(middle)}") == ["prod-east"]
    assert names(f"startTime={stamp(start)}&endTime={stamp(middle)}") == ["prod-east"]
    assert names(f"projectUid={demo.edge.uid}") == ["edge-02", "edge-01", "Edge"]
    assert names(f"resourceUid={demo.edge.uid}") == ["Edge"]
    assert names(f"resourceUid={demo.prod_east.uid}") == ["prod-east"]


def test_the_audit_trail_pages_with_limit_and_continue(demo, key_for, palette):
    for value in (LOCK, UNLOCK):
        rules.push_tenant(demo.acme, value, actor=None)  # 8 events each
    client = palette(key_for("tenant-admin"))

    first = body_of(client.get("/v1/audits?limit=10"))
    second = body_of(client.get(f"/v1/audits?limit=10&continue={first['listmeta']['continue']}"))

    # 16 and the creation of the key, an API key's event
    assert first["listmeta"]["count"] == second["listmeta"]["count"] == 17
    assert (first["listmeta"]["limit"], first["listmeta"]["offset"]) == (10, 10)
    assert (len(second["items"]), second["listmeta"]["offset"], second["listmeta"]["continue"]) == (
        7,
        17,
        "",
    )
    seen = [e["metadata"]["uid"] for e in first["items"] + second["items"]]
    assert seen == list(AuditEvent.objects.order_by("-at", "-pk").values_list("uid", flat=True))


@pytest.mark.parametrize(
    "query",
    [
        "limit=51",
        "limit=0",
        "limit=x",
        "limit=99999999999999999999999",
        "startTime=yesterday",
        # Past the last moment, or before the first, that a date can name in UTC.
        "endTime=9999-12-31T23:59:59-01:00",
        "startTime=0001-01-01T00:00:00%2B01:00",
        "endTime=9999-12-31T23:59:59-23:59",
        "continue=forged",
    ],
)
def test_a_bad_audit_filter_is_invalid_request(demo, key_for, palette, query):
    response = palette(key_for("tenant-admin")).get(f"/v1/audits?{query}")

    assert response.status_code == 400
    assert body_of(response)["code"] == "InvalidRequest"


# Paging and streaming the cluster list.


def test_the_cluster_list_pages_with_limit_and_the_continue_header(demo, key_for, palette):
    client = palette(key_for("tenant-admin"))

    first = client.get("/v1/dashboard/spectroclusters/meta?limit=2")
    second = client.get(f"/v1/dashboard/spectroclusters/meta?limit=2&continue={first['Continue']}")
    third = client.get(f"/v1/dashboard/spectroclusters/meta?limit=2&continue={second['Continue']}")

    pages = [[c["metadata"]["name"] for c in body_of(r)] for r in (first, second, third)]
    assert pages == [["edge-01", "edge-02"], ["prod-east", "prod-west"], ["staging"]]
    assert "Continue" not in third


@pytest.mark.parametrize("limit", ["0", "-1", "1000001", "9223372036854775807", "1e3"])
def test_a_cluster_list_limit_out_of_range_is_invalid_request(demo, key_for, palette, limit):
    response = palette(key_for("tenant-admin")).get(
        f"/v1/dashboard/spectroclusters/meta?limit={limit}"
    )

    assert response.status_code == 400
    assert body_of(response)["code"] == "InvalidRequest"


def test_without_a_limit_the_cluster_list_is_streamed(demo, key_for, palette):
    response = palette(key_for("tenant-admin")).get("/v1/dashboard/spectroclusters/meta")

    assert response.streaming
    assert len(body_of(response)) == 5


def test_the_listed_clusters_carry_the_same_times_as_each_clusters_own_answer(
    demo, key_for, palette
):
    """The list writes its times in SQL; each must read as the cluster's own answer writes it:
    UTC, milliseconds cut (never rounded) and left out on a whole second, and the later of the
    creation and the last change. The rest is quoted into a template, so a name needs escaping."""
    moment = datetime(2026, 11, 30, 9, 15, 0, tzinfo=UTC)
    times = {
        demo.prod_east: (moment, None),
        demo.prod_west: (moment.replace(microsecond=999_999), moment + timedelta(hours=1)),
        demo.staging: (moment.replace(microsecond=400), moment - timedelta(days=1)),
        demo.edge_01: (moment.replace(microsecond=250_000), moment.replace(microsecond=250_001)),
        demo.edge_02: (moment - timedelta(days=400), moment + timedelta(microseconds=1)),
    }
    rules.set_cluster(demo.staging, LOCK, actor=None)  # before its times are set below
    for cluster, (created, set_at) in times.items():
        Cluster.objects.filter(pk=cluster.pk).update(
            created_at=created, agent_upgrades_set_at=set_at
        )
    Cluster.objects.filter(pk=demo.edge_01.pk).update(name='edge "01" \\ é ☃ </script> {uid}}{{0}')
    client = palette(key_for("tenant-admin"))

    own = {
        cluster.uid: body_of(client.get(f"/v1/spectroclusters/{cluster.uid}")) for cluster in times
    }
    for path in (
        "/v1/dashboard/spectroclusters/meta",
        "/v1/dashboard/spectroclusters/meta?limit=9",
    ):
        listed = {c["metadata"]["uid"]: c for c in body_of(client.get(path))}
        for uid, cluster in own.items():
            assert listed[uid] == {name: cluster[name] for name in ("metadata", "spec", "status")}
    metadata = {uid: cluster["metadata"] for uid, cluster in own.items()}
    assert metadata[demo.prod_east.uid]["creationTimestamp"] == "2026-11-30T09:15:00Z"
    assert metadata[demo.prod_west.uid]["creationTimestamp"] == "2026-11-30T09:15:00.999Z"
    assert metadata[demo.prod_west.uid]["lastModifiedTimestamp"] == "2026-11-30T10:15:00Z"
    assert metadata[demo.staging.uid]["lastModifiedTimestamp"] == "2026-11-30T09:15:00.000Z"
    assert metadata[demo.edge_02.uid]["lastModifiedTimestamp"] == "2026-11-30T09:15:00.000Z"
    assert metadata[demo.edge_01.uid]["name"] == 'edge "01" \\ é ☃ </script> {uid}}{{0}'
    forbidden = {
        uid: m["annotations"]["spectroComponentsUpgradeForbidden"] for uid, m in metadata.items()
    }
    assert forbidden[demo.staging.uid] == "true" and forbidden[demo.prod_east.uid] == "false"


@pytest.mark.parametrize("count", [0, 1, CLUSTERS_PER_CHUNK, CLUSTERS_PER_CHUNK + 1, 1201])
def test_the_streamed_list_is_one_json_array_sent_a_few_hundred_clusters_at_a_time(count):
    moment = "2026-11-30T09:15:00.250Z"  # the times come as the text SQL made of them
    rows = iter(
        [(n, f"{n:024x}", f"c-{n:05d}", n % 2 == 0, moment, moment, "p" * 24) for n in range(count)]
    )

    chunks = list(stream_json_array(rows, "t" * 24))

    assert len(chunks) == -(-count // CLUSTERS_PER_CHUNK) + 1  # each chunk, then the end
    clusters = json.loads("".join(chunks))
    assert [c["metadata"]["name"] for c in clusters] == [f"c-{n:05d}" for n in range(count)]
    assert all(c["metadata"]["creationTimestamp"] == "2026-11-30T09:15:00.250Z" for c in clusters)
