"""The fleet counts (`rules.fleet_counts`): clusters, paused, behind and set below a scope; and
the fleet rows they are read from (issues 5 and 8), which every rule, and every way the ORM
writes clusters, keeps equal to a live count of the clusters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from settings_app import rules
from settings_app.models import (
    AgentUpgrades,
    Cluster,
    PlatformRelease,
    Project,
    Scope,
    Via,
)
from settings_app.rules import Pause
from tests.state import live_fleet, stored_fleet

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


# The counts.


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


def test_the_rules_count_every_agent_behind_and_apart_those_a_resume_would_upgrade(demo, fleet):
    Cluster.objects.filter(pk=demo.prod_west.pk).update(agent_version="4.7.2")  # active, behind

    counts = rules.fleet_counts(
        Project.objects.filter(tenant=demo.acme), below=Scope.TENANT, agent_version="4.8.0"
    )

    assert (counts.total, counts.paused, counts.behind, counts.paused_behind) == (5, 4, 4, 3)


# The fleet rows (issue 5): one per project, read by the summaries instead of the clusters. Every
# change must leave them equal to a live count of the clusters.


def in_an_hour() -> datetime:
    return timezone.now() + timedelta(hours=1)


@dataclass(frozen=True)
class Step:
    """A change made through the rules, after an optional preparation (also through them)."""

    change: Callable
    prepare: Callable = lambda demo, admin, clock: None


STEPS = {
    "set_cluster pause": Step(lambda d, a, c: rules.set_cluster(d.prod_west, LOCK, actor=a)),
    "set_cluster pause with an end": Step(
        lambda d, a, c: rules.set_cluster(
            d.prod_west, LOCK, actor=a, pause=Pause(until=in_an_hour())
        )
    ),
    "set_cluster resume catching up": Step(
        lambda d, a, c: rules.set_cluster(d.prod_east, UNLOCK, actor=a)
    ),
    "set_cluster pause again after its end passed": Step(
        prepare=lambda d, a, c: (
            rules.set_cluster(d.prod_west, LOCK, actor=a, pause=Pause(until=in_an_hour())),
            c.advance(hours=2),
        ),
        change=lambda d, a, c: rules.set_cluster(d.prod_west, LOCK, actor=a),
    ),
    "set_cluster resume before the first release": Step(
        prepare=lambda d, a, c: PlatformRelease.objects.all().delete(),
        change=lambda d, a, c: rules.set_cluster(d.prod_east, UNLOCK, actor=a),
    ),
    "undo of a cluster's change": Step(
        prepare=lambda d, a, c: rules.set_cluster(d.prod_west, LOCK, actor=a),
        change=lambda d, a, c: rules.undo_change(d.prod_west, actor=a),
    ),
    "push_project pause": Step(lambda d, a, c: rules.push_project(d.default, LOCK, actor=a)),
    "push_project resume catching up": Step(
        lambda d, a, c: rules.push_project(d.edge, UNLOCK, actor=a)
    ),
    "push_tenant pause with an end": Step(
        lambda d, a, c: rules.push_tenant(d.acme, LOCK, actor=a, pause=Pause(until=in_an_hour()))
    ),
    "push_tenant resume catching up": Step(
        lambda d, a, c: rules.push_tenant(d.acme, UNLOCK, actor=a)
    ),
    "push_tenant in another tenant": Step(
        lambda d, a, c: rules.push_tenant(d.globex, LOCK, actor=a)
    ),
    "resume_expired_pauses": Step(
        prepare=lambda d, a, c: (
            rules.push_project(d.default, LOCK, actor=a, pause=Pause(until=in_an_hour())),
            c.advance(hours=2),
        ),
        change=lambda d, a, c: rules.resume_expired_pauses(),
    ),
    "release_platform": Step(lambda d, a, c: rules.release_platform("4.9.0")),
    "release_platform ending a pause": Step(
        prepare=lambda d, a, c: (
            rules.set_cluster(d.prod_west, LOCK, actor=a, pause=Pause(until=in_an_hour())),
            c.advance(hours=2),
        ),
        change=lambda d, a, c: rules.release_platform("4.9.0"),
    ),
    "new_cluster in a paused project": Step(lambda d, a, c: rules.new_cluster(d.edge, "edge-03")),
    "new_cluster with an old agent": Step(
        lambda d, a, c: rules.new_cluster(d.default, "old-timer", agent_version="4.6.0")
    ),
    "new_cluster in a project without clusters": Step(
        lambda d, a, c: rules.new_cluster(
            Project.objects.create(tenant=d.globex, name="Fresh"), "fresh-01"
        )
    ),
}


@pytest.mark.parametrize("step", STEPS.values(), ids=STEPS.keys())
def test_after_each_rule_the_fleet_rows_equal_a_live_count(demo, admin, fleet, clock, step):
    step.prepare(demo, admin, clock)
    assert stored_fleet() == live_fleet()
    before = live_fleet()

    step.change(demo, admin, clock)

    assert live_fleet() != before  # the change moved some count: the rows had to follow
    assert stored_fleet() == live_fleet()


def test_the_demo_starts_with_a_fleet_row_per_project_with_clusters(demo):
    assert stored_fleet() == live_fleet()
    assert set(stored_fleet()) == {demo.default.pk, demo.edge.pk, demo.globex_default.pk}


def test_a_refused_change_leaves_the_rows_as_they_were(demo, admin, fleet):
    before = stored_fleet()

    with pytest.raises(rules.InvalidRelease):
        rules.release_platform("4.7.9")
    with pytest.raises(rules.InvalidPause):
        rules.push_tenant(
            demo.acme, LOCK, actor=admin, pause=Pause(until=timezone.now() - timedelta(hours=1))
        )

    assert stored_fleet() == before == live_fleet()


# Writes outside the rules: the model layer keeps the rows right, whatever way the ORM writes
# clusters (or the platform release that decides which agents are behind). Nobody calls a
# refresh: there is none to call.


def another_project(demo) -> Project:
    return Project.objects.create(tenant=demo.acme, name="Spare")


ORM_WRITES = {
    "Model.save(), a new cluster": lambda d: Cluster.objects.create(
        project=d.edge, tenant=d.acme, name="edge-03", agent_version="4.6.0"
    ),
    "Model.save(), a changed agent": lambda d: (
        setattr(d.prod_west, "agent_version", "4.6.0"),
        d.prod_west.save(),
    ),
    "Model.save(), a pause": lambda d: (
        setattr(d.prod_west, "agent_upgrades", LOCK),
        d.prod_west.save(update_fields=["agent_upgrades"]),
    ),
    "Model.save(), moved to another project": lambda d: (
        setattr(d.prod_west, "project", d.edge),
        d.prod_west.save(),
    ),
    "Model.save(), the last one moved out": lambda d: (
        setattr(d.globex_main, "project", Project.objects.create(tenant=d.globex, name="B")),
        d.globex_main.save(),
    ),
    "Model.delete()": lambda d: d.staging.delete(),
    "Model.delete(), the last one of its project": lambda d: d.globex_main.delete(),
    "QuerySet.update(), the value": lambda d: Cluster.objects.filter(project=d.default).update(
        agent_upgrades=LOCK, agent_upgrades_set_via=Via.CLUSTER
    ),
    "QuerySet.update(), filtered on what it writes": lambda d: Cluster.objects.filter(
        agent_upgrades=LOCK
    ).update(agent_upgrades=UNLOCK),
    "QuerySet.update(), the agent": lambda d: Cluster.objects.filter(
        name__startswith="edge"
    ).update(agent_version="4.8.0"),
    "QuerySet.update(), moved to another project": lambda d: Cluster.objects.filter(
        project=d.edge
    ).update(project=another_project(d)),
    "related manager update()": lambda d: d.default.clusters.update(agent_upgrades=LOCK),
    "QuerySet.delete()": lambda d: Cluster.objects.filter(name__startswith="prod").delete(),
    "QuerySet.delete(), a whole project's": lambda d: Cluster.objects.filter(
        project=d.edge
    ).delete(),
    "related manager delete": lambda d: d.globex_default.clusters.all().delete(),
    "QuerySet.bulk_create()": lambda d: Cluster.objects.bulk_create(
        [
            Cluster(project=d.edge, tenant=d.acme, name=f"bulk-{n}", agent_version="4.7.2")
            for n in range(3)
        ]
    ),
    "QuerySet.bulk_update()": lambda d: Cluster.objects.bulk_update(
        [
            Cluster(pk=d.prod_east.pk, project=d.edge, tenant=d.acme, agent_upgrades=UNLOCK),
            Cluster(pk=d.edge_01.pk, project=d.default, tenant=d.acme, agent_upgrades=LOCK),
        ],
        ["project", "agent_upgrades"],
    ),
    "Project.delete(), cascading": lambda d: d.edge.delete(),
    "Tenant.delete(), cascading": lambda d: d.globex.delete(),
    "a new platform release": lambda d: PlatformRelease.objects.create(
        version="9.0.0", agent_version="9.0.0"
    ),
    "a platform release deleted": lambda d: (
        PlatformRelease.objects.order_by("-pk").first().delete()
    ),
    "every platform release deleted": lambda d: PlatformRelease.objects.all().delete(),
    "a platform release's agent updated": lambda d: PlatformRelease.objects.update(
        agent_version="4.7.2"
    ),
}


@pytest.mark.parametrize("write", ORM_WRITES.values(), ids=ORM_WRITES.keys())
def test_every_way_the_orm_writes_keeps_the_fleet_rows_equal_to_a_live_count(demo, fleet, write):
    assert stored_fleet() == live_fleet()
    before = live_fleet()

    write(demo)

    assert live_fleet() != before  # the write moved some count: the rows had to follow
    assert stored_fleet() == live_fleet()


def test_a_write_that_fails_leaves_the_fleet_rows_as_they_were(demo, fleet):
    before = stored_fleet()

    with pytest.raises(IntegrityError), transaction.atomic():
        Cluster.objects.filter(project=demo.default).update(agent_upgrades=LOCK)
        Cluster.objects.create(project=demo.default, tenant=demo.acme, name="prod-east")

    assert stored_fleet() == before == live_fleet()
