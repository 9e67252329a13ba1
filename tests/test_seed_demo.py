"""`manage.py seed_demo` (DESIGN.md §5): what it creates, what it prints, running it twice,
--password and --reset; and that it makes the very demo world the tests build with
tests/factories.py."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from settings_app import rules
from settings_app.models import (
    AgentUpgrades,
    AuditEvent,
    Cluster,
    ClusterGroupObjectPermission,
    ClusterUserObjectPermission,
    EdgeHost,
    Gateway,
    PlatformRelease,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    Tenant,
    TenantGroupObjectPermission,
    TenantUserObjectPermission,
)
from settings_app.permissions import roles_for
from tests.factories import PASSWORD, build_demo, path_of
from tests.state import live_fleet, stored_fleet

DEMO_USERS = ["tenant-admin", "project-admin", "cluster-admin", "viewer", "globex-admin"]
DEMO_WORLD = {
    "Acme": {"Default": ["prod-east", "prod-west", "staging"], "Edge": ["edge-01", "edge-02"]},
    "Globex": {"Default": ["globex-main"]},
}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def world() -> dict[str, dict[str, list[str]]]:
    tree: dict[str, dict[str, list[str]]] = {}
    for tenant in Tenant.objects.order_by("name"):
        tree[tenant.name] = {
            project.name: list(project.clusters.order_by("name").values_list("name", flat=True))
            for project in tenant.projects.order_by("name")
        }
    return tree


def counts() -> dict[str, int]:
    models = [
        Tenant,
        Project,
        Cluster,
        User,
        Group,
        PlatformRelease,
        AuditEvent,
        TenantUserObjectPermission,
        TenantGroupObjectPermission,
        ProjectUserObjectPermission,
        ProjectGroupObjectPermission,
        ClusterUserObjectPermission,
        ClusterGroupObjectPermission,
    ]
    return {model.__name__: model.objects.count() for model in models}


def snapshot() -> dict[str, tuple]:
    """Every row that seed_demo touches, with the fields it could change."""
    rows: dict[str, tuple] = {}
    for model in (Tenant, Project, Cluster):
        for obj in model.objects.all():
            rows[f"{model.__name__} {obj.pk}"] = (
                obj.name,
                obj.agent_upgrades,
                obj.agent_upgrades_version,
                obj.agent_upgrades_set_via,
                getattr(obj, "agent_version", ""),
            )
    for user in User.objects.all():
        rows[f"User {user.pk}"] = (
            user.username,
            user.password,
            tuple(user.groups.values_list("pk", flat=True)),
        )
    for release in PlatformRelease.objects.all():
        rows[f"Release {release.pk}"] = (release.version, release.agent_version)
    return rows


def roles_of(username: str) -> dict[str, set[str]]:
    """A user's roles by the names of the objects they are held on."""
    roles = roles_for(User.objects.get(username=username))
    return {
        "tenant_admin": {t.name for t in Tenant.objects.filter(pk__in=roles.tenant_admin)},
        "project_admin": {
            f"{p.tenant.name}/{p.name}" for p in Project.objects.filter(pk__in=roles.project_admin)
        },
        "project_viewer": {
            f"{p.tenant.name}/{p.name}" for p in Project.objects.filter(pk__in=roles.project_viewer)
        },
        "cluster_admin": {c.name for c in Cluster.objects.filter(pk__in=roles.cluster_admin)},
    }


NO_ROLES = {
    "tenant_admin": set(),
    "project_admin": set(),
    "project_viewer": set(),
    "cluster_admin": set(),
}


GRANT_TABLES = [  # guardian's direct tables: role grants to users and to groups
    (TenantUserObjectPermission, "user"),
    (TenantGroupObjectPermission, "group"),
    (ProjectUserObjectPermission, "user"),
    (ProjectGroupObjectPermission, "group"),
    (ClusterUserObjectPermission, "user"),
    (ClusterGroupObjectPermission, "group"),
]


def described() -> dict[str, object]:
    """The demo world without ids: every tenant, project and cluster with its setting and agent,
    the releases, the users, their groups and every role grant, named by path."""
    return {
        "objects": sorted(
            (
                type(obj).__name__,
                path_of(obj),
                obj.agent_upgrades,
                obj.agent_upgrades_version,
                obj.agent_upgrades_set_via,
                getattr(obj, "agent_version", ""),
            )
            for model in (Tenant, Project, Cluster)
            for obj in model.objects.all()
        ),
        "releases": sorted(PlatformRelease.objects.values_list("version", "agent_version")),
        "users": sorted(
            (
                user.username,
                user.is_staff,
                user.is_superuser,
                user.check_password(PASSWORD),
                tuple(sorted(user.groups.values_list("name", flat=True))),
            )
            for user in User.objects.all()
        ),
        "grants": sorted(
            (
                holder,
                str(getattr(grant, holder)),
                grant.permission.codename,
                path_of(grant.content_object),
            )
            for model, holder in GRANT_TABLES
            for grant in model.objects.all()
        ),
    }


# The demo world of the tests


def test_it_makes_the_demo_world_the_tests_build_with_the_factories(db):
    build_demo()
    built = described()

    seed("--reset")

    assert described() == built
    assert built["releases"] == [("4.7.2", "4.7.2")]
    assert len(built["objects"]) == 11 and len(built["users"]) == 5 and len(built["grants"]) == 5


# A first run


def test_it_creates_the_demo_tenants_projects_and_clusters(db):
    seed()

    assert world() == DEMO_WORLD


def test_it_starts_the_platform_and_every_agent_at_4_7_2_and_nothing_paused(db):
    seed()

    release = PlatformRelease.current()
    assert (release.version, release.agent_version) == ("4.7.2", "4.7.2")
    assert PlatformRelease.objects.count() == 1
    assert set(Cluster.objects.values_list("agent_version", flat=True)) == {"4.7.2"}
    for model in (Tenant, Project, Cluster):
        assert set(model.objects.values_list("agent_upgrades", flat=True)) == {AgentUpgrades.UNLOCK}
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("username", "roles"),
    [
        ("tenant-admin", {**NO_ROLES, "tenant_admin": {"Acme"}}),
        ("project-admin", {**NO_ROLES, "project_admin": {"Acme/Default"}}),
        ("cluster-admin", {**NO_ROLES, "cluster_admin": {"prod-east"}}),
        ("viewer", {**NO_ROLES, "project_viewer": {"Acme/Default"}}),
        ("globex-admin", {**NO_ROLES, "tenant_admin": {"Globex"}}),
    ],
)
def test_it_gives_each_demo_user_exactly_their_role(db, username, roles):
    seed()

    assert roles_of(username) == roles


def test_the_roles_are_held_through_groups(db):
    seed()

    assert TenantUserObjectPermission.objects.count() == 0
    assert ProjectUserObjectPermission.objects.count() == 0
    assert ClusterUserObjectPermission.objects.count() == 0
    for username in DEMO_USERS:
        assert User.objects.get(username=username).groups.count() == 1


def test_every_demo_user_logs_in_with_the_demo_password(db):
    seed()

    for username in DEMO_USERS:
        assert User.objects.get(username=username).check_password("palette-demo"), username


def test_the_demo_users_are_neither_staff_nor_superusers(db):
    seed()

    assert not User.objects.filter(username__in=DEMO_USERS, is_staff=True).exists()
    assert not User.objects.filter(username__in=DEMO_USERS, is_superuser=True).exists()


def test_it_prints_the_users_their_roles_and_the_password(db):
    output = seed()

    assert "Platform release 4.7.2 (agent 4.7.2): created." in output
    assert "Created 2 tenants, 3 projects, 6 clusters, 1 gateway and 2 Edge hosts." in output
    lines = output.splitlines()
    for username, role in [
        ("tenant-admin", "Tenant Admin of Acme"),
        ("project-admin", "Project Admin of Acme / Default"),
        ("cluster-admin", "Cluster Admin of Acme / Default / prod-east"),
        ("viewer", "Project Viewer of Acme / Default"),
        ("globex-admin", "Tenant Admin of Globex"),
    ]:
        line = next(line for line in lines if line.split()[:1] == [username])
        assert role in line
        assert "(password palette-demo)" in line
    assert "Log in at /login/" in output


# Running it again


def test_a_second_run_changes_nothing(db):
    seed()
    before_counts, before_rows = counts(), snapshot()

    output = seed()

    assert counts() == before_counts
    assert snapshot() == before_rows
    assert (
        "Nothing to create: 2 tenants, 3 projects, 6 clusters, 1 gateway and 2 Edge hosts were "
        "already there."
    ) in output
    assert output.count("existing user, password unchanged") == len(DEMO_USERS)
    assert "password palette-demo" not in output


def test_a_second_run_keeps_changed_passwords_and_settings(db):
    seed()
    admin = User.objects.get(username="tenant-admin")
    admin.set_password("my-own-secret-42")
    admin.save()
    rules.push_project(Project.objects.get(name="Edge"), AgentUpgrades.LOCK, actor=admin)
    before_counts, before_rows = counts(), snapshot()

    seed("--password", "another-password-7")

    assert counts() == before_counts
    assert snapshot() == before_rows
    admin.refresh_from_db()
    assert admin.check_password("my-own-secret-42")
    assert not User.objects.get(username="viewer").check_password("another-password-7")


def test_a_second_run_creates_only_what_is_missing(db):
    seed()
    Cluster.objects.get(name="staging").delete()
    User.objects.get(username="viewer").delete()
    kept = set(Cluster.objects.values_list("pk", flat=True))

    output = seed()

    assert world() == DEMO_WORLD
    assert kept < set(Cluster.objects.values_list("pk", flat=True))
    assert (
        "Created 1 cluster; 2 tenants, 3 projects, 5 clusters, 1 gateway and 2 Edge hosts were "
        "already there."
    ) in output
    assert roles_of("viewer")["project_viewer"] == {"Acme/Default"}
    assert User.objects.get(username="viewer").check_password("palette-demo")


def test_a_missing_cluster_comes_back_with_its_projects_current_value(db):
    seed()
    default = Project.objects.get(tenant__name="Acme", name="Default")
    rules.push_project(default, AgentUpgrades.LOCK, actor=None)
    Cluster.objects.get(name="staging").delete()

    seed()

    assert Cluster.objects.get(name="staging").agent_upgrades == AgentUpgrades.LOCK


def test_a_second_run_gives_back_a_role_that_was_taken_away(db):
    seed()
    User.objects.get(username="cluster-admin").groups.clear()

    seed()

    assert roles_of("cluster-admin")["cluster_admin"] == {"prod-east"}


# Options


def test_password_sets_the_password_of_the_users_it_creates(db):
    output = seed("--password", "s3cret-demo-pass")

    for username in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password("s3cret-demo-pass")
        assert not user.check_password("palette-demo")
    assert output.count("(password s3cret-demo-pass)") == len(DEMO_USERS)


def test_reset_puts_the_demo_back_to_its_first_state(db):
    seed()
    first_counts = counts()
    admin = User.objects.get(username="tenant-admin")
    admin.set_password("my-own-secret-42")
    admin.save()
    rules.push_tenant(Tenant.objects.get(name="Acme"), AgentUpgrades.LOCK, actor=admin)
    Cluster.objects.filter(name="edge-01").update(agent_version="4.6.0")
    rules.new_cluster(Project.objects.get(name="Edge"), "edge-03")
    PlatformRelease.objects.create(version="4.8.0", agent_version="4.8.0")

    output = seed("--reset")

    assert "Removed the demo tenants, users, role groups and platform releases." in output
    assert world() == DEMO_WORLD
    assert counts() == first_counts
    for model in (Tenant, Project, Cluster):
        assert set(model.objects.values_list("agent_upgrades", flat=True)) == {AgentUpgrades.UNLOCK}
    assert set(Cluster.objects.values_list("agent_version", flat=True)) == {"4.7.2"}
    assert PlatformRelease.current().version == "4.7.2"
    assert User.objects.get(username="tenant-admin").check_password("palette-demo")
    assert roles_of("tenant-admin")["tenant_admin"] == {"Acme"}


def test_reset_with_password_recreates_the_users_with_that_password(db):
    seed()

    seed("--reset", "--password", "fresh-demo-pass-9")

    assert User.objects.get(username="viewer").check_password("fresh-demo-pass-9")


def test_reset_leaves_other_tenants_and_users_alone(db):
    seed()
    initech = Tenant.objects.create(name="Initech")
    project = Project.objects.create(tenant=initech, name="Payments")
    rules.new_cluster(project, "pay-01")
    someone = User.objects.create_user("someone", password="their-password-1")
    assign_perm("settings_app.administer_tenant", someone, initech)

    seed("--reset")

    assert world()["Initech"] == {"Payments": ["pay-01"]}
    assert User.objects.filter(username="someone").exists()
    assert roles_of("someone")["tenant_admin"] == {"Initech"}


def test_the_command_explains_itself(db):
    from settings_app.management.commands.seed_demo import Command

    parser = Command().create_parser("manage.py", "seed_demo")
    help_text = " ".join(parser.format_help().split())

    assert "--password" in help_text
    assert "--reset" in help_text
    assert "Creates only what is missing" in help_text


# --fleet N: a fleet large enough to page, act in bulk and see Mixed.


def acme_fleet() -> dict[str, dict]:
    """Each Acme project the fleet added: its value, and its clusters' values and agents."""
    platform = PlatformRelease.current().agent_version
    return {
        project.name: {
            "value": project.agent_upgrades,
            "clusters": project.clusters.count(),
            "paused": project.clusters.filter(agent_upgrades=AgentUpgrades.LOCK).count(),
            "behind": project.clusters.exclude(agent_version=platform).count(),
        }
        for project in Project.objects.filter(tenant__name="Acme").exclude(
            name__in=DEMO_WORLD["Acme"]
        )
    }


def test_fleet_adds_n_clusters_over_a_few_projects_of_acme(db):
    output = seed("--fleet", "300")

    fleet = acme_fleet()
    assert 3 <= len(fleet) <= 5
    assert sum(project["clusters"] for project in fleet.values()) == 300
    assert all(project["clusters"] >= 60 for project in fleet.values())
    assert Cluster.objects.filter(tenant__name="Acme").count() == 5 + 300
    assert world()["Globex"] == DEMO_WORLD["Globex"]
    assert "Fleet: created 300 clusters" in output


def test_the_fleet_has_paused_behind_and_a_mixed_project(db):
    seed("--fleet", "300")

    fleet = acme_fleet().values()
    paused_projects = [p for p in fleet if p["value"] == "lock"]
    mixed = [p for p in fleet if 0 < p["paused"] < p["clusters"]]
    assert paused_projects and all(p["paused"] == p["clusters"] for p in paused_projects)
    assert mixed and all(p["value"] == "unlock" for p in mixed)
    assert any(p["paused"] == 0 for p in fleet)
    assert sum(p["behind"] for p in fleet) > 0
    # Held back: only paused agents are behind the platform's.
    platform = PlatformRelease.current().agent_version
    behind = Cluster.objects.exclude(agent_version=platform)
    assert not behind.filter(agent_upgrades=AgentUpgrades.UNLOCK).exists()


def test_the_fleet_follows_the_rules_and_its_counts_are_true(db):
    seed("--fleet", "300")

    # Rule 5: a cluster of a paused project took its project's pause, with where it came from.
    for project in Project.objects.filter(tenant__name="Acme", agent_upgrades="lock"):
        clusters = project.clusters.values_list("agent_upgrades_set_via", "agent_upgrades_reason")
        assert set(clusters) == {("project", project.agent_upgrades_reason)}
    # A cluster paused on its own was paused by a change, audited as every change is.
    own = Cluster.objects.filter(agent_upgrades="lock", agent_upgrades_set_via="cluster")
    assert own.exists()
    audited = AuditEvent.objects.filter(cluster__in=own, new_value="lock")
    assert audited.count() == own.count()
    assert stored_fleet() == live_fleet()


def test_a_second_fleet_run_creates_nothing_and_a_larger_one_only_the_rest(db):
    seed("--fleet", "120")
    before_counts, before_rows = counts(), snapshot()
    events = AuditEvent.objects.count()

    again = seed("--fleet", "120")

    assert counts() == before_counts and snapshot() == before_rows
    assert AuditEvent.objects.count() == events
    assert "Fleet: nothing to create: 120 clusters were already there." in again

    more = seed("--fleet", "180")

    assert sum(p["clusters"] for p in acme_fleet().values()) == 180
    assert "Fleet: created 60 clusters; 120 were already there." in more
    assert stored_fleet() == live_fleet()


def test_the_fleet_is_written_in_batches_not_a_statement_per_cluster(db):
    seed()
    with CaptureQueriesContext(connection) as small:
        seed("--fleet", "30")
    call_command("seed_demo", "--reset", stdout=StringIO())
    seed()

    with CaptureQueriesContext(connection) as large:
        seed("--fleet", "900")

    # 870 more clusters; the database's own batch size (SQLite takes a few dozen rows an
    # INSERT) is all that grows.
    assert len(large) - len(small) < 870 / 20


def test_acme_has_gateway_pcg_vsphere_and_two_edge_hosts_one_in_edge_01(db):
    seed()

    assert list(Gateway.objects.values_list("tenant__name", "name")) == [("Acme", "pcg-vsphere")]
    assert list(
        EdgeHost.objects.order_by("name").values_list("project__name", "name", "cluster__name")
    ) == [("Edge", "edge-host-01", "edge-01"), ("Edge", "edge-host-02", None)]
