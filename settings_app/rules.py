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
from django.db import connections, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from .models import (
    AgentUpgrade,
    AgentUpgrades,
    AgentUpgradesSetting,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    ProjectFleet,
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
class ClusterCounts:
    total: int
    projects: int  # projects that hold these clusters
    paused: int  # clusters whose pause holds now
    behind: int  # clusters whose agent is behind the platform's
    set_below: int  # clusters whose value was written by a scope below the one asked about
    paused_behind: int  # paused clusters whose agent a resume would upgrade


@dataclass(frozen=True)
class Change:
    """What one change did, for the message that confirms it."""

    scope: Scope
    target: Tenant | Project | Cluster
    value: AgentUpgrades
    clusters_written: int = 0
    clusters_changed: int = 0
    agents_upgraded: int = 0
    agent_version: str = ""  # the version the upgraded agents moved to
    replayed: bool = False  # the same request again (double click, retry): nothing was written
    platform_agent: str | None = None  # read by the change; its answer needn't read it again
    counts: ClusterCounts | None = None  # the pushed scope's clusters, counted by the change


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
    with transaction.atomic():
        cluster = Cluster(project=project, tenant_id=project.tenant_id, name=name)
        adopt_project_setting(cluster)
        cluster.agent_version = agent_version or current_agent_version()
        cluster.full_clean()
        cluster.save()
        refresh_fleet(Project.objects.filter(pk=project.pk))
    return cluster


def refresh_fleet(
    projects: QuerySet[Project] | None = None,
    agent_version: str | None = None,
    *,
    prune: bool = False,
) -> list[dict]:
    """Rewrite the fleet rows of these projects (every project when None) from their clusters:
    one upsert, whatever their number. Every change calls it in its transaction. `prune` also
    drops the rows of projects left with no cluster (the admin deleting or moving clusters).
    Returns the rows written, so that a change can say its counts without asking again."""
    if agent_version is None:
        agent_version = current_agent_version()
    clusters = Cluster.objects.filter(project__isnull=False)
    rows = ProjectFleet.objects.all()
    if projects is not None:
        clusters = clusters.filter(project__in=projects.values("pk"))
        rows = rows.filter(project__in=projects.values("pk"))
    if prune:
        rows.exclude(project__in=clusters.values("project_id")).delete()
    lock = Q(agent_upgrades=LOCK)
    behind = ~Q(agent_version=agent_version) if agent_version else Q(pk__isnull=True)
    return _insert_select(
        ProjectFleet,
        clusters.values("project_id"),
        project_id=F("project_id"),
        clusters=Count("pk"),
        paused=Count("pk", filter=lock),
        behind=Count("pk", filter=behind),
        paused_behind=Count("pk", filter=lock & behind),
        paused_with_end=Count("pk", filter=lock & Q(agent_upgrades_until__isnull=False)),
        set_on_cluster=Count("pk", filter=Q(agent_upgrades_set_via=Via.CLUSTER)),
        set_on_project=Count("pk", filter=Q(agent_upgrades_set_via=Via.PROJECT)),
        agent_version=Value(agent_version),
        on_conflict="project_id",
        returning=FLEET_COUNTS,
    )


FLEET_COUNTS = (
    "clusters",
    "paused",
    "behind",
    "paused_behind",
    "paused_with_end",
    "set_on_cluster",
    "set_on_project",
)


def cluster_counts(
    projects: QuerySet[Project], *, below: Scope, agent_version: str, now: datetime | None = None
) -> ClusterCounts:
    """The counts of these projects' clusters, from their fleet rows (one per project)."""
    rows = list(
        ProjectFleet.objects.filter(project__in=projects.values("pk")).values(*FLEET_COUNTS)
    )
    clusters = Cluster.objects.filter(project__in=projects.values("pk"))
    return _counts_from(rows, below, agent_version, now or timezone.now(), clusters)


def _counts_from(
    rows: list[dict],
    below: Scope,
    agent_version: str,
    now: datetime,
    clusters: QuerySet[Cluster],
) -> ClusterCounts:
    """Sum the fleet rows of `clusters`' projects, less the pauses that have ended but are not
    yet written down (looked up only when some pause has an end)."""
    total = {key: sum(row[key] for row in rows) for key in FLEET_COUNTS}
    ended = {"ended": 0, "ended_behind": 0}
    if total["paused_with_end"]:
        ended = ended_pauses(clusters, agent_version, now)
    set_below = total["set_on_cluster"] + (total["set_on_project"] if below == Scope.TENANT else 0)
    return ClusterCounts(
        total=total["clusters"],
        projects=sum(1 for row in rows if row["clusters"]),
        paused=total["paused"] - ended["ended"],
        behind=total["behind"],
        set_below=set_below,
        paused_behind=total["paused_behind"] - ended["ended_behind"],
    )


def ended_pauses(clusters: QuerySet[Cluster], agent_version: str, now: datetime) -> dict:
    """Stored pauses whose end has passed (counted as paused in the fleet rows until the sweep
    writes them down); found through the partial index on pause ends."""
    behind = ~Q(agent_version=agent_version) if agent_version else Q(pk__isnull=True)
    return clusters.filter(agent_upgrades=LOCK, agent_upgrades_until__lte=now).aggregate(
        ended=Count("pk"), ended_behind=Count("pk", filter=behind)
    )


# Changes. Each one starts by locking its tenant's row, and only then its own object's row: on
# PostgreSQL the changes within one tenant take turns, and since each takes the tenant's row
# before any other, a push (which goes on to lock projects and clusters) and a cluster change
# never wait for each other in a circle. (SQLite's BEGIN IMMEDIATE serialises all writers anyway.)
# Pushes, sweeps and rollouts are set-based: their audit events and agent upgrades are written
# with INSERT ... SELECT, so they cost the same number of statements for 10 clusters or 100,000.


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
    platform_agent = current_agent_version()
    agent_version = platform_agent if value == UNLOCK else ""  # rule 6 catches up on resume
    one = Cluster.objects.filter(pk=cluster.pk)
    upgraded = _record_catch_up(one, agent_version, actor, now)
    _write_clusters(one, value, Via.CLUSTER, actor, now, pause, agent_version)
    AuditEvent.objects.create(
        **_audit_fields(actor, now, Via.CLUSTER, value, pause),
        scope=Scope.CLUSTER,
        tenant_id=cluster.project.tenant_id,
        project_id=cluster.project_id,
        cluster_id=cluster.pk,
        object_name=cluster.name,
        old_value=old_value,
    )
    refresh_fleet(Project.objects.filter(pk=cluster.project_id), platform_agent)
    _applied(cluster, value, via=Via.CLUSTER, actor=actor, at=now, pause=pause)
    if upgraded:
        cluster.agent_version = agent_version
    return Change(
        Scope.CLUSTER,
        cluster,
        value,
        1,
        int(old_value != value),
        upgraded,
        agent_version,
        platform_agent=platform_agent,
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
    one = Project.objects.filter(pk=project.pk)
    return _push(
        project,
        value,
        actor=actor,
        pause=pause,
        own=one,
        projects=one,
        clusters=Cluster.objects.filter(project=project),
        event={"tenant_id": project.tenant_id, "project_id": project.pk},
    )


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
    return _push(
        tenant,
        value,
        actor=actor,
        pause=pause,
        own=Tenant.objects.filter(pk=tenant.pk),
        projects=Project.objects.filter(tenant=tenant),
        clusters=Cluster.objects.filter(tenant=tenant),
        event={"tenant_id": tenant.pk},
    )


def _push(
    obj: Project | Tenant,
    value: AgentUpgrades,
    *,
    actor,
    pause: Pause,
    own: QuerySet,
    projects: QuerySet[Project],
    clusters: QuerySet[Cluster],
    event: dict,
) -> Change:
    """Rule 2 for a project or a tenant (`obj`, locked): its own row, the projects below it (a
    tenant's), and all their clusters, in a fixed number of statements."""
    scope = Scope.TENANT if isinstance(obj, Tenant) else Scope.PROJECT
    via = Via(scope)
    now = timezone.now()
    platform_agent = current_agent_version()
    agent_version = platform_agent if value == UNLOCK else ""  # rule 6 catches up on resume
    fields = _audit_fields(actor, now, via, value, pause)
    # The push's own event first, then its clusters': read newest first, each cause sits
    # below its effects.
    AuditEvent.objects.create(
        **fields,
        **event,
        scope=scope,
        object_name=obj.name,
        old_value=obj.effective_agent_upgrades,
    )
    changed = _record_cluster_events(clusters, value, fields, now)
    upgraded = _record_catch_up(clusters, agent_version, actor, now)
    _write(own, value, via, actor, now, pause)
    if scope == Scope.TENANT:
        _write(projects, value, via, actor, now, pause)
    written = _write_clusters(clusters, value, via, actor, now, pause, agent_version)
    fleet = refresh_fleet(projects, platform_agent)
    _applied(obj, value, via=via, actor=actor, at=now, pause=pause)
    return Change(
        scope,
        obj,
        value,
        written,
        changed,
        upgraded,
        agent_version,
        platform_agent=platform_agent,
        counts=_counts_from(fleet, scope, platform_agent, now, clusters),
    )


@transaction.atomic
def resume_expired_pauses(now: datetime | None = None) -> Expiry:
    """Pauses whose end has passed stop holding at once; this writes it down: their tenants,
    projects and clusters go to unlock, and the clusters' agents catch up (rule 6)."""
    return _resume_expired(now or timezone.now(), current_agent_version())


def _resume_expired(now: datetime, agent_version: str, *, release: bool = False) -> Expiry:
    """Resume what has ended, catching agents up to `agent_version`. Inside a release
    (`release=True`) there is no catch-up and no fleet refresh: the rollout that follows
    upgrades these agents and recounts every project."""
    expired = Q(agent_upgrades=LOCK, agent_upgrades_until__lte=now)
    tenants = list(
        Tenant.objects.select_for_update().filter(expired).values_list("name", flat=True)
    )
    projects = list(Project.objects.filter(expired).values_list("name", flat=True))
    clusters = Cluster.objects.filter(expired)
    ended_clusters = list(clusters.values_list("name", "project_id"))
    # The pause stopped holding at its end; the audit trail says that it ended, and when.
    fields = {"at": now, "actor": None, "actor_name": "system", "via": Via.EXPIRY}
    fields |= {"new_value": UNLOCK, "old_value": LOCK, "reason": ""}
    ended = {**_constants(fields), "until": F("agent_upgrades_until"), "object_name": F("name")}
    none = Pause()
    if tenants:
        tenant_rows = Tenant.objects.filter(expired)
        _insert_select(
            AuditEvent, tenant_rows, **ended, scope=Value(Scope.TENANT), tenant_id=F("pk")
        )
        _write(tenant_rows, UNLOCK, Via.EXPIRY, None, now, none)
    if projects:
        project_rows = Project.objects.filter(expired)
        _insert_select(
            AuditEvent,
            project_rows,
            **ended,
            scope=Value(Scope.PROJECT),
            tenant_id=F("tenant_id"),
            project_id=F("pk"),
        )
        _write(project_rows, UNLOCK, Via.EXPIRY, None, now, none)
    upgraded = 0
    if ended_clusters:
        _insert_select(
            AuditEvent,
            clusters,
            **ended,
            scope=Value(Scope.CLUSTER),
            tenant_id=F("tenant_id"),
            project_id=F("project_id"),
            cluster_id=F("pk"),
        )
        catch_up = "" if release else agent_version
        upgraded = _record_catch_up(clusters, catch_up, None, now, AgentUpgrade.Cause.EXPIRY)
        _write_clusters(clusters, UNLOCK, Via.EXPIRY, None, now, none, catch_up)
        if not release:
            touched = {project_id for _name, project_id in ended_clusters}
            refresh_fleet(Project.objects.filter(pk__in=touched), agent_version)
    return Expiry(
        tenants=tenants,
        projects=projects,
        clusters=[name for name, _project_id in ended_clusters],
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
    resumed = _resume_expired(now, agent_version, release=True)
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
    _insert_select(
        AgentUpgrade,
        to_upgrade,
        **_upgrade_fields(agent_version, actor, now, AgentUpgrade.Cause.RELEASE),
        release_id=Value(release.pk),
    )
    to_upgrade.update(agent_version=agent_version)
    refresh_fleet(agent_version=agent_version)
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


def _holds(value: AgentUpgrades, now: datetime) -> Q:
    """The rows on which `value` holds already at `now`."""
    return paused_now(now) if value == LOCK else ~paused_now(now)


def _held_value(now: datetime) -> Case:
    """The value that holds on each row at `now`, as SQL."""
    return Case(When(paused_now(now), then=Value(LOCK)), default=Value(UNLOCK))


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


def _record_cluster_events(
    clusters: QuerySet[Cluster], value: AgentUpgrades, fields: dict, now: datetime
) -> int:
    """One audit event per cluster whose holding value the change turns into `value`, written
    before the change (it reads the old value); returns how many."""
    return _insert_select(
        AuditEvent,
        clusters.exclude(_holds(value, now)),
        **_constants(fields),
        scope=Value(Scope.CLUSTER),
        tenant_id=F("tenant_id"),
        project_id=F("project_id"),
        cluster_id=F("pk"),
        object_name=F("name"),
        old_value=_held_value(now),
    )


def _record_catch_up(
    clusters: QuerySet[Cluster],
    agent_version: str,
    actor,
    at,
    cause: AgentUpgrade.Cause = AgentUpgrade.Cause.RESUME,
) -> int:
    """Rule 6's agent upgrades, recorded before the write that makes them: every stored pause
    among `clusters` whose agent is not `agent_version`. Returns how many."""
    if not agent_version:
        return 0
    return _insert_select(
        AgentUpgrade,
        clusters.filter(agent_upgrades=LOCK).exclude(agent_version=agent_version),
        **_upgrade_fields(agent_version, actor, at, cause),
    )


def _upgrade_fields(agent_version: str, actor, at, cause: AgentUpgrade.Cause) -> dict:
    return {
        "cluster_id": F("pk"),
        "from_version": F("agent_version"),
        "to_version": Value(agent_version),
        "at": Value(at, output_field=DateTimeField()),
        "cause": Value(cause),
        "actor_id": Value(actor.pk if actor else None, output_field=IntegerField()),
        "actor_name": Value(actor.get_username() if actor else "system"),
    }


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


def _constants(fields: dict) -> dict:
    """Audit fields as SQL constants, for an INSERT ... SELECT."""
    actor = fields["actor"]
    constants = {
        "at": Value(fields["at"], output_field=DateTimeField()),
        "actor_id": Value(actor.pk if actor else None, output_field=IntegerField()),
        "actor_name": Value(fields["actor_name"]),
        "via": Value(fields["via"]),
        "new_value": Value(fields["new_value"]),
        "reason": Value(fields.get("reason", "")),
    }
    if "until" in fields:
        constants["until"] = Value(fields["until"], output_field=DateTimeField())
    if "old_value" in fields:
        constants["old_value"] = Value(fields["old_value"])
    return constants


def _insert_select(
    model, rows: QuerySet, on_conflict: str = "", returning: tuple[str, ...] = (), **columns
):
    """INSERT INTO <model> (<columns>) SELECT <expressions> FROM <rows>: one statement however
    many rows. `columns` maps field names to expressions evaluated on each row of `rows`
    (aggregates when `rows` is grouped). With `on_conflict` (a unique column), rows that exist
    are updated instead (SQLite and PostgreSQL share the syntax; SQLite wants the SELECT to
    have a WHERE clause there, which the callers' filters give it). Returns the row count, or
    with `returning` the written rows' values of those fields, as dicts."""
    aliases = {f"insert_{name}": expression for name, expression in columns.items()}
    select = rows.order_by().annotate(**aliases).values_list(*aliases)
    sql, params = select.query.sql_with_params()
    connection = connections[select.db]
    quote = connection.ops.quote_name
    names = [quote(model._meta.get_field(name).column) for name in columns]
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(names)}) {sql}"
    if on_conflict:
        key = quote(model._meta.get_field(on_conflict).column)
        updates = ", ".join(f"{name} = excluded.{name}" for name in names if name != key)
        statement += f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    if returning:
        statement += " RETURNING " + ", ".join(
            quote(model._meta.get_field(name).column) for name in returning
        )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        if returning:
            return [dict(zip(returning, row, strict=True)) for row in cursor.fetchall()]
        return cursor.rowcount
