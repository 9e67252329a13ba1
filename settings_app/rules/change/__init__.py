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
(tests/unit/test_change_owner.py searches the source for it). The rows of the audit trail
and the agent upgrades are addressed and written in `trail`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Case, F, Model, Q, QuerySet, Value, When

from ...models import (
    SETTING_VERSION,
    AgentUpgrade,
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
    paused_now,
)
from ...models.fleet import COUNTED, current_agent_subquery
from ..writes import SettingWrite
from .trail import (
    KIND,
    address,
    audit_act,
    audit_own,
    audit_rows,
    caught_up,
    held_back,
    mark_undone,
    record_release,
    record_upgrades,
    setting_before,
    upgrade_agents,
)

__all__ = [
    "KIND",
    "Written",
    "audit_act",
    "caught_up",
    "held_back",
    "held_value",
    "lock_tenant",
    "lock_tenants",
    "mark_undone",
    "read_locked",
    "record_release",
    "record_upgrades",
    "setting_before",
    "take_setting_of",
    "upgrade_agents",
    "write_change",
]

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


# Every change starts by locking its tenant's row: on PostgreSQL the changes within a tenant
# (and a release, which locks every tenant) take turns, and since each takes the tenant's row
# before any other, they never wait for each other in a circle. Only then does it read its
# object, in a statement of its own, so that it sees what the change before it committed.
# (SQLite's BEGIN IMMEDIATE serialises all writers anyway.)

_PATH_TO_TENANT = {
    Tenant: "pk",
    Project: "projects",
    Cluster: "projects__clusters",
    Gateway: "gateways",
    EdgeHost: "edge_hosts",
}
_RELATED = {
    Tenant: (),
    Project: ("tenant",),
    Cluster: ("project__tenant",),
    Gateway: ("tenant",),
    EdgeHost: ("project__tenant",),
}
# The kinds whose rows carry an agent (a resume catches it up), besides clusters.
_AGENTS = (Scope.GATEWAY, Scope.EDGE_HOST)


def lock_tenant(**path) -> None:
    """Lock the row of the tenant that `path` (a filter on tenants) leads to. Nothing else may be
    read in the same statement: on PostgreSQL a statement that waited for the lock still reads
    what was committed when it began, before the change (or release) it waited for. (A
    database without row locks, SQLite, has already serialised every writer at BEGIN.)"""
    if connection.features.has_select_for_update:
        list(Tenant.objects.select_for_update(of=("self",)).filter(**path).values_list("pk"))


def lock_tenants(tenants: QuerySet[Tenant]) -> None:
    """Lock these tenants' rows in order (a sweep's, a release's: every tenant it may write)."""
    if connection.features.has_select_for_update:
        list(tenants.select_for_update(of=("self",)).order_by("pk").values_list("pk"))


def read_locked(obj: Tenant | Project | Cluster | Gateway | EdgeHost, **more):
    """Step 1: lock `obj`'s tenant, then read `obj` afresh, with the platform's current agent
    version (read in the same statement) as `platform_agent`, and what the writer asks of it
    besides (`more`: annotations)."""
    model = type(obj)
    lock_tenant(**{_PATH_TO_TENANT[model]: obj.pk})
    return (
        model.objects.select_related(*_RELATED[model])
        .annotate(platform_agent=current_agent_subquery(), **more)
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
    # The agents caught up or upgraded: the clusters' (each recorded as an AgentUpgrade) and the
    # gateway's that the change is made on. A gateway or host that a push catches up says so on
    # its audit event (`agents_upgraded`), counted by nothing else: no statement more.
    agents_upgraded: int = 0
    fleet: tuple[dict, ...] = ()  # the fleet rows the clusters' write recounted
    gateways_written: int = 0
    hosts_written: int = 0  # idle Edge hosts


def write_change(
    write: SettingWrite,
    *,
    own: Tenant | Project | Cluster | Gateway | None = None,
    act: dict | None = None,
    tenants: QuerySet[Tenant] | None = None,
    projects: QuerySet[Project] | None = None,
    clusters: QuerySet[Cluster] | None = None,
    gateways: QuerySet[Gateway] | None = None,
    hosts: QuerySet[EdgeHost] | None = None,
    catch_up: str = "",
    cause: AgentUpgrade.Cause = AgentUpgrade.Cause.RESUME,
    only_changed: bool = True,
    recorded: dict | None = None,
) -> Written:
    """Steps 2 to 5 of a change declared by its writer:

    - `own`: the object the change is made on (read by `read_locked`): its own event, its row;
    - `act`: instead, an act with no object of its own (a bulk act): its event's fields;
    - `tenants`, `projects`, `clusters`, `gateways`, `hosts` (idle Edge hosts): the rows written
      beside it, each with an event of its own (part of the change's, when it has one); with
      `only_changed`, rows on which the write would change nothing are written but not audited;
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
    # Whether the change's event will have parts: a cluster's History looks for them there.
    has_parts = any(rows is not None for rows in (tenants, projects, gateways, hosts)) or (
        clusters is not None and not clusters_are_own
    )
    if clusters_are_own:  # its catch-up first: its own event says whether it upgraded
        upgraded = record_upgrades(
            clusters.filter(write.resumes(Scope.CLUSTER)), catch_up, write.actor, now, cause
        )
        event = audit_own(write, own, agents_upgraded=upgraded, has_parts=has_parts)
    elif isinstance(own, Gateway):  # an agent of its own: a resume catches it up in the UPDATE
        if own.agent_upgrades != LOCK or own.agent_version == catch_up:
            catch_up = ""
        upgraded = int(bool(catch_up))
        event = audit_own(write, own, agents_upgraded=upgraded, has_parts=has_parts)
    elif own is not None:
        event = audit_own(write, own, has_parts=has_parts)
    elif act is not None:
        event = audit_act(
            **(write.audited() | {"actor_name": write.actor_name, "has_parts": has_parts} | act)
        )

    parts = []
    recorded = recorded or {}
    if event is not None:
        recorded = {"part_of_id": Value(event.pk)} | recorded
    # The change's own event first, then its rows': read newest first, each cause sits below
    # its effects (and a tenant's projects above their clusters).
    for kind, rows in (
        (Scope.CLUSTER, None if clusters_are_own else clusters),
        (Scope.EDGE_HOST, hosts),
        (Scope.GATEWAY, gateways),
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
            | address(kind)
            | {"agents_upgraded": caught_up(catch_up, write.resumes(kind), kind)}
        )
        parts.append((rows.order_by("name", "pk"), columns))
    if parts:
        audit_rows(write, *parts)

    if upgraded is None:
        upgraded = record_upgrades(
            clusters.filter(write.resumes(Scope.CLUSTER)) if clusters is not None else None,
            catch_up,
            write.actor,
            now,
            cause,
        )
    if own is not None and not clusters_are_own:
        _update(type(own).objects.filter(pk=own.pk), write, kind=KIND[type(own)], catch_up=catch_up)
    updated = {}
    for kind, rows in (
        (Scope.EDGE_HOST, hosts),
        (Scope.GATEWAY, gateways),
        (Scope.PROJECT, projects),
        (Scope.TENANT, tenants),
    ):
        if rows is not None:
            updated[kind] = _update(rows, write, kind=kind, catch_up=catch_up)
    written, fleet = 0, []
    if clusters is not None:
        more = {}
        if catch_up:  # rule 6 in the same statement: the CASE reads the row before the update
            more["agent_version"] = Case(
                When(Q(agent_upgrades=LOCK) & write.resumes(Scope.CLUSTER), then=Value(catch_up)),
                default=F("agent_version"),
            )
        columns = write.columns(Scope.CLUSTER) | {SETTING_VERSION: F(SETTING_VERSION) + 1} | more
        if clusters_are_own:  # in hand: its project's counts move by what it counted for
            after = {name: columns.get(name, getattr(own, name)) for name in COUNTED}
            after["agent_version"] = catch_up if upgraded else own.agent_version
            written = clusters.update_in_hand(own, after, **columns)
        else:
            written, fleet = clusters.update_and_recount(**columns)
    if own is not None:
        _apply(own, write.columns(KIND[type(own)]))
        if (clusters_are_own or isinstance(own, Gateway)) and upgraded:
            own.agent_version = catch_up
    return Written(
        event,
        written,
        upgraded,
        tuple(fleet),
        gateways_written=updated.get(Scope.GATEWAY, 0),
        hosts_written=updated.get(Scope.EDGE_HOST, 0),
    )


def take_setting_of(project: Project, cluster: Cluster | EdgeHost) -> None:
    """Rule 5 for an unsaved cluster or idle Edge host (a new one): its project's value as it holds now, with
    where it came from. Nothing is audited: the cluster's History starts with it."""
    if project.pause_expired:  # the value that holds: the project's pause has ended
        cluster.agent_upgrades = UNLOCK
        cluster.agent_upgrades_set_via = Via.EXPIRY
        cluster.agent_upgrades_set_at = project.agent_upgrades_until
    else:
        cluster.copy_setting_from(project)


def _update(rows: QuerySet, write: SettingWrite, *, kind: str, catch_up: str = "") -> int:
    more = {}
    if catch_up and kind in _AGENTS:  # rule 6 in the same statement, as for clusters
        more["agent_version"] = Case(
            When(Q(agent_upgrades=LOCK) & write.resumes(kind), then=Value(catch_up)),
            default=F("agent_version"),
        )
    return rows.update(**write.columns(kind), **{SETTING_VERSION: F(SETTING_VERSION) + 1}, **more)


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
