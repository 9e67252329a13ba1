"""The console's sentences: where a value came from, what a dialog asks, what a message says.
Here the states and provenance of one object; by concern beside it: `changes` (what a
change asks and says), `releases`,
`audit`, `api` (refusals and API keys) and `fleet` (the Clusters list's pages and bulk acts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.timesince import timesince

from ..models import (
    AgentUpgradesSetting,
    AuditEvent,
    Cluster,
    Gateway,
    Project,
    Tenant,
    Via,
)
from ..rules import (
    FleetCounts,
    ProjectCounts,
)

LOGGED_OUT = "You have logged out."


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def describe(obj: Tenant | Project | Cluster) -> str:
    return f"{type(obj).__name__.lower()} {obj.name}"


def named(obj: Tenant | Project | Cluster) -> str:
    """How a dialog's title names what it acts on: a cluster by its name, a project or a tenant
    with its kind ("prod-east", "project Default")."""
    return obj.name if isinstance(obj, Cluster) else describe(obj)


# The state at a glance: the badge of a cluster, and of a project or tenant whose clusters may
# differ ("Mixed · 2 of 5 clusters paused"). Mixed is a display state counted from the clusters,
# never a stored value.


@dataclass(frozen=True)
class State:
    kind: str  # "paused", "active" or "mixed": the badge's class
    label: str  # "Paused", "Active" or "Mixed"
    detail: str = ""  # "2 of 5 clusters paused", for Mixed

    def __str__(self) -> str:
        return f"{self.label} · {self.detail}" if self.detail else self.label


def own_state(obj: AgentUpgradesSetting) -> State:
    """The object's own value, as a cluster's badge shows it."""
    return State("paused", "Paused") if obj.is_paused else State("active", "Active")


def fleet_state(obj: AgentUpgradesSetting | None, counts: FleetCounts | ProjectCounts) -> State:
    """The state of a project's or tenant's clusters: Paused or Active when they agree, Mixed
    with the counts when they differ; with no clusters, the object's own value."""
    if counts.mixed:
        return State("mixed", "Mixed", f"{mixed_detail(counts)} paused")
    if isinstance(counts, FleetCounts) and counts.agents:
        return State("paused", "Paused") if counts.agents_paused else State("active", "Active")
    if counts.total:
        return State("paused", "Paused") if counts.paused else State("active", "Active")
    return own_state(obj) if obj is not None else State("active", "Active")


def mixed_detail(counts: FleetCounts | ProjectCounts) -> str:
    """'2 of 5 clusters'; with a scope's gateways and idle hosts, each kind that has some: '5 of
    5 clusters and 0 of 1 gateway'."""
    parts = [f"{counts.paused} of {plural(counts.total, 'cluster')}"] if counts.total else []
    for kind, noun in (("gateways", "gateway"), ("idle_hosts", "Edge host")):
        agents = getattr(counts, kind, None)  # a project's row counts its clusters only
        if agents and agents.total:
            parts.append(f"{agents.paused} of {plural(agents.total, noun)}")
    return listed(parts)


def ago(moment: datetime) -> str:
    """'5 minutes ago', or 'just now' for the last minute."""
    now = timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now)} ago"


def when(moment: datetime) -> str:
    """A date and time as people read them here: '2026-12-01 18:00 UTC'."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def via_key(key_name: str) -> str:
    """' · via API key ci-freeze' for a change that came through the API; '' for a click."""
    return f" · via API key {key_name}" if key_name else ""


def who(event: AuditEvent) -> str:
    """Who made an audited change: 'tenant-admin', or 'tenant-admin · via API key ci-freeze'."""
    return event.actor_name + via_key(event.api_key_name)


def source(obj: AgentUpgradesSetting) -> str:
    """Where the value came from, by whom and when: 'pushed by tenant Acme · tenant-admin · 5
    minutes ago', and for a change through the API '… · via API key ci-freeze'; 'default value,
    not changed yet' while nobody has changed it."""
    via = obj.agent_upgrades_set_via
    if not via or obj.agent_upgrades_set_at is None:
        return "default value, not changed yet"
    own_scope = type(obj).__name__.lower()
    window = obj.agent_upgrades_window if obj.agent_upgrades_window_id else None
    if window is not None:
        by = obj.agent_upgrades_set_by.get_username() if obj.agent_upgrades_set_by else "system"
        return f"freeze window {window.name}, created by {by} · {ago(obj.agent_upgrades_set_at)}"
    if via == Via.EXPIRY:
        return f"resumed when its pause ended · {ago(obj.agent_upgrades_set_at)}"
    if via == own_scope or via == Via.CLUSTER:  # a gateway's own switch writes "set directly"
        origin = f"set on this {own_scope}"
    elif via == Via.PROJECT:
        origin = f"pushed by project {obj.project.name}"
    else:
        tenant = obj.tenant if isinstance(obj, (Project, Gateway)) else obj.project.tenant
        origin = f"pushed by tenant {tenant.name}"
    by = obj.agent_upgrades_set_by.get_username() if obj.agent_upgrades_set_by else "system"
    key = via_key(obj.agent_upgrades_set_with_key)
    return f"{origin} · {by} · {ago(obj.agent_upgrades_set_at)}{key}"


def local_when(moment: datetime, zone: str) -> str:
    """A moment in a window's zone, with UTC beside it: 'Mon 4 Jan 06:00 Europe/Berlin (05:00
    UTC)'."""
    local, utc = moment.astimezone(ZoneInfo(zone)), moment.astimezone(UTC)
    day = f"{local:%a} {local.day} {local:%b %H:%M}"
    if local.date() != utc.date():
        return f"{day} {zone} ({utc:%a} {utc.day} {utc:%b %H:%M} UTC)"
    return f"{day} {zone} ({utc:%H:%M} UTC)"


def window_span(start: datetime, end: datetime, zone: str) -> str:
    """An occurrence in its zone, with UTC beside it: 'Fri 27 Nov 18:00 – Mon 30 Nov 06:00
    Europe/Berlin (17:00–05:00 UTC)'."""
    tz = ZoneInfo(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    utc_start, utc_end = start.astimezone(UTC), end.astimezone(UTC)

    def day(moment: datetime) -> str:
        return f"{moment:%a} {moment.day} {moment:%b %H:%M}"

    return f"{day(local_start)} – {day(local_end)} {zone} ({utc_start:%H:%M}–{utc_end:%H:%M} UTC)"


def details(obj: AgentUpgradesSetting) -> str:
    """Everything about the value but the value itself: a pause's end and reason, then where it
    came from. 'until 2026-12-01 18:00 UTC · “freeze” · pushed by tenant Acme · …'; an ended
    pause says so first: 'pause ended 2026-11-24 14:00 UTC · it was “freeze”, pushed by …'."""
    reason = obj.agent_upgrades_reason
    if obj.pause_expired:
        was = f"“{reason}”, " if reason else ""
        return f"pause ended {when(obj.agent_upgrades_until)} · it was {was}{source(obj)}"
    parts = []
    window = obj.agent_upgrades_window if obj.agent_upgrades_window_id else None
    if obj.is_paused and window is not None and obj.agent_upgrades_until:
        parts.append(f"until {local_when(obj.agent_upgrades_until, window.time_zone)}")
    elif obj.is_paused and obj.agent_upgrades_until:
        parts.append(f"until {when(obj.agent_upgrades_until)}")
    if obj.is_paused and reason:
        parts.append(f"“{reason}”")
    parts.append(source(obj))
    return " · ".join(parts)


def listed(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c': the non-empty parts."""
    parts = [part for part in parts if part]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
