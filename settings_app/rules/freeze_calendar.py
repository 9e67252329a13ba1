"""The freeze windows as people read them: the Freeze Calendar of a tenant (every occurrence of
its windows over the next eight weeks, grouped by the scope each window belongs to, with the
occurrences that hold the same objects at the same time named on each), and the windows running
over a cluster now; and each scope's own windows as its settings page lists them (`windows_at`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from ..models import Cluster, FreezeOccurrence, FreezeWindow, LocalTimeProblem, Project, Tenant
from .windows import CHECKED_AHEAD, HORIZON


@dataclass(eq=False)
class CalendarEntry:
    """One occurrence of a window, in UTC, and the other occurrences that overlap it."""

    window: FreezeWindow
    start: datetime
    end: datetime
    running: bool  # started, and holding now
    overlaps: list[CalendarEntry] = field(default_factory=list)

    def holds_with(self, other: CalendarEntry) -> bool:
        """Whether both hold one object at one moment: their times meet and one's scope
        covers the other's (the tenant covers all, a project its clusters)."""
        if self.start >= other.end or other.start >= self.end:
            return False
        return _covers(self.window, other.window) or _covers(other.window, self.window)


@dataclass
class CalendarScope:
    """The windows of one scope: the tenant, a project or a cluster."""

    kind: str  # "tenant", "project" or "cluster"
    obj: object
    entries: list[CalendarEntry] = field(default_factory=list)


@dataclass(frozen=True)
class FreezeCalendar:
    since: datetime
    until: datetime
    scopes: list[CalendarScope]

    @property
    def overlap_count(self) -> int:
        return sum(1 for scope in self.scopes for entry in scope.entries if entry.overlaps)


def _covers(outer: FreezeWindow, inner: FreezeWindow) -> bool:
    if outer.scope == "tenant":
        return True
    if outer.scope == "project":
        return outer.project_id in (inner.project_id, _project_of(inner))
    return inner.scope == "cluster" and inner.cluster_id == outer.cluster_id


def _project_of(window: FreezeWindow) -> int | None:
    return window.cluster.project_id if window.cluster_id else window.project_id


def freeze_calendar(tenant: Tenant, now: datetime) -> FreezeCalendar:
    """The tenant's windows from `now` to HORIZON ahead: the tenant's first, then each project's
    and each cluster's by name. Two statements however many windows."""
    until = now + HORIZON
    windows = (
        FreezeWindow.objects.filter(tenant=tenant)
        .select_related("tenant", "project", "cluster__project")
        .prefetch_related("runs")
    )
    entries: list[CalendarEntry] = []
    for window in windows:
        running = [run for run in window.runs.all() if run.state == FreezeOccurrence.State.STARTED]
        entries += [CalendarEntry(window, run.starts_at, run.ends_at, True) for run in running]
        if window.ended_at is not None:
            continue  # ended early or deleted: nothing more of it starts
        try:
            times = list(window.occurrences(now, until))
        except LocalTimeProblem:
            continue  # refused when saved; the zone's rules changed since
        entries += [
            CalendarEntry(window, start, end, False)
            for start, end in times
            if not any(run.starts_at == start for run in running) and end > now
        ]
    entries.sort(key=lambda entry: (entry.start, entry.window.name, entry.window.pk))
    for number, entry in enumerate(entries):
        for other in entries[number + 1 :]:
            if other.start >= entry.end:
                break  # sorted by start: no later one meets this one
            if entry.holds_with(other):
                entry.overlaps.append(other)
                other.overlaps.append(entry)
    scopes: dict[tuple, CalendarScope] = {}
    for entry in entries:
        scope = _scope_of(entry.window)
        scopes.setdefault(scope[0], scope[1]).entries.append(entry)
    return FreezeCalendar(now, until, [scopes[key] for key in sorted(scopes)])


def _scope_of(window: FreezeWindow) -> tuple[tuple, CalendarScope]:
    """The window's scope, and where it sorts: the tenant, projects by name, clusters by their
    project's name and their own."""
    if window.cluster_id:
        cluster = window.cluster
        return (2, cluster.project.name, cluster.name, cluster.pk), CalendarScope(
            "cluster", cluster
        )
    if window.project_id:
        project = window.project
        return (1, project.name, "", project.pk), CalendarScope("project", project)
    return (0, "", "", window.tenant_id), CalendarScope("tenant", window.tenant)


def running_over(cluster: Cluster) -> list[FreezeOccurrence]:
    """The started occurrences of every window whose scope covers the cluster (its own, its
    project's, its tenant's), with their windows; one statement. The one holding the cluster's
    value is `cluster.agent_upgrades_window_id`; the others hold it too, and take it over when
    that one ends (rule 2)."""
    covers = (
        Q(window__cluster=cluster)
        | Q(window__project_id=cluster.project_id, window__cluster__isnull=True)
        | Q(
            window__tenant_id=cluster.tenant_id,
            window__project__isnull=True,
            window__cluster__isnull=True,
        )
    )
    return list(
        FreezeOccurrence.objects.filter(covers, state=FreezeOccurrence.State.STARTED)
        .select_related("window")
        .order_by("ends_at", "pk")
    )


@dataclass(frozen=True)
class WindowTimes:
    """One occurrence of a window, in UTC."""

    window: FreezeWindow
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ScopeWindows:
    """The windows of one scope, as its settings page lists them."""

    current: list[WindowTimes]  # holding now
    upcoming: list[WindowTimes]  # the next three occurrences
    past: list[WindowTimes]  # the last five that ran (or were skipped), newest first

    @property
    def any(self) -> bool:
        return bool(self.current or self.upcoming or self.past)


def windows_at(obj: Tenant | Project | Cluster, now: datetime) -> ScopeWindows:
    """The windows defined on `obj` itself (two statements however many windows)."""
    kind = type(obj).__name__.lower()
    windows = FreezeWindow.objects.filter(**{kind: obj})
    if kind == "tenant":
        windows = windows.filter(project__isnull=True, cluster__isnull=True)
    elif kind == "project":
        windows = windows.filter(cluster__isnull=True)
    windows = list(windows.prefetch_related("runs"))
    State = FreezeOccurrence.State
    current, past, upcoming = [], [], []
    for window in windows:
        for run in window.runs.all():
            times = WindowTimes(window, run.starts_at, run.ends_at)
            if run.state == State.STARTED:
                current.append(times)
            elif run.state in (State.ENDED, State.SKIPPED):
                past.append(times)
        if window.ended_at is None:
            # Still to come: those that have not ended, nor started (one whose start is due
            # waits for the scheduler's next pass, and is listed until then).
            held = {run.starts_at for run in window.runs.all() if run.state != State.SCHEDULED}
            try:
                upcoming += [
                    WindowTimes(window, start, end)
                    for start, end in window.occurrences(now, now + CHECKED_AHEAD)
                    if start not in held
                ][:3]
            except LocalTimeProblem:
                continue
    upcoming.sort(key=lambda times: times.start)
    past.sort(key=lambda times: times.end, reverse=True)
    return ScopeWindows(current, upcoming[:3], past[:5])
