"""The Clusters list (`cluster_list`), in the tenant scope and a project scope: its rows and
columns, the summary (clusters, paused, behind, per project), the Behind badge, the Paused and
Behind filters and the search, pages of fifty, with and without htmx, and what it shows of a
pause's reason and end. Who may open it is in tests/who_may_do_what.py."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from settings_app import rules
from settings_app.models import AgentUpgrades, Cluster, PlatformRelease
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import Pause
from tests.factories import REASON, in_a_week
from tests.html import Element, parse, shown, span, table_rows

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
HTMX = {"HTTP_HX_REQUEST": "true"}
HISTORY_RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def tenant_clusters(demo) -> str:
    """The Clusters list of tenant Acme's scope."""
    return reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])


def project_clusters(demo) -> str:
    """The Clusters list of project Acme / Default's scope."""
    return reverse("cluster_list", args=[ScopeRef("projects", demo.default.pk)])


def project_scope(demo) -> ScopeRef:
    return ScopeRef("projects", demo.default.pk)


def tenant_scope(demo) -> ScopeRef:
    return ScopeRef("tenants", demo.acme.pk)


def list_url(scope: ScopeRef) -> str:
    return reverse("cluster_list", args=[scope])


def detail_url(scope: ScopeRef, cluster: Cluster) -> str:
    return reverse("cluster_detail", args=[scope, cluster.pk])


def results(page: Element) -> Element:
    return page.find("div", id="cluster-results")


def names(page: Element) -> list[str]:
    found = results(page)
    if not found.find_all("tbody"):
        return []
    return [th.text for th in found.find("tbody").find_all("th", scope="row")]


def status(page: Element) -> str:
    return results(page).find("p", role="status").text


def totals(page: Element) -> dict[str, str]:
    """The summary tiles' figures (the Mixed projects tile, shown only where Mixed projects are,
    and the Frozen tile, which test_frozen_clusters reads, apart)."""
    stats = page.find("dl", class_="stats")
    found = {div.find("dt").text: div.find("dd").text for div in stats.find_all("div")}
    found.pop("Mixed projects", None)
    found.pop("Frozen", None)
    return found


def pager(page: Element) -> list[str]:
    """The pager's links and current page, as a person reads them."""
    nav = page.find("nav", aria_label="Pages")
    links = [e for e in nav.find_all() if e.tag == "a" or e.attrs.get("aria-current") == "page"]
    return [e.text.removesuffix(" (this page)") for e in links]


def query_of(link: str) -> dict[str, str]:
    """A link's query, without the keyset hint (after/before) or the anchor."""
    found = parse_qs(urlsplit(link).query)
    return {k: v[0] for k, v in found.items() if k not in ("after", "before")}


def per_project(page: Element) -> list[list[str]]:
    return table_rows(page.find("details", class_="per-project"))


def pause_via_project_admin(demo, user, cluster: Cluster) -> None:
    rules.set_cluster(cluster, LOCK, actor=user("project-admin"))


def in_an_hour() -> datetime:
    return timezone.now() + timedelta(hours=1)


# The list: a row per cluster, in the scope, with its project, agent and state.


def test_the_tenant_scope_lists_every_cluster_of_the_tenant_with_project_version_and_state(
    demo, client_for, user
):
    pause_via_project_admin(demo, user, demo.prod_east)

    response = client_for("tenant-admin").get(list_url(tenant_scope(demo)))

    assert response.status_code == 200
    rows = [row[:4] for row in table_rows(results(parse(response)))]
    assert rows == [
        ["edge-01", "Edge", "4.7.2", "Active"],
        ["edge-02", "Edge", "4.7.2", "Active"],
        ["prod-east", "Default", "4.7.2", "Paused"],
        ["prod-west", "Default", "4.7.2", "Active"],
        ["staging", "Default", "4.7.2", "Active"],
    ]


def test_the_list_has_columns_for_project_agent_version_and_agent_upgrades(demo, client_for):
    response = client_for("tenant-admin").get(list_url(tenant_scope(demo)))

    thead = results(parse(response)).find("thead")
    headers = [th.text for th in thead.find_all("th") if th.attrs.get("class") != "select"]
    assert headers[:4] == ["Name", "Project", "Agent version", "Agent upgrades"]


def test_the_project_scope_lists_only_the_clusters_of_the_project(demo, client_for):
    response = client_for("project-admin").get(list_url(project_scope(demo)))

    assert response.status_code == 200
    assert [row[0] for row in table_rows(results(parse(response)))] == [
        "prod-east",
        "prod-west",
        "staging",
    ]
    assert results(parse(response)).find("p", role="status").text == f"Showing {span(1, 3)} of 3"
    head = parse(response).find("div", class_="page-head").find("p", class_="subtle")
    assert head.text.startswith("Project Default in tenant Acme")


def test_the_agent_version_column_shows_each_clusters_own_agent(demo, client_for):
    Cluster.objects.filter(pk=demo.staging.pk).update(agent_version="4.6.9")

    response = client_for("project-admin").get(list_url(project_scope(demo)))

    # An agent that is not the platform's (4.7.2) also carries the "Behind" badge.
    versions = {row[0]: row[2] for row in table_rows(results(parse(response)))}
    assert versions == {"prod-east": "4.7.2", "prod-west": "4.7.2", "staging": "4.6.9 Behind"}


def test_each_cluster_name_links_to_its_details_page_in_the_same_scope(demo, client_for):
    scope = tenant_scope(demo)

    response = client_for("tenant-admin").get(list_url(scope))

    link = parse(response).find("a", href=detail_url(scope, demo.edge_01))
    assert link.text == "edge-01"


def test_a_cluster_admin_sees_only_prod_east(demo, client_for):
    response = client_for("cluster-admin").get(list_url(project_scope(demo)))

    assert response.status_code == 200
    assert [row[0] for row in table_rows(results(parse(response)))] == ["prod-east"]
    assert b"prod-west" not in response.content


def test_the_tenant_list_never_shows_another_tenants_clusters(demo, client_for):
    response = client_for("tenant-admin").get(list_url(tenant_scope(demo)))

    assert b"globex-main" not in response.content


@pytest.mark.parametrize(
    "page", ["2", "99", "abc", "-1", "", "184467440737095518", "9" * 40, "1e9", "٣"]
)
def test_it_tolerates_any_page_parameter(demo, client_for, page):
    response = client_for("project-admin").get(list_url(project_scope(demo)), {"page": page})

    assert response.status_code == 200
    assert [row[0] for row in table_rows(results(parse(response)))] == [
        "prod-east",
        "prod-west",
        "staging",
    ]


DEEP_KEY = base64.urlsafe_b64encode(b"[" * 1200).decode()  # nested past Python's stack


@pytest.mark.parametrize("where", ["after", "before"])
def test_it_ignores_a_paging_key_nested_too_deep_to_read(demo, client_for, where):
    response = client_for("project-admin").get(
        list_url(project_scope(demo)), {"page": "2", where: DEEP_KEY}
    )

    assert response.status_code == 200
    assert names(parse(response)) == ["prod-east", "prod-west", "staging"]


def test_it_splits_a_long_list_into_pages_of_fifty(demo, client_for):
    for number in range(50):
        rules.new_cluster(demo.default, f"worker-{number:02d}")
    scope = project_scope(demo)

    first = client_for("project-admin").get(list_url(scope))
    second = client_for("project-admin").get(list_url(scope), {"page": "2"})

    assert len(table_rows(results(parse(first)))) == 50
    assert query_of(parse(first).find("a", rel="next").attrs["href"]) == {"page": "2"}
    assert [row[0] for row in table_rows(results(parse(second)))] == [
        "worker-47",
        "worker-48",
        "worker-49",
    ]
    assert pager(parse(first)) == ["1", "2", "Next", "Last"]
    assert pager(parse(second)) == ["First", "Previous", "1", "2"]
    assert status(parse(second)) == f"Showing {span(51, 53)} of 53"
    assert parse(second).find_all("a", rel="next") == []


def test_the_list_rejects_post(demo, client_for):
    assert client_for("tenant-admin").post(list_url(tenant_scope(demo))).status_code == 405


# The summary: clusters, paused, behind, per project.


def test_the_summary_counts_clusters_paused_and_behind_in_the_tenant(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

    assert totals(page) == {"Clusters": "5", "Paused": "4", "Behind": "3"}
    assert per_project(page) == [
        ["Default", "3", "2", "1", "Mixed · 2 of 3 clusters paused"],
        ["Edge", "2", "2", "2", "Paused"],
    ]


def test_the_summary_of_a_project_counts_only_its_clusters(demo, client_for, fleet):
    page = parse(client_for("project-admin").get(project_clusters(demo)))

    assert totals(page) == {"Clusters": "3", "Paused": "2", "Behind": "1"}
    # One project: its totals say it all, so there is no per-project table.
    assert page.find_all("details", class_="per-project") == []


def test_the_summary_counts_only_the_clusters_the_user_may_see(demo, client_for, fleet):
    page = parse(client_for("cluster-admin").get(project_clusters(demo)))

    assert totals(page) == {"Clusters": "1", "Paused": "1", "Behind": "1"}
    assert names(page) == ["prod-east"]


def test_the_summary_ignores_the_filters(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"q": "edge-01"}))

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
    assert per_project(page) == [["Default", "1", "1", "0", "Paused"]]


def test_nothing_is_behind_before_any_release(demo, client_for):
    PlatformRelease.objects.all().delete()

    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"behind": "1"}))

    assert totals(page)["Behind"] == "0"
    assert names(page) == []
    assert "platform agent unknown" in page.find("div", class_="page-head").text


# The Behind badge.


def test_a_cluster_behind_the_platform_carries_a_behind_badge(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

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

    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

    versions = {row[0]: row[2] for row in table_rows(results(page))}
    assert versions["prod-east"] == "4.8.0"
    assert totals(page)["Behind"] == "2"


def test_the_header_names_the_platforms_agent(demo, client_for, fleet):
    page = parse(client_for("project-admin").get(project_clusters(demo)))

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
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), query))

    assert names(page) == expected


def test_the_paused_filter_keeps_only_pauses_that_hold(demo, client_for, admin):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=timezone.now() + timedelta(hours=1))
    )
    rules.set_cluster(demo.prod_west, LOCK, actor=admin)
    Cluster.objects.filter(pk=demo.prod_east.pk).update(
        agent_upgrades_until=timezone.now() - timedelta(minutes=1)
    )

    page = parse(client_for("project-admin").get(project_clusters(demo), {"paused": "1"}))

    assert names(page) == ["prod-west"]


def test_the_status_line_says_how_many_match(demo, client_for, fleet):
    client = client_for("tenant-admin")

    assert status(parse(client.get(tenant_clusters(demo)))) == f"Showing {span(1, 5)} of 5"
    behind = client.get(tenant_clusters(demo), {"behind": "1"})
    assert status(parse(behind)) == f"Showing {span(1, 3)} of 3"
    staging = client.get(tenant_clusters(demo), {"q": "staging"})
    assert status(parse(staging)) == f"Showing {span(1, 1)} of 1"


def test_a_filter_that_matches_nothing_says_so(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"q": "no-such-cluster"}))

    empty = results(page).find("p", class_="empty")
    assert empty.text == "No cluster matches these filters. Clear filters"
    assert empty.find("a").attrs["href"] == "?"
    # Said once: no count line, no chips' own Clear filters beside it.
    assert len(results(page).find_all("p", role="status")) == 1
    assert len(page.find_all("a", class_="clear-filters")) == 1
    assert results(page).find_all("table") == []


def test_the_filter_form_works_without_javascript_and_shows_what_is_applied(
    demo, client_for, fleet
):
    url = tenant_clusters(demo)

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
    url = tenant_clusters(demo)

    form = parse(client_for("tenant-admin").get(url)).find("form", role="search")

    assert form.attrs["hx-get"] == url
    assert form.attrs["id"] == "cluster-filters"  # named in HX-Trigger: its answer spares it
    assert form.attrs["hx-target"] == "#cluster-results"
    assert form.attrs["hx-push-url"] == "true"


def test_the_search_escapes_what_was_typed(demo, client_for):
    response = client_for("tenant-admin").get(tenant_clusters(demo), {"q": '"><script>x</script>'})

    assert response.status_code == 200
    assert b"<script>x</script>" not in response.content
    assert names(parse(response)) == []


def test_filters_never_reach_clusters_outside_the_users_roles(demo, client_for, fleet):
    page = parse(client_for("cluster-admin").get(project_clusters(demo), {"q": "prod"}))

    assert names(page) == ["prod-east"]
    assert client_for("project-admin").get(tenant_clusters(demo), {"q": "x"}).status_code == 404


# Pagination keeps the filters.


@pytest.fixture
def workers(demo, admin):
    """60 more clusters in Default; the first 55 paused."""
    for number in range(60):
        cluster = rules.new_cluster(demo.default, f"worker-{number:02d}")
        if number < 55:
            rules.set_cluster(cluster, LOCK, actor=admin)


def test_pages_hold_fifty_clusters(demo, client_for, workers):
    first = parse(client_for("project-admin").get(project_clusters(demo)))

    assert len(names(first)) == 50
    assert status(first) == f"Showing {span(1, 50)} of 63"
    assert pager(first) == ["1", "2", "Next", "Last"]


def test_the_last_page_holds_the_rest_and_says_which_clusters_it_shows(demo, client_for, workers):
    second = parse(client_for("project-admin").get(project_clusters(demo), {"page": "2"}))

    assert names(second) == [f"worker-{n:02d}" for n in range(47, 60)]
    assert status(second) == f"Showing {span(51, 63)} of 63"  # the summary knows the count
    assert pager(second) == ["First", "Previous", "1", "2"]
    assert second.find_all("a", rel="next") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"paused": "1", "page": "2"}, f"Showing {span(51, 55)} of 55"),
        ({"behind": "1", "page": "2"}, f"Showing {span(51, 55)} of 55"),
        ({"paused": "1", "behind": "1", "page": "2"}, f"Showing {span(51, 55)} of 55"),
        ({"q": "worker", "page": "2"}, f"Showing {span(51, 60)} of 60"),
        ({"q": "worker"}, f"Showing {span(1, 50)} of 60"),
        ({"q": "worker-0"}, f"Showing {span(1, 10)} of 10"),
    ],
    ids=["paused", "behind", "paused and behind", "search", "search first page", "one page"],
)
def test_the_status_line_counts_when_the_summary_knows_and_else_names_the_rows(
    demo, client_for, admin, workers, query, expected
):
    # After a release, the 55 paused workers are held back: behind, like the paused filter.
    rules.release_platform("4.8.0")

    page = parse(client_for("project-admin").get(project_clusters(demo), query))

    assert status(page) == expected


def test_the_next_page_link_keeps_the_filters(demo, client_for, workers):
    client = client_for("project-admin")
    query = {"q": "worker", "paused": "1"}

    first = parse(client.get(project_clusters(demo), query))
    next_link = first.find("a", rel="next")
    second = parse(client.get(project_clusters(demo) + next_link.attrs["href"]))

    assert query_of(next_link.attrs["href"]) == {"q": "worker", "paused": "1", "page": "2"}
    assert query_of(next_link.attrs["hx-get"]) == {"q": "worker", "paused": "1", "page": "2"}
    assert next_link.attrs["hx-target"] == "#cluster-results"
    assert names(second) == [f"worker-{n:02d}" for n in range(50, 55)]
    assert query_of(second.find("a", rel="prev").attrs["href"]) == {
        "q": "worker",
        "paused": "1",
        "page": "1",
    }
    # A search: the summary cannot know how many match, so the list is counted.
    assert status(second) == f"Showing {span(51, 55)} of 55"


def test_a_page_past_the_end_shows_the_last_page_of_the_filtered_list(demo, client_for, workers):
    page = parse(
        client_for("project-admin").get(project_clusters(demo), {"paused": "1", "page": "99"})
    )

    assert names(page) == [f"worker-{n:02d}" for n in range(50, 55)]
    assert pager(page) == ["First", "Previous", "1", "2"]
    assert query_of(page.find("a", rel="prev").attrs["href"]) == {"paused": "1", "page": "1"}
    assert status(page) == f"Showing {span(51, 55)} of 55"


def test_a_filtered_list_that_fits_on_one_page_has_no_page_links(demo, client_for, workers):
    page = parse(client_for("project-admin").get(project_clusters(demo), {"q": "worker-5"}))

    assert names(page) == [f"worker-5{n}" for n in range(10)]
    assert page.find_all("nav", aria_label="Pages") == []


# htmx: the results alone; a history restore and a plain request get the whole page.


def top_level(page: Element) -> list[tuple[str, str | None, str | None]]:
    """The answer's elements: each tag, id, and how htmx swaps it out of band (if it does)."""
    return [
        (e.tag, e.attrs.get("id"), e.attrs.get("hx-swap-oob"))
        for e in page.children
        if isinstance(e, Element)
    ]


def test_an_htmx_request_gets_the_results_with_the_tiles_and_filters_out_of_band(
    demo, client_for, fleet
):
    # A chip's Remove, a sort or a page: the form and the tiles must follow the address.
    response = client_for("tenant-admin").get(tenant_clusters(demo), {"behind": "1"}, **HTMX)

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Main Menu" not in response.content
    page = parse(response)
    assert top_level(page) == [
        ("div", "cluster-results", None),
        ("dl", "fleet-tiles", "true"),
        ("form", "cluster-filters", "true"),
    ]
    assert names(page) == ["edge-01", "edge-02", "prod-east"]
    form = page.find("form", id="cluster-filters")
    assert "checked" in form.find("input", name="behind").attrs
    assert "checked" not in form.find("input", name="paused").attrs
    assert page.find("dl", class_="stats").find("a", aria_current="true").text == "Behind"


def test_after_a_chip_is_removed_the_form_no_longer_holds_its_filter(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"sort": "-name"}, **HTMX))

    form = page.find("form", id="cluster-filters")
    assert "checked" not in form.find("input", name="paused").attrs
    assert form.find("input", name="sort").attrs["value"] == "-name"
    assert page.find("dl", class_="stats").find("a", aria_current="true").text == "Clusters"


def test_the_filter_forms_own_answer_leaves_the_form_as_it_is_being_typed_in(
    demo, client_for, fleet
):
    # What is typed while the answer travels must not be overwritten by what was sent.
    response = client_for("tenant-admin").get(
        tenant_clusters(demo), {"q": "prod"}, HTTP_HX_TRIGGER="cluster-filters", **HTMX
    )

    assert top_level(parse(response)) == [
        ("div", "cluster-results", None),
        ("dl", "fleet-tiles", "true"),
    ]


def test_the_htmx_results_carry_page_links_that_keep_the_filters(demo, client_for, workers):
    response = client_for("project-admin").get(
        project_clusters(demo), {"paused": "1", "page": "2"}, **HTMX
    )

    page = parse(response)
    assert query_of(page.find("a", rel="prev").attrs["hx-get"]) == {"paused": "1", "page": "1"}
    assert names(page) == [f"worker-{n:02d}" for n in range(50, 55)]


def test_a_history_restore_gets_the_whole_page(demo, client_for, fleet):
    response = client_for("tenant-admin").get(
        tenant_clusters(demo), {"behind": "1"}, **HISTORY_RESTORE
    )

    assert response.status_code == 200
    assert b"<html" in response.content
    page = parse(response)
    assert page.find("nav", aria_label="Main Menu")
    assert totals(page) == {"Clusters": "5", "Paused": "4", "Behind": "3"}
    assert names(page) == ["edge-01", "edge-02", "prod-east"]


@pytest.mark.parametrize("headers", [{}, HTMX, HISTORY_RESTORE], ids=["plain", "htmx", "restore"])
def test_every_answer_varies_on_hx_request(demo, client_for, headers):
    response = client_for("tenant-admin").get(tenant_clusters(demo), **headers)

    assert "HX-Request" in [h.strip() for h in response["Vary"].split(",")]


def test_a_plain_request_gets_the_whole_page(demo, client_for):
    response = client_for("tenant-admin").get(tenant_clusters(demo))

    assert b"<html" in response.content
    assert parse(response).find("h1").text == "Clusters"


def test_an_htmx_request_from_a_stranger_still_gets_404(demo, client_for):
    response = client_for("globex-admin").get(tenant_clusters(demo), **HTMX)

    assert response.status_code == 404
    assert b"prod-east" not in response.content


# A Cluster Admin's summary counts the clusters they hold a role on, never the project's rows.


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


@pytest.fixture
def cluster_admins_workers(demo, admin, user):
    """63 clusters in Default, paused and held back by a release, prod-west apart; the Cluster
    Admin holds a role on prod-east and on 55 of the 60 workers."""
    cluster_admin = user("cluster-admin")
    for number in range(60):
        cluster = rules.new_cluster(demo.default, f"worker-{number:02d}")
        if number < 55:
            assign_perm("settings_app.administer_cluster", cluster_admin, cluster)
    rules.push_project(demo.default, LOCK, actor=admin)
    rules.set_cluster(demo.prod_west, UNLOCK, actor=admin)
    rules.release_platform("4.8.0")


def test_a_cluster_admins_summary_counts_only_their_clusters(
    demo, client_for, cluster_admins_workers
):
    page = parse(client_for("cluster-admin").get(project_clusters(demo)))

    assert totals(page) == {"Clusters": "56", "Paused": "56", "Behind": "56"}
    assert status(page) == f"Showing {span(1, 50)} of 56"
    assert "prod-west" not in names(page) and "worker-55" not in names(page)
    # The project's own summary, for comparison: every cluster in it.
    assert totals(parse(client_for("project-admin").get(project_clusters(demo)))) == {
        "Clusters": "63",
        "Paused": "62",
        "Behind": "62",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"page": "2"}, f"Showing {span(51, 56)} of 56"),
        ({"paused": "1", "page": "2"}, f"Showing {span(51, 56)} of 56"),
        ({"behind": "1", "page": "2"}, f"Showing {span(51, 56)} of 56"),
    ],
    ids=["all", "paused", "behind"],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_cluster_admins_count_line_never_counts_clusters_they_cannot_see(
    demo, client_for, cluster_admins_workers, query, expected, headers
):
    page = parse(client_for("cluster-admin").get(project_clusters(demo), query, **headers))

    assert status(page) == expected
    assert names(page) == [f"worker-{n:02d}" for n in range(49, 55)]
    assert pager(page) == ["First", "Previous", "1", "2"]


def test_a_cluster_admins_summary_leaves_out_an_ended_pause_on_a_cluster_they_cannot_see(
    demo, client_for, admin, clock
):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.set_cluster(demo.prod_west, LOCK, actor=admin, pause=Pause(until=in_an_hour()))
    clock.advance(hours=2)

    cluster_admin = parse(client_for("cluster-admin").get(project_clusters(demo)))
    project_admin = parse(client_for("project-admin").get(project_clusters(demo)))

    assert totals(cluster_admin) == {"Clusters": "1", "Paused": "1", "Behind": "0"}
    assert totals(project_admin) == {"Clusters": "3", "Paused": "1", "Behind": "0"}


def test_the_tenant_summary_leaves_out_ended_pauses_project_by_project(
    demo, client_for, admin, clock
):
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause(until=in_an_hour()))
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    clock.advance(hours=2)

    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

    assert totals(page) == {"Clusters": "5", "Paused": "1", "Behind": "0"}
    assert per_project(page) == [
        ["Default", "3", "1", "0", "Mixed · 1 of 3 clusters paused"],
        ["Edge", "2", "0", "0", "Active"],
    ]


# A pause's reason and end; a pause whose end has passed is never shown as holding.


def test_the_clusters_list_shows_a_pauses_end_and_reason(demo, client_for, admin):
    until = in_a_week()
    rules.push_project(demo.default, LOCK, actor=admin, pause=Pause(REASON, until))

    response = client_for("project-admin").get(reverse("cluster_list", args=[project_scope(demo)]))

    rows = {
        row[0]: row[3:] for row in table_rows(parse(response).find("div", id="cluster-results"))
    }
    assert rows["prod-east"][0] == "Paused"
    assert rows["prod-east"][1].startswith(
        f"until {shown(until)} · “{REASON}” · pushed by project Default · tenant-admin"
    )


def test_the_clusters_list_shows_an_ended_pause_as_active(demo, client_for, ended):
    response = client_for("project-admin").get(reverse("cluster_list", args=[project_scope(demo)]))

    row = table_rows(parse(response).find("div", id="cluster-results"))[0]
    assert row[0] == "prod-east"
    assert row[3] == "Active"
    assert row[4].startswith(
        f"pause ended {shown(ended)} · it was “{REASON}”, set on this cluster · tenant-admin"
    )


def test_the_paused_filter_and_the_summary_leave_an_ended_pause_out(demo, client_for, ended):
    url = reverse("cluster_list", args=[project_scope(demo)])

    response = client_for("project-admin").get(url, {"paused": "1"})

    page = parse(response)
    assert page.find("div", id="cluster-results").find("p", role="status").text == (
        "No cluster matches these filters. Clear filters"
    )
    stats = {
        d.find("dt").text: d.find("dd").text
        for d in page.find("dl", class_="stats").find_all("div")
    }
    assert stats["Paused"] == "0"


# Sorting, the tiles as filters, the chips, and page numbers: all of it in the address.


def headers(page: Element) -> dict[str, tuple[str, str]]:
    """Each column header: (its link's query's sort, its aria-sort)."""
    found = {}
    for th in results(page).find("thead").find_all("th"):
        if not th.find_all("a"):
            continue  # the selection's column
        link = th.find("a")
        found[link.text] = (
            query_of(link.attrs["href"]).get("sort", ""),
            th.attrs.get("aria-sort", ""),
        )
    return found


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["edge-01", "edge-02", "prod-east", "prod-west", "staging"]),
        ("-name", ["staging", "prod-west", "prod-east", "edge-02", "edge-01"]),
        ("project", ["prod-east", "prod-west", "staging", "edge-01", "edge-02"]),
        ("-project", ["edge-02", "edge-01", "staging", "prod-west", "prod-east"]),
        ("upgrades", ["edge-01", "edge-02", "prod-east", "staging", "prod-west"]),  # lock first
        ("-upgrades", ["prod-west", "staging", "prod-east", "edge-02", "edge-01"]),
        ("agent", ["edge-01", "edge-02", "prod-east", "prod-west", "staging"]),
    ],
)
def test_each_column_sorts_both_ways(demo, client_for, fleet, sort, expected):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"sort": sort}))

    assert names(page) == expected


def test_the_last_set_column_sorts_never_set_clusters_first_going_up(demo, client_for, admin):
    rules.set_cluster(demo.staging, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    up = parse(client_for("project-admin").get(project_clusters(demo), {"sort": "set"}))
    down = parse(client_for("project-admin").get(project_clusters(demo), {"sort": "-set"}))

    assert names(up) == ["prod-west", "staging", "prod-east"]
    assert names(down) == ["prod-east", "staging", "prod-west"]


def test_the_sorted_column_says_so_and_its_header_turns_the_order_around(demo, client_for, fleet):
    client = client_for("tenant-admin")

    plain = parse(client.get(tenant_clusters(demo)))
    down = parse(client.get(tenant_clusters(demo), {"sort": "-project", "paused": "1"}))

    assert headers(plain) == {
        "Name": ("-name", "ascending"),
        "Project": ("project", ""),
        "Agent version": ("agent", ""),
        "Agent upgrades": ("upgrades", ""),
        "Last set": ("set", ""),
    }
    assert headers(down)["Project"] == ("project", "descending")
    # A header keeps the filters, and starts again from the first page.
    link = results(down).find("thead").find_all("a")[0].attrs["href"]
    assert query_of(link) == {"paused": "1", "sort": "name"}


def test_an_unknown_sort_falls_back_to_names(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"sort": "-password"}))

    assert names(page)[0] == "edge-01"


def tiles(page: Element) -> dict[str, str]:
    stats = page.find("dl", class_="stats")
    return {a.text: a.attrs["href"] for a in stats.find_all("a")}


def test_the_summary_tiles_are_links_that_filter_the_list(demo, client_for, fleet):
    client = client_for("tenant-admin")
    page = parse(client.get(tenant_clusters(demo), {"sort": "-name", "q": "prod"}))

    links = tiles(page)

    assert list(links) == ["Clusters", "Paused", "Behind", "Frozen", "Mixed projects"]
    assert query_of(links["Clusters"]) == {"sort": "-name"}
    assert query_of(links["Paused"]) == {"paused": "1", "sort": "-name"}
    assert query_of(links["Behind"]) == {"behind": "1", "sort": "-name"}
    assert query_of(links["Mixed projects"]) == {"mixed": "1", "sort": "-name"}
    mixed = parse(client.get(tenant_clusters(demo) + links["Mixed projects"]))
    assert names(mixed) == ["staging", "prod-west", "prod-east"]  # Default: 2 of 3 paused
    assert mixed.find("a", aria_current="true").text == "Mixed projects"
    assert tiles(parse(client.get(tenant_clusters(demo))))  # and the Clusters tile is current
    assert (
        parse(client.get(tenant_clusters(demo))).find("a", aria_current="true").text == "Clusters"
    )


def test_the_mixed_tile_counts_the_projects_that_are_mixed_not_their_clusters(
    demo, client_for, admin
):
    for number in range(122):
        rules.new_cluster(demo.default, f"worker-{number:03d}")
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)  # Default: 1 of 125 paused
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)  # Edge: 1 of 2 paused

    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

    stats = page.find("dl", class_="stats")
    figures = {div.find("dt").text: div.find("dd").text for div in stats.find_all("div")}
    assert figures == {
        "Clusters": "127",
        "Paused": "2",
        "Behind": "0",
        "Frozen": "0",
        "Mixed projects": "2",
    }


def test_the_per_project_table_links_each_project_to_its_clusters(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

    table = page.find("details", class_="per-project")
    links = {a.text: a.attrs["href"] for a in table.find_all("a")}
    assert links == {
        "Default": list_url(project_scope(demo)),
        "Edge": list_url(ScopeRef("projects", demo.edge.pk)),
    }


def test_there_is_no_mixed_tile_without_a_mixed_project(demo, client_for):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

    assert list(tiles(page)) == ["Clusters", "Paused", "Behind", "Frozen"]


def test_the_mixed_filter_costs_the_same_statements_with_or_without_a_mixed_project(
    demo, client_for, admin
):
    client = client_for("tenant-admin")

    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(tenant_clusters(demo), {"mixed": "1"}).status_code == 200
        return len(captured)

    without = statements()
    rules.set_cluster(demo.prod_east, AgentUpgrades.LOCK, actor=admin)  # Default: 1 of 3 paused

    assert statements() == without


def test_the_chips_show_what_is_applied_each_removable_and_clear_filters(demo, client_for, fleet):
    page = parse(
        client_for("tenant-admin").get(
            tenant_clusters(demo), {"q": "prod", "behind": "1", "sort": "agent"}
        )
    )

    chips = results(page).find("div", class_="filter-chips")
    assert [li.text for li in chips.find_all("li")] == [
        "Name starts with “prod” Remove filter Name starts with “prod”",
        "Behind Remove filter Behind",
    ]
    removes = [query_of(li.find("a").attrs["href"]) for li in chips.find_all("li")]
    assert removes == [{"behind": "1", "sort": "agent"}, {"q": "prod", "sort": "agent"}]
    clear = chips.find("a", class_="clear-filters")
    assert clear.text == "Clear filters"
    assert query_of(clear.attrs["href"]) == {"sort": "agent"}


def test_there_are_no_chips_without_filters(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

    assert results(page).find_all("div", class_="filter-chips") == []


def test_the_pager_offers_first_previous_a_few_numbers_next_and_last(demo, client_for):
    for number in range(260):
        rules.new_cluster(demo.default, f"worker-{number:03d}")
    client = client_for("project-admin")

    page = parse(client.get(project_clusters(demo), {"page": "3", "sort": "-name"}))

    assert status(page) == f"Showing {span(101, 150)} of 263"
    assert pager(page) == ["First", "Previous", "1", "2", "3", "4", "5", "Next", "Last"]
    nav = page.find("nav", aria_label="Pages")
    hrefs = {a.text: a.attrs["href"] for a in nav.find_all("a")}
    assert query_of(hrefs["First"]) == {"sort": "-name"}
    assert query_of(hrefs["Last"]) == {"sort": "-name", "page": "last"}
    assert query_of(hrefs["5"]) == {"sort": "-name", "page": "5"}
    assert hrefs["Next"].endswith("#cluster-table")
    last = parse(client.get(project_clusters(demo) + hrefs["Last"]))
    assert status(last) == f"Showing {span(251, 263)} of 263"
    assert names(last)[-1] == "prod-east"
    assert pager(last) == ["First", "Previous", "4", "5", "6"]
    # Numbers follow the keyset links too: the next page from page 3 is page 4.
    after = parse(client.get(project_clusters(demo) + hrefs["Next"]))
    assert status(after) == f"Showing {span(151, 200)} of 263"
    assert names(after)[0] == "worker-109"


def test_after_paging_focus_can_go_to_the_tables_caption(demo, client_for, workers):
    page = parse(client_for("project-admin").get(project_clusters(demo), {"page": "2"}))

    caption = results(page).find("caption")
    assert caption.attrs["id"] == "cluster-caption"
    assert caption.attrs["tabindex"] == "-1"
    assert caption.text == f"Clusters, showing {span(51, 63)} of 63"
    nav = page.find("nav", aria_label="Pages")
    assert all("show:#cluster-results:top" in a.attrs["hx-swap"] for a in nav.find_all("a"))


# Whatever is typed into the search answers with a list, never an error.


@pytest.mark.parametrize(
    "typed", ["\U0010ffff", "prod\U0010ffff", "\ud7ff", "prod\ud7ff", "\x00", "pro\x00d", "\x1b[2J"]
)
def test_the_search_answers_any_text_with_a_list(demo, client_for, typed):
    client = client_for("tenant-admin")
    scope = tenant_scope(demo)

    page = client.get(list_url(scope), {"q": typed})
    export = client.get(reverse("cluster_list_csv", args=[scope]), {"q": typed})
    confirm = client.get(
        reverse("confirm_bulk_change", args=[scope]),
        {"q": typed, "all": "1", "value": "lock", "drawn_at": timezone.now().isoformat()},
    )

    # Control characters are left out: "pro\x00d" searches for "prod", "\x00" for nothing.
    expected = {
        "pro\x00d": ["prod-east", "prod-west"],
        "\x00": ["edge-01", "edge-02", "prod-east", "prod-west", "staging"],
    }.get(typed, [])
    assert (page.status_code, export.status_code) == (200, 200)
    assert names(parse(page)) == expected
    assert len(b"".join(export.streaming_content).splitlines()) == 1 + len(expected)
    # With nothing to act on, back to the list (which says so).
    assert confirm.status_code == (200 if expected else 302)
