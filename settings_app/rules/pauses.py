"""The pause rules (1 to 6): set a cluster, push a project or a tenant, a new cluster's value,
and how a repeated or stale request is told apart from a new one."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import (
    AgentUpgrades,
    AgentUpgradesSetting,
    AuditEvent,
    Cluster,
    EdgeHost,
    Gateway,
    Project,
    Scope,
    Tenant,
    Via,
)
from . import notices
from .change import read_locked, write_change
from .fleet import FleetCounts, counts_from_rows, others_after_push, others_before_push
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
    return _set_own(cluster, value, actor, rendered_version, pause, api_key_name)


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
    return _set_own(gateway, value, actor, rendered_version, pause, api_key_name)


def _set_own(
    obj: Cluster | Gateway,
    value: AgentUpgrades,
    actor: AbstractBaseUser | None,
    rendered_version: int | None,
    pause: Pause,
    api_key_name: str,
) -> Change:
    """An agent's own value, set directly: a cluster's or a gateway's (rule 6 on a resume)."""
    value, pause = AgentUpgrades(value), pause_for(value, pause.reason, pause.until)
    scope = Scope.CLUSTER if isinstance(obj, Cluster) else Scope.GATEWAY
    obj = read_locked(obj)
    platform_agent = obj.platform_agent or ""
    if _is_replay(obj, value, rendered_version):
        return Change(scope, obj, value, replayed=True, platform_agent=platform_agent)
    write = SettingWrite(value, Via.CLUSTER, actor, timezone.now(), pause, api_key_name)
    catch_up = platform_agent if value == UNLOCK else ""  # rule 6 catches up on resume
    written = write_change(write, own=obj, catch_up=catch_up)
    return Change(
        scope,
        obj,
        value,
        **{"clusters_written" if scope == Scope.CLUSTER else "gateways_written": 1},
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
    project = read_locked(project, **others_before_push("project"))
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
        tenant,
        listening=notices.listening(notices.Event.TENANT_PUSH),
        **others_before_push("tenant"),
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
        hosts=EdgeHost.objects.idle().filter(**within) if obj.idle_hosts_total else None,
        gateways=Gateway.objects.filter(tenant=obj) if getattr(obj, "gateways_total", 0) else None,
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
        counts=replace(
            counts_from_rows(
                list(written.fleet),
                below=scope,
                agent_version=platform_agent,
                now=write.at,
                clusters=clusters,
            ),
            **others_after_push(obj, value),
        ),
        event=written.event,
    )


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
