"""The console's sentences: where a value came from, what a dialog asks, what a message says.
Here the states, provenance and the changes of one object; by concern beside it: `releases`,
`audit`, `api` (refusals and API keys) and `fleet` (the Clusters list's pages and bulk acts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.timesince import timesince

from ..models import (
    AgentUpgrades,
    AgentUpgradesSetting,
    AuditEvent,
    Cluster,
    Gateway,
    Project,
    Tenant,
    Via,
)
from ..rules import (
    Change,
    FleetCounts,
    ProjectCounts,
    cluster_impact,
    push_impact,
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


def change_title(obj: Tenant | Project | Cluster, value: str) -> str:
    """The dialog's title names the act: 'Pause agent upgrades for prod-east?'."""
    verb = "Pause" if value == AgentUpgrades.LOCK else "Resume"
    return f"{verb} agent upgrades for {named(obj)}?"


def push_again_label(obj: Project | Tenant, counts: FleetCounts) -> str:
    """The button that pushes the current value again says what it will do: 'Pause all 5
    clusters'."""
    verb = "Pause" if obj.is_paused else "Resume"
    others = [
        plural(agents.total, noun)
        for agents, noun in ((counts.gateways, "gateway"), (counts.idle_hosts, "Edge host"))
        if agents.total
    ]
    if others:  # a push writes them too
        return f"{verb} all {listed([plural(counts.total, 'cluster'), *others])}"
    if counts.total == 1:
        return f"{verb} its 1 cluster"
    return f"{verb} all {plural(counts.total, 'cluster')}"


def push_again_title(obj: Project | Tenant, counts: FleetCounts) -> str:
    return f"{push_again_label(obj, counts)} of {describe(obj)}?"


def cluster_confirm(
    cluster: Cluster | Gateway, platform_agent: str, value: str | None = None
) -> str:
    """What setting the cluster (or the gateway) to `value` (by default, the opposite of what
    holds) will do."""
    name = describe(cluster)
    pausing = (value or cluster_wanted(cluster)) == AgentUpgrades.LOCK
    if pausing == cluster.is_paused:
        state = "paused" if pausing else "active"
        return f"Agent upgrades are already {state} for {name}; OK changes nothing."
    if pausing:
        text = (
            f"Pause agent upgrades for {name}. Its agent stays at "
            f"{cluster.agent_version} when the platform is upgraded, until upgrades are resumed."
        )
    else:
        text = f"Resume agent upgrades for {name}."
        impact = cluster_impact(cluster, AgentUpgrades.UNLOCK, platform_agent)
        if impact.agents_to_upgrade:
            text += (
                f" Its agent will be upgraded from {cluster.agent_version} to "
                f"{impact.agent_version}."
            )
    via = cluster.agent_upgrades_set_via
    if via in (Via.PROJECT, Via.TENANT):
        if isinstance(cluster, Gateway):  # a gateway has no project: only its tenant pushes
            higher = cluster.tenant
        else:
            higher = cluster.project if via == Via.PROJECT else cluster.project.tenant
        text += (
            f" Its current value came from {via} {higher.name}; the next time {via} "
            f"{higher.name} is paused or resumed, this {type(cluster).__name__.lower()} "
            "follows it again."
        )
    return text


def cluster_wanted(cluster: Cluster | Gateway) -> str:
    """What a click on the cluster's switch asks for: the opposite of what holds."""
    return AgentUpgrades.UNLOCK if cluster.is_paused else AgentUpgrades.LOCK


def push_confirm(
    obj: Project | Tenant, value: str, counts: FleetCounts, platform_agent: str
) -> str:
    """What a push of `value` will do, for the confirm dialog (the figures of `push_impact`,
    which the API's dry run answers too)."""
    impact = push_impact(AgentUpgrades(value), counts, platform_agent)
    verb = "Resume" if value == AgentUpgrades.UNLOCK else "Pause"
    again = " again" if value == obj.effective_agent_upgrades else ""
    others = other_agents(impact.gateways, impact.idle_hosts)
    if impact.clusters == 0 and not others:
        return (
            f"{verb} agent upgrades{again} for {describe(obj)}. It has no clusters yet; "
            "new clusters will take this value."
        )
    clusters = plural(impact.clusters, "cluster") if impact.clusters else ""
    if not others:
        where = f"in {describe(obj)}"
        if isinstance(obj, Tenant):
            where = f"in {plural(impact.projects, 'project')} of {describe(obj)}"
        text = f"{verb} agent upgrades{again} for {clusters} {where}."
    else:
        if clusters and isinstance(obj, Tenant):
            clusters += f" in {plural(impact.projects, 'project')}"
        text = f"{verb} agent upgrades{again} for {listed([clusters, *others])} in {describe(obj)}."
        if not impact.clusters:
            text += " It has no clusters yet; new clusters will take this value."
    if impact.overwritten:
        how = "individually" if isinstance(obj, Project) else "at project or cluster level"
        were = "was" if impact.overwritten == 1 else "were"
        them = "of the clusters" if others else "of them"
        text += (
            f" {impact.overwritten} {them} {were} set {how} and will be overwritten."
            if impact.clusters > 1
            else f" {'The cluster' if others else 'It'} was set {how} and will be overwritten."
        )
    if impact.agents_to_upgrade:
        agents = plural(impact.agents_to_upgrade, "agent")
        text += f" {agents} held back by the pause will be upgraded to {impact.agent_version}."
    return text


def listed(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c': the non-empty parts."""
    parts = [part for part in parts if part]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def other_agents(gateways: int, idle_hosts: int) -> list[str]:
    """The gateways and idle Edge hosts a push writes, as a dialog names them; a kind with none
    is left out: ['3 gateways', '20 Edge hosts not in a cluster']."""
    found = [plural(gateways, "gateway")] if gateways else []
    if idle_hosts:
        found.append(f"{plural(idle_hosts, 'Edge host')} not in a cluster")
    return found


def done_message(change: Change) -> str:
    done = "paused" if change.value == AgentUpgrades.LOCK else "resumed"
    target = change.target
    until = ""
    if change.value == AgentUpgrades.LOCK and target.agent_upgrades_until:
        until = f" until {when(target.agent_upgrades_until)}"
    if isinstance(target, (Cluster, Gateway)):
        text = f"Agent upgrades {done} for {describe(target)}{until}."
        if change.agents_upgraded:
            text += f" Its agent was upgraded to {change.agent_version}."
        return text
    others = other_agents(change.gateways_written, change.hosts_written)
    if change.clusters_written == 0 and not others:
        return f"Agent upgrades {done} for {describe(target)}{until}; it has no clusters yet."
    clusters = plural(change.clusters_written, "cluster") if change.clusters_written else ""
    text = f"Agent upgrades {done} for {listed([clusters, *others])} in {describe(target)}{until}"
    if change.agents_upgraded:
        text += f"; {plural(change.agents_upgraded, 'agent')} upgraded to {change.agent_version}"
    return text + "."


def undo_confirm(obj: AgentUpgradesSetting, event: AuditEvent) -> str:
    """What undoing `event`, the change that wrote `obj`'s setting, will do."""
    before = AgentUpgrades(event.old_value).label
    text = f"Undo the change {event.actor_name} made {ago(event.at)}."
    if isinstance(obj, Cluster):
        return f"{text} Agent upgrades for {describe(obj)} go back to {before}, as they were before it."
    return (
        f"{text} Agent upgrades for {describe(obj)} and every {'project and ' if isinstance(obj, Tenant) else ''}"
        f"cluster it wrote go back to what each had before it."
    )


def undo_message(change: Change) -> str:
    state = AgentUpgrades(change.value).label.lower()
    text = (
        f"Change undone: agent upgrades for {describe(change.target)} are {state} again, as before "
        f"{change.undid.actor_name}'s change."
    )
    if change.agents_upgraded:
        text += f" {plural(change.agents_upgraded, 'agent')} upgraded to {change.agent_version}."
    return text


def changed_since_message(obj: AgentUpgradesSetting, changed: int) -> str:
    were = "was" if changed == 1 else "were"
    return (
        f"{plural(changed, 'cluster or project')} that this change wrote {were} changed since. "
        f"Nothing was undone; change {describe(obj)} with its switch instead."
    )


NOTHING_TO_UNDO = (
    "There is nothing to undo here any more: the setting was changed since. Nothing was changed."
)


def replayed_message(change: Change) -> str:
    state = "paused" if change.value == AgentUpgrades.LOCK else "active"
    return f"Agent upgrades are already {state} for {describe(change.target)}; nothing changed."


def conflict_message(current: AgentUpgradesSetting) -> str:
    what = describe(current)
    state = current.agent_upgrades_label.lower()
    return (
        f"{what[:1].upper()}{what[1:]} was changed after this page was loaded "
        f"({source(current)}): agent upgrades are now {state}. "
        "Nothing was saved; the switch shows the current value. Try again if you still want "
        "to change it."
    )


def upgrade_note(cluster: Cluster, platform_agent: str) -> str:
    """'Upgrade available: 4.7.2 → 4.8.0 — held back by the pause', where it applies."""
    if not cluster.is_behind(platform_agent):
        return ""
    why = "held back by the pause" if cluster.is_paused else "it comes with the next rollout"
    return f"Upgrade available: {cluster.agent_version} → {platform_agent} — {why}"
