"""Project Settings through the Django test client: General, Platform Settings with the project's
switch, and the endpoint that pushes a project's value to all of its clusters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from settings_app import rules
from settings_app.models import (
    AgentUpgrades,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    Scope,
    Tenant,
)
from tests.html import (
    counts_text,
    hidden_value,
    messages_text,
    parse,
    setting,
    switch_form,
    switch_of,
    without_csrf_tokens,
)

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK
VIEWER_REASON = (
    "You have view-only access to project Default. "
    "A Project Admin or a Tenant Admin can change this setting."
)


# URLs and state.


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


@pytest.mark.parametrize("url_name", ["project_settings", "project_platform_settings"])
@pytest.mark.parametrize("username", ["cluster-admin", "globex-admin", "stranger"])
def test_a_user_without_a_project_role_gets_404(demo, client_for, stranger, username, url_name):
    response = client_for(username).get(reverse(url_name, args=[demo.default.pk]))

    assert response.status_code == 404
    assert b"Pause Agent Upgrades" not in response.content


def test_a_project_admin_gets_404_for_another_project(demo, client_for):
    assert client_for("project-admin").get(platform_url(demo.edge)).status_code == 404


def test_platform_settings_is_the_whole_page_even_when_htmx_asks(demo, client_for):
    response = client_for("project-admin").get(platform_url(demo.default), HTTP_HX_REQUEST="true")

    assert b"<html" in response.content
    assert parse(response).find("section", id="platform-settings")


def test_the_settings_pages_reject_post(demo, client_for):
    assert client_for("project-admin").post(platform_url(demo.default)).status_code == 405


# The push endpoint


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


def test_the_page_after_the_redirect_shows_the_success_message_and_counts(demo, client_for):
    response = client_for("project-admin").post(
        change_url(demo.default.pk), {"value": "lock", "version": "0"}, follow=True
    )

    assert response.redirect_chain == [(platform_url(demo.default), 302)]
    page = parse(response)
    assert messages_text(page) == "Agent upgrades paused for 3 clusters in project Default."
    assert counts_text(page) == "3 of 3 clusters paused now."
    assert switch_of(page).attrs["aria-checked"] == "true"


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
    PlatformRelease.objects.create(version="4.8.0", agent_version="4.8.1")  # no rollout yet

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


def test_an_htmx_post_answers_the_platform_settings_fragment(demo, client_for):
    response = client_for("project-admin").post(
        change_url(demo.default.pk), {"value": "lock", "version": "0"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Main Menu" not in response.content
    page = parse(response)
    assert page.find("section", id="platform-settings")
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "version") == "1"
    assert counts_text(page) == "3 of 3 clusters paused now."
    messages = page.find("div", id="messages")
    assert messages.attrs["hx-swap-oob"] == "innerHTML"
    assert messages_text(page) == "Agent upgrades paused for 3 clusters in project Default."
    assert "HX-Request" in response["Vary"]
    assert setting(demo.default) == (LOCK, 1)


def test_it_rejects_get(demo, client_for):
    response = client_for("project-admin").get(change_url(demo.default.pk))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert setting(demo.default) == (UNLOCK, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Say whether to pause (value=lock) or resume (value=unlock) agent upgrades."),
        ({"value": "toggle"}, "The value must be lock (pause) or unlock (resume), not toggle."),
        ({"value": "lock", "version": "x"}, "The version must be a whole number."),
    ],
)
def test_it_rejects_a_bad_form_with_400_and_saves_nothing(demo, client_for, data, message):
    before = settings_of(demo)

    response = client_for("project-admin").post(change_url(demo.default.pk), data)

    assert response.status_code == 400
    assert message in parse(response).find("p", class_="error-message").text
    assert settings_of(demo) == before
    assert AuditEvent.objects.count() == 0


def test_a_bad_htmx_request_leaves_the_switch_alone(demo, client_for):
    response = client_for("project-admin").post(
        change_url(demo.default.pk), {"value": "toggle"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    assert response["HX-Reswap"] == "none"
    assert "not toggle" in parse(response).find("div", id="messages", hx_swap_oob="innerHTML").text


def test_a_viewer_gets_403_and_nothing_is_saved(demo, client_for):
    before = settings_of(demo)

    response = client_for("viewer").post(change_url(demo.default.pk), {"value": "lock"})

    assert response.status_code == 403
    assert parse(response).find("p", class_="error-message").text == (
        f"{VIEWER_REASON} Nothing was changed."
    )
    assert settings_of(demo) == before
    assert AuditEvent.objects.count() == 0


def test_a_viewers_htmx_post_gets_403_and_a_reload_that_shows_the_switch_disabled(demo, client_for):
    client = client_for("viewer")
    response = client.post(change_url(demo.default.pk), {"value": "lock"}, HTTP_HX_REQUEST="true")

    # The page reloads showing the truth: the switch disabled, with the reason.
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert setting(demo.default) == (UNLOCK, 0)
    reloaded = client.get(reverse("project_platform_settings", args=[demo.default.pk]))
    assert "disabled" in parse(reloaded).find("button", role="switch").attrs
    assert VIEWER_REASON in parse(reloaded).find("div", id="messages").text


def test_a_cluster_admin_gets_404_and_nothing_is_saved(demo, client_for):
    before = settings_of(demo)

    response = client_for("cluster-admin").post(change_url(demo.default.pk), {"value": "lock"})

    assert response.status_code == 404
    assert settings_of(demo) == before
    assert AuditEvent.objects.count() == 0


def test_a_project_of_another_tenant_and_a_missing_project_get_the_same_404(demo, client_for):
    client = client_for("tenant-admin")
    missing_id = Project.objects.order_by("-pk").first().pk + 100
    before = settings_of(demo)

    foreign = client.post(change_url(demo.globex_default.pk), {"value": "lock"})
    missing = client.post(change_url(missing_id), {"value": "lock"})

    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign) == without_csrf_tokens(missing)
    assert settings_of(demo) == before


def test_the_settings_pages_of_another_tenants_project_and_a_missing_one_look_alike(
    demo, client_for
):
    client = client_for("tenant-admin")
    missing_id = Project.objects.order_by("-pk").first().pk + 100

    foreign = client.get(platform_url(demo.globex_default))
    missing = client.get(reverse("project_platform_settings", args=[missing_id]))

    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign) == without_csrf_tokens(missing)


def test_a_replayed_push_changes_the_project_once(demo, client_for):
    client = client_for("project-admin")

    client.post(change_url(demo.default.pk), {"value": "lock", "version": "0"}, follow=True)
    again = client.post(change_url(demo.default.pk), {"value": "lock", "version": "0"}, follow=True)

    assert messages_text(parse(again)) == (
        "Agent upgrades are already paused for project Default; nothing changed."
    )
    assert setting(demo.default) == (LOCK, 1)
    assert setting(demo.prod_east) == (LOCK, 1)
    assert AuditEvent.objects.count() == 4  # the project and its three clusters, once


def test_a_replayed_push_does_not_overwrite_a_later_cluster_override(demo, client_for, user):
    client = client_for("project-admin")
    client.post(change_url(demo.default.pk), {"value": "lock", "version": "0"})
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("cluster-admin"))

    client.post(change_url(demo.default.pk), {"value": "lock", "version": "0"})

    assert setting(demo.prod_east) == (UNLOCK, 2)


def test_a_stale_form_asking_for_the_opposite_gets_409_and_overwrites_nothing(
    demo, client_for, user
):
    rules.push_project(demo.default, LOCK, actor=user("tenant-admin"))
    before = settings_of(demo)
    events = AuditEvent.objects.count()

    response = client_for("project-admin").post(
        change_url(demo.default.pk), {"value": "unlock", "version": "0"}
    )

    assert response.status_code == 409
    page = parse(response)
    assert "was changed after this page was loaded (set on this project · tenant-admin ·" in (
        messages_text(page)
    )
    assert "agent upgrades are now paused. Nothing was saved" in messages_text(page)
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "version") == "1"
    assert settings_of(demo) == before
    assert AuditEvent.objects.count() == events


def test_the_conflict_message_keeps_the_projects_name_as_written(demo, client_for, user):
    rules.push_project(demo.default, LOCK, actor=user("tenant-admin"))

    response = client_for("project-admin").post(
        change_url(demo.default.pk), {"value": "unlock", "version": "0"}
    )

    assert messages_text(parse(response)).startswith("Project Default was changed")


def test_a_stale_htmx_form_gets_409_with_the_fragment_showing_the_truth(demo, client_for, user):
    rules.push_project(demo.default, LOCK, actor=user("tenant-admin"))

    response = client_for("project-admin").post(
        change_url(demo.default.pk), {"value": "unlock", "version": "0"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 409
    assert b"<html" not in response.content
    page = parse(response)
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert counts_text(page) == "3 of 3 clusters paused now."
    assert setting(demo.default) == (LOCK, 1)


def test_a_post_without_a_csrf_token_gets_403_and_saves_nothing(demo, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("project-admin"))

    response = client.post(change_url(demo.default.pk), {"value": "lock"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    assert "Reload the page" in parse(response).find("div", id="messages").text
    assert setting(demo.default) == (UNLOCK, 0)
    assert setting(demo.prod_east) == (UNLOCK, 0)
