"""Clusters › Edge Hosts: the scope's Edge hosts, a host's page and the Edge hosts CSV. Read-only,
as in Palette: an idle host's setting is written by its project's or its tenant's push, and a
host in a cluster follows that cluster."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import rules
from ..models import SETTING_FIELDS, AgentUpgrades, EdgeHost, PlatformRelease
from ..permissions import project_access, scope_for_user, tenant_access
from ..permissions.agents import edge_host_for_user, edge_hosts_of
from ..permissions.scopes import ConsoleScope, ScopeRef
from ..wording.audit import edge_host_history
from .cluster_export import set_how, setting_reads
from .clusters import paging
from .csv_export import csv_response
from .navigation import page_context
from .paging import Order, keyset_page

EDGE_HOSTS_PER_PAGE = 50
BY_NAME = Order(("name", "pk"))  # a tenant's hosts: edgehost_tenant_name; a project's: its unique
NOT_IN_A_CLUSTER = "Not in a cluster"


@login_required
@require_GET
def edge_host_list(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    console = scope_for_user(request.user, scope)
    hosts = edge_hosts_of(console).select_related(
        "project__tenant", "cluster", "agent_upgrades_set_by", "agent_upgrades_window"
    )
    page = keyset_page(hosts, BY_NAME, request.GET, EDGE_HOSTS_PER_PAGE)
    context = {
        "page": page,
        "paging": paging(page, {}),
        "platform_agent": rules.current_agent_version(),
    }
    context.update(page_context(request, console, "cluster_list"))
    return render(request, "settings_app/edge_host_list.html", context)


@login_required
@require_GET
def edge_host_detail(request: HttpRequest, scope: ScopeRef, host_id: int) -> HttpResponse:
    console, host = edge_host_for_user(request.user, scope, host_id)
    release = PlatformRelease.current()
    context = {
        "host": host,
        "release": release,
        "platform_agent": release.agent_version if release else "",
        "history": edge_host_history(host) if host.is_idle else [],
        "where_changed": where_changed(console, host),
    }
    context.update(page_context(request, console, "cluster_list"))
    return render(request, "settings_app/edge_host_detail.html", context)


def where_changed(console: ConsoleScope, host: EdgeHost) -> dict[str, str]:
    """The Platform Settings that write an idle host's setting, each linked when the user may
    open it ("" otherwise): its project's and its tenant's."""
    roles = console.roles
    project, tenant = host.project, host.project.tenant
    return {
        "project": reverse("project_platform_settings", args=[project.pk])
        if project_access(roles, project).view
        else "",
        "tenant": reverse("tenant_platform_settings", args=[tenant.pk])
        if tenant_access(roles, tenant).view
        else "",
    }


# The Edge hosts CSV: the host's own columns (its header, the field it is read from), then one
# per field of the setting under its CSV name (SETTING_FIELDS, as in the clusters CSV), then the
# API's value. A host in a cluster has no setting: its cluster's value, "follows cluster …", and
# its cluster's agent.
HOST_COLUMNS = [
    ("name", "name"),
    ("uid", "uid"),
    ("project", "project__name"),
    ("cluster", "cluster__name"),
    ("agent_version", "agent_version"),
]
CSV_HEADER = [
    *(name for name, _ in HOST_COLUMNS),
    *(names.csv for names in SETTING_FIELDS.values()),
    "api_value",  # lock or unlock: what decides for the host
]


@login_required
@require_GET
def edge_host_list_csv(request: HttpRequest, scope: ScopeRef) -> StreamingHttpResponse:
    console = scope_for_user(request.user, scope)
    now = timezone.now()
    reads = {f"setting_{name}": read for name, read in setting_reads().items()}
    cluster_pause = Q(cluster__agent_upgrades=AgentUpgrades.LOCK) & (
        Q(cluster__agent_upgrades_until__isnull=True) | Q(cluster__agent_upgrades_until__gt=now)
    )
    more = {
        "tenant_name": F("tenant__name"),
        "cluster_agent": F("cluster__agent_version"),
        "cluster_holds": ExpressionWrapper(cluster_pause, output_field=BooleanField()),
    }
    rows = (
        edge_hosts_of(console)
        .order_by(*BY_NAME.order_by())
        .annotate(**reads, **more)
        .values_list(*(field for _, field in HOST_COLUMNS), *reads, *more)
        .iterator(chunk_size=2000)
    )
    blank = {name: "" for name in SETTING_FIELDS}

    def lines():
        for (
            name,
            uid,
            project,
            cluster,
            agent,
            *values,
            tenant,
            cluster_agent,
            cluster_holds,
        ) in rows:
            if cluster is not None:  # its cluster decides
                holds, agent = cluster_holds, cluster_agent
                setting = blank | {"agent_upgrades_set_via": f"follows cluster {cluster}"}
            else:
                setting = dict(zip(SETTING_FIELDS, values, strict=True))
                holds = setting["agent_upgrades"]  # a pause whose end has passed no longer holds
                setting["agent_upgrades_set_via"] = set_how(
                    setting["agent_upgrades_set_via"], project, tenant
                )
                if not holds:  # a reason and an end hold only while paused
                    setting |= {"agent_upgrades_reason": "", "agent_upgrades_until": ""}
            setting["agent_upgrades"] = "Paused" if holds else "Active"
            yield [
                name,
                uid,
                project,
                cluster if cluster is not None else NOT_IN_A_CLUSTER,
                agent,
                *(value if value is not None else "" for value in setting.values()),
                AgentUpgrades.LOCK if holds else AgentUpgrades.UNLOCK,
            ]

    return csv_response("edge-hosts.csv", CSV_HEADER, lines())
