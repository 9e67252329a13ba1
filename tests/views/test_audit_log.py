"""Audit Logs (`audit_log`): the changes the user may see in the scope, newest first, fifty to a
page, with a pause's reason and end. Who may open it is in tests/who_may_do_what.py."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Project, Tenant
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import Pause
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
    ["tenant-admin", "Cluster staging", "Active (now pushed by project)", "pushed by project"],
    ["tenant-admin", "Cluster prod-west", "Paused → Active", "pushed by project"],
    ["tenant-admin", "Cluster prod-east", "Paused → Active", "pushed by project"],
    ["tenant-admin", "Project Default", "Active (now set directly)", "set directly"],
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


@pytest.fixture
def fifty_two(demo, user):
    """52 changes in project Default."""
    for number in range(26):
        rules.set_cluster(demo.staging, LOCK if number % 2 == 0 else UNLOCK, actor=user("viewer"))
        rules.set_cluster(demo.prod_east, LOCK, actor=user("project-admin"))


def pager(response) -> str:
    return parse(response).find("nav", aria_label="Pages").text


def status_line(response) -> str:
    return parse(response).find("p", role="status").text


def test_the_audit_log_pages_by_fifty_from_the_edge_of_the_page_before(demo, client_for, fifty_two):
    client = client_for("project-admin")
    url = reverse("audit_log", args=[project_scope(demo.default)])
    first = client.get(url)
    next_link = parse(first).find("a", rel="next").attrs["href"]
    second = client.get(url + next_link)

    assert len(audit_rows(first)) == 50
    assert len(audit_rows(second)) == 2
    assert status_line(first).startswith(f"Showing {span(1, 50)} of 52")
    assert status_line(second).startswith(f"Showing {span(51, 52)} of 52")
    assert "after=" in next_link and "page=2" in next_link
    assert pager(first) == "1 2 Next Last"
    assert pager(second) == "First Previous 1 2"


def test_an_audit_log_page_past_the_end_shows_the_last_page(demo, client_for, fifty_two):
    scope = project_scope(demo.default)
    client = client_for("project-admin")

    stale = client.get(reverse("audit_log", args=[scope]), {"page": "9"})
    last = client.get(reverse("audit_log", args=[scope]), {"page": "last"})

    assert audit_rows(stale) == audit_rows(last)
    assert len(audit_rows(last)) == 2
    assert status_line(stale).startswith(f"Showing {span(51, 52)} of 52")


def test_an_empty_audit_log_says_so(demo, client_for):
    response = client_for("viewer").get(reverse("audit_log", args=[project_scope(demo.default)]))

    assert parse(response).find("p", class_="empty").text == "No changes recorded yet."


@pytest.mark.parametrize("page", ["2", "abc", "-1", "184467440737095518", "9" * 40, "last"])
def test_the_audit_log_tolerates_any_page_parameter(demo, client_for, history, page):
    response = client_for("tenant-admin").get(
        reverse("audit_log", args=[tenant_scope(demo.acme)]), {"page": page}
    )

    assert response.status_code == 200
    assert audit_rows(response) == ACME_HISTORY


@pytest.mark.parametrize("where", ["after", "before"])
def test_the_audit_log_ignores_a_paging_key_nested_too_deep_to_read(
    demo, client_for, history, where
):
    deep = base64.urlsafe_b64encode(b"[" * 1200).decode()  # nested past Python's stack

    response = client_for("tenant-admin").get(
        reverse("audit_log", args=[tenant_scope(demo.acme)]), {"page": "2", where: deep}
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


# Filters, each in the address: by object, actor, act, date range, and words in the reason.


@pytest.fixture
def tenant_log(demo, client_for):
    client = client_for("tenant-admin")
    url = reverse("audit_log", args=[tenant_scope(demo.acme)])
    return lambda **filters: client.get(url, filters)


def test_the_audit_log_filters_by_an_objects_name(tenant_log, history):
    rows = audit_rows(tenant_log(object="prod-west"))

    assert rows == [row for row in ACME_HISTORY if row[1] == "Cluster prod-west"]


def test_the_audit_log_filters_by_a_projects_name_too(tenant_log, history):
    assert audit_rows(tenant_log(object="Default")) == [
        ["tenant-admin", "Project Default", "Active (now set directly)", "set directly"]
    ]


def test_the_object_filter_matches_the_start_of_a_name_as_the_cluster_search_does(
    tenant_log, history
):
    rows = audit_rows(tenant_log(object="prod"))

    assert rows == [row for row in ACME_HISTORY if row[1].startswith("Cluster prod-")]
    assert len(rows) == 4


def test_the_object_filter_matches_no_name_that_only_contains_it(tenant_log, history):
    assert parse(tenant_log(object="west")).find_all("tbody") == []


def test_the_actor_filter_matches_the_start_of_a_name(tenant_log, history):
    rows = audit_rows(tenant_log(actor="project"))

    assert rows == [["project-admin", "Cluster prod-west", "Active → Paused", "set directly"]]


def test_the_start_of_a_name_chips_say_so(tenant_log, history):
    page = parse(tenant_log(object="prod", actor="tenant"))

    chips = [chip.text for chip in page.find("p", class_="filter-chips").find_all("a")]
    assert chips[:2] == [
        "Object starts with “prod” \N{MULTIPLICATION SIGN}",
        "Actor starts with “tenant” \N{MULTIPLICATION SIGN}",
    ]


def test_the_audit_log_filters_by_actor(tenant_log, history):
    rows = audit_rows(tenant_log(actor="project-admin"))

    assert rows == [["project-admin", "Cluster prod-west", "Active → Paused", "set directly"]]


def test_the_audit_log_filters_the_paused_act(tenant_log, history):
    rows = audit_rows(tenant_log(act="paused"))

    assert rows == [row for row in ACME_HISTORY if row[2].endswith("→ Paused")]


def test_the_audit_log_filters_the_resumed_act(tenant_log, history):
    rows = audit_rows(tenant_log(act="resumed"))

    # Active since, whether it was paused before or only its provenance changed.
    assert rows == [
        row for row in ACME_HISTORY if row[2].endswith("→ Active") or row[2].startswith("Active (")
    ]


def test_the_audit_log_filters_the_pause_ended_act(demo, client_for, ended):
    rules.resume_expired_pauses()
    url = reverse("audit_log", args=[tenant_scope(demo.acme)])

    rows = audit_rows(client_for("tenant-admin").get(url, {"act": "pause-ended"}))

    assert rows == [["system", "Cluster prod-east", "Paused → Active", "pause ended"]]


def test_the_audit_log_filters_by_a_date_range_of_utc_days(demo, tenant_log, history):
    AuditEvent.objects.filter(object_name="edge-01").update(
        at=datetime(2026, 3, 2, 23, 59, tzinfo=UTC)
    )
    AuditEvent.objects.exclude(object_name="edge-01").update(at=datetime(2026, 3, 4, tzinfo=UTC))

    only_edge = audit_rows(tenant_log(**{"from": "2026-03-02", "to": "2026-03-02"}))
    after = audit_rows(tenant_log(**{"from": "2026-03-03"}))
    before = parse(tenant_log(to="2026-03-01"))

    assert only_edge == [ACME_HISTORY[0]]
    assert len(after) == len(ACME_HISTORY) - 1
    assert before.find_all("tbody") == []


def test_a_range_whose_start_is_after_its_end_says_so_and_offers_to_swap(tenant_log, history):
    page = parse(tenant_log(**{"from": "2026-03-05", "to": "2026-03-01"}))

    empty = page.find("p", class_="empty")
    assert empty.text == (
        "“From” (2026-03-05) is after “To” (2026-03-01): no day lies between them. "
        "Swap the dates Clear filters"
    )
    (swap,) = [a for a in empty.find_all("a") if a.text == "Swap the dates"]
    assert swap.attrs["href"] == "?from=2026-03-01&to=2026-03-05"
    assert page.find_all("tbody") == []


def test_the_action_filter_is_called_action_and_reads_its_older_address_too(tenant_log, history):
    page = parse(tenant_log(act="paused"))

    (label,) = [
        label
        for label in page.find("form", role="search").find_all("label")
        if label.find_all("select") and label.text.startswith("Action")
    ]
    assert label.find("select").attrs["name"] == "action"
    assert audit_rows(tenant_log(act="paused")) == audit_rows(tenant_log(action="paused"))
    assert audit_rows(tenant_log(action="paused")) != ACME_HISTORY


def test_the_date_filters_say_they_are_utc_days(tenant_log):
    page = parse(tenant_log())

    labels = [label.text for label in page.find("form", role="search").find_all("label")]
    assert "From (UTC)" in labels and "To (UTC)" in labels


def test_the_audit_log_searches_the_reasons(demo, tenant_log, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("Black Friday freeze", None))
    rules.set_cluster(demo.edge_01, LOCK, actor=admin, pause=Pause("firmware", None))

    rows = audit_rows(tenant_log(q="friday"))

    assert [row[1] for row in rows] == ["Cluster prod-east"]


def test_the_filters_show_as_chips_each_removable_and_clear_filters_removes_them_all(
    demo, tenant_log, history
):
    page = parse(tenant_log(actor="tenant-admin", action="resumed"))

    chips = page.find("p", class_="filter-chips").find_all("a")
    assert [chip.text for chip in chips] == [
        "Actor starts with “tenant-admin” \N{MULTIPLICATION SIGN}",
        "Resumed \N{MULTIPLICATION SIGN}",
        "Clear filters",
    ]
    assert chips[0].attrs["href"] == "?action=resumed"
    assert chips[1].attrs["href"] == "?actor=tenant-admin"
    assert chips[2].attrs["href"] == reverse("audit_log", args=[tenant_scope(demo.acme)])


def test_the_filters_stay_in_the_form_and_in_every_page_link(demo, client_for, fifty_two):
    url = reverse("audit_log", args=[project_scope(demo.default)])
    page = parse(client_for("project-admin").get(url, {"actor": "viewer", "action": "paused"}))

    assert page.find("input", name="actor").attrs["value"] == "viewer"
    selected = page.find("select", name="action").find("option", selected=True)
    assert selected.attrs["value"] == "paused"
    assert page.find("p", role="status").text.startswith(f"Showing {span(1, 13)} of 13")
    url = reverse("audit_log", args=[project_scope(demo.default)])
    page = parse(client_for("project-admin").get(url, {"from": "2000-01-01"}))
    links = page.find("nav", aria_label="Pages").find_all("a")
    assert len(links) == 3  # 2, Next, Last
    for link in links:
        assert "from=2000-01-01" in link.attrs["href"]


def test_when_nothing_matches_the_log_says_so_once_and_offers_to_clear(demo, tenant_log, history):
    response = tenant_log(actor="nobody")

    page = parse(response)
    assert page.find("p", class_="empty").text == "No events match these filters. Clear filters"
    assert response.content.count(b"No events match") == 1
    assert page.find_all("tbody") == []


@pytest.mark.parametrize("value", ["?", "2026-13-40", "x" * 500, "'; drop table"])
def test_the_filters_tolerate_any_value(tenant_log, history, value):
    response = tenant_log(act=value, **{"from": value, "to": value})

    assert response.status_code == 200
    assert audit_rows(response) == ACME_HISTORY


def test_a_range_from_the_first_to_the_last_day_a_date_can_name_holds_the_whole_trail(
    tenant_log, history
):
    response = tenant_log(**{"from": "0001-01-01", "to": "9999-12-31"})

    assert response.status_code == 200
    assert audit_rows(response) == ACME_HISTORY


def test_a_range_that_starts_on_the_last_day_a_date_can_name_holds_nothing(tenant_log, history):
    response = tenant_log(**{"from": "9999-12-31"})

    assert response.status_code == 200
    assert "No events match these filters" in parse(response).find("p", class_="empty").text


@pytest.mark.parametrize("field", ["object", "actor", "q"])
def test_control_characters_typed_into_a_filter_are_left_out(tenant_log, history, field):
    """A NUL, which PostgreSQL refuses in any text, or any other control character: no name or
    reason holds one, so the filter searches for the rest of what was typed."""
    typed = {"object": "prod-\x00west", "actor": "project-\x07admin", "q": "\x00"}[field]

    response = tenant_log(**{field: typed})

    assert response.status_code == 200
    assert b"\x00" not in response.content and b"\x07" not in response.content
    if field != "q":  # the rest names someone or something in the trail
        assert audit_rows(response)


# Every row links to its object.


def object_links(page) -> list:
    return [a for a in page.find("tbody").find_all("a") if "object-link" in a.attrs["class"]]


def test_every_row_links_to_its_object(demo, tenant_log, history):
    page = parse(tenant_log())

    links = {a.text: a.attrs["href"] for a in object_links(page)}
    scope = tenant_scope(demo.acme)
    assert links == {
        "edge-01": reverse("cluster_detail", args=[scope, demo.edge_01.pk]),
        "staging": reverse("cluster_detail", args=[scope, demo.staging.pk]),
        "prod-west": reverse("cluster_detail", args=[scope, demo.prod_west.pk]),
        "prod-east": reverse("cluster_detail", args=[scope, demo.prod_east.pk]),
        "Default": reverse("project_settings", args=[demo.default.pk]),
    }


def test_a_tenant_row_links_to_the_tenant_settings(demo, client_for, history):
    url = reverse("audit_log", args=[tenant_scope(demo.globex)])
    page = parse(client_for("globex-admin").get(url, {"object": "Globex"}))

    (link,) = object_links(page)
    assert link.attrs["href"] == reverse("tenant_settings", args=[demo.globex.pk])


# Platform releases in the trail: one row per project they reached.


@pytest.fixture
def released(demo, user, superuser):
    """prod-east paused, then 4.8.0 released: Default upgrades 2 and holds 1 back, Edge 2."""
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    return rules.release_platform("4.8.0", actor=superuser).release


def release_rows(response) -> list[list[str]]:
    return [row[1:] for row in table_rows(parse(response)) if row[4] == "platform release"]


def test_a_release_shows_in_the_tenant_log_as_one_row_per_project(demo, tenant_log, released):
    rows = release_rows(tenant_log())

    released = "Platform released 4.8.0 (agent 4.8.0)"
    assert rows == [  # written at one moment, in the order of the projects' names
        ["root", "Project Edge", released, "platform release", "2 agents upgraded · 0 held back"],
        [
            "root",
            "Project Default",
            released,
            "platform release",
            "2 agents upgraded · 1 held back",
        ],
    ]


def test_the_release_filter_shows_only_releases(tenant_log, released):
    rows = audit_rows(tenant_log(act="release"))

    assert sorted(row[1] for row in rows) == ["Project Default", "Project Edge"]


@pytest.mark.parametrize("username", ["viewer", "project-admin"])
def test_a_project_sees_its_own_release_row_only(demo, client_for, released, username):
    url = reverse("audit_log", args=[project_scope(demo.default)])

    rows = audit_rows(client_for(username).get(url, {"act": "release"}))

    assert [row[1] for row in rows] == ["Project Default"]


def test_a_cluster_admin_sees_no_release_row_and_another_tenant_its_own(demo, client_for, released):
    cluster_admin = client_for("cluster-admin").get(
        reverse("audit_log", args=[project_scope(demo.default)]), {"act": "release"}
    )
    globex = client_for("globex-admin").get(
        reverse("audit_log", args=[tenant_scope(demo.globex)]), {"act": "release"}
    )

    assert parse(cluster_admin).find_all("tbody") == []
    assert [row[1] for row in audit_rows(globex)] == ["Project Default"]
    assert "Edge" not in parse(globex).find("tbody").text  # (the Kind filter offers Edge hosts)


def test_a_release_row_links_to_its_release_for_a_superuser_only(
    demo, client_for, released, superuser
):
    url = reverse("audit_log", args=[tenant_scope(demo.acme)])
    as_root = parse(client_for("root").get(url, {"act": "release"}))
    as_admin = parse(client_for("tenant-admin").get(url, {"act": "release"}))

    links = {a.attrs["href"] for a in as_root.find_all("a", class_="release-link")}
    assert links == {f"{reverse('platform_upgrades')}#release-{released.pk}"}
    assert as_admin.find_all("a", class_="release-link") == []
    releases_page = parse(client_for("root").get(reverse("platform_upgrades")))
    assert releases_page.find("tr", id=f"release-{released.pk}") is not None


def test_agent_upgraded_matches_releases_that_upgraded_and_resumes_that_caught_up(
    demo, tenant_log, user, released
):
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("cluster-admin"))  # catches 4.8.0 up

    rows = audit_rows(tenant_log(act="agent-upgraded"))

    assert [row[1] for row in rows] == ["Cluster prod-east", "Project Edge", "Project Default"]
    assert rows[0][2] == "Paused → Active"


def test_a_trail_longer_than_the_count_cap_says_more_than_and_still_reaches_its_end(
    demo, client_for, fifty_two, monkeypatch
):
    monkeypatch.setattr("settings_app.views.audit_logs.COUNT_CAP", 40)
    url = reverse("audit_log", args=[project_scope(demo.default)])
    client = client_for("project-admin")

    first = client.get(url)
    last = client.get(url, {"page": "last"})

    assert status_line(first).startswith(f"Showing {span(1, 50)} of more than 40")
    assert status_line(last).startswith("Showing the oldest 50 of more than 40")
    assert audit_rows(last)[-1] == ["viewer", "Cluster staging", "Active → Paused", "set directly"]


def test_a_trail_of_more_than_a_thousand_events_is_counted_to_a_thousand(demo, tenant_log, admin):
    event = rules.set_cluster(demo.prod_east, LOCK, actor=admin).event
    fields = {
        f.attname: getattr(event, f.attname)
        for f in AuditEvent._meta.concrete_fields
        if f.attname not in ("id", "uid")
    }
    AuditEvent.objects.bulk_create(
        AuditEvent(**fields, uid=f"{number:024x}") for number in range(1000)
    )

    first, searched = tenant_log(), tenant_log(object="prod-east")

    assert status_line(first).startswith(f"Showing {span(1, 50)} of more than 1,000")
    assert status_line(searched).startswith(f"Showing {span(1, 50)} of more than 1,000")


def test_a_bulk_act_reads_as_the_clusters_selected_above_each_clusters_own_row(
    demo, tenant_log, admin
):
    from settings_app.rules.bulk import Selection

    clusters = [demo.prod_east, demo.edge_01]
    rules.set_clusters(
        Selection(demo.acme.clusters.all(), {c.pk: c.agent_upgrades_version for c in clusters}),
        LOCK,
        tenant=demo.acme,
        changeable=demo.acme.clusters.all(),
        actor=admin,
        pause=Pause(REASON, None),
    )

    response = tenant_log()
    assert audit_rows(response) == [
        # One act's rows are written in name order: newest first, they read backwards.
        ["tenant-admin", "Cluster prod-east", "Active → Paused", "set directly"],
        ["tenant-admin", "Cluster edge-01", "Active → Paused", "set directly"],
        [
            "tenant-admin",
            "Selected clusters: 2 clusters",
            "Paused, each",
            "clusters changed together",
        ],
    ]
    note = parse(response).find("tbody").find_all("tr")[2].find_all("td")[5].text
    assert note == f"2 of 2 selected clusters in 2 projects · “{REASON}”"


def bulk_pause(demo, admin, clusters, reason=REASON):
    from settings_app.rules.bulk import Selection

    return rules.set_clusters(
        Selection(demo.acme.clusters.all(), {c.pk: c.agent_upgrades_version for c in clusters}),
        LOCK,
        tenant=demo.acme,
        changeable=demo.acme.clusters.all(),
        actor=admin,
        pause=Pause(reason, None),
    )


def test_a_bulk_act_links_to_its_own_row_for_each_cluster_it_changed(demo, tenant_log, admin):
    rules.set_cluster(demo.prod_west, LOCK, actor=admin)  # not part of the act
    act = bulk_pause(demo, admin, [demo.prod_east, demo.edge_01]).event

    (link,) = [a for a in object_links(parse(tenant_log())) if a.text == "2 clusters"]
    assert link.attrs["href"] == (
        reverse("audit_log", args=[tenant_scope(demo.acme)]) + f"?change={act.uid}"
    )
    page = tenant_log(change=act.uid)

    assert audit_rows(page) == [
        ["tenant-admin", "Cluster prod-east", "Active → Paused", "set directly"],
        ["tenant-admin", "Cluster edge-01", "Active → Paused", "set directly"],
        [
            "tenant-admin",
            "Selected clusters: 2 clusters",
            "Paused, each",
            "clusters changed together",
        ],
    ]
    (chip, _clear) = parse(page).find("p", class_="filter-chips").find_all("a")
    assert chip.text == (
        f"Clusters changed together by tenant-admin at {shown(act.at)} \N{MULTIPLICATION SIGN}"
    )


def test_a_change_filter_that_names_no_change_matches_nothing(tenant_log, history):
    assert parse(tenant_log(change="0" * 24)).find_all("tbody") == []
    assert audit_rows(tenant_log(change="not-a-uid")) == ACME_HISTORY


def test_a_bulk_act_of_one_cluster_in_one_project_reads_in_the_singular(demo, tenant_log, admin):
    bulk_pause(demo, admin, [demo.prod_east], reason="")

    act = parse(tenant_log()).find("tbody").find_all("tr")[-1].find_all("td")
    assert act[2].text == "Selected clusters: 1 cluster"
    assert act[5].text == "1 of 1 selected cluster in 1 project"
