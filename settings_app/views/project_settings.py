"""The Project Settings menu: General and Platform Settings, with the project's switch."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from ..permissions import project_for_user
from .confirm import confirm_change, confirm_undo
from .platform_settings import SettingsPage
from .switch import apply_change, apply_undo


@login_required
@require_GET
def project_settings(
    request: HttpRequest, project_id: int, section: str = "general"
) -> HttpResponse:
    console = project_for_user(request.user, project_id)
    return SettingsPage(request, console, console.project, section).render(console.project)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_project_agent_upgrades(request: HttpRequest, project_id: int) -> HttpResponse:
    console = project_for_user(request.user, project_id, change=True)
    return apply_change(request, SettingsPage(request, console, console.project))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def undo_project_change(request: HttpRequest, project_id: int) -> HttpResponse:
    console = project_for_user(request.user, project_id, change=True)
    return apply_undo(request, SettingsPage(request, console, console.project))


@login_required
@require_GET
def confirm_project_change(request: HttpRequest, project_id: int) -> HttpResponse:
    console = project_for_user(request.user, project_id, change=True)
    return confirm_change(request, SettingsPage(request, console, console.project))


@login_required
@require_GET
def confirm_project_undo(request: HttpRequest, project_id: int) -> HttpResponse:
    console = project_for_user(request.user, project_id, change=True)
    return confirm_undo(request, SettingsPage(request, console, console.project))
