"""The Django admin (superusers): it manages tenants, projects, clusters and roles, but never the
agent-upgrade setting or an agent's version, which change only through the rules, audited. A
cluster moves only within its tenant, audited; and whatever the admin writes, the fleet rows
stay equal to a live count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from settings_app import rules
from settings_app.models import (
    SETTING_FIELDS,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    EdgeHost,
    Gateway,
    Project,
)
from tests.html import parse
from tests.state import live_fleet, stored_fleet

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@pytest.fixture
def root(client_for, superuser):
    """A client logged in to the Django admin as the superuser."""
    return client_for("root")


def cluster_form(cluster: Cluster | None = None, **changes) -> dict[str, str]:
    """The admin's cluster form as a browser would post it, with whatever else a crafted post
    might add (`changes` may name fields the form does not offer)."""
    data = {
        "project": str(cluster.project_id) if cluster else "",
        "name": cluster.name if cluster else "",
        "_save": "Save",
    }
    return data | {name: str(value) for name, value in changes.items()}


def admin_post(client, url: str, data: dict) -> None:
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def change_url(cluster: Cluster) -> str:
    return reverse("admin:settings_app_cluster_change", args=[cluster.pk])


def test_the_admin_says_whose_it_is(root):
    page = parse(root.get(reverse("admin:index")))

    assert page.find("title").text.strip().endswith("Palette console administration")
    assert "Palette console administration" in page.find("header").text


# The setting and the agent version: shown, never edited.


def test_a_clusters_page_shows_the_whole_setting_and_the_agent_read_only(demo, admin, root):
    rules.set_cluster(
        demo.prod_east,
        LOCK,
        actor=admin,
        pause=rules.Pause("freeze", timezone.now() + timedelta(days=1)),
    )

    page = parse(root.get(change_url(demo.prod_east)))

    readonly = page.find("form", id="cluster_form").text
    assert "freeze" in readonly and "4.7.2" in readonly and "tenant-admin" in readonly
    for field in (*SETTING_FIELDS, "agent_upgrades_version", "agent_version"):
        assert page.find_all(name=field) == []
        assert page.find_all(name=f"{field}_0") == []


def test_a_crafted_post_cannot_change_the_setting_or_the_agent(demo, admin, root):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=rules.Pause("freeze"))
    events = AuditEvent.objects.count()

    admin_post(
        root,
        change_url(demo.prod_east),
        cluster_form(
            demo.prod_east,
            agent_upgrades="unlock",
            agent_upgrades_reason="edited behind the console's back",
            agent_upgrades_until_0="2030-01-01",
            agent_upgrades_until_1="00:00:00",
            agent_version="9.9.9",
        ),
    )

    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert (cluster.agent_upgrades, cluster.agent_upgrades_reason) == (LOCK, "freeze")
    assert (cluster.agent_upgrades_until, cluster.agent_version) == (None, "4.7.2")
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("kind", ["tenant", "project"])
def test_a_tenants_or_projects_setting_is_read_only_too(demo, root, kind):
    obj = demo.acme if kind == "tenant" else demo.default
    page = parse(root.get(reverse(f"admin:settings_app_{kind}_change", args=[obj.pk])))

    for field in SETTING_FIELDS:
        assert page.find_all(name=field) == []


# Adding a cluster: rule 5, and projects told apart by their tenant.


def test_the_add_form_names_each_project_with_its_tenant(demo, root):
    page = parse(root.get(reverse("admin:settings_app_cluster_add")))

    options = [o.text for o in page.find("select", name="project").find_all("option")]
    assert options[1:] == ["Acme / Default", "Acme / Edge", "Globex / Default"]


def test_a_cluster_added_takes_its_projects_pause_and_the_platforms_agent(demo, admin, root):
    # The agent a crafted post names is ignored: a new cluster runs the platform's agent.
    rules.push_project(demo.edge, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    admin_post(
        root,
        reverse("admin:settings_app_cluster_add"),
        cluster_form(project=demo.edge.pk, name="edge-03", agent_version="1.0.0"),
    )

    added = Cluster.objects.get(name="edge-03")
    assert (added.agent_upgrades, added.agent_upgrades_set_via) == (LOCK, "project")
    assert (added.tenant_id, added.agent_version) == (demo.acme.pk, "4.8.0")
    assert stored_fleet() == live_fleet()
    assert stored_fleet()[demo.edge.pk]["clusters"] == 3


def test_a_cluster_added_to_a_project_without_clusters_gets_it_a_fleet_row(demo, root):
    empty = Project.objects.create(tenant=demo.acme, name="Empty")

    admin_post(
        root,
        reverse("admin:settings_app_cluster_add"),
        cluster_form(project=empty.pk, name="first"),
    )

    assert stored_fleet() == live_fleet()
    assert stored_fleet()[empty.pk]["clusters"] == 1


# Moving a cluster: within its tenant only, and audited.


def test_a_cluster_is_offered_only_the_projects_of_its_own_tenant(demo, root):
    page = parse(root.get(change_url(demo.prod_east)))

    options = [o.text for o in page.find("select", name="project").find_all("option")]
    assert options[1:] == ["Acme / Default", "Acme / Edge"]


def test_moving_a_cluster_to_another_tenants_project_is_refused(demo, admin, root, user):
    before = stored_fleet()

    response = root.post(
        change_url(demo.prod_east), cluster_form(demo.prod_east, project=demo.globex_default.pk)
    )

    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.content.decode()
    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert (cluster.project_id, cluster.tenant_id) == (demo.default.pk, demo.acme.pk)
    assert stored_fleet() == before
    assert not AuditEvent.objects.exists()
    # The Acme Cluster Admin of prod-east still cannot reach Globex.
    with pytest.raises(rules.InvalidMove):
        rules.move_cluster(demo.prod_east, demo.globex_default, actor=user("tenant-admin"))


def test_the_model_refuses_a_cluster_in_another_tenants_project(demo):
    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    cluster.project = demo.globex_default

    with pytest.raises(Exception, match="its own tenant"):
        cluster.save()

    assert Cluster.objects.get(pk=demo.prod_east.pk).project_id == demo.default.pk


def test_moving_a_cluster_within_its_tenant_is_audited_and_counted(demo, admin, root, superuser):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    before = stored_fleet()

    admin_post(root, change_url(demo.prod_east), cluster_form(demo.prod_east, project=demo.edge.pk))

    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert (cluster.project_id, cluster.agent_upgrades) == (demo.edge.pk, LOCK)
    event = AuditEvent.objects.get(action=AuditEvent.Action.MOVE)
    assert (event.actor, event.cluster_id, event.project_id) == (
        superuser,
        cluster.pk,
        demo.edge.pk,
    )
    assert event.detail == "Moved from project Default to project Edge"
    assert stored_fleet() == live_fleet()
    assert stored_fleet()[demo.edge.pk]["clusters"] == before[demo.edge.pk]["clusters"] + 1
    assert stored_fleet()[demo.default.pk]["clusters"] == before[demo.default.pk]["clusters"] - 1


def test_the_last_cluster_moved_out_of_a_project_takes_its_fleet_row(demo, root):
    lonely = Project.objects.create(tenant=demo.globex, name="Lonely")
    cluster = rules.new_cluster(lonely, "alone")

    admin_post(root, change_url(cluster), cluster_form(cluster, project=demo.globex_default.pk))

    assert stored_fleet() == live_fleet()
    assert lonely.pk not in stored_fleet()


# Deleting clusters.


@pytest.fixture
def paused_here_and_there(demo, admin):
    """prod-east paused on its own, Edge paused by a push (and no release: the admin may delete
    only clusters without agent upgrades, whose records it cannot delete)."""
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.push_project(demo.edge, LOCK, actor=admin)


def test_a_cluster_deleted_in_the_admin_is_no_longer_counted(demo, paused_here_and_there, root):
    admin_post(
        root,
        reverse("admin:settings_app_cluster_delete", args=[demo.prod_east.pk]),
        {"post": "yes"},
    )

    assert stored_fleet() == live_fleet()
    assert stored_fleet()[demo.default.pk]["clusters"] == 2
    assert stored_fleet()[demo.default.pk]["paused"] == 0


def test_the_last_cluster_of_a_project_deleted_in_the_admin_takes_its_row(
    demo, paused_here_and_there, root
):
    admin_post(
        root,
        reverse("admin:settings_app_cluster_delete", args=[demo.globex_main.pk]),
        {"post": "yes"},
    )

    assert stored_fleet() == live_fleet()
    assert demo.globex_default.pk not in stored_fleet()


def test_clusters_deleted_together_in_the_admin_are_no_longer_counted(
    demo, paused_here_and_there, root
):
    selected = [demo.prod_east.pk, demo.edge_01.pk, demo.edge_02.pk, demo.globex_main.pk]

    admin_post(
        root,
        reverse("admin:settings_app_cluster_changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )

    assert not Cluster.objects.filter(pk__in=selected).exists()
    assert stored_fleet() == live_fleet()
    assert set(stored_fleet()) == {demo.default.pk}


# What the admin's addresses may carry.


@pytest.mark.parametrize("model", ["tenant", "project", "cluster"])
@pytest.mark.parametrize("pk", ["abc", "%00", "9" * 30])
def test_an_objects_roles_page_at_no_number_is_not_found(root, model, pk):
    url = f"/admin/settings_app/{model}/{pk}/permissions/"

    assert root.get(url).status_code == 404
    assert root.get(f"{url}user-manage/1/").status_code == 404


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("cluster", "agent_upgrades__exact=%00"),
        ("auditevent", "action__exact=a%00b"),
        ("agentupgrade", "cause__exact=%00"),
        ("tenant", "q=%00"),
    ],
)
def test_a_list_filter_holding_a_nul_is_a_bad_request(root, model, query):
    response = root.get(f"/admin/settings_app/{model}/?{query}")

    assert response.status_code == 400


def test_a_list_filter_on_a_number_past_any_stored_finds_nothing_or_is_a_bad_request(root):
    response = root.get("/admin/settings_app/cluster/?id__in=9223372036854775808")

    # PostgreSQL finds no such cluster; SQLite cannot even take the number.
    assert response.status_code == (400 if connection.vendor == "sqlite" else 200)


# Gateways and Edge hosts: registered here, their setting read-only.


def test_a_gateway_added_runs_the_platforms_agent_and_its_setting_is_read_only(demo, root):
    rules.release_platform("4.8.0")
    admin_post(
        root,
        reverse("admin:settings_app_gateway_add"),
        {"tenant": demo.acme.pk, "name": "pcg-aws", "agent_upgrades": LOCK, "_save": "Save"},
    )
    gateway = Gateway.objects.get(name="pcg-aws")
    assert (gateway.agent_version, gateway.agent_upgrades) == ("4.8.0", UNLOCK)


def test_an_idle_host_added_takes_its_projects_pause(demo, admin, root):
    rules.push_project(demo.edge, LOCK, actor=admin)
    admin_post(
        root,
        reverse("admin:settings_app_edgehost_add"),
        {"project": demo.edge.pk, "cluster": "", "name": "edge-host-09", "_save": "Save"},
    )
    host = EdgeHost.objects.get(name="edge-host-09")
    assert (host.agent_upgrades, host.agent_upgrades_set_via, host.tenant_id) == (
        LOCK,
        "project",
        demo.acme.pk,
    )


def test_a_host_in_another_projects_cluster_is_refused_with_why(demo, root):
    response = root.post(
        reverse("admin:settings_app_edgehost_add"),
        {"project": demo.edge.pk, "cluster": demo.prod_east.pk, "name": "x", "_save": "Save"},
    )
    assert response.status_code == 200
    assert "only be part of a cluster of its own project" in response.content.decode()
    assert not EdgeHost.objects.filter(name="x").exists()


def test_a_gateways_page_shows_its_setting_read_only(demo, root, gateway_and_hosts):
    url = reverse("admin:settings_app_gateway_change", args=[gateway_and_hosts.pcg_vsphere.pk])
    page = parse(root.get(url))
    assert page.find("input", name="name").attrs["value"] == "pcg-vsphere"
    assert page.find_all(name="agent_upgrades") == []  # shown, not a field
