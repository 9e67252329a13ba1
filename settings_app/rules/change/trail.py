"""The audit trail's and the agent upgrades' writes, each row addressed here and nowhere else:
a change's own event, one event per row it writes (part of it), an act that writes no setting (a
move, a key's change), a release's records and the agent upgrades. Only `change` calls the row
writers; the rest reads them."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from ...models import (
    SETTING_FIELDS,
    SETTING_VERSION,
    AgentUpgrade,
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
)
from ...sql import NewUid, insert_select
from ..writes import SettingWrite

LOCK = AgentUpgrades.LOCK


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
    """A rollout's write: these clusters' (or gateways', idle hosts') agents to `agent_version`
    (the clusters' recorded first)."""
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
    if not agent_version or kind not in (Scope.CLUSTER, Scope.GATEWAY, Scope.EDGE_HOST):
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


# Where a row of each kind is filed: its event's tenant, project, cluster, gateway and host, read
# from the row ("pk": the row itself; None: no such link).
_ADDRESS = {
    Scope.TENANT: ("pk", None, None, None, None),
    Scope.PROJECT: ("tenant_id", "pk", None, None, None),
    Scope.CLUSTER: ("tenant_id", "project_id", "pk", None, None),
    Scope.GATEWAY: ("tenant_id", None, None, "pk", None),
    Scope.EDGE_HOST: ("tenant_id", "project_id", None, None, "pk"),
}
_LINKS = ("tenant_id", "project_id", "cluster_id", "gateway_id", "edge_host_id")


def address(kind: str) -> dict:
    """Where each row's event is filed: its scope, tenant, project, cluster, gateway or host."""
    return {"scope": Value(kind)} | {
        link: typed(None, IntegerField()) if column is None else F(column)
        for link, column in zip(_LINKS, _ADDRESS[kind], strict=True)
    }


# The kind of row each model's objects are, in the audit trail.
KIND = {
    Tenant: Scope.TENANT,
    Project: Scope.PROJECT,
    Cluster: Scope.CLUSTER,
    Gateway: Scope.GATEWAY,
    EdgeHost: Scope.EDGE_HOST,
}


def own_address(obj) -> dict:
    """Where the change's own event on `obj` is filed (as `address`, for one object in hand)."""
    kind = KIND[type(obj)]
    return {"scope": kind} | {
        link: getattr(obj, column)
        for link, column in zip(_LINKS, _ADDRESS[kind], strict=True)
        if column is not None
    }


def audit_own(write: SettingWrite, obj, **more) -> AuditEvent:
    """The change's own event on `obj` (as it is before), with what was there before it and
    the version the change will write."""
    fields = (
        write.audited()
        | own_address(obj)
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


def audit_rows(write: SettingWrite, *parts: tuple[QuerySet, dict]) -> int:
    """One audit event per row of each (rows, columns) part, in one INSERT … SELECT; `columns`
    says what each event takes from its row (its scope, object and old value), or overrides.
    Every part names the same columns."""
    constants = {
        name: value if hasattr(value, "resolve_expression") else typed(value, _field(name))
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


def typed(value, output_field):
    """A constant for an INSERT … SELECT; a NULL cast to its type, which PostgreSQL would
    otherwise read as text in a UNION."""
    if value is None:
        return Cast(Value(None), output_field=output_field)
    return Value(getattr(value, "pk", value), output_field=output_field)


def _field(name: str):
    field = AuditEvent._meta.get_field(name)
    return IntegerField() if field.is_relation else field
