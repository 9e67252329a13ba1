"""Where the pages of gateways and Edge hosts are: every link to them is made here, from the
URL names that urls.py gives them (tenant_gateways, gateway_detail, edge_host_list,
edge_host_detail)."""

from __future__ import annotations

from django.urls import reverse

from ..models import EdgeHost, Gateway
from ..permissions.scopes import ScopeRef


def gateway_url(gateway: Gateway) -> str:
    """A gateway's page, under its tenant's settings."""
    return gateway_path(gateway.tenant_id, gateway.pk)


def gateway_path(tenant_id: int, gateway_id: int) -> str:
    return reverse("gateway_detail", args=[tenant_id, gateway_id])


def gateways_url(tenant_id: int) -> str:
    """Tenant Settings › Private Cloud Gateways."""
    return reverse("tenant_gateways", args=[tenant_id])


def edge_host_url(host: EdgeHost, scope: ScopeRef) -> str:
    """An Edge host's page, seen from `scope` (its project or its tenant)."""
    return edge_host_path(scope, host.pk)


def edge_host_path(scope: ScopeRef, host_id: int) -> str:
    return reverse("edge_host_detail", args=[scope, host_id])


def edge_hosts_url(scope: ScopeRef) -> str:
    """Clusters › Edge Hosts of a scope."""
    return reverse("edge_host_list", args=[scope])
