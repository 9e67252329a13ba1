"""What each API call costs in SQL statements: a fixed number, the same for a tenant of 5
clusters as for one of 200 (no statement per cluster), and at most 10 for the API's own work.
The rate limits add the statements of the cache they count in: none with Redis; with the
database cache, those of one `add()` for the user's count and one read of the address's wrong
keys, counted separately here."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from settings_app import rules
from settings_app.models import Cluster, EdgeHost, Gateway

from .conftest import PaletteClient, body_of

MOST = 10
# A change locks its tenant's row first, in a statement of its own, where the database has row
# locks (PostgreSQL); SQLite's writers are serialised at BEGIN.
LOCK = 1 if connection.features.has_select_for_update else 0
# Measured, BEGIN/COMMIT (in tests SAVEPOINT/RELEASE) included; a rise fails the test.
BUDGETS = {
    "read scope setting": 2,
    "push to the tenant": 14
    + LOCK,  # with the demo's gateway and Edge host in no cluster: one each
    "push to a project": 12 + LOCK,
    "dry run of a tenant push": 4,
    "set a cluster": 9 + LOCK,
    "read a cluster": 4,  # and the freeze windows running over it
    "read a cluster's setting": 3,
    "list clusters": 3,
    "list a page of clusters": 3,
    "read a project": 3,
    "audit trail": 4,
    # Gateways and Edge hosts.
    "list gateways": 3,
    "read a gateway": 3,
    "set a gateway": 8 + LOCK,
    "list edge hosts": 3,
    "read an edge host": 3,
}


def calls(demo) -> dict:
    cluster = demo.prod_east.uid
    gateway = Gateway.objects.get(name="pcg-vsphere").uid
    host = EdgeHost.objects.get(name="edge-host-01").uid
    return {
        "read scope setting": ("GET", "/v1/spectroclusters/upgrade/settings", None),
        "push to the tenant": ("POST", "/v1/spectroclusters/upgrade/settings", None),
        "push to a project": ("POST", "/v1/spectroclusters/upgrade/settings", demo.default.uid),
        "dry run of a tenant push": (
            "POST",
            "/v1/spectroclusters/upgrade/settings?dryRun=true",
            None,
        ),
        "set a cluster": ("POST", f"/v1/spectroclusters/{cluster}/upgrade/settings", None),
        "read a cluster": ("GET", f"/v1/spectroclusters/{cluster}", None),
        "read a cluster's setting": (
            "GET",
            f"/v1/spectroclusters/{cluster}/upgrade/settings",
            None,
        ),
        "list clusters": ("GET", "/v1/dashboard/spectroclusters/meta", None),
        "list a page of clusters": ("GET", "/v1/dashboard/spectroclusters/meta?limit=2", None),
        "read a project": ("GET", f"/v1/projects/{demo.default.uid}", None),
        "audit trail": ("GET", "/v1/audits?limit=5", None),
        "list gateways": ("GET", "/v1/overlords", None),
        "read a gateway": ("GET", f"/v1/overlords/{gateway}", None),
        "set a gateway": ("POST", f"/v1/overlords/{gateway}/upgrade/settings", None),
        "list edge hosts": ("GET", "/v1/edgehosts/metadata", None),
        "read an edge host": ("GET", f"/v1/edgehosts/{host}", None),
    }


def count(client: PaletteClient, method: str, path: str, value: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        if method == "GET":
            response = client.get(path)
            body_of(response)  # a streamed list runs its query while it is read
        else:
            response = client.post(path, {"spectroComponents": value})
    assert response.status_code in (200, 204), response.content
    return len(captured)


def grow(demo, n: int) -> None:
    # Edge hosts where the demo has some (Acme / Edge): half in edge-01, half in no cluster.
    EdgeHost.objects.bulk_create(
        [
            EdgeHost(
                project=demo.edge,
                tenant=demo.acme,
                cluster=demo.edge_01 if i % 2 else None,
                name=f"host-{i:03d}",
                agent_version="4.7.2",
            )
            for i in range(n)
        ]
    )
    for project in (demo.default, demo.edge):
        Cluster.objects.bulk_create(
            [
                Cluster(
                    project=project,
                    tenant=demo.acme,
                    name=f"{project.name}-{i:03d}",
                    agent_version="4.7.2",
                )
                for i in range(n)
            ]
        )


def measure(demo, key: str, value: str) -> dict[str, int]:
    return {
        name: count(PaletteClient(key, project), method, path, value)
        for name, (method, path, project) in calls(demo).items()
    }


def test_each_api_call_costs_a_fixed_number_of_statements_whatever_the_fleet(
    demo, gateway_and_hosts, key_for
):
    rules.push_tenant(demo.acme, "lock", actor=None)  # an audit trail to read
    key = key_for("tenant-admin")
    PaletteClient(key).get("/v1/audits")  # its first use is written down (once a minute)

    small = {value: measure(demo, key, value) for value in ("unlock", "lock")}
    grow(demo, 100)
    rules.push_tenant(demo.acme, "lock", actor=None)
    large = {value: measure(demo, key, value) for value in ("unlock", "lock")}

    assert small == large
    assert {
        name: max(small["lock"][name], small["unlock"][name]) for name in small["lock"]
    } == BUDGETS


def test_every_api_call_but_a_push_costs_at_most_ten_statements():
    # A push writes the scope's row, its projects' and clusters' rows, their fleet counts and
    # the audit trail: the statements of the same push on the pages (tests/test_query_counts.py).
    assert all(count <= MOST for name, count in BUDGETS.items() if "push" not in name)


def test_the_database_cache_adds_the_statements_of_one_add_to_each_call(demo, key_for, settings):
    client = PaletteClient(key_for("tenant-admin"))
    client.get("/v1/audits")
    path = f"/v1/spectroclusters/{demo.prod_east.uid}"
    without = count(client, "GET", path, "")

    settings.API_RATE_LIMIT = 1000
    settings.API_RATE_BURST = 1000
    with_limit = count(client, "GET", path, "")

    assert with_limit - without == 5  # COUNT(*), SAVEPOINT, SELECT, INSERT, RELEASE


def test_the_count_of_wrong_keys_adds_one_read_of_the_database_cache(demo, key_for, settings):
    client = PaletteClient(key_for("tenant-admin"))
    client.get("/v1/audits")
    path = f"/v1/spectroclusters/{demo.prod_east.uid}"
    without = count(client, "GET", path, "")

    settings.API_FAILURE_LIMIT = 10
    with_count = count(client, "GET", path, "")

    assert with_count - without == 1  # one SELECT of the address's slots; a good key writes none
