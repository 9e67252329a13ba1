"""The tenant scope's Projects list and Tenant Settings: General and Platform Settings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import rules
from ..models import AgentUpgrades, Project, Scope, Tenant
from ..permissions import tenant_access
from ..scopes import ConsoleScope, ScopeRef, enter_scope
from .navigation import page_context
from .switch import apply_change, push_switch


def _enter(request: HttpRequest, tenant_id: int) -> ConsoleScope:
    return enter_scope(request.user, ScopeRef("tenants", tenant_id))


@login_required
@require_GET
def project_list(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = _enter(request, tenant_id)
    # The clusters whose pause holds now, seen from the project.
    now = timezone.now()
    paused_clusters = Q(clusters__agent_upgrades=AgentUpgrades.LOCK) & (
        Q(clusters__agent_upgrades_until__isnull=True) | Q(clusters__agent_upgrades_until__gt=now)
    )
    projects = (
        console.tenant.projects.select_related("tenant", "agent_upgrades_set_by")
        .annotate(
            cluster_count=Count("clusters"),
            paused_count=Count("clusters", filter=paused_clusters),
        )
        .order_by("name")
    )
    return render(
        request,
        "settings_app/project_list.html",
        {**page_context(request, console, "project_list"), "projects": projects},
    )


@login_required
@require_GET
def tenant_settings(request: HttpRequest, tenant_id: int, section: str = "general") -> HttpResponse:
    console = _enter(request, tenant_id)
    return _render(request, console, console.tenant, section=section)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_tenant_agent_upgrades(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = _enter(request, tenant_id)
    return apply_change(
        request,
        access=tenant_access(console.roles, console.tenant),
        rule=rules.push_tenant,
        target=console.tenant,
        settings_url=reverse("tenant_platform_settings", args=[tenant_id]),
        render_panel=lambda current, status, **known: _render(
            request, console, current, section="platform", status=status, **known
        ),
    )


def _render(
    request: HttpRequest,
    console: ConsoleScope,
    tenant: Tenant,
    *,
    section: str,
    status: int = 200,
    platform_agent: str | None = None,
    counts: rules.ClusterCounts | None = None,
) -> HttpResponse:
    """The page; for an htmx change, only its Platform Settings panel. A change passes what it
    already knows (the platform's agent version, the counts) so the answer costs no more."""
    if platform_agent is None:
        platform_agent = rules.current_agent_version()
    if counts is None:
        counts = rules.cluster_counts(
            Project.objects.filter(tenant=tenant), below=Scope.TENANT, agent_version=platform_agent
        )
    context = {
        "tenant": tenant,
        "counts": counts,
        "section": section,
        "switch": push_switch(
            tenant,
            action=reverse("change_tenant_agent_upgrades", args=[tenant.pk]),
            access=tenant_access(console.roles, tenant),
            counts=counts,
            platform_agent=platform_agent,
        ),
    }
    if section == "general":
        context["project_count"] = tenant.projects.count()
    if request.htmx and request.method == "POST":
        return render(
            request, "settings_app/tenant_settings.html#platform-settings", context, status=status
        )
    context.update(page_context(request, console, "tenant_settings"))
    return render(request, "settings_app/tenant_settings.html", context, status=status)
