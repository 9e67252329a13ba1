"""A cluster's details page and its Cluster Settings (`cluster_detail`, `cluster_settings`), and
what the endpoint that pauses or resumes one cluster (`change_cluster_agent_upgrades`) does
beyond the contract it shares with the project and tenant endpoints
(tests/views/test_change_contract.py): it writes the cluster alone, and its htmx answer also
refreshes the status line and the History. Who may open or change it is in
tests/who_may_do_what.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import Pause
from tests.factories import REASON, in_a_week, make_release
from tests.html import (
    Element,
    hidden_value,
    messages_text,
    parse,
    shown,
    switch_form,
    switch_of,
    typed,
)
from tests.state import setting, stored

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK


VIEWER_REASON = (
    "You have view-only access to project Default. "
    "A Cluster Admin, Project Admin or Tenant Admin can change this setting."
)


def project_scope(demo) -> ScopeRef:
    return ScopeRef("projects", demo.default.pk)


def tenant_scope(demo) -> ScopeRef:
    return ScopeRef("tenants", demo.acme.pk)


def detail_url(scope: ScopeRef, cluster: Cluster) -> str:
    return reverse("cluster_detail", args=[scope, cluster.pk])


def settings_url(scope: ScopeRef, cluster: Cluster) -> str:
    return reverse("cluster_settings", args=[scope, cluster.pk])


def change_url(scope: ScopeRef, cluster_id: int) -> str:
    return reverse("change_cluster_agent_upgrades", args=[scope, cluster_id])


def pause_via_project_admin(demo, user, cluster: Cluster) -> None:
    rules.set_cluster(cluster, LOCK, actor=user("project-admin"))


def detail_of(client, demo, cluster) -> Element:
    return parse(
        client.get(
            reverse("cluster_detail", args=[ScopeRef("projects", cluster.project_id), cluster.pk])
        )
    )


def facts(page: Element) -> dict[str, str]:
    return {div.find("dt").text: div.find("dd").text for div in page.find("dl").find_all("div")}


def history(page: Element) -> list[str]:
    """The History entries without their 'when'."""
    return [li.text.split(" · ", 1)[1] for li in page.find("ul", class_="history").find_all("li")]


# The details page.


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


def test_the_details_page_answers_404_for_a_cluster_of_another_project_in_this_scope(
    demo, client_for
):
    # edge-01 exists and the tenant admin may see it, but not under project Default's scope.
    response = client_for("tenant-admin").get(detail_url(project_scope(demo), demo.edge_01))

    assert response.status_code == 404


# Cluster Settings: the switch.


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
    make_release("4.8.0", agent_version="4.8.1")  # no rollout yet

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


def test_the_switch_offers_a_reason_and_an_end_only_when_it_asks_to_pause(demo, client_for, admin):
    client = client_for("cluster-admin")
    url = settings_url(project_scope(demo), demo.prod_east)

    to_pause = switch_form(parse(client.get(url)))
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    to_resume = switch_form(parse(client.get(url)))

    assert "data-confirm-pause" in to_pause.attrs
    assert "data-confirm-pause" not in to_resume.attrs
    # Without JavaScript, they are asked on the confirmation page the switch's form opens.
    asks_pause, asks_resume = (
        parse(client.get(form.attrs["action"], {"value": v}))
        for form, v in ((to_pause, "lock"), (to_resume, "unlock"))
    )
    assert asks_pause.find("input", id="confirm-page-reason").attrs["maxlength"] == "200"
    assert asks_pause.find("input", id="confirm-page-until").attrs["type"] == "datetime-local"
    assert asks_resume.find_all("input", id="confirm-page-reason") == []
    assert asks_resume.find_all("input", id="confirm-page-until") == []


# The agent: behind the platform, held back by the pause.


def test_a_held_back_cluster_says_which_upgrade_the_pause_holds_back(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.release_platform("4.8.0", agent_version="4.8.1")

    page = detail_of(client_for("viewer"), demo, demo.prod_east)

    assert facts(page)["Agent version"] == "4.7.2 Behind"
    assert facts(page)["Platform version"] == "4.8.0 (agent 4.8.1)"
    assert page.find("p", class_="upgrade-note").text == (
        "Upgrade available: 4.7.2 → 4.8.1 — held back by the pause"
    )


def test_an_upgraded_cluster_has_no_upgrade_note_and_no_badge(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    page = detail_of(client_for("viewer"), demo, demo.prod_west)

    assert facts(page)["Agent version"] == "4.8.0"
    assert page.find_all("p", class_="upgrade-note") == []


# History: setting changes and agent upgrades, newest first.


def test_the_details_page_lists_the_setting_history_newest_first(demo, client_for, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.push_project(demo.default, UNLOCK, actor=user("project-admin"))

    response = client_for("viewer").get(detail_url(project_scope(demo), demo.prod_east))

    history = [li.text for li in parse(response).find("ul", class_="history").find_all("li")]
    assert len(history) == 2
    assert history[0].endswith("project-admin · Agent upgrades Paused → Active (pushed by project)")
    assert history[1].endswith("cluster-admin · Agent upgrades Active → Paused")


def test_the_history_merges_setting_changes_and_agent_upgrades_newest_first(
    demo, client_for, user, superuser, clock
):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    clock.advance(minutes=5)
    rules.release_platform("4.8.0", actor=superuser)
    clock.advance(minutes=5)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("project-admin"))
    clock.advance(minutes=5)
    rules.release_platform("4.9.0", actor=superuser)

    page = detail_of(client_for("viewer"), demo, demo.prod_east)

    assert history(page) == [
        "root · Agent upgraded 4.8.0 → 4.9.0 (platform release 4.9.0)",
        # The resume and the upgrade it made share a moment: the upgrade reads as its result.
        "project-admin · Agent upgraded 4.7.2 → 4.8.0 (resume)",
        "project-admin · Agent upgrades Paused → Active",
        "cluster-admin · Agent upgrades Active → Paused",
    ]
    assert page.find("h2", id="history-title").text == "History"


def test_the_history_shows_the_ten_newest_entries(demo, client_for, admin, clock):
    for minute in range(8):
        rules.set_cluster(demo.prod_east, [LOCK, UNLOCK][minute % 2], actor=admin)
        clock.advance(minutes=1)
    for version in ("4.8.0", "4.9.0", "4.10.0", "4.11.0"):
        rules.release_platform(version)
        clock.advance(minutes=1)

    page = detail_of(client_for("viewer"), demo, demo.prod_east)

    entries = history(page)
    assert len(entries) == 10
    assert entries[0] == "system · Agent upgraded 4.10.0 → 4.11.0 (platform release 4.11.0)"
    # Four upgrades, then the six newest of eight changes: the third change (a pause) is last.
    assert entries[-1] == "tenant-admin · Agent upgrades Active → Paused"
    assert entries[4] == "tenant-admin · Agent upgrades Paused → Active"


def test_a_push_that_rewrites_a_clusters_provenance_shows_in_its_history(demo, client_for, user):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=user("cluster-admin"), pause=rules.Pause("canary")
    )

    # The project pauses too: prod-east stays paused, but now by the project, without a reason.
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))

    page = parse(client_for("cluster-admin").get(detail_url(project_scope(demo), demo.prod_east)))
    history = [item.text for item in page.find("section", id="cluster-history").find_all("li")]
    assert history[0].endswith("project-admin · Agent upgrades Paused (now pushed by project)")
    assert history[1].endswith("cluster-admin · Agent upgrades Active → Paused · “canary”")


# Changing one cluster: the cluster alone, from either scope.


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


def test_an_htmx_change_also_swaps_the_status_line_and_the_history_out_of_band(demo, client_for):
    scope = project_scope(demo)

    response = client_for("cluster-admin").post(
        change_url(scope, demo.prod_east.pk),
        {"value": "lock", "version": "0"},
        HTTP_HX_REQUEST="true",
    )

    page = parse(response)
    switch = switch_of(page)
    assert switch.text == "Pause Agent Upgrades"
    assert hidden_value(switch_form(page), "value") == "unlock"
    status = page.find("dd", id="cluster-status")
    assert status.attrs["hx-swap-oob"] == "true"
    assert status.text.startswith("Paused")
    history = page.find("section", id="cluster-history")
    assert history.attrs["hx-swap-oob"] == "true"
    assert [li.text for li in history.find_all("li")] == [
        "just now · cluster-admin · Agent upgrades Active → Paused"
    ]


def test_resuming_a_paused_cluster_catches_its_agent_up(demo, client_for, user):
    pause_via_project_admin(demo, user, demo.prod_east)
    make_release("4.8.0", agent_version="4.8.1")  # no rollout yet

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


def test_an_htmx_resume_refreshes_the_status_and_history_with_the_catch_up(demo, client_for, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.release_platform("4.8.0")

    response = client_for("cluster-admin").post(
        reverse(
            "change_cluster_agent_upgrades",
            args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk],
        ),
        {"value": "unlock", "version": "1"},
        HTTP_HX_REQUEST="true",
    )

    page = parse(response)
    assert page.find("dd", id="cluster-status").find_all("p", class_="upgrade-note") == []
    entries = [li.text for li in page.find("section", id="cluster-history").find_all("li")]
    assert "just now · cluster-admin · Agent upgraded 4.7.2 → 4.8.0 (resume)" in entries


def test_an_htmx_pause_answers_the_panel_showing_its_end_and_reason(demo, client_for):
    until = in_a_week()

    response = client_for("cluster-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk),
        {"value": "lock", "version": "0", "reason": REASON, "until": typed(until)},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    page = parse(response)
    assert b"<html" not in response.content
    assert f"until {shown(until)} · “{REASON}”" in page.find("dd", id="cluster-status").text
    history = [li.text for li in page.find("section", id="cluster-history").find_all("li")]
    assert history == [
        f"just now · cluster-admin · Agent upgrades Active → Paused · until {shown(until)} "
        f"· “{REASON}”"
    ]


# A pause whose end has passed.


def test_the_cluster_page_shows_an_ended_pause_as_active_and_offers_to_pause(
    demo, client_for, ended
):
    response = client_for("project-admin").get(settings_url(project_scope(demo), demo.prod_east))

    page = parse(response)
    status = page.find("dd", id="cluster-status").text
    assert status.startswith(
        f"Active pause ended {shown(ended)} · it was “{REASON}”, set on this cluster"
    )
    assert switch_of(page).attrs["aria-checked"] == "false"
    assert (
        switch_form(page)
        .attrs["data-confirm"]
        .startswith("Pause agent upgrades for cluster prod-east.")
    )


def test_pausing_a_cluster_whose_pause_ended_starts_a_new_pause(demo, client_for, ended):
    response = client_for("cluster-admin").post(
        change_url(project_scope(demo), demo.prod_east.pk), {"value": "lock", "version": "1"}
    )

    assert response.status_code == 302
    assert stored(demo.prod_east) == (LOCK, "", None)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.old_value, event.new_value) == (UNLOCK, LOCK)


def test_after_the_command_the_cluster_page_says_the_pause_ended(demo, client_for, ended):
    rules.resume_expired_pauses()

    page = parse(client_for("project-admin").get(settings_url(project_scope(demo), demo.prod_east)))

    assert page.find("dd", id="cluster-status").text.startswith(
        "Active resumed when its pause ended"
    )
    history = [li.text for li in page.find("ul", class_="history").find_all("li")]
    assert history[0].endswith("system · Agent upgrades Paused → Active (pause ended)")
    assert history[1].endswith(
        f"tenant-admin · Agent upgrades Active → Paused · until {shown(ended)} · “{REASON}”"
    )


def test_the_cluster_history_shows_an_agent_caught_up_by_the_end_of_its_pause(
    demo, client_for, admin, clock
):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.release_platform("4.8.0")
    clock.advance(hours=2)
    rules.resume_expired_pauses()

    page = parse(client_for("project-admin").get(settings_url(project_scope(demo), demo.prod_east)))

    history = [li.text for li in page.find("ul", class_="history").find_all("li")]
    assert any(
        entry.endswith("system · Agent upgraded 4.7.2 → 4.8.0 (pause ended)") for entry in history
    )
