"""What a freeze window does to the setting: its start pauses its scope, its end puts back what
it holds (the rules 1 to 4 in `windows`, which checks and plans the windows).

What each held object had before is kept in the window's own audit events (each a part of the
start, or of the end of a window that handed it over), in the `old_…` fields every change
records; the end reads it back from there, as an undo does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, QuerySet, Value

from ..models import (
    AgentUpgrades,
    AuditEvent,
    Cluster,
    EdgeHost,
    FreezeOccurrence,
    FreezeWindow,
    Gateway,
    PlatformRelease,
    Project,
    Tenant,
    Via,
)
from . import notices
from .change import lock_tenant, write_change
from .holds import WINDOW, ProjectValue, WindowHold, WindowRestore, originals
from .writes import Pause

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
log = logging.getLogger(__name__)


def _covered(window: FreezeWindow) -> dict[str, QuerySet]:
    """The rows of each kind in a window's scope: as a push's, a project's idle Edge hosts and a
    tenant's gateways too."""
    if window.cluster_id:
        return {"cluster": Cluster.objects.filter(pk=window.cluster_id)}
    if window.project_id:
        return {
            "cluster": Cluster.objects.filter(project_id=window.project_id),
            "host": EdgeHost.objects.idle().filter(project_id=window.project_id),
            "project": Project.objects.filter(pk=window.project_id),
        }
    return {
        "cluster": Cluster.objects.filter(tenant_id=window.tenant_id),
        "host": EdgeHost.objects.idle().filter(tenant_id=window.tenant_id),
        "gateway": Gateway.objects.filter(tenant_id=window.tenant_id),
        "project": Project.objects.filter(tenant_id=window.tenant_id),
        "tenant": Tenant.objects.filter(pk=window.tenant_id),
    }


def by_kind(rows: dict[str, QuerySet]) -> dict[str, QuerySet]:
    """The rows of each kind, named as `write_change` takes them."""
    names = {
        "tenant": "tenants",
        "project": "projects",
        "cluster": "clusters",
        "gateway": "gateways",
        "host": "hosts",
    }
    return {names[kind]: q for kind, q in rows.items()}


def _via(window: FreezeWindow) -> Via:
    return Via(window.scope)


def _act(window: FreezeWindow, occurrence: FreezeOccurrence, detail: str, old_value) -> dict:
    return {
        "action": WINDOW,
        "scope": window.scope,
        "tenant_id": window.tenant_id,
        "project_id": window.project_id or getattr(window.cluster, "project_id", None),
        "cluster_id": window.cluster_id,
        "object_name": window.target.name,
        "old_value": old_value,
        "freeze_window": window,
        "detail": detail,
    }


def claim(occurrence: FreezeOccurrence, was: str, becomes: str) -> bool:
    """Move the occurrence on, exactly once: two schedulers may try, one row changes."""
    # The claim filters on the occurrence's own columns only: PostgreSQL re-checks those on a
    # row another scheduler held, not a join's.
    runs = FreezeOccurrence.objects.filter(pk=occurrence.pk, state=was)
    if runs.update(state=becomes) != 1:
        return False
    if (
        becomes == FreezeOccurrence.State.STARTED
        and FreezeWindow.objects.filter(pk=occurrence.window_id, ended_at__isnull=False).exists()
    ):  # the window was ended early meanwhile: this one no longer runs
        runs.model.objects.filter(pk=occurrence.pk).update(state=FreezeOccurrence.State.SKIPPED)
        return False
    return True


def _lock(window: FreezeWindow) -> None:
    lock_tenant(pk=window.tenant_id)


@transaction.atomic
def start(occurrence: FreezeOccurrence, now: datetime) -> AuditEvent | None:
    """Rule 1: the window pauses its scope. Objects that another window holds stay with it."""
    window = occurrence.window
    if not claim(occurrence, FreezeOccurrence.State.SCHEDULED, FreezeOccurrence.State.STARTED):
        return None
    _lock(window)
    write = WindowHold(
        LOCK,
        _via(window),
        window.created_by,
        now,
        Pause(window.reason, occurrence.ends_at),
        window=window,
    )
    rows = {
        kind: q.filter(agent_upgrades_window__isnull=True) for kind, q in _covered(window).items()
    }
    target = type(window.target).objects.get(pk=window.target.pk)
    written = write_change(
        write,
        act=_act(window, occurrence, _until_text(occurrence), target.effective_agent_upgrades),
        **by_kind(rows),
        only_changed=False,
    )
    FreezeOccurrence.objects.filter(pk=occurrence.pk).update(start_event=written.event)
    notices.window_started(window, occurrence, written.clusters_written)
    occurrence.start_event = written.event
    return written.event


@transaction.atomic
def move_end(occurrence: FreezeOccurrence, ends_at: datetime, now: datetime) -> AuditEvent:
    """A running window's new end: the occurrence ends then, and every row it holds is paused
    until then. Its rows' record of what they had before any window is carried over (a hold
    of the window after itself), so that its end still puts that back."""
    window = occurrence.window
    _lock(window)
    FreezeOccurrence.objects.filter(pk=occurrence.pk).update(ends_at=ends_at)
    occurrence.ends_at = ends_at
    held = {kind: q.filter(agent_upgrades_window=window) for kind, q in _covered(window).items()}
    pause = Pause(window.reason, ends_at)
    hold = WindowHold(
        LOCK, _via(window), window.created_by, now, pause, window=window, previous=window
    )
    text = f"End moved; holds until {ends_at:%Y-%m-%d %H:%M} UTC"
    written = write_change(
        hold,
        act=_act(window, occurrence, text, LOCK),
        **by_kind(held),
        only_changed=False,
    )
    return written.event


@dataclass(frozen=True)
class Ending:
    event: AuditEvent | None
    restored: int = 0
    handed_over: int = 0
    left_alone: int = 0  # changed by a person or the API while the window held them


@transaction.atomic
def end(occurrence: FreezeOccurrence, now: datetime) -> Ending:
    """Rule 3: put back what the window holds, or hand it to another window still running;
    rule 4: leave alone what a person changed meanwhile."""
    window = occurrence.window
    if not claim(occurrence, FreezeOccurrence.State.STARTED, FreezeOccurrence.State.ENDED):
        return Ending(None)
    _lock(window)
    held = _held(window)
    others = list(
        FreezeOccurrence.objects.filter(
            state=FreezeOccurrence.State.STARTED, window__tenant_id=window.tenant_id
        )
        .exclude(window=window)
        .select_related("window")
        .order_by("-ends_at", "pk")
    )
    left_alone = _left_alone(window, occurrence)
    handed: dict[str, QuerySet] = {}
    for other in others:
        for kind, rows in _covered(other.window).items():
            if kind in held:
                taken = held[kind].filter(pk__in=rows.values("pk"))
                handed[kind] = taken if kind not in handed else handed[kind] | taken
    restore = {
        kind: rows.filter(Exists(originals(window, kind))).exclude(
            pk__in=handed[kind].values("pk") if kind in handed else []
        )
        for kind, rows in held.items()
    }
    restored = restore["cluster"].count()  # the end says how many clusters it put back
    handed_count = sum(rows.count() for rows in handed.values())
    joined = (
        held["cluster"].exclude(Exists(originals(window, "cluster"))).count()
        if window.scope != "cluster"
        else 0
    )
    release = PlatformRelease.current()
    detail = _end_text(restored, handed_count, left_alone, joined)
    written = write_change(
        WindowRestore(UNLOCK, _via(window), window.created_by, now, ending=window),
        act=_act(window, occurrence, detail, LOCK) | {"freeze_window": window},
        **by_kind(restore),
        catch_up=release.agent_version if release else "",
        only_changed=False,
        recorded={"old_value": Value(LOCK)},
    )
    for other in others:
        # Only rows whose values before the windows this one recorded: the next holder copies
        # them (a cluster added to a held project since has none: it follows its project below).
        rows = {
            kind: held[kind].filter(Exists(originals(window, kind)), pk__in=q.values("pk"))
            for kind, q in _covered(other.window).items()
            if kind in held
        }
        if any(q.exists() for q in rows.values()):
            write_change(
                WindowHold(
                    LOCK,
                    _via(other.window),
                    other.window.created_by,
                    now,
                    Pause(other.window.reason, other.ends_at),
                    window=other.window,
                    previous=window,
                ),
                **by_kind(rows),
                only_changed=False,
                recorded={"part_of_id": Value(written.event.pk)},
            )
    if joined:
        joining = held["cluster"].exclude(Exists(originals(window, "cluster")))
        _follow_their_projects(window, joining, written.event, now)
    FreezeOccurrence.objects.filter(pk=occurrence.pk).update(end_event=written.event)
    notices.window_ended(window, written.clusters_written, handed_count, left_alone)
    return Ending(written.event, written.clusters_written, handed_count, left_alone)


def _held(window: FreezeWindow) -> dict[str, QuerySet]:
    """The rows the window holds, of each kind. A cluster moved out of a held project keeps
    its window (a move is not a push): a project's window looks for its clusters in the whole
    tenant."""
    held = {kind: q.filter(agent_upgrades_window=window) for kind, q in _covered(window).items()}
    if window.scope == "project":
        held["cluster"] = Cluster.objects.filter(
            tenant_id=window.tenant_id, agent_upgrades_window=window
        )
    return held


def _left_alone(window: FreezeWindow, occurrence: FreezeOccurrence) -> int:
    """Rule 4: the clusters the window took into its hold in this occurrence (at its start, or
    handed over by a window that ended) that a person or the API has changed since."""
    took = AuditEvent.objects.filter(
        tenant_id=window.tenant_id,
        action=WINDOW,
        at__gte=occurrence.starts_at,
        scope="cluster",
        freeze_window=window,
        new_value=LOCK,
        part_of__isnull=False,
    )
    return (
        Cluster.objects.filter(pk__in=took.values("cluster_id"))
        .exclude(agent_upgrades_window=window)
        .count()
    )


def _follow_their_projects(window, clusters: QuerySet[Cluster], end_event, now) -> None:
    """Clusters added to a held project while the window ran took its paused value (rule 5)
    without the window recording an earlier one: they take their project's value again, as
    the end left it (put back, or held by the window that took the project over)."""
    release = PlatformRelease.current()
    write_change(
        ProjectValue(UNLOCK, Via.PROJECT, window.created_by, now, window=window),
        clusters=clusters,
        catch_up=release.agent_version if release else "",
        only_changed=False,
        recorded={"part_of_id": Value(end_event.pk)},
    )


def _until_text(occurrence: FreezeOccurrence) -> str:
    return f"Started; holds until {occurrence.ends_at:%Y-%m-%d %H:%M} UTC"


def _end_text(restored: int, handed: int, left_alone: int, joined: int = 0) -> str:
    parts = [f"Ended; put {restored} {_clusters(restored)} back as they were"]
    if joined:
        its = "its project's value" if joined == 1 else "their projects' values"
        parts.append(f"{joined} {_clusters(joined)} added meanwhile took {its}")
    if handed:
        parts.append(f"{handed} stay paused: another freeze window holds them")
    if left_alone:
        parts.append(
            f"left {left_alone} {_clusters(left_alone)} alone: changed by a person or the API "
            "while the window held them"
        )
    return "; ".join(parts)


def _clusters(count: int) -> str:
    return "cluster" if count == 1 else "clusters"
