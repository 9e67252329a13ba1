"""The rules of pausing agent upgrades (DESIGN.md §1), as plain functions with no request in sight.

1. Only a cluster's own value decides whether its agent is held back (and a pause whose end has
   passed no longer holds).
2. Setting a project or tenant pushes the value down to everything below it, every time.
3. A lower scope may override until the next push; 4. it never writes upward.
5. A new cluster takes its project's current value.
6. A cluster going from lock to unlock catches its agent up to the platform's agent version.

A platform release rolls the new agent out to every cluster whose pause does not hold, and holds
back the rest. Each change is one transaction: values, cascade, agent upgrades and audit events
commit together or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from .models import (
    AgentUpgrade,
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
    version_key,
)

BATCH_SIZE = 1000
LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
VERSION = re.compile(r"^[0-9]{1,6}\.[0-9]{1,6}\.[0-9]{1,6}$")


class StaleSetting(Exception):
    """The form was rendered from an older version and asks for the opposite of what holds now."""

    def __init__(self, current: AgentUpgradesSetting) -> None:
        super().__init__(f"{current} has changed since the form was rendered")
        self.current = current


class InvalidRelease(ValueError):
    """A platform version that is malformed or not newer than the current one."""


class InvalidPause(ValueError):
    """A pause whose end is not in the future."""


@dataclass(frozen=True)
class Pause:
    """What a pause may carry: why, and until when (None: until someone resumes)."""

    reason: str = ""
    until: datetime | None = None


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
    projects: int  # projects that hold these clusters
    paused: int  # clusters whose pause holds now
    behind: int  # clusters whose agent is behind the platform's
    set_below: int  # clusters whose value was written by a scope below the one asked about
    paused_behind: int  # paused clusters whose agent a resume would upgrade


@dataclass(frozen=True)
class Expiry:
    """What the end of pauses resumed."""

    tenants: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    agents_upgraded: int = 0
    agent_version: str = ""


@dataclass(frozen=True)
class ProjectRollout:
    tenant: str
    project: str
    upgraded: int
    held_back: int


@dataclass(frozen=True)
class Rollout:
    release: PlatformRelease
    previous: PlatformRelease | None
    upgraded: int
    held_back: int
    by_project: list[ProjectRollout]
    resumed: Expiry


def is_held_back(cluster: Cluster) -> bool:
    """Rule 1: the cluster's own value decides; project and tenant values are never read."""
    return cluster.is_paused


def current_agent_version() -> str:
    release = PlatformRelease.current()
    return release.agent_version if release else ""


def adopt_project_setting(cluster: Cluster) -> None:
    """Rule 5: an unsaved cluster takes its project's value, and where that value came from."""
    project = cluster.project
    if project.pause_expired:  # the value that holds: the project's pause has ended
        cluster.agent_upgrades = UNLOCK
        cluster.agent_upgrades_set_via = Via.EXPIRY
        cluster.agent_upgrades_set_by = None
        cluster.agent_upgrades_set_at = project.agent_upgrades_until
        cluster.agent_upgrades_reason, cluster.agent_upgrades_until = "", None
        return
    cluster.agent_upgrades = project.agent_upgrades
    cluster.agent_upgrades_set_via = project.agent_upgrades_set_via
    cluster.agent_upgrades_set_by = project.agent_upgrades_set_by
    cluster.agent_upgrades_set_at = project.agent_upgrades_set_at
    cluster.agent_upgrades_reason = project.agent_upgrades_reason
    cluster.agent_upgrades_until = project.agent_upgrades_until


def new_cluster(project: Project, name: str, *, agent_version: str | None = None) -> Cluster:
    cluster = Cluster(project=project, name=name)
    adopt_project_setting(cluster)
    cluster.agent_version = agent_version or current_agent_version()
    cluster.full_clean()
    cluster.save()
    return cluster


def cluster_counts(
    clusters: QuerySet[Cluster], *, below: Scope, agent_version: str, now: datetime | None = None
) -> ClusterCounts:
    """Counts for a push preview and a settings panel, in one query."""
    lower = [Via.CLUSTER] if below == Scope.PROJECT else [Via.CLUSTER, Via.PROJECT]
    paused = paused_now(now or timezone.now())
    behind = ~Q(agent_version=agent_version) if agent_version else Q(pk__isnull=True)
    counts = clusters.aggregate(
        total=Count("pk"),
        projects=Count("project", distinct=True),
        paused=Count("pk", filter=paused),
        behind=Count("pk", filter=behind),
        set_below=Count("pk", filter=Q(agent_upgrades_set_via__in=lower)),
        paused_behind=Count("pk", filter=paused & behind),
    )
    return ClusterCounts(**counts)


# Changes. Each one starts by locking its tenant's row, and only then its own object's row: on
# PostgreSQL the changes within one tenant take turns, and since each takes the tenant's row
# before any other, a push (which goes on to lock projects and clusters) and a cluster change
# never wait for each other in a circle. (SQLite's BEGIN IMMEDIATE serialises all writers anyway.)


@transaction.atomic
def set_cluster(
    cluster: Cluster,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = Pause(),
) -> Change:
    """Set one cluster's own value (rules 3 and 4: it overrides, and writes nothing upward)."""
    value, pause = AgentUpgrades(value), _pause_for(value, pause)
    cluster = _lock(Cluster.objects.select_related("project__tenant"), cluster.pk)
    if _is_replay(cluster, value, rendered_version):
        return Change(Scope.CLUSTER, cluster, value, replayed=True)
    now = timezone.now()
    old_value = cluster.effective_agent_upgrades
    agent_version = _catch_up_version(value)
    resumed = [(cluster.pk, cluster.agent_version)] if cluster.agent_upgrades == LOCK else []
    written = _write_clusters(
        Cluster.objects.filter(pk=cluster.pk), value, Via.CLUSTER, actor, now, pause, agent_version
    )
    fields = _audit_fields(actor, now, Via.CLUSTER, value, pause)
    AuditEvent.objects.create(
        **fields,
        scope=Scope.CLUSTER,
        tenant_id=cluster.project.tenant_id,
        project_id=cluster.project_id,
        cluster_id=cluster.pk,
        object_name=cluster.name,
        old_value=old_value,
    )
    upgraded = _record_catch_up(resumed, agent_version, actor, now)
    _applied(cluster, value, via=Via.CLUSTER, actor=actor, at=now, pause=pause)
    if upgraded:
        cluster.agent_version = agent_version
    return Change(
        Scope.CLUSTER, cluster, value, written, int(old_value != value), upgraded, agent_version
    )


@transaction.atomic
def push_project(
    project: Project,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = Pause(),
) -> Change:
    """Rule 2: write the value to the project and to every cluster in it."""
    value, pause = AgentUpgrades(value), _pause_for(value, pause)
    project = _lock(Project.objects.select_related("tenant"), project.pk)
    if _is_replay(project, value, rendered_version):
        return Change(Scope.PROJECT, project, value, replayed=True)
    now = timezone.now()
    clusters = Cluster.objects.filter(project=project)
    changed, resumed = _clusters_to_write(clusters, value, now)
    agent_version = _catch_up_version(value)
    old_value = project.effective_agent_upgrades
    _write(Project.objects.filter(pk=project.pk), value, Via.PROJECT, actor, now, pause)
    written = _write_clusters(clusters, value, Via.PROJECT, actor, now, pause, agent_version)
    fields = _audit_fields(actor, now, Via.PROJECT, value, pause)
    events = [
        AuditEvent(
            **fields,
            scope=Scope.PROJECT,
            tenant_id=project.tenant_id,
            project_id=project.pk,
            object_name=project.name,
            old_value=old_value,
        )
    ]
    events += _cluster_events(changed, fields)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    upgraded = _record_catch_up(resumed, agent_version, actor, now)
    _applied(project, value, via=Via.PROJECT, actor=actor, at=now, pause=pause)
    return Change(Scope.PROJECT, project, value, written, len(changed), upgraded, agent_version)


@transaction.atomic
def push_tenant(
    tenant: Tenant,
    value: AgentUpgrades,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
    pause: Pause = Pause(),
) -> Change:
    """Rule 2: write the value to the tenant, to every project in it and every cluster in them."""
    value, pause = AgentUpgrades(value), _pause_for(value, pause)
    tenant = _lock(Tenant.objects.all(), tenant.pk)
    if _is_replay(tenant, value, rendered_version):
        return Change(Scope.TENANT, tenant, value, replayed=True)
    now = timezone.now()
    projects = Project.objects.filter(tenant=tenant)
    clusters = Cluster.objects.filter(project__tenant=tenant)
    changed_projects = list(
        projects.filter(_differs(value, now)).values_list(
            "pk", "name", "agent_upgrades", "agent_upgrades_until"
        )
    )
    changed, resumed = _clusters_to_write(clusters, value, now)
    agent_version = _catch_up_version(value)
    old_value = tenant.effective_agent_upgrades
    _write(Tenant.objects.filter(pk=tenant.pk), value, Via.TENANT, actor, now, pause)
    _write(projects, value, Via.TENANT, actor, now, pause)
    written = _write_clusters(clusters, value, Via.TENANT, actor, now, pause, agent_version)
    fields = _audit_fields(actor, now, Via.TENANT, value, pause)
    events = [
        AuditEvent(
            **fields,
            scope=Scope.TENANT,
            tenant_id=tenant.pk,
            object_name=tenant.name,
            old_value=old_value,
        )
    ]
    events += [
        AuditEvent(
            **fields,
            scope=Scope.PROJECT,
            tenant_id=tenant.pk,
            project_id=pk,
            object_name=name,
            old_value=_held(stored, until, now),
        )
        for pk, name, stored, until in changed_projects
        if _held(stored, until, now) != value
    ]
    events += _cluster_events(changed, fields)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    upgraded = _record_catch_up(resumed, agent_version, actor, now)
    _applied(tenant, value, via=Via.TENANT, actor=actor, at=now, pause=pause)
    return Change(Scope.TENANT, tenant, value, written, len(changed), upgraded, agent_version)


@transaction.atomic
def resume_expired_pauses(now: datetime | None = None) -> Expiry:
    """Pauses whose end has passed stop holding at once; this writes it down: their tenants,
    projects and clusters go to unlock, and the clusters' agents catch up (rule 6)."""
    return _resume_expired(now or timezone.now(), current_agent_version())


def _resume_expired(now: datetime, agent_version: str) -> Expiry:
    """Resume what has ended, catching agents up to `agent_version` (none: no catch-up, as
    when a release's rollout is about to upgrade them anyway)."""
    expired = Q(agent_upgrades=LOCK, agent_upgrades_until__lte=now)
    tenants = list(
        Tenant.objects.select_for_update()
        .filter(expired)
        .values_list("pk", "name", "agent_upgrades_until")
    )
    projects = list(
        Project.objects.filter(expired).values_list(
            "pk", "name", "tenant_id", "agent_upgrades_until"
        )
    )
    clusters = list(
        Cluster.objects.filter(expired).values_list(
            "pk",
            "name",
            "project_id",
            "project__tenant_id",
            "agent_version",
            "agent_upgrades_until",
        )
    )
    none = Pause()
    if tenants:
        _write(Tenant.objects.filter(expired), UNLOCK, Via.EXPIRY, None, now, none)
    if projects:
        _write(Project.objects.filter(expired), UNLOCK, Via.EXPIRY, None, now, none)
    if clusters:
        _write_clusters(
            Cluster.objects.filter(expired), UNLOCK, Via.EXPIRY, None, now, none, agent_version
        )
    # The pause stopped holding at its end; the audit trail says that it ended, and when.
    fields = {"at": now, "actor": None, "actor_name": "system", "via": Via.EXPIRY}
    fields |= {"new_value": UNLOCK, "old_value": LOCK}
    events = [
        AuditEvent(**fields, scope=Scope.TENANT, tenant_id=pk, object_name=name, until=until)
        for pk, name, until in tenants
    ]
    events += [
        AuditEvent(
            **fields,
            scope=Scope.PROJECT,
            tenant_id=tenant_id,
            project_id=pk,
            object_name=name,
            until=until,
        )
        for pk, name, tenant_id, until in projects
    ]
    events += [
        AuditEvent(
            **fields,
            scope=Scope.CLUSTER,
            tenant_id=tenant_id,
            project_id=project_id,
            cluster_id=pk,
            object_name=name,
            until=until,
        )
        for pk, name, project_id, tenant_id, _agent, until in clusters
    ]
    AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    resumed = [(pk, agent) for pk, _name, _p, _t, agent, _until in clusters]
    upgraded = _record_catch_up(resumed, agent_version, None, now, cause=AgentUpgrade.Cause.EXPIRY)
    return Expiry(
        tenants=[name for _, name, _ in tenants],
        projects=[name for _, name, _, _ in projects],
        clusters=[row[1] for row in clusters],
        agents_upgraded=upgraded,
        agent_version=agent_version,
    )


@transaction.atomic
def release_platform(
    version: str,
    *,
    agent_version: str = "",
    actor: AbstractBaseUser | None = None,
) -> Rollout:
    """Make `version` the platform's current release and roll its agent out: every cluster
    whose pause does not hold gets the new agent; every paused cluster keeps its own."""
    version, agent_version = version.strip(), (agent_version or version).strip()
    for text in (version, agent_version):
        if not VERSION.match(text):
            raise InvalidRelease(
                f"“{text}” is not a version. Use three numbers separated by dots, like 4.8.0."
            )
    previous = PlatformRelease.objects.select_for_update().order_by("-released_at", "-id").first()
    if previous and version_key(version) <= version_key(previous.version):
        raise InvalidRelease(
            f"{version} is not newer than the current platform version {previous.version}. "
            "Nothing was released."
        )
    if previous and version_key(agent_version) < version_key(previous.agent_version):
        raise InvalidRelease(
            f"Agent {agent_version} is older than the current agent {previous.agent_version}. "
            "Nothing was released."
        )
    now = timezone.now()
    # A pause that has ended holds nothing back: resume it, and let the rollout upgrade it.
    resumed = _resume_expired(now, agent_version="")
    active = Q(agent_upgrades=UNLOCK)
    outdated = ~Q(agent_version=agent_version)
    by_project = [
        ProjectRollout(row["tenant_name"], row["project_name"], row["upgraded"], row["held_back"])
        for row in Cluster.objects.values(
            tenant_name=F("project__tenant__name"), project_name=F("project__name")
        )
        .annotate(
            upgraded=Count("pk", filter=active & outdated),
            held_back=Count("pk", filter=Q(agent_upgrades=LOCK) & outdated),
        )
        .order_by("tenant_name", "project_name")
    ]
    upgraded = sum(p.upgraded for p in by_project)
    held_back = sum(p.held_back for p in by_project)
    release = PlatformRelease.objects.create(
        version=version,
        agent_version=agent_version,
        released_at=now,
        released_by=actor,
        agents_upgraded=upgraded,
        agents_held_back=held_back,
    )
    to_upgrade = Cluster.objects.filter(active & outdated)
    rows = list(to_upgrade.values_list("pk", "agent_version"))
    to_upgrade.update(agent_version=agent_version)
    AgentUpgrade.objects.bulk_create(
        [
            AgentUpgrade(
                cluster_id=pk,
                from_version=old,
                to_version=agent_version,
                at=now,
                cause=AgentUpgrade.Cause.RELEASE,
                release=release,
                actor=actor,
                actor_name=actor.get_username() if actor else "system",
            )
            for pk, old in rows
        ],
        batch_size=BATCH_SIZE,
    )
    return Rollout(release, previous, upgraded, held_back, by_project, resumed)


def _lock(queryset: QuerySet, pk: int):
    """Lock the tenant's row of the object at `pk`, then the object's own row; the object.
    (Locking a cluster with its project and tenant in one statement would take the cluster's row
    first, and deadlock with a push that holds the tenant and waits for that cluster.)"""
    if queryset.model is not Tenant:
        path = "projects" if queryset.model is Project else "projects__clusters"
        tenant = Tenant.objects.select_for_update(of=("self",)).filter(**{path: pk})
        list(tenant.values_list("pk", flat=True))
    return queryset.select_for_update(of=("self",)).get(pk=pk)


def _pause_for(value: AgentUpgrades, pause: Pause) -> Pause:
    """A resume carries no reason or end; a pause's end must lie ahead."""
    if AgentUpgrades(value) == UNLOCK:
        return Pause()
    if pause.until is not None and pause.until <= timezone.now():
        raise InvalidPause("“Pause until” must be in the future.")
    return pause


def _held(stored: str, until: datetime | None, now: datetime) -> AgentUpgrades:
    """The value that holds at `now`, from what is stored."""
    return LOCK if stored == LOCK and (until is None or until > now) else UNLOCK


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


def _differs(value: AgentUpgrades, now: datetime) -> Q:
    """Rows that writing `value` changes: what holds differs, or a stored pause has ended."""
    return ~Q(agent_upgrades=value) | Q(agent_upgrades=LOCK, agent_upgrades_until__lte=now)


def _clusters_to_write(
    clusters: QuerySet[Cluster], value: AgentUpgrades, now: datetime
) -> tuple[list[tuple], list[tuple[int, str]]]:
    """The clusters whose holding value the change turns into `value` (for the audit trail),
    and the stored pauses a resume ends (for rule 6's catch-up)."""
    rows = clusters.filter(_differs(value, now)).values_list(
        "pk",
        "name",
        "project_id",
        "project__tenant_id",
        "agent_upgrades",
        "agent_upgrades_until",
        "agent_version",
    )
    changed, resumed = [], []
    for pk, name, project_id, tenant_id, stored, until, agent in rows:
        old = _held(stored, until, now)
        if old != value:
            changed.append((pk, name, project_id, tenant_id, old))
        if stored == LOCK and value == UNLOCK:
            resumed.append((pk, agent))
    return changed, resumed


def _write(
    queryset: QuerySet, value: AgentUpgrades, via: Via, actor, at, pause: Pause, **more
) -> int:
    return queryset.update(
        agent_upgrades=value,
        agent_upgrades_version=F("agent_upgrades_version") + 1,
        agent_upgrades_set_via=via,
        agent_upgrades_set_by=actor,
        agent_upgrades_set_at=at,
        agent_upgrades_reason=pause.reason,
        agent_upgrades_until=pause.until,
        **more,
    )


def _write_clusters(
    clusters: QuerySet[Cluster],
    value: AgentUpgrades,
    via: Via,
    actor,
    at,
    pause: Pause,
    agent_version: str,
) -> int:
    """Write the value; with rule 6 in the same statement: on resume, a stored pause's agent
    catches up to `agent_version` (the CASE reads the row as it was before the update)."""
    more = {}
    if agent_version:
        more["agent_version"] = Case(
            When(agent_upgrades=LOCK, then=Value(agent_version)), default=F("agent_version")
        )
    return _write(clusters, value, via, actor, at, pause, **more)


def _catch_up_version(value: AgentUpgrades) -> str:
    """The agent version a resume catches up to; none for a pause."""
    return current_agent_version() if value == UNLOCK else ""


def _record_catch_up(
    resumed: list[tuple[int, str]],
    agent_version: str,
    actor,
    at,
    cause: AgentUpgrade.Cause = AgentUpgrade.Cause.RESUME,
) -> int:
    """Record the agent upgrades that rule 6 made; returns how many."""
    if not agent_version:
        return 0
    upgrades = [
        AgentUpgrade(
            cluster_id=pk,
            from_version=old,
            to_version=agent_version,
            at=at,
            cause=cause,
            actor=actor,
            actor_name=actor.get_username() if actor else "system",
        )
        for pk, old in resumed
        if old != agent_version
    ]
    AgentUpgrade.objects.bulk_create(upgrades, batch_size=BATCH_SIZE)
    return len(upgrades)


def _applied(
    obj: AgentUpgradesSetting, value: AgentUpgrades, *, via: Via, actor, at, pause: Pause
) -> None:
    """What `_write` did in the database, done to the object in hand (no reload needed)."""
    obj.agent_upgrades = value
    obj.agent_upgrades_version += 1
    obj.agent_upgrades_set_via = via
    obj.agent_upgrades_set_by = actor
    obj.agent_upgrades_set_at = at
    obj.agent_upgrades_reason = pause.reason
    obj.agent_upgrades_until = pause.until


def _audit_fields(actor, at, via: Via, value: AgentUpgrades, pause: Pause) -> dict:
    return {
        "at": at,
        "actor": actor,
        "actor_name": actor.get_username() if actor else "system",
        "via": via,
        "new_value": value,
        "reason": pause.reason,
        "until": pause.until,
    }


def _cluster_events(changed: list[tuple], fields: dict) -> list[AuditEvent]:
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
        for pk, name, project_id, tenant_id, old in changed
    ]
