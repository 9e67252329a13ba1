"""Undoing a change: the setting of every object the change wrote goes back to what it was, with
where it came from, as long as none of them has been changed since. The undo is a change of its
own, audited like any other, and resuming agents catch up (rule 6)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.utils import timezone

from ..models import (
    SETTING_FIELDS,
    SETTING_VERSION,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    EdgeHost,
    Gateway,
    Project,
    Scope,
    Tenant,
)
from ..sql import Unindexed
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
        if kind not in _LINK or kind == Scope.PROJECT:
            return Q(pk__in=[])
        if self.undone.scope == kind and kind == Scope.CLUSTER:
            return Q() if self.undone.old_value == UNLOCK else Q(pk__in=[])
        link = _LINK[kind]
        parts = self.undone.parts.filter(**{f"{link}__isnull": False}, old_value=UNLOCK)
        return Q(pk__in=parts.values(f"{link}_id"))


@transaction.atomic
def undo_change(
    obj: Tenant | Project | Cluster,
    *,
    actor: AbstractBaseUser | None,
    rendered_version: int | None = None,
) -> Change:
    """Put back what the change that wrote `obj`'s setting found there: on `obj`, and on every
    project, cluster, gateway and idle Edge host it pushed to."""
    obj = read_locked(obj)
    if rendered_version is not None and rendered_version != getattr(obj, SETTING_VERSION):
        raise StaleSetting(obj)
    event = undoable_change(obj)
    if event is None:
        raise NothingToUndo(obj)
    parts = _parts_counted(event)
    if parts["changed"]:
        raise ChangedSince(event, parts["changed"])

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
    below = {}
    if scope != Scope.CLUSTER:  # the rows of each kind the change wrote, where it wrote some
        for name, model, link in _BELOW:
            if parts[name]:
                written_rows = event.parts.filter(**{f"{link}__isnull": False})
                if name == "projects":
                    written_rows = written_rows.filter(scope=Scope.PROJECT, cluster__isnull=True)
                below[name] = model.objects.filter(pk__in=written_rows.values(f"{link}_id"))
    written = write_change(
        restore,
        own=obj,
        **below,
        catch_up=platform_agent,
        only_changed=False,
    )
    mark_undone(event, written.event)
    counts = None  # the answer counts afresh what an undo put back on gateways and hosts
    if scope != Scope.CLUSTER and not (written.gateways_written or written.hosts_written):
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
        clusters_written=written.clusters_written if "clusters" in below else 1,
        gateways_written=written.gateways_written,
        hosts_written=written.hosts_written,
        agents_upgraded=upgraded,
        agent_version=platform_agent if upgraded else "",
        platform_agent=platform_agent,
        counts=counts,
        event=written.event,
        undid=event,
    )


# Each kind of row a push writes below its object: the name `write_change` takes them by, the
# model, and the audit event's link to a row of it.
_BELOW = (
    ("clusters", Cluster, "cluster"),
    ("projects", Project, "project"),
    ("gateways", Gateway, "gateway"),
    ("hosts", EdgeHost, "edge_host"),
)
_LINK = {
    Scope.CLUSTER: "cluster",
    Scope.PROJECT: "project",
    Scope.GATEWAY: "gateway",
    Scope.EDGE_HOST: "edge_host",
}


def _parts_counted(event: AuditEvent) -> dict:
    """In one statement: how many of the rows the change wrote have been changed since (their
    version is no longer the one it wrote), and how many it wrote of each kind."""
    changed = Q()
    for _name, _model, link in _BELOW:
        own = Q(**{f"{link}__isnull": False})
        if link == "project":  # a project's own part, not one of its clusters'
            own &= Q(scope=Scope.PROJECT, cluster__isnull=True)
        changed |= own & ~Q(**{f"{link}__{SETTING_VERSION}": F("version")})
    counts = {name: Count(f"{link}_id") for name, _model, link in _BELOW}
    counts["projects"] = Count("project_id", filter=Q(scope=Scope.PROJECT, cluster__isnull=True))
    return event.parts.aggregate(changed=Count("pk", filter=changed), **counts)


def _found(event: AuditEvent, kind: str):
    """Each row's part of the change (for a correlated subquery on that row), by the parts' key:
    a project's own part, not one of its clusters'. A change writes a row once: its part is
    the only one, read unsorted (the trail's default order made SQLite sort each lookup)."""
    if kind in (Scope.GATEWAY, Scope.EDGE_HOST):
        # By the row's own key (its link, then the change): the change's key alone would lead
        # PostgreSQL to read all of a push's parts without a cluster for every row.
        found = AuditEvent.objects.alias(change=Unindexed("part_of_id")).filter(
            change=event.pk, **{_LINK[kind]: OuterRef("pk")}
        )
    else:
        found = event.parts.filter(**{_LINK[kind]: OuterRef("pk")})
        if kind != Scope.CLUSTER:
            found = found.filter(cluster__isnull=True, scope=kind)
    return found.order_by()
