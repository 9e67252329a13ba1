"""The state at a glance (issue 10, item 2): the same Paused / Active badge next to every switch as
in the lists, and for a project or tenant whose clusters differ a Mixed badge with the counts,
everywhere it appears: its Platform Settings, the Projects list and the Scope summary. Mixed is
counted from the clusters, never stored. The button that pushes the current value again names
exactly what it will do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, Project
from settings_app.permissions.scopes import ScopeRef
from tests.html import Element, parse, table_rows

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@pytest.fixture
def admin(user):
    return user("tenant-admin")


@pytest.fixture
def two_of_five_paused(demo, admin):
    """Acme never set (its own value Active), prod-east and edge-01 paused on their own."""
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)


def badge_next_to_switch(page: Element) -> str:
    return page.find("div", class_="switch-row").find("span", class_="state").text


def tenant_platform(demo) -> str:
    return reverse("tenant_platform_settings", args=[demo.acme.pk])


def project_platform(project: Project) -> str:
    return reverse("project_platform_settings", args=[project.pk])


# Next to the switch.


def test_the_cluster_settings_show_the_badge_next_to_the_switch(demo, client_for, admin):
    url = reverse(
        "cluster_settings", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]
    )
    client = client_for("project-admin")

    active = parse(client.get(url))
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    paused = parse(client.get(url))

    assert badge_next_to_switch(active) == "Active"
    assert active.find("div", class_="switch-row").find("span", class_="badge badge-active")
    assert badge_next_to_switch(paused) == "Paused"
    assert paused.find("div", class_="switch-row").find("span", class_="badge badge-paused")


def test_a_tenant_whose_clusters_differ_says_mixed_with_the_counts(
    demo, client_for, two_of_five_paused
):
    page = parse(client_for("tenant-admin").get(tenant_platform(demo)))

    assert badge_next_to_switch(page) == "Mixed · 2 of 5 clusters paused"
    assert page.find("span", class_="badge badge-mixed").text == "Mixed"
    # Its own value is still told, for what it is.
    assert page.find("p", class_="provenance").text == (
        "Tenant setting: Active · default value, not changed yet"
    )


def test_the_push_again_button_names_exactly_what_it_does(demo, client_for, two_of_five_paused):
    page = parse(client_for("tenant-admin").get(tenant_platform(demo)))

    again = page.find("form", class_="reapply-form")
    assert again.find("button").text == "Resume all 5 clusters"
    assert again.attrs["data-confirm-title"] == "Resume all 5 clusters of tenant Acme?"
    assert again.attrs["data-confirm"] == (
        "Resume agent upgrades again for 5 clusters in 2 projects of tenant Acme. 2 of them were "
        "set at project or cluster level and will be overwritten."
    )


def test_a_paused_project_with_an_override_offers_to_pause_all_again(demo, client_for, admin):
    rules.push_project(demo.default, LOCK, actor=admin)
    rules.set_cluster(demo.staging, UNLOCK, actor=admin)

    page = parse(client_for("project-admin").get(project_platform(demo.default)))

    assert badge_next_to_switch(page) == "Mixed · 2 of 3 clusters paused"
    assert page.find("form", class_="reapply-form").find("button").text == "Pause all 3 clusters"


def test_clusters_that_agree_show_their_common_state_and_no_push_again(demo, client_for, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)

    page = parse(client_for("tenant-admin").get(tenant_platform(demo)))

    assert badge_next_to_switch(page) == "Paused"
    assert page.find_all("form", class_="reapply-form") == []


def test_a_project_without_clusters_shows_its_own_value(demo, client_for, admin):
    empty = Project.objects.create(tenant=demo.acme, name="Empty")
    rules.push_project(empty, LOCK, actor=admin)

    page = parse(client_for("tenant-admin").get(project_platform(empty)))

    assert badge_next_to_switch(page) == "Paused"


def test_the_switch_title_names_the_act(demo, client_for):
    page = parse(client_for("tenant-admin").get(tenant_platform(demo)))

    form = page.find("form", class_="switch-form")
    assert form.attrs["data-confirm-title"] == "Pause agent upgrades for tenant Acme?"


def test_the_general_section_shows_the_state_too(demo, client_for, two_of_five_paused):
    page = parse(client_for("tenant-admin").get(reverse("tenant_settings", args=[demo.acme.pk])))

    facts = {
        div.find("dt").text: div.find("dd").text
        for div in page.find("dl", class_="facts").find_all("div")
    }
    assert facts["Agent upgrades"] == (
        "Mixed · 2 of 5 clusters paused Tenant setting: Active · default value, not changed yet"
    )


# In the lists.


def test_the_projects_list_says_mixed_for_a_project_whose_clusters_differ(
    demo, client_for, two_of_five_paused, admin
):
    rules.push_project(demo.edge, LOCK, actor=admin)

    rows = table_rows(
        parse(client_for("tenant-admin").get(reverse("project_list", args=[demo.acme.pk])))
    )

    assert [row[3] for row in rows] == ["Mixed · 1 of 3 clusters paused", "Paused"]


def test_the_scope_summary_says_mixed_for_the_tenant_and_each_project(
    demo, client_for, two_of_five_paused
):
    page = parse(
        client_for("tenant-admin").get(
            reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])
        )
    )

    summary = page.find("section", class_="fleet-summary")
    assert summary.find("p", class_="scope-state").text == (
        "Agent upgrades in tenant Acme: Mixed · 2 of 5 clusters paused"
    )
    assert [row[-1] for row in table_rows(summary.find("details"))] == [
        "Mixed · 1 of 3 clusters paused",
        "Mixed · 1 of 2 clusters paused",
    ]


def test_a_project_scope_summary_speaks_of_the_project(demo, client_for, two_of_five_paused):
    page = parse(
        client_for("viewer").get(
            reverse("cluster_list", args=[ScopeRef("projects", demo.default.pk)])
        )
    )

    assert page.find("p", class_="scope-state").text == (
        "Agent upgrades in project Default: Mixed · 1 of 3 clusters paused"
    )


def test_a_cluster_admin_summary_speaks_of_their_clusters(demo, client_for, two_of_five_paused):
    page = parse(
        client_for("cluster-admin").get(
            reverse("cluster_list", args=[ScopeRef("projects", demo.default.pk)])
        )
    )

    assert page.find("p", class_="scope-state").text == "Agent upgrades of your clusters: Paused"


def test_mixed_is_counted_not_stored(demo, two_of_five_paused):
    demo.acme.refresh_from_db()

    assert demo.acme.agent_upgrades == UNLOCK
    counts = rules.fleet_counts(
        Project.objects.filter(tenant=demo.acme), below="tenant", agent_version="4.7.2"
    )
    assert counts.mixed
    assert [p.mixed for p in counts.by_project] == [True, True]
