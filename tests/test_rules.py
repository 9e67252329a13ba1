"""The rules of DESIGN.md §1, tested without the web layer."""

from __future__ import annotations

from dataclasses import replace
from unittest import mock

import pytest
from django.db import IntegrityError
from django.db.models import F

from settings_app import rules
from settings_app.models import (
    AgentUpgrades,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    ProjectFleet,
    Scope,
    fleet,
)
from settings_app.rules.writes import SettingWrite

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


def values(*clusters: Cluster) -> list[str]:
    return [Cluster.objects.get(pk=c.pk).agent_upgrades for c in clusters]


@pytest.fixture
def admin(user):
    return user("tenant-admin")


# The truth table, row by row.


def test_pausing_the_tenant_pauses_its_cluster(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    assert values(demo.prod_east) == [LOCK]


def test_resuming_a_cluster_after_a_tenant_pause_makes_it_active(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    assert values(demo.prod_east, demo.prod_west) == [UNLOCK, LOCK]


def test_pausing_the_tenant_again_overwrites_the_clusters_override(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    assert values(demo.prod_east) == [LOCK]


def test_pausing_a_project_pauses_its_clusters_and_leaves_other_projects_alone(demo, admin):
    rules.push_project(demo.default, LOCK, actor=admin)
    assert values(demo.prod_east, demo.prod_west, demo.staging) == [LOCK, LOCK, LOCK]
    assert values(demo.edge_01, demo.edge_02, demo.globex_main) == [UNLOCK, UNLOCK, UNLOCK]


def test_resuming_a_project_after_a_tenant_pause_resumes_only_that_projects_clusters(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.push_project(demo.default, UNLOCK, actor=admin)
    assert values(demo.prod_east, demo.prod_west, demo.staging) == [UNLOCK] * 3
    assert values(demo.edge_01, demo.edge_02) == [LOCK, LOCK]


def test_resuming_the_project_of_a_paused_cluster_resumes_the_cluster(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.push_project(demo.default, UNLOCK, actor=admin)
    assert values(demo.prod_east) == [UNLOCK]


# The rules behind the table.


def test_only_the_clusters_own_value_decides_whether_it_is_held_back(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    demo.refresh()
    assert demo.acme.agent_upgrades == LOCK and demo.default.agent_upgrades == LOCK
    assert rules.is_held_back(demo.prod_east) is False
    assert rules.is_held_back(demo.prod_west) is True


def test_setting_a_cluster_never_writes_upward(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    demo.refresh()
    assert demo.default.agent_upgrades == UNLOCK and demo.default.agent_upgrades_version == 0
    assert demo.acme.agent_upgrades == UNLOCK and demo.acme.agent_upgrades_version == 0


def test_a_tenant_push_writes_every_project_of_the_tenant_and_nothing_of_another(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    demo.refresh()
    assert [demo.default.agent_upgrades, demo.edge.agent_upgrades] == [LOCK, LOCK]
    assert demo.globex.agent_upgrades == UNLOCK
    assert demo.globex_default.agent_upgrades == UNLOCK


def test_pushing_the_value_a_scope_already_has_pushes_again(demo, admin):
    rules.push_project(demo.default, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    AuditEvent.objects.all().delete()
    change = rules.push_project(demo.default, LOCK, actor=admin)
    assert values(demo.prod_east) == [LOCK]
    assert change.clusters_written == 3
    changed = AuditEvent.objects.filter(scope=Scope.CLUSTER).exclude(old_value=F("new_value"))
    assert list(changed.values_list("object_name", flat=True)) == ["prod-east"]


def test_a_push_records_where_each_clusters_value_came_from(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    demo.refresh()
    assert demo.prod_east.agent_upgrades_set_via == Scope.CLUSTER
    assert demo.prod_west.agent_upgrades_set_via == Scope.TENANT
    assert demo.prod_west.agent_upgrades_set_by == admin
    assert demo.default.agent_upgrades_set_via == Scope.TENANT


def test_a_new_cluster_takes_its_projects_current_value_and_its_source(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    demo.refresh()
    cluster = rules.new_cluster(demo.edge, "edge-03")
    assert cluster.agent_upgrades == LOCK
    assert cluster.agent_upgrades_set_via == Scope.TENANT
    assert cluster.agent_upgrades_set_by == admin
    assert cluster.agent_version == "4.7.2"


def test_a_new_cluster_in_a_project_never_set_is_active_by_default(demo):
    cluster = rules.new_cluster(demo.edge, "edge-03")
    assert cluster.agent_upgrades == UNLOCK and cluster.agent_upgrades_set_via == ""


# Rule 6: resume catches up.


@pytest.fixture
def newer_platform(demo):
    PlatformRelease.objects.create(version="4.8.0", agent_version="4.8.0")  # no rollout yet


def test_resuming_a_cluster_whose_agent_is_behind_upgrades_it(demo, admin, newer_platform):
    Cluster.objects.filter(pk=demo.prod_east.pk).update(agent_upgrades=LOCK)
    change = rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_version == "4.8.0"
    assert (change.agents_upgraded, change.agent_version) == (1, "4.8.0")


def test_a_project_resume_upgrades_only_the_paused_agents_that_are_behind(
    demo, admin, newer_platform
):
    Cluster.objects.filter(pk__in=[demo.prod_east.pk, demo.prod_west.pk]).update(
        agent_upgrades=LOCK
    )
    Cluster.objects.filter(pk=demo.prod_west.pk).update(agent_version="4.8.0")
    change = rules.push_project(demo.default, UNLOCK, actor=admin)
    assert change.agents_upgraded == 1
    # staging was never paused: catching it up is the rollout's job, not the resume's.
    assert Cluster.objects.get(pk=demo.staging.pk).agent_version == "4.7.2"
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_version == "4.8.0"


def test_a_tenant_resume_catches_up_its_paused_agents(demo, admin, newer_platform):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    change = rules.push_tenant(demo.acme, UNLOCK, actor=admin)
    assert change.agents_upgraded == 5
    assert set(
        Cluster.objects.filter(project__tenant=demo.acme).values_list("agent_version", flat=True)
    ) == {"4.8.0"}
    assert Cluster.objects.get(pk=demo.globex_main.pk).agent_version == "4.7.2"


def test_pausing_never_upgrades_an_agent(demo, admin, newer_platform):
    change = rules.push_tenant(demo.acme, LOCK, actor=admin)
    assert change.agents_upgraded == 0
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_version == "4.7.2"


# Audit: one event for the scope, one per project and cluster whose value changed.


def test_a_cluster_change_writes_one_audit_event(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    event = AuditEvent.objects.get()
    assert (event.scope, event.via, event.object_name) == ("cluster", "cluster", "prod-east")
    assert (event.old_value, event.new_value, event.actor, event.actor_name) == (
        UNLOCK,
        LOCK,
        admin,
        "tenant-admin",
    )
    assert (event.tenant, event.project, event.cluster) == (demo.acme, demo.default, demo.prod_east)


def test_a_project_push_records_the_project_and_each_cluster_whose_setting_it_changed(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    AuditEvent.objects.all().delete()
    rules.push_project(demo.default, LOCK, actor=admin)
    events = AuditEvent.objects.order_by("scope", "object_name")
    # prod-east keeps its value, but the push rewrote where it came from: it is recorded too.
    assert [(e.scope, e.object_name, e.old_value, e.via) for e in events] == [
        ("cluster", "prod-east", LOCK, "project"),
        ("cluster", "prod-west", UNLOCK, "project"),
        ("cluster", "staging", UNLOCK, "project"),
        ("project", "Default", UNLOCK, "project"),
    ]


def test_pushing_again_what_a_cluster_already_has_from_the_same_push_records_nothing_for_it(
    demo, admin
):
    rules.push_project(demo.default, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    AuditEvent.objects.all().delete()

    rules.push_project(demo.default, LOCK, actor=admin)

    # prod-west and staging hold what the push writes, from the same scope and person: only
    # the time would change, and their History does not repeat itself.
    events = AuditEvent.objects.order_by("scope", "object_name")
    assert [(e.scope, e.object_name) for e in events] == [
        ("cluster", "prod-east"),
        ("project", "Default"),
    ]


def test_a_tenant_push_records_the_tenant_and_each_project_and_cluster_it_changed(demo, admin):
    # One event for the scope, and one for every project and cluster whose setting it changed
    # (what each held before, so that the push can be undone).
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    counts = {s: AuditEvent.objects.filter(scope=s).count() for s in Scope.values}
    assert counts == {"tenant": 1, "project": 2, "cluster": 5}
    assert set(AuditEvent.objects.values_list("via", flat=True)) == {"tenant"}
    assert not AuditEvent.objects.filter(tenant=demo.globex).exists()


def fail_writing_the_tenants_own_event():
    """Writing the clusters' values fails, as on a full disk, once the tenant's own audit event
    and its clusters' events are written."""

    def write_or_fail(*args, **kwargs):
        assert AuditEvent.objects.filter(scope=Scope.TENANT).count() == 1
        assert AuditEvent.objects.filter(scope=Scope.CLUSTER).count() == 5
        raise IntegrityError("disk full")

    return mock.patch.object(SettingWrite, "update_clusters", side_effect=write_or_fail)


def fail_after_every_event_was_written():
    """The change's last write, the fleet rows' refresh, fails once the values and every audit
    event are written (the tenant's own comes first): all of it must be undone."""
    recount = fleet.recount

    def recount_then_fail(*args, **kwargs):
        recount(*args, **kwargs)
        assert AuditEvent.objects.filter(scope=Scope.CLUSTER).count() == 5
        assert AuditEvent.objects.filter(scope=Scope.TENANT).exists()
        raise IntegrityError("disk full")

    return mock.patch.object(fleet, "recount", side_effect=recount_then_fail)


@pytest.mark.parametrize(
    "failure",
    [fail_writing_the_tenants_own_event, fail_after_every_event_was_written],
    ids=["writing the clusters", "after every event"],
)
def test_a_change_and_its_audit_events_commit_together_or_not_at_all(demo, admin, failure):
    fleet = list(ProjectFleet.objects.order_by("project_id").values())

    with failure(), pytest.raises(IntegrityError):
        rules.push_tenant(demo.acme, LOCK, actor=admin)

    demo.refresh()
    assert list(ProjectFleet.objects.order_by("project_id").values()) == fleet
    assert demo.acme.agent_upgrades == UNLOCK
    assert values(demo.prod_east, demo.edge_01) == [UNLOCK, UNLOCK]
    assert not AuditEvent.objects.exists()


# Double clicks, retries and stale pages.


def test_the_same_request_twice_makes_one_change_and_one_audit_record(demo, admin):
    version = demo.prod_east.agent_upgrades_version
    first = rules.set_cluster(demo.prod_east, LOCK, actor=admin, rendered_version=version)
    second = rules.set_cluster(demo.prod_east, LOCK, actor=admin, rendered_version=version)
    assert (first.replayed, second.replayed) == (False, True)
    assert AuditEvent.objects.count() == 1
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_upgrades_version == version + 1


def test_a_stale_page_asking_for_the_opposite_value_is_refused(demo, admin):
    version = demo.default.agent_upgrades_version
    rules.push_project(demo.default, LOCK, actor=admin, rendered_version=version)
    with pytest.raises(rules.StaleSetting) as conflict:
        rules.push_project(demo.default, UNLOCK, actor=admin, rendered_version=version)
    assert conflict.value.current.agent_upgrades == LOCK
    assert values(demo.prod_east) == [LOCK]
    assert AuditEvent.objects.filter(scope="project").count() == 1


def test_a_push_makes_a_cluster_page_rendered_before_it_stale(demo, admin):
    version = demo.prod_east.agent_upgrades_version
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    with pytest.raises(rules.StaleSetting):
        rules.set_cluster(demo.prod_east, UNLOCK, actor=admin, rendered_version=version)


def test_an_unknown_value_is_refused_before_anything_is_written(demo, admin):
    with pytest.raises(ValueError):
        rules.push_tenant(demo.acme, "toggle", actor=admin)
    assert not AuditEvent.objects.exists()


def test_cluster_counts_tell_how_many_are_paused_and_set_below_the_scope(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)
    rules.push_project(demo.edge, LOCK, actor=admin)
    Cluster.objects.filter(pk=demo.prod_west.pk).update(agent_version="4.7.1")
    default_counts = rules.fleet_counts(
        Project.objects.filter(pk=demo.default.pk), below=Scope.PROJECT, agent_version="4.7.2"
    )
    tenant_counts = rules.fleet_counts(
        Project.objects.filter(tenant=demo.acme), below=Scope.TENANT, agent_version="4.7.2"
    )
    assert replace(default_counts, by_project=()) == rules.FleetCounts(
        total=3, projects=1, paused=2, behind=1, set_below=1, paused_behind=1
    )
    assert replace(tenant_counts, by_project=()) == rules.FleetCounts(
        total=5, projects=2, paused=4, behind=1, set_below=3, paused_behind=1
    )
    assert [(p.project_name, p.total, p.paused, p.behind) for p in tenant_counts.by_project] == [
        ("Default", 3, 2, 1),
        ("Edge", 2, 2, 0),
    ]
