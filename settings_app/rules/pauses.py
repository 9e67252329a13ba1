"""The pause rules (1 to 6): set a cluster, push a project or a tenant, a new cluster's value,
and how a repeated or stale request is told apart from a new one."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import (
    AgentUpgrades,
    AgentUpgradesSetting,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    Scope,
    Tenant,
    Via,
)
from . import notices
from .change import audit_act, lock_tenant, read_locked, take_setting_of, write_change
from .fleet import FleetCounts, counts_from_rows
from .writes import NO_PAUSE, Pause, SettingWrite, pause_for

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


class StaleSetting(Exception):
    """The form was rendered from an older version and asks for the opposite of what holds now."""

    def __init__(self, current: AgentUpgradesSetting) -> None:
        super().__init__(f"{current} has changed since the form was rendered")
        self.current = current


@dataclass(frozen=True)
class Change:
    """What one change did, for the answer that confirms it."""

    scope: Scope
    target: Tenant | Project | Cluster
    value: AgentUpgrades
    clusters_written: int = 0
    agents_upgraded: int = 0
    agent_version: str = ""  # the version the upgraded agents moved to
    replayed: bool = False  # the same request again (double click, retry): nothing was written
    platform_agent: str = ""  # read by the change; its answer needn't read it again
    counts: FleetCounts | None = None  # the pushed scope's clusters, counted by the change
    event: AuditEvent | None = None  # the change's own audit event
    undid: AuditEvent | None = None  # for an undo: the change it undid


def is_held_back(cluster: Cluster) -> bool:
    """Rule 1: the cluster's own value decides; project and tenant values are never read."""
    return cluster.is_paused


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


@transaction.atomic
def set_cluster(
    cluster: Cluster,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = NO_PAUSE,
    api_key_name: str = "",
) -> Change:
    """Set one cluster's own value (rules 3 and 4: it overrides, and writes nothing upward)."""
    value, pause = AgentUpgrades(value), pause_for(value, pause.reason, pause.until)
    cluster = read_locked(cluster)
    platform_agent = cluster.platform_agent or ""
    if _is_replay(cluster, value, rendered_version):
        return Change(Scope.CLUSTER, cluster, value, replayed=True, platform_agent=platform_agent)
    write = SettingWrite(value, Via.CLUSTER, actor, timezone.now(), pause, api_key_name)
    catch_up = platform_agent if value == UNLOCK else ""  # rule 6 catches up on resume
    written = write_change(write, own=cluster, catch_up=catch_up)
    return Change(
        Scope.CLUSTER,
        cluster,
        value,
        clusters_written=1,
        agents_upgraded=written.agents_upgraded,
        agent_version=catch_up if written.agents_upgraded else "",
        platform_agent=platform_agent,
        event=written.event,
    )


@transaction.atomic
def push_project(
    project: Project,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = NO_PAUSE,
    api_key_name: str = "",
) -> Change:
    """Rule 2: write the value to the project and to every cluster in it."""
    value, pause = AgentUpgrades(value), pause_for(value, pause.reason, pause.until)
    project = read_locked(project)
    write = SettingWrite(value, Via.PROJECT, actor, timezone.now(), pause, api_key_name)
    return _push(project, write, rendered_version, below=None)


@transaction.atomic
def push_tenant(
    tenant: Tenant,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = NO_PAUSE,
    api_key_name: str = "",
) -> Change:
    """Rule 2: write the value to the tenant, to every project in it and every cluster in them."""
    value, pause = AgentUpgrades(value), pause_for(value, pause.reason, pause.until)
    tenant = read_locked(tenant, listening=notices.listening(notices.Event.TENANT_PUSH))
    write = SettingWrite(value, Via.TENANT, actor, timezone.now(), pause, api_key_name)
    change = _push(tenant, write, rendered_version, below=Project.objects.filter(tenant=tenant))
    if not change.replayed and tenant.listening:  # read with the tenant: no statement more
        notices.tenant_pushed(change, actor=actor, api_key_name=api_key_name)
    return change


def _push(
    obj: Project | Tenant,
    write: SettingWrite,
    rendered_version: int | None,
    *,
    below: QuerySet[Project] | None,
) -> Change:
    """Rule 2 for a project or a tenant (`obj`, read locked): `write` to its own row, the
    projects `below` it (a tenant's), and all their clusters. A cluster whose value stays gets
    an event too when the push rewrites where the value came from (or drops a reason set
    below): its History shows why."""
    scope = Scope.TENANT if isinstance(obj, Tenant) else Scope.PROJECT
    value = write.new_value
    platform_agent = obj.platform_agent or ""
    if _is_replay(obj, value, rendered_version):
        return Change(scope, obj, value, replayed=True, platform_agent=platform_agent)
    catch_up = platform_agent if value == UNLOCK else ""  # rule 6 catches up on resume
    clusters = Cluster.objects.filter(
        **({"tenant": obj} if scope == Scope.TENANT else {"project": obj})
    )
    written = write_change(write, own=obj, projects=below, clusters=clusters, catch_up=catch_up)
    return Change(
        scope,
        obj,
        value,
        clusters_written=written.clusters_written,
        agents_upgraded=written.agents_upgraded,
        agent_version=catch_up,
        platform_agent=platform_agent,
        counts=counts_from_rows(
            list(written.fleet),
            below=scope,
            agent_version=platform_agent,
            now=write.at,
            clusters=clusters,
        ),
        event=written.event,
    )


def change_agent_upgrades(
    obj: Tenant | Project | Cluster,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = NO_PAUSE,
    api_key_name: str = "",
) -> Change:
    """Set a cluster, or push a project or a tenant: the rule for the kind of object. A change
    that came through an API key names it (`api_key_name`), and its audit events record it."""
    rule = {Tenant: push_tenant, Project: push_project, Cluster: set_cluster}[type(obj)]
    return rule(
        obj,
        value,
        actor=actor,
        rendered_version=rendered_version,
        pause=pause,
        api_key_name=api_key_name,
    )


def _is_replay(
    obj: AgentUpgradesSetting, value: AgentUpgrades, rendered_version: int | None
) -> bool:
    """A form rendered from an older version is a replay when it asks for what holds already
    (a double click, a retry), and a conflict when it asks for the opposite."""
    if rendered_version is None or rendered_version == obj.agent_upgrades_version:
        return False
    if obj.effective_agent_upgrades == value:
        return True
    raise StaleSetting(obj)
