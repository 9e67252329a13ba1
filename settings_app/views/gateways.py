"""Tenant Settings › Private Cloud Gateways: the tenant's gateways, a gateway's page, and its
Cluster Settings with the same switch, dialog and confirmation page as a cluster's."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import rules
from ..models import Gateway, PlatformRelease
from ..permissions import tenant_for_user
from ..permissions.agents import gateway_access, gateway_for_user
from ..permissions.scopes import ConsoleScope
from ..wording.audit import gateway_history
from .confirm import confirm_change
from .navigation import page_context
from .switch import Question, SwitchUrls, apply_change, cluster_question, cluster_switch


@login_required
@require_GET
def gateway_list(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = tenant_for_user(request.user, tenant_id)
    gateways = console.tenant.gateways.select_related(
        "agent_upgrades_set_by", "agent_upgrades_window"
    ).order_by("name")
    context = {
        **page_context(request, console, "tenant_settings"),
        "tenant": console.tenant,
        "section": "gateways",
        "gateways": list(gateways),
        "platform_agent": rules.current_agent_version(),
    }
    return render(request, "settings_app/tenant_settings.html", context)


@login_required
@require_GET
def gateway_detail(
    request: HttpRequest, tenant_id: int, gateway_id: int, panel: str = ""
) -> HttpResponse:
    console, gateway = gateway_for_user(request.user, tenant_id, gateway_id)
    return GatewayPage(request, console, gateway).render(gateway, panel=panel)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_gateway_agent_upgrades(
    request: HttpRequest, tenant_id: int, gateway_id: int
) -> HttpResponse:
    console, gateway = gateway_for_user(request.user, tenant_id, gateway_id, change=True)
    return apply_change(request, GatewayPage(request, console, gateway))


@login_required
@require_GET
def confirm_gateway_change(request: HttpRequest, tenant_id: int, gateway_id: int) -> HttpResponse:
    console, gateway = gateway_for_user(request.user, tenant_id, gateway_id, change=True)
    return confirm_change(request, GatewayPage(request, console, gateway))


@dataclass
class GatewayPage:
    """A gateway's page, and its Cluster Settings panel as a change's answer (as ClusterPage;
    a gateway's change has no undo)."""

    request: HttpRequest
    console: ConsoleScope
    obj: Gateway

    @property
    def args(self) -> list[int]:
        return [self.obj.tenant_id, self.obj.pk]

    @property
    def settings_url(self) -> str:
        return reverse("gateway_settings", args=self.args)

    @property
    def urls(self) -> SwitchUrls:
        return SwitchUrls(
            change=reverse("change_gateway_agent_upgrades", args=self.args),
            confirm_change=reverse("confirm_gateway_change", args=self.args),
            undo="",
            confirm_undo="",
        )

    def question(self, value: str) -> Question:
        return cluster_question(self.obj, value, rules.current_agent_version())

    def page_context(self) -> dict:
        return page_context(self.request, self.console, "tenant_settings")

    def render(
        self,
        gateway: Gateway,
        *,
        status: int = 200,
        change: rules.Change | None = None,
        panel: str = "settings",
    ) -> HttpResponse:
        """The page; for an htmx change, only its Cluster Settings panel (the status line,
        agent version and history out of band)."""
        request = self.request
        fragment = request.htmx and request.method == "POST"
        release = None
        if change is not None and fragment:
            platform_agent = change.platform_agent
        else:
            release = PlatformRelease.current()
            platform_agent = release.agent_version if release else ""
        context = {
            "gateway": gateway,
            "release": release,
            "platform_agent": platform_agent,
            "panel": panel,
            "history": gateway_history(gateway),
            "switch": cluster_switch(
                gateway,
                urls=self.urls,
                access=gateway_access(self.console.roles, gateway),
                platform_agent=platform_agent,
                change=change,
                undoable=False,
            ),
        }
        if fragment:
            return render(
                request, "settings_app/gateway_detail.html#cluster-settings", context, status=status
            )
        context.update(self.page_context())
        return render(request, "settings_app/gateway_detail.html", context, status=status)
