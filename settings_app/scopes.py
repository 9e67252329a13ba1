"""The scope a page is in (the tenant, or one project), its Main Menu and the Scope switcher.

The scope is part of every URL (`/tenants/1/…`, `/projects/3/…`), so a cluster's pages keep the
menu of the scope the user came from, and a link or a reload lands in the same place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from . import permissions
from .models import Cluster, Project, Tenant
from .permissions import Roles

Kind = Literal["tenants", "projects"]


@dataclass(frozen=True)
class ScopeRef:
    kind: Kind
    pk: int

    def __str__(self) -> str:
        return f"{self.kind}/{self.pk}"


class ScopeConverter:
    """`<scope:scope>` in a URL pattern: `tenants/<id>` or `projects/<id>`."""

    regex = r"(?:tenants|projects)/[0-9]+"

    def to_python(self, value: str) -> ScopeRef:
        kind, _, pk = value.partition("/")
        if kind not in ("tenants", "projects") or not pk.isdigit():
            raise ValueError(f"not a scope: {value!r}")
        return ScopeRef(kind, int(pk))  # type: ignore[arg-type]

    def to_url(self, value: ScopeRef) -> str:
        return str(value)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    name: str  # the URL name, to mark the current page


@dataclass(frozen=True)
class ConsoleScope:
    roles: Roles
    tenant: Tenant
    project: Project | None = None

    @property
    def ref(self) -> ScopeRef:
        if self.project is None:
            return ScopeRef("tenants", self.tenant.pk)
        return ScopeRef("projects", self.project.pk)

    @property
    def is_tenant(self) -> bool:
        return self.project is None

    @property
    def label(self) -> str:
        return "Tenant Admin" if self.is_tenant else self.project.name

    def clusters(self) -> QuerySet[Cluster]:
        """The clusters of this scope that the user may see. Entering a scope has already
        checked the role that opens it, so only a Cluster Admin's view needs narrowing (which
        keeps the page query a plain range on the project's index)."""
        if self.project is None:  # only Tenant Admins (and superusers) enter the tenant scope
            return Cluster.objects.filter(tenant=self.tenant)
        clusters = Cluster.objects.filter(project=self.project)
        if self.project_access().view:
            return clusters
        return permissions.visible_clusters(self.roles, clusters)

    def project_access(self) -> permissions.Access:
        assert self.project is not None
        return permissions.project_access(self.roles, self.project)

    def main_menu(self) -> list[MenuItem]:
        items = [MenuItem("Clusters", reverse("cluster_list", args=[self.ref]), "cluster_list")]
        if self.project is None:
            pk = self.tenant.pk
            items += [
                MenuItem("Projects", reverse("project_list", args=[pk]), "project_list"),
                MenuItem(
                    "Tenant Settings", reverse("tenant_settings", args=[pk]), "tenant_settings"
                ),
            ]
        elif self.project_access().view:
            pk = self.project.pk
            items.append(
                MenuItem(
                    "Project Settings", reverse("project_settings", args=[pk]), "project_settings"
                )
            )
        items.append(MenuItem("Audit Logs", reverse("audit_log", args=[self.ref]), "audit_log"))
        return items


def enter_scope(user, ref: ScopeRef) -> ConsoleScope:
    """The scope at `ref`, or 404 when the user holds no role that opens it."""
    roles = permissions.roles_for(user)
    if ref.kind == "tenants":
        tenant = get_object_or_404(Tenant, pk=ref.pk)
        permissions.require_view(permissions.tenant_access(roles, tenant))
        return ConsoleScope(roles, tenant)
    project = get_object_or_404(Project.objects.select_related("tenant"), pk=ref.pk)
    if not permissions.may_enter_project(roles, project):
        raise Http404(permissions.NOT_FOUND)
    return ConsoleScope(roles, project.tenant, project)


def enter_cluster(user, ref: ScopeRef, cluster_id: int) -> tuple[ConsoleScope, Cluster]:
    """A cluster of the scope at `ref` and that scope, in one query; 404 (the same as
    `enter_scope`'s) unless the user may open the scope and see the cluster."""
    roles = permissions.roles_for(user)
    in_scope = {"tenant_id": ref.pk} if ref.kind == "tenants" else {"project_id": ref.pk}
    cluster = get_object_or_404(
        Cluster.objects.select_related("project__tenant", "agent_upgrades_set_by").filter(
            **in_scope
        ),
        pk=cluster_id,
    )
    project = cluster.project
    if ref.kind == "tenants":
        permissions.require_view(permissions.tenant_access(roles, project.tenant))
        console = ConsoleScope(roles, project.tenant)
    elif permissions.may_enter_project(roles, project):
        console = ConsoleScope(roles, project.tenant, project)
    else:
        raise Http404(permissions.NOT_FOUND)
    permissions.require_view(permissions.cluster_access(roles, cluster))
    return console, cluster


@dataclass(frozen=True)
class ScopeChoice:
    label: str
    ref: ScopeRef
    group: str


def scope_choices(roles: Roles) -> list[ScopeChoice]:
    """What the Scope switcher lists: "Tenant Admin" for each administered tenant, then every
    project the user may enter, grouped by tenant."""
    choices = []
    if roles.superuser or roles.tenant_admin:
        choices += [
            ScopeChoice("Tenant Admin", ScopeRef("tenants", t.pk), t.name)
            for t in permissions.administered_tenants(roles)
        ]
    choices += [
        ScopeChoice(p.name, ScopeRef("projects", p.pk), p.tenant.name)
        for p in permissions.enterable_projects(roles)
    ]
    return sorted(choices, key=lambda c: (c.group, c.ref.kind != "tenants"))


def landing_scope(roles: Roles) -> ScopeRef | None:
    """The widest scope the user holds: the tenant for tenant admins, else the first project."""
    choices = scope_choices(roles)
    tenants = [c for c in choices if c.ref.kind == "tenants"]
    return (tenants or choices)[0].ref if choices else None
