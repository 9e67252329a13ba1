"""Audit Logs (`audit_log`): the changes the user may see in the scope, newest first, fifty to a
page, with a pause's reason and end. Who may open it is in tests/test_permission_matrix.py."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, Project, Tenant
from settings_app.rules import Pause
from settings_app.scopes import ScopeRef
from tests.factories import REASON, in_a_week
from tests.html import parse, shown, span, table_rows

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK


def project_scope(project: Project) -> ScopeRef:
    return ScopeRef("projects", project.pk)


def tenant_scope(tenant: Tenant) -> ScopeRef:
    return ScopeRef("tenants", tenant.pk)


def audit_rows(response) -> list[list[str]]:
    """Who, what, change and how of each row (not when, and not the pause note)."""
    rows = parse(response).find("tbody").find_all("tr")
    return [[cell.text for cell in row.find_all("td")][1:5] for row in rows]


@pytest.fixture
def history(demo, user):
    """Seven changes in Acme, in this order, then a push in Globex."""
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.set_cluster(demo.prod_west, LOCK, actor=user("project-admin"))
    rules.push_project(demo.default, UNLOCK, actor=user("tenant-admin"))  # changes both back
    rules.set_cluster(demo.edge_01, LOCK, actor=user("tenant-admin"))
    rules.push_tenant(demo.globex, LOCK, actor=user("globex-admin"))


ACME_HISTORY = [
    ["tenant-admin", "Cluster edge-01", "Active → Paused", "set directly"],
    # staging keeps its value, but from now on it comes from the project: recorded too.
    ["tenant-admin", "Cluster staging", "Active → Active", "pushed by project"],
    ["tenant-admin", "Cluster prod-west", "Paused → Active", "pushed by project"],
    ["tenant-admin", "Cluster prod-east", "Paused → Active", "pushed by project"],
    ["tenant-admin", "Project Default", "Active → Active", "set directly"],
    ["project-admin", "Cluster prod-west", "Active → Paused", "set directly"],
    ["cluster-admin", "Cluster prod-east", "Active → Paused", "set directly"],
]


def test_the_tenant_audit_log_lists_the_tenants_changes_newest_first(demo, client_for, history):
    response = client_for("tenant-admin").get(reverse("audit_log", args=[tenant_scope(demo.acme)]))

    assert response.status_code == 200
    assert audit_rows(response) == ACME_HISTORY
    assert b"globex" not in response.content.lower()


def test_audit_log_times_run_from_newest_to_oldest(demo, client_for, history):
    response = client_for("tenant-admin").get(reverse("audit_log", args=[tenant_scope(demo.acme)]))

    cells = parse(response).find("tbody").find_all("time")
    times = [datetime.fromisoformat(time.attrs["datetime"]) for time in cells]
    assert len(times) == 7
    assert times == sorted(times, reverse=True)
    assert times[0] > times[-1]


@pytest.mark.parametrize("username", ["viewer", "project-admin", "tenant-admin"])
def test_the_project_audit_log_lists_only_that_projects_changes(
    demo, client_for, history, username
):
    response = client_for(username).get(reverse("audit_log", args=[project_scope(demo.default)]))

    assert audit_rows(response) == [row for row in ACME_HISTORY if "edge-01" not in row[1]]


def test_a_cluster_admin_sees_only_the_changes_of_prod_east(demo, client_for, history):
    response = client_for("cluster-admin").get(
        reverse("audit_log", args=[project_scope(demo.default)])
    )

    assert audit_rows(response) == [
        ["tenant-admin", "Cluster prod-east", "Paused → Active", "pushed by project"],
        ["cluster-admin", "Cluster prod-east", "Active → Paused", "set directly"],
    ]
    assert b"prod-west" not in response.content


def test_the_globex_admin_sees_only_globex_changes(demo, client_for, history):
    response = client_for("globex-admin").get(
        reverse("audit_log", args=[tenant_scope(demo.globex)])
    )

    assert audit_rows(response) == [
        ["globex-admin", "Project Default", "Active → Paused", "pushed by tenant"],
        ["globex-admin", "Cluster globex-main", "Active → Paused", "pushed by tenant"],
        ["globex-admin", "Tenant Globex", "Active → Paused", "set directly"],
    ]
    assert b"Acme" not in response.content


def test_the_audit_log_pages_by_fifty(demo, client_for, user):
    for number in range(26):
        rules.set_cluster(demo.staging, LOCK if number % 2 == 0 else UNLOCK, actor=user("viewer"))
        rules.set_cluster(demo.prod_east, LOCK, actor=user("project-admin"))

    scope = project_scope(demo.default)
    first = client_for("project-admin").get(reverse("audit_log", args=[scope]))
    second = client_for("project-admin").get(reverse("audit_log", args=[scope]), {"page": "2"})

    assert len(audit_rows(first)) == 50
    assert len(audit_rows(second)) == 2
    assert parse(first).find("nav", aria_label="Pages").text == f"Page 1 · {span(1, 50)} Next"
    assert parse(second).find("nav", aria_label="Pages").text == f"Previous Page 2 · {span(51, 52)}"


def test_an_audit_log_page_past_the_end_shows_the_first_page(demo, client_for, user):
    for number in range(26):
        rules.set_cluster(demo.staging, LOCK if number % 2 == 0 else UNLOCK, actor=user("viewer"))
        rules.set_cluster(demo.prod_east, LOCK, actor=user("project-admin"))
    scope = project_scope(demo.default)

    stale = client_for("project-admin").get(reverse("audit_log", args=[scope]), {"page": "9"})
    first = client_for("project-admin").get(reverse("audit_log", args=[scope]))

    assert audit_rows(stale) == audit_rows(first)
    assert parse(stale).find("nav", aria_label="Pages").text == f"Page 1 · {span(1, 50)} Next"


def test_an_empty_audit_log_says_so(demo, client_for):
    response = client_for("viewer").get(reverse("audit_log", args=[project_scope(demo.default)]))

    assert parse(response).find("p", class_="empty").text == "No changes recorded yet."


@pytest.mark.parametrize("page", ["2", "abc", "-1", "184467440737095518", "9" * 40])
def test_the_audit_log_tolerates_any_page_parameter(demo, client_for, history, page):
    response = client_for("tenant-admin").get(
        reverse("audit_log", args=[tenant_scope(demo.acme)]), {"page": page}
    )

    assert response.status_code == 200
    assert audit_rows(response) == ACME_HISTORY


# A pause's reason and end, and the end of a pause.


def test_the_audit_log_shows_a_pauses_reason_and_end(demo, client_for, admin):
    until = in_a_week()
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, until))

    response = client_for("tenant-admin").get(
        reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)])
    )

    row = " ".join(table_rows(parse(response))[0])
    assert REASON in row
    assert shown(until) in row


def test_the_audit_log_says_a_pause_ended_rather_than_that_it_was_pushed(demo, client_for, ended):
    rules.resume_expired_pauses()

    response = client_for("tenant-admin").get(
        reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)])
    )

    newest = table_rows(parse(response))[0]
    assert newest[1:4] == ["system", "Cluster prod-east", "Paused → Active"]
    assert newest[4] == "pause ended"
