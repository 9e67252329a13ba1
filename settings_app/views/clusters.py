"""The Clusters menu: the clusters list, a cluster's details, its Cluster Settings and its switch."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import rules
from ..models import Cluster, PlatformRelease, Project, Scope, paused_now
from ..permissions import cluster_access, cluster_for_user, scope_for_user
from ..scopes import ConsoleScope, ScopeRef
from ..wording import cluster_history, fleet_state
from .navigation import page_context
from .paging import page_of
from .switch import (
    Question,
    SwitchUrls,
    apply_change,
    apply_undo,
    cluster_question,
    cluster_switch,
    confirm_change,
    confirm_undo,
)

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

    def known_total(self, counts: rules.FleetCounts) -> int | None:
        """The number of matches when the fleet counts already say it."""
        if self.q or (self.paused and self.behind):
            return None
        if self.paused:
            return counts.paused
        if self.behind:
            return counts.behind
        return counts.total


def scope_counts(console: ConsoleScope, platform_agent: str) -> rules.FleetCounts:
    """The clusters of the scope that the user sees, counted: from the projects' fleet rows,
    or for a Cluster Admin (who sees a few clusters, not the project) their clusters live."""
    if console.is_tenant:
        projects = Project.objects.filter(tenant=console.tenant)
    else:
        projects = Project.objects.filter(pk=console.project.pk)
    return rules.fleet_counts(
        projects,
        below=Scope.TENANT if console.is_tenant else Scope.PROJECT,
        agent_version=platform_agent,
        clusters=None if console.sees_project_pages else console.clusters(),
    )


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def cluster_list(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    console = scope_for_user(request.user, scope)
    platform_agent = rules.current_agent_version()
    fleet = FleetFilter.from_query(request.GET)
    clusters = (
        fleet.apply(console.clusters(), platform_agent)
        .select_related("project__tenant", "agent_upgrades_set_by")
        .order_by("name", "pk")
    )
    counts = scope_counts(console, platform_agent)
    page = page_of(clusters, request.GET.get("page"), CLUSTERS_PER_PAGE)
    context = {
        "console": console,
        "page": page,
        "fleet": fleet,
        "platform_agent": platform_agent,
        "total": len(page.object_list) if page.is_whole_list else fleet.known_total(counts),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "settings_app/cluster_list.html#cluster-results", context)
    context.update(
        summary=counts.by_project,
        totals=counts,
        scope_state=fleet_state(console.tenant if console.is_tenant else console.project, counts),
    )
    context.update(page_context(request, console, "cluster_list"))
    return render(request, "settings_app/cluster_list.html", context)


@login_required
@require_GET
def cluster_detail(
    request: HttpRequest, scope: ScopeRef, cluster_id: int, panel: str = ""
) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id)
    return ClusterPage(request, console, cluster).render(cluster, panel=panel)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_cluster_agent_upgrades(
    request: HttpRequest, scope: ScopeRef, cluster_id: int
) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return apply_change(request, ClusterPage(request, console, cluster))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def undo_cluster_change(request: HttpRequest, scope: ScopeRef, cluster_id: int) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return apply_undo(request, ClusterPage(request, console, cluster))


@login_required
@require_GET
def confirm_cluster_change(request: HttpRequest, scope: ScopeRef, cluster_id: int) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return confirm_change(request, ClusterPage(request, console, cluster))


@login_required
@require_GET
def confirm_cluster_undo(request: HttpRequest, scope: ScopeRef, cluster_id: int) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return confirm_undo(request, ClusterPage(request, console, cluster))


@dataclass
class ClusterPage:
    """A cluster's details page, and its Cluster Settings panel as a change's answer."""

    request: HttpRequest
    console: ConsoleScope
    obj: Cluster

    @property
    def settings_url(self) -> str:
        return reverse("cluster_settings", args=[self.console.ref, self.obj.pk])

    @property
    def urls(self) -> SwitchUrls:
        args = [self.console.ref, self.obj.pk]
        return SwitchUrls(
            change=reverse("change_cluster_agent_upgrades", args=args),
            confirm_change=reverse("confirm_cluster_change", args=args),
            undo=reverse("undo_cluster_change", args=args),
            confirm_undo=reverse("confirm_cluster_undo", args=args),
        )

    def question(self, value: str) -> Question:
        return cluster_question(self.obj, value, rules.current_agent_version())

    def page_context(self) -> dict:
        return page_context(self.request, self.console, "cluster_list")

    def render(
        self,
        cluster: Cluster,
        *,
        status: int = 200,
        change: rules.Change | None = None,
        panel: str = "settings",
    ) -> HttpResponse:
        """The details page; for an htmx change, only its Cluster Settings panel (with the
        status line, agent version and history swapped out of band)."""
        request, console = self.request, self.console
        fragment = request.htmx and request.method == "POST"
        release = None
        if change is not None and fragment:
            platform_agent = change.platform_agent  # read by the change: no need to ask again
        else:
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
                urls=self.urls,
                access=cluster_access(console.roles, cluster),
                platform_agent=platform_agent,
                change=change,
            ),
        }
        if fragment:
            return render(
                request,
                "settings_app/cluster_detail.html#cluster-settings",
                context,
                status=status,
            )
        context.update(page_context(request, console, "cluster_list"))
        return render(request, "settings_app/cluster_detail.html", context, status=status)
