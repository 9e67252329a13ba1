"""The CSV exports of the Clusters list and Audit Logs: every row the address's filters and sort
match (not one page), streamed, plain column names, times ISO 8601 UTC, and cells a spreadsheet
would run as formulas neutralised. Who may download them is in tests/who_may_do_what.py."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import Pause
from settings_app.views.csv_export import safe_cell
from tests.html import parse, table_rows

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
        "action",
        "object_kind",
        "object_name",
        "change",
        "from",
        "to",
        "how",
        "reason",
        "paused_until_utc",
        "detail",
        "agents_upgraded",
        "agents_held_back",
        "from_api_value",
        "to_api_value",
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
    assert the_change(row) == {
        "action": "setting changed",
        "object_kind": "cluster",
        "change": "Active → Paused",
        "from": "Active",
        "to": "Paused",
        "how": "set directly",
        "from_api_value": "unlock",
        "to_api_value": "lock",
    }


def the_change(row: dict[str, str]) -> dict[str, str]:
    names = ("action", "object_kind", "change", "from", "to", "how")
    return {name: row[name] for name in (*names, "from_api_value", "to_api_value")}


def test_the_audit_csv_says_how_a_value_was_pushed_in_the_pages_words(demo, tenant_csv, user):
    rules.set_cluster(demo.staging, LOCK, actor=user("tenant-admin"))
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))

    newest = {}
    for row in rows_of(tenant_csv("audit_log_csv")):
        newest.setdefault(row["object_name"], row)

    assert the_change(newest["prod-east"])["how"] == "pushed by tenant"
    assert the_change(newest["Acme"])["how"] == "set directly"
    # staging was paused already: only where its value came from changed.
    assert the_change(newest["staging"]) == {
        "action": "setting changed",
        "object_kind": "cluster",
        "change": "Paused (now pushed by tenant)",
        "from": "Paused",
        "to": "Paused",
        "how": "pushed by tenant",
        "from_api_value": "lock",
        "to_api_value": "lock",
    }


def test_the_audit_csv_says_each_change_and_how_in_the_words_of_the_page(
    demo, client_for, tenant_csv, user
):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.push_project(demo.default, UNLOCK, actor=user("tenant-admin"))
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))
    bulk(demo, user("tenant-admin"), [demo.prod_east, demo.edge_01], value=UNLOCK)
    page = client_for("tenant-admin").get(
        reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)])
    )

    on_the_page = [row[3:5] for row in table_rows(parse(page))]
    in_the_csv = [[row["change"], row["how"]] for row in rows_of(tenant_csv("audit_log_csv"))]

    assert len(on_the_page) == 16
    for shown, exported in zip(on_the_page, in_the_csv, strict=True):
        if shown[1] == "clusters changed together":  # the page's How names the act there
            shown = [shown[0], "set directly"]
        assert exported == shown


def bulk(demo, admin, clusters, value=LOCK):
    from settings_app.rules.bulk import Selection

    for cluster in clusters:
        cluster.refresh_from_db()
    return rules.set_clusters(
        Selection(demo.acme.clusters.all(), {c.pk: c.agent_upgrades_version for c in clusters}),
        value,
        tenant=demo.acme,
        changeable=demo.acme.clusters.all(),
        actor=admin,
    ).event


def test_a_bulk_acts_own_row_says_what_its_clusters_were_and_became(demo, tenant_csv, admin):
    act = bulk(demo, admin, [demo.prod_east, demo.edge_01])

    rows = rows_of(tenant_csv("audit_log_csv"))

    (own,) = [row for row in rows if row["action"] == "clusters changed together"]
    assert (own["object_name"], own["detail"]) == ("2 clusters", act.detail)
    assert the_change(own) == {
        "action": "clusters changed together",
        "object_kind": "selected clusters",
        "change": "Paused, each",
        "from": "Active",
        "to": "Paused",
        "how": "set directly",
        "from_api_value": "unlock",
        "to_api_value": "lock",
    }


def test_a_bulk_act_over_paused_and_active_clusters_was_mixed_before(demo, tenant_csv, admin):
    rules.push_project(demo.edge, LOCK, actor=admin)
    bulk(demo, admin, [demo.prod_east, demo.edge_01])

    (own,) = [
        row
        for row in rows_of(tenant_csv("audit_log_csv"))
        if row["action"] == "clusters changed together"
    ]

    assert (own["from"], own["to"], own["from_api_value"]) == ("Mixed", "Paused", "")


def test_the_audit_csv_refuses_a_date_range_given_backwards(tenant_csv):
    response = tenant_csv("audit_log_csv", **{"from": "2026-03-05", "to": "2026-03-01"})

    assert response.status_code == 400
    assert "is after" in response.content.decode()


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
        "freeze_window",
        "api_value",
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


def test_the_clusters_csv_says_where_a_value_came_from_as_the_clusters_list_does(
    demo, tenant_csv, admin
):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.push_project(demo.edge, UNLOCK, actor=admin)
    rules.set_cluster(demo.staging, UNLOCK, actor=admin)

    rows = {row["name"]: row for row in rows_of(tenant_csv("cluster_list_csv"))}

    how = {
        name: (row["agent_upgrades"], row["set_how"], row["api_value"])
        for name, row in rows.items()
    }
    assert how["prod-east"] == ("Paused", "pushed by tenant Acme", "lock")
    assert how["edge-01"] == ("Active", "pushed by project Edge", "unlock")
    assert how["staging"] == ("Active", "set directly", "unlock")


def test_the_clusters_csv_says_a_value_no_one_set_is_the_default(demo, tenant_csv):
    rows = {row["name"]: row for row in rows_of(tenant_csv("cluster_list_csv"))}

    assert rows["prod-east"]["set_how"] == "default value, not changed yet"


def test_the_clusters_csv_says_a_pause_ended_as_the_pages_do(demo, tenant_csv, ended):
    rules.resume_expired_pauses()

    rows = {row["name"]: row for row in rows_of(tenant_csv("cluster_list_csv"))}

    assert rows["prod-east"]["set_how"] == "resumed when its pause ended"
    assert rows["prod-east"]["api_value"] == "unlock"


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
    assert event["action"] == "setting changed"


def test_the_clusters_csv_has_a_column_for_every_field_of_the_setting(tenant_csv):
    from settings_app.models import SETTING_FIELDS

    header = header_of(tenant_csv("cluster_list_csv"))

    assert [name for name in header if name in {n.csv for n in SETTING_FIELDS.values()}] == [
        names.csv for names in SETTING_FIELDS.values()
    ]
