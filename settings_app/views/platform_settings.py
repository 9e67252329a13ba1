"""Platform Settings of a project or a tenant: one panel with the switch that pushes the value
down (rule 2), shared by the Project Settings and Tenant Settings pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .. import rules
from ..models import Project, Tenant
from ..permissions import access_to
from ..scopes import ConsoleScope
from .navigation import page_context
from .switch import push_switch

PANEL = "settings_app/_platform_settings.html"


@dataclass
class SettingsPage:
    """A project's or tenant's settings page (General or Platform Settings), and its Platform
    Settings panel alone as a change's answer."""

    request: HttpRequest
    console: ConsoleScope
    obj: Project | Tenant
    section: str = "platform"

    @property
    def is_tenant(self) -> bool:
        return isinstance(self.obj, Tenant)

    @property
    def settings_url(self) -> str:
        name = "tenant_platform_settings" if self.is_tenant else "project_platform_settings"
        return reverse(name, args=[self.obj.pk])

    def render(
        self, obj: Project | Tenant, *, status: int = 200, change: rules.Change | None = None
    ) -> HttpResponse:
        """The page; for an htmx change, only its Platform Settings panel. A change passes what
        it already knows (the platform's agent version, the counts), so the answer costs no
        more."""
        if change is not None and change.counts is not None:
            platform_agent, counts = change.platform_agent, change.counts
        else:
            platform_agent = rules.current_agent_version()
            counts = rules.scope_counts(obj, platform_agent)
        kind = "tenant" if self.is_tenant else "project"
        context = {
            kind: obj,
            "scope_object": obj,
            "counts": counts,
            "section": self.section,
            "switch": push_switch(
                obj,
                action=reverse(f"change_{kind}_agent_upgrades", args=[obj.pk]),
                undo_action=reverse(f"undo_{kind}_change", args=[obj.pk]),
                access=access_to(self.console.roles, obj),
                counts=counts,
                platform_agent=platform_agent,
                change=change,
            ),
        }
        if self.request.htmx and self.request.method == "POST":
            return render(self.request, PANEL, context, status=status)
        if self.section == "general" and self.is_tenant:
            context["project_count"] = obj.projects.count()
        context.update(page_context(self.request, self.console, f"{kind}_settings"))
        return render(self.request, f"settings_app/{kind}_settings.html", context, status=status)
