"""The tenant scope's Projects list and Tenant Settings: General, Platform Settings and the Freeze
Calendar."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import rules
from ..models import Scope
from ..permissions import tenant_for_user
from ..permissions.scopes import ScopeRef
from ..rules.freeze_calendar import CalendarScope, freeze_calendar
from ..wording import fleet_state
from .confirm import confirm_change, confirm_undo
from .navigation import page_context
from .platform_settings import SettingsPage
from .switch import apply_change, apply_undo


@login_required
@require_GET
def project_list(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = tenant_for_user(request.user, tenant_id)
    projects = list(
        console.tenant.projects.select_related(
            "tenant", "agent_upgrades_set_by", "agent_upgrades_window"
        ).order_by("name")
    )
    counts = rules.fleet_counts(
        console.tenant.projects.all(),
        below=Scope.TENANT,
        agent_version=rules.current_agent_version(),
    )
    by_project = {row.project_id: row for row in counts.by_project}
    for project in projects:
        project.counts = by_project.get(project.pk)
        project.state = fleet_state(project, project.counts or rules.FleetCounts())
    return render(
        request,
        "settings_app/project_list.html",
        {**page_context(request, console, "project_list"), "projects": projects},
    )


@login_required
@require_GET
def tenant_settings(request: HttpRequest, tenant_id: int, section: str = "general") -> HttpResponse:
    console = tenant_for_user(request.user, tenant_id)
    return SettingsPage(request, console, console.tenant, section).render(console.tenant)


@login_required
@require_GET
def tenant_freeze_calendar(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """Every freeze window of the tenant over the next eight weeks, by scope; read only."""
    console = tenant_for_user(request.user, tenant_id)
    calendar = freeze_calendar(console.tenant, timezone.now())
    for scope in calendar.scopes:
        scope.link = windows_link(scope)
    context = {
        **page_context(request, console, "tenant_settings"),
        "tenant": console.tenant,
        "section": "freeze_calendar",
        "calendar": calendar,
    }
    return render(request, "settings_app/tenant_settings.html", context)


def windows_link(scope: CalendarScope) -> str:
    """The Freeze windows section of the scope's settings page."""
    obj = scope.obj
    if scope.kind == "cluster":
        page = reverse("cluster_settings", args=[ScopeRef("tenants", obj.tenant_id), obj.pk])
    else:
        page = reverse(f"{scope.kind}_platform_settings", args=[obj.pk])
    return page + "#freeze-windows"


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_tenant_agent_upgrades(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = tenant_for_user(request.user, tenant_id, change=True)
    return apply_change(request, SettingsPage(request, console, console.tenant))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def undo_tenant_change(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = tenant_for_user(request.user, tenant_id, change=True)
    return apply_undo(request, SettingsPage(request, console, console.tenant))


@login_required
@require_GET
def confirm_tenant_change(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = tenant_for_user(request.user, tenant_id, change=True)
    return confirm_change(request, SettingsPage(request, console, console.tenant))


@login_required
@require_GET
def confirm_tenant_undo(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = tenant_for_user(request.user, tenant_id, change=True)
    return confirm_undo(request, SettingsPage(request, console, console.tenant))
