"""Platform Settings of a project or a tenant: one panel with the switch that pushes the value
down (rule 2), shared by the Project Settings and Tenant Settings pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from .. import rules
from ..models import Project, Tenant
from ..permissions import access_to
from ..permissions.scopes import ConsoleScope
from ..permissions.windows import WindowScope
from ..wording import fleet_state
from .navigation import page_context
from .switch import Question, SwitchUrls, push_question, push_switch
from .window_pages import windows_section

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

    @property
    def kind(self) -> str:
        return "tenant" if self.is_tenant else "project"

    @property
    def urls(self) -> SwitchUrls:
        kind, args = self.kind, [self.obj.pk]
        return SwitchUrls(
            change=reverse(f"change_{kind}_agent_upgrades", args=args),
            confirm_change=reverse(f"confirm_{kind}_change", args=args),
            undo=reverse(f"undo_{kind}_change", args=args),
            confirm_undo=reverse(f"confirm_{kind}_undo", args=args),
        )

    def question(self, value: str) -> Question:
        platform_agent = rules.current_agent_version()
        return push_question(self.obj, value, self.counts(self.obj, platform_agent), platform_agent)

    def page_context(self) -> dict:
        return page_context(self.request, self.console, f"{self.kind}_settings")

    def counts(self, obj: Project | Tenant, platform_agent: str) -> rules.FleetCounts:
        return rules.scope_counts(obj, platform_agent)

    def render(
        self, obj: Project | Tenant, *, status: int = 200, change: rules.Change | None = None
    ) -> HttpResponse:
        """The page; for an htmx change, only its Platform Settings panel. A change passes what
        it already knows (the platform's agent version, the counts), so the answer costs no
        more; one that does not know its counts (an undo that put back gateways or idle hosts)
        leaves them to be read."""
        if change is not None and change.counts is not None:
            platform_agent, counts = change.platform_agent, change.counts
        else:
            platform_agent = rules.current_agent_version()
            counts = self.counts(obj, platform_agent)
        kind = self.kind
        context = {
            kind: obj,
            "scope_object": obj,
            "counts": counts,
            "section": self.section,
            "state": fleet_state(obj, counts),
            "switch": push_switch(
                obj,
                urls=self.urls,
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
        if self.section == "platform":
            access = access_to(self.console.roles, obj)
            scope = WindowScope(self.console, obj)
            context["windows"] = windows_section(scope, access, timezone.now())
        context.update(self.page_context())
        return render(self.request, f"settings_app/{kind}_settings.html", context, status=status)
