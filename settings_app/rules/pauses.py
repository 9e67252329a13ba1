"""The pause rules (1 to 6): set a cluster, push a project or a tenant, a new cluster's value,
and how a repeated or stale request is told apart from a new one."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
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
    paused_now,
)
from ..models.fleet import current_agent_subquery
from .fleet import FleetCounts, counts_from_rows
from .writes import NO_PAUSE, Pause, SettingWrite, caught_up, pause_for, typed

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
    project = cluster.project
    if project.pause_expired:  # the value that holds: the project's pause has ended
        cluster.agent_upgrades = UNLOCK
        cluster.agent_upgrades_set_via = Via.EXPIRY
        cluster.agent_upgrades_set_at = project.agent_upgrades_until
    else:
        cluster.copy_setting_from(project)
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
    AuditEvent.objects.create(
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


# Every change starts by locking its tenant's row: on PostgreSQL the changes within a tenant
# (and a release, which locks every tenant) take turns, and since each takes the tenant's row
# before any other, they never wait for each other in a circle. Only then does it read its
# object, in a statement of its own, so that it sees what the change before it committed.
# (SQLite's BEGIN IMMEDIATE serialises all writers anyway.)


def lock_tenant(**path) -> None:
    """Lock the row of the tenant that `path` (a filter on tenants) leads to. Nothing else may be
    read in the same statement: on PostgreSQL a statement that waited for the lock still reads
    what was committed when it began, before the change (or release) it waited for."""
    list(Tenant.objects.select_for_update(of=("self",)).filter(**path).values_list("pk"))


def read_with_platform_agent(queryset: QuerySet, pk: int):
    """The object at `pk`, with the platform's current agent version (read in the same
    statement) as `platform_agent`."""
    return queryset.annotate(platform_agent=current_agent_subquery()).get(pk=pk)


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
    lock_tenant(projects__clusters=cluster.pk)
    cluster = read_with_platform_agent(
        Cluster.objects.select_related("project__tenant"), cluster.pk
    )
    platform_agent = cluster.platform_agent or ""
    if _is_replay(cluster, value, rendered_version):
        return Change(Scope.CLUSTER, cluster, value, replayed=True, platform_agent=platform_agent)
    write = SettingWrite(value, Via.CLUSTER, actor, timezone.now(), pause, api_key_name)
    old_value = cluster.effective_agent_upgrades
    catch_up = platform_agent if value == UNLOCK else ""  # rule 6 catches up on resume
    if cluster.agent_upgrades != LOCK or cluster.agent_version == catch_up:
        catch_up = ""  # no agent held back here: no statement looks for one
    one = Cluster.objects.filter(pk=cluster.pk)
    upgraded = write.record_catch_up(one, catch_up)
    write.update_clusters(one, catch_up)
    event = write.audit_one(cluster, old_value, agents_upgraded=upgraded)
    write.apply(cluster)
    if upgraded:
        cluster.agent_version = catch_up
    return Change(
        Scope.CLUSTER,
        cluster,
        value,
        clusters_written=1,
        agents_upgraded=upgraded,
        agent_version=catch_up,
        platform_agent=platform_agent,
        event=event,
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
    lock_tenant(projects=project.pk)
    project = read_with_platform_agent(Project.objects.select_related("tenant"), project.pk)
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
    lock_tenant(pk=tenant.pk)
    tenant = read_with_platform_agent(Tenant.objects.all(), tenant.pk)
    write = SettingWrite(value, Via.TENANT, actor, timezone.now(), pause, api_key_name)
    return _push(tenant, write, rendered_version, below=Project.objects.filter(tenant=tenant))


def _push(
    obj: Project | Tenant,
    write: SettingWrite,
    rendered_version: int | None,
    *,
    below: QuerySet[Project] | None,
) -> Change:
    """Rule 2 for a project or a tenant (`obj`, its tenant locked): `write` to its own row, the
    projects `below` it (a tenant's), and all their clusters, in a fixed number of statements."""
    scope = Scope.TENANT if isinstance(obj, Tenant) else Scope.PROJECT
    value, now = write.new_value, write.at
    platform_agent = obj.platform_agent or ""
    if _is_replay(obj, value, rendered_version):
        return Change(scope, obj, value, replayed=True, platform_agent=platform_agent)
    catch_up = platform_agent if value == UNLOCK else ""  # rule 6 catches up on resume
    clusters = Cluster.objects.filter(
        **({"tenant": obj} if scope == Scope.TENANT else {"project": obj})
    )
    # The push's own event first, then its clusters': read newest first, each cause sits
    # below its effects. A cluster whose value stays gets one too when the push rewrites where
    # the value came from (or drops a reason set below): its History shows why.
    event = write.audit_one(obj, obj.effective_agent_upgrades)
    part = {"part_of_id": Value(event.pk), "old_value": held_value(now)}
    parts = [
        (
            clusters.exclude(write.leaves_as_it_was(now)).order_by("name", "pk"),
            part
            | {
                "scope": Value(Scope.CLUSTER),
                "tenant_id": F("tenant_id"),
                "project_id": F("project_id"),
                "cluster_id": F("pk"),
                "agents_upgraded": caught_up(catch_up),
            },
        )
    ]
    if below is not None:  # a tenant's projects, in the same statement
        parts.append(
            (
                below.exclude(write.leaves_as_it_was(now)).order_by("name", "pk"),
                part
                | {
                    "scope": Value(Scope.PROJECT),
                    "tenant_id": F("tenant_id"),
                    "project_id": F("pk"),
                    "cluster_id": typed(None, IntegerField()),
                    "agents_upgraded": Value(0),
                },
            )
        )
    write.audit_rows(*parts)
    upgraded = write.record_catch_up(clusters, catch_up)
    write.update(type(obj).objects.filter(pk=obj.pk))
    if below is not None:
        write.update(below)
    written, fleet = write.update_clusters(clusters, catch_up)
    write.apply(obj)
    return Change(
        scope,
        obj,
        value,
        clusters_written=written,
        agents_upgraded=upgraded,
        agent_version=catch_up,
        platform_agent=platform_agent,
        counts=counts_from_rows(
            fleet, below=scope, agent_version=platform_agent, now=now, clusters=clusters
        ),
        event=event,
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


def held_value(now) -> Case:
    """The value that holds on each row at `now`, as SQL."""
    return Case(When(paused_now(now), then=Value(LOCK)), default=Value(UNLOCK))
