"""The fleet counts: how many clusters, paused, behind and set below, for a set of projects; and
beside them the gateways and idle Edge hosts of the same scope, which its pushes write too."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ..models import (
    FLEET_COUNTS,
    AgentUpgrades,
    Cluster,
    EdgeHost,
    Gateway,
    Project,
    ProjectFleet,
    Scope,
    Tenant,
)
from ..models.fleet import count_columns, current_agent_subquery
from ..models.setting import paused_now


@dataclass(frozen=True)
class ProjectCounts:
    project_id: int
    project_name: str
    total: int
    paused: int
    behind: int

    @property
    def mixed(self) -> bool:
        """Some of the project's clusters paused and some not."""
        return 0 < self.paused < self.total


@dataclass(frozen=True)
class AgentCounts:
    """A scope's gateways, or its idle Edge hosts, counted as its clusters are."""

    total: int = 0
    paused: int = 0  # whose pause holds now
    behind: int = 0  # whose agent is behind the platform's
    paused_behind: int = 0  # paused, with an agent a resume would upgrade


NO_AGENTS = AgentCounts()


@dataclass(frozen=True)
class FleetCounts:
    total: int = 0
    projects: int = 0  # projects that hold these clusters
    paused: int = 0  # clusters whose pause holds now
    behind: int = 0  # clusters whose agent is behind the platform's
    set_below: int = 0  # clusters whose value was written by a scope below the one asked about
    paused_behind: int = 0  # paused clusters whose agent a resume would upgrade
    by_project: tuple[ProjectCounts, ...] = ()
    gateways: AgentCounts = NO_AGENTS  # a tenant's (a project has none)
    idle_hosts: AgentCounts = NO_AGENTS  # Edge hosts in no cluster

    @property
    def active(self) -> int:
        return self.total - self.paused

    @property
    def agents(self) -> int:
        """Everything a push of the scope writes: its clusters, gateways and idle hosts."""
        return self.total + self.gateways.total + self.idle_hosts.total

    @property
    def agents_paused(self) -> int:
        return self.paused + self.gateways.paused + self.idle_hosts.paused

    @property
    def mixed(self) -> bool:
        """Some of the scope's clusters, gateways and idle hosts paused and some not."""
        return 0 < self.agents_paused < self.agents


def fleet_counts(
    projects: QuerySet[Project],
    *,
    below: Scope,
    agent_version: str,
    clusters: QuerySet[Cluster] | None = None,
    now: datetime | None = None,
) -> FleetCounts:
    """The clusters of these projects counted: from the projects' fleet rows (one per project,
    whatever the number of clusters), less the pauses that have ended. `clusters` narrows the
    count to some of their clusters (a Cluster Admin's view), which are then counted live.
    `below` is the scope asked about: 'set below' counts values written beneath it."""
    now = now or timezone.now()
    others: dict[str, Subquery] = {}
    if clusters is None:
        # The scope's gateways and idle hosts are read in the same statement as its fleet rows.
        others = other_counts(projects, below=below, agent_version=agent_version, now=now)
        clusters = Cluster.objects.filter(project__in=projects.values("pk"))
        rows = ProjectFleet.objects.filter(project__in=projects.values("pk")).values(
            "project_id", "project__name", *FLEET_COUNTS, **others
        )
    else:
        behind = ~Q(agent_version=agent_version) if agent_version else Q(pk__isnull=True)
        rows = (
            clusters.order_by()
            .values("project_id", project__name=F("project__name"))
            .annotate(**count_columns(behind=behind))
        )
    rows = list(rows)
    counts = counts_from_rows(
        rows, below=below, agent_version=agent_version, now=now, clusters=clusters
    )
    if not others:
        return counts
    if not rows:  # no project with clusters: nothing read them; their own statement
        rows = [Tenant.objects.order_by().values(**others).first() or {}]
    return replace(counts, **agents_from_row(rows[0]))


OTHER_KINDS = ("gateways", "idle_hosts")
AGENT_FIELDS = tuple(field.name for field in fields(AgentCounts))


def other_counts(
    projects: QuerySet[Project], *, below: Scope, agent_version: str, now: datetime
) -> dict[str, Subquery]:
    """The idle Edge hosts of these projects and, for a tenant (`below` TENANT), the gateways
    of their tenant, counted as columns that another statement reads (each computed once)."""
    kinds = {"idle_hosts": EdgeHost.objects.idle().filter(project__in=projects.values("pk"))}
    if below == Scope.TENANT:
        kinds["gateways"] = Gateway.objects.filter(tenant__in=projects.values("tenant_id"))
    held = paused_now(now)
    behind = ~Q(agent_version=agent_version) if agent_version else Q(pk__isnull=True)
    columns = {}
    for kind, rows in kinds.items():
        columns[f"{kind}_total"] = _count(rows)
        columns[f"{kind}_paused"] = _count(rows.filter(held))
        columns[f"{kind}_behind"] = _count(rows.filter(behind))
        columns[f"{kind}_paused_behind"] = _count(rows.filter(held & behind))
    return columns


def agents_from_row(row: dict) -> dict[str, AgentCounts]:
    """The `other_counts` columns of a row, as FleetCounts fields."""
    found = {}
    for kind in OTHER_KINDS:
        figures = {field: row.get(f"{kind}_{field}") or 0 for field in AGENT_FIELDS}
        found[kind] = AgentCounts(**figures)
    return found


def others_before_push(within: str) -> dict[str, Subquery]:
    """The gateways (a tenant's) and idle Edge hosts of the tenant or project (OuterRef) that a
    push is about to write, as columns read with it (`within` names its link): how many, how
    many are behind the platform's agent, and how many of those a resume leaves behind (their
    stored value is not a pause, so it catches nothing up). From them, `others_after_push`
    counts what the push leaves without reading again."""
    kinds = {"idle_hosts": EdgeHost.objects.idle().filter(**{within: OuterRef("pk")})}
    if within == "tenant":
        kinds["gateways"] = Gateway.objects.filter(tenant=OuterRef("pk"))
    behind = ~Q(agent_version=current_agent_subquery())  # never, before the first release
    columns = {}
    for kind, rows in kinds.items():
        columns[f"{kind}_total"] = _count(rows)
        columns[f"{kind}_behind"] = _count(rows.filter(behind))
        columns[f"{kind}_behind_active"] = _count(
            rows.filter(behind).exclude(agent_upgrades=AgentUpgrades.LOCK)
        )
    return columns


def others_after_push(obj: Project | Tenant, value: AgentUpgrades) -> dict[str, AgentCounts]:
    """The gateways and idle hosts that `obj` held (`others_before_push`), counted as a push of
    `value` leaves them: every one holds the value; a pause leaves every agent where it was, a
    resume catches up those it resumes."""
    found = {}
    for kind in OTHER_KINDS:
        total = getattr(obj, f"{kind}_total", 0) or 0
        if value == AgentUpgrades.LOCK:
            behind = getattr(obj, f"{kind}_behind", 0) or 0
            found[kind] = AgentCounts(total, paused=total, behind=behind, paused_behind=behind)
        else:
            found[kind] = AgentCounts(total, behind=getattr(obj, f"{kind}_behind_active", 0) or 0)
    return found


def _count(rows: QuerySet) -> Subquery:
    """How many `rows` there are, as a column of another statement."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def counts_from_rows(
    rows: list[dict],
    *,
    below: Scope,
    agent_version: str,
    now: datetime,
    clusters: QuerySet[Cluster],
) -> FleetCounts:
    """Sum fleet rows (of `clusters`' projects), less the pauses that have ended but are not yet
    written down, looked up (through the partial index on pause ends) only when some pause has
    an end."""
    ended: dict[int, dict] = {}
    if any(row["paused_with_end"] for row in rows):
        behind = ~Q(agent_version=agent_version) if agent_version else Q(pk__isnull=True)
        ended = {
            row["project_id"]: row
            for row in clusters.filter(
                agent_upgrades=AgentUpgrades.LOCK, agent_upgrades_until__lte=now
            )
            .order_by()
            .values("project_id")
            .annotate(ended=Count("pk"), ended_behind=Count("pk", filter=behind))
        }
    nothing = {"ended": 0, "ended_behind": 0}
    by_project = tuple(
        sorted(
            (
                ProjectCounts(
                    project_id=row["project_id"],
                    project_name=row.get("project__name", ""),
                    total=row["clusters"],
                    paused=row["paused"] - ended.get(row["project_id"], nothing)["ended"],
                    behind=row["behind"],
                )
                for row in rows
            ),
            key=lambda p: (p.project_name, p.project_id),
        )
    )
    total = {key: sum(row[key] for row in rows) for key in FLEET_COUNTS}
    set_below = total["set_on_cluster"] + (total["set_on_project"] if below == Scope.TENANT else 0)
    return FleetCounts(
        total=total["clusters"],
        projects=sum(1 for row in rows if row["clusters"]),
        paused=sum(p.paused for p in by_project),
        behind=total["behind"],
        set_below=set_below,
        paused_behind=total["paused_behind"] - sum(row["ended_behind"] for row in ended.values()),
        by_project=by_project,
    )
