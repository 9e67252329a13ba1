"""Clusters › Edge Hosts: the list in the tenant scope and in a project scope, a host's page
(idle, and in a cluster) and the Edge hosts CSV. Read-only everywhere. Who may open them is in
tests/who_may_do_what.py."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settings_app import rules
from settings_app.models import SETTING_FIELDS, AgentUpgrades
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import Pause
from settings_app.views import edge_hosts
from tests.html import parse, table_rows
from tests.test_query_counts import HOUSE_BUDGET

LOCK = AgentUpgrades.LOCK


def tenant(demo) -> ScopeRef:
    return ScopeRef("tenants", demo.acme.pk)


def project(obj) -> ScopeRef:
    return ScopeRef("projects", obj.pk)


def test_the_tenants_edge_hosts_name_each_hosts_project_cluster_agent_and_upgrades(
    demo, gateway_and_hosts, client_for
):
    response = client_for("tenant-admin").get(reverse("edge_host_list", args=[tenant(demo)]))

    page = parse(response)
    assert response.status_code == 200
    assert page.find("h1").text == "Edge Hosts"
    assert [th.text for th in page.find("thead").find_all("th")] == [
        "Name",
        "Project",
        "Cluster",
        "Agent version",
        "Agent upgrades",
        "Last set",
    ]
    assert table_rows(page) == [
        ["edge-host-01", "Edge", "edge-01", "4.7.2", "Active follows cluster edge-01", ""],
        [
            "edge-host-02",
            "Edge",
            "Not in a cluster",
            "4.7.2",
            "Active",
            "default value, not changed yet",
        ],
    ]


def test_in_a_project_scope_the_list_has_no_project_column_and_each_host_its_own_state(
    demo, gateway_and_hosts, client_for, admin
):
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)

    response = client_for("tenant-admin").get(reverse("edge_host_list", args=[project(demo.edge)]))

    page = parse(response)
    assert "Project" not in [th.text for th in page.find("thead").find_all("th")]
    assert table_rows(page) == [
        ["edge-host-01", "edge-01", "4.7.2", "Paused follows cluster edge-01", ""],
        ["edge-host-02", "Not in a cluster", "4.7.2", "Active", "default value, not changed yet"],
    ]
    link = page.find(
        "a", href=reverse("cluster_detail", args=[project(demo.edge), demo.edge_01.pk])
    )
    assert link.text == "edge-01"


def test_an_idle_host_shows_its_own_pause_and_where_it_came_from(
    demo, gateway_and_hosts, client_for, admin
):
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause("thaw", None))
    rules.set_cluster(demo.edge_01, AgentUpgrades.UNLOCK, actor=admin)

    page = parse(client_for("tenant-admin").get(reverse("edge_host_list", args=[tenant(demo)])))

    host_01, host_02 = table_rows(page)
    assert host_01[4] == "Active follows cluster edge-01"
    assert host_02[4] == "Paused"
    assert host_02[5].startswith("“thaw” · pushed by project Edge · tenant-admin")


def test_a_host_behind_the_platforms_agent_says_so_with_its_clusters_agent(
    demo, gateway_and_hosts, client_for, admin
):
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    page = parse(client_for("tenant-admin").get(reverse("edge_host_list", args=[tenant(demo)])))

    assert [row[3] for row in table_rows(page)] == ["4.7.2 Behind", "4.8.0"]


def test_a_cluster_admin_sees_only_the_hosts_in_their_cluster(demo, gateway_and_hosts, client_for):
    rules.new_edge_host(demo.default, "east-host", cluster=demo.prod_east)
    rules.new_edge_host(demo.default, "spare-host")

    page = parse(
        client_for("cluster-admin").get(reverse("edge_host_list", args=[project(demo.default)]))
    )

    assert [row[0] for row in table_rows(page)] == ["east-host"]


def test_a_scope_without_hosts_says_so(demo, gateway_and_hosts, client_for):
    globex = ScopeRef("tenants", demo.globex.pk)

    response = client_for("globex-admin").get(reverse("edge_host_list", args=[globex]))

    assert parse(response).find("p", class_="empty").text == "No Edge hosts here yet."
    assert b"Export CSV" not in response.content


def test_the_list_is_paged_by_name(demo, gateway_and_hosts, client_for, monkeypatch):
    monkeypatch.setattr(edge_hosts, "EDGE_HOSTS_PER_PAGE", 1)
    client = client_for("tenant-admin")
    url = reverse("edge_host_list", args=[tenant(demo)])

    first = parse(client.get(url))
    following = first.find("a", rel="next").attrs["href"]
    second = parse(client.get(url + following))

    assert [row[0] for row in table_rows(first)] == ["edge-host-01"]
    assert [row[0] for row in table_rows(second)] == ["edge-host-02"]
    assert second.find("p", role="status").text == "Showing 2–2 of 2"


@pytest.mark.parametrize(
    "query", ["?page=abc", "?page=2&after=%00%ff", "?page=99999999999999999999"]
)
def test_a_page_address_that_makes_no_sense_shows_the_first_page(
    demo, gateway_and_hosts, client_for, query
):
    url = reverse("edge_host_list", args=[tenant(demo)]) + query

    response = client_for("tenant-admin").get(url)

    assert response.status_code == 200
    assert [row[0] for row in table_rows(parse(response))] == ["edge-host-01", "edge-host-02"]


def test_the_clusters_menu_has_two_tabs_each_marking_its_own_page(
    demo, gateway_and_hosts, client_for
):
    client = client_for("viewer")
    scope = project(demo.default)

    for name, current in (("cluster_list", "Clusters"), ("edge_host_list", "Edge Hosts")):
        tabs = parse(client.get(reverse(name, args=[scope]))).find("nav", class_="tabs")
        assert [a.text for a in tabs.find_all("a")] == ["Clusters", "Edge Hosts"]
        assert [a.text for a in tabs.find_all("a", **{"aria-current": "page"})] == [current]


def statements(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_statements_for_two_hosts_or_twenty_two(
    demo, gateway_and_hosts, client_for, admin
):
    client = client_for("tenant-admin")
    url = reverse("edge_host_list", args=[tenant(demo)])
    rules.push_project(demo.edge, LOCK, actor=admin)  # a provenance naming a project and a user
    few = statements(client, url)
    for n in range(10):
        rules.new_edge_host(demo.edge, f"more-{n}")
        rules.new_edge_host(demo.default, f"east-{n}", cluster=demo.prod_east)

    assert statements(client, url) == few <= HOUSE_BUDGET


# A host's page.


def detail(client, scope: ScopeRef, host):
    return client.get(reverse("edge_host_detail", args=[scope, host.pk]))


def test_an_idle_hosts_page_shows_its_value_provenance_and_history_and_no_switch(
    demo, gateway_and_hosts, client_for, admin
):
    rules.new_edge_host(demo.edge, "edge-host-03")  # written by the same pushes: not its history
    rules.push_project(demo.edge, LOCK, actor=admin)
    rules.push_tenant(demo.acme, AgentUpgrades.UNLOCK, actor=admin)
    host = gateway_and_hosts.edge_host_02

    response = detail(client_for("tenant-admin"), tenant(demo), host)

    page = parse(response)
    assert response.status_code == 200
    assert page.find("h1").text == "edge-host-02"
    facts = page.find("dl", class_="facts").text
    assert "Not in a cluster" in facts
    assert "Active" in facts and "pushed by tenant Acme · tenant-admin" in facts
    history = [li.text for li in page.find("ul", class_="history").find_all("li")]
    assert len(history) == 2
    assert history[0].endswith("Agent upgrades Paused → Active (pushed by tenant)")
    assert history[1].endswith("Agent upgrades Active → Paused (pushed by project)")
    assert page.find_all("button", role="switch") == []
    links = {
        a.text: a.attrs["href"] for a in page.find("section", id="host-upgrades").find_all("a")
    }
    assert links == {
        "Project Settings › Platform Settings": reverse(
            "project_platform_settings", args=[demo.edge.pk]
        ),
        "Tenant Settings › Platform Settings": reverse(
            "tenant_platform_settings", args=[demo.acme.pk]
        ),
    }


def test_an_idle_hosts_history_shows_its_pause_ending(
    demo, gateway_and_hosts, client_for, admin, clock
):
    until = clock.now + timedelta(hours=1)
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause("thaw", until))
    clock.advance(hours=2)
    rules.resume_expired_pauses()

    page = parse(detail(client_for("tenant-admin"), tenant(demo), gateway_and_hosts.edge_host_02))

    history = [li.text for li in page.find("ul", class_="history").find_all("li")]
    assert "Agent upgrades Paused → Active (pause ended)" in history[0]
    assert "resumed when its pause ended" in page.find("dl", class_="facts").text


def test_a_project_admin_is_sent_to_project_settings_only(demo, client_for):
    host = rules.new_edge_host(demo.default, "spare-host")

    page = parse(detail(client_for("project-admin"), project(demo.default), host))

    links = [a.text for a in page.find("section", id="host-upgrades").find_all("a")]
    assert links == ["Project Settings › Platform Settings"]
    assert "changed through its project" in page.find("section", id="host-upgrades").text


def test_a_host_in_a_cluster_follows_it_links_to_it_and_shows_no_setting_of_its_own(
    demo, gateway_and_hosts, client_for, admin
):
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)
    host = gateway_and_hosts.edge_host_01

    page = parse(detail(client_for("tenant-admin"), project(demo.edge), host))

    cluster_url = reverse("cluster_detail", args=[project(demo.edge), demo.edge_01.pk])
    assert "Paused follows cluster edge-01" in page.find("dl", class_="facts").text
    panel = page.find("section", id="host-upgrades")
    assert "follows its agent upgrades: it has no setting of its own" in panel.text
    assert panel.find("a").attrs["href"] == cluster_url
    assert page.find_all("ul", class_="history") == []
    assert page.find_all("button", role="switch") == []


def test_a_host_is_found_only_in_a_scope_it_belongs_to(demo, gateway_and_hosts, client_for):
    response = detail(
        client_for("tenant-admin"), project(demo.default), gateway_and_hosts.edge_host_02
    )

    assert response.status_code == 404


# The CSV.


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_edge_hosts_csv_has_the_hosts_columns_then_the_settings(
    demo, gateway_and_hosts, client_for, admin
):
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause("thaw", None))
    rules.set_cluster(demo.edge_01, AgentUpgrades.UNLOCK, actor=admin)
    hosts = gateway_and_hosts
    hosts.refresh()

    header, *rows = csv_rows(
        client_for("tenant-admin").get(reverse("edge_host_list_csv", args=[tenant(demo)]))
    )

    assert header == [
        "name",
        "uid",
        "project",
        "cluster",
        "agent_version",
        *(names.csv for names in SETTING_FIELDS.values()),
        "api_value",
    ]
    one, two = (dict(zip(header, row, strict=True)) for row in rows)
    assert one == dict.fromkeys(header, "") | {
        "name": "edge-host-01",
        "uid": hosts.edge_host_01.uid,
        "project": "Edge",
        "cluster": "edge-01",
        "agent_version": "4.7.2",
        "agent_upgrades": "Active",
        "set_how": "follows cluster edge-01",
        "api_value": "unlock",
    }
    assert {k: two[k] for k in ("name", "cluster", "agent_upgrades", "reason", "set_how")} == {
        "name": "edge-host-02",
        "cluster": "Not in a cluster",
        "agent_upgrades": "Paused",
        "reason": "thaw",
        "set_how": "pushed by project Edge",
    }
    assert (two["set_by"], two["api_value"]) == ("tenant-admin", "lock")
    assert two["set_at_utc"].endswith("Z")


def test_the_list_links_its_csv_and_the_csv_holds_what_the_user_sees(
    demo, gateway_and_hosts, client_for
):
    rules.new_edge_host(demo.default, "east-host", cluster=demo.prod_east)
    client = client_for("cluster-admin")
    scope = project(demo.default)

    page = parse(client.get(reverse("edge_host_list", args=[scope])))
    export = page.find("a", class_="export-link")
    _header, *rows = csv_rows(client.get(export.attrs["href"]))

    assert export.text == "Export CSV"
    assert [row[0] for row in rows] == ["east-host"]


@pytest.mark.parametrize("name", ["edge_host_list", "edge_host_list_csv", "edge_host_detail"])
def test_the_edge_host_pages_answer_only_get(demo, gateway_and_hosts, client_for, name):
    args = [tenant(demo)]
    if name == "edge_host_detail":
        args.append(gateway_and_hosts.edge_host_02.pk)

    response = client_for("tenant-admin").post(reverse(name, args=args))

    assert response.status_code == 405
