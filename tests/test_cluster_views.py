"""The Clusters menu through the Django test client: the list, a cluster's details and Cluster
Settings, and the endpoint that pauses or resumes one cluster."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster, PlatformRelease, Scope
from settings_app.scopes import ScopeRef
from tests.html import (
    hidden_value,
    messages_text,
    parse,
    setting,
    span,
    switch_form,
    switch_of,
    table_rows,
    without_csrf_tokens,
)

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK
VIEWER_REASON = (
    "You have view-only access to project Default. "
    "A Cluster Admin, Project Admin or Tenant Admin can change this setting."
)


# URLs and state.


def results(response):
    """The Clusters list's results (the page also has the per-project summary table)."""
    return parse(response).find("div", id="cluster-results")


def project_scope(demo) -> ScopeRef:
    return ScopeRef("projects", demo.default.pk)


def tenant_scope(demo) -> ScopeRef:
    return ScopeRef("tenants", demo.acme.pk)


def list_url(scope: ScopeRef) -> str:
    return reverse("cluster_list", args=[scope])


def detail_url(scope: ScopeRef, cluster: Cluster) -> str:
    return reverse("cluster_detail", args=[scope, cluster.pk])


def settings_url(scope: ScopeRef, cluster: Cluster) -> str:
    return reverse("cluster_settings", args=[scope, cluster.pk])


def change_url(scope: ScopeRef, cluster_id: int) -> str:
    return reverse("change_cluster_agent_upgrades", args=[scope, cluster_id])


def pause_via_project_admin(demo, user, cluster: Cluster) -> None:
    rules.set_cluster(cluster, LOCK, actor=user("project-admin"))


# Clusters list


def test_the_tenant_scope_lists_every_cluster_of_the_tenant_with_project_version_and_state(
    demo, client_for, user
):
    pause_via_project_admin(demo, user, demo.prod_east)

    response = client_for("tenant-admin").get(list_url(tenant_scope(demo)))

    assert response.status_code == 200
    rows = [row[:4] for row in table_rows(results(response))]
    assert rows == [
        ["edge-01", "Edge", "4.7.2", "Active"],
        ["edge-02", "Edge", "4.7.2", "Active"],
        ["prod-east", "Default", "4.7.2", "Paused"],
        ["prod-west", "Default", "4.7.2", "Active"],
        ["staging", "Default", "4.7.2", "Active"],
    ]


def test_the_list_has_columns_for_project_agent_version_and_agent_upgrades(demo, client_for):
    response = client_for("tenant-admin").get(list_url(tenant_scope(demo)))

    headers = [th.text for th in results(response).find("thead").find_all("th")]
    assert headers[:4] == ["Name", "Project", "Agent version", "Agent upgrades"]


def test_the_project_scope_lists_only_the_clusters_of_the_project(demo, client_for):
    response = client_for("project-admin").get(list_url(project_scope(demo)))

    assert response.status_code == 200
    assert [row[0] for row in table_rows(results(response))] == [
        "prod-east",
        "prod-west",
        "staging",
    ]
    assert results(response).find("p", role="status").text == "3 clusters"
    head = parse(response).find("div", class_="page-head").find("p", class_="subtle")
    assert head.text.startswith("Project Default in tenant Acme")


def test_the_agent_version_column_shows_each_clusters_own_agent(demo, client_for):
    Cluster.objects.filter(pk=demo.staging.pk).update(agent_version="4.6.9")

    response = client_for("project-admin").get(list_url(project_scope(demo)))

    # An agent that is not the platform's (4.7.2) also carries the "Behind" badge.
    versions = {row[0]: row[2] for row in table_rows(results(response))}
    assert versions == {"prod-east": "4.7.2", "prod-west": "4.7.2", "staging": "4.6.9 Behind"}


def test_each_cluster_name_links_to_its_details_page_in_the_same_scope(demo, client_for):
    scope = tenant_scope(demo)

    response = client_for("tenant-admin").get(list_url(scope))

    link = parse(response).find("a", href=detail_url(scope, demo.edge_01))
    assert link.text == "edge-01"


def test_a_cluster_admin_sees_only_prod_east(demo, client_for):
    response = client_for("cluster-admin").get(list_url(project_scope(demo)))

    assert response.status_code == 200
    assert [row[0] for row in table_rows(results(response))] == ["prod-east"]
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
    assert [row[0] for row in table_rows(results(response))] == [
        "prod-east",
        "prod-west",
        "staging",
    ]


def test_it_splits_a_long_list_into_pages_of_fifty(demo, client_for):
    for number in range(50):
        rules.new_cluster(demo.default, f"worker-{number:02d}")
    scope = project_scope(demo)

    first = client_for("project-admin").get(list_url(scope))
    second = client_for("project-admin").get(list_url(scope), {"page": "2"})

    assert len(table_rows(results(first))) == 50
    assert parse(first).find("a", rel="next").attrs["href"] == "?page=2"
    assert [row[0] for row in table_rows(results(second))] == [
        "worker-47",
        "worker-48",
        "worker-49",
    ]
    # No count of pages: the pager names the page and the rows it holds, and the last has no Next.
    assert parse(first).find("nav", aria_label="Pages").text == f"Page 1 · {span(1, 50)} Next"
    assert parse(second).find("nav", aria_label="Pages").text == f"Previous Page 2 · {span(51, 53)}"
    assert parse(second).find_all("a", rel="next") == []


def test_the_list_answers_404_outside_the_users_roles(demo, client_for):
    assert client_for("project-admin").get(list_url(tenant_scope(demo))).status_code == 404
    assert client_for("globex-admin").get(list_url(project_scope(demo))).status_code == 404


def test_the_list_rejects_post(demo, client_for):
    assert client_for("tenant-admin").post(list_url(tenant_scope(demo))).status_code == 405


# Cluster details and Cluster Settings


def test_the_details_page_shows_the_clusters_facts(demo, client_for):
    Cluster.objects.filter(pk=demo.prod_east.pk).update(agent_version="4.6.9")

    response = client_for("project-admin").get(detail_url(project_scope(demo), demo.prod_east))

    assert response.status_code == 200
    page = parse(response)
    facts = {div.find("dt").text: div.find("dd").text for div in page.find("dl").find_all("div")}
    assert facts["Project"] == "Default"
    assert facts["Tenant"] == "Acme"
    assert facts["Agent version"] == "4.6.9 Behind"
    assert facts["Platform version"] == "4.7.2 (agent 4.7.2)"
    assert facts["Agent upgrades"] == (
        "Active default value, not changed yet "
        "Upgrade available: 4.6.9 → 4.7.2 — it comes with the next rollout"
    )


def test_the_settings_button_is_a_real_button_that_opens_the_cluster_settings_menu(
    demo, client_for
):
    scope = project_scope(demo)

    response = client_for("project-admin").get(detail_url(scope, demo.prod_east))

    page = parse(response)
    button = page.find("button", id="cluster-settings-button")
    assert button.text.startswith("Settings")
    assert button.attrs["aria-haspopup"] == "menu"
    assert button.attrs["type"] == "button"
    assert page.find_all("summary") == []
    menu = page.find(id=button.attrs["popovertarget"])
    item = menu.find("a", role="menuitem")
    assert item.text == "Cluster Settings"
    assert item.attrs["href"] == settings_url(scope, demo.prod_east)


def test_the_details_page_shows_no_switch_until_cluster_settings_is_opened(demo, client_for):
    response = client_for("project-admin").get(detail_url(project_scope(demo), demo.prod_east))

    assert parse(response).find_all("button", role="switch") == []


def test_the_settings_panel_shows_an_unchecked_switch_for_an_active_cluster(demo, client_for):
    scope = project_scope(demo)

    response = client_for("project-admin").get(settings_url(scope, demo.prod_east))

    assert response.status_code == 200
    page = parse(response)
    switch = switch_of(page)
    assert switch.text == "Pause Agent Upgrades"
    assert switch.attrs["aria-checked"] == "false"
    assert "disabled" not in switch.attrs
    form = switch_form(page)
    assert form.attrs["method"] == "get"
    assert form.attrs["action"] == reverse(
        "confirm_cluster_change", args=[scope, demo.prod_east.pk]
    )
    assert form.attrs["hx-post"] == change_url(scope, demo.prod_east.pk)
    assert hidden_value(form, "value") == "lock"
    assert hidden_value(form, "version") == "0"


def test_the_switch_is_checked_and_asks_to_resume_when_the_cluster_is_paused(
    demo, client_for, user
):
    pause_via_project_admin(demo, user, demo.prod_east)

    response = client_for("project-admin").get(settings_url(project_scope(demo), demo.prod_east))

    page = parse(response)
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "value") == "unlock"
    assert hidden_value(switch_form(page), "version") == "1"


def test_viewer_sees_the_switch_disabled_with_the_reason(demo, client_for):
    response = client_for("viewer").get(settings_url(project_scope(demo), demo.prod_east))

    assert response.status_code == 200
    page = parse(response)
    switch = switch_of(page)
    assert "disabled" in switch.attrs
    reason = page.find(id=switch.attrs["aria-describedby"])
    assert reason.text == VIEWER_REASON


@pytest.mark.parametrize("username", ["tenant-admin", "project-admin", "cluster-admin"])
def test_an_admin_sees_the_switch_enabled_without_a_reason(demo, client_for, username):
    response = client_for(username).get(settings_url(project_scope(demo), demo.prod_east))

    switch = switch_of(parse(response))
    assert "disabled" not in switch.attrs
    assert "aria-describedby" not in switch.attrs
    assert b"view-only" not in response.content


def test_the_confirm_text_says_what_pausing_will_do(demo, client_for):
    response = client_for("project-admin").get(settings_url(project_scope(demo), demo.prod_east))

    assert switch_form(parse(response)).attrs["data-confirm"] == (
        "Pause agent upgrades for cluster prod-east. Its agent stays at 4.7.2 when the "
        "platform is upgraded, until upgrades are resumed."
    )


def test_the_confirm_text_says_a_resume_will_upgrade_an_agent_that_is_behind(
    demo, client_for, user
):
    pause_via_project_admin(demo, user, demo.prod_east)
    PlatformRelease.objects.create(version="4.8.0", agent_version="4.8.1")  # no rollout yet

    response = client_for("project-admin").get(settings_url(project_scope(demo), demo.prod_east))

    assert switch_form(parse(response)).attrs["data-confirm"] == (
        "Resume agent upgrades for cluster prod-east. "
        "Its agent will be upgraded from 4.7.2 to 4.8.1."
    )


def test_the_confirm_text_warns_that_an_override_lasts_until_the_next_push(demo, client_for, user):
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))

    response = client_for("project-admin").get(settings_url(project_scope(demo), demo.prod_east))

    assert switch_form(parse(response)).attrs["data-confirm"] == (
        "Resume agent upgrades for cluster prod-east. Its current value came from project "
        "Default; the next time project Default is paused or resumed, this cluster follows it "
        "again."
    )


def test_a_cluster_page_keeps_the_main_menu_of_the_tenant_scope(demo, client_for):
    response = client_for("tenant-admin").get(settings_url(tenant_scope(demo), demo.edge_01))

    menu = parse(response).find("nav", aria_label="Main Menu")
    assert [a.text for a in menu.find_all("a")] == [
        "Clusters",
        "Projects",
        "Tenant Settings",
        "Audit Logs",
    ]


def test_a_cluster_page_keeps_the_main_menu_of_the_project_scope(demo, client_for):
    response = client_for("tenant-admin").get(settings_url(project_scope(demo), demo.prod_east))

    menu = parse(response).find("nav", aria_label="Main Menu")
    assert [a.text for a in menu.find_all("a")] == ["Clusters", "Project Settings", "Audit Logs"]


def test_the_details_page_lists_the_setting_history_newest_first(demo, client_for, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.push_project(demo.default, UNLOCK, actor=user("project-admin"))

    response = client_for("viewer").get(detail_url(project_scope(demo), demo.prod_east))

    history = [li.text for li in parse(response).find("ul", class_="history").find_all("li")]
    assert len(history) == 2
    assert history[0].endswith("project-admin · Agent upgrades Paused → Active (pushed by project)")
    assert history[1].endswith("cluster-admin · Agent upgrades Active → Paused")


def test_a_page_is_always_the_whole_page_even_when_htmx_asks(demo, client_for):
    # Only a change answers with a fragment; a page request never does, so a cached or
    # history-restored page is never a lone panel.
    response = client_for("project-admin").get(
        settings_url(project_scope(demo), demo.prod_east), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert b"<html" in response.content
    assert parse(response).find("section", id="cluster-settings")
    assert switch_of(parse(response)).attrs["aria-checked"] == "false"


def test_the_details_page_answers_404_for_a_cluster_the_user_may_not_see(demo, client_for):
    scope = project_scope(demo)

    assert client_for("cluster-admin").get(detail_url(scope, demo.prod_west)).status_code == 404
    assert client_for("cluster-admin").get(settings_url(scope, demo.prod_west)).status_code == 404
    assert client_for("globex-admin").get(detail_url(scope, demo.prod_east)).status_code == 404


def test_the_details_page_answers_404_for_a_cluster_of_another_project_in_this_scope(
    demo, client_for
):
    # edge-01 exists and the tenant admin may see it, but not under project Default's scope.
    response = client_for("tenant-admin").get(detail_url(project_scope(demo), demo.edge_01))

    assert response.status_code == 404


# The change endpoint


def test_a_plain_post_pauses_the_cluster_and_redirects_to_its_settings(demo, client_for, user):
    scope = project_scope(demo)

    response = client_for("cluster-admin").post(
        change_url(scope, demo.prod_east.pk), {"value": "lock", "version": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == settings_url(scope, demo.prod_east)
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == LOCK
    assert demo.prod_east.agent_upgrades_version == 1
    assert demo.prod_east.agent_upgrades_set_via == Scope.CLUSTER
    assert demo.prod_east.agent_upgrades_set_by == user("cluster-admin")
    event = AuditEvent.objects.get()
    assert (event.scope, event.via, event.cluster, event.actor_name) == (
        Scope.CLUSTER,
        Scope.CLUSTER,
        demo.prod_east,
        "cluster-admin",
    )
    assert (event.old_value, event.new_value) == (UNLOCK, LOCK)


def test_the_page_after_the_redirect_shows_a_success_message_and_the_new_state(demo, client_for):
    scope = project_scope(demo)

    response = client_for("cluster-admin").post(
        change_url(scope, demo.prod_east.pk), {"value": "lock", "version": "0"}, follow=True
    )

    assert response.redirect_chain == [(settings_url(scope, demo.prod_east), 302)]
    page = parse(response)
    assert messages_text(page) == "Agent upgrades paused for cluster prod-east."
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert page.find("dd", id="cluster-status").text.startswith("Paused set on this cluster")


def test_changing_a_cluster_writes_nothing_to_its_project_tenant_or_siblings(demo, client_for):
    client_for("tenant-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk), {"value": "lock"}
    )

    assert setting(demo.prod_east) == (LOCK, 1)
    assert setting(demo.default) == (UNLOCK, 0)
    assert setting(demo.acme) == (UNLOCK, 0)
    assert setting(demo.prod_west) == (UNLOCK, 0)
    assert setting(demo.staging) == (UNLOCK, 0)


def test_it_changes_a_cluster_from_the_tenant_scope_too(demo, client_for):
    scope = tenant_scope(demo)

    response = client_for("tenant-admin").post(
        change_url(scope, demo.edge_02.pk), {"value": "lock"}
    )

    assert response["Location"] == settings_url(scope, demo.edge_02)
    assert setting(demo.edge_02) == (LOCK, 1)


def test_an_htmx_post_answers_the_settings_fragment_with_the_new_state(demo, client_for):
    scope = project_scope(demo)

    response = client_for("cluster-admin").post(
        change_url(scope, demo.prod_east.pk),
        {"value": "lock", "version": "0"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Main Menu" not in response.content
    page = parse(response)
    assert page.find("section", id="cluster-settings")
    switch = switch_of(page)
    assert switch.attrs["aria-checked"] == "true"
    assert switch.text == "Pause Agent Upgrades"
    assert hidden_value(switch_form(page), "value") == "unlock"
    assert hidden_value(switch_form(page), "version") == "1"
    messages = page.find("div", id="messages")
    assert messages.attrs["hx-swap-oob"] == "innerHTML"
    assert messages.text == "Agent upgrades paused for cluster prod-east."
    status = page.find("dd", id="cluster-status")
    assert status.attrs["hx-swap-oob"] == "true"
    assert status.text.startswith("Paused")
    history = page.find("section", id="cluster-history")
    assert history.attrs["hx-swap-oob"] == "true"
    assert [li.text for li in history.find_all("li")] == [
        "just now · cluster-admin · Agent upgrades Active → Paused"
    ]
    assert "HX-Request" in response["Vary"]
    assert setting(demo.prod_east) == (LOCK, 1)


def test_resuming_a_paused_cluster_catches_its_agent_up(demo, client_for, user):
    pause_via_project_admin(demo, user, demo.prod_east)
    PlatformRelease.objects.create(version="4.8.0", agent_version="4.8.1")  # no rollout yet

    response = client_for("cluster-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk),
        {"value": "unlock", "version": "1"},
        HTTP_HX_REQUEST="true",
    )

    assert messages_text(parse(response)) == (
        "Agent upgrades resumed for cluster prod-east. Its agent was upgraded to 4.8.1."
    )
    demo.prod_east.refresh_from_db()
    assert (demo.prod_east.agent_upgrades, demo.prod_east.agent_version) == (UNLOCK, "4.8.1")
    demo.prod_west.refresh_from_db()
    assert demo.prod_west.agent_version == "4.7.2"


def test_it_rejects_get(demo, client_for):
    response = client_for("tenant-admin").get(change_url(project_scope(demo), demo.prod_east.pk))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert setting(demo.prod_east) == (UNLOCK, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Say whether to pause (value=lock) or resume (value=unlock) agent upgrades."),
        ({"value": ""}, "Say whether to pause (value=lock) or resume (value=unlock)"),
        ({"value": "toggle"}, "The value must be lock (pause) or unlock (resume), not toggle."),
        ({"value": "LOCK"}, "not LOCK"),
        ({"value": "lock", "version": "abc"}, "The version must be a whole number."),
        ({"value": "lock", "version": "-1"}, "greater than or equal to 0"),
        ({"value": "lock", "version": "99999999999999999999"}, "less than or equal to"),
        (
            {"value": "lock", "until": "9999-12-31T23:59-05:00"},
            "“Pause until” is too far ahead: give a date before the year 9999.",
        ),
        ({"value": "lock", "until": "2020-01-01 10:00"}, "“Pause until” must be in the future."),
        ({"value": "lock", "reason": "x" * 201}, "Keep the reason to 200 characters or fewer."),
        (
            {"value": "lock", "reason": "freeze\x1b[2J"},
            "The reason contains a control character (U+001B)",
        ),
        ({"value": "lock", "reason": "ok\u0007"}, "a control character (U+0007)"),
        (
            {"value": "lock", "reason": "deploy \u202egnirolpxe"},
            "The reason contains a bidirectional override (U+202E), which would change how it "
            "reads. Use plain text on one line.",
        ),
        ({"value": "lock", "reason": "two\nlines"}, "contains a line break (U+000A)"),
        ({"value": "lock", "reason": "zero\u200bwidth"}, "a zero-width space (U+200B)"),
    ],
)
def test_it_rejects_a_bad_form_with_400_and_saves_nothing(demo, client_for, data, message):
    response = client_for("tenant-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk), data
    )

    assert response.status_code == 400
    text = parse(response).find("p", class_="error-message").text
    assert message in text
    assert text.endswith("Nothing was changed.")
    assert setting(demo.prod_east) == (UNLOCK, 0)
    assert AuditEvent.objects.count() == 0


def test_a_bad_htmx_request_leaves_the_switch_alone_and_says_why(demo, client_for):
    response = client_for("tenant-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk),
        {"value": "toggle"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 400
    assert response["HX-Reswap"] == "none"
    messages = parse(response).find("div", id="messages")
    assert messages.attrs["hx-swap-oob"] == "innerHTML"
    assert "not toggle" in messages.text
    assert setting(demo.prod_east) == (UNLOCK, 0)


def test_the_error_message_escapes_what_was_posted(demo, client_for):
    response = client_for("tenant-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk), {"value": "<script>x</script>"}
    )

    assert response.status_code == 400
    assert b"<script>x</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_a_cluster_of_another_tenant_and_a_missing_cluster_get_the_same_404(demo, client_for):
    client = client_for("tenant-admin")
    scope = tenant_scope(demo)
    missing_id = Cluster.objects.order_by("-pk").first().pk + 100

    foreign = client.post(change_url(scope, demo.globex_main.pk), {"value": "lock"})
    missing = client.post(change_url(scope, missing_id), {"value": "lock"})

    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign) == without_csrf_tokens(missing)
    assert b"globex" not in foreign.content.lower()
    assert setting(demo.globex_main) == (UNLOCK, 0)
    assert AuditEvent.objects.count() == 0


def test_a_cluster_in_another_tenants_project_scope_gets_404(demo, client_for):
    scope = ScopeRef("projects", demo.globex_default.pk)

    response = client_for("tenant-admin").post(
        change_url(scope, demo.globex_main.pk), {"value": "lock"}
    )

    assert response.status_code == 404
    assert setting(demo.globex_main) == (UNLOCK, 0)


def test_a_viewer_gets_403_and_nothing_is_saved(demo, client_for):
    response = client_for("viewer").post(
        change_url(project_scope(demo), demo.prod_east.pk), {"value": "lock", "version": "0"}
    )

    assert response.status_code == 403
    assert parse(response).find("p", class_="error-message").text == (
        f"{VIEWER_REASON} Nothing was changed."
    )
    assert setting(demo.prod_east) == (UNLOCK, 0)
    assert AuditEvent.objects.count() == 0


def test_a_viewers_htmx_post_gets_403_and_a_reload_that_shows_the_switch_disabled(demo, client_for):
    client = client_for("viewer")
    response = client.post(
        change_url(project_scope(demo), demo.prod_east.pk),
        {"value": "lock"},
        HTTP_HX_REQUEST="true",
    )

    # The refused request reloads the page, which shows what the user may do now: the switch
    # disabled with the reason, and the reason in the message region.
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert setting(demo.prod_east) == (UNLOCK, 0)
    assert AuditEvent.objects.count() == 0
    reloaded = client.get(
        reverse("cluster_settings", args=[project_scope(demo), demo.prod_east.pk])
    )
    assert "disabled" in switch_of(parse(reloaded)).attrs
    assert parse(reloaded).find("div", id="messages").text.strip().startswith(VIEWER_REASON)


def test_a_replayed_post_changes_the_cluster_once(demo, client_for):
    client = client_for("cluster-admin")
    url = change_url(project_scope(demo), demo.prod_east.pk)

    client.post(url, {"value": "lock", "version": "0"}, follow=True)
    again = client.post(url, {"value": "lock", "version": "0"}, follow=True)

    assert again.status_code == 200
    assert messages_text(parse(again)) == (
        "Agent upgrades are already paused for cluster prod-east; nothing changed."
    )
    assert setting(demo.prod_east) == (LOCK, 1)
    assert AuditEvent.objects.count() == 1


def test_a_stale_form_asking_for_the_opposite_gets_409_and_overwrites_nothing(
    demo, client_for, user
):
    pause_via_project_admin(demo, user, demo.prod_east)  # version 0 → 1, paused

    response = client_for("cluster-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk), {"value": "unlock", "version": "0"}
    )

    assert response.status_code == 409
    page = parse(response)
    assert messages_text(page).startswith(
        "Cluster prod-east was changed after this page was loaded (set on this cluster · "
        "project-admin ·"
    )
    assert "agent upgrades are now paused. Nothing was saved" in messages_text(page)
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "version") == "1"
    demo.prod_east.refresh_from_db()
    assert (demo.prod_east.agent_upgrades, demo.prod_east.agent_upgrades_version) == (LOCK, 1)
    assert demo.prod_east.agent_upgrades_set_by == user("project-admin")
    assert AuditEvent.objects.count() == 1


def test_a_stale_htmx_form_gets_409_with_the_switch_showing_the_truth(demo, client_for, user):
    pause_via_project_admin(demo, user, demo.prod_east)

    response = client_for("cluster-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk),
        {"value": "unlock", "version": "0"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    assert b"<html" not in response.content
    page = parse(response)
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert "was changed after this page was loaded" in messages_text(page)
    assert setting(demo.prod_east) == (LOCK, 1)


def test_a_post_without_a_version_simply_applies(demo, client_for, user):
    pause_via_project_admin(demo, user, demo.prod_east)

    client_for("cluster-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk), {"value": "unlock"}
    )

    assert setting(demo.prod_east) == (UNLOCK, 2)


def csrf_client(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_post_without_a_csrf_token_gets_403_with_a_reload_message(demo, user):
    response = csrf_client(user("tenant-admin")).post(
        change_url(project_scope(demo), demo.prod_east.pk), {"value": "lock"}
    )

    assert response.status_code == 403
    page = parse(response)
    assert page.find("h1").text == "Page expired"
    assert (
        "Reload the page and try again; nothing was changed."
        in page.find("p", class_="error-message").text
    )
    assert setting(demo.prod_east) == (UNLOCK, 0)
    assert AuditEvent.objects.count() == 0


def test_an_htmx_post_without_a_csrf_token_gets_403_and_no_swap(demo, user):
    response = csrf_client(user("tenant-admin")).post(
        change_url(project_scope(demo), demo.prod_east.pk),
        {"value": "lock"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    messages = parse(response).find("div", id="messages")
    assert messages.attrs["hx-swap-oob"] == "innerHTML"
    assert "Reload the page" in messages.text
    assert setting(demo.prod_east) == (UNLOCK, 0)


def test_the_token_the_page_carries_lets_the_post_through(demo, user):
    client = csrf_client(user("tenant-admin"))
    scope = project_scope(demo)
    page = parse(client.get(settings_url(scope, demo.prod_east)))
    token = json.loads(page.find("body").attrs["hx-headers"])["X-CSRFToken"]

    response = client.post(
        change_url(scope, demo.prod_east.pk), {"value": "lock"}, HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 302
    assert setting(demo.prod_east) == (LOCK, 1)


def test_a_reason_keeps_its_printable_text_and_loses_surrounding_spaces(demo, client_for):
    client_for("tenant-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk),
        {"value": "lock", "reason": "  Change freeze · Ünïcode ✓ 変更凍結  "},
    )

    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_upgrades_reason == (
        "Change freeze · Ünïcode ✓ 変更凍結"
    )


def test_a_push_that_rewrites_a_clusters_provenance_shows_in_its_history(demo, client_for, user):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=user("cluster-admin"), pause=rules.Pause("canary")
    )

    # The project pauses too: prod-east stays paused, but now by the project, without a reason.
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))

    page = parse(client_for("cluster-admin").get(detail_url(project_scope(demo), demo.prod_east)))
    history = [item.text for item in page.find("section", id="cluster-history").find_all("li")]
    assert history[0].endswith("project-admin · Agent upgrades Paused → Paused (pushed by project)")
    assert history[1].endswith("cluster-admin · Agent upgrades Active → Paused · “canary”")
