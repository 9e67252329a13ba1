"""The API's rows of the permission matrix (DESIGN.md §2, issue 9 item 8): every role against
every operation of /v1/, on the user's own cluster, a sibling in the same project, a cluster in
another project, one in another tenant and a uid that does not exist; for the scope operations,
the tenant scope and the same kinds of project. Then revoked, expired and foreign-tenant keys,
and a role taken away.

The answers are written by hand from the design. Every role holds a key for Acme, but for the
other tenant's admin, whose key is for Globex (the tenant they hold a role in). A superuser's
key reaches its tenant only. On every answer that is not a change the database is unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    ApiKey,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    Tenant,
)

from .conftest import PaletteClient

CHANGED = "changed"  # 204 with AuditUid, the change made, audited with the user and the key
DRY = "dry run"  # 200 with the impact, nothing written

ROLES = [
    "anonymous",  # no ApiKey header
    "no role",  # a key for Acme, and no role anywhere
    "viewer",  # Project Viewer of Acme / Default
    "cluster admin",  # Cluster Admin of prod-east
    "project admin",  # Project Admin of Acme / Default
    "tenant admin",  # Tenant Admin of Acme
    "other tenant's admin",  # Tenant Admin of Globex, with a key for Globex
    "superuser",  # no role, the flag; a key for Acme
]
DEMO_USERS = {
    "viewer": "viewer",
    "cluster admin": "cluster-admin",
    "project admin": "project-admin",
    "tenant admin": "tenant-admin",
    "other tenant's admin": "globex-admin",
}

OWN = "own cluster"  # prod-east
SIBLING = "sibling cluster"  # prod-west
OTHER_PROJECT = "another project's cluster"  # edge-01
OTHER_TENANT = "another tenant's cluster"  # globex-main
MISSING = "missing uid"
TENANT = "tenant scope"  # no ProjectUid: the key's tenant
OWN_PROJECT = "own project"  # Acme / Default
EDGE = "another project"  # Acme / Edge
GLOBEX = "another tenant's project"  # Globex / Default
NO_PROJECT = "missing project"
NOTHING = "-"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # {uid}: the object's uid
    addresses: str  # "cluster", "scope" (ProjectUid or none), "project", "nothing"
    query: str = ""


OPERATIONS = {
    "read cluster": Operation("GET", "/v1/spectroclusters/{uid}", "cluster"),
    "read cluster setting": Operation(
        "GET", "/v1/spectroclusters/{uid}/upgrade/settings", "cluster"
    ),
    "set cluster": Operation("POST", "/v1/spectroclusters/{uid}/upgrade/settings", "cluster"),
    "set cluster, dry run": Operation(
        "POST", "/v1/spectroclusters/{uid}/upgrade/settings", "cluster", "?dryRun=true"
    ),
    "read scope setting": Operation("GET", "/v1/spectroclusters/upgrade/settings", "scope"),
    "push scope setting": Operation("POST", "/v1/spectroclusters/upgrade/settings", "scope"),
    "push, dry run": Operation(
        "POST", "/v1/spectroclusters/upgrade/settings", "scope", "?dryRun=true"
    ),
    "list clusters": Operation("GET", "/v1/dashboard/spectroclusters/meta", "scope"),
    "read project": Operation("GET", "/v1/projects/{uid}", "project"),
    "audit trail": Operation("GET", "/v1/audits", "nothing"),
    "audit trail of a project": Operation("GET", "/v1/audits?projectUid={uid}", "project"),
    "audit trail of a cluster": Operation("GET", "/v1/audits?resourceUid={uid}", "cluster"),
}

# fmt: off
MATRIX: dict[tuple[str, str], tuple] = {
    # (operation, object):                           anon no role viewer clusterA  projectA tenantA  globexA  super
    ("read cluster", OWN):                           (401, 404,    200,   200,     200,     200,     404,     200),
    ("read cluster", SIBLING):                       (401, 404,    200,   404,     200,     200,     404,     200),
    ("read cluster", OTHER_PROJECT):                 (401, 404,    404,   404,     404,     200,     404,     200),
    ("read cluster", OTHER_TENANT):                  (401, 404,    404,   404,     404,     404,     200,     404),
    ("read cluster", MISSING):                       (401, 404,    404,   404,     404,     404,     404,     404),
    ("read cluster setting", OWN):                   (401, 404,    200,   200,     200,     200,     404,     200),
    ("read cluster setting", SIBLING):               (401, 404,    200,   404,     200,     200,     404,     200),
    ("read cluster setting", OTHER_PROJECT):         (401, 404,    404,   404,     404,     200,     404,     200),
    ("read cluster setting", OTHER_TENANT):          (401, 404,    404,   404,     404,     404,     200,     404),
    ("read cluster setting", MISSING):               (401, 404,    404,   404,     404,     404,     404,     404),
    ("set cluster", OWN):                            (401, 404,    403,   CHANGED, CHANGED, CHANGED, 404,     CHANGED),
    ("set cluster", SIBLING):                        (401, 404,    403,   404,     CHANGED, CHANGED, 404,     CHANGED),
    ("set cluster", OTHER_PROJECT):                  (401, 404,    404,   404,     404,     CHANGED, 404,     CHANGED),
    ("set cluster", OTHER_TENANT):                   (401, 404,    404,   404,     404,     404,     CHANGED, 404),
    ("set cluster", MISSING):                        (401, 404,    404,   404,     404,     404,     404,     404),
    ("set cluster, dry run", OWN):                   (401, 404,    403,   DRY,     DRY,     DRY,     404,     DRY),
    ("set cluster, dry run", SIBLING):               (401, 404,    403,   404,     DRY,     DRY,     404,     DRY),
    ("set cluster, dry run", OTHER_PROJECT):         (401, 404,    404,   404,     404,     DRY,     404,     DRY),
    ("set cluster, dry run", OTHER_TENANT):          (401, 404,    404,   404,     404,     404,     DRY,     404),
    ("set cluster, dry run", MISSING):               (401, 404,    404,   404,     404,     404,     404,     404),

    ("read scope setting", TENANT):                  (401, 403,    403,   403,     403,     200,     200,     200),
    ("read scope setting", OWN_PROJECT):             (401, 404,    200,   404,     200,     200,     404,     200),
    ("read scope setting", EDGE):                    (401, 404,    404,   404,     404,     200,     404,     200),
    ("read scope setting", GLOBEX):                  (401, 404,    404,   404,     404,     404,     200,     404),
    ("read scope setting", NO_PROJECT):              (401, 404,    404,   404,     404,     404,     404,     404),
    ("push scope setting", TENANT):                  (401, 403,    403,   403,     403,     CHANGED, CHANGED, CHANGED),
    ("push scope setting", OWN_PROJECT):             (401, 404,    403,   404,     CHANGED, CHANGED, 404,     CHANGED),
    ("push scope setting", EDGE):                    (401, 404,    404,   404,     404,     CHANGED, 404,     CHANGED),
    ("push scope setting", GLOBEX):                  (401, 404,    404,   404,     404,     404,     CHANGED, 404),
    ("push scope setting", NO_PROJECT):              (401, 404,    404,   404,     404,     404,     404,     404),
    ("push, dry run", TENANT):                       (401, 403,    403,   403,     403,     DRY,     DRY,     DRY),
    ("push, dry run", OWN_PROJECT):                  (401, 404,    403,   404,     DRY,     DRY,     404,     DRY),
    ("push, dry run", EDGE):                         (401, 404,    404,   404,     404,     DRY,     404,     DRY),
    ("push, dry run", GLOBEX):                       (401, 404,    404,   404,     404,     404,     DRY,     404),
    ("push, dry run", NO_PROJECT):                   (401, 404,    404,   404,     404,     404,     404,     404),
    ("list clusters", TENANT):                       (401, 403,    403,   403,     403,     200,     200,     200),
    ("list clusters", OWN_PROJECT):                  (401, 404,    200,   200,     200,     200,     404,     200),
    ("list clusters", EDGE):                         (401, 404,    404,   404,     404,     200,     404,     200),
    ("list clusters", GLOBEX):                       (401, 404,    404,   404,     404,     404,     200,     404),
    ("list clusters", NO_PROJECT):                   (401, 404,    404,   404,     404,     404,     404,     404),

    ("read project", OWN_PROJECT):                   (401, 404,    200,   200,     200,     200,     404,     200),
    ("read project", EDGE):                          (401, 404,    404,   404,     404,     200,     404,     200),
    ("read project", GLOBEX):                        (401, 404,    404,   404,     404,     404,     200,     404),
    ("read project", NO_PROJECT):                    (401, 404,    404,   404,     404,     404,     404,     404),

    ("audit trail", NOTHING):                        (401, 200,    200,   200,     200,     200,     200,     200),
    ("audit trail of a project", OWN_PROJECT):       (401, 404,    200,   200,     200,     200,     404,     200),
    ("audit trail of a project", EDGE):              (401, 404,    404,   404,     404,     200,     404,     200),
    ("audit trail of a project", GLOBEX):            (401, 404,    404,   404,     404,     404,     200,     404),
    ("audit trail of a project", NO_PROJECT):        (401, 404,    404,   404,     404,     404,     404,     404),
    ("audit trail of a cluster", OWN):               (401, 404,    200,   200,     200,     200,     404,     200),
    ("audit trail of a cluster", SIBLING):           (401, 404,    200,   404,     200,     200,     404,     200),
    ("audit trail of a cluster", OTHER_PROJECT):     (401, 404,    404,   404,     404,     200,     404,     200),
    ("audit trail of a cluster", OTHER_TENANT):      (401, 404,    404,   404,     404,     404,     200,     404),
    ("audit trail of a cluster", MISSING):           (401, 404,    404,   404,     404,     404,     404,     404),
}
# fmt: on

CASES = [
    pytest.param(role, operation, obj, answers[column], id=f"{role}|{operation}|{obj}")
    for (operation, obj), answers in MATRIX.items()
    for column, role in enumerate(ROLES)
]

CLUSTERS = {
    OWN: "prod-east",
    SIBLING: "prod-west",
    OTHER_PROJECT: "edge-01",
    OTHER_TENANT: "globex-main",
}
PROJECTS = {OWN_PROJECT: ("Acme", "Default"), EDGE: ("Acme", "Edge"), GLOBEX: ("Globex", "Default")}
MISSING_UID = "0123456789abcdef01234567"


def world() -> dict[str, object]:
    """Every object's value and version, every agent, the releases, the audit trail and the
    keys: what a refused request must leave as it was."""
    state: dict[str, object] = {
        f"{model.__name__} {pk}": (value, version, key)
        for model in (Tenant, Project, Cluster)
        for pk, value, version, key in model.objects.values_list(
            "pk", "agent_upgrades", "agent_upgrades_version", "agent_upgrades_set_with_key"
        )
    }
    state["agents"] = dict(Cluster.objects.values_list("pk", "agent_version"))
    state["releases"] = sorted(PlatformRelease.objects.values_list("version", flat=True))
    state["audit records"] = sorted(AuditEvent.objects.values_list("uid", flat=True))
    state["agent upgrades"] = AgentUpgrade.objects.count()
    state["keys"] = sorted(ApiKey.objects.values_list("pk", "active", "expires_at"))
    return state


def target(operation: Operation, obj: str, role: str):
    """The object an operation addresses, or None when it is missing."""
    if operation.addresses == "cluster":
        return Cluster.objects.filter(name=CLUSTERS.get(obj, "")).first()
    if obj == TENANT:
        return Tenant.objects.get(name="Globex" if role == "other tenant's admin" else "Acme")
    if obj in PROJECTS:
        tenant, name = PROJECTS[obj]
        return Project.objects.get(tenant__name=tenant, name=name)
    return None


@pytest.fixture
def key_as(demo, stranger):
    """`key_as("project admin")`: that role's key (None for anonymous)."""
    root = User.objects.create_superuser("superuser", password="unused-password-1")

    def make(role: str) -> str | None:
        if role == "anonymous":
            return None
        user = {"no role": stranger, "superuser": root}.get(role) or User.objects.get(
            username=DEMO_USERS[role]
        )
        tenant = Tenant.objects.get(name="Globex" if role == "other tenant's admin" else "Acme")
        _row, key = ApiKey.issue(user, tenant, "matrix", timezone.now() + timedelta(days=7))
        return key

    return make


def send(key: str | None, operation: Operation, obj: str, role: str):
    thing = target(operation, obj, role)
    uid = thing.uid if thing is not None else MISSING_UID
    project = None
    if operation.addresses == "scope" and obj != TENANT:
        project = uid
    path = operation.path.format(uid=uid) + operation.query
    client = PaletteClient(key, project)
    if operation.method == "GET":
        return client.get(path)
    return client.post(path, {"spectroComponents": "lock"})


def test_the_matrix_covers_every_operation_of_the_api():
    from tests.api.contract import published_document

    documented = {
        (method.upper(), path)
        for path, item in published_document()["paths"].items()
        for method in item
    }
    covered = {(op.method, op.path.split("?")[0]) for op in OPERATIONS.values()}

    assert documented == covered
    assert {operation for operation, _ in MATRIX} == set(OPERATIONS)


@pytest.mark.parametrize(("role", "operation_name", "obj", "expected"), CASES)
def test_each_role_gets_the_answer_of_the_matrix_and_only_changes_write(
    demo, key_as, role, operation_name, obj, expected
):
    operation = OPERATIONS[operation_name]
    key = key_as(role)
    before = world()
    thing = target(operation, obj, role)

    response = send(key, operation, obj, role)

    if expected == CHANGED:
        assert response.status_code == 204, response.content
        old_version = thing.agent_upgrades_version
        thing.refresh_from_db()
        assert thing.agent_upgrades == AgentUpgrades.LOCK
        assert thing.agent_upgrades_version == old_version + 1
        event = AuditEvent.objects.get(uid=response["AuditUid"])
        assert event.api_key_name == "matrix"
        assert event.actor == ApiKey.objects.get(name="matrix").user
    elif expected == DRY:
        assert response.status_code == 200, response.content
        assert world() == before
    else:
        assert response.status_code == expected, response.content
        assert world() == before


# Keys that do not work, or no longer reach.


def test_a_revoked_key_is_refused_by_every_operation_and_changes_nothing(demo, key_for):
    key = key_for("tenant-admin", name="matrix")
    ApiKey.objects.filter(name="matrix").update(active=False)
    before = world()

    for name, operation in OPERATIONS.items():
        obj = OWN if operation.addresses == "cluster" else OWN_PROJECT
        response = send(key, operation, obj, "tenant admin")
        assert response.status_code == 401, name
        assert response.json()["code"] == "InvalidApiKey"
    assert world() == before


def test_an_expired_key_is_refused_by_every_operation_and_changes_nothing(demo, key_for, clock):
    key = key_for("tenant-admin", name="matrix", days=7)
    clock.advance(days=7, minutes=1)
    before = world()

    for name, operation in OPERATIONS.items():
        obj = OWN if operation.addresses == "cluster" else OWN_PROJECT
        response = send(key, operation, obj, "tenant admin")
        assert response.status_code == 401, name
        assert response.json()["code"] == "InvalidApiKey"
    assert world() == before


def test_a_key_for_one_tenant_never_reaches_the_other_even_with_roles_in_both(demo, key_for):
    admin = User.objects.get(username="tenant-admin")
    assign_perm("settings_app.administer_tenant", admin, demo.globex)
    key = key_for("tenant-admin", tenant="Globex", name="matrix")
    before = world()

    for name, operation in OPERATIONS.items():
        if operation.addresses in ("cluster", "project"):
            obj = OWN if operation.addresses == "cluster" else OWN_PROJECT  # Acme's
            assert send(key, operation, obj, "tenant admin").status_code == 404, name
    assert world() == before
    # Its own tenant, Globex, it reaches.
    response = PaletteClient(key).post(
        "/v1/spectroclusters/upgrade/settings", {"spectroComponents": "lock"}
    )
    assert response.status_code == 204
    assert AuditEvent.objects.get(uid=response["AuditUid"]).tenant == demo.globex


def test_a_superusers_key_for_globex_does_not_reach_acme(demo, key_for, superuser):
    key = key_for("root", tenant="Globex", name="matrix")
    before = world()

    for name, operation in OPERATIONS.items():
        if operation.addresses in ("cluster", "project"):
            obj = OWN if operation.addresses == "cluster" else OWN_PROJECT
            assert send(key, operation, obj, "superuser").status_code == 404, name
    assert world() == before


REVOCATIONS = [
    ("cluster admin", "administer_cluster", "cluster", "set cluster", OWN),
    ("project admin", "administer_project", "project", "push scope setting", OWN_PROJECT),
    ("tenant admin", "administer_tenant", "tenant", "push scope setting", TENANT),
]


@pytest.mark.parametrize(("role", "permission", "held_on", "operation", "obj"), REVOCATIONS)
def test_a_role_taken_away_takes_effect_on_the_keys_next_request(
    demo, key_as, role, permission, held_on, operation, obj
):
    key = key_as(role)
    assert send(key, OPERATIONS["read cluster"], OWN, role).status_code == 200
    group = Group.objects.get(user__username=DEMO_USERS[role])
    held = {"tenant": demo.acme, "project": demo.default, "cluster": demo.prod_east}[held_on]

    remove_perm(f"settings_app.{permission}", group, held)
    before = world()

    assert send(key, OPERATIONS["read cluster"], OWN, role).status_code == 404
    assert send(key, OPERATIONS[operation], obj, role).status_code in (403, 404)
    assert world() == before


def test_a_superuser_flag_taken_away_takes_effect_on_the_keys_next_request(demo, key_as):
    key = key_as("superuser")
    assert send(key, OPERATIONS["read cluster"], OTHER_PROJECT, "superuser").status_code == 200

    User.objects.filter(username="superuser").update(is_superuser=False)
    before = world()

    assert send(key, OPERATIONS["read cluster"], OTHER_PROJECT, "superuser").status_code == 404
    assert send(key, OPERATIONS["push scope setting"], TENANT, "superuser").status_code == 403
    assert world() == before


# The console's pages for API keys: My API Keys and Tenant Settings > API Keys, and the changes
# of a key. Every role acts on its own key, a key of someone else in Acme, a key of Globex, and
# a key that does not exist.

LOGIN = "login"  # 302 to the login page
MADE = "made"  # the key was made, revoked, activated or deleted
ITS_OWN = "own key"
ACME_KEY = "someone else's key in Acme"  # ci-bot's, a Project Viewer of Acme / Edge
GLOBEX_KEY = "a key of Globex"  # globex-bot's, a Project Viewer of Globex / Default
NO_KEY = "missing key"
ACME, GLOBEX_TENANT, NO_TENANT = "Acme", "Globex", "missing tenant"

# fmt: off
PAGE_MATRIX: dict[tuple[str, str], tuple] = {
    # (page or change, object):          anon   no role viewer clusterA projectA tenantA globexA super
    ("my api keys", NOTHING):             (LOGIN, 200,    200,   200,     200,     200,    200,    200),
    ("create a key for Acme", NOTHING):   (LOGIN, 400,    MADE,  MADE,    MADE,    MADE,   400,    MADE),
    ("revoke", ITS_OWN):                  (LOGIN, MADE,   MADE,  MADE,    MADE,    MADE,   MADE,   MADE),
    ("revoke", ACME_KEY):                 (LOGIN, 404,    404,   404,     404,     MADE,   404,    MADE),
    ("revoke", GLOBEX_KEY):               (LOGIN, 404,    404,   404,     404,     404,    MADE,   MADE),
    ("revoke", NO_KEY):                   (LOGIN, 404,    404,   404,     404,     404,    404,    404),
    ("activate", ITS_OWN):                (LOGIN, 403,    403,   403,     403,     403,    403,    403),
    ("activate", ACME_KEY):               (LOGIN, 404,    404,   404,     404,     MADE,   404,    MADE),
    ("activate", GLOBEX_KEY):             (LOGIN, 404,    404,   404,     404,     404,    MADE,   MADE),
    ("activate", NO_KEY):                 (LOGIN, 404,    404,   404,     404,     404,    404,    404),
    ("delete", ITS_OWN):                  (LOGIN, MADE,   MADE,  MADE,    MADE,    MADE,   MADE,   MADE),
    ("delete", ACME_KEY):                 (LOGIN, 404,    404,   404,     404,     MADE,   404,    MADE),
    ("delete", GLOBEX_KEY):               (LOGIN, 404,    404,   404,     404,     404,    MADE,   MADE),
    ("delete", NO_KEY):                   (LOGIN, 404,    404,   404,     404,     404,    404,    404),
    ("tenant api keys", ACME):            (LOGIN, 404,    404,   404,     404,     200,    404,    200),
    ("tenant api keys", GLOBEX_TENANT):   (LOGIN, 404,    404,   404,     404,     404,    200,    200),
    ("tenant api keys", NO_TENANT):       (LOGIN, 404,    404,   404,     404,     404,    404,    404),
}
# fmt: on
# The console's URLs these rows cover (the console's own matrix counts them as covered here).
PAGE_URL_NAMES = {
    "my_api_keys",
    "tenant_api_keys",
    "revoke_api_key",
    "activate_api_key",
    "delete_api_key",
}

PAGE_CASES = [
    pytest.param(role, page, obj, answers[column], id=f"{role}|{page}|{obj}")
    for (page, obj), answers in PAGE_MATRIX.items()
    for column, role in enumerate(ROLES)
]


@pytest.fixture
def keys_of(demo, stranger):
    """The keys the page matrix acts on, and a client logged in as the role."""
    from django.test import Client

    root = User.objects.create_superuser("superuser", password="unused-password-1")
    bots = {}
    for name, tenant, project in (("ci-bot", "Acme", "Edge"), ("globex-bot", "Globex", "Default")):
        bot = User.objects.create_user(name)
        assign_perm(
            "settings_app.view_project", bot, Project.objects.get(tenant__name=tenant, name=project)
        )
        bots[name] = ApiKey.issue(
            bot, Tenant.objects.get(name=tenant), name, timezone.now() + timedelta(days=7)
        )[0]

    def make(role: str):
        client = Client()
        user = None
        if role != "anonymous":
            user = {"no role": stranger, "superuser": root}.get(role) or User.objects.get(
                username=DEMO_USERS[role]
            )
            client.force_login(user)
        own = None
        if user is not None:
            tenant = Tenant.objects.get(name="Globex" if role == "other tenant's admin" else "Acme")
            own = ApiKey.issue(user, tenant, "own", timezone.now() + timedelta(days=7))[0]
        return client, {ITS_OWN: own, ACME_KEY: bots["ci-bot"], GLOBEX_KEY: bots["globex-bot"]}

    return make


@pytest.mark.parametrize(("role", "page", "obj", "expected"), PAGE_CASES)
def test_each_role_gets_the_answer_of_the_matrix_on_the_api_key_pages(
    demo, keys_of, role, page, obj, expected
):
    from django.urls import reverse

    client, keys = keys_of(role)
    key = keys.get(obj)
    if page == "activate" and key is not None:
        # Revoked by a Tenant Admin: only a Tenant Admin of its tenant, not its owner, may
        # activate it (a key its owner revoked stays revoked: test_api_key_revocation).
        ApiKey.objects.filter(pk=key.pk).update(active=False, revoked_by=ApiKey.Revoker.ADMIN)
    before = world()

    if page == "my api keys":
        response = client.get(reverse("my_api_keys"))
    elif page == "create a key for Acme":
        response = client.post(
            reverse("my_api_keys"),
            {"name": "new", "tenant": Tenant.objects.get(name="Acme").pk, "expires": "7"},
        )
    elif page == "tenant api keys":
        pk = {ACME: demo.acme.pk, GLOBEX_TENANT: demo.globex.pk}.get(obj, 999_999)
        response = client.get(reverse("tenant_api_keys", args=[pk]))
    else:
        pk = key.pk if key is not None else 999_999
        response = client.post(reverse(f"{page}_api_key", args=[pk]), {"confirmed": "yes"})

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    elif expected == MADE:
        assert response.status_code in (200, 302)
        if page == "create a key for Acme":
            assert ApiKey.objects.filter(name="new", user=response.wsgi_request.user).exists()
        elif page == "delete":
            assert not ApiKey.objects.filter(pk=key.pk).exists()
        else:
            assert ApiKey.objects.get(pk=key.pk).active is (page == "activate")
    else:
        assert response.status_code == expected
        assert world() == before
