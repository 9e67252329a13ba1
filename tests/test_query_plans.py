"""The query plans behind the Clusters list and Audit Logs: every sort, both ways, every filter
and the last page walk an index in the order shown and stop after a page, rather than reading
and sorting the whole tenant (issue 11, item 5). Read from SQLite's EXPLAIN QUERY PLAN of the
statement that fetches the page; PostgreSQL plans by its statistics, which a test database of
a few rows does not have, so these run on SQLite only (the benchmark shows PostgreSQL's)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from settings_app import rules
from settings_app.models import AgentUpgrades
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import Pause
from settings_app.views.cluster_query import SORTS

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="reads SQLite's EXPLAIN QUERY PLAN"
)


def statements_of(client, url: str) -> list[tuple[str, object]]:
    """The statements a GET of `url` ran, each with its own parameters; it answered 200."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert client.get(url).status_code == 200
    return statements


def page_plans(client, url: str, table: str) -> list[str]:
    """The plans of the request's SELECTs from `table` that take a page (have a LIMIT), each
    as one text. Each is planned with its own parameters, as it ran: SQLite uses a partial
    index only when it can tell that the values fit its condition."""
    plans = []
    for sql, params in statements_of(client, url):
        if not sql.startswith("SELECT") or f'FROM "{table}"' not in sql:
            continue
        if not re.search(r"\bLIMIT \d+\s*(OFFSET \d+)?$", sql) or "COUNT(" in sql:
            continue
        plans.append(plan_of(sql, params))
    assert plans, f"no page query on {table} for {url}"
    return plans


def plan_of(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(row[3] for row in cursor.fetchall())


def assert_walks_an_index(plans: list[str], table: str) -> None:
    for plan in plans:
        assert "TEMP B-TREE" not in plan, plan  # no sort of every match
        assert not re.search(rf"^SCAN {table}\s*$", plan, re.M), plan  # no read of every row


SORT_PARAMS = [f"{direction}{key}" for key in SORTS for direction in ("", "-")]


@pytest.mark.parametrize("sort", SORT_PARAMS)
@pytest.mark.parametrize("page", ["", "last"])
def test_every_sort_of_the_tenants_clusters_walks_an_index_both_ways_on_the_first_and_last_page(
    demo, client_for, sort, page
):
    url = reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])
    url += f"?sort={sort}" + (f"&page={page}" if page else "")
    plans = page_plans(client_for("tenant-admin"), url, "settings_app_cluster")
    assert_walks_an_index(plans, "settings_app_cluster")


@pytest.mark.parametrize("sort", ["project", "-project", "name", "-name"])
def test_a_projects_clusters_sorted_by_project_or_name_walk_its_name_index(demo, client_for, sort):
    url = reverse("cluster_list", args=[ScopeRef("projects", demo.default.pk)]) + f"?sort={sort}"
    plans = page_plans(client_for("project-admin"), url, "settings_app_cluster")
    assert_walks_an_index(plans, "settings_app_cluster")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "object=prod",
        "actor=tenant-admin",
        "actor=tenant",
        "act=paused",
        "act=resumed",
        "act=pause-ended",
        "act=release",
        "act=agent-upgraded",
        "from=2026-01-01&to=2026-12-31",
        "page=last",
        "object=prod&page=last",
        "act=agent-upgraded&page=last",
    ],
)
def test_every_audit_logs_filter_walks_an_index_newest_first(demo, client_for, query):
    url = reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)]) + f"?{query}"
    plans = page_plans(client_for("tenant-admin"), url, "settings_app_auditevent")
    assert_walks_an_index(plans, "settings_app_auditevent")


def assert_reads_by_key(plans: list[str]) -> None:
    """Every row is found by a key (an event's id, from the object's own events and its parts of
    changes, each by an index): only those events are sorted, never the trail. (The seeks of
    the names that start so are planned apart.)"""
    plans = [plan for plan in plans if not plan.startswith("SEARCH settings_app_tenant ")]
    assert plans
    for plan in plans:
        assert plan.startswith("SEARCH settings_app_auditevent USING INTEGER PRIMARY KEY"), plan
        # Nor a range of the whole tenant's trail: only the changes with parts are read by it.
        by_tenant = re.findall(r"USING (?:COVERING )?INDEX (\w+) \(tenant_id=\?\)$", plan, re.M)
        assert set(by_tenant) <= {"audit_changes_with_parts"}, plan
        assert not re.search(r"^SCAN ", plan, re.M), plan


@pytest.mark.parametrize("page", ["", "&page=last"])
def test_one_objects_audit_logs_read_its_events_by_their_key(demo, client_for, admin, page):
    rules.push_tenant(demo.acme, AgentUpgrades.LOCK, actor=admin)  # a part of prod-east's
    url = reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)])
    plans = page_plans(
        client_for("tenant-admin"), url + "?object=prod-east" + page, "settings_app_auditevent"
    )
    assert_reads_by_key(plans)


def test_a_cluster_admins_audit_logs_and_a_clusters_history_read_its_events_by_their_key(
    demo, client_for
):
    logs = reverse("audit_log", args=[ScopeRef("projects", demo.default.pk)])
    history = reverse(
        "cluster_detail", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]
    )
    for url in (logs, history):
        assert_reads_by_key(page_plans(client_for("cluster-admin"), url, "settings_app_auditevent"))


def test_the_count_of_pauses_that_ended_reads_the_pause_ends_index(demo, client_for, admin):
    """The summary subtracts pauses whose end has passed (not yet written down by the sweep):
    a short range of the pause-ends index, not every cluster of the tenant's projects."""
    until = timezone.now() + timedelta(hours=1)
    rules.set_cluster(demo.prod_east, AgentUpgrades.LOCK, actor=admin, pause=Pause("x", until))
    url = reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])
    statements = statements_of(client_for("tenant-admin"), url)
    ended = [(sql, params) for sql, params in statements if '"agent_upgrades_until" <=' in sql]
    assert ended, "no count of ended pauses"
    plan = plan_of(*ended[0])
    assert "USING INDEX cluster_pause_ends" in plan, plan


def test_an_edge_hosts_history_reads_its_own_events_and_parts_as_one_range_of_its_key(
    demo, gateway_and_hosts, client_for, admin
):
    """A host's events, its own and its parts of pushes alike, name it: the page of its History
    is read by event id from one range of audit_edgehost_key (edge_host, part_of)."""
    rules.push_project(demo.edge, AgentUpgrades.LOCK, actor=admin)  # a part of edge-host-02's
    url = reverse(
        "edge_host_detail",
        args=[ScopeRef("projects", demo.edge.pk), gateway_and_hosts.edge_host_02.pk],
    )
    plans = page_plans(client_for("tenant-admin"), url, "settings_app_auditevent")
    assert_reads_by_key(plans)
    assert all("USING COVERING INDEX audit_edgehost_key (edge_host_id=?)" in p for p in plans), (
        plans
    )


@pytest.mark.parametrize("page", ["", "?page=last"])
@pytest.mark.parametrize("scope", ["tenants", "projects"])
def test_edge_hosts_walk_a_name_index_on_the_first_and_last_page(
    demo, gateway_and_hosts, client_for, scope, page
):
    pk = demo.acme.pk if scope == "tenants" else demo.edge.pk
    url = reverse("edge_host_list", args=[ScopeRef(scope, pk)]) + page
    plans = page_plans(client_for("tenant-admin"), url, "settings_app_edgehost")
    assert_walks_an_index(plans, "settings_app_edgehost")


def test_a_gateways_history_reads_its_events_and_parts_from_one_range_of_its_key(
    demo, client_for, admin, gateway_and_hosts
):
    gateway = gateway_and_hosts.pcg_vsphere
    rules.set_gateway(gateway, AgentUpgrades.LOCK, actor=admin)
    rules.push_tenant(demo.acme, AgentUpgrades.UNLOCK, actor=admin)  # the gateway's part
    url = reverse("gateway_detail", args=[gateway.tenant_id, gateway.pk])

    plans = page_plans(client_for("tenant-admin"), url, "settings_app_auditevent")

    assert_reads_by_key(plans)
    assert any("INDEX audit_gateway_key (gateway_id=?)" in plan for plan in plans), plans
