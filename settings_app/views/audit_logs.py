"""Audit Logs: the setting changes the user may see in the current scope, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..permissions import scope_for_user, visible_audit_events
from ..scopes import ScopeRef
from .navigation import page_context
from .paging import page_of

EVENTS_PER_PAGE = 50


@login_required
@require_GET
def audit_log(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    console = scope_for_user(request.user, scope)
    events = visible_audit_events(console).order_by("-at", "-id")
    page = page_of(events, request.GET.get("page"), EVENTS_PER_PAGE)
    return render(
        request,
        "settings_app/audit_log.html",
        {**page_context(request, console, "audit_log"), "page": page},
    )
