"""Who may do what through the API (/v1/): the same questions as the pages' (the package's), for
a key. A key acts with its user's roles as they are at each request, and never beyond the key's
tenant, even for a superuser: every object is looked up inside that tenant first, and one outside
it answers exactly as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ..models import UID, ApiKey, Cluster, EdgeHost, FreezeWindow, Gateway, Project, Tenant
from ..wording.api import gateways_refused, tenant_scope_refused
from . import (
    NOT_FOUND,
    cluster_access,
    console_scope_of_project,
    console_scope_of_tenant,
    may_enter_project,
    project_access,
    require_access,
    require_visible,
    tenant_access,
)
from .agents import edge_host_access, gateway_access
from .roles import Roles, roles_for
from .scopes import ConsoleScope


@dataclass(frozen=True)
class ApiCaller:
    """Whom an API request acts for: the key's user, inside the key's tenant."""

    user: object
    tenant: Tenant
    key_name: str
    roles: Roles


def api_caller(key: ApiKey) -> ApiCaller:
    """The caller of a found key (ApiKey.find), with the user's roles loaded now."""
    return ApiCaller(key.user, key.tenant, key.name, roles_for(key.user))


def api_tenant(caller: ApiCaller) -> Tenant:
    """The tenant scope (no ProjectUid): the key's tenant, for its Tenant Admins. Anyone else
    gets 403, not 404: the key names its tenant, so there is nothing to hide."""
    if not tenant_access(caller.roles, caller.tenant).change:
        raise PermissionDenied(tenant_scope_refused(caller.tenant))
    return caller.tenant


def api_project(caller: ApiCaller, uid: str, *, change: bool = False) -> Project:
    """A project's own setting (as on Project Settings): not for a Cluster Admin."""
    project = _get_by_uid(Project.objects.select_related("tenant"), caller, uid)
    require_access(project_access(caller.roles, project), change)
    return project


def api_project_to_enter(caller: ApiCaller, uid: str) -> ConsoleScope:
    """A project whose scope the user may enter (its name, its clusters, its audit events),
    as the scope the console would show them."""
    project = _get_by_uid(Project.objects.select_related("tenant"), caller, uid)
    require_visible(may_enter_project(caller.roles, project))
    return console_scope_of_project(caller.roles, project)


def api_tenant_scope(caller: ApiCaller) -> ConsoleScope:
    """The tenant scope, for its clusters (Tenant Admins only, else 403)."""
    return console_scope_of_tenant(caller.roles, api_tenant(caller))


def api_cluster(caller: ApiCaller, uid: str, *, change: bool = False) -> Cluster:
    cluster = _get_by_uid(
        Cluster.objects.select_related(
            "project__tenant", "agent_upgrades_set_by", "agent_upgrades_window"
        ),
        caller,
        uid,
    )
    require_access(cluster_access(caller.roles, cluster), change)
    return cluster


def api_object(caller: ApiCaller, uid: str) -> Tenant | Project | Cluster | None:
    """The tenant, project or cluster of the key's tenant with this uid that the user may see
    (to filter audit events by); None when there is none."""
    if not UID.match(uid or ""):
        return None
    if uid == caller.tenant.uid:
        return caller.tenant if tenant_access(caller.roles, caller.tenant).view else None
    return _visible_by_uid(
        caller,
        uid,
        (Project.objects.select_related("tenant"), project_access),
        (Cluster.objects.select_related("project__tenant"), cluster_access),
    )


def api_audited_object(
    caller: ApiCaller, uid: str
) -> Tenant | Project | Cluster | Gateway | EdgeHost | None:
    """As `api_object`, and also a gateway or an Edge host: what audit events are filtered by
    (`resourceUid`)."""
    found = api_object(caller, uid)
    if found is not None or not UID.match(uid or ""):
        return found
    return _visible_by_uid(
        caller,
        uid,
        (Gateway.objects.select_related("tenant"), gateway_access),
        (EdgeHost.objects.select_related("project", "cluster"), edge_host_access),
    )


def _visible_by_uid(caller: ApiCaller, uid: str, *kinds):
    """The first object of the key's tenant with this uid among `kinds` ((queryset, access)
    pairs), if the user may see it; None otherwise."""
    for queryset, access in kinds:
        obj = queryset.filter(tenant=caller.tenant, uid=uid).first()
        if obj is not None:
            return obj if access(caller.roles, obj).view else None
    return None


def _get_by_uid(queryset: QuerySet, caller: ApiCaller, uid: str):
    """The object of the key's tenant with this uid, or 404 (a malformed uid, an unknown one and
    another tenant's answer alike)."""
    if not UID.match(uid or ""):
        raise Http404(NOT_FOUND)
    try:
        return queryset.get(tenant=caller.tenant, uid=uid)
    except queryset.model.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def api_scope_object(caller: ApiCaller, uid: str, *, change: bool = False):
    """The tenant, project or cluster of the key's tenant with this uid (a window's scope): 404
    for one the user may not see, 403 for one they may see but not change."""
    obj = api_object(caller, uid)
    if obj is None:
        raise Http404(NOT_FOUND)
    access = {Tenant: tenant_access, Project: project_access, Cluster: cluster_access}[type(obj)]
    require_access(access(caller.roles, obj), change)
    return obj


def api_window(caller: ApiCaller, uid: str, *, change: bool = False) -> FreezeWindow:
    """A freeze window of the key's tenant, seen (and changed) with the rights on its scope."""
    if not UID.match(uid or ""):
        raise Http404(NOT_FOUND)
    window = (
        FreezeWindow.objects.select_related("tenant", "project__tenant", "cluster__project__tenant")
        .filter(tenant=caller.tenant, uid=uid)
        .first()
    )
    if window is None:
        raise Http404(NOT_FOUND)
    api_scope_object(caller, window.target.uid, change=change)
    return window


def api_windows(caller: ApiCaller) -> QuerySet[FreezeWindow]:
    """The freeze windows of the key's tenant whose scope the user may see."""
    roles = caller.roles
    windows = FreezeWindow.objects.filter(tenant=caller.tenant)
    if tenant_access(roles, caller.tenant).view:
        return windows
    return windows.filter(
        Q(project_id__in=roles.project_admin | roles.project_viewer, cluster__isnull=True)
        | Q(cluster__project_id__in=roles.project_admin | roles.project_viewer)
        | Q(cluster_id__in=roles.cluster_admin)
    )


def api_destination(caller: ApiCaller, uid: str):
    """A notice destination of the key's tenant, for its Tenant Admins (403 for anyone else,
    as the tenant scope); 404 for a uid not of the tenant's destinations."""
    from ..models.notices import Destination

    tenant = api_tenant(caller)
    if not UID.match(uid or ""):
        raise Http404(NOT_FOUND)
    found = Destination.objects.filter(tenant=tenant, uid=uid).select_related("tenant").first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


# Gateways (Palette's overlords) and Edge hosts, with the console's helpers' rights
# (permissions.agents).


def api_gateways(caller: ApiCaller) -> QuerySet[Gateway]:
    """The key's tenant's gateways, for its Tenant Admins (403 for anyone else, as the tenant
    scope: the key names its tenant, so there is nothing to hide)."""
    if not tenant_access(caller.roles, caller.tenant).view:
        raise PermissionDenied(gateways_refused(caller.tenant))
    return Gateway.objects.filter(tenant=caller.tenant)


def api_gateway(caller: ApiCaller, uid: str, *, change: bool = False) -> Gateway:
    """A gateway of the key's tenant: its Tenant Admins see and change it; for anyone else it
    answers 404, as one that does not exist."""
    gateway = _get_by_uid(
        Gateway.objects.select_related("tenant", "agent_upgrades_set_by", "agent_upgrades_window"),
        caller,
        uid,
    )
    require_access(gateway_access(caller.roles, gateway), change)
    return gateway


def api_edge_host(caller: ApiCaller, uid: str) -> EdgeHost:
    """An Edge host of the key's tenant that the user may see (404 otherwise); with its cluster
    and the setting that decides for it."""
    host = _get_by_uid(
        EdgeHost.objects.select_related(
            "project__tenant",
            "agent_upgrades_set_by",
            "agent_upgrades_window",
            "cluster__agent_upgrades_set_by",
            "cluster__agent_upgrades_window",
        ),
        caller,
        uid,
    )
    require_access(edge_host_access(caller.roles, host), change=False)
    return host
