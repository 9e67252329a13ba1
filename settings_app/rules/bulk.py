"""Pausing or resuming many clusters at once: rule 3 for every selected cluster the user may
change, in one transaction and a fixed number of statements, skipping clusters changed since the
page that selected them was drawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone

from ..models import AgentUpgrades, AuditEvent, Cluster, PlatformRelease, Scope, Tenant, Via
from .pauses import held_value, lock_tenant
from .writes import NO_PAUSE, Pause, SettingWrite, pause_for

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@dataclass(frozen=True)
class Selection:
    """The clusters a page selected, as they were when it was drawn: picked one by one, with
    the setting version each row showed (`versions`); or every cluster that matched the page's
    filters (`clusters` is then that filter), as of `drawn_at`."""

    clusters: QuerySet[Cluster]
    versions: dict[int, int] | None = None
    drawn_at: datetime | None = None

    @property
    def by_filter(self) -> bool:
        return self.versions is None


@dataclass(frozen=True)
class BulkImpact:
    """What a bulk act will do, and what it will leave alone (the dialog's figures)."""

    value: AgentUpgrades
    selected: int
    clusters: int  # to be written
    projects: int  # holding those
    forbidden: int  # selected, but the user may not change them: left alone
    stale: int  # changed since the page was drawn: left alone
    agents_to_upgrade: int  # a resume catches these up (rule 6)
    agent_version: str


@dataclass(frozen=True)
class BulkChange:
    impact: BulkImpact
    written: int
    agents_upgraded: int
    event: AuditEvent | None


def _fresh(selection: Selection, allowed: QuerySet[Cluster]) -> tuple[QuerySet[Cluster], int]:
    """The allowed clusters that have not changed since the page was drawn, and how many have."""
    if selection.by_filter:
        unchanged = Q(agent_upgrades_set_at__isnull=True)
        if selection.drawn_at is not None:
            unchanged |= Q(agent_upgrades_set_at__lte=selection.drawn_at)
        fresh = allowed.filter(unchanged)
        return fresh, allowed.count() - fresh.count()
    shown = selection.versions
    current = dict(allowed.values_list("pk", "agent_upgrades_version"))
    fresh_ids = [pk for pk, version in current.items() if shown.get(pk) == version]
    return Cluster.objects.filter(pk__in=fresh_ids), len(current) - len(fresh_ids)


def bulk_impact(
    selection: Selection, value: AgentUpgrades, *, changeable: QuerySet[Cluster]
) -> BulkImpact:
    """Count what `set_clusters` would do, writing nothing. `changeable` narrows the selection
    to the clusters the user may change (the permissions module's answer)."""
    value = AgentUpgrades(value)
    selected = selection.clusters
    if not selection.by_filter:
        selected = selected.filter(pk__in=list(selection.versions))
    allowed = changeable.filter(pk__in=selected.values("pk"))
    fresh, stale = _fresh(selection, allowed)
    release = PlatformRelease.current()
    agent = release.agent_version if release else ""
    behind = ~Q(agent_version=agent) if agent else Q(pk__isnull=True)
    figures = fresh.aggregate(
        clusters=Count("pk"),
        projects=Count("project_id", distinct=True),
        catch_up=Count("pk", filter=Q(agent_upgrades=LOCK) & behind),
    )
    total = selected.count()
    return BulkImpact(
        value=value,
        selected=total,
        clusters=figures["clusters"],
        projects=figures["projects"],
        forbidden=total - allowed.count(),
        stale=stale,
        agents_to_upgrade=figures["catch_up"] if value == UNLOCK else 0,
        agent_version=agent,
    )


@transaction.atomic
def set_clusters(
    selection: Selection,
    value: AgentUpgrades,
    *,
    tenant: Tenant,
    changeable: QuerySet[Cluster],
    actor: AbstractBaseUser | None,
    pause: Pause = NO_PAUSE,
    scope: Scope = Scope.TENANT,
    project_id: int | None = None,
) -> BulkChange:
    """Rule 3 for every selected cluster of `tenant` that the user may change (`changeable`)
    and that has not changed since the page was drawn: its own value, overriding what was
    pushed, catching its agent up on resume (rule 6). One audit event for the act, one per
    cluster it changed; clusters it leaves alone are counted, never written."""
    value, pause = AgentUpgrades(value), pause_for(value, pause.reason, pause.until)
    lock_tenant(pk=tenant.pk)
    selection = Selection(
        selection.clusters.filter(tenant=tenant), selection.versions, selection.drawn_at
    )
    impact = bulk_impact(selection, value, changeable=changeable)
    if not impact.clusters:
        return BulkChange(impact, 0, 0, None)
    now = timezone.now()
    selected = selection.clusters
    if not selection.by_filter:
        selected = selected.filter(pk__in=list(selection.versions))
    rows, _stale = _fresh(selection, changeable.filter(pk__in=selected.values("pk")))
    # Pin the rows down before writing: the filter that found them may not find them after.
    rows = Cluster.objects.filter(pk__in=list(rows.values_list("pk", flat=True)))
    write = SettingWrite(value, Via.CLUSTER, actor, now, pause)
    event = AuditEvent.objects.create(
        **write.audited(),
        actor_name=write.actor_name,
        action=AuditEvent.Action.BULK,
        scope=scope,
        tenant_id=tenant.pk,
        project_id=project_id,
        object_name=f"{impact.clusters} clusters",
        old_value=value,
        detail=_detail(impact),
    )
    catch_up = impact.agent_version if value == UNLOCK else ""
    write.audit_rows(
        (
            rows.exclude(write.leaves_as_it_was(now)),
            {
                "part_of_id": Value(event.pk),
                "old_value": held_value(now),
                "scope": Value(Scope.CLUSTER),
                "tenant_id": F("tenant_id"),
                "project_id": F("project_id"),
                "cluster_id": F("pk"),
            },
        )
    )
    upgraded = write.record_catch_up(rows, catch_up)
    written, _fleet = write.update_clusters(rows, catch_up)
    return BulkChange(impact, written, upgraded, event)


def _detail(impact: BulkImpact) -> str:
    left = []
    if impact.forbidden:
        left.append(f"{impact.forbidden} not theirs to change")
    if impact.stale:
        left.append(f"{impact.stale} changed since the page was drawn")
    text = f"{impact.clusters} of {impact.selected} selected clusters in {impact.projects} projects"
    return text + (f"; left alone: {', '.join(left)}" if left else "")
