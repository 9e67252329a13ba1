"""The Project Settings menu: General and Platform Settings, with the project's switch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import rules
from ..models import Project, Scope
from ..permissions import require_view
from ..scopes import ConsoleScope, ScopeRef, enter_scope
from .navigation import page_context
from .switch import apply_change, push_switch


def _enter(request: HttpRequest, project_id: int) -> ConsoleScope:
    console = enter_scope(request.user, ScopeRef("projects", project_id))
    require_view(console.project_access())  # Cluster Admins have no Project Settings
    return console


@login_required
@require_GET
def project_settings(
    request: HttpRequest, project_id: int, section: str = "general"
) -> HttpResponse:
    console = _enter(request, project_id)
    return _render(request, console, console.project, section=section)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_project_agent_upgrades(request: HttpRequest, project_id: int) -> HttpResponse:
    console = _enter(request, project_id)
    return apply_change(
        request,
        access=console.project_access(),
        rule=rules.push_project,
        target=console.project,
        settings_url=reverse("project_platform_settings", args=[project_id]),
        render_panel=lambda current, status, **known: _render(
            request, console, current, section="platform", status=status, **known
        ),
    )


def _render(
    request: HttpRequest,
    console: ConsoleScope,
    project: Project,
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
            Project.objects.filter(pk=project.pk), below=Scope.PROJECT, agent_version=platform_agent
        )
    context = {
        "project": project,
        "counts": counts,
        "section": section,
        "switch": push_switch(
            project,
            action=reverse("change_project_agent_upgrades", args=[project.pk]),
            access=console.project_access(),
            counts=counts,
            platform_agent=platform_agent,
        ),
    }
    if request.htmx and request.method == "POST":
        return render(
            request, "settings_app/project_settings.html#platform-settings", context, status=status
        )
    context.update(page_context(request, console, "project_settings"))
    return render(request, "settings_app/project_settings.html", context, status=status)
