"""The permission matrix (DESIGN.md §2): every role against every page and change endpoint of the
console, on every kind of object: the user's own cluster, a sibling cluster in the same project,
a cluster in another project, one in another tenant, and an id that does not exist.

The expected answers are the table below, written by hand from the design, not derived from the
code under test. On every answer that is not a change the database is unchanged and no audit
record is written; another tenant's object answers exactly as a missing one does; and taking a
role away takes effect on the very next request."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.middleware import csrf
from django.test import Client
from django.urls import URLPattern, reverse
from guardian.shortcuts import remove_perm

from settings_app import urls as console_urls
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    Tenant,
)
from settings_app.scopes import ScopeRef

# The answers.
LOGIN = "login"  # 302 to the login page; nothing written
MOVED = "moved"  # 302 somewhere else in the console; nothing written
CHANGED = "changed"  # 302 back to the page, with the change made (value, version, audit records)

# The roles, in the order of the table's columns.
ROLES = [
    "anonymous",
    "no role",
    "viewer",  # Project Viewer of Acme / Default
    "cluster admin",  # Cluster Admin of prod-east (in Acme / Default)
    "project admin",  # Project Admin of Acme / Default
    "tenant admin",  # Tenant Admin of Acme
    "other tenant's admin",  # Tenant Admin of Globex
    "superuser",
]
DEMO_USERS = {
    "viewer": "viewer",
    "cluster admin": "cluster-admin",
    "project admin": "project-admin",
    "tenant admin": "tenant-admin",
    "other tenant's admin": "globex-admin",
}

# The objects. Every Acme role lives in Acme / Default, around the cluster prod-east.
OWN = "own cluster"  # prod-east, its project Acme / Default, its tenant Acme
SIBLING = "sibling cluster"  # prod-west, in the same project
OTHER_PROJECT = "another project"  # edge-01 in Acme / Edge
OTHER_TENANT = "another tenant"  # globex-main in Globex / Default
MISSING = "missing id"  # an id that does not exist, in the own scope where a URL has one
NOTHING = "-"  # pages that address no object
MISSING_ID = 999_999_999
NEW_RELEASE = "9.0.0"


@dataclass(frozen=True)
class Endpoint:
    url_name: str
    method: str
    # What the URL addresses: "cluster in a project scope" (projects/<p>/clusters/<c>/…),
    # "cluster in the tenant scope", "project scope", "tenant scope", "project", "tenant",
    # "scope choice" (the switcher's ?scope=), or "nothing".
    addresses: str
    scope_kind: str = ""  # for "scope choice": which kind of scope is chosen


ENDPOINTS = {
    "home": Endpoint("home", "GET", "nothing"),
    "login": Endpoint("login", "GET", "nothing"),
    "logout": Endpoint("logout", "POST", "nothing"),
    "platform upgrades": Endpoint("platform_upgrades", "GET", "nothing"),
    "release a platform version": Endpoint("platform_upgrades", "POST", "nothing"),
    "switch to a project scope": Endpoint("switch_scope", "GET", "scope choice", "projects"),
    "switch to the tenant scope": Endpoint("switch_scope", "GET", "scope choice", "tenants"),
    "project clusters": Endpoint("cluster_list", "GET", "project scope"),
    "tenant clusters": Endpoint("cluster_list", "GET", "tenant scope"),
    "cluster details": Endpoint("cluster_detail", "GET", "cluster in a project scope"),
    "cluster details, tenant scope": Endpoint(
        "cluster_detail", "GET", "cluster in the tenant scope"
    ),
    "cluster settings": Endpoint("cluster_settings", "GET", "cluster in a project scope"),
    "cluster settings, tenant scope": Endpoint(
        "cluster_settings", "GET", "cluster in the tenant scope"
    ),
    "change cluster": Endpoint(
        "change_cluster_agent_upgrades", "POST", "cluster in a project scope"
    ),
    "change cluster, tenant scope": Endpoint(
        "change_cluster_agent_upgrades", "POST", "cluster in the tenant scope"
    ),
    "project audit logs": Endpoint("audit_log", "GET", "project scope"),
    "tenant audit logs": Endpoint("audit_log", "GET", "tenant scope"),
    "project settings": Endpoint("project_settings", "GET", "project"),
    "project platform settings": Endpoint("project_platform_settings", "GET", "project"),
    "change project": Endpoint("change_project_agent_upgrades", "POST", "project"),
    "projects": Endpoint("project_list", "GET", "tenant"),
    "tenant settings": Endpoint("tenant_settings", "GET", "tenant"),
    "tenant platform settings": Endpoint("tenant_platform_settings", "GET", "tenant"),
    "change tenant": Endpoint("change_tenant_agent_upgrades", "POST", "tenant"),
    "undo cluster change": Endpoint("undo_cluster_change", "POST", "cluster in a project scope"),
    "undo cluster change, tenant scope": Endpoint(
        "undo_cluster_change", "POST", "cluster in the tenant scope"
    ),
    "undo project change": Endpoint("undo_project_change", "POST", "project"),
    "undo tenant change": Endpoint("undo_tenant_change", "POST", "tenant"),
}

# fmt: off
MATRIX: dict[tuple[str, str], tuple] = {
    # (endpoint, object):                                 anonymous no role viewer clusterA projectA tenantA globexA super
    ("home", NOTHING):                                    (LOGIN,   200,    MOVED, MOVED,   MOVED,   MOVED,  MOVED,  MOVED),
    ("login", NOTHING):                                   (200,     MOVED,  MOVED, MOVED,   MOVED,   MOVED,  MOVED,  MOVED),
    ("logout", NOTHING):                                  (LOGIN,   LOGIN,  LOGIN, LOGIN,   LOGIN,   LOGIN,  LOGIN,  LOGIN),
    ("platform upgrades", NOTHING):                       (LOGIN,   404,    404,   404,     404,     404,    404,    200),
    ("release a platform version", NOTHING):              (LOGIN,   404,    404,   404,     404,     404,    404,    CHANGED),

    ("switch to a project scope", OWN):                   (LOGIN,   404,    MOVED, MOVED,   MOVED,   MOVED,  404,    MOVED),
    ("switch to a project scope", OTHER_PROJECT):         (LOGIN,   404,    404,   404,     404,     MOVED,  404,    MOVED),
    ("switch to a project scope", OTHER_TENANT):          (LOGIN,   404,    404,   404,     404,     404,    MOVED,  MOVED),
    ("switch to a project scope", MISSING):               (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("switch to the tenant scope", OWN):                  (LOGIN,   404,    404,   404,     404,     MOVED,  404,    MOVED),
    ("switch to the tenant scope", OTHER_TENANT):         (LOGIN,   404,    404,   404,     404,     404,    MOVED,  MOVED),
    ("switch to the tenant scope", MISSING):              (LOGIN,   404,    404,   404,     404,     404,    404,    404),

    ("project clusters", OWN):                            (LOGIN,   404,    200,   200,     200,     200,    404,    200),
    ("project clusters", OTHER_PROJECT):                  (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("project clusters", OTHER_TENANT):                   (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("project clusters", MISSING):                        (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("tenant clusters", OWN):                             (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("tenant clusters", OTHER_TENANT):                    (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("tenant clusters", MISSING):                         (LOGIN,   404,    404,   404,     404,     404,    404,    404),

    ("cluster details", OWN):                             (LOGIN,   404,    200,   200,     200,     200,    404,    200),
    ("cluster details", SIBLING):                         (LOGIN,   404,    200,   404,     200,     200,    404,    200),
    ("cluster details", OTHER_PROJECT):                   (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("cluster details", OTHER_TENANT):                    (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("cluster details", MISSING):                         (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("cluster details, tenant scope", OWN):               (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("cluster details, tenant scope", SIBLING):           (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("cluster details, tenant scope", OTHER_PROJECT):     (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("cluster details, tenant scope", OTHER_TENANT):      (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("cluster details, tenant scope", MISSING):           (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("cluster settings", OWN):                            (LOGIN,   404,    200,   200,     200,     200,    404,    200),
    ("cluster settings", SIBLING):                        (LOGIN,   404,    200,   404,     200,     200,    404,    200),
    ("cluster settings", OTHER_PROJECT):                  (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("cluster settings", OTHER_TENANT):                   (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("cluster settings", MISSING):                        (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("cluster settings, tenant scope", OWN):              (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("cluster settings, tenant scope", SIBLING):          (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("cluster settings, tenant scope", OTHER_PROJECT):    (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("cluster settings, tenant scope", OTHER_TENANT):     (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("cluster settings, tenant scope", MISSING):          (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("change cluster", OWN):                              (LOGIN,   404,    403,   CHANGED, CHANGED, CHANGED, 404,   CHANGED),
    ("change cluster", SIBLING):                          (LOGIN,   404,    403,   404,     CHANGED, CHANGED, 404,   CHANGED),
    ("change cluster", OTHER_PROJECT):                    (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("change cluster", OTHER_TENANT):                     (LOGIN,   404,    404,   404,     404,     404,    CHANGED, CHANGED),
    ("change cluster", MISSING):                          (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("change cluster, tenant scope", OWN):                (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("change cluster, tenant scope", SIBLING):            (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("change cluster, tenant scope", OTHER_PROJECT):      (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("change cluster, tenant scope", OTHER_TENANT):       (LOGIN,   404,    404,   404,     404,     404,    CHANGED, CHANGED),
    ("change cluster, tenant scope", MISSING):            (LOGIN,   404,    404,   404,     404,     404,    404,    404),

    ("project audit logs", OWN):                          (LOGIN,   404,    200,   200,     200,     200,    404,    200),
    ("project audit logs", OTHER_PROJECT):                (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("project audit logs", OTHER_TENANT):                 (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("project audit logs", MISSING):                      (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("tenant audit logs", OWN):                           (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("tenant audit logs", OTHER_TENANT):                  (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("tenant audit logs", MISSING):                       (LOGIN,   404,    404,   404,     404,     404,    404,    404),

    ("project settings", OWN):                            (LOGIN,   404,    200,   404,     200,     200,    404,    200),
    ("project settings", OTHER_PROJECT):                  (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("project settings", OTHER_TENANT):                   (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("project settings", MISSING):                        (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("project platform settings", OWN):                   (LOGIN,   404,    200,   404,     200,     200,    404,    200),
    ("project platform settings", OTHER_PROJECT):         (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("project platform settings", OTHER_TENANT):          (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("project platform settings", MISSING):               (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("change project", OWN):                              (LOGIN,   404,    403,   404,     CHANGED, CHANGED, 404,   CHANGED),
    ("change project", OTHER_PROJECT):                    (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("change project", OTHER_TENANT):                     (LOGIN,   404,    404,   404,     404,     404,    CHANGED, CHANGED),
    ("change project", MISSING):                          (LOGIN,   404,    404,   404,     404,     404,    404,    404),

    ("projects", OWN):                                    (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("projects", OTHER_TENANT):                           (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("projects", MISSING):                                (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("tenant settings", OWN):                             (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("tenant settings", OTHER_TENANT):                    (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("tenant settings", MISSING):                         (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("tenant platform settings", OWN):                    (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("tenant platform settings", OTHER_TENANT):           (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("tenant platform settings", MISSING):                (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("change tenant", OWN):                               (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("change tenant", OTHER_TENANT):                      (LOGIN,   404,    404,   404,     404,     404,    CHANGED, CHANGED),
    ("change tenant", MISSING):                           (LOGIN,   404,    404,   404,     404,     404,    404,    404),
}
# fmt: on
# Undoing is allowed exactly where changing is; with nothing yet to undo, it answers 409.
NOTHING_TO_UNDO = 409
MATRIX |= {
    (
        endpoint.replace("change", "undo", 1).replace(",", " change,", 1)
        if "," in endpoint
        else endpoint.replace("change", "undo", 1) + " change",
        obj,
    ): tuple(NOTHING_TO_UNDO if answer == CHANGED else answer for answer in answers)
    for (endpoint, obj), answers in list(MATRIX.items())
    if endpoint.startswith("change ")
}

CASES = [
    pytest.param(role, endpoint, obj, answers[column], id=f"{role}|{endpoint}|{obj}")
    for (endpoint, obj), answers in MATRIX.items()
    for column, role in enumerate(ROLES)
]


# Building and sending the requests.


@dataclass(frozen=True)
class Place:
    tenant: int
    project: int
    cluster: int


def places(demo) -> dict[str, Place]:
    def of(cluster: Cluster) -> Place:
        return Place(cluster.project.tenant_id, cluster.project_id, cluster.pk)

    return {
        OWN: of(demo.prod_east),
        SIBLING: of(demo.prod_west),
        OTHER_PROJECT: of(demo.edge_01),
        OTHER_TENANT: of(demo.globex_main),
        MISSING: Place(MISSING_ID, MISSING_ID, MISSING_ID),
    }


def target_url(demo, endpoint: Endpoint, obj: str) -> str:
    if endpoint.addresses == "nothing":
        return reverse(endpoint.url_name)
    at = places(demo)
    place = at[obj]
    # A missing cluster is looked for in the own scope; a missing scope is missing itself.
    scope = at[OWN] if obj == MISSING else place
    match endpoint.addresses:
        case "scope choice":
            pk = place.project if endpoint.scope_kind == "projects" else place.tenant
            return f"{reverse(endpoint.url_name)}?scope={endpoint.scope_kind}/{pk}"
        case "cluster in a project scope":
            return reverse(
                endpoint.url_name, args=[ScopeRef("projects", scope.project), place.cluster]
            )
        case "cluster in the tenant scope":
            return reverse(
                endpoint.url_name, args=[ScopeRef("tenants", scope.tenant), place.cluster]
            )
        case "project scope":
            return reverse(endpoint.url_name, args=[ScopeRef("projects", place.project)])
        case "tenant scope":
            return reverse(endpoint.url_name, args=[ScopeRef("tenants", place.tenant)])
        case "project":
            return reverse(endpoint.url_name, args=[place.project])
        case "tenant":
            return reverse(endpoint.url_name, args=[place.tenant])
    raise AssertionError(f"unknown kind of address: {endpoint.addresses}")


def changed_object(endpoint: Endpoint, obj: str):
    """The object a change endpoint writes, or None for a missing one."""
    if obj == MISSING:
        return None
    clusters = {
        OWN: "prod-east",
        SIBLING: "prod-west",
        OTHER_PROJECT: "edge-01",
        OTHER_TENANT: "globex-main",
    }
    cluster = Cluster.objects.select_related("project__tenant").get(name=clusters[obj])
    if "cluster" in endpoint.url_name:
        return cluster
    if "project" in endpoint.url_name:
        return cluster.project
    return cluster.project.tenant


def send(client: Client, demo, endpoint: Endpoint, obj: str, **headers: str):
    url = target_url(demo, endpoint, obj)
    if endpoint.method == "GET":
        return client.get(url, **headers)
    data = {}
    if endpoint.url_name == "platform_upgrades":
        data = {"version": NEW_RELEASE}
    elif endpoint.url_name.startswith(("change_", "undo_")):
        target = changed_object(endpoint, obj)
        # The form as the page renders it: the value wanted and the version it was rendered from.
        version = target.agent_upgrades_version if target else 0
        data = {"value": AgentUpgrades.LOCK, "version": str(version)}
    return client.post(url, data, **headers)


def world() -> dict[str, object]:
    """Every object's value and version, every agent, the releases, and the audit trails."""
    state: dict[str, object] = {
        f"{model.__name__} {pk}": (value, version)
        for model in (Tenant, Project, Cluster)
        for pk, value, version in model.objects.values_list(
            "pk", "agent_upgrades", "agent_upgrades_version"
        )
    }
    state["agents"] = dict(Cluster.objects.values_list("pk", "agent_version"))
    state["releases"] = sorted(PlatformRelease.objects.values_list("version", flat=True))
    state["audit records"] = AuditEvent.objects.count()
    state["agent upgrades"] = AgentUpgrade.objects.count()
    return state


def assert_made(endpoint: Endpoint, target, before: dict[str, object], user: User) -> None:
    """The change the endpoint exists for was made, by this user, with its records."""
    if endpoint.url_name == "platform_upgrades":
        assert PlatformRelease.objects.filter(version=NEW_RELEASE, released_by=user).exists()
        return
    old_version = target.agent_upgrades_version
    target.refresh_from_db()
    assert target.agent_upgrades == AgentUpgrades.LOCK
    assert target.agent_upgrades_version == old_version + 1
    assert AuditEvent.objects.count() > before["audit records"]
    assert AuditEvent.objects.filter(actor=user).exists()


@pytest.fixture
def client_as(demo, stranger):
    """`client_as("project admin")`: a client logged in as that role (anonymous for
    "anonymous"); the superuser holds no role, only the flag."""
    superuser = User.objects.create_superuser("superuser", password="unused-password-1")

    def make(role: str) -> Client:
        client = Client()
        if role == "no role":
            client.force_login(stranger)
        elif role == "superuser":
            client.force_login(superuser)
        elif role != "anonymous":
            client.force_login(User.objects.get(username=DEMO_USERS[role]))
        return client

    return make


# The matrix.


def test_the_matrix_covers_every_url_of_the_console():
    console_url_names = {
        pattern.name for pattern in console_urls.urlpatterns if isinstance(pattern, URLPattern)
    }
    covered = {endpoint.url_name for endpoint in ENDPOINTS.values()}

    assert covered == console_url_names, (
        "Add every new page or change endpoint to ENDPOINTS and MATRIX: "
        f"missing {sorted(console_url_names - covered)}, stale {sorted(covered - console_url_names)}"
    )
    assert {endpoint for endpoint, _ in MATRIX} == set(ENDPOINTS)
    assert all(len(answers) == len(ROLES) for answers in MATRIX.values())


@pytest.mark.parametrize(("role", "endpoint_name", "obj", "expected"), CASES)
def test_each_role_gets_the_answer_of_the_matrix_and_only_changes_write(
    demo, client_as, role, endpoint_name, obj, expected
):
    endpoint = ENDPOINTS[endpoint_name]
    client = client_as(role)
    before = world()
    switch = expected == CHANGED and endpoint.url_name.startswith("change_")
    target = changed_object(endpoint, obj) if switch else None

    response = send(client, demo, endpoint, obj)

    if expected in (LOGIN, MOVED, CHANGED):
        assert response.status_code == 302
        to_login = urlsplit(response["Location"]).path == reverse("login")
        assert to_login == (expected == LOGIN), response["Location"]
    else:
        assert response.status_code == expected
    if expected == CHANGED:
        assert_made(endpoint, target, before, response.wsgi_request.user)
    else:
        assert world() == before


# Another tenant's object answers exactly as a missing one.


STRANGERS_404 = [
    pytest.param(role, endpoint, htmx, id=f"{role}|{endpoint}|{'htmx' if htmx else 'page'}")
    for (endpoint, obj), answers in MATRIX.items()
    if obj == OTHER_TENANT
    for column, role in enumerate(ROLES)
    if answers[column] == 404 and MATRIX[(endpoint, MISSING)][column] == 404
    for htmx in (False, True)
]


@pytest.mark.parametrize(("role", "endpoint_name", "htmx"), STRANGERS_404)
def test_another_tenants_object_answers_byte_for_byte_like_a_missing_one(
    demo, client_as, monkeypatch, role, endpoint_name, htmx
):
    # Django masks the CSRF token in every page with a fresh random mask; a fixed mask makes two
    # renderings of the same page comparable byte for byte.
    monkeypatch.setattr(csrf, "_get_new_csrf_string", lambda: "m" * csrf.CSRF_SECRET_LENGTH)
    endpoint = ENDPOINTS[endpoint_name]
    client = client_as(role)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    theirs = send(client, demo, endpoint, OTHER_TENANT, **headers)
    missing = send(client, demo, endpoint, MISSING, **headers)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert theirs.headers == missing.headers


# Taking a role away.


REVOCATIONS = [
    # (role, its permission, held on, a page it could see, a change it could make)
    ("viewer", "view_project", "project", "project platform settings", None),
    ("cluster admin", "administer_cluster", "cluster", "cluster settings", "change cluster"),
    (
        "project admin",
        "administer_project",
        "project",
        "project platform settings",
        "change project",
    ),
    ("tenant admin", "administer_tenant", "tenant", "tenant platform settings", "change tenant"),
]


@pytest.mark.parametrize(("role", "permission", "held_on", "page", "change"), REVOCATIONS)
def test_revoking_a_role_takes_effect_on_the_next_request(
    demo, client_as, role, permission, held_on, page, change
):
    client = client_as(role)
    assert send(client, demo, ENDPOINTS[page], OWN).status_code == 200
    group = Group.objects.get(user__username=DEMO_USERS[role])
    held = {"tenant": demo.acme, "project": demo.default, "cluster": demo.prod_east}[held_on]

    remove_perm(f"settings_app.{permission}", group, held)
    before = world()

    assert send(client, demo, ENDPOINTS[page], OWN).status_code == 404
    if change:
        assert send(client, demo, ENDPOINTS[change], OWN).status_code == 404
    assert world() == before


def test_taking_the_superuser_flag_away_takes_effect_on_the_next_request(demo, client_as):
    client = client_as("superuser")
    assert (
        send(client, demo, ENDPOINTS["tenant platform settings"], OTHER_TENANT).status_code == 200
    )

    User.objects.filter(username="superuser").update(is_superuser=False)
    before = world()

    assert (
        send(client, demo, ENDPOINTS["tenant platform settings"], OTHER_TENANT).status_code == 404
    )
    assert send(client, demo, ENDPOINTS["change tenant"], OTHER_TENANT).status_code == 404
    assert world() == before


def test_removing_a_user_from_the_role_group_takes_effect_on_the_next_request(demo, client_as):
    client = client_as("project admin")
    assert send(client, demo, ENDPOINTS["change project"], OWN).status_code == 302

    Group.objects.get(user__username="project-admin").user_set.clear()
    before = world()

    assert send(client, demo, ENDPOINTS["project settings"], OWN).status_code == 404
    assert send(client, demo, ENDPOINTS["change cluster"], OWN).status_code == 404
    assert world() == before
