"""The pause rules of DESIGN.md §1 (rules 1 to 6, the truth table row by row), a pause's reason
and end, the audit trail of a change, and how a repeated or stale request is told apart, through
`settings_app.rules` alone: no request, no page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from settings_app import rules
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    Project,
    ProjectFleet,
    Scope,
)
from settings_app.rules import Pause
from tests.factories import ACME, EVERY_CLUSTER, in_a_week, make_release
from tests.state import agents, agents_at, clusters_stored, fleet_rows, stored, upgrades
from tests.unit.failures import (
    FAILURES,
    fail_after_every_event_was_written,
    fail_writing_the_tenants_own_event,
)

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
REASON = "change freeze"


def values(*clusters: Cluster) -> list[str]:
    return [Cluster.objects.get(pk=c.pk).agent_upgrades for c in clusters]


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


# Rule 6: resume catches up, at each of the three scopes, recording each upgrade.


@pytest.fixture
def newer_platform(demo):
    make_release("4.8.0")  # no rollout yet


@pytest.fixture
def released(demo):
    """Release 4.8.0 once the test has paused what it wants held back."""
    return lambda: rules.release_platform("4.8.0")


def resume_upgrades() -> set[tuple[str, str, str, str, str]]:
    return {row for row in upgrades() if row[3] == AgentUpgrade.Cause.RESUME}


def test_resuming_a_held_back_cluster_upgrades_its_agent_and_records_who_resumed(
    demo, user, released
):
    cluster_admin = user("cluster-admin")
    rules.set_cluster(demo.prod_east, LOCK, actor=cluster_admin)
    released()

    change = rules.set_cluster(demo.prod_east, UNLOCK, actor=cluster_admin)

    assert agents()["prod-east"] == "4.8.0"
    assert (change.agents_upgraded, change.agent_version) == (1, "4.8.0")
    assert resume_upgrades() == {("prod-east", "4.7.2", "4.8.0", "resume", "cluster-admin")}
    upgrade = AgentUpgrade.objects.get(cause=AgentUpgrade.Cause.RESUME)
    assert (upgrade.actor, upgrade.release) == (cluster_admin, None)


def test_resuming_a_project_upgrades_every_held_back_agent_of_the_project(demo, user, released):
    project_admin = user("project-admin")
    rules.push_project(demo.default, LOCK, actor=project_admin)
    released()

    change = rules.push_project(demo.default, UNLOCK, actor=project_admin)

    assert agents() == agents_at("4.8.0", EVERY_CLUSTER)
    assert (change.clusters_written, change.agents_upgraded) == (3, 3)
    assert resume_upgrades() == {
        (name, "4.7.2", "4.8.0", "resume", "project-admin")
        for name in ("prod-east", "prod-west", "staging")
    }
    assert set(
        AgentUpgrade.objects.filter(cause=AgentUpgrade.Cause.RESUME).values_list("actor", flat=True)
    ) == {project_admin.pk}


def test_resuming_a_tenant_upgrades_every_held_back_agent_of_the_tenant(demo, admin, released):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    released()

    change = rules.push_tenant(demo.acme, UNLOCK, actor=admin)

    assert agents() == agents_at("4.8.0", EVERY_CLUSTER)
    assert (change.clusters_written, change.agents_upgraded) == (5, 5)
    assert resume_upgrades() == {
        (name, "4.7.2", "4.8.0", "resume", "tenant-admin") for name in ACME
    }


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


def test_a_project_resume_catches_up_a_cluster_that_was_paused_on_its_own(demo, user, released):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    released()

    change = rules.push_project(demo.default, UNLOCK, actor=user("project-admin"))

    assert change.agents_upgraded == 1
    assert resume_upgrades() == {("prod-east", "4.7.2", "4.8.0", "resume", "project-admin")}


def test_a_tenant_resume_catches_up_clusters_paused_at_the_project_and_on_their_own(
    demo, user, admin, released
):
    rules.push_project(demo.edge, LOCK, actor=user("tenant-admin"))
    rules.set_cluster(demo.staging, LOCK, actor=user("project-admin"))
    released()

    change = rules.push_tenant(demo.acme, UNLOCK, actor=admin)

    assert change.agents_upgraded == 3
    assert {row[0] for row in resume_upgrades()} == {"edge-01", "edge-02", "staging"}
    assert agents() == agents_at("4.8.0", EVERY_CLUSTER)


def test_resuming_a_paused_cluster_whose_agent_is_current_records_no_upgrade(demo, admin):
    rules.release_platform("4.8.0")
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    change = rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)

    assert change.agents_upgraded == 0
    assert resume_upgrades() == set()


def test_resuming_an_active_cluster_upgrades_nothing(demo, admin):
    Cluster.objects.filter(pk=demo.staging.pk).update(agent_version="4.6.0")

    change = rules.push_project(demo.default, UNLOCK, actor=admin)

    # staging was never paused: the next rollout upgrades it, not a resume.
    assert change.agents_upgraded == 0
    assert agents()["staging"] == "4.6.0"


def test_pausing_never_upgrades_an_agent(demo, admin, newer_platform):
    change = rules.push_tenant(demo.acme, LOCK, actor=admin)
    assert change.agents_upgraded == 0
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_version == "4.7.2"


@FAILURES
def test_a_resume_and_its_catch_up_commit_together_or_not_at_all(demo, admin, released, failure):
    rules.push_project(demo.default, LOCK, actor=admin)
    released()
    AgentUpgrade.objects.all().delete()  # the rollout's: only the resume's may appear below
    events, before = AuditEvent.objects.count(), fleet_rows()

    with failure(), pytest.raises(IntegrityError):
        rules.push_project(demo.default, UNLOCK, actor=admin)

    assert set(demo.default.clusters.values_list("agent_upgrades", "agent_version")) == {
        (LOCK, "4.7.2")
    }
    assert Project.objects.get(pk=demo.default.pk).agent_upgrades == LOCK
    assert not AgentUpgrade.objects.exists()
    assert AuditEvent.objects.count() == events
    assert fleet_rows() == before


# A pause carries its reason and end; a push carries them down; a resume clears them.


def test_a_cluster_pause_keeps_its_reason_and_end(demo, admin):
    until = in_a_week()

    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, until))

    assert stored(demo.prod_east) == (LOCK, REASON, until)
    assert demo.prod_east.is_paused


def test_a_project_push_carries_the_reason_and_end_to_every_cluster_it_writes(demo, admin):
    until = in_a_week()

    rules.push_project(demo.default, LOCK, actor=admin, pause=Pause(REASON, until))

    assert stored(demo.default) == (LOCK, REASON, until)
    assert clusters_stored(project=demo.default) == {
        name: (LOCK, REASON, until) for name in ("prod-east", "prod-west", "staging")
    }
    assert set(clusters_stored(project=demo.edge).values()) == {(UNLOCK, "", None)}


def test_a_tenant_push_carries_the_reason_and_end_to_its_projects_and_clusters(demo, admin):
    until = in_a_week()

    rules.push_tenant(demo.acme, LOCK, actor=admin, pause=Pause(REASON, until))

    assert stored(demo.acme) == (LOCK, REASON, until)
    assert stored(demo.default) == stored(demo.edge) == (LOCK, REASON, until)
    assert set(clusters_stored(project__tenant=demo.acme).values()) == {(LOCK, REASON, until)}
    assert stored(demo.globex_main) == (UNLOCK, "", None)


def test_a_push_overwrites_the_end_of_a_pause_set_below_it(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("own", in_a_week()))
    later = in_a_week() + timedelta(days=30)

    rules.push_project(demo.default, LOCK, actor=admin, pause=Pause(REASON, later))

    assert stored(demo.prod_east) == (LOCK, REASON, later)


def test_every_audit_event_of_a_pause_records_its_reason_and_end(demo, admin):
    until = in_a_week()

    rules.push_tenant(demo.acme, LOCK, actor=admin, pause=Pause(REASON, until))

    assert AuditEvent.objects.count() == 8  # the tenant, its 2 projects and 5 clusters
    assert set(AuditEvent.objects.values_list("reason", "until")) == {(REASON, until)}


def test_a_resume_clears_the_reason_and_end_everywhere_it_writes(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin, pause=Pause(REASON, in_a_week()))

    rules.push_tenant(demo.acme, UNLOCK, actor=admin, pause=Pause("ignored", in_a_week()))

    assert stored(demo.acme) == (UNLOCK, "", None)
    assert stored(demo.edge) == (UNLOCK, "", None)
    assert set(clusters_stored(project__tenant=demo.acme).values()) == {(UNLOCK, "", None)}
    resume_events = AuditEvent.objects.filter(new_value=UNLOCK)
    assert set(resume_events.values_list("reason", "until")) == {("", None)}


def test_a_cluster_resume_clears_its_reason_and_end(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, in_a_week()))

    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)

    assert stored(demo.prod_east) == (UNLOCK, "", None)


@pytest.mark.parametrize("scope", ["cluster", "project", "tenant"])
def test_a_pause_ending_in_the_past_is_refused_and_nothing_is_written(demo, admin, scope):
    change, target = {
        "cluster": (rules.set_cluster, demo.prod_east),
        "project": (rules.push_project, demo.default),
        "tenant": (rules.push_tenant, demo.acme),
    }[scope]
    past = timezone.now() - timedelta(minutes=1)

    with pytest.raises(rules.InvalidPause, match="must be in the future"):
        change(target, LOCK, actor=admin, pause=Pause(REASON, past))

    assert stored(target) == (UNLOCK, "", None)
    assert set(clusters_stored().values()) == {(UNLOCK, "", None)}
    assert not AuditEvent.objects.exists()


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
    assert counts == {"tenant": 1, "project": 2, "cluster": 5, "gateway": 0, "host": 0}
    assert set(AuditEvent.objects.values_list("via", flat=True)) == {"tenant"}
    assert not AuditEvent.objects.filter(tenant=demo.globex).exists()


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
