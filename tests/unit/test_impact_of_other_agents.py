"""What a push would do, counted with the gateways and idle Edge hosts it writes beside the
clusters (rules.impact): the figures the push dialogs state and the API's dry run answers."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from settings_app import rules
from settings_app.models import AgentUpgrades, EdgeHost, Gateway
from tests.factories import make_release

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


def test_a_tenant_push_counts_its_gateway_and_its_idle_host_but_not_a_host_in_a_cluster(
    demo, gateway_and_hosts
):
    impact = rules.change_impact(demo.acme, LOCK)
    assert (impact.clusters, impact.gateways, impact.idle_hosts) == (5, 1, 1)


def test_a_project_push_counts_its_idle_hosts_and_no_gateway(demo, gateway_and_hosts):
    impact = rules.change_impact(demo.edge, LOCK)
    assert (impact.gateways, impact.idle_hosts) == (0, 1)
    assert rules.change_impact(demo.default, LOCK).idle_hosts == 0


def test_a_resume_counts_the_gateways_and_idle_hosts_it_catches_up(demo, admin, gateway_and_hosts):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    make_release("4.8.0")
    clusters_behind = rules.scope_counts(demo.acme, "4.8.0").paused_behind
    impact = rules.change_impact(demo.acme, UNLOCK)
    assert impact.agents_to_upgrade == clusters_behind + 2  # pcg-vsphere and edge-host-02


def test_the_counts_are_what_the_push_then_writes(demo, admin, gateway_and_hosts):
    impact = rules.change_impact(demo.acme, LOCK)
    change = rules.push_tenant(demo.acme, LOCK, actor=admin)
    assert (impact.gateways, impact.idle_hosts) == (change.gateways_written, change.hosts_written)


def test_the_counts_hold_paused_and_behind_gateways_and_hosts(demo, admin, gateway_and_hosts):
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)
    make_release("4.8.0")
    counts = rules.scope_counts(demo.acme, "4.8.0")
    assert counts.gateways == rules.AgentCounts(total=1, paused=1, behind=1, paused_behind=1)
    assert counts.idle_hosts == rules.AgentCounts(total=1, paused=0, behind=1, paused_behind=0)


def test_gateways_and_hosts_are_read_in_the_statement_that_reads_the_clusters(
    demo, gateway_and_hosts
):
    with CaptureQueriesContext(connection) as with_them:
        rules.scope_counts(demo.acme, "4.7.2")
    Gateway.objects.all().delete()
    EdgeHost.objects.all().delete()
    with CaptureQueriesContext(connection) as without_them:
        rules.scope_counts(demo.acme, "4.7.2")
    assert len(with_them) == len(without_them) == 1
