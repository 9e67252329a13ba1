"""What the Freeze windows section, its dialog and its confirmation pages say."""

from __future__ import annotations

from datetime import datetime

from ..models import Cluster, FreezeWindow, Project, Tenant
from . import window_span


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def window_reach(obj: Tenant | Project | Cluster) -> str:
    """What a window at `obj` pauses: 'pauses 412 clusters in 5 projects', 'pauses 40 clusters
    in project Default', 'pauses cluster prod-east'."""
    if isinstance(obj, Cluster):
        return f"pauses cluster {obj.name}"
    clusters = Cluster.objects.filter(**{type(obj).__name__.lower(): obj})
    count = clusters.count()
    if isinstance(obj, Project):
        return f"pauses {plural(count, 'cluster', 'clusters')} in project {obj.name}"
    projects = clusters.values("project_id").distinct().count()
    return f"pauses {plural(count, 'cluster', 'clusters')} in {plural(projects, 'project', 'projects')}"


def window_preview(window: FreezeWindow, first: tuple[datetime, datetime] | None) -> str:
    """'Next: Fri 27 Nov 18:00 – Mon 30 Nov 06:00 Europe/Berlin (17:00–05:00 UTC) · pauses 412
    clusters in 5 projects'."""
    reach = window_reach(window.target)
    if first is None:
        return f"No occurrence in the year ahead · {reach}"
    return f"Next: {window_span(*first, window.time_zone)} · {reach}"


def window_question(window: FreezeWindow, act: str) -> tuple[str, str]:
    """The title and text that ask before an act on a window."""
    name = window.name
    if act == "end":
        return (
            f"End freeze window {name} now?",
            f"Freeze window {name} stops now and never starts again. If it holds agent "
            "upgrades paused, every object it holds goes back to the value it had before it "
            "began. The window is kept as history.",
        )
    if act == "delete":
        return (
            f"Delete freeze window {name}?",
            f"Freeze window {name} has not started; it is deleted and will not pause anything. "
            "The audit trail keeps a record.",
        )
    if act == "edit":
        return f"Save freeze window {name}?", ""
    return f"Add freeze window {name}?", ""


def window_done(window: FreezeWindow, act: str) -> str:
    return {
        "add": f"Freeze window {window.name} added.",
        "edit": f"Freeze window {window.name} saved.",
        "end": f"Freeze window {window.name} ended.",
        "delete": f"Freeze window {window.name} deleted.",
    }[act]
