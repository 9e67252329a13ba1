"""The CSV exports of the Clusters list and Audit Logs: every row the address's filters and sort
match (not one page), streamed, plain column names, times ISO 8601 UTC, and cells a spreadsheet
would run as formulas neutralised. Who may download them is in tests/test_permission_matrix.py."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster
from settings_app.rules import Pause
from settings_app.scopes import ScopeRef
from settings_app.views.csv_export import safe_cell
from tests.html import parse

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK


def rows_of(response) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def header_of(response) -> list[str]:
    return next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def tenant_csv(demo, client_for):
    client = client_for("tenant-admin")
    return lambda name, **query: client.get(
        reverse(name, args=[ScopeRef("tenants", demo.acme.pk)]), query
    )


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_run_is_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["prod-east", "4.7.2", "", 3, None, "a=b"])
def test_other_cells_are_left_as_they_are(value):
    assert safe_cell(value) == value


# Audit Logs.


def test_the_audit_csv_has_plain_column_names(tenant_csv):
    assert header_of(tenant_csv("audit_log_csv")) == [
        "time_utc",
        "actor",
        "api_key",
        "act",
        "object_kind",
        "object_name",
        "from",
        "to",
        "how",
        "reason",
        "paused_until_utc",
        "detail",
        "agents_upgraded",
        "agents_held_back",
    ]


def test_the_audit_csv_holds_every_filtered_event_not_one_page(demo, tenant_csv, user):
    for number in range(60):
        rules.set_cluster(demo.staging, LOCK if number % 2 == 0 else UNLOCK, actor=user("viewer"))
    rules.set_cluster(demo.prod_east, LOCK, actor=user("project-admin"))

    rows = rows_of(tenant_csv("audit_log_csv", actor="viewer"))

    assert len(rows) == 60
    assert {row["object_name"] for row in rows} == {"staging"}
    times = [row["time_utc"] for row in rows]
    assert times == sorted(times, reverse=True)


def test_the_audit_csv_times_are_iso_8601_utc_and_formulas_are_neutralised(demo, tenant_csv, admin):
    until = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("=HYPERLINK(1)", until))
    AuditEvent.objects.update(at=datetime(2029, 12, 31, 23, 0, tzinfo=UTC))

    (row,) = rows_of(tenant_csv("audit_log_csv"))

    assert row["time_utc"] == "2029-12-31T23:00:00Z"
    assert row["paused_until_utc"] == "2030-01-02T03:04:05Z"
    assert row["reason"] == "'=HYPERLINK(1)"
    assert (row["act"], row["object_kind"], row["from"], row["to"], row["how"]) == (
        "setting changed",
        "cluster",
        "unlock",
        "lock",
        "cluster",
    )


def test_the_audit_csv_holds_the_releases_with_their_counts(demo, tenant_csv, user, superuser):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.release_platform("4.8.0", actor=superuser)

    rows = rows_of(tenant_csv("audit_log_csv", act="release"))

    assert [(r["object_name"], r["agents_upgraded"], r["agents_held_back"]) for r in rows] == [
        ("Edge", "2", "0"),
        ("Default", "2", "1"),
    ]
    assert {r["detail"] for r in rows} == {"4.8.0 (agent 4.8.0)"}


def test_a_cluster_admins_audit_csv_holds_only_their_clusters_events(demo, client_for, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.set_cluster(demo.prod_west, LOCK, actor=user("project-admin"))

    response = client_for("cluster-admin").get(
        reverse("audit_log_csv", args=[ScopeRef("projects", demo.default.pk)])
    )

    assert [row["object_name"] for row in rows_of(response)] == ["prod-east"]


def test_the_audit_page_links_to_the_csv_of_its_filters(demo, client_for, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    url = reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)])

    page = parse(client_for("tenant-admin").get(url, {"actor": "cluster-admin", "page": "1"}))

    (link,) = [a for a in page.find_all("a") if a.text == "Export CSV"]
    scope = ScopeRef("tenants", demo.acme.pk)
    assert link.attrs["href"] == reverse("audit_log_csv", args=[scope]) + "?actor=cluster-admin"


# The Clusters list.


def test_the_clusters_csv_has_plain_column_names(tenant_csv):
    assert header_of(tenant_csv("cluster_list_csv")) == [
        "name",
        "project",
        "tenant",
        "agent_version",
        "behind",
        "agent_upgrades",
        "paused_until_utc",
        "reason",
        "set_how",
        "set_by",
        "set_with_api_key",
        "set_at_utc",
    ]


def test_the_clusters_csv_holds_every_cluster_of_the_scope_in_the_lists_order(demo, tenant_csv):
    for number in range(60):
        rules.new_cluster(demo.edge, f"extra-{number:02d}")

    rows = rows_of(tenant_csv("cluster_list_csv"))

    names = [row["name"] for row in rows]
    assert len(names) == 65
    assert names == sorted(names)
    assert "globex-main" not in names


def test_the_clusters_csv_follows_the_search_filters_and_sort_of_the_address(
    demo, tenant_csv, admin
):
    until = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("-rm freeze", until))
    rules.set_cluster(demo.prod_west, LOCK, actor=admin)

    rows = rows_of(tenant_csv("cluster_list_csv", q="prod", paused="1", sort="-name"))

    assert [row["name"] for row in rows] == ["prod-west", "prod-east"]
    east = rows[1]
    assert (east["agent_upgrades"], east["paused_until_utc"], east["reason"]) == (
        "Paused",
        "2030-01-02T03:04:05Z",
        "'-rm freeze",
    )
    assert (east["set_how"], east["set_by"], east["project"], east["tenant"]) == (
        "set directly",
        admin.username,
        "Default",
        "Acme",
    )
    assert east["set_at_utc"].endswith("Z")


def test_a_cluster_admins_clusters_csv_holds_only_their_clusters(demo, client_for):
    response = client_for("cluster-admin").get(
        reverse("cluster_list_csv", args=[ScopeRef("projects", demo.default.pk)])
    )

    assert [row["name"] for row in rows_of(response)] == ["prod-east"]


def test_the_clusters_csv_marks_agents_behind_the_platform(demo, tenant_csv):
    Cluster.objects.filter(pk=demo.edge_01.pk).update(agent_version="4.6.0")

    rows = {row["name"]: row["behind"] for row in rows_of(tenant_csv("cluster_list_csv"))}

    assert rows["edge-01"] == "yes"
    assert rows["prod-east"] == "no"


@pytest.mark.parametrize("name", ["audit_log_csv", "cluster_list_csv"])
def test_an_exports_query_count_does_not_grow_with_its_rows(
    demo, tenant_csv, admin, django_assert_max_num_queries, name
):
    def measure() -> int:
        with django_assert_max_num_queries(8) as captured:
            rows_of(tenant_csv(name))
        return len(captured)

    before = measure()
    for number in range(60):
        cluster = rules.new_cluster(demo.edge, f"extra-{number:02d}")
        rules.set_cluster(cluster, LOCK, actor=admin)

    assert measure() == before


def test_the_clusters_page_links_to_the_csv_of_its_search_filters_and_sort(demo, client_for):
    scope = ScopeRef("tenants", demo.acme.pk)
    address = {"q": "p", "sort": "-agent", "page": "2"}

    page = parse(client_for("tenant-admin").get(reverse("cluster_list", args=[scope]), address))

    (link,) = page.find_all("a", class_="export-link")
    assert link.text == "Export CSV"  # the name DESIGN.md gives it
    # Every matching row: the page the list is on is not the export's business.
    assert link.attrs["href"] == reverse("cluster_list_csv", args=[scope]) + "?q=p&sort=-agent"


def test_the_csv_link_follows_a_search_made_through_htmx(demo, client_for):
    """htmx swaps only the results: the link must be among them, or it would still export what
    the page showed before the search."""
    scope = ScopeRef("tenants", demo.acme.pk)

    results = parse(
        client_for("tenant-admin").get(
            reverse("cluster_list", args=[scope]), {"q": "edge"}, headers={"HX-Request": "true"}
        )
    )

    (link,) = results.find_all("a", class_="export-link")
    assert link.attrs["href"] == reverse("cluster_list_csv", args=[scope]) + "?q=edge"


def test_a_pause_whose_end_has_passed_exports_as_active_with_no_end_and_no_reason(
    demo, tenant_csv, admin
):
    ahead = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("freeze", ahead))
    rules.set_cluster(demo.prod_west, LOCK, actor=admin, pause=Pause("freeze", ahead))
    Cluster.objects.filter(pk=demo.prod_west.pk).update(
        agent_upgrades_until=datetime(2020, 1, 1, tzinfo=UTC)
    )

    rows = {row["name"]: row for row in rows_of(tenant_csv("cluster_list_csv", q="prod"))}

    east, west = rows["prod-east"], rows["prod-west"]
    assert (east["agent_upgrades"], east["paused_until_utc"], east["reason"]) == (
        "Paused",
        "2030-01-02T03:04:05Z",
        "freeze",
    )
    assert (west["agent_upgrades"], west["paused_until_utc"], west["reason"]) == ("Active", "", "")


def test_both_csvs_write_a_fraction_of_a_second_as_python_does(demo, tenant_csv, admin):
    at = datetime(2029, 12, 31, 23, 0, 0, 400, tzinfo=UTC)
    until = datetime(2030, 1, 2, 3, 4, 5, 999_999, tzinfo=UTC)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("", until))
    AuditEvent.objects.update(at=at)
    Cluster.objects.filter(pk=demo.prod_east.pk).update(agent_upgrades_set_at=at)

    (event,) = rows_of(tenant_csv("audit_log_csv"))
    (cluster,) = rows_of(tenant_csv("cluster_list_csv", q="prod-east"))

    assert event["time_utc"] == cluster["set_at_utc"] == "2029-12-31T23:00:00.000400Z"
    assert event["paused_until_utc"] == cluster["paused_until_utc"] == "2030-01-02T03:04:05.999999Z"
    assert event["act"] == "setting changed"
