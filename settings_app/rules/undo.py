"""Undoing a change: the setting of every object the change wrote goes back to what it was, with
where it came from, as long as none of them has been changed since. The undo is a change of its
own, audited like any other, and resuming agents catch up (rule 6)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.utils import timezone

from ..models import (
    SETTING_FIELDS,
    SETTING_VERSION,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    Project,
    Scope,
    Tenant,
)
from .change import mark_undone, read_locked, write_change
from .fleet import counts_from_rows
from .pauses import Change, StaleSetting
from .writes import Pause, SettingWrite

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
    # A push always has parts: the newest of the tenant's changes that have some, by their
    # index, rather than the whole trail newest first (its parts are newer than it).
    pushed = {}
    if kind == "project":
        pushed = {"tenant_id": obj.tenant_id, "has_parts": True}
    elif kind == "tenant":
        pushed = {"has_parts": True}
    return (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.SETTING,
            scope=kind,
            via=kind,
            part_of__isnull=True,
            undone_by__isnull=True,
            version=getattr(obj, SETTING_VERSION),
            **{kind: obj},
            **pushed,
        )
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class Restore(SettingWrite):
    """An undo's write, built from the setting's definition (SETTING_FIELDS): every row gets
    back what the undone change (`undone`) found on it, with where it came from; the undo's
    own events record the undoer, now, and the value, reason and end they put back."""

    undone: AuditEvent | None = None

    def columns(self, kind: str = "") -> dict:
        if not kind or kind == self.undone.scope:  # the object the change was made on
            return {
                field: getattr(self.undone, AuditEvent._meta.get_field(names.old).attname)
                for field, names in SETTING_FIELDS.items()
            }
        found = _found(self.undone, kind)
        return {
            field: Subquery(found.values(names.old)[:1]) for field, names in SETTING_FIELDS.items()
        }

    def own_event(self, obj) -> dict:
        undone = self.undone
        return {
            "action": AuditEvent.Action.UNDO,
            "detail": f"Undid the change {undone.actor_name} made at {undone.at:%Y-%m-%d %H:%M} UTC",
        }

    def row_event(self, kind: str) -> dict:
        found = _found(self.undone, kind)
        return {
            "action": Value(AuditEvent.Action.UNDO),
            "old_value": F("agent_upgrades"),
            "new_value": Subquery(found.values("old_value")[:1]),
            "reason": Subquery(found.values("old_reason")[:1]),
            "until": Subquery(found.values("old_until")[:1]),
        }

    def resumes(self, kind: str) -> Q:
        if kind != "cluster":
            return Q(pk__in=[])
        if self.undone.scope == "cluster":
            return Q() if self.undone.old_value == UNLOCK else Q(pk__in=[])
        parts = self.undone.parts.filter(cluster__isnull=False, old_value=UNLOCK)
        return Q(pk__in=parts.values("cluster_id"))


@transaction.atomic
def undo_change(
    obj: Tenant | Project | Cluster,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
) -> Change:
    """Put back what the change that wrote `obj`'s setting found there: on `obj`, and on every
    project and cluster it pushed to."""
    obj = read_locked(obj)
    if rendered_version is not None and rendered_version != getattr(obj, SETTING_VERSION):
        raise StaleSetting(obj)
    event = undoable_change(obj)
    if event is None:
        raise NothingToUndo(obj)
    changed = (
        event.parts.filter(cluster__isnull=False)
        .exclude(**{f"cluster__{SETTING_VERSION}": F("version")})
        .count()
        + event.parts.filter(scope=Scope.PROJECT, cluster__isnull=True, project__isnull=False)
        .exclude(**{f"project__{SETTING_VERSION}": F("version")})
        .count()
    )
    if changed:
        raise ChangedSince(event, changed)

    now, scope = timezone.now(), Scope(event.scope)
    platform_agent = obj.platform_agent or ""
    restore = Restore(
        AgentUpgrades(event.old_value),
        scope,
        actor,
        now,
        Pause(event.old_reason, event.old_until),
        undone=event,
    )
    projects = clusters = None
    cluster_parts = event.parts.filter(cluster__isnull=False)
    if scope != Scope.CLUSTER and cluster_parts.exists():
        clusters = Cluster.objects.filter(pk__in=cluster_parts.values("cluster_id"))
        projects = Project.objects.filter(
            pk__in=event.parts.filter(scope=Scope.PROJECT, cluster__isnull=True).values(
                "project_id"
            )
        )
    written = write_change(
        restore,
        own=obj,
        projects=projects,
        clusters=clusters,
        catch_up=platform_agent,
        only_changed=False,
    )
    mark_undone(event, written.event)
    counts = None
    if scope != Scope.CLUSTER:
        kind = {"tenant": obj} if scope == Scope.TENANT else {"project": obj}
        counts = counts_from_rows(
            list(written.fleet),
            below=scope,
            agent_version=platform_agent,
            now=now,
            clusters=Cluster.objects.filter(**kind),
        )
    upgraded = written.agents_upgraded
    return Change(
        scope,
        obj,
        AgentUpgrades(event.old_value),
        clusters_written=written.clusters_written if clusters is not None else 1,
        agents_upgraded=upgraded,
        agent_version=platform_agent if upgraded else "",
        platform_agent=platform_agent,
        counts=counts,
        event=written.event,
        undid=event,
    )


def _found(event: AuditEvent, kind: str):
    """Each row's part of the change (for a correlated subquery on that row), by the parts' key:
    a project's own part, not one of its clusters'."""
    found = event.parts.filter(**{kind: OuterRef("pk")})
    return found if kind == Scope.CLUSTER else found.filter(cluster__isnull=True, scope=kind)
