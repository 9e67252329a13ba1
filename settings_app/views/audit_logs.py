"""Audit Logs: the setting changes the user may see in the current scope, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import AuditEvent
from ..scopes import ScopeRef, enter_scope
from .navigation import page_context
from .paging import page_of

EVENTS_PER_PAGE = 50


@login_required
@require_GET
def audit_log(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    console = enter_scope(request.user, scope)
    if console.is_tenant:
        events = AuditEvent.objects.filter(tenant=console.tenant)
    elif console.project_access().view:
        events = AuditEvent.objects.filter(project=console.project)
    else:  # a Cluster Admin sees the changes of the clusters they hold a role on
        events = AuditEvent.objects.filter(project=console.project, cluster__in=console.clusters())
    page = page_of(events.order_by("-at", "-id"), request.GET.get("page"), EVENTS_PER_PAGE)
    return render(
        request,
        "settings_app/audit_log.html",
        {**page_context(request, console, "audit_log"), "page": page},
    )
