"""The fleet at a glance (issue 3, item 5): the Clusters list's summary, its "Behind" badge, the
Paused and Behind filters, the search by name and pagination, without JavaScript and with htmx.
And the fleet rows behind the summary (issues 5 and 8): every rule, and every way the ORM writes
clusters, keeps them equal to a live count of the clusters; a Cluster Admin's summary counts
only what they may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from settings_app import rules
from settings_app.models import (
    AgentUpgrades,
    Cluster,
    PlatformRelease,
    Project,
    ProjectFleet,
    Scope,
    Via,
)
from settings_app.rules import Pause
from settings_app.scopes import ScopeRef
from tests.html import Element, parse, span, table_rows

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
    assert per_project(page) == [
        ["Default", "3", "2", "1", "Mixed · 2 of 3 clusters paused"],
        ["Edge", "2", "2", "2", "Paused"],
    ]


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
    assert per_project(page) == [["Default", "1", "1", "0", "Paused"]]


def test_nothing_is_behind_before_any_release(demo, client_for):
    PlatformRelease.objects.all().delete()

    page = parse(client_for("tenant-admin").get(tenant_list(demo), {"behind": "1"}))

    assert totals(page)["Behind"] == "0"
    assert names(page) == []
    assert "platform agent unknown" in page.find("div", class_="page-head").text


def test_the_rules_count_every_agent_behind_and_apart_those_a_resume_would_upgrade(demo, fleet):
    Cluster.objects.filter(pk=demo.prod_west.pk).update(agent_version="4.7.2")  # active, behind

    counts = rules.fleet_counts(
        Project.objects.filter(tenant=demo.acme), below=Scope.TENANT, agent_version="4.8.0"
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
    assert first.find("nav", aria_label="Pages").text == f"Page 1 · {span(1, 50)} Next"


def test_the_last_page_holds_the_rest_and_says_which_clusters_it_shows(demo, client_for, workers):
    second = parse(client_for("project-admin").get(project_list(demo), {"page": "2"}))

    assert names(second) == [f"worker-{n:02d}" for n in range(47, 60)]
    assert status(second) == "63 clusters"  # unfiltered: the summary knows the count
    assert second.find("nav", aria_label="Pages").text == f"Previous Page 2 · {span(51, 63)}"
    assert second.find_all("a", rel="next") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"paused": "1", "page": "2"}, "55 clusters match"),
        ({"behind": "1", "page": "2"}, "55 clusters match"),
        ({"paused": "1", "behind": "1", "page": "2"}, f"Clusters {span(51, 55)} that match"),
        ({"q": "worker", "page": "2"}, f"Clusters {span(51, 60)} that match"),
        ({"q": "worker"}, f"Clusters {span(1, 50)} that match"),
        ({"q": "worker-0"}, "10 clusters match"),
    ],
    ids=["paused", "behind", "paused and behind", "search", "search first page", "one page"],
)
def test_the_status_line_counts_when_the_summary_knows_and_else_names_the_rows(
    demo, client_for, admin, workers, query, expected
):
    # After a release, the 55 paused workers are held back: behind, like the paused filter.
    rules.release_platform("4.8.0")

    page = parse(client_for("project-admin").get(project_list(demo), query))

    assert status(page) == expected


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
    # A search: the summary cannot know how many match, so the line names the rows shown.
    assert status(second) == f"Clusters {span(51, 55)} that match"


def test_a_page_past_the_end_shows_the_first_page_of_the_filtered_list(demo, client_for, workers):
    page = parse(client_for("project-admin").get(project_list(demo), {"paused": "1", "page": "99"}))

    assert names(page) == [f"worker-{n:02d}" for n in range(50)]
    assert page.find("nav", aria_label="Pages").text == f"Page 1 · {span(1, 50)} Next"
    assert page.find("a", rel="next").attrs["href"] == "?paused=1&page=2"
    assert status(page) == "55 clusters match"


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


# The fleet rows (issue 5): one per project, read by the summaries instead of the clusters. Every
# change must leave them equal to a live count of the clusters.


COUNTED = (
    "clusters",
    "paused",
    "behind",
    "paused_behind",
    "paused_with_end",
    "set_on_cluster",
    "set_on_project",
    "agent_version",
)


def live_fleet() -> dict[int, dict]:
    """Each project's clusters counted now, from the clusters themselves (one GROUP BY): what its
    fleet row must say. `paused` counts stored pauses; readers subtract those that have ended."""
    agent = rules.current_agent_version()
    lock = Q(agent_upgrades=LOCK)
    behind = ~Q(agent_version=agent) if agent else Q(pk__isnull=True)
    rows = (
        Cluster.objects.values("project_id")
        .annotate(
            clusters=Count("pk"),
            paused=Count("pk", filter=lock),
            behind=Count("pk", filter=behind),
            paused_behind=Count("pk", filter=lock & behind),
            paused_with_end=Count("pk", filter=lock & Q(agent_upgrades_until__isnull=False)),
            set_on_cluster=Count("pk", filter=Q(agent_upgrades_set_via=Via.CLUSTER)),
            set_on_project=Count("pk", filter=Q(agent_upgrades_set_via=Via.PROJECT)),
        )
        .order_by("project_id")
    )
    return {row.pop("project_id"): {**row, "agent_version": agent} for row in rows}


def stored_fleet() -> dict[int, dict]:
    rows = ProjectFleet.objects.values("project_id", *COUNTED)
    return {row.pop("project_id"): row for row in rows}


def in_an_hour() -> datetime:
    return timezone.now() + timedelta(hours=1)


@dataclass(frozen=True)
class Step:
    """A change made through the rules, after an optional preparation (also through them)."""

    change: Callable
    prepare: Callable = lambda demo, admin, clock: None


STEPS = {
    "set_cluster pause": Step(lambda d, a, c: rules.set_cluster(d.prod_west, LOCK, actor=a)),
    "set_cluster pause with an end": Step(
        lambda d, a, c: rules.set_cluster(
            d.prod_west, LOCK, actor=a, pause=Pause(until=in_an_hour())
        )
    ),
    "set_cluster resume catching up": Step(
        lambda d, a, c: rules.set_cluster(d.prod_east, UNLOCK, actor=a)
    ),
    "push_project pause": Step(lambda d, a, c: rules.push_project(d.default, LOCK, actor=a)),
    "push_project resume catching up": Step(
        lambda d, a, c: rules.push_project(d.edge, UNLOCK, actor=a)
    ),
    "push_tenant pause with an end": Step(
        lambda d, a, c: rules.push_tenant(d.acme, LOCK, actor=a, pause=Pause(until=in_an_hour()))
    ),
    "push_tenant resume catching up": Step(
        lambda d, a, c: rules.push_tenant(d.acme, UNLOCK, actor=a)
    ),
    "push_tenant in another tenant": Step(
        lambda d, a, c: rules.push_tenant(d.globex, LOCK, actor=a)
    ),
    "resume_expired_pauses": Step(
        prepare=lambda d, a, c: (
            rules.push_project(d.default, LOCK, actor=a, pause=Pause(until=in_an_hour())),
            c.advance(hours=2),
        ),
        change=lambda d, a, c: rules.resume_expired_pauses(),
    ),
    "release_platform": Step(lambda d, a, c: rules.release_platform("4.9.0")),
    "release_platform ending a pause": Step(
        prepare=lambda d, a, c: (
            rules.set_cluster(d.prod_west, LOCK, actor=a, pause=Pause(until=in_an_hour())),
            c.advance(hours=2),
        ),
        change=lambda d, a, c: rules.release_platform("4.9.0"),
    ),
    "new_cluster in a paused project": Step(lambda d, a, c: rules.new_cluster(d.edge, "edge-03")),
    "new_cluster with an old agent": Step(
        lambda d, a, c: rules.new_cluster(d.default, "old-timer", agent_version="4.6.0")
    ),
    "new_cluster in a project without clusters": Step(
        lambda d, a, c: rules.new_cluster(
            Project.objects.create(tenant=d.globex, name="Fresh"), "fresh-01"
        )
    ),
}


@pytest.mark.parametrize("step", STEPS.values(), ids=STEPS.keys())
def test_after_each_rule_the_fleet_rows_equal_a_live_count(demo, admin, fleet, clock, step):
    step.prepare(demo, admin, clock)
    assert stored_fleet() == live_fleet()
    before = live_fleet()

    step.change(demo, admin, clock)

    assert live_fleet() != before  # the change moved some count: the rows had to follow
    assert stored_fleet() == live_fleet()


def test_the_demo_starts_with_a_fleet_row_per_project_with_clusters(demo):
    assert stored_fleet() == live_fleet()
    assert set(stored_fleet()) == {demo.default.pk, demo.edge.pk, demo.globex_default.pk}


def test_a_refused_change_leaves_the_rows_as_they_were(demo, admin, fleet):
    before = stored_fleet()

    with pytest.raises(rules.InvalidRelease):
        rules.release_platform("4.7.9")
    with pytest.raises(rules.InvalidPause):
        rules.push_tenant(
            demo.acme, LOCK, actor=admin, pause=Pause(until=timezone.now() - timedelta(hours=1))
        )

    assert stored_fleet() == before == live_fleet()


# Writes outside the rules: the model layer keeps the rows right, whatever way the ORM writes
# clusters (or the platform release that decides which agents are behind). Nobody calls a
# refresh: there is none to call.


def another_project(demo) -> Project:
    return Project.objects.create(tenant=demo.acme, name="Spare")


ORM_WRITES = {
    "Model.save(), a new cluster": lambda d: Cluster.objects.create(
        project=d.edge, tenant=d.acme, name="edge-03", agent_version="4.6.0"
    ),
    "Model.save(), a changed agent": lambda d: (
        setattr(d.prod_west, "agent_version", "4.6.0"),
        d.prod_west.save(),
    ),
    "Model.save(), a pause": lambda d: (
        setattr(d.prod_west, "agent_upgrades", LOCK),
        d.prod_west.save(update_fields=["agent_upgrades"]),
    ),
    "Model.save(), moved to another project": lambda d: (
        setattr(d.prod_west, "project", d.edge),
        d.prod_west.save(),
    ),
    "Model.save(), the last one moved out": lambda d: (
        setattr(d.globex_main, "project", Project.objects.create(tenant=d.globex, name="B")),
        d.globex_main.save(),
    ),
    "Model.delete()": lambda d: d.staging.delete(),
    "Model.delete(), the last one of its project": lambda d: d.globex_main.delete(),
    "QuerySet.update(), the value": lambda d: Cluster.objects.filter(project=d.default).update(
        agent_upgrades=LOCK, agent_upgrades_set_via=Via.CLUSTER
    ),
    "QuerySet.update(), filtered on what it writes": lambda d: Cluster.objects.filter(
        agent_upgrades=LOCK
    ).update(agent_upgrades=UNLOCK),
    "QuerySet.update(), the agent": lambda d: Cluster.objects.filter(
        name__startswith="edge"
    ).update(agent_version="4.8.0"),
    "QuerySet.update(), moved to another project": lambda d: Cluster.objects.filter(
        project=d.edge
    ).update(project=another_project(d)),
    "related manager update()": lambda d: d.default.clusters.update(agent_upgrades=LOCK),
    "QuerySet.delete()": lambda d: Cluster.objects.filter(name__startswith="prod").delete(),
    "QuerySet.delete(), a whole project's": lambda d: Cluster.objects.filter(
        project=d.edge
    ).delete(),
    "related manager delete": lambda d: d.globex_default.clusters.all().delete(),
    "QuerySet.bulk_create()": lambda d: Cluster.objects.bulk_create(
        [
            Cluster(project=d.edge, tenant=d.acme, name=f"bulk-{n}", agent_version="4.7.2")
            for n in range(3)
        ]
    ),
    "QuerySet.bulk_update()": lambda d: Cluster.objects.bulk_update(
        [
            Cluster(pk=d.prod_east.pk, project=d.edge, tenant=d.acme, agent_upgrades=UNLOCK),
            Cluster(pk=d.edge_01.pk, project=d.default, tenant=d.acme, agent_upgrades=LOCK),
        ],
        ["project", "agent_upgrades"],
    ),
    "Project.delete(), cascading": lambda d: d.edge.delete(),
    "Tenant.delete(), cascading": lambda d: d.globex.delete(),
    "a new platform release": lambda d: PlatformRelease.objects.create(
        version="9.0.0", agent_version="9.0.0"
    ),
    "a platform release deleted": lambda d: (
        PlatformRelease.objects.order_by("-pk").first().delete()
    ),
    "every platform release deleted": lambda d: PlatformRelease.objects.all().delete(),
    "a platform release's agent updated": lambda d: PlatformRelease.objects.update(
        agent_version="4.7.2"
    ),
}


@pytest.mark.parametrize("write", ORM_WRITES.values(), ids=ORM_WRITES.keys())
def test_every_way_the_orm_writes_keeps_the_fleet_rows_equal_to_a_live_count(demo, fleet, write):
    assert stored_fleet() == live_fleet()
    before = live_fleet()

    write(demo)

    assert live_fleet() != before  # the write moved some count: the rows had to follow
    assert stored_fleet() == live_fleet()


def test_a_write_that_fails_leaves_the_fleet_rows_as_they_were(demo, fleet):
    before = stored_fleet()

    with pytest.raises(IntegrityError), transaction.atomic():
        Cluster.objects.filter(project=demo.default).update(agent_upgrades=LOCK)
        Cluster.objects.create(project=demo.default, tenant=demo.acme, name="prod-east")

    assert stored_fleet() == before == live_fleet()


# A Cluster Admin's summary counts the clusters they hold a role on, never the project's rows.


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
    page = parse(client_for("cluster-admin").get(project_list(demo)))

    assert totals(page) == {"Clusters": "56", "Paused": "56", "Behind": "56"}
    assert status(page) == "56 clusters"
    assert "prod-west" not in names(page) and "worker-55" not in names(page)
    # The project's own summary, for comparison: every cluster in it.
    assert totals(parse(client_for("project-admin").get(project_list(demo)))) == {
        "Clusters": "63",
        "Paused": "62",
        "Behind": "62",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"page": "2"}, "56 clusters"),
        ({"paused": "1", "page": "2"}, "56 clusters match"),
        ({"behind": "1", "page": "2"}, "56 clusters match"),
    ],
    ids=["all", "paused", "behind"],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_cluster_admins_count_line_never_counts_clusters_they_cannot_see(
    demo, client_for, cluster_admins_workers, query, expected, headers
):
    page = parse(client_for("cluster-admin").get(project_list(demo), query, **headers))

    assert status(page) == expected
    assert names(page) == [f"worker-{n:02d}" for n in range(49, 55)]
    assert page.find("nav", aria_label="Pages").text == f"Previous Page 2 · {span(51, 56)}"


def test_a_cluster_admins_summary_leaves_out_an_ended_pause_on_a_cluster_they_cannot_see(
    demo, client_for, admin, clock
):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.set_cluster(demo.prod_west, LOCK, actor=admin, pause=Pause(until=in_an_hour()))
    clock.advance(hours=2)

    cluster_admin = parse(client_for("cluster-admin").get(project_list(demo)))
    project_admin = parse(client_for("project-admin").get(project_list(demo)))

    assert totals(cluster_admin) == {"Clusters": "1", "Paused": "1", "Behind": "0"}
    assert totals(project_admin) == {"Clusters": "3", "Paused": "1", "Behind": "0"}


def test_the_tenant_summary_leaves_out_ended_pauses_project_by_project(
    demo, client_for, admin, clock
):
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause(until=in_an_hour()))
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    clock.advance(hours=2)

    page = parse(client_for("tenant-admin").get(tenant_list(demo)))

    assert totals(page) == {"Clusters": "5", "Paused": "1", "Behind": "0"}
    assert per_project(page) == [
        ["Default", "3", "1", "0", "Mixed · 1 of 3 clusters paused"],
        ["Edge", "2", "0", "0", "Active"],
    ]
