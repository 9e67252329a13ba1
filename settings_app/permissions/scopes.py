"""The scope a page is in (the tenant, or one project) and its Main Menu.

The scope is part of every URL (`/tenants/1/…`, `/projects/3/…`), so a cluster's pages keep the
menu of the scope the user came from, and a link or a reload lands in the same place. Who may
enter which scope is decided in `permissions`, which builds a `ConsoleScope` for each request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db.models import QuerySet
from django.urls import reverse

from ..models import Cluster, Project, Tenant
from .roles import Roles

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
    """The scope of one request, as the permissions module let the user in: which clusters of
    it they see, and whether the project's own pages (Project Settings) are theirs to open."""

    roles: Roles
    tenant: Tenant
    project: Project | None = None
    sees_project_pages: bool = False
    visible_clusters: QuerySet[Cluster] | None = None

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

    def clusters(self, *, by_project: bool = False) -> QuerySet[Cluster]:
        """The clusters of this scope that the user may see. `by_project`: the same clusters
        found through their projects (a cluster's tenant is its project's), so that a tenant's
        clusters sorted by project are read project by project from the projects' name index,
        not all sorted at once."""
        if by_project and self.is_tenant:
            return Cluster.objects.filter(project__tenant=self.tenant)
        return self.visible_clusters.all()

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
        elif self.sees_project_pages:
            pk = self.project.pk
            items.append(
                MenuItem(
                    "Project Settings", reverse("project_settings", args=[pk]), "project_settings"
                )
            )
        items.append(MenuItem("Audit Logs", reverse("audit_log", args=[self.ref]), "audit_log"))
        return items


@dataclass(frozen=True)
class ScopeChoice:
    label: str
    ref: ScopeRef
    group: str
