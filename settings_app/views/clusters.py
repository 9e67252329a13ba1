"""The Clusters menu: the clusters list, a cluster's details, its Cluster Settings and its switch."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import rules
from ..models import AgentUpgrades, Cluster, PlatformRelease, Project, ProjectFleet, paused_now
from ..permissions import cluster_access
from ..scopes import ConsoleScope, ScopeRef, enter_cluster, enter_scope
from ..wording import cluster_history
from .navigation import page_context
from .paging import page_of
from .switch import apply_change, cluster_switch

CLUSTERS_PER_PAGE = 50


@dataclass(frozen=True)
class FleetFilter:
    """The Clusters list's search and filters, as they travel in the query string."""

    q: str = ""
    paused: bool = False
    behind: bool = False

    @classmethod
    def from_query(cls, query: QueryDict) -> FleetFilter:
        return cls(
            q=query.get("q", "").strip()[:100],
            paused=query.get("paused") == "1",
            behind=query.get("behind") == "1",
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.paused or self.behind)

    @property
    def query(self) -> str:
        """The filters as a query string, for pagination links."""
        params = {
            "q": self.q,
            "paused": "1" if self.paused else "",
            "behind": "1" if self.behind else "",
        }
        return urlencode({k: v for k, v in params.items() if v})

    def apply(self, clusters: QuerySet[Cluster], platform_agent: str) -> QuerySet[Cluster]:
        if self.q:
            clusters = clusters.filter(name__icontains=self.q)
        if self.paused:
            clusters = clusters.filter(paused_now(timezone.now()))
        if self.behind:
            clusters = (
                clusters.exclude(agent_version=platform_agent)
                if platform_agent
                else clusters.none()
            )
        return clusters

    def known_total(self, totals: dict) -> int | None:
        """The number of matches when the fleet summary already says it."""
        if self.q or (self.paused and self.behind):
            return None
        if self.paused:
            return totals["paused"]
        if self.behind:
            return totals["behind"]
        return totals["total"]


def fleet_summary(console: ConsoleScope, platform_agent: str) -> list[dict]:
    """Clusters, paused and behind, per project. From the projects' fleet rows (one per
    project, whatever the number of clusters), less the pauses that have ended; counted live
    only for a Cluster Admin, whose view is a few clusters, not the project."""
    now = timezone.now()
    if console.is_tenant or console.project_access().view:
        projects = (
            console.tenant.projects.all()
            if console.is_tenant
            else Project.objects.filter(pk=console.project.pk)
        )
        fleets = list(
            ProjectFleet.objects.filter(project__in=projects.values("pk"))
            .select_related("project")
            .order_by("project__name")
        )
        # Only pauses with an end can have ended; most fleets have none, and skip the query.
        ended = (
            {}
            if not any(fleet.paused_with_end for fleet in fleets)
            else {
                row["project_id"]: row["ended"]
                for row in Cluster.objects.filter(
                    project__in=projects.values("pk"),
                    agent_upgrades=AgentUpgrades.LOCK,
                    agent_upgrades_until__lte=now,
                )
                .values("project_id")
                .annotate(ended=Count("pk"))
            }
        )
        return [
            {
                "project_name": fleet.project.name,
                "total": fleet.clusters,
                "paused": fleet.paused - ended.get(fleet.project_id, 0),
                "behind": fleet.behind,
            }
            for fleet in fleets
        ]
    behind = ~Q(agent_version=platform_agent) if platform_agent else Q(pk__isnull=True)
    return list(
        console.clusters()
        .values(project_name=F("project__name"))
        .annotate(
            total=Count("pk"),
            paused=Count("pk", filter=paused_now(now)),
            behind=Count("pk", filter=behind),
        )
        .order_by("project_name")
    )


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def cluster_list(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    console = enter_scope(request.user, scope)
    platform_agent = rules.current_agent_version()
    fleet = FleetFilter.from_query(request.GET)
    clusters = (
        fleet.apply(console.clusters(), platform_agent)
        .select_related("project__tenant", "agent_upgrades_set_by")
        .order_by("name", "pk")
    )
    summary = fleet_summary(console, platform_agent)
    totals = {key: sum(row[key] for row in summary) for key in ("total", "paused", "behind")}
    page = page_of(clusters, request.GET.get("page"), CLUSTERS_PER_PAGE)
    context = {
        "console": console,
        "page": page,
        "fleet": fleet,
        "platform_agent": platform_agent,
        "total": len(page.object_list) if page.is_whole_list else fleet.known_total(totals),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "settings_app/cluster_list.html#cluster-results", context)
    context.update(summary=summary, totals=totals)
    context.update(page_context(request, console, "cluster_list"))
    return render(request, "settings_app/cluster_list.html", context)


@login_required
@require_GET
def cluster_detail(
    request: HttpRequest, scope: ScopeRef, cluster_id: int, panel: str = ""
) -> HttpResponse:
    console, cluster = enter_cluster(request.user, scope, cluster_id)
    return _render_cluster(request, console, cluster, panel=panel)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_cluster_agent_upgrades(
    request: HttpRequest, scope: ScopeRef, cluster_id: int
) -> HttpResponse:
    console, cluster = enter_cluster(request.user, scope, cluster_id)
    return apply_change(
        request,
        access=cluster_access(console.roles, cluster),
        rule=rules.set_cluster,
        target=cluster,
        settings_url=reverse("cluster_settings", args=[scope, cluster_id]),
        render_panel=lambda current, status, **known: _render_cluster(
            request, console, current, panel="settings", status=status, **known
        ),
    )


def _render_cluster(
    request: HttpRequest,
    console: ConsoleScope,
    cluster: Cluster,
    *,
    panel: str,
    status: int = 200,
    platform_agent: str | None = None,
    counts: object = None,  # what a push's answer knows; a cluster's panel shows no counts
) -> HttpResponse:
    """The details page; for an htmx change, only its Cluster Settings panel (with the status
    line, agent version and history swapped out of band)."""
    fragment = request.htmx and request.method == "POST"
    release = None
    if platform_agent is None or not fragment:
        release = PlatformRelease.current()
        platform_agent = release.agent_version if release else ""
    context = {
        "cluster": cluster,
        "release": release,
        "platform_agent": platform_agent,
        "panel": panel,
        "history": cluster_history(cluster),
        "switch": cluster_switch(
            cluster,
            action=reverse("change_cluster_agent_upgrades", args=[console.ref, cluster.pk]),
            access=cluster_access(console.roles, cluster),
            platform_agent=platform_agent,
        ),
    }
    if fragment:
        return render(
            request, "settings_app/cluster_detail.html#cluster-settings", context, status=status
        )
    context.update(page_context(request, console, "cluster_list"))
    return render(request, "settings_app/cluster_detail.html", context, status=status)
