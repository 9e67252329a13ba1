"""Who may see and change what (DESIGN.md §2): the one module every view asks before it reads or
saves, and the access helpers that a view calls on its first line. The API's (/v1/) are beside
them, in `permissions.api`, asking the same questions.

Roles are django-guardian object permissions, granted to a user or to a group (`roles`), loaded
once per request. Inheritance: a Tenant Admin may change the tenant and everything in it, a
Project Admin the project and its clusters, a Cluster Admin that cluster; a Project Viewer sees
the project and its clusters and changes nothing. A user with no role on an object gets 404,
the same as for an object that does not exist; one who may see it but not change it gets 403
on a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from ..models import AuditEvent, Cluster, Project, Tenant
from ..sql import Unindexed
from .roles import Roles, roles_for
from .scopes import ConsoleScope, ScopeChoice, ScopeRef

NOT_FOUND = "No such page, or you have no role that lets you see it."
LARGEST_ID = 2**63 - 1  # beyond it an id cannot exist (and SQLite refuses to look it up)


@dataclass(frozen=True)
class Access:
    """The answer for one user and one object: may see it, may change it, and why not."""

    view: bool
    change: bool
    reason: str = ""


# The questions, one per kind of object.


def tenant_access(roles: Roles, tenant: Tenant) -> Access:
    if roles.superuser or tenant.pk in roles.tenant_admin:
        return Access(view=True, change=True)
    return Access(view=False, change=False)


def may_enter_project(roles: Roles, project: Project) -> bool:
    """May open the project's scope: any role in the project, in one of its clusters, or above."""
    return (
        roles.superuser
        or project.tenant_id in roles.tenant_admin
        or project.pk in roles.project_admin
        or project.pk in roles.project_viewer
        or project.pk in roles.cluster_admin_projects
    )


def project_access(roles: Roles, project: Project) -> Access:
    """The project's own pages (Project Settings) and its setting."""
    if (
        roles.superuser
        or project.tenant_id in roles.tenant_admin
        or project.pk in roles.project_admin
    ):
        return Access(view=True, change=True)
    if project.pk in roles.project_viewer:
        return Access(
            view=True,
            change=False,
            reason=f"You have view-only access to project {project.name}. "
            "A Project Admin or a Tenant Admin can change this setting.",
        )
    return Access(view=False, change=False)


def cluster_access(roles: Roles, cluster: Cluster) -> Access:
    project = cluster.project
    if (
        roles.superuser
        or cluster.pk in roles.cluster_admin
        or project.pk in roles.project_admin
        or project.tenant_id in roles.tenant_admin
    ):
        return Access(view=True, change=True)
    if project.pk in roles.project_viewer:
        return Access(
            view=True,
            change=False,
            reason=f"You have view-only access to project {project.name}. "
            "A Cluster Admin, Project Admin or Tenant Admin can change this setting.",
        )
    return Access(view=False, change=False)


def access_to(roles: Roles, obj: Tenant | Project | Cluster) -> Access:
    if isinstance(obj, Tenant):
        return tenant_access(roles, obj)
    if isinstance(obj, Project):
        return project_access(roles, obj)
    return cluster_access(roles, obj)


# What a user sees of many objects at once.


def visible_clusters(roles: Roles, clusters: QuerySet[Cluster]) -> QuerySet[Cluster]:
    """Narrow a queryset of clusters to those the user may see."""
    if roles.superuser:
        return clusters
    return clusters.filter(
        Q(tenant_id__in=roles.tenant_admin)
        | Q(project_id__in=roles.project_admin | roles.project_viewer)
        | Q(pk__in=roles.cluster_admin)
    )


def changeable_clusters(roles: Roles, clusters: QuerySet[Cluster]) -> QuerySet[Cluster]:
    """Narrow a queryset of clusters to those the user may change (as `cluster_access`)."""
    if roles.superuser:
        return clusters
    return clusters.filter(
        Q(tenant_id__in=roles.tenant_admin)
        | Q(project_id__in=roles.project_admin)
        | Q(pk__in=roles.cluster_admin)
    )


def may_change_some_cluster(console: ConsoleScope) -> bool:
    """Whether the user may change any cluster of the scope: from their roles when they may
    change the whole scope (a Tenant Admin, a superuser, the project's Project Admin), else
    looked up among the clusters they see (a Cluster Admin's)."""
    roles = console.roles
    if console.is_tenant:
        whole_scope = tenant_access(roles, console.tenant).change
    else:
        whole_scope = project_access(roles, console.project).change
    return whole_scope or changeable_clusters(roles, console.clusters()).exists()


def visible_audit_events(
    roles: Roles, tenant: Tenant, project: Project | None = None, *, few: bool = False
) -> QuerySet[AuditEvent]:
    """The audit events of a tenant, or of one of its projects, that the user may see: decided
    here once, for the Audit Logs pages and for the API's audit trail. A Tenant Admin (and a
    superuser) sees all of the tenant's; a Project Admin or Viewer, their project's; a Cluster
    Admin, those of their clusters. A platform release is recorded once per project (action
    RELEASE, no cluster): the project's people see it, a Cluster Admin does not (it names the
    project's counts, not only their clusters').

    `few`: the caller narrows the events to a few objects' (`AuditEvent.objects.about`), as a
    Cluster Admin's are: the tenant's and the project's filters then read each of those events
    rather than walk the whole trail's index in order."""
    whole = tenant_access(roles, tenant).view
    projects = roles.project_admin | roles.project_viewer
    scope = {"tenant_id": tenant.pk} | ({"project_id": project.pk} if project else {})
    if few or not (whole or projects):
        unindexed = {f"unindexed_{name}": Unindexed(name) for name in scope}
        events = AuditEvent.objects.alias(**unindexed).filter(
            **{f"unindexed_{name}": value for name, value in scope.items()}
        )
    else:
        events = AuditEvent.objects.filter(**scope)
    if whole:
        return events
    mine = Q(project_id__in=projects)
    if roles.cluster_admin:  # their clusters' own events, and their parts in changes
        mine |= Q(pk__in=AuditEvent.objects.about(tenant.pk, clusters=roles.cluster_admin))
    return events.filter(mine)


def enterable_projects(roles: Roles) -> QuerySet[Project]:
    """Every project whose scope the user may open, for the scope switcher."""
    projects = Project.objects.select_related("tenant").order_by("tenant__name", "name")
    if roles.superuser:
        return projects
    return projects.filter(
        Q(tenant_id__in=roles.tenant_admin)
        | Q(pk__in=roles.project_admin | roles.project_viewer | roles.cluster_admin_projects)
    )


def administered_tenants(roles: Roles) -> QuerySet[Tenant]:
    tenants = Tenant.objects.order_by("name")
    return tenants if roles.superuser else tenants.filter(pk__in=roles.tenant_admin)


def scope_choices(roles: Roles) -> list[ScopeChoice]:
    """What the Scope switcher lists: "Tenant Admin" for each administered tenant, then every
    project the user may enter, grouped by tenant."""
    choices = []
    if roles.superuser or roles.tenant_admin:
        choices += [
            ScopeChoice("Tenant Admin", ScopeRef("tenants", t.pk), t.name)
            for t in administered_tenants(roles)
        ]
    choices += [
        ScopeChoice(p.name, ScopeRef("projects", p.pk), p.tenant.name)
        for p in enterable_projects(roles)
    ]
    return sorted(choices, key=lambda c: (c.group, c.ref.kind != "tenants"))


def landing_scope(roles: Roles) -> ScopeRef | None:
    """The widest scope the user holds: the tenant for tenant admins, else the first project."""
    choices = scope_choices(roles)
    tenants = [c for c in choices if c.ref.kind == "tenants"]
    return (tenants or choices)[0].ref if choices else None


# The access helpers: a view's first line. Each loads what the request needs, answers 404 to a
# user with no role that lets them see it (exactly as for an object that does not exist), and
# with `change=True` raises PermissionDenied, with the reason, for a user who may only look.


def scope_for_user(user, ref: ScopeRef) -> ConsoleScope:
    """The scope at `ref`: the tenant scope for its Tenant Admins, a project's for anyone with a
    role in the project, in one of its clusters, or above it."""
    roles = roles_for(user)
    if ref.kind == "tenants":
        tenant = get_or_404(Tenant.objects.all(), ref.pk)
        require_visible(tenant_access(roles, tenant).view)
        return console_scope_of_tenant(roles, tenant)
    project = get_or_404(Project.objects.select_related("tenant"), ref.pk)
    require_visible(may_enter_project(roles, project))
    return console_scope_of_project(roles, project)


def cluster_for_user(
    user, ref: ScopeRef, cluster_id: int, *, change: bool = False
) -> tuple[ConsoleScope, Cluster]:
    """A cluster of the scope at `ref`, and that scope, in one query."""
    roles = roles_for(user)
    cluster = get_or_404(
        Cluster.objects.select_related(
            "project__tenant", "agent_upgrades_set_by", "agent_upgrades_window"
        ).filter(**in_scope(ref)),
        cluster_id,
    )
    console = scope_holding(roles, ref, cluster.project)
    require_access(cluster_access(roles, cluster), change)
    return console, cluster


def in_scope(ref: ScopeRef) -> dict:
    """The filter on an object of the scope at `ref` (a cluster, an Edge host)."""
    return {"tenant_id": ref.pk} if ref.kind == "tenants" else {"project_id": ref.pk}


def scope_holding(roles: Roles, ref: ScopeRef, project: Project) -> ConsoleScope:
    """The scope at `ref`, entered to reach an object of `project`: the tenant's for its Tenant
    Admins, the project's for anyone who may enter it; 404 otherwise."""
    if ref.kind == "tenants":
        require_visible(tenant_access(roles, project.tenant).view)
        return console_scope_of_tenant(roles, project.tenant)
    require_visible(may_enter_project(roles, project))
    return console_scope_of_project(roles, project)


def project_for_user(user, project_id: int, *, change: bool = False) -> ConsoleScope:
    """A project's own pages (Project Settings) in its scope: not for a Cluster Admin."""
    roles = roles_for(user)
    project = get_or_404(Project.objects.select_related("tenant"), project_id)
    require_access(project_access(roles, project), change)
    return console_scope_of_project(roles, project)


def tenant_for_user(user, tenant_id: int, *, change: bool = False) -> ConsoleScope:
    """The tenant scope's own pages (Projects, Tenant Settings): its Tenant Admins only."""
    roles = roles_for(user)
    tenant = get_or_404(Tenant.objects.all(), tenant_id)
    require_access(tenant_access(roles, tenant), change)
    return console_scope_of_tenant(roles, tenant)


def require_platform_admin(user) -> None:
    """Releasing platform versions (Platform Upgrades) is for superusers only."""
    require_visible(roles_for(user).superuser)


def console_scope_of_tenant(roles: Roles, tenant: Tenant) -> ConsoleScope:
    """The tenant scope as its Tenant Admin sees it: every cluster of the tenant."""
    # Only Tenant Admins (and superusers) enter the tenant scope: they see all its clusters.
    # ConsoleScope.clusters(by_project=True) counts on it: it reads them through the projects.
    return ConsoleScope(roles, tenant, None, True, Cluster.objects.filter(tenant=tenant))


def console_scope_of_project(roles: Roles, project: Project) -> ConsoleScope:
    """A project's scope as this user sees it: all its clusters, or a Cluster Admin's own."""
    clusters = Cluster.objects.filter(project=project)
    sees_project = project_access(roles, project).view
    if not sees_project:  # a Cluster Admin sees their own clusters of the project
        clusters = visible_clusters(roles, clusters)
    return ConsoleScope(roles, project.tenant, project, sees_project, clusters)


def get_or_404(queryset: QuerySet, pk: int):
    """The object with this id, or 404 (an id out of range answers as a missing one)."""
    if not 0 < pk <= LARGEST_ID:
        raise Http404(NOT_FOUND)
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def require_visible(allowed: bool) -> None:
    """404, exactly as for an object that does not exist, unless the user may see it."""
    if not allowed:
        raise Http404(NOT_FOUND)


def require_access(access: Access, change: bool) -> None:
    """404 unless the user may see the object; with `change`, 403 (with the reason) unless
    they may also change it."""
    require_visible(access.view)
    if change and not access.change:
        raise PermissionDenied(access.reason)


# API keys (the pages My API Keys and API Keys of Tenant Settings), beside these: who may make,
# revoke, activate and delete which key.
from .keys import api_key_for_user, key_acts, key_tenants  # noqa: E402

__all__ = ["api_key_for_user", "key_acts", "key_tenants"]
