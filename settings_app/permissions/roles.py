"""A user's role grants, loaded in one query per request from guardian's direct tables."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, F, Q, QuerySet, Value
from django.db.models.functions import Cast

from ..models import (
    ClusterGroupObjectPermission,
    ClusterUserObjectPermission,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    TenantGroupObjectPermission,
    TenantUserObjectPermission,
)

TENANT_ADMIN = "administer_tenant"
PROJECT_ADMIN = "administer_project"
PROJECT_VIEWER = "view_project"
CLUSTER_ADMIN = "administer_cluster"


@dataclass(frozen=True)
class Roles:
    """One user's role grants, as sets of object ids."""

    superuser: bool = False
    tenant_admin: frozenset[int] = frozenset()
    project_admin: frozenset[int] = frozenset()
    project_viewer: frozenset[int] = frozenset()
    cluster_admin: frozenset[int] = frozenset()
    # Projects holding a cluster the user administers: the user may enter their scope.
    cluster_admin_projects: frozenset[int] = frozenset()


def roles_for(user) -> Roles:
    """All of a user's grants, in one query; cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return Roles()
    cached = getattr(user, "_console_roles", None)
    if cached is not None:
        return cached
    roles = Roles(superuser=True) if user.is_superuser else _load_roles(user)
    user._console_roles = roles
    return roles


def _grants(user_id: int) -> QuerySet:
    """One UNION ALL over the six grant tables (user and group grants on tenants, projects and
    clusters): (codename, object id, project id); for a cluster grant, the project is the
    cluster's, whose scope the user may then enter."""
    # A typed NULL: PostgreSQL reads a bare NULL in the first SELECT of a UNION as text.
    no_project = Cast(Value(None), output_field=BigIntegerField())
    mine, my_groups = Q(user_id=user_id), Q(group__user__id=user_id)
    parts = [
        (TenantUserObjectPermission, mine, no_project),
        (TenantGroupObjectPermission, my_groups, no_project),
        (ProjectUserObjectPermission, mine, no_project),
        (ProjectGroupObjectPermission, my_groups, no_project),
        (ClusterUserObjectPermission, mine, F("content_object__project_id")),
        (ClusterGroupObjectPermission, my_groups, F("content_object__project_id")),
    ]
    querysets = [
        model.objects.filter(who)
        .annotate(project_ref=project)
        .values_list("permission__codename", "content_object_id", "project_ref")
        .order_by()
        for model, who, project in parts
    ]
    return querysets[0].union(*querysets[1:], all=True)


@functools.cache
def _grants_statement(alias: str) -> tuple[str, int] | None:
    """The grants query compiled once per database: it runs on every request, and compiling a
    six-part UNION costs more than running it. Its only parameters are the user's id; if that
    ever stops being so, the ORM builds it each time instead."""
    marker = -7_654_321
    sql, params = _grants(marker).query.sql_with_params()
    return (sql, len(params)) if params and all(p == marker for p in params) else None


def _load_roles(user) -> Roles:
    compiled = _grants_statement(connection.alias)
    if compiled is None:
        rows = list(_grants(user.pk))
    else:
        sql, count = compiled
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk] * count)
            rows = cursor.fetchall()
    grants: dict[str, set[int]] = {
        TENANT_ADMIN: set(),
        PROJECT_ADMIN: set(),
        PROJECT_VIEWER: set(),
        CLUSTER_ADMIN: set(),
    }
    cluster_projects: set[int] = set()
    for codename, object_id, project_id in rows:
        grants.setdefault(codename, set()).add(object_id)
        if project_id is not None:
            cluster_projects.add(project_id)
    return Roles(
        tenant_admin=frozenset(grants[TENANT_ADMIN]),
        project_admin=frozenset(grants[PROJECT_ADMIN]),
        project_viewer=frozenset(grants[PROJECT_VIEWER]),
        cluster_admin=frozenset(grants[CLUSTER_ADMIN]),
        cluster_admin_projects=frozenset(cluster_projects),
    )
