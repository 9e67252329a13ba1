"""Undoing a change: the setting of every object the change wrote goes back to what it was, with
where it came from, as long as none of them has been changed since. The undo is a change of its
own, audited like any other, and resuming agents catch up (rule 6)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from ..models import (
    SETTING_FIELDS,
    SETTING_VERSION,
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    Project,
    Scope,
    Tenant,
)
from ..sql import NewUid, insert_select
from .fleet import counts_from_rows
from .pauses import Change, StaleSetting, lock_tenant, read_with_platform_agent
from .writes import caught_up, held_back, setting_before, upgrade_columns

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


class NothingToUndo(Exception):
    """The setting was changed since (or never here): there is nothing left to undo."""


class ChangedSince(Exception):
    """Some of what the change wrote has been changed since: undoing would overwrite that."""

    def __init__(self, event: AuditEvent, changed: int) -> None:
        super().__init__(f"{changed} objects changed since {event}")
        self.event = event
        self.changed = changed


def undoable_change(obj: Tenant | Project | Cluster) -> AuditEvent | None:
    """The change made on `obj` itself (not pushed to it from above) that wrote its setting as
    it is now: it can be undone unless what it pushed below has changed since (one query)."""
    kind = type(obj).__name__.lower()
    return (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.SETTING,
            scope=kind,
            via=kind,
            part_of__isnull=True,
            undone_by__isnull=True,
            version=getattr(obj, SETTING_VERSION),
            **{kind: obj},
        )
        .order_by("-id")
        .first()
    )


@transaction.atomic
def undo_change(
    obj: Tenant | Project | Cluster,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
) -> Change:
    """Put back what the change that wrote `obj`'s setting found there: on `obj`, and on every
    project and cluster it pushed to."""
    model = type(obj)
    if isinstance(obj, Tenant):
        lock_tenant(pk=obj.pk)
    else:
        lock_tenant(**{"projects" if isinstance(obj, Project) else "projects__clusters": obj.pk})
    related = {Tenant: (), Project: ("tenant",), Cluster: ("project__tenant",)}[model]
    obj = read_with_platform_agent(model.objects.select_related(*related), obj.pk)
    if rendered_version is not None and rendered_version != getattr(obj, SETTING_VERSION):
        raise StaleSetting(obj)
    event = undoable_change(obj)
    if event is None:
        raise NothingToUndo(obj)
    changed = (
        event.parts.filter(cluster__isnull=False)
        .exclude(**{f"cluster__{SETTING_VERSION}": F("version")})
        .count()
        + event.parts.filter(scope=Scope.PROJECT, project__isnull=False)
        .exclude(**{f"project__{SETTING_VERSION}": F("version")})
        .count()
    )
    if changed:
        raise ChangedSince(event, changed)

    now, scope = timezone.now(), Scope(event.scope)
    platform_agent = obj.platform_agent or ""
    resumes = isinstance(obj, Cluster) and _resumes(obj, event, platform_agent)  # rule 6
    undo = AuditEvent.objects.create(
        at=now,
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        action=AuditEvent.Action.UNDO,
        scope=scope,
        via=scope,
        tenant_id=event.tenant_id,
        project_id=event.project_id,
        cluster_id=event.cluster_id,
        object_name=obj.name,
        old_value=obj.effective_agent_upgrades,
        new_value=event.old_value,
        reason=event.old_reason,
        until=event.old_until,
        detail=f"Undid the change {event.actor_name} made at {event.at:%Y-%m-%d %H:%M} UTC",
        version=getattr(obj, SETTING_VERSION) + 1,
        agents_upgraded=int(resumes),
        **setting_before(obj),
    )
    written, upgraded, fleet = 1, 0, []
    if resumes:
        one = Cluster.objects.filter(pk=obj.pk)
        upgraded = insert_select(
            AgentUpgrade,
            one,
            **upgrade_columns(platform_agent, actor, now, AgentUpgrade.Cause.RESUME),
        )
        one.update(agent_version=platform_agent)
        obj.agent_version = platform_agent
    _restore_object(obj, event)
    cluster_parts = event.parts.filter(cluster__isnull=False)
    if cluster_parts.exists():
        clusters = Cluster.objects.filter(pk__in=cluster_parts.values("cluster_id"))
        projects = Project.objects.filter(
            pk__in=event.parts.filter(scope=Scope.PROJECT).values("project_id")
        )
        resumed = clusters.filter(
            pk__in=cluster_parts.filter(old_value=UNLOCK).values("cluster_id"),
            agent_upgrades=LOCK,
        )
        _audit_rows(undo, projects, event, "project")
        _audit_rows(
            undo,
            clusters,
            event,
            "cluster",
            agents_upgraded=caught_up(platform_agent, among=resumed),
        )
        if platform_agent:
            upgraded = insert_select(
                AgentUpgrade,
                resumed.filter(held_back(platform_agent)),
                **upgrade_columns(platform_agent, actor, now, AgentUpgrade.Cause.RESUME),
            )
        _restore_rows(projects, event, "project")
        written, fleet = _restore_rows(clusters, event, "cluster", resumed, platform_agent)
    AuditEvent.objects.filter(pk=event.pk).update(undone_by=undo)
    counts = None
    if scope != Scope.CLUSTER:
        kind = {"tenant": obj} if scope == Scope.TENANT else {"project": obj}
        counts = counts_from_rows(
            fleet,
            below=scope,
            agent_version=platform_agent,
            now=now,
            clusters=Cluster.objects.filter(**kind),
        )
    return Change(
        scope,
        obj,
        AgentUpgrades(event.old_value),
        clusters_written=written,
        agents_upgraded=upgraded,
        agent_version=platform_agent if upgraded else "",
        platform_agent=platform_agent,
        counts=counts,
        event=undo,
        undid=event,
    )


def _resumes(cluster: Cluster, event: AuditEvent, platform_agent: str) -> bool:
    """Whether the undo resumes a paused cluster whose agent is behind."""
    return (
        event.old_value == UNLOCK
        and cluster.agent_upgrades == LOCK
        and bool(platform_agent)
        and cluster.agent_version != platform_agent
    )


def _restore_object(obj, event: AuditEvent) -> None:
    """The object's own setting back to what the event found, its version counting the write."""
    values = {
        obj._meta.get_field(field).attname: getattr(event, AuditEvent._meta.get_field(old).attname)
        for field, (_new, old) in SETTING_FIELDS.items()
    }
    type(obj).objects.filter(pk=obj.pk).update(
        **values, **{SETTING_VERSION: F(SETTING_VERSION) + 1}
    )
    for name, value in values.items():
        setattr(obj, name, value)
    setattr(obj, SETTING_VERSION, getattr(obj, SETTING_VERSION) + 1)


def _found(event: AuditEvent, kind: str) -> QuerySet[AuditEvent]:
    """Each row's part of the change (for a correlated subquery on that row)."""
    return event.parts.filter(**{kind: OuterRef("pk")})


def _restore_rows(
    rows: QuerySet,
    event: AuditEvent,
    kind: str,
    resumed: QuerySet | None = None,
    platform_agent: str = "",
) -> tuple[int, list[dict]]:
    """Every row's setting back to what its part of the change found (one UPDATE), agents of
    resumed clusters caught up in the same statement."""
    found = _found(event, kind)
    values = {
        field: Subquery(found.values(old)[:1]) for field, (_new, old) in SETTING_FIELDS.items()
    }
    values[SETTING_VERSION] = F(SETTING_VERSION) + 1
    if resumed is not None and platform_agent:
        values["agent_version"] = Case(
            When(Q(pk__in=resumed.values("pk")), then=Value(platform_agent)),
            default=F("agent_version"),
        )
    if kind == "cluster":
        return rows.update_and_recount(**values)
    return rows.update(**values), []


def _audit_rows(undo: AuditEvent, rows: QuerySet, event: AuditEvent, kind: str, **more) -> int:
    """One undo event per row, recording what it holds now and what the undo puts back (and
    the `more` columns)."""
    found = _found(event, kind)
    where = {"tenant_id": F("tenant_id"), "project_id": F("pk")}
    if kind == "cluster":
        where = {"tenant_id": F("tenant_id"), "project_id": F("project_id"), "cluster_id": F("pk")}
    return insert_select(
        AuditEvent,
        rows.order_by("name", "pk"),
        at=Value(undo.at),
        actor_id=Value(undo.actor_id),
        actor_name=Value(undo.actor_name),
        uid=NewUid(),
        action=Value(AuditEvent.Action.UNDO),
        scope=Value(kind),
        via=Value(undo.via),
        **where,
        object_name=F("name"),
        old_value=F("agent_upgrades"),
        new_value=Subquery(found.values("old_value")[:1]),
        reason=Subquery(found.values("old_reason")[:1]),
        until=Subquery(found.values("old_until")[:1]),
        version=F(SETTING_VERSION) + 1,
        part_of_id=Value(undo.pk),
        **{old: F(field) for field, (_new, old) in SETTING_FIELDS.items() if old != "old_value"},
        **more,
    )
