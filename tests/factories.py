"""Test data from small factories: tenants, projects, clusters (through rule 5, as the console
makes them), users, role grants and platform releases; and the demo world of DESIGN.md §5
built from them, for the tests that speak of `prod-east` or `project-admin`.

The demo world is the one `manage.py seed_demo` makes (tests/test_seed_demo.py checks that they
agree), but the tests do not run the command to get it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone
from guardian.shortcuts import assign_perm

from settings_app import rules
from settings_app.models import (
    Cluster,
    EdgeHost,
    FreezeWindow,
    Gateway,
    PlatformRelease,
    Project,
    Tenant,
    recounting_every_project,
)

PASSWORD = "palette-demo"
FIRST_RELEASE = "4.7.2"

# The roles of DESIGN.md §2, and the object permission that holds each.
ROLE_PERMISSIONS = {
    "Tenant Admin": "administer_tenant",
    "Project Admin": "administer_project",
    "Cluster Admin": "administer_cluster",
    "Project Viewer": "view_project",
}


def make_tenant(name: str = "Acme") -> Tenant:
    return Tenant.objects.create(name=name)


def make_project(tenant: Tenant, name: str = "Default") -> Project:
    return Project.objects.create(tenant=tenant, name=name)


def make_cluster(project: Project, name: str, *, agent_version: str = "") -> Cluster:
    """A new cluster, as the console makes one (rule 5: it takes its project's value, and the
    platform's agent unless `agent_version` says otherwise)."""
    return rules.new_cluster(project, name, agent_version=agent_version)


def make_user(username: str, *, password: str = PASSWORD, superuser: bool = False) -> User:
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.com", password)
    return User.objects.create_user(username, password=password)


def grant(holder: User | Group, role: str, obj: Tenant | Project | Cluster) -> None:
    """Give a user, or a group, one of the roles of DESIGN.md §2 on an object."""
    assign_perm(f"settings_app.{ROLE_PERMISSIONS[role]}", holder, obj)


def path_of(obj: Tenant | Project | Cluster) -> str:
    """'Acme / Default / prod-east': an object named with everything above it."""
    if isinstance(obj, Cluster):
        return f"{obj.project.tenant.name} / {obj.project.name} / {obj.name}"
    if isinstance(obj, Project):
        return f"{obj.tenant.name} / {obj.name}"
    return obj.name


def role_group(role: str, obj: Tenant | Project | Cluster, *members: User) -> Group:
    """A group holding one role on one object, named as seed_demo names its groups
    ('Acme / Default · Project Admin'), with these members."""
    group = Group.objects.create(name=f"{path_of(obj)} · {role}")
    grant(group, role, obj)
    group.user_set.add(*members)
    return group


def make_release(version: str, agent_version: str = "") -> PlatformRelease:
    """A platform release recorded as current, without a rollout: every agent stays where it
    is (rules.release_platform is the one that rolls out)."""
    return PlatformRelease.objects.create(version=version, agent_version=agent_version or version)


REASON = "change freeze"  # a pause's reason, as the tests give it


def in_a_week() -> datetime:
    """An end for a pause, a week ahead, to the minute (as the form reads it)."""
    return (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)


# The demo world (DESIGN.md §5).

ACME = {"prod-east", "prod-west", "staging", "edge-01", "edge-02"}  # the clusters of Acme
EVERY_CLUSTER = ACME | {"globex-main"}


@dataclass
class Demo:
    acme: Tenant
    globex: Tenant
    default: Project  # Acme / Default
    edge: Project  # Acme / Edge
    globex_default: Project
    prod_east: Cluster
    prod_west: Cluster
    staging: Cluster
    edge_01: Cluster
    edge_02: Cluster
    globex_main: Cluster

    def refresh(self) -> None:
        for value in vars(self).values():
            value.refresh_from_db()


def build_demo() -> Demo:
    """Tenant Acme (Default: prod-east, prod-west, staging; Edge: edge-01, edge-02), tenant
    Globex (Default: globex-main), release 4.7.2 with every agent at 4.7.2, nothing paused, and
    one user per role, each holding the role through a group of its own."""
    make_release(FIRST_RELEASE)
    # Six new clusters, their projects' fleet rows counted once at the end rather than after each.
    with recounting_every_project():
        acme = make_tenant("Acme")
        default = make_project(acme, "Default")
        prod_east, prod_west, staging = (
            make_cluster(default, name) for name in ("prod-east", "prod-west", "staging")
        )
        edge = make_project(acme, "Edge")
        edge_01, edge_02 = (make_cluster(edge, name) for name in ("edge-01", "edge-02"))
        globex = make_tenant("Globex")
        globex_default = make_project(globex, "Default")
        globex_main = make_cluster(globex_default, "globex-main")
    for username, role, obj in [
        ("tenant-admin", "Tenant Admin", acme),
        ("project-admin", "Project Admin", default),
        ("cluster-admin", "Cluster Admin", prod_east),
        ("viewer", "Project Viewer", default),
        ("globex-admin", "Tenant Admin", globex),
    ]:
        role_group(role, obj, make_user(username))
    # The objects as a test reads them from the database, not the instances made above (which
    # share their projects and carry what the rules computed on the way).
    tenants = Tenant.objects.in_bulk([acme.pk, globex.pk])
    projects = Project.objects.in_bulk([default.pk, edge.pk, globex_default.pk])
    clusters = Cluster.objects.in_bulk(
        [c.pk for c in (prod_east, prod_west, staging, edge_01, edge_02, globex_main)]
    )
    return Demo(
        acme=tenants[acme.pk],
        globex=tenants[globex.pk],
        default=projects[default.pk],
        edge=projects[edge.pk],
        globex_default=projects[globex_default.pk],
        prod_east=clusters[prod_east.pk],
        prod_west=clusters[prod_west.pk],
        staging=clusters[staging.pk],
        edge_01=clusters[edge_01.pk],
        edge_02=clusters[edge_02.pk],
        globex_main=clusters[globex_main.pk],
    )


@dataclass
class Agents:
    """The demo's gateway and Edge hosts (DESIGN.md §5): Acme's gateway pcg-vsphere, and in
    Acme/Edge the host edge-host-01 (part of cluster edge-01) and edge-host-02 (in no cluster)."""

    pcg_vsphere: Gateway
    edge_host_01: EdgeHost
    edge_host_02: EdgeHost

    def refresh(self) -> None:
        for value in vars(self).values():
            value.refresh_from_db()


def add_gateway_and_hosts(demo: Demo) -> Agents:
    """The demo's gateway and Edge hosts, registered as the console registers them."""
    rules.new_gateway(demo.acme, "pcg-vsphere")
    rules.new_edge_host(demo.edge, "edge-host-01", cluster=demo.edge_01)
    rules.new_edge_host(demo.edge, "edge-host-02")
    return Agents(
        Gateway.objects.get(name="pcg-vsphere"),
        EdgeHost.objects.get(name="edge-host-01"),
        EdgeHost.objects.get(name="edge-host-02"),
    )


# The least the permission tests need (tests/who_may_do_what.py): one cluster of each kind seen
# from prod-east, and one user for each role, holding it directly (group grants load the same
# roles: tests/unit/test_permissions.py).

ROLE_USERS = {  # a role of the table: the user who holds it, and the role and where
    "no role": ("stranger", None, ""),
    "viewer": ("viewer", "Project Viewer", "default"),
    "cluster admin": ("cluster-admin", "Cluster Admin", "prod_east"),
    "project admin": ("project-admin", "Project Admin", "default"),
    "tenant admin": ("tenant-admin", "Tenant Admin", "acme"),
    "other tenant's admin": ("globex-admin", "Tenant Admin", "globex"),
    "superuser": ("root", None, ""),
}


@dataclass
class World:
    acme: Tenant
    globex: Tenant
    default: Project  # Acme / Default: prod-east, prod-west
    edge: Project  # Acme / Edge: edge-01
    globex_default: Project  # Globex / Default: globex-main
    prod_east: Cluster
    prod_west: Cluster
    edge_01: Cluster
    globex_main: Cluster
    users: dict[str, User]  # by role
    # A freeze window on each project, not yet started (for the window pages and operations).
    windows: dict[int, FreezeWindow] = field(default_factory=dict)  # by project id
    # A Private Cloud Gateway of each tenant (for the gateway pages): by tenant id.
    gateways: dict[int, Gateway] = field(default_factory=dict)


def build_world() -> World:
    """Release 4.7.2; Acme (Default: prod-east, prod-west; Edge: edge-01) and Globex (Default:
    globex-main), nothing paused; and a user for each role of ROLE_USERS."""
    make_release(FIRST_RELEASE)
    with recounting_every_project():
        acme, globex = make_tenant("Acme"), make_tenant("Globex")
        default, edge = make_project(acme, "Default"), make_project(acme, "Edge")
        globex_default = make_project(globex, "Default")
        prod_east, prod_west = (
            make_cluster(default, "prod-east"),
            make_cluster(default, "prod-west"),
        )
        edge_01, globex_main = (
            make_cluster(edge, "edge-01"),
            make_cluster(globex_default, "globex-main"),
        )
    objects = {"acme": acme, "globex": globex, "default": default, "prod_east": prod_east}
    users = {}
    for role, (username, granted, on) in ROLE_USERS.items():
        users[role] = make_user(username, superuser=role == "superuser")
        if granted:
            grant(users[role], granted, objects[on])
    clusters = Cluster.objects.select_related("project__tenant").in_bulk(
        [c.pk for c in (prod_east, prod_west, edge_01, globex_main)]
    )
    windows = {project.pk: scheduled_window(project) for project in (default, edge, globex_default)}
    gateways = {
        tenant.pk: rules.new_gateway(tenant, name)
        for tenant, name in ((acme, "pcg-vsphere"), (globex, "pcg-globex"))
    }
    return World(
        windows=windows,
        gateways=gateways,
        acme=Tenant.objects.get(pk=acme.pk),
        globex=Tenant.objects.get(pk=globex.pk),
        default=Project.objects.get(pk=default.pk),
        edge=Project.objects.get(pk=edge.pk),
        globex_default=Project.objects.get(pk=globex_default.pk),
        prod_east=clusters[prod_east.pk],
        prod_west=clusters[prod_west.pk],
        edge_01=clusters[edge_01.pk],
        globex_main=clusters[globex_main.pk],
        users=users,
    )


def scheduled_window(project: Project) -> FreezeWindow:
    """A once window on the project, a month ahead (saved as it is: no audit, no plan)."""
    start = timezone.now() + timedelta(days=30)
    return FreezeWindow.objects.create(
        tenant_id=project.tenant_id,
        project=project,
        name=f"Freeze of {project.name}",
        time_zone="UTC",
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=start.date(),
        start_time=time(18),
        end_date=(start + timedelta(days=2)).date(),
        end_time=time(6),
    )
