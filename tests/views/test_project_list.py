"""The tenant scope's Projects page (`project_list`): every project of the tenant with its counts
and its state. Who may open it is in tests/who_may_do_what.py."""

from __future__ import annotations

from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, Tenant
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import Pause
from tests.factories import REASON, in_a_week
from tests.html import parse, shown, table_rows

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK


def projects_url(tenant: Tenant) -> str:
    return reverse("project_list", args=[tenant.pk])


def test_the_projects_page_lists_the_tenants_projects_with_their_counts(demo, client_for, user):
    rules.set_cluster(demo.edge_01, LOCK, actor=user("tenant-admin"))

    response = client_for("tenant-admin").get(projects_url(demo.acme))

    assert response.status_code == 200
    rows = [row[:4] for row in table_rows(parse(response))]
    assert rows == [
        ["Default", "3", "0", "Active"],
        ["Edge", "2", "1", "Mixed · 1 of 2 clusters paused"],
    ]


def test_each_project_links_to_its_scope_and_its_platform_settings(demo, client_for):
    response = client_for("tenant-admin").get(projects_url(demo.acme))

    page = parse(response)
    scope = ScopeRef("projects", demo.edge.pk)
    assert page.find("a", href=reverse("cluster_list", args=[scope])).text == "Edge"
    settings_link = page.find("a", aria_label="Platform Settings of Edge")
    assert settings_link.attrs["href"] == reverse("project_platform_settings", args=[demo.edge.pk])


def test_the_projects_page_shows_a_project_paused_by_the_tenant(demo, client_for, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))

    rows = table_rows(parse(client_for("tenant-admin").get(projects_url(demo.acme))))

    assert [row[3] for row in rows] == ["Paused", "Paused"]
    assert rows[0][4].startswith("pushed by tenant Acme · tenant-admin")


def test_the_projects_list_shows_a_projects_end_and_reason(demo, client_for, admin):
    until = in_a_week()
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause(REASON, until))

    response = client_for("tenant-admin").get(reverse("project_list", args=[demo.acme.pk]))

    rows = {row[0]: row for row in table_rows(parse(response))}
    assert rows["Edge"][3] == "Paused"
    assert rows["Edge"][4].startswith(f"until {shown(until)} · “{REASON}” · set on this project")


def test_the_projects_list_does_not_count_an_ended_pause_as_paused(demo, client_for, ended):
    response = client_for("tenant-admin").get(reverse("project_list", args=[demo.acme.pk]))

    rows = {row[0]: row for row in table_rows(parse(response))}
    assert rows["Default"][1:3] == ["3", "0"]
