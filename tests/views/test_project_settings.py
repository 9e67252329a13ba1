"""Project Settings (`project_settings`, `project_platform_settings`): General, and Platform
Settings with the project's switch; and what the endpoint that pushes a project's value to all
of its clusters (`change_project_agent_upgrades`) writes, beyond the contract it shares with the
cluster and tenant endpoints (tests/views/test_change_contract.py). Who may open or change it is
in tests/who_may_do_what.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster, Project, Scope, Tenant
from settings_app.rules import Pause
from tests.factories import make_release
from tests.html import counts_text, hidden_value, messages_text, parse, switch_form, switch_of
from tests.state import setting

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK


VIEWER_REASON = (
    "You have view-only access to project Default. "
    "A Project Admin or a Tenant Admin can change this setting."
)


def general_url(project: Project) -> str:
    return reverse("project_settings", args=[project.pk])


def platform_url(project: Project) -> str:
    return reverse("project_platform_settings", args=[project.pk])


def change_url(project_id: int) -> str:
    return reverse("change_project_agent_upgrades", args=[project_id])


def settings_of(demo) -> dict[str, tuple[str, int, str]]:
    """Every tenant's, project's and cluster's value, version and where it came from."""
    state = {}
    for model in (Tenant, Project, Cluster):
        for obj in model.objects.all():
            key = f"{model.__name__} {obj.pk} {obj.name}"
            state[key] = (
                obj.agent_upgrades,
                obj.agent_upgrades_version,
                obj.agent_upgrades_set_via,
            )
    return state


def confirm_text(client: Client, project: Project) -> str:
    return switch_form(parse(client.get(platform_url(project)))).attrs["data-confirm"]


# General


def test_general_shows_the_projects_facts(demo, client_for):
    response = client_for("project-admin").get(general_url(demo.default))

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Project Settings"
    facts = {div.find("dt").text: div.find("dd").text for div in page.find("dl").find_all("div")}
    assert facts == {
        "Name": "Default",
        "UID": f"{demo.default.uid} Copy",
        "Tenant": "Acme",
        "Clusters": "3",
        "Agent upgrades": "Active · default value, not changed yet",
    }
    assert page.find_all("button", role="switch") == []


def test_general_shows_who_set_the_project_and_how(demo, client_for, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))

    response = client_for("viewer").get(general_url(demo.default))

    facts = {
        div.find("dt").text: div.find("dd").text
        for div in parse(response).find("dl").find_all("div")
    }
    assert facts["Agent upgrades"].startswith("Paused · pushed by tenant Acme · tenant-admin · ")


def test_the_sub_navigation_links_general_and_platform_settings(demo, client_for):
    response = client_for("project-admin").get(general_url(demo.default))

    nav = parse(response).find("nav", aria_label="Project Settings sections")
    links = {a.text: a for a in nav.find_all("a")}
    assert list(links) == ["General", "Platform Settings"]
    assert links["Platform Settings"].attrs["href"] == platform_url(demo.default)
    assert links["General"].attrs["aria-current"] == "page"
    assert "aria-current" not in links["Platform Settings"].attrs


def test_the_main_menu_marks_project_settings_as_the_current_page(demo, client_for):
    response = client_for("project-admin").get(platform_url(demo.default))

    menu = parse(response).find("nav", aria_label="Main Menu")
    current = menu.find("a", aria_current="page")
    assert (current.text, current.attrs["href"]) == ("Project Settings", general_url(demo.default))


# Platform Settings


def test_platform_settings_shows_the_switch_and_the_counts(demo, client_for):
    response = client_for("project-admin").get(platform_url(demo.default))

    assert response.status_code == 200
    page = parse(response)
    switch = switch_of(page)
    assert switch.text == "Pause Agent Upgrades"
    assert switch.attrs["aria-checked"] == "false"
    assert "disabled" not in switch.attrs
    form = switch_form(page)
    assert form.attrs["action"] == reverse("confirm_project_change", args=[demo.default.pk])
    assert form.attrs["hx-post"] == change_url(demo.default.pk)
    assert (hidden_value(form, "value"), hidden_value(form, "version")) == ("lock", "0")
    assert counts_text(page) == "0 of 3 clusters paused now."
    nav = page.find("nav", aria_label="Project Settings sections")
    assert nav.find("a", aria_current="page").text == "Platform Settings"


def test_the_counts_say_how_many_clusters_are_paused_and_set_individually(demo, client_for, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.set_cluster(demo.staging, LOCK, actor=user("project-admin"))
    rules.set_cluster(demo.edge_01, LOCK, actor=user("tenant-admin"))  # another project

    response = client_for("project-admin").get(platform_url(demo.default))

    assert counts_text(parse(response)) == "2 of 3 clusters paused now; 2 set individually."


def test_the_switch_is_checked_and_asks_to_resume_when_the_project_is_paused(
    demo, client_for, user
):
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))

    page = parse(client_for("project-admin").get(platform_url(demo.default)))

    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "value") == "unlock"
    assert hidden_value(switch_form(page), "version") == "1"
    assert counts_text(page) == "3 of 3 clusters paused now."
    assert switch_form(page).attrs["data-confirm"] == (
        "Resume agent upgrades for 3 clusters in project Default."
    )


def test_the_confirm_text_counts_the_clusters_of_the_project(demo, client_for):
    assert confirm_text(client_for("project-admin"), demo.default) == (
        "Pause agent upgrades for 3 clusters in project Default."
    )


def test_the_confirm_text_warns_that_one_individual_value_will_be_overwritten(
    demo, client_for, user
):
    rules.set_cluster(demo.prod_west, LOCK, actor=user("cluster-admin"))

    assert confirm_text(client_for("project-admin"), demo.default) == (
        "Pause agent upgrades for 3 clusters in project Default. "
        "1 of them was set individually and will be overwritten."
    )


def test_the_confirm_text_warns_that_several_individual_values_will_be_overwritten(
    demo, client_for, user
):
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("cluster-admin"))
    rules.set_cluster(demo.staging, UNLOCK, actor=user("project-admin"))

    assert confirm_text(client_for("project-admin"), demo.default) == (
        "Resume agent upgrades for 3 clusters in project Default. "
        "2 of them were set individually and will be overwritten."
    )


def test_the_confirm_text_for_a_project_of_one_cluster_speaks_of_it(demo, client_for, user):
    rules.set_cluster(demo.edge_01, LOCK, actor=user("tenant-admin"))
    demo.edge_02.delete()

    assert confirm_text(client_for("tenant-admin"), demo.edge) == (
        "Pause agent upgrades for 1 cluster in project Edge. "
        "It was set individually and will be overwritten."
    )


def test_the_confirm_text_for_an_empty_project_says_new_clusters_take_the_value(demo, client_for):
    empty = Project.objects.create(tenant=demo.acme, name="Empty")

    page = parse(client_for("tenant-admin").get(platform_url(empty)))

    assert switch_form(page).attrs["data-confirm"] == (
        "Pause agent upgrades for project Empty. It has no clusters yet; "
        "new clusters will take this value."
    )
    assert counts_text(page) == "0 of 0 clusters paused now."


def test_viewer_sees_the_switch_disabled_with_the_reason(demo, client_for):
    response = client_for("viewer").get(platform_url(demo.default))

    assert response.status_code == 200
    page = parse(response)
    switch = switch_of(page)
    assert "disabled" in switch.attrs
    assert page.find(id=switch.attrs["aria-describedby"]).text == VIEWER_REASON


@pytest.mark.parametrize("username", ["tenant-admin", "project-admin"])
def test_an_admin_sees_the_switch_enabled(demo, client_for, username):
    response = client_for(username).get(platform_url(demo.default))

    switch = switch_of(parse(response))
    assert "disabled" not in switch.attrs
    assert b"view-only" not in response.content


def test_a_tenant_admin_opens_the_settings_of_every_project_of_the_tenant(demo, client_for):
    response = client_for("tenant-admin").get(platform_url(demo.edge))

    assert response.status_code == 200
    assert counts_text(parse(response)) == "0 of 2 clusters paused now."


def test_platform_settings_is_the_whole_page_even_when_htmx_asks(demo, client_for):
    response = client_for("project-admin").get(platform_url(demo.default), HTTP_HX_REQUEST="true")

    assert b"<html" in response.content
    assert parse(response).find("section", id="platform-settings")


def test_the_settings_pages_reject_post(demo, client_for):
    assert client_for("project-admin").post(platform_url(demo.default)).status_code == 405


def test_the_push_again_dialog_of_an_ended_pause_speaks_of_resuming(demo, client_for, admin, clock):
    rules.push_project(
        demo.default, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)  # set individually: offers "again"
    clock.advance(hours=2)

    page = parse(client_for("project-admin").get(platform_url(demo.default)))

    again = page.find("form", class_="reapply-form")
    assert again.find("input", name="value").attrs["value"] == "unlock"
    assert again.find("button").text == "Resume all 3 clusters"
    assert again.attrs["data-confirm"].startswith("Resume agent upgrades again")


# The push: what it writes


def test_a_plain_post_pushes_the_value_to_the_project_and_all_its_clusters(demo, client_for, user):
    response = client_for("project-admin").post(
        change_url(demo.default.pk), {"value": "lock", "version": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == platform_url(demo.default)
    admin = user("project-admin")
    for obj in (demo.default, demo.prod_east, demo.prod_west, demo.staging):
        obj.refresh_from_db()
        assert obj.agent_upgrades == LOCK
        assert obj.agent_upgrades_set_via == Scope.PROJECT
        assert obj.agent_upgrades_set_by == admin
    events = AuditEvent.objects.order_by("scope", "object_name")
    assert [(e.scope, e.object_name, e.via, e.old_value, e.new_value) for e in events] == [
        (Scope.CLUSTER, "prod-east", Scope.PROJECT, UNLOCK, LOCK),
        (Scope.CLUSTER, "prod-west", Scope.PROJECT, UNLOCK, LOCK),
        (Scope.CLUSTER, "staging", Scope.PROJECT, UNLOCK, LOCK),
        (Scope.PROJECT, "Default", Scope.PROJECT, UNLOCK, LOCK),
    ]


def test_a_push_writes_nothing_upward_or_to_other_projects(demo, client_for):
    before = settings_of(demo)

    client_for("project-admin").post(change_url(demo.default.pk), {"value": "lock"})

    after = settings_of(demo)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {
        f"Project {demo.default.pk} Default",
        f"Cluster {demo.prod_east.pk} prod-east",
        f"Cluster {demo.prod_west.pk} prod-west",
        f"Cluster {demo.staging.pk} staging",
    }


def test_a_push_overwrites_values_set_on_single_clusters(demo, client_for, user):
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("cluster-admin"))
    AuditEvent.objects.all().delete()

    # Setting the project to the value it already has pushes it down again (rule 2).
    client_for("project-admin").post(change_url(demo.default.pk), {"value": "lock", "version": "1"})

    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == LOCK
    assert demo.prod_east.agent_upgrades_set_via == Scope.PROJECT
    assert setting(demo.default) == (LOCK, 2)
    changed = sorted(AuditEvent.objects.values_list("scope", "object_name"))
    assert changed == [(Scope.CLUSTER, "prod-east"), (Scope.PROJECT, "Default")]


def test_resuming_a_project_catches_its_paused_agents_up(demo, client_for, user):
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))
    make_release("4.8.0", agent_version="4.8.1")  # no rollout yet

    response = client_for("project-admin").post(
        change_url(demo.default.pk), {"value": "unlock", "version": "1"}, follow=True
    )

    assert messages_text(parse(response)) == (
        "Agent upgrades resumed for 3 clusters in project Default; 3 agents upgraded to 4.8.1."
    )
    versions = set(demo.default.clusters.values_list("agent_version", flat=True))
    assert versions == {"4.8.1"}
    assert set(demo.edge.clusters.values_list("agent_version", flat=True)) == {"4.7.2"}


def test_pushing_to_an_empty_project_says_it_has_no_clusters(demo, client_for):
    empty = Project.objects.create(tenant=demo.acme, name="Empty")

    response = client_for("tenant-admin").post(change_url(empty.pk), {"value": "lock"}, follow=True)

    assert messages_text(parse(response)) == (
        "Agent upgrades paused for project Empty; it has no clusters yet."
    )
    assert setting(empty) == (LOCK, 1)
