"""The one owner of a change to the setting: every writer (a switch at any scope, a push, a bulk
act, an undo, a pause's end, a move, a release's records) declares what it changes, and this
module runs the steps in their fixed order and writes the audit trail.

The steps, always in this order:
1. lock the tenant's row (`lock_tenant`), then read the object in a statement of its own
   (`read_locked`), so that a change sees what the one before it committed;
2. the change's own audit event (a scope's, or an act's such as a bulk act), then one event per
   object it writes below, addressed to their tenant, project and cluster, each `part_of` it;
3. rule 6's agent upgrades, recorded before the write that makes them (the records read the
   rows as they were);
4. the rows' values, one UPDATE per kind, the clusters' recounting their projects' fleet rows;
5. the object in hand takes what was written, so that the answer needs no reload.

Nothing else writes the setting's columns, the audit trail or the agent upgrades
(tests/unit/test_change_owner.py searches the source for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, DateTimeField, F, IntegerField, Model, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from ..models import (
    SETTING_FIELDS,
    SETTING_VERSION,
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
)
from ..models.fleet import current_agent_subquery
from ..sql import NewUid, insert_select
from .writes import SettingWrite

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


# Every change starts by locking its tenant's row: on PostgreSQL the changes within a tenant
# (and a release, which locks every tenant) take turns, and since each takes the tenant's row
# before any other, they never wait for each other in a circle. Only then does it read its
# object, in a statement of its own, so that it sees what the change before it committed.
# (SQLite's BEGIN IMMEDIATE serialises all writers anyway.)

_PATH_TO_TENANT = {Tenant: "pk", Project: "projects", Cluster: "projects__clusters"}
_RELATED = {Tenant: (), Project: ("tenant",), Cluster: ("project__tenant",)}


def lock_tenant(**path) -> None:
    """Lock the row of the tenant that `path` (a filter on tenants) leads to. Nothing else may be
    read in the same statement: on PostgreSQL a statement that waited for the lock still reads
    what was committed when it began, before the change (or release) it waited for."""
    list(Tenant.objects.select_for_update(of=("self",)).filter(**path).values_list("pk"))


def lock_tenants(tenants: QuerySet[Tenant]) -> None:
    """Lock these tenants' rows in order (a sweep's, a release's: every tenant it may write)."""
    list(tenants.select_for_update(of=("self",)).order_by("pk").values_list("pk"))


def read_locked(obj: Tenant | Project | Cluster):
    """Step 1: lock `obj`'s tenant, then read `obj` afresh, with the platform's current agent
    version (read in the same statement) as `platform_agent`."""
    model = type(obj)
    lock_tenant(**{_PATH_TO_TENANT[model]: obj.pk})
    return (
        model.objects.select_related(*_RELATED[model])
        .annotate(platform_agent=current_agent_subquery())
        .get(pk=obj.pk)
    )


def held_value(now: datetime) -> Case:
    """The value that holds on each row at `now`, as SQL."""
    return Case(When(paused_now(now), then=Value(LOCK)), default=Value(UNLOCK))


@dataclass(frozen=True)
class Written:
    """What the steps wrote."""

    event: AuditEvent | None  # the change's own event
    clusters_written: int = 0
    agents_upgraded: int = 0
    fleet: tuple[dict, ...] = ()  # the fleet rows the clusters' write recounted


def write_change(
    write: SettingWrite,
    *,
    own: Tenant | Project | Cluster | None = None,
    act: dict | None = None,
    tenants: QuerySet[Tenant] | None = None,
    projects: QuerySet[Project] | None = None,
    clusters: QuerySet[Cluster] | None = None,
    catch_up: str = "",
    cause: AgentUpgrade.Cause = AgentUpgrade.Cause.RESUME,
    only_changed: bool = True,
    recorded: dict | None = None,
) -> Written:
    """Steps 2 to 5 of a change declared by its writer:

    - `own`: the object the change is made on (read by `read_locked`): its own event, its row;
    - `act`: instead, an act with no object of its own (a bulk act): its event's fields;
    - `tenants`, `projects`, `clusters`: the rows written beside it, each with an event of its
      own (part of the change's, when it has one); with `only_changed`, rows on which the write
      would change nothing are written but not audited;
    - `catch_up`: the platform's agent, when the change resumes (rule 6);
    - `recorded`: columns of every row's event that the write does not decide (a pause's end
      records the end that passed).
    """
    now = write.at
    clusters_are_own = isinstance(own, Cluster)
    if clusters_are_own:
        clusters = Cluster.objects.filter(pk=own.pk)
        if own.agent_upgrades != LOCK or own.agent_version == catch_up:
            catch_up = ""  # no agent held back here: no statement looks for one
    event, upgraded = None, None
    if clusters_are_own:  # its catch-up first: its own event says whether it upgraded
        upgraded = record_upgrades(
            clusters.filter(write.resumes(Scope.CLUSTER)), catch_up, write.actor, now, cause
        )
        event = _audit_own(write, own, agents_upgraded=upgraded)
    elif own is not None:
        event = _audit_own(write, own)
    elif act is not None:
        event = AuditEvent.objects.create(
            **(write.audited() | {"actor_name": write.actor_name} | act)
        )

    parts = []
    recorded = recorded or {}
    if event is not None:
        recorded = {"part_of_id": Value(event.pk)} | recorded
    # The change's own event first, then its rows': read newest first, each cause sits below
    # its effects (and a tenant's projects above their clusters).
    for kind, rows in (
        (Scope.CLUSTER, None if clusters_are_own else clusters),
        (Scope.PROJECT, projects),
        (Scope.TENANT, tenants),
    ):
        if rows is None:
            continue
        if only_changed:
            rows = rows.exclude(write.leaves_as_it_was(now, kind))
        columns = (
            {"old_value": held_value(now)}
            | recorded
            | _address(kind)
            | {"agents_upgraded": caught_up(catch_up, write.resumes(kind), kind)}
        )
        parts.append((rows.order_by("name", "pk"), columns))
    if parts:
        _audit_rows(write, *parts)

    if upgraded is None:
        upgraded = record_upgrades(
            clusters.filter(write.resumes(Scope.CLUSTER)) if clusters is not None else None,
            catch_up,
            write.actor,
            now,
            cause,
        )
    if own is not None and not clusters_are_own:
        _update(type(own).objects.filter(pk=own.pk), write, kind=type(own).__name__.lower())
    for kind, rows in ((Scope.PROJECT, projects), (Scope.TENANT, tenants)):
        if rows is not None:
            _update(rows, write, kind=kind)
    written, fleet = 0, []
    if clusters is not None:
        more = {}
        if catch_up:  # rule 6 in the same statement: the CASE reads the row before the update
            more["agent_version"] = Case(
                When(Q(agent_upgrades=LOCK) & write.resumes(Scope.CLUSTER), then=Value(catch_up)),
                default=F("agent_version"),
            )
        written, fleet = clusters.update_and_recount(
            **write.columns(Scope.CLUSTER), **{SETTING_VERSION: F(SETTING_VERSION) + 1}, **more
        )
    if own is not None:
        _apply(own, write.columns(type(own).__name__.lower()))
        if clusters_are_own and upgraded:
            own.agent_version = catch_up
    return Written(event, written, upgraded, tuple(fleet))


def take_setting_of(project: Project, cluster: Cluster) -> None:
    """Rule 5 for an unsaved cluster (a new one): its project's value as it holds now, with
    where it came from. Nothing is audited: the cluster's History starts with it."""
    if project.pause_expired:  # the value that holds: the project's pause has ended
        cluster.agent_upgrades = UNLOCK
        cluster.agent_upgrades_set_via = Via.EXPIRY
        cluster.agent_upgrades_set_at = project.agent_upgrades_until
    else:
        cluster.copy_setting_from(project)


def audit_act(**fields) -> AuditEvent:
    """An event that writes no setting: a move, a key's change. Its fields as given."""
    return AuditEvent.objects.create(**fields)


def mark_undone(event: AuditEvent, undo: AuditEvent) -> None:
    AuditEvent.objects.filter(pk=event.pk).update(undone_by=undo)


def record_release(release: PlatformRelease, by_project, actor, now: datetime) -> None:
    """A release in the audit trail: one event for each project with clusters, holding the agents
    it upgraded and held back there (one INSERT), so that each project's trail (and its tenant's)
    shows the release as its people may see it."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=now,
            actor=actor,
            actor_name=actor.get_username() if actor else "system",
            action=AuditEvent.Action.RELEASE,
            scope=Scope.PROJECT,
            via="",
            tenant_id=rollout.tenant_id,
            project_id=rollout.project_id,
            object_name=rollout.project,
            old_value="",
            new_value="",
            detail=f"{release.version} (agent {release.agent_version})",
            release=release,
            agents_upgraded=rollout.upgraded,
            agents_held_back=rollout.held_back,
        )
        for rollout in by_project
    )


def record_upgrades(
    clusters: QuerySet[Cluster] | None,
    agent_version: str,
    actor: AbstractBaseUser | None,
    at: datetime,
    cause: AgentUpgrade.Cause,
    release: PlatformRelease | None = None,
) -> int:
    """Agent upgrades, recorded before the write that makes them: every cluster among
    `clusters` whose agent is not `agent_version` (for a resume, only stored pauses: rule 6).
    Returns how many."""
    if not agent_version or clusters is None:
        return 0
    if cause != AgentUpgrade.Cause.RELEASE:
        clusters = clusters.filter(held_back(agent_version))
    columns = {
        "cluster_id": F("pk"),
        "from_version": F("agent_version"),
        "to_version": Value(agent_version),
        "at": Value(at, output_field=DateTimeField()),
        "cause": Value(cause),
        "actor_id": Value(actor.pk if actor else None, output_field=IntegerField()),
        "actor_name": Value(actor.get_username() if actor else "system"),
    }
    if release is not None:
        columns["release_id"] = Value(release.pk)
    return insert_select(AgentUpgrade, clusters, **columns)


def upgrade_agents(clusters: QuerySet[Cluster], agent_version: str) -> int:
    """A rollout's write: these clusters' agents to `agent_version` (recorded first)."""
    return clusters.update(agent_version=agent_version)


def held_back(agent_version: str) -> Q:
    """The clusters whose agent a resume catches up to `agent_version` (rule 6): a stored pause
    whose agent is not that version. Read before the write that resumes them."""
    return Q(agent_upgrades=LOCK) & ~Q(agent_version=agent_version)


def caught_up(
    agent_version: str, among: Q | None = None, kind: str = Scope.CLUSTER
) -> Case | Value:
    """A cluster's audit row's `agents_upgraded`, read from the cluster's row before the write
    that catches it up to `agent_version` (empty: no catch-up): 1 for a cluster held back (and,
    given `among`, one that the write resumes), else 0."""
    if not agent_version or kind != Scope.CLUSTER:
        return Value(0)
    condition = held_back(agent_version)
    if among is not None:
        condition &= among
    return Case(When(condition, then=Value(1)), default=Value(0))


def setting_before(obj: AgentUpgradesSetting) -> dict:
    """The audit event's record of what `obj` holds before a change (but its value, which the
    caller records as it holds)."""
    return {
        AuditEvent._meta.get_field(names.old).attname: getattr(
            obj, obj._meta.get_field(field).attname
        )
        for field, names in SETTING_FIELDS.items()
        if names.old != "old_value"
    }


def _address(kind: str) -> dict:
    """Where each row's event is filed: its scope, tenant, project and cluster."""
    if kind == Scope.CLUSTER:
        return {
            "scope": Value(Scope.CLUSTER),
            "tenant_id": F("tenant_id"),
            "project_id": F("project_id"),
            "cluster_id": F("pk"),
        }
    if kind == Scope.PROJECT:
        return {
            "scope": Value(Scope.PROJECT),
            "tenant_id": F("tenant_id"),
            "project_id": F("pk"),
            "cluster_id": _typed(None, IntegerField()),
        }
    return {
        "scope": Value(Scope.TENANT),
        "tenant_id": F("pk"),
        "project_id": _typed(None, IntegerField()),
        "cluster_id": _typed(None, IntegerField()),
    }


def _audit_own(write: SettingWrite, obj, **more) -> AuditEvent:
    """The change's own event on `obj` (as it is before), with what was there before it and
    the version the change will write."""
    if isinstance(obj, Tenant):
        where = {"scope": "tenant", "tenant_id": obj.pk}
    elif isinstance(obj, Project):
        where = {"scope": "project", "tenant_id": obj.tenant_id, "project_id": obj.pk}
    else:
        where = {
            "scope": "cluster",
            "tenant_id": obj.tenant_id,
            "project_id": obj.project_id,
            "cluster_id": obj.pk,
        }
    fields = (
        write.audited()
        | where
        | setting_before(obj)
        | {
            "actor_name": write.actor_name,
            "object_name": obj.name,
            "old_value": obj.effective_agent_upgrades,
            "version": getattr(obj, SETTING_VERSION) + 1,
        }
        | more
    )
    return AuditEvent.objects.create(**(fields | write.own_event(obj)))


def _audit_rows(write: SettingWrite, *parts: tuple[QuerySet, dict]) -> int:
    """One audit event per row of each (rows, columns) part, in one INSERT … SELECT; `columns`
    says what each event takes from its row (its scope, object and old value), or overrides.
    Every part names the same columns."""
    constants = {
        name: value if hasattr(value, "resolve_expression") else _typed(value, _field(name))
        for name, value in write.audited().items()
    }
    constants |= {
        "uid": NewUid(),
        "actor_name": Value(write.actor_name),
        "object_name": F("name"),
    }
    before = {"version": F(SETTING_VERSION) + 1} | {
        names.old: F(field) for field, names in SETTING_FIELDS.items() if names.old != "old_value"
    }
    parts = [
        (rows, constants | before | columns | write.row_event(columns["scope"].value))
        for rows, columns in parts
    ]
    (rows, columns), *more = parts
    return insert_select(AuditEvent, rows, also=tuple(more), **columns)


def _update(rows: QuerySet, write: SettingWrite, *, kind: str) -> int:
    return rows.update(**write.columns(kind), **{SETTING_VERSION: F(SETTING_VERSION) + 1})


def _apply(obj: AgentUpgradesSetting, columns: dict) -> None:
    """What the UPDATE did in the database, done to the object in hand (no reload needed)."""
    for field, value in columns.items():
        if (
            value is not None
            and not isinstance(value, Model)
            and obj._meta.get_field(field).is_relation
        ):
            field = obj._meta.get_field(field).attname  # an id: no user is loaded
        setattr(obj, field, value)
    setattr(obj, SETTING_VERSION, getattr(obj, SETTING_VERSION) + 1)


def _typed(value, output_field):
    """A constant for an INSERT … SELECT; a NULL cast to its type, which PostgreSQL would
    otherwise read as text in a UNION."""
    if value is None:
        return Cast(Value(None), output_field=output_field)
    return Value(getattr(value, "pk", value), output_field=output_field)


def _field(name: str):
    field = AuditEvent._meta.get_field(name)
    return IntegerField() if field.is_relation else field
