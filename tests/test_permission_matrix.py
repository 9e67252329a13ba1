"""The permission matrix (DESIGN.md §2): every role against every page and change endpoint of the
console, on every kind of object: the user's own cluster, a sibling cluster in the same project,
a cluster in another project, one in another tenant, and an id that does not exist.

The expected answers are the table below, written by hand from the design, not derived from the
code under test. It is the one table of who may do what: the view tests do not repeat it.

- Every answer that is not a change leaves the database as it was, audit trail included.
- A 404 is the same "Not found" page for everyone, naming nothing; another tenant's object
  answers byte for byte as a missing one does.
- A login redirect comes back to the page asked for; htmx is sent there by `HX-Redirect`, never
  with the login page swapped into the switch.
- The change endpoints answer htmx requests as the table says too (the panel, a reload for a
  403, no swap for a 404, a full-page redirect to log in).
- A role holds the same whether granted to the user or to a group, and taking it away (or the
  superuser flag, or the account) takes effect on the very next request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.middleware import csrf
from django.test import Client
from django.urls import URLPattern, reverse
from guardian.shortcuts import assign_perm, remove_perm

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
from settings_app.permissions import NOT_FOUND
from settings_app.permissions.scopes import ScopeRef
from tests.api.test_api_permission_matrix import PAGE_URL_NAMES as KEY_PAGE_URL_NAMES
from tests.html import parse, without_csrf_tokens

# The answers.
LOGIN = "login"  # 302 to the login page, which comes back here afterwards; nothing written
LOGGED_OUT = "logged out"  # 302 to the login page, and the session is over
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
    # The CSV exports: exactly the access of the page they export.
    "project clusters csv": Endpoint("cluster_list_csv", "GET", "project scope"),
    "tenant clusters csv": Endpoint("cluster_list_csv", "GET", "tenant scope"),
    "project audit logs csv": Endpoint("audit_log_csv", "GET", "project scope"),
    "tenant audit logs csv": Endpoint("audit_log_csv", "GET", "tenant scope"),
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
    # Without JavaScript every change asks first on a page of its own (GET); the in-page dialog
    # asks the server what a release would do.
    "confirm cluster change": Endpoint(
        "confirm_cluster_change", "GET", "cluster in a project scope"
    ),
    "confirm cluster change, tenant scope": Endpoint(
        "confirm_cluster_change", "GET", "cluster in the tenant scope"
    ),
    "confirm project change": Endpoint("confirm_project_change", "GET", "project"),
    "confirm tenant change": Endpoint("confirm_tenant_change", "GET", "tenant"),
    "confirm cluster undo": Endpoint("confirm_cluster_undo", "GET", "cluster in a project scope"),
    "confirm cluster undo, tenant scope": Endpoint(
        "confirm_cluster_undo", "GET", "cluster in the tenant scope"
    ),
    "confirm project undo": Endpoint("confirm_project_undo", "GET", "project"),
    "confirm tenant undo": Endpoint("confirm_tenant_undo", "GET", "tenant"),
    "confirm a release": Endpoint("confirm_release", "GET", "nothing"),
    # Bulk pause and resume from the Clusters list, selecting the object's cluster; without
    # JavaScript its question is a confirmation page, with it the same GET answers the dialog.
    "bulk change": Endpoint("bulk_change_clusters", "POST", "project scope"),
    "bulk change, tenant scope": Endpoint("bulk_change_clusters", "POST", "tenant scope"),
    "confirm bulk change": Endpoint("confirm_bulk_change", "GET", "project scope"),
    "confirm bulk change, tenant scope": Endpoint("confirm_bulk_change", "GET", "tenant scope"),
    "release impact": Endpoint("release_impact", "GET", "nothing"),
}

# fmt: off
MATRIX: dict[tuple[str, str], tuple] = {
    # (endpoint, object):                                 anonymous no role viewer clusterA projectA tenantA globexA super
    ("home", NOTHING):                                    (LOGIN,   200,    MOVED, MOVED,   MOVED,   MOVED,  MOVED,  MOVED),
    ("login", NOTHING):                                   (200,     MOVED,  MOVED, MOVED,   MOVED,   MOVED,  MOVED,  MOVED),
    ("logout", NOTHING):                                  (LOGGED_OUT,) * len(ROLES),  # everyone
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

    # A bulk act refuses (403) whoever may change no cluster of the scope; a cluster the user
    # cannot see is not selected at all (nothing to do: back to the list).
    ("bulk change", OWN):                                 (LOGIN,   404,    403,   CHANGED, CHANGED, CHANGED, 404,   CHANGED),
    ("bulk change", SIBLING):                             (LOGIN,   404,    403,   MOVED,   CHANGED, CHANGED, 404,   CHANGED),
    ("bulk change", OTHER_PROJECT):                       (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("bulk change", OTHER_TENANT):                        (LOGIN,   404,    404,   404,     404,     404,    CHANGED, CHANGED),
    ("bulk change", MISSING):                             (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("bulk change, tenant scope", OWN):                   (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("bulk change, tenant scope", OTHER_PROJECT):         (LOGIN,   404,    404,   404,     404,     CHANGED, 404,   CHANGED),
    ("bulk change, tenant scope", OTHER_TENANT):          (LOGIN,   404,    404,   404,     404,     404,    CHANGED, CHANGED),
    ("bulk change, tenant scope", MISSING):               (LOGIN,   404,    404,   404,     404,     404,    404,    404),
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
# A change's confirmation page opens exactly where the change is allowed; an undo's, with nothing
# yet to undo, goes back to the settings and says so.
MATRIX |= (
    {
        (
            endpoint.replace("change ", "confirm ", 1).replace(",", " change,", 1)
            if "," in endpoint
            else endpoint.replace("change ", "confirm ", 1) + " change",
            obj,
        ): tuple(200 if answer == CHANGED else answer for answer in answers)
        for (endpoint, obj), answers in list(MATRIX.items())
        if endpoint.startswith("change ")
    }
    | {
        (f"confirm {endpoint}", obj): tuple(
            200 if answer == CHANGED else answer for answer in answers
        )
        for (endpoint, obj), answers in list(MATRIX.items())
        if endpoint.startswith("bulk ")
    }
    | {
        (
            endpoint.replace("change ", "confirm ", 1).replace(",", " undo,", 1)
            if "," in endpoint
            else endpoint.replace("change ", "confirm ", 1) + " undo",
            obj,
        ): tuple(MOVED if answer == CHANGED else answer for answer in answers)
        for (endpoint, obj), answers in list(MATRIX.items())
        if endpoint.startswith("change ")
    }
)
# A CSV export answers exactly as the page it exports (written out, not derived).
# fmt: off
MATRIX |= {
    ("project clusters csv", OWN):                        (LOGIN,   404,    200,   200,     200,     200,    404,    200),
    ("project clusters csv", OTHER_PROJECT):              (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("project clusters csv", OTHER_TENANT):               (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("project clusters csv", MISSING):                    (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("tenant clusters csv", OWN):                         (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("tenant clusters csv", OTHER_TENANT):                (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("tenant clusters csv", MISSING):                     (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("project audit logs csv", OWN):                      (LOGIN,   404,    200,   200,     200,     200,    404,    200),
    ("project audit logs csv", OTHER_PROJECT):            (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("project audit logs csv", OTHER_TENANT):             (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("project audit logs csv", MISSING):                  (LOGIN,   404,    404,   404,     404,     404,    404,    404),
    ("tenant audit logs csv", OWN):                       (LOGIN,   404,    404,   404,     404,     200,    404,    200),
    ("tenant audit logs csv", OTHER_TENANT):              (LOGIN,   404,    404,   404,     404,     404,    200,    200),
    ("tenant audit logs csv", MISSING):                   (LOGIN,   404,    404,   404,     404,     404,    404,    404),
}
# fmt: on
# Only a superuser releases: the confirmation page and the dialog's count are theirs alone.
MATRIX |= {
    ("confirm a release", NOTHING): (LOGIN, 404, 404, 404, 404, 404, 404, 200),
    ("release impact", NOTHING): (LOGIN, 404, 404, 404, 404, 404, 404, 200),
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


def bulk_selected(obj: str) -> Cluster | None:
    """The cluster a bulk request selects: the object's."""
    if obj == MISSING:
        return None
    return changed_object(ENDPOINTS["change cluster"], obj)


def send(client: Client, demo, endpoint: Endpoint, obj: str, **headers: str):
    url = target_url(demo, endpoint, obj)
    if endpoint.url_name in ("bulk_change_clusters", "confirm_bulk_change"):
        cluster = bulk_selected(obj)
        selected = f"{cluster.pk}:{cluster.agent_upgrades_version}" if cluster else "1:0"
        data = {"value": AgentUpgrades.LOCK, "cluster": selected}
        if endpoint.method == "GET":
            return client.get(url, data, **headers)
        return client.post(url, data, **headers)
    if endpoint.url_name in ("confirm_release", "release_impact"):
        return client.get(url, {"version": NEW_RELEASE}, **headers)
    if endpoint.url_name.startswith("confirm_"):
        target = changed_object(endpoint, obj)
        version = target.agent_upgrades_version if target else 0
        return client.get(url, {"value": AgentUpgrades.LOCK, "version": str(version)}, **headers)
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
def person(demo, stranger):
    """`person("project admin")`: the user in that column (None for "anonymous"); the superuser
    holds no role, only the flag."""
    superuser = User.objects.create_superuser("superuser", password="unused-password-1")

    def find(role: str) -> User | None:
        if role == "anonymous":
            return None
        if role == "no role":
            return stranger
        if role == "superuser":
            return superuser
        return User.objects.get(username=DEMO_USERS[role])

    return find


@pytest.fixture
def client_as(person):
    """`client_as("project admin")`: a client logged in as the user in that column."""

    def make(role: str) -> Client:
        client = Client()
        if (someone := person(role)) is not None:
            client.force_login(someone)
        return client

    return make


def names_of(demo, obj: str) -> list[str]:
    """The names of the object a request addresses and of everything above it."""
    if obj in (NOTHING, MISSING):
        return []
    cluster = {
        OWN: demo.prod_east,
        SIBLING: demo.prod_west,
        OTHER_PROJECT: demo.edge_01,
        OTHER_TENANT: demo.globex_main,
    }[obj]
    return [cluster.name, cluster.project.name, cluster.project.tenant.name]


def assert_answer(response, demo, endpoint: Endpoint, obj: str, expected, before, target) -> None:
    """The answer the matrix expects, to a plain request; and only a change writes."""
    url = target_url(demo, endpoint, obj)
    if expected in (LOGIN, LOGGED_OUT, MOVED, CHANGED):
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert (location.path == reverse("login")) == (expected in (LOGIN, LOGGED_OUT)), location
        if expected == LOGIN:
            # Back to the page asked for, with its query (a confirmation page's value).
            (back,) = parse_qs(location.query)["next"]
            assert back == url or urlsplit(back).path == url
    else:
        assert response.status_code == expected
    if expected == 404:  # the same page for everyone, naming nothing
        page = parse(response)
        assert page.find("h1").text == "Not found"
        assert page.find("p", class_="error-message").text == NOT_FOUND
        assert b"Pause Agent Upgrades" not in response.content
        shown = without_csrf_tokens(response)
        assert not [name for name in names_of(demo, obj) if name in shown]
    if expected == CHANGED:
        assert_made(endpoint, target, before, response.wsgi_request.user)
    else:
        assert world() == before


# The matrix.


def test_the_matrix_covers_every_url_of_the_console():
    console_url_names = {
        pattern.name for pattern in console_urls.urlpatterns if isinstance(pattern, URLPattern)
    }
    # The API key pages have their rows beside the API's, whose keys they make.
    covered = {endpoint.url_name for endpoint in ENDPOINTS.values()} | KEY_PAGE_URL_NAMES

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
    switch = expected == CHANGED and endpoint.url_name.startswith(("change_", "bulk_"))
    target = changed_object(endpoint, obj) if switch else None

    response = send(client, demo, endpoint, obj)

    assert_answer(response, demo, endpoint, obj, expected, before, target)
    if expected == LOGGED_OUT:
        assert "_auth_user_id" not in client.session


# The change endpoints through htmx: the same answers, in the form htmx can act on.


HTMX_CASES = [  # every role on its own cluster, project and tenant, from either scope
    case
    for case in CASES
    if ENDPOINTS[case.values[1]].url_name.startswith("change_") and case.values[2] == OWN
]


@pytest.mark.parametrize(("role", "endpoint_name", "obj", "expected"), HTMX_CASES)
def test_each_role_gets_the_same_answer_from_a_change_through_htmx(
    demo, client_as, role, endpoint_name, obj, expected
):
    endpoint = ENDPOINTS[endpoint_name]
    before = world()
    target = changed_object(endpoint, obj) if expected == CHANGED else None

    response = send(client_as(role), demo, endpoint, obj, HTTP_HX_REQUEST="true")

    if expected == CHANGED:  # the switch's panel, showing the change
        assert response.status_code == 200
        assert b'role="switch" aria-checked="true"' in response.content
        assert_made(endpoint, target, before, response.wsgi_request.user)
        return
    if expected == LOGIN:
        # htmx must not swap the login page into the switch: a full-page redirect instead.
        assert response.status_code == 200
        assert urlsplit(response["HX-Redirect"]).path == reverse("login")
        assert "Location" not in response
    elif expected == 403:
        # The page reloads, with the switch disabled: it shows what the user may do.
        assert response.status_code == 403
        assert response["HX-Refresh"] == "true"
    else:
        assert response.status_code == expected == 404
        assert response["HX-Reswap"] == "none"
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


# Coming back after logging in.


def change_url(demo, kind: str) -> str:
    return target_url(demo, ENDPOINTS[f"change {kind}"], OWN)


def test_an_anonymous_htmx_post_sends_the_user_back_to_the_page_after_login(demo, client_as):
    page = reverse("project_platform_settings", args=[demo.default.pk])

    response = client_as("anonymous").post(
        change_url(demo, "project"),
        {"value": "lock"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )

    assert response["HX-Redirect"] == (
        f"{reverse('login')}?next={page.replace('/', '%2F')}&unsaved=1"
    )
    demo.default.refresh_from_db()
    assert demo.default.agent_upgrades == AgentUpgrades.UNLOCK


def test_an_anonymous_plain_post_returns_to_the_referring_page_after_login(demo, client_as):
    page = reverse("tenant_platform_settings", args=[demo.acme.pk])

    response = client_as("anonymous").post(
        change_url(demo, "tenant"), {"value": "lock"}, HTTP_REFERER=f"http://testserver{page}"
    )

    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [page]


def test_a_referer_from_another_site_is_not_used_as_the_next_page(demo, client_as):
    url = change_url(demo, "tenant")

    response = client_as("anonymous").post(
        url, {"value": "lock"}, HTTP_REFERER="https://evil.example/phish/"
    )

    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]


# A role holds however it is granted: to the user, or to a group the user is in.


ROLE_GRANTS = {
    # role: (its permission, the kind of object it is held on: the demo's, around prod-east)
    "viewer": ("view_project", "project"),
    "cluster admin": ("administer_cluster", "cluster"),
    "project admin": ("administer_project", "project"),
    "tenant admin": ("administer_tenant", "tenant"),
}
# Requests whose answers differ from role to role (the matrix's), for a newcomer holding one.
SHOWN_BY = [
    ("project platform settings", OWN),
    ("tenant platform settings", OWN),
    ("change cluster", OWN),
    ("change cluster", SIBLING),
    ("change project", OWN),
    ("change tenant", OWN),
]


def held_on(demo, kind: str):
    return {"tenant": demo.acme, "project": demo.default, "cluster": demo.prod_east}[kind]


@pytest.mark.parametrize("holder", ["user", "group"])
@pytest.mark.parametrize("role", ROLE_GRANTS)
def test_a_role_granted_to_the_user_or_to_a_group_gets_the_answers_of_the_matrix(
    demo, role, holder
):
    permission, kind = ROLE_GRANTS[role]
    newcomer = User.objects.create_user("newcomer", password="unused-password-1")
    grantee = newcomer
    if holder == "group":
        grantee = Group.objects.create(name="role holders")
        newcomer.groups.add(grantee)
    assign_perm(f"settings_app.{permission}", grantee, held_on(demo, kind))

    for endpoint_name, obj in SHOWN_BY:
        endpoint = ENDPOINTS[endpoint_name]
        expected = MATRIX[(endpoint_name, obj)][ROLES.index(role)]
        before = world()
        target = changed_object(endpoint, obj) if expected == CHANGED else None
        client = Client()  # a session of its own: no message from the change before it
        client.force_login(newcomer)

        response = send(client, demo, endpoint, obj)

        assert_answer(response, demo, endpoint, obj, expected, before, target)


# Taking a role away takes effect on the very next request.


@dataclass(frozen=True)
class TakingAway:
    role: str  # a column of the matrix, or "own grant": a Cluster Admin granted to the user
    page: str  # a page the role could see, and then no longer can
    changes: tuple[str, ...]  # changes it could make, and then no longer can
    obj: str
    take_away: Callable[[object, User], None]
    answer: object = 404  # the answer afterwards


def the_group_grant(permission: str, kind: str) -> Callable[[object, User], None]:
    def revoke(demo, person: User) -> None:
        remove_perm(f"settings_app.{permission}", person.groups.get(), held_on(demo, kind))

    return revoke


TAKING_AWAY = {
    **{
        f"the {role}'s group grant revoked": TakingAway(
            role,
            f"{kind} platform settings" if kind != "cluster" else "cluster settings",
            () if role == "viewer" else (f"change {kind}",),
            OWN,
            the_group_grant(permission, kind),
        )
        for role, (permission, kind) in ROLE_GRANTS.items()
    },
    "a grant to the user revoked": TakingAway(
        "own grant",
        "cluster settings",
        ("change cluster",),
        OWN,
        lambda demo, person: remove_perm("settings_app.administer_cluster", person, demo.prod_east),
    ),
    "leaving the role's group": TakingAway(
        "project admin",
        "project settings",
        ("change project", "change cluster"),
        OWN,
        lambda demo, person: person.groups.clear(),
    ),
    "the superuser flag taken away": TakingAway(
        "superuser",
        "tenant platform settings",
        ("change tenant",),
        OTHER_TENANT,
        lambda demo, person: User.objects.filter(pk=person.pk).update(is_superuser=False),
    ),
    "the account deactivated": TakingAway(
        "tenant admin",
        "tenant platform settings",
        ("change tenant",),
        OWN,
        lambda demo, person: User.objects.filter(pk=person.pk).update(is_active=False),
        answer=LOGIN,
    ),
}


@pytest.mark.parametrize("case", TAKING_AWAY.values(), ids=TAKING_AWAY.keys())
def test_taking_a_role_away_takes_effect_on_the_next_request(demo, person, case):
    if case.role == "own grant":
        someone = User.objects.create_user("newcomer", password="unused-password-1")
        assign_perm("settings_app.administer_cluster", someone, demo.prod_east)
    else:
        someone = person(case.role)
    client = Client()
    client.force_login(someone)
    assert send(client, demo, ENDPOINTS[case.page], case.obj).status_code == 200

    case.take_away(demo, someone)
    before = world()

    for endpoint_name in (case.page, *case.changes):
        endpoint = ENDPOINTS[endpoint_name]
        response = send(client, demo, endpoint, case.obj)
        assert_answer(response, demo, endpoint, case.obj, case.answer, before, None)
