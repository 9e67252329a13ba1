"""Objects joining the fleet and moving in it: a new cluster, gateway or Edge host takes its
value as the rules say (rule 5), and a cluster moves only within its tenant, audited."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..models import (
    AuditEvent,
    Cluster,
    EdgeHost,
    Gateway,
    PlatformRelease,
    Project,
    Scope,
    Tenant,
    Via,
)
from .change import audit_act, lock_tenant, take_setting_of


def new_cluster(project: Project, name: str, *, agent_version: str = "") -> Cluster:
    """Rule 5: a new cluster takes its project's value. Its agent is the platform's current
    one unless `agent_version` says otherwise."""
    cluster = Cluster(project=project, tenant_id=project.tenant_id, name=name)
    take_project_setting(cluster)
    if agent_version:
        cluster.agent_version = agent_version
    cluster.full_clean()
    cluster.save()
    return cluster


def new_edge_host(
    project: Project, name: str, *, cluster: Cluster | None = None, agent_version: str = ""
) -> EdgeHost:
    """An Edge host registered in `project`: in a cluster it follows that cluster; idle, it
    takes its project's value as a new cluster does (rule 5)."""
    if cluster is not None and cluster.project_id != project.pk:
        raise ValueError("An Edge host can only be part of a cluster of its own project.")
    host = EdgeHost(project=project, tenant_id=project.tenant_id, name=name, cluster=cluster)
    if cluster is None:  # the project's value as it holds now, not as the caller last read it
        take_setting_of(Project.objects.get(pk=project.pk), host)
    release = PlatformRelease.current()
    host.agent_version = agent_version or (release.agent_version if release else "")
    host.full_clean()
    host.save()
    return host


def new_gateway(tenant: Tenant, name: str, *, agent_version: str = "") -> Gateway:
    """A Private Cloud Gateway registered in `tenant`: active, with the platform's agent. (A
    gateway has no project; the tenant's next push reaches it.)"""
    release = PlatformRelease.current()
    gateway = Gateway(
        tenant=tenant,
        name=name,
        agent_version=agent_version or (release.agent_version if release else ""),
    )
    gateway.full_clean()
    gateway.save()
    return gateway


def take_project_setting(cluster: Cluster) -> None:
    """Rule 5 for an unsaved cluster: its project's value as it holds now, with where it came
    from, and the platform's current agent."""
    take_setting_of(cluster.project, cluster)
    release = PlatformRelease.current()
    cluster.agent_version = release.agent_version if release else ""


class InvalidMove(ValueError):
    """A cluster asked to move out of its tenant."""


@transaction.atomic
def move_cluster(cluster: Cluster, project: Project, *, actor: AbstractBaseUser | None) -> None:
    """Move a cluster to another project of its tenant, with an audit event. Its setting stays
    as it is (a move is not a push); its project's next push will reach it."""
    lock_tenant(projects__clusters=cluster.pk)
    current = Cluster.objects.select_related("project").get(pk=cluster.pk)
    if project.tenant_id != current.tenant_id:
        raise InvalidMove("A cluster can only move to another project of its own tenant.")
    if project.pk == current.project_id:
        return
    Cluster.objects.filter(pk=cluster.pk).update(project=project)
    audit_act(
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        action=AuditEvent.Action.MOVE,
        scope=Scope.CLUSTER,
        via=Via.CLUSTER,
        tenant_id=current.tenant_id,
        project_id=project.pk,
        cluster_id=current.pk,
        object_name=current.name,
        old_value=current.effective_agent_upgrades,
        new_value=current.effective_agent_upgrades,
        detail=f"Moved from project {current.project.name} to project {project.name}",
    )
