"""The console's sentences: where a value came from, what a dialog asks, what a message says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.timesince import timesince

from .models import AgentUpgrades, AgentUpgradesSetting, AuditEvent, Cluster, Project, Tenant, Via
from .rules import (
    Change,
    Expiry,
    FleetCounts,
    ProjectCounts,
    ReleaseImpact,
    Rollout,
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
        return State(
            "mixed", "Mixed", f"{counts.paused} of {plural(counts.total, 'cluster')} paused"
        )
    if counts.total:
        return State("paused", "Paused") if counts.paused else State("active", "Active")
    return own_state(obj) if obj is not None else State("active", "Active")


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
    if via == Via.EXPIRY:
        return f"resumed when its pause ended · {ago(obj.agent_upgrades_set_at)}"
    if via == own_scope:
        origin = f"set on this {own_scope}"
    elif via == Via.PROJECT:
        origin = f"pushed by project {obj.project.name}"
    else:
        tenant = obj.tenant if isinstance(obj, Project) else obj.project.tenant
        origin = f"pushed by tenant {tenant.name}"
    by = obj.agent_upgrades_set_by.get_username() if obj.agent_upgrades_set_by else "system"
    key = via_key(obj.agent_upgrades_set_with_key)
    return f"{origin} · {by} · {ago(obj.agent_upgrades_set_at)}{key}"


def details(obj: AgentUpgradesSetting) -> str:
    """Everything about the value but the value itself: a pause's end and reason, then where it
    came from. 'until 2026-12-01 18:00 UTC · “freeze” · pushed by tenant Acme · …'; an ended
    pause says so first: 'pause ended 2026-11-24 14:00 UTC · it was “freeze”, pushed by …'."""
    reason = obj.agent_upgrades_reason
    if obj.pause_expired:
        was = f"“{reason}”, " if reason else ""
        return f"pause ended {when(obj.agent_upgrades_until)} · it was {was}{source(obj)}"
    parts = []
    if obj.is_paused and obj.agent_upgrades_until:
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
    if counts.total == 1:
        return f"{verb} its 1 cluster"
    return f"{verb} all {plural(counts.total, 'cluster')}"


def push_again_title(obj: Project | Tenant, counts: FleetCounts) -> str:
    return f"{push_again_label(obj, counts)} of {describe(obj)}?"


def cluster_confirm(cluster: Cluster, platform_agent: str, value: str | None = None) -> str:
    """What setting the cluster to `value` (by default, the opposite of what holds) will do."""
    name = cluster.name
    pausing = (value or cluster_wanted(cluster)) == AgentUpgrades.LOCK
    if pausing == cluster.is_paused:
        state = "paused" if pausing else "active"
        return f"Agent upgrades are already {state} for cluster {name}; OK changes nothing."
    if pausing:
        text = (
            f"Pause agent upgrades for cluster {name}. Its agent stays at "
            f"{cluster.agent_version} when the platform is upgraded, until upgrades are resumed."
        )
    else:
        text = f"Resume agent upgrades for cluster {name}."
        impact = cluster_impact(cluster, AgentUpgrades.UNLOCK, platform_agent)
        if impact.agents_to_upgrade:
            text += (
                f" Its agent will be upgraded from {cluster.agent_version} to "
                f"{impact.agent_version}."
            )
    via = cluster.agent_upgrades_set_via
    if via in (Via.PROJECT, Via.TENANT):
        higher = cluster.project if via == Via.PROJECT else cluster.project.tenant
        text += (
            f" Its current value came from {via} {higher.name}; the next time {via} "
            f"{higher.name} is paused or resumed, this cluster follows it again."
        )
    return text


def cluster_wanted(cluster: Cluster) -> str:
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
    if impact.clusters == 0:
        return (
            f"{verb} agent upgrades{again} for {describe(obj)}. It has no clusters yet; "
            "new clusters will take this value."
        )
    where = f"in {describe(obj)}"
    if isinstance(obj, Tenant):
        where = f"in {plural(impact.projects, 'project')} of {describe(obj)}"
    text = f"{verb} agent upgrades{again} for {plural(impact.clusters, 'cluster')} {where}."
    if impact.overwritten:
        how = "individually" if isinstance(obj, Project) else "at project or cluster level"
        were = "was" if impact.overwritten == 1 else "were"
        text += (
            f" {impact.overwritten} of them {were} set {how} and will be overwritten."
            if impact.clusters > 1
            else f" It was set {how} and will be overwritten."
        )
    if impact.agents_to_upgrade:
        agents = plural(impact.agents_to_upgrade, "agent")
        text += f" {agents} held back by the pause will be upgraded to {impact.agent_version}."
    return text


def done_message(change: Change) -> str:
    done = "paused" if change.value == AgentUpgrades.LOCK else "resumed"
    target = change.target
    until = ""
    if change.value == AgentUpgrades.LOCK and target.agent_upgrades_until:
        until = f" until {when(target.agent_upgrades_until)}"
    if isinstance(target, Cluster):
        text = f"Agent upgrades {done} for cluster {target.name}{until}."
        if change.agents_upgraded:
            text += f" Its agent was upgraded to {change.agent_version}."
        return text
    if change.clusters_written == 0:
        return f"Agent upgrades {done} for {describe(target)}{until}; it has no clusters yet."
    clusters = plural(change.clusters_written, "cluster")
    text = f"Agent upgrades {done} for {clusters} in {describe(target)}{until}"
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


def release_title(impact: ReleaseImpact) -> str:
    return f"Release platform {impact.version}?"


def release_confirm(impact: ReleaseImpact) -> str:
    """'Release 4.8.0: the agents of 412 clusters will be upgraded to 4.8.0; 37 paused clusters
    in 5 projects will be held back.', counted before anything is written."""
    agent = impact.agent_version
    text = f"Release {impact.version}"
    if agent != impact.version:
        text += f" with agent {agent}"
    if impact.upgraded:
        agents = (
            "agent of 1 cluster"
            if impact.upgraded == 1
            else f"agents of {impact.upgraded} clusters"
        )
        text += f": the {agents} will be upgraded to {agent}"
    else:
        text += ": no agent will be upgraded"
    if impact.held_back:
        were = "cluster" if impact.held_back == 1 else "clusters"
        text += (
            f"; {impact.held_back} paused {were} in "
            f"{plural(impact.held_back_projects, 'project')} will be held back."
        )
    else:
        text += "; no cluster is paused, so none will be held back."
    if impact.pauses_ended:
        text += (
            f" {plural(impact.pauses_ended, 'cluster')} whose pause has ended will be resumed "
            "first."
        )
    return text


def rollout_message(rollout: Rollout) -> str:
    release = rollout.release
    text = (
        f"Platform {release.version} released: {plural(rollout.upgraded, 'agent')} upgraded to "
        f"{release.agent_version}, {plural(rollout.held_back, 'cluster')} held back by a pause."
    )
    resumed = rollout.resumed
    if resumed.clusters or resumed.projects or resumed.tenants:
        text += f" {expiry_message(resumed)}"
    return text


def expiry_message(expiry: Expiry) -> str:
    ended = [
        plural(len(names), kind)
        for names, kind in (
            (expiry.tenants, "tenant"),
            (expiry.projects, "project"),
            (expiry.clusters, "cluster"),
        )
        if names
    ]
    if not ended:
        return "No pause has ended."
    listed = ", ".join(ended[:-1]) + (" and " if len(ended) > 1 else "") + ended[-1]
    text = f"Pauses ended for {listed}"
    if expiry.agents_upgraded:
        text += f"; {plural(expiry.agents_upgraded, 'agent')} caught up to {expiry.agent_version}"
    return text + "."


def change_summary(event: AuditEvent) -> str:
    """'Agent upgrades Active → Paused (pushed by tenant) · until … · “freeze”'."""
    what = f"Agent upgrades {event.old_label} → {event.new_label}"
    if event.via != event.scope:  # pushed from above, or a pause that ended
        what += f" ({event.get_via_display()})"
    if event.new_value == AgentUpgrades.LOCK and event.until:
        what += f" · until {when(event.until)}"
    if event.reason:
        what += f" · “{event.reason}”"
    return what


NOTHING_MATCHES = "No events match these filters."


def release_counts(event: AuditEvent) -> str:
    """A release's event, what it did in its project: '2 agents upgraded · 1 held back'."""
    return f"{plural(event.agents_upgraded, 'agent')} upgraded · {event.agents_held_back} held back"


def audit_sentence(event: AuditEvent) -> str:
    """An audit event in a sentence, naming its object: 'Cluster prod-east: Agent upgrades
    Active → Paused (pushed by tenant)', the move it records, or the release."""
    subject = f"{event.get_scope_display().capitalize()} {event.object_name}"
    if event.action == AuditEvent.Action.MOVE:
        return f"{subject}: {event.detail}"
    if event.action == AuditEvent.Action.RELEASE:
        return f"{subject}: Platform released {event.detail} · {release_counts(event)}"
    return f"{subject}: {change_summary(event)}"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str
    order: int = 0


def cluster_history(cluster: Cluster, limit: int = 10) -> list[HistoryEntry]:
    """The cluster's setting changes and agent upgrades, newest first, in two queries."""
    entries = [
        HistoryEntry(event.at, who(event), change_summary(event))
        for event in cluster.audit_events.order_by("-at", "-id")[:limit]
    ]
    for upgrade in cluster.agent_upgrades_history.select_related("release").order_by("-at", "-id")[
        :limit
    ]:
        why = upgrade.get_cause_display()
        if upgrade.release:
            why = f"platform release {upgrade.release.version}"
        what = f"Agent upgraded {upgrade.from_version} → {upgrade.to_version} ({why})"
        entries.append(HistoryEntry(upgrade.at, upgrade.actor_name or "system", what, order=1))
    # Newest first; an upgrade made by a resume follows it, so at the same moment it comes first.
    return sorted(entries, key=lambda entry: (entry.at, entry.order), reverse=True)[:limit]


# The API (/v1/): what each refusal says, so that a person reading a script's log knows what to
# do next. The codes are Palette's.

API_MESSAGES = {
    "AuthRequired": "Send your API key in the ApiKey header (ApiKey: <key>, with no prefix). "
    "Make one on My API Keys in the console.",
    "InvalidApiKey": "This API key is not valid: it is unknown, expired or revoked. Make a new "
    "one on My API Keys in the console, or ask its owner to activate it.",
    "Forbidden": "Your roles let you see this but not change it. Nothing was changed.",
    "ResourceNotFound": "Nothing with this uid in your API key's tenant that your roles let "
    "you see. Check the uid; nothing was changed.",
    "MethodNotAllowed": "This path does not take {method}. It takes {allowed}.",
    "UnsupportedMediaType": "Send the body as JSON, with the header Content-Type: "
    "application/json. Nothing was changed.",
    "TooManyRequests": "Too many requests with this API key: at most {rate} a second, in bursts "
    "of {burst}. Wait {seconds} s (Retry-After) and send it again; nothing was changed.",
    "InvalidRequest": "The request could not be read. Nothing was changed.",
    "InternalError": "The console failed to answer. Nothing was changed that you were not told "
    "of; try again, and tell the console's administrators if it happens again.",
}
SPECTRO_COMPONENTS = (
    'Send {"spectroComponents": "lock"} to pause agent upgrades, or "unlock" to resume them.'
)


def tenant_scope_refused(tenant: Tenant) -> str:
    return (
        f"Only a Tenant Admin of {tenant.name} can read or change the tenant's setting or list "
        "all its clusters. To work in a project, send the header ProjectUid with its uid. "
        "Nothing was changed."
    )


def api_message(code: str, **facts) -> str:
    return API_MESSAGES[code].format(**facts)


# API keys, on My API Keys and on the API Keys of Tenant Settings.

KEY_ACTIONS = {"revoke": "Revoke", "activate": "Activate", "delete": "Delete"}


def key_action(action: str) -> str:
    return KEY_ACTIONS[action]


def key_question(key, action: str) -> str:
    """What the confirm dialog (or page) asks before a key is revoked, activated or deleted."""
    name = f"API key {key.name} ({key.prefix}…) of {key.user.get_username()}"
    return {
        "revoke": f"Revoke {name}? Scripts that use it are refused from their next request, "
        "until it is activated again.",
        "activate": f"Activate {name}? Scripts that use it work again, with its owner's roles "
        "in tenant " + key.tenant.name + ".",
        "delete": f"Delete {name}? Scripts that use it are refused from their next request; "
        "this cannot be undone.",
    }[action]


def key_done(key, action: str) -> str:
    done = {"revoke": "revoked", "activate": "activated", "delete": "deleted"}[action]
    return f"API key {key.name} ({key.prefix}…) {done}."


# The Clusters list's paging and bulk acts.


def showing(page) -> str:
    """'Showing 51–100 of 12,345': where the page lies in the list."""
    if not page.object_list:
        return "No clusters"
    of = f"more than {page.total:,}" if page.total_is_lower_bound else f"{page.total:,}"
    if page.number == 0:  # the last rows of a list too long to count
        return f"Showing the last {len(page.object_list):,} of {of}"
    return f"Showing {page.start:,}–{page.end:,} of {of}"


def select_matching(total: int | None, capped: bool, filtered: bool) -> str:
    """The banner's offer, once the page's rows are selected: every cluster that matches."""
    how_many = "more than 10,000" if capped else f"{total:,}" if total is not None else "the"
    what = "clusters that match these filters" if filtered else "clusters"
    if total == 1 and not capped:
        what = "cluster that matches these filters" if filtered else "cluster"
    return f"Select all {how_many} {what}"


def bulk_title(value: str, selected: int) -> str:
    verb = "Pause" if value == AgentUpgrades.LOCK else "Resume"
    return f"{verb} agent upgrades for {plural(selected, 'selected cluster')}?"


def _left_alone(forbidden: int, stale: int) -> str:
    parts = []
    if forbidden:
        parts.append(f"{forbidden} you may not change")
    if stale:
        parts.append(f"{stale} changed by someone else since the page was drawn (stale)")
    return f" Left alone: {' and '.join(parts)}." if parts else ""


def bulk_confirm(impact) -> str:
    """What a bulk pause or resume will do (the figures of `bulk_impact`)."""
    verb = "Pause" if impact.value == AgentUpgrades.LOCK else "Resume"
    if not impact.clusters:
        text = "None of the selected clusters can be changed; OK changes nothing."
    else:
        text = (
            f"{verb} agent upgrades for {plural(impact.clusters, 'cluster')} in "
            f"{plural(impact.projects, 'project')}."
        )
    if impact.agents_to_upgrade:
        agents = plural(impact.agents_to_upgrade, "agent")
        text += f" {agents} held back by a pause will be upgraded to {impact.agent_version}."
    return text + _left_alone(impact.forbidden, impact.stale)


def bulk_done(change) -> str:
    """The answer to a bulk pause or resume: what changed, and what was left alone."""
    impact = change.impact
    done = "paused" if impact.value == AgentUpgrades.LOCK else "resumed"
    if not change.written:
        text = "Nothing was changed."
    else:
        text = (
            f"Agent upgrades {done} for {plural(change.written, 'cluster')} in "
            f"{plural(impact.projects, 'project')}."
        )
    if change.agents_upgraded:
        agents = plural(change.agents_upgraded, "agent")
        text += f" {agents} upgraded to {impact.agent_version}."
    return text + _left_alone(impact.forbidden, impact.stale)


NOTHING_SELECTED = "Select one or more clusters first. Nothing was changed."
