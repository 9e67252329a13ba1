"""The audit trail as people read it: a change in a sentence, a release's counts, a cluster's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..models import AgentUpgrades, AuditEvent, Cluster, EdgeHost, Gateway, Via
from . import plural, when, who

# The words of a change, the same on the pages, in the CSV export (made in SQL there:
# views.audit_logs) and in the API's actionMsg: Paused/Active, never lock/unlock.
SET_DIRECTLY = Via.CLUSTER.label  # "set directly": a value set on the object itself


def how(event: AuditEvent) -> str:
    """How the value was written: 'set directly' on the object itself, 'pushed by tenant',
    'pushed by project', or 'pause ended'."""
    if event.via == event.scope:
        return SET_DIRECTLY
    return event.get_via_display()


def change_label(event: AuditEvent) -> str:
    """What a change did to the value: 'Active → Paused'; where only its provenance changed,
    'Paused (now pushed by tenant)', or 'Paused (again)' for a pause given a new reason or end."""
    if event.old_value != event.new_value:
        return f"{event.old_label} → {event.new_label}"
    if event.old_via != event.via:
        return f"{event.new_label} (now {how(event)})"
    return f"{event.new_label} (again)"


def change_summary(event: AuditEvent) -> str:
    """'Agent upgrades Active → Paused (pushed by tenant) · until … · “freeze”'; 'Agent upgrades
    Paused (now pushed by tenant)' where only where it came from changed."""
    what = f"Agent upgrades {change_label(event)}"
    provenance_only = event.old_value == event.new_value and event.old_via != event.via
    if how(event) != SET_DIRECTLY and not provenance_only:  # pushed from above, a pause ended
        what += f" ({event.get_via_display()})"
    if event.new_value == AgentUpgrades.LOCK and event.until:
        what += f" · until {when(event.until)}"
    if event.reason:
        what += f" · “{event.reason}”"
    return what


NOTHING_MATCHES = "No events match these filters."


def reversed_range(since: date, until: date) -> str:
    """A date range given backwards says so, rather than matching nothing."""
    return (
        f"“From” ({since.isoformat()}) is after “To” ({until.isoformat()}): "
        "no day lies between them."
    )


def change_name(event: AuditEvent) -> str:
    """How the Audit Logs name one change shown with its parts: 'Clusters changed together by
    tenant-admin at 2026-12-01 18:00 UTC', 'Tenant Acme changed by …'."""
    if event.action == AuditEvent.Action.BULK:
        what = "Clusters changed together"
    else:
        what = f"{event.get_scope_display().capitalize()} {event.object_name} changed"
    return f"{what} by {who(event)} at {when(event.at)}"


def release_counts(event: AuditEvent) -> str:
    """A release's event, what it did in its project: '2 agents upgraded · 1 held back'."""
    return f"{plural(event.agents_upgraded, 'agent')} upgraded · {event.agents_held_back} held back"


def audit_sentence(event: AuditEvent) -> str:
    """An audit event in a sentence, naming its object: 'Cluster prod-east: Agent upgrades
    Active → Paused (pushed by tenant)', the move it records, the release, or the API key's
    change ('Tenant Acme: API key ci-deploy (AbCd1234…) of viewer revoked by tenant-admin')."""
    subject = f"{event.get_scope_display().capitalize()} {event.object_name}"
    if event.action == AuditEvent.Action.MOVE:
        return f"{subject}: {event.detail}"
    if event.action == AuditEvent.Action.RELEASE:
        return f"{subject}: Platform released {event.detail} · {release_counts(event)}"
    if event.action in (AuditEvent.Action.KEY, AuditEvent.Action.NOTICE):
        return f"{subject}: {event.detail} by {event.actor_name}"
    return f"{subject}: {change_summary(event)}"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str
    order: int = 0


def cluster_history(cluster: Cluster, limit: int = 10) -> list[HistoryEntry]:
    """The cluster's setting changes and agent upgrades, newest first, in two queries."""
    entries = changes(AuditEvent.objects.about(cluster.tenant_id, clusters=[cluster.pk]), limit)
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


def edge_host_history(host: EdgeHost, limit: int = 10) -> list[HistoryEntry]:
    """An Edge host's setting changes, newest first: the pushes that wrote it while it was in
    no cluster, and its pauses' ends (a host's agent upgrades are not recorded one by one)."""
    return changes(AuditEvent.objects.about(host.tenant_id, edge_hosts=[host.pk]), limit)


def gateway_history(gateway: Gateway, limit: int = 10) -> list[HistoryEntry]:
    """The gateway's setting changes, its own and its part in its tenant's pushes, newest
    first, in one query."""
    return changes(AuditEvent.objects.about(gateway.tenant_id, gateways=[gateway.pk]), limit)


def changes(events, limit: int) -> list[HistoryEntry]:
    """The newest `limit` of these events, as a History lists them."""
    return [
        HistoryEntry(event.at, who(event), change_summary(event))
        for event in events.order_by("-at", "-id")[:limit]
    ]
