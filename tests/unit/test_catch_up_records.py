"""A change that catches a cluster's agent up (rule 6) says so on the cluster's own audit event:
`agents_upgraded` is 1 there and 0 on every event that upgraded nothing. The Audit Logs' "Agent
upgraded" filter reads it (through a partial index), whatever wrote the event: a switch, a push,
a bulk act, a pause's end or an undo."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster, Project
from settings_app.permissions import changeable_clusters
from settings_app.permissions.roles import roles_for
from settings_app.rules import Pause, Selection

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@pytest.fixture
def admin(user):
    return user("tenant-admin")


def upgraded_by_cluster(**event_filter) -> dict[str, int]:
    """The newest matching cluster event's agents_upgraded, by cluster name."""
    found = {}
    for name, upgraded in (
        AuditEvent.objects.filter(cluster__isnull=False, **event_filter)
        .order_by("-at", "-pk")
        .values_list("object_name", "agents_upgraded")
    ):
        found.setdefault(name, upgraded)
    return found


def newest_event(**event_filter) -> AuditEvent:
    return AuditEvent.objects.filter(**event_filter).order_by("-at", "-pk").first()


def test_resuming_a_held_back_cluster_records_one_agent_upgraded_on_its_event(demo, admin):
    pause = rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    resume = rules.set_cluster(Cluster.objects.get(pk=demo.prod_east.pk), UNLOCK, actor=admin)

    assert resume.event.agents_upgraded == 1
    assert AuditEvent.objects.get(pk=resume.event.pk).agents_upgraded == 1
    assert AuditEvent.objects.get(pk=pause.event.pk).agents_upgraded == 0


def test_resuming_a_cluster_whose_agent_is_current_records_no_upgrade(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    resume = rules.set_cluster(Cluster.objects.get(pk=demo.prod_east.pk), UNLOCK, actor=admin)

    assert AuditEvent.objects.get(pk=resume.event.pk).agents_upgraded == 0


def test_a_project_push_records_the_catch_up_on_each_held_back_clusters_event_only(demo, admin):
    rules.push_project(demo.default, LOCK, actor=admin)
    rules.release_platform("4.8.0")
    rules.set_cluster(Cluster.objects.get(pk=demo.staging.pk), UNLOCK, actor=admin)  # caught up

    push = rules.push_project(Project.objects.get(pk=demo.default.pk), UNLOCK, actor=admin)

    assert upgraded_by_cluster(part_of=push.event) == {"prod-east": 1, "prod-west": 1, "staging": 0}
    assert AuditEvent.objects.get(pk=push.event.pk).agents_upgraded == 0


def test_a_tenant_push_records_no_upgrade_on_project_events(demo, admin):
    rules.push_project(demo.edge, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    push = rules.push_tenant(demo.acme, UNLOCK, actor=admin)

    assert upgraded_by_cluster(part_of=push.event) == {
        "edge-01": 1,
        "edge-02": 1,
        "prod-east": 0,
        "prod-west": 0,
        "staging": 0,
    }
    assert set(
        AuditEvent.objects.filter(part_of=push.event, scope="project").values_list(
            "agents_upgraded", flat=True
        )
    ) == {0}


def test_a_bulk_resume_records_the_catch_up_of_each_held_back_cluster(demo, admin):
    acme = Cluster.objects.filter(tenant=demo.acme)
    changeable = changeable_clusters(roles_for(admin), acme)

    def bulk(value, *clusters):
        versions = {c.pk: Cluster.objects.get(pk=c.pk).agent_upgrades_version for c in clusters}
        return rules.set_clusters(
            Selection(acme, versions), value, tenant=demo.acme, changeable=changeable, actor=admin
        )

    bulk(LOCK, demo.prod_east, demo.edge_01)
    rules.release_platform("4.8.0")

    change = bulk(UNLOCK, demo.prod_east, demo.edge_01, demo.prod_west)

    assert upgraded_by_cluster(part_of=change.event) == {
        "edge-01": 1,
        "prod-east": 1,
        "prod-west": 0,
    }
    assert change.agents_upgraded == 2


def test_a_pauses_end_records_the_catch_up_of_the_agent_it_held_back(demo, admin, clock):
    until = clock.now + timedelta(hours=1)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("freeze", until))
    rules.release_platform("4.8.0")
    clock.advance(hours=2)

    rules.resume_expired_pauses()

    assert newest_event(cluster=demo.prod_east, via="expiry").agents_upgraded == 1


def test_undoing_a_pause_records_the_catch_up_on_the_undo_event(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    change = rules.undo_change(Cluster.objects.get(pk=demo.prod_east.pk), actor=admin)

    assert AuditEvent.objects.get(pk=change.event.pk).agents_upgraded == 1


def test_undoing_a_push_records_the_catch_up_on_each_resumed_clusters_event(demo, admin):
    rules.push_project(demo.edge, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    change = rules.undo_change(Project.objects.get(pk=demo.edge.pk), actor=admin)

    assert upgraded_by_cluster(part_of=change.event) == {"edge-01": 1, "edge-02": 1}


def test_the_migration_marks_the_catch_ups_of_events_written_before_it(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.push_project(demo.edge, LOCK, actor=admin)
    rules.release_platform("4.8.0")
    rules.set_cluster(Cluster.objects.get(pk=demo.prod_east.pk), UNLOCK, actor=admin)
    rules.push_project(Project.objects.get(pk=demo.edge.pk), UNLOCK, actor=admin)
    marked = set(AuditEvent.objects.filter(agents_upgraded__gt=0).values_list("pk", flat=True))
    releases = AuditEvent.objects.filter(action="release")
    AuditEvent.objects.exclude(action="release").update(agents_upgraded=0)
    migration = import_module("settings_app.migrations.0008_cluster_sorts_and_audit_filter_indexes")

    migration.mark_catch_ups(apps, None)

    after = set(AuditEvent.objects.filter(agents_upgraded__gt=0).values_list("pk", flat=True))
    assert after == marked
    assert {
        e.object_name
        for e in AuditEvent.objects.filter(pk__in=after).exclude(pk__in=releases.values("pk"))
    } == {"prod-east", "edge-01", "edge-02"}
