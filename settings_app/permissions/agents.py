"""Who may see and change gateways and Edge hosts (DESIGN.md §11), asked of the same roles as
the rest. Gateways are tenant resources: a Tenant Admin (and a superuser) sees and changes them;
project roles do not see them. Edge hosts follow their project's roles as its clusters do; a
Cluster Admin sees only the hosts that are part of their cluster. A host's setting is never
changed on its own: it is written by its project's or its tenant's push (or, in a cluster, it
has none), so every host answers "view only" to a change, with the reason."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..models import EdgeHost, Gateway
from . import (
    Access,
    console_scope_of_tenant,
    get_or_404,
    in_scope,
    require_access,
    scope_holding,
    tenant_access,
)
from .roles import Roles, roles_for
from .scopes import ConsoleScope, ScopeRef


def gateway_access(roles: Roles, gateway: Gateway) -> Access:
    """A gateway is its tenant's: its Tenant Admins see and change it; nobody else sees it."""
    return tenant_access(roles, gateway.tenant)


def edge_host_access(roles: Roles, host: EdgeHost) -> Access:
    """Anyone who sees the host's project sees it, and a Cluster Admin of the cluster it is
    part of; nobody changes it on its own."""
    project = host.project
    sees = (
        roles.superuser
        or host.tenant_id in roles.tenant_admin
        or project.pk in roles.project_admin
        or project.pk in roles.project_viewer
        or (host.cluster_id is not None and host.cluster_id in roles.cluster_admin)
    )
    if host.cluster_id is not None:
        reason = (
            f"Edge host {host.name} is part of cluster {host.cluster.name} and follows its "
            "setting: change the cluster's."
        )
    else:
        reason = (
            f"Edge host {host.name} is not in a cluster: its setting is written by its project "
            f"{project.name} or its tenant. Change it there."
        )
    return Access(view=sees, change=False, reason=reason)


def visible_edge_hosts(roles: Roles, hosts: QuerySet[EdgeHost]) -> QuerySet[EdgeHost]:
    """Narrow a queryset of hosts to those the user may see (as `edge_host_access`)."""
    if roles.superuser:
        return hosts
    return hosts.filter(
        Q(tenant_id__in=roles.tenant_admin)
        | Q(project_id__in=roles.project_admin | roles.project_viewer)
        | Q(cluster_id__in=roles.cluster_admin)
    )


def edge_hosts_of(console: ConsoleScope) -> QuerySet[EdgeHost]:
    """The Edge hosts of the console's scope (a tenant's, or a project's) that the user sees."""
    if console.is_tenant:
        hosts = EdgeHost.objects.filter(tenant=console.tenant)
    else:
        hosts = EdgeHost.objects.filter(project=console.project)
    return visible_edge_hosts(console.roles, hosts)


def gateway_for_user(
    user, tenant_id: int, gateway_id: int, *, change: bool = False
) -> tuple[ConsoleScope, Gateway]:
    """A gateway of the tenant, and the tenant's scope: 404 for anyone but its Tenant Admins
    (as for a gateway that does not exist)."""
    roles = roles_for(user)
    gateway = get_or_404(
        Gateway.objects.select_related(
            "tenant", "agent_upgrades_set_by", "agent_upgrades_window"
        ).filter(tenant_id=tenant_id),
        gateway_id,
    )
    require_access(gateway_access(roles, gateway), change)
    return console_scope_of_tenant(roles, gateway.tenant), gateway


def edge_host_for_user(user, ref: ScopeRef, host_id: int) -> tuple[ConsoleScope, EdgeHost]:
    """An Edge host of the scope at `ref`, and that scope (as `cluster_for_user`)."""
    roles = roles_for(user)
    host = get_or_404(
        EdgeHost.objects.select_related(
            "project__tenant", "cluster", "agent_upgrades_set_by"
        ).filter(**in_scope(ref)),
        host_id,
    )
    console = scope_holding(roles, ref, host.project)
    require_access(edge_host_access(roles, host), change=False)
    return console, host
