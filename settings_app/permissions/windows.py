"""Who may add, edit, end and delete a freeze window on the console's pages: whoever may change
its scope's setting (DESIGN.md §9), asked of the same questions as the switch's."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from ..models import Cluster, FreezeWindow, Project, Tenant
from . import (
    access_to,
    console_scope_of_project,
    console_scope_of_tenant,
    get_or_404,
    may_enter_project,
    require_access,
)
from .roles import roles_for
from .scopes import ConsoleScope


@dataclass(frozen=True)
class WindowScope:
    """The object a window pauses, the console scope its pages are shown in, and the settings
    page its Freeze windows section is on."""

    console: ConsoleScope
    obj: Tenant | Project | Cluster

    @property
    def kind(self) -> str:
        return type(self.obj).__name__.lower()

    @property
    def settings_url(self) -> str:
        if self.kind == "tenant":
            return reverse("tenant_platform_settings", args=[self.obj.pk])
        if self.kind == "project":
            return reverse("project_platform_settings", args=[self.obj.pk])
        return reverse("cluster_settings", args=[self.console.ref, self.obj.pk])

    @property
    def add_url(self) -> str:
        if self.kind == "cluster":
            return reverse("add_cluster_window", args=[self.console.ref, self.obj.pk])
        return reverse(f"add_{self.kind}_window", args=[self.obj.pk])


def window_for_user(
    user, window_id: int, *, change: bool = False
) -> tuple[FreezeWindow, WindowScope]:
    """A freeze window, seen (and with `change`, changed) with the rights on its scope: 404 for
    whoever may not see the scope, exactly as for a window that does not exist; 403 with the
    reason for whoever may only look."""
    roles = roles_for(user)
    window = get_or_404(
        FreezeWindow.objects.select_related(
            "tenant", "project__tenant", "cluster__project__tenant", "created_by"
        ),
        window_id,
    )
    obj = window.target
    require_access(access_to(roles, obj), change)
    if isinstance(obj, Tenant):
        console = console_scope_of_tenant(roles, obj)
    else:
        project = obj if isinstance(obj, Project) else obj.project
        if may_enter_project(roles, project):
            console = console_scope_of_project(roles, project)
        else:  # a superuser sees everything; the project's scope is theirs too
            console = console_scope_of_tenant(roles, project.tenant)
    return window, WindowScope(console, obj)
