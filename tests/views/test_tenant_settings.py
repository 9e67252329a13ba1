"""Tenant Settings (`tenant_settings`, `tenant_platform_settings`): General, and Platform
Settings with the tenant's switch; and what the endpoint that pushes the tenant's value to every
project and cluster in it (`change_tenant_agent_upgrades`) writes, beyond the contract it shares
with the cluster and project endpoints (tests/views/test_change_contract.py). Who may open or
change it is in tests/who_may_do_what.py."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster, Project, Scope, Tenant
from settings_app.rules import Pause
from tests.factories import REASON, make_release
from tests.html import (
    counts_text,
    hidden_value,
    messages_text,
    parse,
    switch_form,
    switch_of,
    table_rows,
)

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK


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


def test_the_sub_navigation_links_every_section_of_tenant_settings(demo, client_for):
    response = client_for("tenant-admin").get(platform_url(demo.acme))

    nav = parse(response).find("nav", aria_label="Tenant Settings sections")
    links = {a.text: a for a in nav.find_all("a")}
    assert list(links) == [
        "General",
        "Platform Settings",
        "Private Cloud Gateways",
        "API Keys",
        "Notifications",
        "Freeze Calendar",
    ]
    assert links["General"].attrs["href"] == general_url(demo.acme)
    assert links["API Keys"].attrs["href"] == reverse("tenant_api_keys", args=[demo.acme.pk])
    assert links["Private Cloud Gateways"].attrs["href"] == reverse(
        "tenant_gateways", args=[demo.acme.pk]
    )
    assert links["Notifications"].attrs["href"] == reverse("notifications", args=[demo.acme.pk])
    assert links["Freeze Calendar"].attrs["href"] == reverse(
        "tenant_freeze_calendar", args=[demo.acme.pk]
    )
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


def test_the_confirm_dialog_has_fields_for_a_reason_and_an_end(demo, client_for):
    page = parse(client_for("tenant-admin").get(platform_url(demo.acme)))

    dialog = page.find("dialog", id="confirm-dialog")
    assert dialog.find("label", for_="confirm-reason").text == "Reason"
    assert dialog.find("label", for_="confirm-until").text == "Pause until (UTC)"
    assert dialog.find("input", id="confirm-until").attrs["type"] == "datetime-local"
    assert dialog.find("input", id="confirm-reason").attrs["name"] == "reason"
    assert "data-confirm-pause" in switch_form(page).attrs


def test_platform_settings_is_the_whole_page_even_when_htmx_asks(demo, client_for):
    response = client_for("tenant-admin").get(platform_url(demo.acme), HTTP_HX_REQUEST="true")

    assert b"<html" in response.content
    assert parse(response).find("section", id="platform-settings")


def test_the_globex_admin_sees_only_globex(demo, client_for):
    response = client_for("globex-admin").get(projects_url(demo.globex))

    assert [row[0] for row in table_rows(parse(response))] == ["Default"]
    assert counts_text(parse(client_for("globex-admin").get(platform_url(demo.globex)))) == (
        "0 of 1 cluster in 1 project paused now."
    )


def test_the_project_and_tenant_panels_count_no_ended_pause(demo, client_for, admin, clock):
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(REASON, clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)
    client = client_for("tenant-admin")

    project_page = parse(client.get(reverse("project_platform_settings", args=[demo.default.pk])))
    tenant_page = parse(client.get(platform_url(demo.acme)))

    assert counts_text(project_page).startswith("0 of 3 clusters paused now")
    assert counts_text(tenant_page).startswith("0 of 5 clusters in 2 projects paused now")
    assert switch_of(project_page).attrs["aria-checked"] == "false"
    assert switch_of(tenant_page).attrs["aria-checked"] == "false"
    assert tenant_page.find("p", class_="provenance").text.startswith("Active · pause ended")


# The push: what it writes


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


def test_resuming_a_tenant_catches_its_paused_agents_up(demo, client_for, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))
    rules.set_cluster(demo.staging, UNLOCK, actor=user("project-admin"))
    make_release("4.8.0", agent_version="4.8.1")  # no rollout yet

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
