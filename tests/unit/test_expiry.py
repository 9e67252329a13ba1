"""Pauses that end (DESIGN.md §1 with an end): a pause holds until its end and not after; the
sweep (`rules.resume_expired_pauses`) writes the ended pauses down, resuming and catching their
agents up; a release ends them first. Through the rules alone, with a controlled clock."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from settings_app import rules
from settings_app.management.commands.resume_expired_pauses import Command as ResumeExpiredPauses
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    Project,
    Scope,
    Tenant,
    Via,
    paused_now,
)
from settings_app.rules import Pause
from tests.factories import ACME, in_a_week
from tests.state import agents, clusters_stored, stored

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
REASON = "change freeze"


# A pause holds until its end, and not after.


def test_a_pause_holds_until_its_end_and_not_after(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    demo.prod_east.refresh_from_db()

    clock.advance(minutes=59)
    assert (demo.prod_east.is_paused, rules.is_held_back(demo.prod_east)) == (True, True)
    assert demo.prod_east.effective_agent_upgrades == LOCK

    clock.advance(minutes=1)  # the end itself: the pause no longer holds
    assert (demo.prod_east.is_paused, rules.is_held_back(demo.prod_east)) == (False, False)
    assert demo.prod_east.pause_expired
    assert demo.prod_east.effective_agent_upgrades == UNLOCK
    assert demo.prod_east.agent_upgrades_label == "Active"


def test_a_pause_without_an_end_holds_however_late_it_gets(demo, admin, clock):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    demo.prod_east.refresh_from_db()

    clock.advance(days=3650)

    assert demo.prod_east.is_paused
    assert not demo.prod_east.pause_expired


def test_the_lists_query_and_the_models_property_agree_on_when_a_pause_holds(demo, admin, clock):
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )

    assert Tenant.objects.filter(paused_now(clock.now)).count() == 1
    assert Tenant.objects.get(pk=demo.acme.pk).is_paused
    clock.advance(hours=1)
    assert Tenant.objects.filter(paused_now(clock.now)).count() == 0
    assert not Tenant.objects.get(pk=demo.acme.pk).is_paused


# A release: before the end it holds the cluster back; after it, it ends the pause first.


def test_a_release_before_the_end_holds_the_cluster_back(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(minutes=30)

    rollout = rules.release_platform("4.8.0")

    assert agents()["prod-east"] == "4.7.2"
    assert rollout.resumed.clusters == []
    assert stored(demo.prod_east)[0] == LOCK


def test_a_release_after_the_end_resumes_the_pause_first_and_upgrades_the_agent(demo, admin, clock):
    until = clock.now + timedelta(hours=1)
    rules.push_project(demo.default, LOCK, actor=admin, pause=Pause(REASON, until))
    rules.set_cluster(demo.staging, LOCK, actor=admin)  # its own pause, without an end
    clock.advance(hours=2)

    rollout = rules.release_platform("4.8.0")

    assert sorted(rollout.resumed.clusters) == ["prod-east", "prod-west"]
    assert rollout.resumed.projects == ["Default"]
    assert agents() == {
        "prod-east": "4.8.0",
        "prod-west": "4.8.0",
        "staging": "4.7.2",
        "edge-01": "4.8.0",
        "edge-02": "4.8.0",
        "globex-main": "4.8.0",
    }
    assert (rollout.upgraded, rollout.held_back) == (5, 1)
    demo.prod_east.refresh_from_db()
    assert (demo.prod_east.agent_upgrades, demo.prod_east.agent_upgrades_set_via) == (
        UNLOCK,
        Via.EXPIRY,
    )
    upgrade = AgentUpgrade.objects.get(cluster=demo.prod_east)
    assert (upgrade.cause, upgrade.release) == (AgentUpgrade.Cause.RELEASE, rollout.release)


# resume_expired_pauses: writing down the pauses that have ended.


def test_ending_pauses_resumes_every_scope_whose_end_has_passed(demo, admin, clock):
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(REASON, clock.now + timedelta(hours=1))
    )
    clock.advance(hours=1)

    expiry = rules.resume_expired_pauses()

    assert expiry.tenants == ["Acme"]
    assert sorted(expiry.projects) == ["Default", "Edge"]
    assert sorted(expiry.clusters) == sorted(ACME)
    for obj in (demo.acme, demo.default, demo.edge):
        assert stored(obj) == (UNLOCK, "", None)
        assert (obj.agent_upgrades_set_via, obj.agent_upgrades_set_by) == (Via.EXPIRY, None)
        assert obj.agent_upgrades_set_at == clock.now
    assert set(clusters_stored(project__tenant=demo.acme).values()) == {(UNLOCK, "", None)}


def test_ending_pauses_leaves_running_and_endless_pauses_alone(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.set_cluster(
        demo.prod_west, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=3))
    )
    rules.set_cluster(demo.staging, LOCK, actor=admin)
    clock.advance(hours=2)

    expiry = rules.resume_expired_pauses()

    assert expiry.clusters == ["prod-east"]
    assert stored(demo.prod_east)[0] == UNLOCK
    assert stored(demo.prod_west)[0] == LOCK
    assert stored(demo.staging)[0] == LOCK


def test_a_cluster_paused_on_its_own_after_a_tenant_pause_with_an_end_stays_paused(
    demo, admin, clock
):
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("its own"))
    clock.advance(hours=2)

    expiry = rules.resume_expired_pauses()

    assert "prod-east" not in expiry.clusters
    assert stored(demo.prod_east) == (LOCK, "its own", None)
    assert stored(demo.prod_west)[0] == UNLOCK


def test_ending_pauses_catches_up_the_agents_they_held_back(demo, admin, clock):
    rules.push_project(
        demo.default, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.release_platform("4.8.0")
    assert agents()["prod-east"] == "4.7.2"
    clock.advance(hours=2)

    expiry = rules.resume_expired_pauses()

    assert (expiry.agents_upgraded, expiry.agent_version) == (3, "4.8.0")
    assert set(Cluster.objects.values_list("agent_version", flat=True)) == {"4.8.0"}
    caught_up = AgentUpgrade.objects.filter(cause=AgentUpgrade.Cause.EXPIRY)
    assert set(
        caught_up.values_list("cluster__name", "from_version", "to_version", "actor", "actor_name")
    ) == {
        (name, "4.7.2", "4.8.0", None, "system") for name in ("prod-east", "prod-west", "staging")
    }
    assert set(caught_up.values_list("at", flat=True)) == {clock.now}


def test_ending_pauses_writes_an_audit_event_for_each_object_it_resumed(demo, admin, clock):
    until = clock.now + timedelta(hours=1)
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause(REASON, until))
    AuditEvent.objects.all().delete()
    clock.advance(hours=2)

    rules.resume_expired_pauses()

    events = AuditEvent.objects.order_by("scope", "object_name")
    assert [(e.scope, e.object_name, e.old_value, e.new_value) for e in events] == [
        (Scope.CLUSTER, "edge-01", LOCK, UNLOCK),
        (Scope.CLUSTER, "edge-02", LOCK, UNLOCK),
        (Scope.PROJECT, "Edge", LOCK, UNLOCK),
    ]
    assert {(e.via, e.actor, e.actor_name, e.at) for e in events} == {
        (Via.EXPIRY, None, "system", clock.now)
    }
    assert {e.until for e in events if e.scope == Scope.CLUSTER} == {until}


def test_ending_pauses_a_second_time_resumes_nothing(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)
    rules.resume_expired_pauses()
    events = AuditEvent.objects.count()

    again = rules.resume_expired_pauses()

    assert (again.tenants, again.projects, again.clusters) == ([], [], [])
    assert AuditEvent.objects.count() == events
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades_version == 2  # the pause, and its end: once


def test_a_pause_whose_end_was_already_stored_in_the_past_is_ended_too(demo, admin):
    # Rows as a pause that ended while nobody looked leaves them (no clock needed).
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause(REASON, in_a_week()))
    past = timezone.now() - timedelta(hours=1)
    Project.objects.filter(pk=demo.edge.pk).update(agent_upgrades_until=past)
    Cluster.objects.filter(project=demo.edge).update(agent_upgrades_until=past)

    expiry = rules.resume_expired_pauses()

    assert (expiry.projects, sorted(expiry.clusters)) == (["Edge"], ["edge-01", "edge-02"])
    assert stored(demo.edge_01) == (UNLOCK, "", None)


def test_a_cluster_created_after_its_projects_pause_ended_has_no_pause_to_end(demo, admin, clock):
    rules.push_project(
        demo.edge, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)
    rules.new_cluster(Project.objects.get(pk=demo.edge.pk), "edge-03")

    expiry = rules.resume_expired_pauses()

    assert "edge-03" not in expiry.clusters


# The resume_expired_pauses command (meant for cron).


def end_pauses() -> str:
    out = StringIO()
    call_command("resume_expired_pauses", stdout=out)
    return out.getvalue()


def test_the_command_prints_what_it_resumed(demo, admin, clock):
    rules.release_platform("4.8.0", agent_version="4.8.0")
    Cluster.objects.update(agent_version="4.7.2")  # every agent behind, as if held back
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.push_project(demo.globex_default, LOCK, actor=admin)  # no end: stays
    clock.advance(hours=2)

    output = end_pauses()

    assert output.splitlines() == [
        "  Tenant Acme: pause ended, resumed",
        "  Project Default: pause ended, resumed",
        "  Project Edge: pause ended, resumed",
        "  Cluster edge-01: pause ended, resumed",
        "  Cluster edge-02: pause ended, resumed",
        "  Cluster prod-east: pause ended, resumed",
        "  Cluster prod-west: pause ended, resumed",
        "  Cluster staging: pause ended, resumed",
        "Pauses ended for 1 tenant, 2 projects and 5 clusters; 5 agents caught up to 4.8.0.",
    ]
    assert stored(demo.globex_main)[0] == LOCK
    assert agents()["globex-main"] == "4.7.2"


def test_the_command_says_so_when_no_pause_has_ended(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(until=in_a_week()))

    assert end_pauses() == "No pause has ended.\n"
    assert stored(demo.prod_east)[0] == LOCK


def test_the_command_explains_itself():
    assert "'pause until' has passed" in ResumeExpiredPauses.help
