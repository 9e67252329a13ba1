"""Gateways and Edge hosts (DESIGN.md §11): the rules per kind, through `settings_app.rules`
alone. A tenant push writes every gateway and idle host of the tenant; a project push its idle
hosts; a gateway's own switch only the gateway; a host in a cluster follows its cluster;
releases hold back the paused ones, and a resume catches them up (rule 6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, EdgeHost, Gateway, Scope, Via
from settings_app.rules import Pause
from tests.factories import make_release

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


def value(obj) -> str:
    return type(obj).objects.get(pk=obj.pk).agent_upgrades


def agent(obj) -> str:
    return type(obj).objects.get(pk=obj.pk).agent_version


# The extended truth table, row by row.


def test_a_tenant_push_pauses_its_gateway_and_its_idle_host(demo, admin, gateway_and_hosts):
    change = rules.push_tenant(demo.acme, LOCK, actor=admin)
    assert value(gateway_and_hosts.pcg_vsphere) == LOCK
    assert value(gateway_and_hosts.edge_host_02) == LOCK
    assert (change.clusters_written, change.gateways_written, change.hosts_written) == (5, 1, 1)


def test_a_host_in_a_cluster_keeps_no_setting_of_its_own_and_follows_its_cluster(
    demo, admin, gateway_and_hosts
):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    host = EdgeHost.objects.select_related("cluster").get(pk=gateway_and_hosts.edge_host_01.pk)
    assert host.agent_upgrades == UNLOCK  # its own columns are not written
    assert host.cluster.is_paused  # its cluster decides


def test_a_project_push_writes_the_projects_idle_hosts_and_no_gateway(
    demo, admin, gateway_and_hosts
):
    change = rules.push_project(demo.edge, LOCK, actor=admin)
    assert value(gateway_and_hosts.edge_host_02) == LOCK
    assert value(gateway_and_hosts.pcg_vsphere) == UNLOCK
    assert (change.gateways_written, change.hosts_written) == (0, 1)


def test_another_projects_push_leaves_the_host_alone(demo, admin, gateway_and_hosts):
    rules.push_project(demo.default, LOCK, actor=admin)
    assert value(gateway_and_hosts.edge_host_02) == UNLOCK


def test_a_gateways_own_switch_writes_only_the_gateway(demo, admin, gateway_and_hosts):
    change = rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)
    assert change.scope == Scope.GATEWAY and change.gateways_written == 1
    assert value(gateway_and_hosts.pcg_vsphere) == LOCK
    assert value(demo.acme) == UNLOCK  # rule 4: never upward
    assert value(gateway_and_hosts.edge_host_02) == UNLOCK


def test_resuming_a_gateway_after_a_tenant_pause_overrides_until_the_next_push(
    demo, admin, gateway_and_hosts
):
    gateway = gateway_and_hosts.pcg_vsphere
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.set_gateway(gateway, UNLOCK, actor=admin)
    assert value(gateway) == UNLOCK
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    assert value(gateway) == LOCK


def test_another_tenants_push_leaves_the_gateway_alone(demo, gateway_and_hosts, user):
    rules.push_tenant(demo.globex, LOCK, actor=user("globex-admin"))
    assert value(gateway_and_hosts.pcg_vsphere) == UNLOCK


def test_a_new_idle_host_takes_its_projects_value(demo, admin, gateway_and_hosts):
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause("soak test"))
    host = rules.new_edge_host(demo.edge, "edge-host-03")
    assert host.agent_upgrades == LOCK
    assert host.agent_upgrades_reason == "soak test"
    assert host.agent_upgrades_set_via == Via.PROJECT


def test_a_new_host_in_a_cluster_takes_no_setting(demo, admin, gateway_and_hosts):
    rules.push_project(demo.edge, LOCK, actor=admin)
    host = rules.new_edge_host(demo.edge, "edge-host-03", cluster=demo.edge_02)
    assert host.agent_upgrades == UNLOCK and host.agent_upgrades_set_via == ""


def test_a_host_cannot_join_a_cluster_of_another_project(demo, gateway_and_hosts):
    with pytest.raises(ValueError, match="its own project"):
        rules.new_edge_host(demo.edge, "edge-host-03", cluster=demo.prod_east)


def test_a_gateways_stale_form_asking_the_opposite_is_refused(demo, admin, gateway_and_hosts):
    gateway = gateway_and_hosts.pcg_vsphere
    rules.set_gateway(gateway, LOCK, actor=admin)
    with pytest.raises(rules.StaleSetting):
        rules.set_gateway(gateway, UNLOCK, actor=admin, rendered_version=0)


def test_a_gateways_repeated_request_writes_nothing(demo, admin, gateway_and_hosts):
    gateway = gateway_and_hosts.pcg_vsphere
    rules.set_gateway(gateway, LOCK, actor=admin)
    again = rules.set_gateway(gateway, LOCK, actor=admin, rendered_version=0)
    assert again.replayed
    assert AuditEvent.objects.filter(gateway=gateway).count() == 1


# Releases and rule 6.


def test_a_release_upgrades_active_gateways_and_idle_hosts_and_holds_back_paused_ones(
    demo, admin, gateway_and_hosts, clock
):
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)
    clock.advance(minutes=1)
    impact = rules.release_impact("4.8.0")
    assert (impact.others.gateways_held_back, impact.others.hosts_upgraded) == (1, 1)
    assert [g.name for g in impact.gateways_left_behind] == ["pcg-vsphere"]
    rollout = rules.release_platform("4.8.0", actor=admin)
    assert rollout.others.gateways_held_back == 1
    assert agent(gateway_and_hosts.pcg_vsphere) == "4.7.2"
    assert agent(gateway_and_hosts.edge_host_02) == "4.8.0"


def test_a_patch_release_warns_of_no_gateway(demo, admin, gateway_and_hosts, clock):
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)
    impact = rules.release_impact("4.7.3")
    assert impact.others.gateways_held_back == 1 and impact.gateways_left_behind == []


def test_a_host_in_a_cluster_follows_its_clusters_agent(demo, admin, gateway_and_hosts, clock):
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)
    clock.advance(minutes=1)
    rules.release_platform("4.8.0", actor=admin)
    host = EdgeHost.objects.select_related("cluster").get(pk=gateway_and_hosts.edge_host_01.pk)
    assert host.is_behind("4.8.0")
    rules.set_cluster(demo.edge_01, UNLOCK, actor=admin)
    host.refresh_from_db()
    host.cluster.refresh_from_db()
    assert not host.is_behind("4.8.0")


def test_resuming_a_gateway_catches_its_agent_up(demo, admin, gateway_and_hosts, clock):
    gateway = gateway_and_hosts.pcg_vsphere
    rules.set_gateway(gateway, LOCK, actor=admin)
    clock.advance(minutes=1)
    rules.release_platform("4.8.0", actor=admin)
    change = rules.set_gateway(gateway, UNLOCK, actor=admin)
    assert agent(gateway) == "4.8.0"
    assert change.agents_upgraded == 1 and change.event.agents_upgraded == 1


def test_a_tenant_resume_catches_up_its_gateways_and_idle_hosts(
    demo, admin, gateway_and_hosts, clock
):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    clock.advance(minutes=1)
    make_release("4.8.0")
    change = rules.push_tenant(demo.acme, UNLOCK, actor=admin)
    assert agent(gateway_and_hosts.pcg_vsphere) == "4.8.0"
    assert agent(gateway_and_hosts.edge_host_02) == "4.8.0"
    assert change.agents_upgraded == 5  # the clusters'; the others say so on their events
    parts = AuditEvent.objects.filter(part_of=change.event, scope__in=["gateway", "host"])
    assert sorted(parts.values_list("object_name", "agents_upgraded")) == [
        ("edge-host-02", 1),
        ("pcg-vsphere", 1),
    ]


def test_a_gateways_pause_that_ended_is_resumed_by_the_sweep(demo, admin, gateway_and_hosts, clock):
    gateway = gateway_and_hosts.pcg_vsphere
    rules.set_gateway(gateway, LOCK, actor=admin, pause=Pause("", clock.now + timedelta(hours=1)))
    clock.advance(hours=2)
    expiry = rules.resume_expired_pauses()
    assert expiry.gateways == ["pcg-vsphere"]
    stored = Gateway.objects.get(pk=gateway.pk)
    assert (stored.agent_upgrades, stored.agent_upgrades_set_via) == (UNLOCK, Via.EXPIRY)


# The audit trail.


def test_a_tenant_push_files_a_part_for_the_gateway_and_the_idle_host(
    demo, admin, gateway_and_hosts
):
    change = rules.push_tenant(demo.acme, LOCK, actor=admin)
    gateway_part = AuditEvent.objects.get(part_of=change.event, scope=Scope.GATEWAY)
    host_part = AuditEvent.objects.get(part_of=change.event, scope=Scope.EDGE_HOST)
    assert (gateway_part.gateway_id, gateway_part.project_id) == (
        gateway_and_hosts.pcg_vsphere.pk,
        None,
    )
    assert (host_part.edge_host_id, host_part.project_id, host_part.cluster_id) == (
        gateway_and_hosts.edge_host_02.pk,
        demo.edge.pk,
        None,
    )
    assert not AuditEvent.objects.filter(object_name="edge-host-01").exists()


def test_a_gateways_own_change_is_filed_at_the_tenant_alone(demo, admin, gateway_and_hosts):
    change = rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin, pause=Pause("x"))
    event = change.event
    assert (event.scope, event.tenant_id, event.project_id, event.gateway_id) == (
        Scope.GATEWAY,
        demo.acme.pk,
        None,
        gateway_and_hosts.pcg_vsphere.pk,
    )
    assert (event.old_value, event.new_value, event.reason) == (UNLOCK, LOCK, "x")


# Undo.


def test_undoing_a_tenant_push_puts_back_the_gateway_and_the_idle_host(
    demo, admin, gateway_and_hosts
):
    gateway, host = gateway_and_hosts.pcg_vsphere, gateway_and_hosts.edge_host_02
    rules.set_gateway(gateway, LOCK, actor=admin, pause=Pause("own reason"))
    rules.push_tenant(demo.acme, UNLOCK, actor=admin)
    acme = type(demo.acme).objects.get(pk=demo.acme.pk)
    undo = rules.undo_change(acme, actor=admin)
    assert (undo.gateways_written, undo.hosts_written) == (1, 1)
    stored = Gateway.objects.get(pk=gateway.pk)
    assert (stored.agent_upgrades, stored.agent_upgrades_reason) == (LOCK, "own reason")
    assert stored.agent_upgrades_set_via == Via.CLUSTER
    assert value(host) == UNLOCK and EdgeHost.objects.get(pk=host.pk).agent_upgrades_set_via == ""


def test_a_gateway_changed_since_the_push_stops_its_undo(demo, admin, gateway_and_hosts):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, UNLOCK, actor=admin)
    acme = type(demo.acme).objects.get(pk=demo.acme.pk)
    with pytest.raises(rules.ChangedSince) as caught:
        rules.undo_change(acme, actor=admin)
    assert caught.value.changed == 1
    assert value(gateway_and_hosts.edge_host_02) == LOCK  # nothing was undone


def test_undoing_a_project_push_puts_back_its_idle_host(demo, admin, gateway_and_hosts):
    rules.push_project(demo.edge, LOCK, actor=admin)
    edge = type(demo.edge).objects.get(pk=demo.edge.pk)
    rules.undo_change(edge, actor=admin)
    assert value(gateway_and_hosts.edge_host_02) == UNLOCK


@pytest.mark.parametrize("values", [[LOCK], [UNLOCK], [LOCK, UNLOCK]])
@pytest.mark.parametrize("scope", ["tenant", "project"])
def test_a_push_answers_with_the_counts_of_its_gateways_and_hosts_as_read_afresh(
    demo, admin, gateway_and_hosts, scope, values
):
    """The push counts what it left from what it read with its object (no statement more):
    the same figures as a fresh count, for a paused gateway and an active host both behind."""
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)
    rules.new_edge_host(demo.edge, "edge-host-03")
    make_release("4.9.0")  # every agent behind, none upgraded
    obj = demo.acme if scope == "tenant" else demo.edge
    push = rules.push_tenant if scope == "tenant" else rules.push_project
    for pushed in values:
        change = push(obj, pushed, actor=admin)
        fresh = rules.scope_counts(obj, "4.9.0")
        assert unnamed(change.counts) == unnamed(fresh)
        assert (fresh.idle_hosts.total, fresh.gateways.total) == (2, 1 if scope == "tenant" else 0)


def unnamed(counts: rules.FleetCounts) -> rules.FleetCounts:
    """The counts without the projects' names (the push's fleet rows come without them)."""
    return replace(counts, by_project=tuple(replace(p, project_name="") for p in counts.by_project))
