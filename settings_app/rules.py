"""The rules of pausing agent upgrades (DESIGN.md §1), as plain functions with no request in sight.

1. Only a cluster's own value decides whether its agent is held back.
2. Setting a project or tenant pushes the value down to everything below it, every time.
3. A lower scope may override until the next push; 4. it never writes upward.
5. A new cluster takes its project's current value.
6. A cluster going from lock to unlock catches its agent up to the platform's agent version.

Each change is one transaction: values, cascade, agent catch-up and audit events commit together.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from .models import (
    AgentUpgrades,
    AgentUpgradesSetting,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    Scope,
    Tenant,
)

AUDIT_BATCH_SIZE = 1000


class StaleSetting(Exception):
    """The form was rendered from an older version and asks for the opposite of what is there now."""

    def __init__(self, current: AgentUpgradesSetting) -> None:
        super().__init__(f"{current} has changed since the form was rendered")
        self.current = current


@dataclass(frozen=True)
class Change:
    """What one change did, for the message that confirms it."""

    scope: Scope
    target: Tenant | Project | Cluster
    value: AgentUpgrades
    clusters_written: int = 0
    clusters_changed: int = 0
    agents_upgraded: int = 0
    agent_version: str = ""
    replayed: bool = False  # the same request again (double click, retry): nothing was written


@dataclass(frozen=True)
class ClusterCounts:
    total: int
    paused: int
    projects: int  # projects that hold these clusters
    set_below: int  # clusters whose value was written by a scope below the one asked about
    paused_behind: int  # paused clusters whose agent a resume would upgrade


def is_held_back(cluster: Cluster) -> bool:
    """Rule 1: the cluster's own value decides; project and tenant values are never read."""
    return cluster.agent_upgrades == AgentUpgrades.LOCK


def current_agent_version() -> str:
    release = PlatformRelease.current()
    return release.agent_version if release else ""


def adopt_project_setting(cluster: Cluster) -> None:
    """Rule 5: an unsaved cluster takes its project's value, and where that value came from."""
    project = cluster.project
    cluster.agent_upgrades = project.agent_upgrades
    cluster.agent_upgrades_set_via = project.agent_upgrades_set_via
    cluster.agent_upgrades_set_by = project.agent_upgrades_set_by
    cluster.agent_upgrades_set_at = project.agent_upgrades_set_at


def new_cluster(project: Project, name: str, *, agent_version: str | None = None) -> Cluster:
    cluster = Cluster(project=project, name=name)
    adopt_project_setting(cluster)
    cluster.agent_version = agent_version or current_agent_version()
    cluster.full_clean()
    cluster.save()
    return cluster


def cluster_counts(
    clusters: QuerySet[Cluster], *, below: Scope, agent_version: str
) -> ClusterCounts:
    """Counts for a push preview and a settings panel, in one query."""
    lower = [Scope.CLUSTER] if below == Scope.PROJECT else [Scope.CLUSTER, Scope.PROJECT]
    paused = Q(agent_upgrades=AgentUpgrades.LOCK)
    counts = clusters.aggregate(
        total=Count("pk"),
        projects=Count("project", distinct=True),
        paused=Count("pk", filter=paused),
        set_below=Count("pk", filter=Q(agent_upgrades_set_via__in=lower)),
        paused_behind=Count("pk", filter=paused & ~Q(agent_version=agent_version)),
    )
    return ClusterCounts(**counts)


# Changes. Each one starts by locking its object with select_related up to the tenant, which on
# PostgreSQL locks the tenant row too: changes within one tenant take turns, so a push and a
# cluster change never interleave. (SQLite's BEGIN IMMEDIATE serialises all writers anyway.)


@transaction.atomic
def set_cluster(
    cluster: Cluster,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
) -> Change:
    """Set one cluster's own value (rules 3 and 4: it overrides, and writes nothing upward)."""
    value = AgentUpgrades(value)
    cluster = _lock(Cluster.objects.select_related("project__tenant"), cluster.pk)
    if _is_replay(cluster, value, rendered_version):
        return Change(Scope.CLUSTER, cluster, value, replayed=True)
    now = timezone.now()
    old_value = cluster.agent_upgrades
    agent_version = _catch_up_version(value)
    upgraded = int(_behind([(old_value, cluster.agent_version)], agent_version) > 0)
    _write_clusters(
        Cluster.objects.filter(pk=cluster.pk), value, Scope.CLUSTER, actor, now, agent_version
    )
    AuditEvent.objects.create(
        **_audit_fields(actor, now, Scope.CLUSTER, value),
        scope=Scope.CLUSTER,
        tenant_id=cluster.project.tenant_id,
        project_id=cluster.project_id,
        cluster_id=cluster.pk,
        object_name=cluster.name,
        old_value=old_value,
    )
    _applied(cluster, value, via=Scope.CLUSTER, actor=actor, at=now)
    if upgraded:
        cluster.agent_version = agent_version
    changed = int(old_value != value)
    return Change(Scope.CLUSTER, cluster, value, 1, changed, upgraded, agent_version)


@transaction.atomic
def push_project(
    project: Project,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
) -> Change:
    """Rule 2: write the value to the project and to every cluster in it."""
    value = AgentUpgrades(value)
    project = _lock(Project.objects.select_related("tenant"), project.pk)
    if _is_replay(project, value, rendered_version):
        return Change(Scope.PROJECT, project, value, replayed=True)
    now = timezone.now()
    clusters = Cluster.objects.filter(project=project)
    changed = _changed_clusters(clusters, value)
    agent_version = _catch_up_version(value)
    upgraded = _behind([(old, agent) for *_, old, agent in changed], agent_version)
    _write(Project.objects.filter(pk=project.pk), value, via=Scope.PROJECT, actor=actor, at=now)
    written = _write_clusters(clusters, value, Scope.PROJECT, actor, now, agent_version)
    fields = _audit_fields(actor, now, Scope.PROJECT, value)
    events = [
        AuditEvent(
            **fields,
            scope=Scope.PROJECT,
            tenant_id=project.tenant_id,
            project_id=project.pk,
            object_name=project.name,
            old_value=project.agent_upgrades,
        )
    ]
    events += _cluster_events(changed, fields, tenant_id=project.tenant_id)
    AuditEvent.objects.bulk_create(events, batch_size=AUDIT_BATCH_SIZE)
    _applied(project, value, via=Scope.PROJECT, actor=actor, at=now)
    return Change(Scope.PROJECT, project, value, written, len(changed), upgraded, agent_version)


@transaction.atomic
def push_tenant(
    tenant: Tenant,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
) -> Change:
    """Rule 2: write the value to the tenant, to every project in it and every cluster in them."""
    value = AgentUpgrades(value)
    tenant = _lock(Tenant.objects.all(), tenant.pk)
    if _is_replay(tenant, value, rendered_version):
        return Change(Scope.TENANT, tenant, value, replayed=True)
    now = timezone.now()
    projects = Project.objects.filter(tenant=tenant)
    clusters = Cluster.objects.filter(project__tenant=tenant)
    changed_projects = list(
        projects.exclude(agent_upgrades=value).values_list("pk", "name", "agent_upgrades")
    )
    changed = _changed_clusters(clusters, value)
    agent_version = _catch_up_version(value)
    upgraded = _behind([(old, agent) for *_, old, agent in changed], agent_version)
    _write(Tenant.objects.filter(pk=tenant.pk), value, via=Scope.TENANT, actor=actor, at=now)
    _write(projects, value, via=Scope.TENANT, actor=actor, at=now)
    written = _write_clusters(clusters, value, Scope.TENANT, actor, now, agent_version)
    fields = _audit_fields(actor, now, Scope.TENANT, value)
    events = [
        AuditEvent(
            **fields,
            scope=Scope.TENANT,
            tenant_id=tenant.pk,
            object_name=tenant.name,
            old_value=tenant.agent_upgrades,
        )
    ]
    events += [
        AuditEvent(
            **fields,
            scope=Scope.PROJECT,
            tenant_id=tenant.pk,
            project_id=pk,
            object_name=name,
            old_value=old,
        )
        for pk, name, old in changed_projects
    ]
    events += _cluster_events(changed, fields, tenant_id=tenant.pk)
    AuditEvent.objects.bulk_create(events, batch_size=AUDIT_BATCH_SIZE)
    _applied(tenant, value, via=Scope.TENANT, actor=actor, at=now)
    return Change(Scope.TENANT, tenant, value, written, len(changed), upgraded, agent_version)


def _lock(queryset: QuerySet, pk: int):
    return queryset.select_for_update().get(pk=pk)


def _is_replay(
    obj: AgentUpgradesSetting, value: AgentUpgrades, rendered_version: int | None
) -> bool:
    """A form rendered from an older version is a replay when it asks for what is already
    there (a double click, a retry), and a conflict when it asks for the opposite."""
    if rendered_version is None or rendered_version == obj.agent_upgrades_version:
        return False
    if obj.agent_upgrades == value:
        return True
    raise StaleSetting(obj)


def _write(queryset: QuerySet, value: AgentUpgrades, *, via: Scope, actor, at, **more) -> int:
    return queryset.update(
        agent_upgrades=value,
        agent_upgrades_version=F("agent_upgrades_version") + 1,
        agent_upgrades_set_via=via,
        agent_upgrades_set_by=actor,
        agent_upgrades_set_at=at,
        **more,
    )


def _write_clusters(
    clusters: QuerySet[Cluster], value: AgentUpgrades, via: Scope, actor, at, agent_version: str
) -> int:
    """Write the value; with rule 6 in the same statement: on resume, a paused cluster's agent
    catches up to `agent_version` (the CASE reads the row as it was before the update)."""
    more = {}
    if agent_version:
        more["agent_version"] = Case(
            When(agent_upgrades=AgentUpgrades.LOCK, then=Value(agent_version)),
            default=F("agent_version"),
        )
    return _write(clusters, value, via=via, actor=actor, at=at, **more)


def _catch_up_version(value: AgentUpgrades) -> str:
    """The agent version a resume catches up to; none for a pause. Agents only ever move
    forward to the current version, so 'behind' is 'not current'."""
    return current_agent_version() if value == AgentUpgrades.UNLOCK else ""


def _behind(old_values_and_agents: list[tuple[str, str]], agent_version: str) -> int:
    """How many of these clusters a resume to `agent_version` upgrades."""
    if not agent_version:
        return 0
    return sum(
        1
        for old, agent in old_values_and_agents
        if old == AgentUpgrades.LOCK and agent != agent_version
    )


def _applied(obj: AgentUpgradesSetting, value: AgentUpgrades, *, via: Scope, actor, at) -> None:
    """What `_write` did in the database, done to the object in hand (no reload needed)."""
    obj.agent_upgrades = value
    obj.agent_upgrades_version += 1
    obj.agent_upgrades_set_via = via
    obj.agent_upgrades_set_by = actor
    obj.agent_upgrades_set_at = at


def _changed_clusters(clusters: QuerySet[Cluster], value: AgentUpgrades) -> list[tuple]:
    return list(
        clusters.exclude(agent_upgrades=value).values_list(
            "pk", "name", "project_id", "agent_upgrades", "agent_version"
        )
    )


def _audit_fields(actor, at, via: Scope, value: AgentUpgrades) -> dict:
    return {
        "at": at,
        "actor": actor,
        "actor_name": actor.get_username() if actor else "system",
        "via": via,
        "new_value": value,
    }


def _cluster_events(changed: list[tuple], fields: dict, *, tenant_id: int) -> list[AuditEvent]:
    return [
        AuditEvent(
            **fields,
            scope=Scope.CLUSTER,
            tenant_id=tenant_id,
            project_id=project_id,
            cluster_id=pk,
            object_name=name,
            old_value=old,
        )
        for pk, name, project_id, old, _agent in changed
    ]
