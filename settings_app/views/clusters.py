"""The Clusters menu: the clusters list, a cluster's details, its Cluster Settings and its switch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import rules
from ..models import Cluster, PlatformRelease
from ..permissions import cluster_access, require_view
from ..scopes import ConsoleScope, ScopeRef, enter_scope
from .navigation import page_context
from .switch import apply_change, cluster_switch

CLUSTERS_PER_PAGE = 50


@login_required
@require_GET
def cluster_list(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    console = enter_scope(request.user, scope)
    clusters = (
        console.clusters()
        .select_related("project__tenant", "agent_upgrades_set_by")
        .order_by("name", "pk")
    )
    page = Paginator(clusters, CLUSTERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "settings_app/cluster_list.html",
        {**page_context(request, console, "cluster_list"), "page": page},
    )


def _cluster_in_scope(console: ConsoleScope, cluster_id: int) -> Cluster:
    return get_object_or_404(
        console.clusters().select_related("project__tenant", "agent_upgrades_set_by"),
        pk=cluster_id,
    )


@login_required
@require_GET
def cluster_detail(
    request: HttpRequest, scope: ScopeRef, cluster_id: int, panel: str = ""
) -> HttpResponse:
    console = enter_scope(request.user, scope)
    cluster = _cluster_in_scope(console, cluster_id)
    require_view(cluster_access(console.roles, cluster))
    return _render_cluster(request, console, cluster, panel=panel)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_cluster_agent_upgrades(
    request: HttpRequest, scope: ScopeRef, cluster_id: int
) -> HttpResponse:
    console = enter_scope(request.user, scope)
    cluster = _cluster_in_scope(console, cluster_id)
    return apply_change(
        request,
        access=cluster_access(console.roles, cluster),
        rule=rules.set_cluster,
        target=cluster,
        settings_url=reverse("cluster_settings", args=[scope, cluster_id]),
        render_panel=lambda current, status: _render_cluster(
            request, console, current, panel="settings", status=status
        ),
    )


def _render_cluster(
    request: HttpRequest,
    console: ConsoleScope,
    cluster: Cluster,
    *,
    panel: str,
    status: int = 200,
) -> HttpResponse:
    """The details page; for an htmx change, only its Cluster Settings panel (with the status
    line and history swapped out of band)."""
    release = PlatformRelease.current()
    context = {
        "cluster": cluster,
        "release": release,
        "panel": panel,
        "history": cluster.audit_events.order_by("-at", "-id")[:10],
        "switch": cluster_switch(
            cluster,
            action=reverse("change_cluster_agent_upgrades", args=[console.ref, cluster.pk]),
            access=cluster_access(console.roles, cluster),
            platform_agent=release.agent_version if release else "",
        ),
    }
    if request.htmx and request.method == "POST":
        return render(
            request, "settings_app/cluster_detail.html#cluster-settings", context, status=status
        )
    context.update(page_context(request, console, "cluster_list"))
    return render(request, "settings_app/cluster_detail.html", context, status=status)
