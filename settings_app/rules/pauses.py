"""The pause rules (1 to 6): set a cluster, push a project or a tenant, a new cluster's value,
and how a repeated or stale request is told apart from a new one."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ..models import (
    AgentUpgrades,
    AgentUpgradesSetting,
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
    target: Tenant | Project | Cluster | Gateway
    value: AgentUpgrades
    clusters_written: int = 0
    gateways_written: int = 0
    hosts_written: int = 0  # idle Edge hosts
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
def set_gateway(
    gateway: Gateway,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = NO_PAUSE,
    api_key_name: str = "",
) -> Change:
    """Set one gateway's own value: it writes only the gateway (there is no project scope for
    gateways; the tenant's next push overwrites it). A resume catches its agent up (rule 6)."""
    value, pause = AgentUpgrades(value), pause_for(value, pause.reason, pause.until)
    gateway = read_locked(gateway)
    platform_agent = gateway.platform_agent or ""
    if _is_replay(gateway, value, rendered_version):
        return Change(Scope.GATEWAY, gateway, value, replayed=True, platform_agent=platform_agent)
    write = SettingWrite(value, Via.CLUSTER, actor, timezone.now(), pause, api_key_name)
    catch_up = platform_agent if value == UNLOCK else ""
    written = write_change(write, own=gateway, catch_up=catch_up)
    return Change(
        Scope.GATEWAY,
        gateway,
        value,
        gateways_written=1,
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
    project = read_locked(project, **_others_there("project"))
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
    tenant = read_locked(
        tenant, listening=notices.listening(notices.Event.TENANT_PUSH), **_others_there("tenant")
    )
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
    projects `below` it (a tenant's), all their clusters and idle Edge hosts, and a tenant's
    gateways. A cluster whose value stays gets
    an event too when the push rewrites where the value came from (or drops a reason set
    below): its History shows why."""
    scope = Scope.TENANT if isinstance(obj, Tenant) else Scope.PROJECT
    value = write.new_value
    platform_agent = obj.platform_agent or ""
    if _is_replay(obj, value, rendered_version):
        return Change(scope, obj, value, replayed=True, platform_agent=platform_agent)
    catch_up = platform_agent if value == UNLOCK else ""  # rule 6 catches up on resume
    within = {"tenant": obj} if scope == Scope.TENANT else {"project": obj}
    clusters = Cluster.objects.filter(**within)
    written = write_change(
        write,
        own=obj,
        projects=below,
        clusters=clusters,
        hosts=EdgeHost.objects.idle().filter(**within) if obj.idle_hosts_there else None,
        gateways=Gateway.objects.filter(tenant=obj) if getattr(obj, "gateways_there", 0) else None,
        catch_up=catch_up,
    )
    return Change(
        scope,
        obj,
        value,
        clusters_written=written.clusters_written,
        gateways_written=written.gateways_written,
        hosts_written=written.hosts_written,
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


def _others_there(within: str) -> dict:
    """Whether the tenant or project (OuterRef) has gateways (a tenant only) and idle Edge
    hosts, as SQL read with it: a push writes them only where there are some, so that a scope
    without them costs no statement more."""
    there = {"idle_hosts_there": Exists(EdgeHost.objects.idle().filter(**{within: OuterRef("pk")}))}
    if within == "tenant":
        there["gateways_there"] = Exists(Gateway.objects.filter(tenant=OuterRef("pk")))
    return there


def change_agent_upgrades(
    obj: Tenant | Project | Cluster | Gateway,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = NO_PAUSE,
    api_key_name: str = "",
) -> Change:
    """Set a cluster or a gateway, or push a project or a tenant: the rule for the kind of object. A change
    that came through an API key names it (`api_key_name`), and its audit events record it."""
    rule = {
        Tenant: push_tenant,
        Project: push_project,
        Cluster: set_cluster,
        Gateway: set_gateway,
    }[type(obj)]
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
