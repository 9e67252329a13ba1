"""Undoing a change (rules/undo.py): every object the change wrote gets back its value and where
it came from, unless something changed since; the undo is audited, and resumes catch up."""

from __future__ import annotations

import pytest

from settings_app import rules
from settings_app.models import AgentUpgrade, AgentUpgrades, AuditEvent, Cluster, Project, Tenant

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
PROVENANCE = (
    "agent_upgrades",
    "agent_upgrades_set_via",
    "agent_upgrades_set_by_id",
    "agent_upgrades_set_at",
    "agent_upgrades_reason",
    "agent_upgrades_until",
)


@pytest.fixture
def admin(user):
    return user("tenant-admin")


def settings_of(model) -> dict:
    return {row["pk"]: row for row in model.objects.values("pk", *PROVENANCE)}


def world() -> dict:
    return {model.__name__: settings_of(model) for model in (Tenant, Project, Cluster)}


def test_undoing_a_cluster_pause_puts_back_its_value_and_where_it_came_from(demo, admin, user):
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    before = world()

    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=rules.Pause("canary"))
    change = rules.undo_change(Cluster.objects.get(pk=demo.prod_east.pk), actor=admin)

    assert world() == before
    assert change.undid.reason == "canary"
    assert change.value == UNLOCK


def test_undoing_a_never_set_cluster_leaves_it_never_set(demo, admin):
    before = world()

    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.undo_change(Cluster.objects.get(pk=demo.prod_east.pk), actor=admin)

    assert world() == before
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_upgrades_set_via == ""


def test_undoing_a_tenant_push_restores_every_project_and_cluster_it_wrote(demo, admin, user):
    rules.push_project(demo.edge, LOCK, actor=user("tenant-admin"), pause=rules.Pause("edge"))
    rules.set_cluster(demo.prod_west, LOCK, actor=user("project-admin"))
    before = world()

    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.undo_change(Tenant.objects.get(pk=demo.acme.pk), actor=admin)

    assert world() == before


def test_undoing_a_project_push_restores_its_clusters_overrides(demo, admin, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"), pause=rules.Pause("x"))
    before = world()

    rules.push_project(demo.default, UNLOCK, actor=admin)
    rules.undo_change(Project.objects.get(pk=demo.default.pk), actor=admin)

    assert world() == before


def test_an_undo_is_audited_and_the_change_it_undid_is_marked(demo, admin):
    change = rules.push_project(demo.default, LOCK, actor=admin)
    undo = rules.undo_change(Project.objects.get(pk=demo.default.pk), actor=admin)

    assert AuditEvent.objects.get(pk=change.event.pk).undone_by_id == undo.event.pk
    events = AuditEvent.objects.filter(action=AuditEvent.Action.UNDO).order_by(
        "scope", "object_name"
    )
    assert [(e.scope, e.object_name, e.old_value, e.new_value) for e in events] == [
        ("cluster", "prod-east", LOCK, UNLOCK),
        ("cluster", "prod-west", LOCK, UNLOCK),
        ("cluster", "staging", LOCK, UNLOCK),
        ("project", "Default", LOCK, UNLOCK),
    ]


def test_a_change_cannot_be_undone_twice(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.undo_change(Cluster.objects.get(pk=demo.prod_east.pk), actor=admin)

    with pytest.raises(rules.NothingToUndo):
        rules.undo_change(Cluster.objects.get(pk=demo.prod_east.pk), actor=admin)


def test_a_cluster_changed_since_the_push_stops_its_undo_and_nothing_changes(demo, admin):
    rules.push_project(demo.default, LOCK, actor=admin)
    rules.set_cluster(demo.prod_west, UNLOCK, actor=admin)
    before = world()
    events = AuditEvent.objects.count()

    with pytest.raises(rules.ChangedSince) as refused:
        rules.undo_change(Project.objects.get(pk=demo.default.pk), actor=admin)

    assert refused.value.changed == 1
    assert world() == before
    assert AuditEvent.objects.count() == events


def test_a_value_pushed_from_above_is_not_undone_from_below(demo, admin):
    rules.push_project(demo.default, LOCK, actor=admin)

    assert rules.undoable_change(Cluster.objects.get(pk=demo.prod_east.pk)) is None
    with pytest.raises(rules.NothingToUndo):
        rules.undo_change(Cluster.objects.get(pk=demo.prod_east.pk), actor=admin)


def test_undoing_a_pause_that_held_an_agent_back_catches_it_up(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    change = rules.undo_change(Cluster.objects.get(pk=demo.prod_east.pk), actor=admin)

    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert (cluster.agent_upgrades, cluster.agent_version) == (UNLOCK, "4.8.0")
    assert change.agents_upgraded == 1
    assert AgentUpgrade.objects.filter(cluster=cluster, cause="resume").count() == 1


def test_undoing_a_push_catches_up_the_agents_it_resumes(demo, admin):
    rules.push_project(demo.default, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    change = rules.undo_change(Project.objects.get(pk=demo.default.pk), actor=admin)

    assert set(demo.default.clusters.values_list("agent_upgrades", "agent_version")) == {
        (UNLOCK, "4.8.0")
    }
    assert change.agents_upgraded == 3


def test_a_stale_page_cannot_undo(demo, admin):
    change = rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    with pytest.raises(rules.StaleSetting):
        rules.undo_change(change.target, actor=admin, rendered_version=0)


def test_undoing_a_tenant_push_gives_each_project_its_own_value_not_one_of_its_clusters(
    demo, admin, clock
):
    """A project's part and its clusters' parts share the project: the undo reads the
    project's own (its clusters were paused here, the project itself active)."""
    for cluster in (demo.prod_east, demo.prod_west, demo.staging):
        rules.set_cluster(cluster, LOCK, actor=admin, pause=rules.Pause("their own"))
    clock.advance(minutes=1)
    before = world()
    rules.push_tenant(demo.acme, LOCK, actor=admin, pause=rules.Pause("freeze"))
    clock.advance(minutes=1)

    rules.undo_change(demo.acme, actor=admin)

    assert world() == before
