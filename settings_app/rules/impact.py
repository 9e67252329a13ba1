"""What a change would do, counted before it is made: the figures the confirm dialog states and
the API's dry run answers, from one place so that the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import AgentUpgrades, Cluster, Gateway, Project, Scope, Tenant
from .fleet import FleetCounts, fleet_counts
from .releases import current_agent_version


@dataclass(frozen=True)
class Impact:
    clusters: int  # clusters whose value the change writes
    projects: int  # projects holding them
    overwritten: int  # of those clusters, values set below the scope changed, which it replaces
    agents_to_upgrade: int  # agents held back by a pause that a resume catches up (rule 6)
    agent_version: str  # the platform's agent version they would be upgraded to
    gateways: int = 0  # a tenant's gateways, which its push writes too
    idle_hosts: int = 0  # Edge hosts in no cluster, which a project's or tenant's push writes


def scope_counts(obj: Project | Tenant, agent_version: str) -> FleetCounts:
    """The clusters of a project or of a tenant, counted as a push of it sees them."""
    if isinstance(obj, Tenant):
        return fleet_counts(
            Project.objects.filter(tenant=obj), below=Scope.TENANT, agent_version=agent_version
        )
    return fleet_counts(
        Project.objects.filter(pk=obj.pk), below=Scope.PROJECT, agent_version=agent_version
    )


def push_impact(value: AgentUpgrades, counts: FleetCounts, agent_version: str) -> Impact:
    """A push of `value` to the scope whose clusters, gateways and idle Edge hosts `counts`
    counts (rule 2): it writes all of them, and a resume catches up every agent held back."""
    resume = value == AgentUpgrades.UNLOCK and bool(agent_version)
    held_back = (
        counts.paused_behind + counts.gateways.paused_behind + counts.idle_hosts.paused_behind
    )
    return Impact(
        clusters=counts.total,
        projects=counts.projects,
        overwritten=counts.set_below,
        agents_to_upgrade=held_back if resume else 0,
        agent_version=agent_version,
        gateways=counts.gateways.total,
        idle_hosts=counts.idle_hosts.total,
    )


def cluster_impact(cluster: Cluster, value: AgentUpgrades, agent_version: str) -> Impact:
    """Setting one cluster (rule 3): it overrides, and overwrites nothing below it."""
    catches_up = (
        value == AgentUpgrades.UNLOCK and cluster.is_paused and cluster.is_behind(agent_version)
    )
    return Impact(
        clusters=1,
        projects=1,
        overwritten=0,
        agents_to_upgrade=1 if catches_up else 0,
        agent_version=agent_version,
    )


def gateway_impact(gateway: Gateway, value: AgentUpgrades, agent_version: str) -> Impact:
    """Setting one gateway: it writes only the gateway, and a resume catches its agent up."""
    catches_up = (
        value == AgentUpgrades.UNLOCK and gateway.is_paused and gateway.is_behind(agent_version)
    )
    return Impact(
        clusters=0,
        projects=0,
        overwritten=0,
        agents_to_upgrade=1 if catches_up else 0,
        agent_version=agent_version,
        gateways=1,
    )


def change_impact(obj: Tenant | Project | Cluster | Gateway, value: AgentUpgrades) -> Impact:
    """What setting `obj` to `value` would do now; nothing is written."""
    agent_version = current_agent_version()
    value = AgentUpgrades(value)
    if isinstance(obj, Cluster):
        return cluster_impact(obj, value, agent_version)
    if isinstance(obj, Gateway):
        return gateway_impact(obj, value, agent_version)
    return push_impact(value, scope_counts(obj, agent_version), agent_version)
