"""What a change says: the dialog that asks before it, and the messages after it (done,
undone, replayed, refused), for a cluster, a gateway, a project or a tenant."""

from __future__ import annotations

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
    cluster_impact,
    push_impact,
)
from . import (
    ago,
    describe,
    listed,
    named,
    plural,
    source,
    when,
)


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
