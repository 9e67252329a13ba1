"""The fleet at a glance (issue 3, item 5): the Clusters list's summary, its "Behind" badge, the
Paused and Behind filters, the search by name and pagination, without JavaScript and with htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from settings_app import rules
from settings_app.models import AgentUpgrades, Cluster, PlatformRelease, Scope
from settings_app.rules import Pause
from settings_app.scopes import ScopeRef
from tests.html import Element, parse, table_rows

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
HTMX = {"HTTP_HX_REQUEST": "true"}
HISTORY_RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def tenant_list(demo) -> str:
    return reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])


def project_list(demo) -> str:
    return reverse("cluster_list", args=[ScopeRef("projects", demo.default.pk)])


def results(page: Element) -> Element:
    return page.find("div", id="cluster-results")


def names(page: Element) -> list[str]:
    found = results(page)
    return [row[0] for row in table_rows(found)] if found.find_all("tbody") else []


def status(page: Element) -> str:
    return results(page).find("p", role="status").text


def totals(page: Element) -> dict[str, str]:
    stats = page.find("dl", class_="stats")
    return {div.find("dt").text: div.find("dd").text for div in stats.find_all("div")}


def per_project(page: Element) -> list[list[str]]:
    return table_rows(page.find("details", class_="per-project"))


@pytest.fixture
def admin(user):
    return user("tenant-admin")


@pytest.fixture
def fleet(demo, admin):
    """Acme after a release to 4.8.0 with prod-east and the Edge project paused: prod-east,
    edge-01 and edge-02 are held back (behind); staging, paused after the release, is current;
    prod-west is active and current."""
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.push_project(demo.edge, LOCK, actor=admin)
    rules.release_platform("4.8.0")
    rules.set_cluster(demo.staging, LOCK, actor=admin)


# The summary: clusters, paused, behind, per project.


def test_the_summary_counts_clusters_paused_and_behind_in_the_tenant(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_list(demo)))

    assert totals(page) == {"Clusters": "5", "Paused": "4", "Behind": "3"}
    assert per_project(page) == [["Default", "3", "2", "1"], ["Edge", "2", "2", "2"]]


def test_the_summary_of_a_project_counts_only_its_clusters(demo, client_for, fleet):
    page = parse(client_for("project-admin").get(project_list(demo)))

    assert totals(page) == {"Clusters": "3", "Paused": "2", "Behind": "1"}
    # One project: its totals say it all, so there is no per-project table.
    assert page.find_all("details", class_="per-project") == []


def test_the_summary_counts_only_the_clusters_the_user_may_see(demo, client_for, fleet):
    page = parse(client_for("cluster-admin").get(project_list(demo)))

    assert totals(page) == {"Clusters": "1", "Paused": "1", "Behind": "1"}
    assert names(page) == ["prod-east"]


def test_the_summary_ignores_the_filters(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_list(demo), {"q": "edge-01"}))

    assert names(page) == ["edge-01"]
    assert totals(page) == {"Clusters": "5", "Paused": "4", "Behind": "3"}


def test_the_summary_never_counts_another_tenants_clusters(demo, client_for, fleet, admin):
    rules.set_cluster(demo.globex_main, LOCK, actor=admin)

    page = parse(
        client_for("globex-admin").get(
            reverse("cluster_list", args=[ScopeRef("tenants", demo.globex.pk)])
        )
    )

    assert totals(page) == {"Clusters": "1", "Paused": "1", "Behind": "0"}
    assert per_project(page) == [["Default", "1", "1", "0"]]


def test_nothing_is_behind_before_any_release(demo, client_for):
    PlatformRelease.objects.all().delete()

    page = parse(client_for("tenant-admin").get(tenant_list(demo), {"behind": "1"}))

    assert totals(page)["Behind"] == "0"
    assert names(page) == []
    assert "platform agent unknown" in page.find("div", class_="page-head").text


def test_the_rules_count_every_agent_behind_and_apart_those_a_resume_would_upgrade(demo, fleet):
    Cluster.objects.filter(pk=demo.prod_west.pk).update(agent_version="4.7.2")  # active, behind

    counts = rules.cluster_counts(
        Cluster.objects.filter(project__tenant=demo.acme), below=Scope.TENANT, agent_version="4.8.0"
    )

    assert (counts.total, counts.paused, counts.behind, counts.paused_behind) == (5, 4, 4, 3)


# The Behind badge.


def test_a_cluster_behind_the_platform_carries_a_behind_badge(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_list(demo)))

    versions = {row[0]: row[2] for row in table_rows(results(page))}
    assert versions == {
        "edge-01": "4.7.2 Behind",
        "edge-02": "4.7.2 Behind",
        "prod-east": "4.7.2 Behind",
        "prod-west": "4.8.0",
        "staging": "4.8.0",
    }
    badge = results(page).find_all("span", class_="badge badge-behind")[0]
    assert badge.attrs["title"] == "The platform's agent is 4.8.0"


def test_the_badge_goes_once_a_resume_catches_the_agent_up(demo, client_for, fleet, admin):
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)

    page = parse(client_for("tenant-admin").get(tenant_list(demo)))

    versions = {row[0]: row[2] for row in table_rows(results(page))}
    assert versions["prod-east"] == "4.8.0"
    assert totals(page)["Behind"] == "2"


def test_the_header_names_the_platforms_agent(demo, client_for, fleet):
    page = parse(client_for("project-admin").get(project_list(demo)))

    assert page.find("div", class_="page-head").find("p", class_="subtle").text == (
        "Project Default in tenant Acme · platform agent 4.8.0"
    )


# Filters and search, without JavaScript.


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["edge-01", "edge-02", "prod-east", "prod-west", "staging"]),
        ({"paused": "1"}, ["edge-01", "edge-02", "prod-east", "staging"]),
        ({"behind": "1"}, ["edge-01", "edge-02", "prod-east"]),
        ({"paused": "1", "behind": "1"}, ["edge-01", "edge-02", "prod-east"]),
        ({"q": "prod"}, ["prod-east", "prod-west"]),
        ({"q": "PROD-E"}, ["prod-east"]),
        ({"q": "  edge  "}, ["edge-01", "edge-02"]),
        ({"q": "prod", "behind": "1"}, ["prod-east"]),
        ({"q": "west", "paused": "1"}, []),
        (
            {"paused": "yes", "behind": "0"},
            ["edge-01", "edge-02", "prod-east", "prod-west", "staging"],
        ),
    ],
)
def test_the_filters_and_search_narrow_the_list(demo, client_for, fleet, query, expected):
    page = parse(client_for("tenant-admin").get(tenant_list(demo), query))

    assert names(page) == expected


def test_the_paused_filter_keeps_only_pauses_that_hold(demo, client_for, admin):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=timezone.now() + timedelta(hours=1))
    )
    rules.set_cluster(demo.prod_west, LOCK, actor=admin)
    Cluster.objects.filter(pk=demo.prod_east.pk).update(
        agent_upgrades_until=timezone.now() - timedelta(minutes=1)
    )

    page = parse(client_for("project-admin").get(project_list(demo), {"paused": "1"}))

    assert names(page) == ["prod-west"]


def test_the_status_line_says_how_many_match(demo, client_for, fleet):
    client = client_for("tenant-admin")

    assert status(parse(client.get(tenant_list(demo)))) == "5 clusters"
    assert status(parse(client.get(tenant_list(demo), {"behind": "1"}))) == "3 clusters match"
    assert status(parse(client.get(tenant_list(demo), {"q": "staging"}))) == "1 cluster matches"


def test_a_filter_that_matches_nothing_says_so(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_list(demo), {"q": "no-such-cluster"}))

    assert results(page).find("p", class_="empty").text == "No cluster matches these filters."
    assert results(page).find_all("table") == []


def test_the_filter_form_works_without_javascript_and_shows_what_is_applied(
    demo, client_for, fleet
):
    url = tenant_list(demo)

    page = parse(client_for("tenant-admin").get(url, {"q": "prod", "behind": "1"}))

    form = page.find("form", role="search")
    assert (form.attrs["method"], form.attrs["action"]) == ("get", url)
    assert form.attrs["aria-label"] == "Filter clusters"
    assert page.find("label", for_="cluster-search").text == "Search clusters"
    assert form.find("input", name="q").attrs["value"] == "prod"
    paused, behind = form.find("input", name="paused"), form.find("input", name="behind")
    assert (paused.attrs["value"], behind.attrs["value"]) == ("1", "1")
    assert "checked" not in paused.attrs
    assert "checked" in behind.attrs
    assert form.find("button", type="submit").text == "Apply"


def test_the_filter_form_asks_htmx_to_swap_only_the_results(demo, client_for):
    url = tenant_list(demo)

    form = parse(client_for("tenant-admin").get(url)).find("form", role="search")

    assert form.attrs["hx-get"] == url
    assert form.attrs["hx-target"] == "#cluster-results"
    assert form.attrs["hx-push-url"] == "true"


def test_the_search_escapes_what_was_typed(demo, client_for):
    response = client_for("tenant-admin").get(tenant_list(demo), {"q": '"><script>x</script>'})

    assert response.status_code == 200
    assert b"<script>x</script>" not in response.content
    assert names(parse(response)) == []


def test_filters_never_reach_clusters_outside_the_users_roles(demo, client_for, fleet):
    page = parse(client_for("cluster-admin").get(project_list(demo), {"q": "prod"}))

    assert names(page) == ["prod-east"]
    assert client_for("project-admin").get(tenant_list(demo), {"q": "x"}).status_code == 404


# Pagination keeps the filters.


@pytest.fixture
def workers(demo, admin):
    """60 more clusters in Default; the first 55 paused."""
    for number in range(60):
        cluster = rules.new_cluster(demo.default, f"worker-{number:02d}")
        if number < 55:
            rules.set_cluster(cluster, LOCK, actor=admin)


def test_pages_hold_fifty_clusters(demo, client_for, workers):
    first = parse(client_for("project-admin").get(project_list(demo)))

    assert len(names(first)) == 50
    assert status(first) == "63 clusters"
    assert first.find("nav", aria_label="Pages").text.startswith("Page 1 of 2")


def test_the_next_page_link_keeps_the_filters(demo, client_for, workers):
    client = client_for("project-admin")
    query = {"q": "worker", "paused": "1"}

    first = parse(client.get(project_list(demo), query))
    next_link = first.find("a", rel="next")
    second = parse(client.get(project_list(demo) + next_link.attrs["href"]))

    assert next_link.attrs["href"] == "?q=worker&paused=1&page=2"
    assert next_link.attrs["hx-get"] == "?q=worker&paused=1&page=2"
    assert next_link.attrs["hx-target"] == "#cluster-results"
    assert names(second) == [f"worker-{n:02d}" for n in range(50, 55)]
    assert second.find("a", rel="prev").attrs["href"] == "?q=worker&paused=1&page=1"
    assert status(second) == "55 clusters match"


def test_a_page_past_the_end_shows_the_last_page_of_the_filtered_list(demo, client_for, workers):
    page = parse(client_for("project-admin").get(project_list(demo), {"paused": "1", "page": "99"}))

    assert names(page) == [f"worker-{n:02d}" for n in range(50, 55)]


def test_a_filtered_list_that_fits_on_one_page_has_no_page_links(demo, client_for, workers):
    page = parse(client_for("project-admin").get(project_list(demo), {"q": "worker-5"}))

    assert names(page) == [f"worker-5{n}" for n in range(10)]
    assert page.find_all("nav", aria_label="Pages") == []


# htmx: the results alone; a history restore and a plain request get the whole page.


def test_an_htmx_request_gets_only_the_results(demo, client_for, fleet):
    response = client_for("tenant-admin").get(tenant_list(demo), {"behind": "1"}, **HTMX)

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Main Menu" not in response.content
    page = parse(response)
    top = [child for child in page.children if isinstance(child, Element)]
    assert [(e.tag, e.attrs.get("id")) for e in top] == [("div", "cluster-results")]
    assert page.find_all("dl", class_="stats") == []
    assert names(page) == ["edge-01", "edge-02", "prod-east"]


def test_the_htmx_results_carry_page_links_that_keep_the_filters(demo, client_for, workers):
    response = client_for("project-admin").get(
        project_list(demo), {"paused": "1", "page": "2"}, **HTMX
    )

    page = parse(response)
    assert page.find("a", rel="prev").attrs["hx-get"] == "?paused=1&page=1"
    assert names(page) == [f"worker-{n:02d}" for n in range(50, 55)]


def test_a_history_restore_gets_the_whole_page(demo, client_for, fleet):
    response = client_for("tenant-admin").get(tenant_list(demo), {"behind": "1"}, **HISTORY_RESTORE)

    assert response.status_code == 200
    assert b"<html" in response.content
    page = parse(response)
    assert page.find("nav", aria_label="Main Menu")
    assert totals(page) == {"Clusters": "5", "Paused": "4", "Behind": "3"}
    assert names(page) == ["edge-01", "edge-02", "prod-east"]


@pytest.mark.parametrize("headers", [{}, HTMX, HISTORY_RESTORE], ids=["plain", "htmx", "restore"])
def test_every_answer_varies_on_hx_request(demo, client_for, headers):
    response = client_for("tenant-admin").get(tenant_list(demo), **headers)

    assert "HX-Request" in [h.strip() for h in response["Vary"].split(",")]


def test_a_plain_request_gets_the_whole_page(demo, client_for):
    response = client_for("tenant-admin").get(tenant_list(demo))

    assert b"<html" in response.content
    assert parse(response).find("h1").text == "Clusters"


def test_an_htmx_request_from_a_stranger_still_gets_404(demo, client_for):
    response = client_for("globex-admin").get(tenant_list(demo), **HTMX)

    assert response.status_code == 404
    assert b"prod-east" not in response.content


def test_a_cluster_admins_summary_in_another_project_counts_only_their_cluster_there(
    demo, client_for, user, fleet
):
    assign_perm("settings_app.administer_cluster", user("cluster-admin"), demo.edge_01)

    page = parse(
        client_for("cluster-admin").get(
            reverse("cluster_list", args=[ScopeRef("projects", demo.edge.pk)])
        )
    )

    assert totals(page) == {"Clusters": "1", "Paused": "1", "Behind": "1"}
    assert names(page) == ["edge-01"]
