"""The permission answers of DESIGN.md §2, asked of `settings_app.permissions` directly with
`Roles` (no request, no page): who may see and who may change a tenant, a project or a cluster,
and why not; which clusters, projects and scopes each role sees; and the roles a user's grants
load into, whether granted to the user or to a group. The answers are the table's,
tests/who_may_do_what.py; the access helpers are asked the same in test_access_helpers.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User

from settings_app.models import Cluster, Project, Tenant
from settings_app.permissions import (
    Access,
    access_to,
    administered_tenants,
    cluster_access,
    enterable_projects,
    landing_scope,
    may_enter_project,
    project_access,
    scope_choices,
    tenant_access,
    visible_clusters,
)
from settings_app.permissions.roles import Roles, roles_for
from settings_app.permissions.scopes import ScopeRef
from tests.factories import grant, make_user
from tests.who_may_do_what import (
    CHANGE,
    OTHER_PROJECT,
    OTHER_TENANT,
    OWN,
    SEE,
    SIBLING,
    access,
)

# A world of unsaved objects, with ids: the questions read ids and names, never the database.
ACME, GLOBEX = Tenant(pk=1, name="Acme"), Tenant(pk=2, name="Globex")
DEFAULT = Project(pk=10, tenant=ACME, name="Default")
EDGE = Project(pk=11, tenant=ACME, name="Edge")
GLOBEX_DEFAULT = Project(pk=20, tenant=GLOBEX, name="Default")
PROD_EAST = Cluster(pk=100, project=DEFAULT, tenant=ACME, name="prod-east")
PROD_WEST = Cluster(pk=101, project=DEFAULT, tenant=ACME, name="prod-west")
EDGE_01 = Cluster(pk=110, project=EDGE, tenant=ACME, name="edge-01")
GLOBEX_MAIN = Cluster(pk=200, project=GLOBEX_DEFAULT, tenant=GLOBEX, name="globex-main")

ROLES = {
    "no role": Roles(),
    "viewer": Roles(project_viewer=frozenset({10})),
    "cluster admin": Roles(cluster_admin=frozenset({100}), cluster_admin_projects=frozenset({10})),
    "project admin": Roles(project_admin=frozenset({10})),
    "tenant admin": Roles(tenant_admin=frozenset({1})),
    "other tenant's admin": Roles(tenant_admin=frozenset({2})),
    "superuser": Roles(superuser=True),
}
# Each object as a row of the table (tests/who_may_do_what.py): what is addressed, which object.
ROWS = {
    ACME: ("tenant", OWN),
    GLOBEX: ("tenant", OTHER_TENANT),
    DEFAULT: ("project", OWN),
    EDGE: ("project", OTHER_PROJECT),
    GLOBEX_DEFAULT: ("project", OTHER_TENANT),
    PROD_EAST: ("cluster in a project scope", OWN),
    PROD_WEST: ("cluster in a project scope", SIBLING),
    EDGE_01: ("cluster in a project scope", OTHER_PROJECT),
    GLOBEX_MAIN: ("cluster in a project scope", OTHER_TENANT),
}
READER = {
    Project: "You have view-only access to project Default. "
    "A Project Admin or a Tenant Admin can change this setting.",
    Cluster: "You have view-only access to project Default. "
    "A Cluster Admin, Project Admin or Tenant Admin can change this setting.",
}
CASES = [
    pytest.param(role, obj, id=f"{role}|{type(obj).__name__} {obj.name}")
    for obj in ROWS
    for role in ROLES
]


@pytest.mark.parametrize(("role", "obj"), CASES)
def test_each_role_may_see_and_change_what_the_table_says_and_is_told_why_not(role, obj):
    question = {Tenant: tenant_access, Project: project_access, Cluster: cluster_access}
    may = access(*ROWS[obj], role)
    expected = Access(
        view=may in (SEE, CHANGE),
        change=may == CHANGE,
        reason=READER[type(obj)] if may == SEE else "",
    )

    assert question[type(obj)](ROLES[role], obj) == expected
    assert access_to(ROLES[role], obj) == expected


@pytest.mark.parametrize(
    ("role", "projects"),
    [
        ("no role", []),
        ("viewer", [DEFAULT]),
        ("cluster admin", [DEFAULT]),  # the project of their cluster: its scope, not its pages
        ("project admin", [DEFAULT]),
        ("tenant admin", [DEFAULT, EDGE]),
        ("other tenant's admin", [GLOBEX_DEFAULT]),
        ("superuser", [DEFAULT, EDGE, GLOBEX_DEFAULT]),
    ],
)
def test_a_role_enters_the_scope_of_the_projects_it_holds_a_role_in_or_above(role, projects):
    entered = [p for p in (DEFAULT, EDGE, GLOBEX_DEFAULT) if may_enter_project(ROLES[role], p)]

    assert entered == projects


# What a role sees of many objects at once (these read the database: the demo world).


def demo_roles(demo, role: str) -> Roles:
    """ROLES' roles on the demo world's ids."""
    return {
        "no role": Roles(),
        "viewer": Roles(project_viewer=frozenset({demo.default.pk})),
        "cluster admin": Roles(
            cluster_admin=frozenset({demo.prod_east.pk}),
            cluster_admin_projects=frozenset({demo.default.pk}),
        ),
        "project admin": Roles(project_admin=frozenset({demo.default.pk})),
        "tenant admin": Roles(tenant_admin=frozenset({demo.acme.pk})),
        "superuser": Roles(superuser=True),
    }[role]


@pytest.mark.parametrize(
    ("role", "clusters"),
    [
        ("no role", []),
        ("viewer", ["prod-east", "prod-west", "staging"]),
        ("cluster admin", ["prod-east"]),
        ("project admin", ["prod-east", "prod-west", "staging"]),
        ("tenant admin", ["edge-01", "edge-02", "prod-east", "prod-west", "staging"]),
        (
            "superuser",
            ["edge-01", "edge-02", "globex-main", "prod-east", "prod-west", "staging"],
        ),
    ],
)
def test_a_role_sees_the_clusters_it_holds_a_role_on_or_above(demo, role, clusters):
    seen = visible_clusters(demo_roles(demo, role), Cluster.objects.order_by("name"))

    assert [cluster.name for cluster in seen] == clusters


@pytest.mark.parametrize(
    ("role", "choices", "landing"),
    [
        ("no role", [], None),
        ("viewer", [("Acme", "Default")], ("projects", "default")),
        ("cluster admin", [("Acme", "Default")], ("projects", "default")),
        ("project admin", [("Acme", "Default")], ("projects", "default")),
        (
            "tenant admin",
            [("Acme", "Tenant Admin"), ("Acme", "Default"), ("Acme", "Edge")],
            ("tenants", "acme"),
        ),
        (
            "superuser",
            [
                ("Acme", "Tenant Admin"),
                ("Acme", "Default"),
                ("Acme", "Edge"),
                ("Globex", "Tenant Admin"),
                ("Globex", "Default"),
            ],
            ("tenants", "acme"),
        ),
    ],
)
def test_the_scope_switcher_lists_what_a_role_may_enter_and_it_lands_in_the_widest(
    demo, role, choices, landing
):
    roles = demo_roles(demo, role)

    assert [(choice.group, choice.label) for choice in scope_choices(roles)] == choices
    expected = landing and ScopeRef(landing[0], getattr(demo, landing[1]).pk)
    assert landing_scope(roles) == expected


def test_only_a_tenant_admin_or_a_superuser_administers_a_tenant(demo):
    assert list(administered_tenants(demo_roles(demo, "tenant admin"))) == [demo.acme]
    assert list(administered_tenants(demo_roles(demo, "superuser"))) == [demo.acme, demo.globex]
    assert list(administered_tenants(demo_roles(demo, "project admin"))) == []
    assert [p.name for p in enterable_projects(demo_roles(demo, "tenant admin"))] == [
        "Default",
        "Edge",
    ]


# The roles a user's grants load into.


@pytest.mark.parametrize("holder", ["user", "group"])
@pytest.mark.parametrize(
    ("role", "held_on", "field"),
    [
        ("Tenant Admin", "acme", "tenant_admin"),
        ("Project Admin", "default", "project_admin"),
        ("Project Viewer", "default", "project_viewer"),
        ("Cluster Admin", "prod_east", "cluster_admin"),
    ],
)
def test_a_grant_loads_the_same_role_whether_held_by_the_user_or_a_group(
    demo, holder, role, held_on, field
):
    newcomer = make_user("newcomer")
    grantee = newcomer
    if holder == "group":
        grantee = Group.objects.create(name="role holders")
        newcomer.groups.add(grantee)
    obj = getattr(demo, held_on)
    grant(grantee, role, obj)

    roles = roles_for(User.objects.get(pk=newcomer.pk))

    expected = {field: frozenset({obj.pk})}
    if field == "cluster_admin":  # and the project of the cluster, whose scope they may enter
        expected["cluster_admin_projects"] = frozenset({demo.default.pk})
    assert roles == Roles(**expected)


def test_the_demo_users_hold_their_roles_through_their_groups(demo):
    assert roles_for(User.objects.get(username="viewer")) == demo_roles(demo, "viewer")
    assert roles_for(User.objects.get(username="cluster-admin")) == demo_roles(
        demo, "cluster admin"
    )


def test_an_inactive_or_anonymous_user_holds_no_role(demo):
    User.objects.filter(username="tenant-admin").update(is_active=False)

    assert roles_for(User.objects.get(username="tenant-admin")) == Roles()
    assert roles_for(AnonymousUser()) == Roles()
    assert roles_for(User.objects.get(username="project-admin")) != Roles()


def test_a_superuser_holds_every_role_without_a_grant(demo):
    root = make_user("root", superuser=True)

    assert roles_for(root) == Roles(superuser=True)
