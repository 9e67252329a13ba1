"""The tenant scope's Projects page and Tenant Settings through the Django test client: General,
Platform Settings with the tenant's switch, and the endpoint that pushes the tenant's value to
every project and cluster in it."""

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
from settings_app.scopes import ScopeRef
from tests.html import (
    counts_text,
    hidden_value,
    messages_text,
    parse,
    setting,
    switch_form,
    switch_of,
    table_rows,
    without_csrf_tokens,
)

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK


# URLs and state.


def projects_url(tenant: Tenant) -> str:
    return reverse("project_list", args=[tenant.pk])


def general_url(tenant: Tenant) -> str:
    return reverse("tenant_settings", args=[tenant.pk])


def platform_url(tenant: Tenant) -> str:
    return reverse("tenant_platform_settings", args=[tenant.pk])


def change_url(tenant_id: int) -> str:
    return reverse("change_tenant_agent_upgrades", args=[tenant_id])


def settings_of(*tenants: Tenant) -> dict[str, tuple[str, int, str]]:
    """The value, version and origin of the tenants and of every project and cluster in them."""
    state = {}
    for tenant in tenants:
        objects = [
            Tenant.objects.get(pk=tenant.pk),
            *Project.objects.filter(tenant=tenant),
            *Cluster.objects.filter(project__tenant=tenant),
        ]
        for obj in objects:
            key = f"{type(obj).__name__} {obj.pk} {obj.name}"
            state[key] = (
                obj.agent_upgrades,
                obj.agent_upgrades_version,
                obj.agent_upgrades_set_via,
            )
    return state


def confirm_text(client: Client, tenant: Tenant) -> str:
    return switch_form(parse(client.get(platform_url(tenant)))).attrs["data-confirm"]


# Projects


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


# General


def test_general_shows_the_tenants_facts(demo, client_for):
    response = client_for("tenant-admin").get(general_url(demo.acme))

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Tenant Settings"
    facts = {div.find("dt").text: div.find("dd").text for div in page.find("dl").find_all("div")}
    assert facts == {
        "Name": "Acme",
        "Projects": "2",
        "Clusters": "5",
        "Agent upgrades": "Active · default value, not changed yet",
    }
    assert page.find_all("button", role="switch") == []


def test_the_sub_navigation_links_general_and_platform_settings(demo, client_for):
    response = client_for("tenant-admin").get(platform_url(demo.acme))

    nav = parse(response).find("nav", aria_label="Tenant Settings sections")
    links = {a.text: a for a in nav.find_all("a")}
    assert list(links) == ["General", "Platform Settings"]
    assert links["General"].attrs["href"] == general_url(demo.acme)
    assert links["Platform Settings"].attrs["aria-current"] == "page"


# Platform Settings


def test_platform_settings_shows_the_switch_and_the_counts(demo, client_for):
    response = client_for("tenant-admin").get(platform_url(demo.acme))

    assert response.status_code == 200
    page = parse(response)
    switch = switch_of(page)
    assert switch.text == "Pause Agent Upgrades"
    assert switch.attrs["aria-checked"] == "false"
    assert "disabled" not in switch.attrs
    form = switch_form(page)
    assert form.attrs["action"] == reverse("confirm_tenant_change", args=[demo.acme.pk])
    assert (hidden_value(form, "value"), hidden_value(form, "version")) == ("lock", "0")
    assert counts_text(page) == "0 of 5 clusters in 2 projects paused now."


def test_the_counts_say_what_was_set_at_project_or_cluster_level(demo, client_for, user):
    rules.push_project(demo.edge, LOCK, actor=user("tenant-admin"))
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.set_cluster(demo.globex_main, LOCK, actor=user("globex-admin"))  # another tenant

    page = parse(client_for("tenant-admin").get(platform_url(demo.acme)))

    assert counts_text(page) == (
        "3 of 5 clusters in 2 projects paused now; 3 set at project or cluster level."
    )


def test_the_confirm_text_counts_the_clusters_and_projects_of_the_tenant(demo, client_for):
    assert confirm_text(client_for("tenant-admin"), demo.acme) == (
        "Pause agent upgrades for 5 clusters in 2 projects of tenant Acme."
    )


def test_the_confirm_text_warns_what_will_be_overwritten(demo, client_for, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.push_project(demo.edge, UNLOCK, actor=user("tenant-admin"))

    assert confirm_text(client_for("tenant-admin"), demo.acme) == (
        "Pause agent upgrades for 5 clusters in 2 projects of tenant Acme. "
        "3 of them were set at project or cluster level and will be overwritten."
    )


def test_the_switch_is_checked_and_asks_to_resume_when_the_tenant_is_paused(demo, client_for, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))

    page = parse(client_for("tenant-admin").get(platform_url(demo.acme)))

    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "value") == "unlock"
    assert hidden_value(switch_form(page), "version") == "1"
    assert switch_form(page).attrs["data-confirm"] == (
        "Resume agent upgrades for 5 clusters in 2 projects of tenant Acme."
    )
    assert counts_text(page) == "5 of 5 clusters in 2 projects paused now."


def test_the_confirm_text_for_a_tenant_without_clusters_says_so(demo, client_for, user):
    Cluster.objects.filter(project__tenant=demo.globex).delete()

    assert confirm_text(client_for("globex-admin"), demo.globex) == (
        "Pause agent upgrades for tenant Globex. It has no clusters yet; "
        "new clusters will take this value."
    )


def test_platform_settings_is_the_whole_page_even_when_htmx_asks(demo, client_for):
    response = client_for("tenant-admin").get(platform_url(demo.acme), HTTP_HX_REQUEST="true")

    assert b"<html" in response.content
    assert parse(response).find("section", id="platform-settings")


PAGES = ["project_list", "tenant_settings", "tenant_platform_settings"]


@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize(
    "username", ["project-admin", "cluster-admin", "viewer", "globex-admin", "stranger"]
)
def test_a_user_who_is_not_tenant_admin_of_acme_gets_404(
    demo, client_for, stranger, username, url_name
):
    response = client_for(username).get(reverse(url_name, args=[demo.acme.pk]))

    assert response.status_code == 404
    assert b"Acme" not in response.content


@pytest.mark.parametrize("url_name", PAGES)
def test_another_tenant_and_a_missing_tenant_get_the_same_404(demo, client_for, url_name):
    client = client_for("tenant-admin")
    missing_id = Tenant.objects.order_by("-pk").first().pk + 100

    foreign = client.get(reverse(url_name, args=[demo.globex.pk]))
    missing = client.get(reverse(url_name, args=[missing_id]))

    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign) == without_csrf_tokens(missing)


def test_the_globex_admin_sees_only_globex(demo, client_for):
    response = client_for("globex-admin").get(projects_url(demo.globex))

    assert [row[0] for row in table_rows(parse(response))] == ["Default"]
    assert counts_text(parse(client_for("globex-admin").get(platform_url(demo.globex)))) == (
        "0 of 1 cluster in 1 project paused now."
    )


# The push endpoint


def test_a_plain_post_pushes_the_value_to_every_project_and_cluster_of_the_tenant(
    demo, client_for, user
):
    globex_before = settings_of(demo.globex)

    response = client_for("tenant-admin").post(
        change_url(demo.acme.pk), {"value": "lock", "version": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == platform_url(demo.acme)
    acme = settings_of(demo.acme)
    assert len(acme) == 1 + 2 + 5
    assert set(acme.values()) == {(LOCK, 1, Scope.TENANT)}
    admin = user("tenant-admin")
    assert set(
        Cluster.objects.filter(project__tenant=demo.acme).values_list(
            "agent_upgrades_set_by", flat=True
        )
    ) == {admin.pk}
    assert settings_of(demo.globex) == globex_before


def test_a_push_writes_one_audit_event_per_object_and_none_for_globex(demo, client_for):
    client_for("tenant-admin").post(change_url(demo.acme.pk), {"value": "lock"})

    events = sorted(AuditEvent.objects.values_list("scope", "object_name", "via", "tenant_id"))
    assert events == [
        (Scope.CLUSTER, name, Scope.TENANT, demo.acme.pk)
        for name in ["edge-01", "edge-02", "prod-east", "prod-west", "staging"]
    ] + [
        (Scope.PROJECT, "Default", Scope.TENANT, demo.acme.pk),
        (Scope.PROJECT, "Edge", Scope.TENANT, demo.acme.pk),
        (Scope.TENANT, "Acme", Scope.TENANT, demo.acme.pk),
    ]


def test_a_push_overwrites_project_and_cluster_overrides(demo, client_for, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))
    rules.push_project(demo.edge, UNLOCK, actor=user("tenant-admin"))
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("cluster-admin"))

    # The same value again pushes down again (rule 2).
    client_for("tenant-admin").post(change_url(demo.acme.pk), {"value": "lock", "version": "1"})

    assert {value[0] for value in settings_of(demo.acme).values()} == {LOCK}
    assert {value[2] for value in settings_of(demo.acme).values()} == {Scope.TENANT}


def test_the_page_after_the_redirect_shows_the_success_message(demo, client_for):
    response = client_for("tenant-admin").post(
        change_url(demo.acme.pk), {"value": "lock", "version": "0"}, follow=True
    )

    assert response.redirect_chain == [(platform_url(demo.acme), 302)]
    page = parse(response)
    assert messages_text(page) == "Agent upgrades paused for 5 clusters in tenant Acme."
    assert counts_text(page) == "5 of 5 clusters in 2 projects paused now."
    assert switch_of(page).attrs["aria-checked"] == "true"


def test_resuming_a_tenant_catches_its_paused_agents_up(demo, client_for, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))
    rules.set_cluster(demo.staging, UNLOCK, actor=user("project-admin"))
    PlatformRelease.objects.create(version="4.8.0", agent_version="4.8.1")  # no rollout yet

    response = client_for("tenant-admin").post(
        change_url(demo.acme.pk), {"value": "unlock"}, follow=True
    )

    # staging was already active: its agent follows the platform's own upgrade, not this resume.
    assert messages_text(parse(response)) == (
        "Agent upgrades resumed for 5 clusters in tenant Acme; 4 agents upgraded to 4.8.1."
    )
    versions = dict(Cluster.objects.values_list("name", "agent_version"))
    assert versions == {
        "prod-east": "4.8.1",
        "prod-west": "4.8.1",
        "staging": "4.7.2",
        "edge-01": "4.8.1",
        "edge-02": "4.8.1",
        "globex-main": "4.7.2",
    }


def test_an_htmx_post_answers_the_platform_settings_fragment(demo, client_for):
    response = client_for("tenant-admin").post(
        change_url(demo.acme.pk), {"value": "lock", "version": "0"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Main Menu" not in response.content
    page = parse(response)
    assert page.find("section", id="platform-settings")
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "version") == "1"
    assert counts_text(page) == "5 of 5 clusters in 2 projects paused now."
    assert page.find("div", id="messages").attrs["hx-swap-oob"] == "innerHTML"
    assert messages_text(page) == "Agent upgrades paused for 5 clusters in tenant Acme."
    assert "HX-Request" in response["Vary"]


def test_it_rejects_get(demo, client_for):
    response = client_for("tenant-admin").get(change_url(demo.acme.pk))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert setting(demo.acme) == (UNLOCK, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Say whether to pause (value=lock) or resume (value=unlock) agent upgrades."),
        ({"value": "toggle"}, "The value must be lock (pause) or unlock (resume), not toggle."),
        ({"value": "unlock", "version": "1.5"}, "The version must be a whole number."),
    ],
)
def test_it_rejects_a_bad_form_with_400_and_saves_nothing(demo, client_for, data, message):
    before = settings_of(demo.acme, demo.globex)

    response = client_for("tenant-admin").post(change_url(demo.acme.pk), data)

    assert response.status_code == 400
    assert message in parse(response).find("p", class_="error-message").text
    assert settings_of(demo.acme, demo.globex) == before
    assert AuditEvent.objects.count() == 0


def test_a_bad_htmx_request_leaves_the_switch_alone(demo, client_for):
    response = client_for("tenant-admin").post(
        change_url(demo.acme.pk), {"value": "toggle"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    assert response["HX-Reswap"] == "none"
    assert "not toggle" in parse(response).find("div", id="messages", hx_swap_oob="innerHTML").text


@pytest.mark.parametrize(
    "username", ["project-admin", "cluster-admin", "viewer", "globex-admin", "stranger"]
)
def test_anyone_but_a_tenant_admin_of_acme_gets_404_and_nothing_is_saved(
    demo, client_for, stranger, username
):
    before = settings_of(demo.acme, demo.globex)

    response = client_for(username).post(change_url(demo.acme.pk), {"value": "lock"})

    assert response.status_code == 404
    assert settings_of(demo.acme, demo.globex) == before
    assert AuditEvent.objects.count() == 0


def test_another_tenant_and_a_missing_tenant_get_the_same_404_on_a_change(demo, client_for):
    client = client_for("tenant-admin")
    missing_id = Tenant.objects.order_by("-pk").first().pk + 100
    before = settings_of(demo.globex)

    foreign = client.post(change_url(demo.globex.pk), {"value": "lock"})
    missing = client.post(change_url(missing_id), {"value": "lock"})

    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign) == without_csrf_tokens(missing)
    assert settings_of(demo.globex) == before


def test_a_replayed_push_changes_the_tenant_once(demo, client_for):
    client = client_for("tenant-admin")

    client.post(change_url(demo.acme.pk), {"value": "lock", "version": "0"}, follow=True)
    again = client.post(change_url(demo.acme.pk), {"value": "lock", "version": "0"}, follow=True)

    assert messages_text(parse(again)) == (
        "Agent upgrades are already paused for tenant Acme; nothing changed."
    )
    assert set(settings_of(demo.acme).values()) == {(LOCK, 1, Scope.TENANT)}
    assert AuditEvent.objects.count() == 1 + 2 + 5  # the tenant, its projects and clusters, once


def test_a_stale_form_asking_for_the_opposite_gets_409_and_overwrites_nothing(
    demo, client_for, user
):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))
    before = settings_of(demo.acme)
    events = AuditEvent.objects.count()

    response = client_for("tenant-admin").post(
        change_url(demo.acme.pk), {"value": "unlock", "version": "0"}
    )

    assert response.status_code == 409
    page = parse(response)
    assert "was changed after this page was loaded (set on this tenant · tenant-admin ·" in (
        messages_text(page)
    )
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "version") == "1"
    assert settings_of(demo.acme) == before
    assert AuditEvent.objects.count() == events


def test_the_conflict_message_keeps_the_tenants_name_as_written(demo, client_for, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))

    response = client_for("tenant-admin").post(
        change_url(demo.acme.pk), {"value": "unlock", "version": "0"}
    )

    assert messages_text(parse(response)).startswith("Tenant Acme was changed")


def test_a_stale_htmx_form_gets_409_with_the_fragment_showing_the_truth(demo, client_for, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))

    response = client_for("tenant-admin").post(
        change_url(demo.acme.pk), {"value": "unlock", "version": "0"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 409
    assert b"<html" not in response.content
    assert switch_of(parse(response)).attrs["aria-checked"] == "true"
    assert setting(demo.acme) == (LOCK, 1)


def test_a_post_without_a_csrf_token_gets_403_and_saves_nothing(demo, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("tenant-admin"))
    before = settings_of(demo.acme)

    response = client.post(change_url(demo.acme.pk), {"value": "lock"})

    assert response.status_code == 403
    assert "Reload the page" in parse(response).find("p", class_="error-message").text
    assert settings_of(demo.acme) == before
