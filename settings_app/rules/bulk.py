"""Pausing or resuming many clusters at once: rule 3 for every selected cluster the user may
change, in one transaction and a fixed number of statements, skipping clusters changed since the
page that selected them was drawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import AgentUpgrades, AuditEvent, Cluster, Scope, Tenant, Via, paused_now
from .change import lock_tenant, write_change
from .releases import current_agent_version
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
    already: int  # of those, clusters that already have `value` (only its provenance changes)
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


def _count(
    selection: Selection, value: AgentUpgrades, changeable: QuerySet[Cluster]
) -> tuple[BulkImpact, QuerySet[Cluster]]:
    """The impact, and the clusters the act would write: those selected that the user may
    change (`changeable`) and that nobody changed since the page was drawn. At most three
    statements however many clusters: the platform's agent, the selection's rows or figures,
    the figures of what would be written."""
    value = AgentUpgrades(value)
    agent = current_agent_version()
    paused = paused_now(timezone.now())
    holds = paused if value == LOCK else ~paused  # the value holds already
    behind = ~Q(agent_version=agent) if agent else Q(pk__isnull=True)
    may = Q(Exists(changeable.filter(pk=OuterRef("pk"))))
    selected = selection.clusters
    if selection.by_filter:
        unchanged = Q(agent_upgrades_set_at__isnull=True)
        if selection.drawn_at is not None:
            unchanged |= Q(agent_upgrades_set_at__lte=selection.drawn_at)
        fresh = selected.filter(may & unchanged)
        figures = selected.aggregate(
            selected=Count("pk"),
            allowed=Count("pk", filter=may),
            clusters=Count("pk", filter=may & unchanged),
            projects=Count("project_id", distinct=True, filter=may & unchanged),
            already=Count("pk", filter=may & unchanged & holds),
            catch_up=Count("pk", filter=may & unchanged & Q(agent_upgrades=LOCK) & behind),
        )
    else:
        shown = selection.versions
        rows = list(
            selected.filter(pk__in=list(shown))
            .annotate(may=Exists(changeable.filter(pk=OuterRef("pk"))))
            .values_list("pk", "agent_upgrades_version", "may")
        )
        fresh_ids = [pk for pk, version, allowed in rows if allowed and shown[pk] == version]
        fresh = Cluster.objects.filter(pk__in=fresh_ids)
        figures = fresh.aggregate(
            clusters=Count("pk"),
            projects=Count("project_id", distinct=True),
            already=Count("pk", filter=holds),
            catch_up=Count("pk", filter=Q(agent_upgrades=LOCK) & behind),
        )
        figures |= {"selected": len(rows), "allowed": sum(allowed for *_, allowed in rows)}
    impact = BulkImpact(
        value=value,
        selected=figures["selected"],
        clusters=figures["clusters"],
        projects=figures["projects"],
        already=figures["already"],
        forbidden=figures["selected"] - figures["allowed"],
        stale=figures["allowed"] - figures["clusters"],
        agents_to_upgrade=figures["catch_up"] if value == UNLOCK else 0,
        agent_version=agent,
    )
    return impact, fresh


def bulk_impact(
    selection: Selection, value: AgentUpgrades, *, changeable: QuerySet[Cluster]
) -> BulkImpact:
    """Count what `set_clusters` would do, writing nothing. `changeable` narrows the selection
    to the clusters the user may change (the permissions module's answer)."""
    return _count(selection, value, changeable)[0]


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
    impact, rows = _count(selection, value, changeable)  # after the lock, in statements of its own
    if not impact.clusters:
        return BulkChange(impact, 0, 0, None)
    # `rows` is a filter that no longer finds the clusters once they are written; the change
    # writes the audit rows and the agent upgrades before them, and the fleet rows notice it.
    write = SettingWrite(value, Via.CLUSTER, actor, timezone.now(), pause)
    act = {
        "action": AuditEvent.Action.BULK,
        "scope": scope,
        "tenant_id": tenant.pk,
        "project_id": project_id,
        "object_name": _counted(impact.clusters, "cluster"),
        "old_value": value,
        "detail": _detail(impact),
    }
    catch_up = impact.agent_version if value == UNLOCK else ""
    written = write_change(write, act=act, clusters=rows, catch_up=catch_up)
    return BulkChange(impact, written.clusters_written, written.agents_upgraded, written.event)


def _counted(count: int, noun: str) -> str:
    """'1 cluster', '2 clusters' (the wording module's `plural`, which imports the rules)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _detail(impact: BulkImpact) -> str:
    """The act's note: '5 of 6 selected clusters in 2 projects: 4 changed, 1 already active;
    left alone: 1 not theirs to change'."""
    left = []
    if impact.forbidden:
        left.append(f"{impact.forbidden} not theirs to change")
    if impact.stale:
        left.append(f"{impact.stale} changed since the page was drawn")
    selected = _counted(impact.selected, "selected cluster").split(" ", 1)[1]
    text = f"{impact.clusters} of {impact.selected} {selected} in "
    text += _counted(impact.projects, "project")
    if impact.already:
        state = "paused" if impact.value == LOCK else "active"
        text += f": {impact.clusters - impact.already} changed, {impact.already} already {state}"
    return text + (f"; left alone: {', '.join(left)}" if left else "")
