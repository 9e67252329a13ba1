"""Who may do what (DESIGN.md §2): the one table of the console's and the API's permissions,
written by hand from the design, not derived from the code under test. The tests read it:

- tests/unit/test_access_helpers.py asks the access helpers (settings_app/permissions/) each
  row of ACCESS, for every role and every kind of object, without a request;
- tests/test_every_url.py and tests/api/test_every_operation.py send each URL and each API
  operation its two or three requests (a stranger, a reader, the role allowed), and fail when
  a URL or an operation is missing here.

A new page or endpoint is one line in PAGES (or OPERATIONS, KEY_PAGES): what it addresses and
what it does. Who may do it follows from ACCESS.

Everyone not logged in is sent to log in from every page but the login page, and every API
operation answers them 401: that column is left out below.
"""

from __future__ import annotations

from dataclasses import dataclass

# The roles, in the order of the tables' columns. Every Acme role is held around the cluster
# prod-east: on it, on its project Acme / Default, or on the tenant Acme.
ROLES = [
    "no role",  # an account, and no role anywhere
    "viewer",  # Project Viewer of Acme / Default
    "cluster admin",  # Cluster Admin of prod-east
    "project admin",  # Project Admin of Acme / Default
    "tenant admin",  # Tenant Admin of Acme
    "other tenant's admin",  # Tenant Admin of Globex
    "superuser",  # no role, the flag
]

# The objects, seen from the Acme roles.
OWN = "own"  # prod-east, its project Acme / Default, its tenant Acme
SIBLING = "sibling"  # prod-west, in the same project (clusters only)
OTHER_PROJECT = "other project"  # edge-01 in Acme / Edge (or that project)
OTHER_TENANT = "other tenant"  # globex-main in Globex / Default (or that project, that tenant)
MISSING = "missing"  # an id or uid that does not exist (a cluster: in the own scope)
NOTHING = "-"  # a URL that addresses no object

# What a role may do with an object.
NO = "404"  # nothing: the object answers as one that does not exist
SEE = "see"  # look at it, and be refused a change with 403 and the reason
CHANGE = "change"  # look at it and change it
REFUSED = "403"  # the API's tenant scope, to anyone but its Tenant Admins: nothing to hide

# fmt: off
ACCESS: dict[tuple[str, str], tuple[str, ...]] = {
    # (what is addressed, object):                  no role viewer clusterA projectA tenantA globexA super
    # A cluster's pages, reached from a project's scope (projects/<p>/clusters/<c>/…).
    ("cluster in a project scope", OWN):            (NO,     SEE,   CHANGE,  CHANGE,  CHANGE,  NO,     CHANGE),
    ("cluster in a project scope", SIBLING):        (NO,     SEE,   NO,      CHANGE,  CHANGE,  NO,     CHANGE),
    ("cluster in a project scope", OTHER_PROJECT):  (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("cluster in a project scope", OTHER_TENANT):   (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("cluster in a project scope", MISSING):        (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # … and from the tenant scope (tenants/<t>/clusters/<c>/…): its Tenant Admins only.
    ("cluster in the tenant scope", OWN):           (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("cluster in the tenant scope", SIBLING):       (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("cluster in the tenant scope", OTHER_PROJECT): (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("cluster in the tenant scope", OTHER_TENANT):  (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("cluster in the tenant scope", MISSING):       (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A project's scope (Clusters, Audit Logs, a bulk act): anyone with a role in the project or
    # in one of its clusters; a change there is a bulk act, for whoever may change a cluster.
    ("project scope", OWN):                         (NO,     SEE,   CHANGE,  CHANGE,  CHANGE,  NO,     CHANGE),
    ("project scope", OTHER_PROJECT):               (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("project scope", OTHER_TENANT):                (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("project scope", MISSING):                     (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # The tenant scope: its Tenant Admins.
    ("tenant scope", OWN):                          (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("tenant scope", OTHER_TENANT):                 (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("tenant scope", MISSING):                      (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A project's own pages and setting (Project Settings): not a Cluster Admin's.
    ("project", OWN):                               (NO,     SEE,   NO,      CHANGE,  CHANGE,  NO,     CHANGE),
    ("project", OTHER_PROJECT):                     (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("project", OTHER_TENANT):                      (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("project", MISSING):                           (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A tenant's own pages and setting (Projects, Tenant Settings): its Tenant Admins.
    ("tenant", OWN):                                (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("tenant", OTHER_TENANT):                       (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("tenant", MISSING):                            (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A project's freeze window (Edit, End now, Delete): as the project's own setting.
    ("project window", OWN):                        (NO,     SEE,   NO,      CHANGE,  CHANGE,  NO,     CHANGE),
    ("project window", OTHER_PROJECT):              (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("project window", OTHER_TENANT):               (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("project window", MISSING):                    (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A notice destination (Tenant Settings › Notifications): Acme's, Globex's.
    ("destination", OWN):                           (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("destination", OTHER_TENANT):                  (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("destination", MISSING):                       (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # An Edge host's page (read-only: nobody changes a host on its own), from a project's scope:
    # own is a host in prod-east, sibling one in no cluster in Acme / Default, other project one
    # in Acme / Edge, other tenant one in Globex / Default (tests/access_requests.edge_host_of).
    ("edge host in a project scope", OWN):          (NO,     SEE,   SEE,     SEE,     SEE,     NO,     SEE),
    ("edge host in a project scope", SIBLING):      (NO,     SEE,   NO,      SEE,     SEE,     NO,     SEE),
    ("edge host in a project scope", OTHER_PROJECT): (NO,    NO,    NO,      NO,      SEE,     NO,     SEE),
    ("edge host in a project scope", OTHER_TENANT): (NO,     NO,    NO,      NO,      NO,      SEE,    SEE),
    ("edge host in a project scope", MISSING):      (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # … and from the tenant scope: its Tenant Admins only.
    ("edge host in the tenant scope", OWN):         (NO,     NO,    NO,      NO,      SEE,     NO,     SEE),
    ("edge host in the tenant scope", SIBLING):     (NO,     NO,    NO,      NO,      SEE,     NO,     SEE),
    ("edge host in the tenant scope", OTHER_PROJECT): (NO,   NO,    NO,      NO,      SEE,     NO,     SEE),
    ("edge host in the tenant scope", OTHER_TENANT): (NO,    NO,    NO,      NO,      NO,      SEE,    SEE),
    ("edge host in the tenant scope", MISSING):     (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A Private Cloud Gateway (Tenant Settings › Private Cloud Gateways): a tenant resource.
    ("gateway", OWN):                               (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("gateway", OTHER_TENANT):                      (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("gateway", MISSING):                           (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # Platform Upgrades: superusers only.
    ("platform", NOTHING):                          (NO,     NO,    NO,      NO,      NO,      NO,     CHANGE),

    # The API (/v1/), with a key for Acme (the other tenant's admin: for Globex). A key never
    # reaches beyond its tenant, not even a superuser's.
    ("api cluster", OWN):                           (NO,     SEE,   CHANGE,  CHANGE,  CHANGE,  NO,     CHANGE),
    ("api cluster", SIBLING):                       (NO,     SEE,   NO,      CHANGE,  CHANGE,  NO,     CHANGE),
    ("api cluster", OTHER_PROJECT):                 (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("api cluster", OTHER_TENANT):                  (NO,     NO,    NO,      NO,      NO,      CHANGE, NO),
    ("api cluster", MISSING):                       (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A project's setting (ProjectUid), as on Project Settings.
    ("api project", OWN):                           (NO,     SEE,   NO,      CHANGE,  CHANGE,  NO,     CHANGE),
    ("api project", OTHER_PROJECT):                 (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("api project", OTHER_TENANT):                  (NO,     NO,    NO,      NO,      NO,      CHANGE, NO),
    ("api project", MISSING):                       (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A project's freeze window, by its uid (/v1/freezewindows/{uid}): as the project's setting.
    ("api project window", OWN):                    (NO,     SEE,   NO,      CHANGE,  CHANGE,  NO,     CHANGE),
    ("api project window", OTHER_PROJECT):          (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("api project window", OTHER_TENANT):           (NO,     NO,    NO,      NO,      NO,      CHANGE, NO),
    ("api project window", MISSING):                (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # Every key's user lists the freeze windows (those whose scope the user may see).
    ("api freeze windows", NOTHING):                (SEE,    SEE,   SEE,     SEE,     SEE,     SEE,    SEE),
    # A project entered (its name, its clusters, its audit trail), as its scope.
    ("api project scope", OWN):                     (NO,     SEE,   SEE,     SEE,     SEE,     NO,     SEE),
    ("api project scope", OTHER_PROJECT):           (NO,     NO,    NO,      NO,      SEE,     NO,     SEE),
    ("api project scope", OTHER_TENANT):            (NO,     NO,    NO,      NO,      NO,      SEE,    NO),
    ("api project scope", MISSING):                 (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # The tenant scope (no ProjectUid): the key's own tenant, so a refusal is a 403.
    ("api tenant scope", OWN):                      (REFUSED, REFUSED, REFUSED, REFUSED, CHANGE, CHANGE, CHANGE),
    # A notice destination of the key's tenant (/v1/notificationdestinations/{uid}): as the
    # tenant scope, then found among the key's tenant's destinations only.
    ("api destination", OWN):                       (REFUSED, REFUSED, REFUSED, REFUSED, CHANGE, NO,    CHANGE),
    ("api destination", MISSING):                   (REFUSED, REFUSED, REFUSED, REFUSED, NO,     NO,    NO),
    # The audit trail: every key's user reads it (what they may see of it: ACCESS's rows).
    ("api audit trail", NOTHING):                   (SEE,    SEE,   SEE,     SEE,     SEE,     SEE,    SEE),
    # A gateway by uid (/v1/overlords/{uid}): the tenant's, its Tenant Admins'; to anyone else
    # it answers as a missing one. (The list is the tenant scope's.)
    ("api gateway", OWN):                           (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("api gateway", OTHER_TENANT):                  (NO,     NO,    NO,      NO,      NO,      CHANGE, NO),
    ("api gateway", MISSING):                       (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # An Edge host by uid (/v1/edgehosts/{uid}), seen with its project's roles, and by the Cluster
    # Admin of its cluster; never changed on its own. OWN: part of prod-east; SIBLING: in no
    # cluster in Acme / Default; OTHER_PROJECT: in no cluster in Acme / Edge; OTHER_TENANT: Globex's.
    ("api edge host", OWN):                         (NO,     SEE,   SEE,     SEE,     SEE,     NO,     SEE),
    ("api edge host", SIBLING):                     (NO,     SEE,   NO,      SEE,     SEE,     NO,     SEE),
    ("api edge host", OTHER_PROJECT):               (NO,     NO,    NO,      NO,      SEE,     NO,     SEE),
    ("api edge host", OTHER_TENANT):                (NO,     NO,    NO,      NO,      NO,      SEE,    NO),
    ("api edge host", MISSING):                     (NO,     NO,    NO,      NO,      NO,      NO,     NO),

    # API keys, on the console's pages My API Keys and Tenant Settings > API Keys.
    ("api key", OWN):                               (CHANGE, CHANGE, CHANGE, CHANGE,  CHANGE,  CHANGE, CHANGE),
    ("api key", OTHER_PROJECT):                     (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),  # someone else's in Acme
    ("api key", OTHER_TENANT):                      (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),  # one of Globex
    ("api key", MISSING):                           (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # Activating a key a Tenant Admin revoked: a Tenant Admin of its tenant, never its owner.
    ("revoked key", OWN):                           (REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, REFUSED),
    ("revoked key", OTHER_PROJECT):                 (NO,     NO,    NO,      NO,      CHANGE,  NO,     CHANGE),
    ("revoked key", OTHER_TENANT):                  (NO,     NO,    NO,      NO,      NO,      CHANGE, CHANGE),
    ("revoked key", MISSING):                       (NO,     NO,    NO,      NO,      NO,      NO,     NO),
    # A tenant to make a key for: one where the user holds a role (else 400: not a choice).
    ("tenant for a key", OWN):                      ("400",  CHANGE, CHANGE, CHANGE,  CHANGE,  "400",  CHANGE),
    # My API Keys itself: everyone's.
    ("own account", NOTHING):                       (CHANGE, CHANGE, CHANGE, CHANGE,  CHANGE,  CHANGE, CHANGE),
}
# fmt: on

# What a URL does, and so what it answers to a role that may see (SEE) or change (CHANGE).
LOOK = "look"  # 200 to anyone who sees it
WRITE = "change"  # the change made (302 back, or 204 from the API); 403 to a reader
UNDO = "undo"  # as a change; with nothing yet to undo, 409
CONFIRM = "confirm"  # a change's confirmation page or dialog: 200 where the change is allowed
CONFIRM_UNDO = "confirm undo"  # with nothing to undo: back to the settings (302)
GO = "go"  # a redirect into the console (the scope switcher): 302 to anyone who sees it
DRY_RUN = "dry run"  # the API's dryRun: 200 with the impact, nothing written

# The answers.
LOGIN = "login"  # 302 to the login page, which comes back here afterwards; nothing written
MOVED = "moved"  # 302 somewhere else in the console; nothing written
CHANGED = "changed"  # the change made, with its records
NOTHING_TO_UNDO = 409


@dataclass(frozen=True)
class Url:
    """A console URL: its name, method, what it addresses (a row group of ACCESS) and what it
    does. `scope_kind`: for the switcher's ?scope=, which kind of scope is chosen."""

    name: str
    method: str
    addresses: str
    does: str
    scope_kind: str = ""


# fmt: off
PAGES = {
    "platform upgrades":                    Url("platform_upgrades", "GET", "platform", LOOK),
    "release a platform version":           Url("platform_upgrades", "POST", "platform", WRITE),
    "confirm a release":                    Url("confirm_release", "GET", "platform", CONFIRM),
    "release impact":                       Url("release_impact", "GET", "platform", CONFIRM),
    "switch to a project scope":            Url("switch_scope", "GET", "project scope", GO, "projects"),
    "switch to the tenant scope":           Url("switch_scope", "GET", "tenant scope", GO, "tenants"),
    "project clusters":                     Url("cluster_list", "GET", "project scope", LOOK),
    "tenant clusters":                      Url("cluster_list", "GET", "tenant scope", LOOK),
    "project clusters csv":                 Url("cluster_list_csv", "GET", "project scope", LOOK),
    "tenant clusters csv":                  Url("cluster_list_csv", "GET", "tenant scope", LOOK),
    "project audit logs":                   Url("audit_log", "GET", "project scope", LOOK),
    "tenant audit logs":                    Url("audit_log", "GET", "tenant scope", LOOK),
    "project audit logs csv":               Url("audit_log_csv", "GET", "project scope", LOOK),
    "tenant audit logs csv":                Url("audit_log_csv", "GET", "tenant scope", LOOK),
    "bulk change":                          Url("bulk_change_clusters", "POST", "project scope", WRITE),
    "bulk change, tenant scope":            Url("bulk_change_clusters", "POST", "tenant scope", WRITE),
    "confirm bulk change":                  Url("confirm_bulk_change", "GET", "project scope", CONFIRM),
    "confirm bulk change, tenant scope":    Url("confirm_bulk_change", "GET", "tenant scope", CONFIRM),
    "cluster details":                      Url("cluster_detail", "GET", "cluster in a project scope", LOOK),
    "cluster details, tenant scope":        Url("cluster_detail", "GET", "cluster in the tenant scope", LOOK),
    "cluster settings":                     Url("cluster_settings", "GET", "cluster in a project scope", LOOK),
    "cluster settings, tenant scope":       Url("cluster_settings", "GET", "cluster in the tenant scope", LOOK),
    "change cluster":                       Url("change_cluster_agent_upgrades", "POST", "cluster in a project scope", WRITE),
    "change cluster, tenant scope":         Url("change_cluster_agent_upgrades", "POST", "cluster in the tenant scope", WRITE),
    "undo cluster change":                  Url("undo_cluster_change", "POST", "cluster in a project scope", UNDO),
    "undo cluster change, tenant scope":    Url("undo_cluster_change", "POST", "cluster in the tenant scope", UNDO),
    "confirm cluster change":               Url("confirm_cluster_change", "GET", "cluster in a project scope", CONFIRM),
    "confirm cluster change, tenant scope": Url("confirm_cluster_change", "GET", "cluster in the tenant scope", CONFIRM),
    "confirm cluster undo":                 Url("confirm_cluster_undo", "GET", "cluster in a project scope", CONFIRM_UNDO),
    "confirm cluster undo, tenant scope":   Url("confirm_cluster_undo", "GET", "cluster in the tenant scope", CONFIRM_UNDO),
    "project settings":                     Url("project_settings", "GET", "project", LOOK),
    "project platform settings":            Url("project_platform_settings", "GET", "project", LOOK),
    "change project":                       Url("change_project_agent_upgrades", "POST", "project", WRITE),
    "undo project change":                  Url("undo_project_change", "POST", "project", UNDO),
    "confirm project change":               Url("confirm_project_change", "GET", "project", CONFIRM),
    "confirm project undo":                 Url("confirm_project_undo", "GET", "project", CONFIRM_UNDO),
    "projects":                             Url("project_list", "GET", "tenant", LOOK),
    "tenant settings":                      Url("tenant_settings", "GET", "tenant", LOOK),
    "tenant platform settings":             Url("tenant_platform_settings", "GET", "tenant", LOOK),
    "change tenant":                        Url("change_tenant_agent_upgrades", "POST", "tenant", WRITE),
    "undo tenant change":                   Url("undo_tenant_change", "POST", "tenant", UNDO),
    "confirm tenant change":                Url("confirm_tenant_change", "GET", "tenant", CONFIRM),
    "confirm tenant undo":                  Url("confirm_tenant_undo", "GET", "tenant", CONFIRM_UNDO),
    # API keys: the user's own (My API Keys), another's, one of Globex; the tenant's list.
    "my api keys":                          Url("my_api_keys", "GET", "own account", LOOK),
    "create a key for Acme":                Url("my_api_keys", "POST", "tenant for a key", WRITE),
    "revoke a key":                         Url("revoke_api_key", "POST", "api key", WRITE),
    "activate a key":                       Url("activate_api_key", "POST", "revoked key", WRITE),
    "delete a key":                         Url("delete_api_key", "POST", "api key", WRITE),
    "tenant api keys":                      Url("tenant_api_keys", "GET", "tenant", LOOK),
    # Freeze windows: Add on each scope (the form, or its save), Edit, End now and Delete.
    "add tenant window form":               Url("add_tenant_window", "GET", "tenant", CONFIRM),
    "add tenant window":                    Url("add_tenant_window", "POST", "tenant", WRITE),
    "add project window form":              Url("add_project_window", "GET", "project", CONFIRM),
    "add project window":                   Url("add_project_window", "POST", "project", WRITE),
    "add cluster window form":              Url("add_cluster_window", "GET", "cluster in a project scope", CONFIRM),
    "add cluster window":                   Url("add_cluster_window", "POST", "cluster in a project scope", WRITE),
    "add cluster window, tenant scope":     Url("add_cluster_window", "POST", "cluster in the tenant scope", WRITE),
    "edit window form":                     Url("edit_window", "GET", "project window", CONFIRM),
    "edit window":                          Url("edit_window", "POST", "project window", WRITE),
    "end window":                           Url("end_window", "POST", "project window", WRITE),
    "delete window":                        Url("delete_window", "POST", "project window", WRITE),
    "tenant freeze calendar":               Url("tenant_freeze_calendar", "GET", "tenant", LOOK),
    # Notices: the tenant's destinations, and one of them.
    "notifications":                        Url("notifications", "GET", "tenant", LOOK),
    "add a destination":                    Url("notifications", "POST", "tenant", WRITE),
    "edit a destination":                   Url("edit_destination", "GET", "destination", LOOK),
    "save a destination":                   Url("edit_destination", "POST", "destination", WRITE),
    "delete a destination":                 Url("delete_destination", "POST", "destination", WRITE),
    "rotate a destination's secret":        Url("rotate_destination_secret", "POST", "destination", WRITE),
    "send a test notice":                   Url("test_destination", "POST", "destination", WRITE),
    "deliveries":                           Url("destination_deliveries", "GET", "destination", LOOK),
    # Clusters › Edge Hosts: the scope's hosts, their CSV, and a host's page.
    "project edge hosts":                   Url("edge_host_list", "GET", "project scope", LOOK),
    "tenant edge hosts":                    Url("edge_host_list", "GET", "tenant scope", LOOK),
    "project edge hosts csv":               Url("edge_host_list_csv", "GET", "project scope", LOOK),
    "tenant edge hosts csv":                Url("edge_host_list_csv", "GET", "tenant scope", LOOK),
    "edge host":                            Url("edge_host_detail", "GET", "edge host in a project scope", LOOK),
    "edge host, tenant scope":              Url("edge_host_detail", "GET", "edge host in the tenant scope", LOOK),
    # Private Cloud Gateways: the tenant's list, a gateway's page and its Cluster Settings.
    "tenant gateways":                      Url("tenant_gateways", "GET", "tenant", LOOK),
    "gateway details":                      Url("gateway_detail", "GET", "gateway", LOOK),
    "gateway settings":                     Url("gateway_settings", "GET", "gateway", LOOK),
    "change gateway":                       Url("change_gateway_agent_upgrades", "POST", "gateway", WRITE),
    "confirm gateway change":               Url("confirm_gateway_change", "GET", "gateway", CONFIRM),
}
# fmt: on
# The pages with answers of their own: the way in and out of the console.
# fmt: off
OWN_ANSWERS = {
    # URL name, method:   no role viewer clusterA projectA tenantA globexA super      anonymous
    ("home", "GET"):      ((200,   MOVED, MOVED,   MOVED,   MOVED,   MOVED,  MOVED),  LOGIN),
    ("login", "GET"):     ((MOVED, MOVED, MOVED,   MOVED,   MOVED,   MOVED,  MOVED),  200),
    ("logout", "POST"):   (("logged out",) * 7,                                       "logged out"),
}
# fmt: on


@dataclass(frozen=True)
class Operation:
    """An operation of the API: method, path ({uid}: the object's), what it addresses, what it
    does; `project_header`: the uid goes in the ProjectUid header, not the path."""

    method: str
    path: str
    addresses: str
    does: str
    project_header: bool = False


SETTINGS = "/v1/spectroclusters/upgrade/settings"
# fmt: off
OPERATIONS = {
    "read cluster":                 Operation("GET", "/v1/spectroclusters/{uid}", "api cluster", LOOK),
    "read cluster setting":         Operation("GET", "/v1/spectroclusters/{uid}/upgrade/settings", "api cluster", LOOK),
    "set cluster":                  Operation("POST", "/v1/spectroclusters/{uid}/upgrade/settings", "api cluster", WRITE),
    "set cluster, dry run":         Operation("POST", "/v1/spectroclusters/{uid}/upgrade/settings?dryRun=true", "api cluster", DRY_RUN),
    "read project setting":         Operation("GET", SETTINGS, "api project", LOOK, project_header=True),
    "push project setting":         Operation("POST", SETTINGS, "api project", WRITE, project_header=True),
    "push project, dry run":        Operation("POST", SETTINGS + "?dryRun=true", "api project", DRY_RUN, project_header=True),
    "read tenant setting":          Operation("GET", SETTINGS, "api tenant scope", LOOK),
    "push tenant setting":          Operation("POST", SETTINGS, "api tenant scope", WRITE),
    "push tenant, dry run":         Operation("POST", SETTINGS + "?dryRun=true", "api tenant scope", DRY_RUN),
    "list a project's clusters":    Operation("GET", "/v1/dashboard/spectroclusters/meta", "api project scope", LOOK, project_header=True),
    "list the tenant's clusters":   Operation("GET", "/v1/dashboard/spectroclusters/meta", "api tenant scope", LOOK),
    "read project":                 Operation("GET", "/v1/projects/{uid}", "api project scope", LOOK),
    "audit trail":                  Operation("GET", "/v1/audits", "api audit trail", LOOK),
    "audit trail of a project":     Operation("GET", "/v1/audits?projectUid={uid}", "api project scope", LOOK),
    "audit trail of a cluster":     Operation("GET", "/v1/audits?resourceUid={uid}", "api cluster", LOOK),
    "list freeze windows":          Operation("GET", "/v1/freezewindows", "api freeze windows", LOOK),
    "create a project window":      Operation("POST", "/v1/freezewindows", "api project", WRITE),
    "read a window":                Operation("GET", "/v1/freezewindows/{uid}", "api project window", LOOK),
    "change a window":              Operation("PATCH", "/v1/freezewindows/{uid}", "api project window", WRITE),
    "delete a window":              Operation("DELETE", "/v1/freezewindows/{uid}", "api project window", WRITE),
    "list notice destinations":     Operation("GET", "/v1/notificationdestinations", "api tenant scope", LOOK),
    "create a notice destination":  Operation("POST", "/v1/notificationdestinations", "api tenant scope", WRITE),
    "read a notice destination":    Operation("GET", "/v1/notificationdestinations/{uid}", "api destination", LOOK),
    "change a notice destination":  Operation("PATCH", "/v1/notificationdestinations/{uid}", "api destination", WRITE),
    "delete a notice destination":  Operation("DELETE", "/v1/notificationdestinations/{uid}", "api destination", WRITE),
    "test a notice destination":    Operation("POST", "/v1/notificationdestinations/{uid}/test", "api destination", WRITE),
    # Gateways (Palette's overlords) and Edge hosts.
    "list gateways":                Operation("GET", "/v1/overlords", "api tenant scope", LOOK),
    "read gateway":                 Operation("GET", "/v1/overlords/{uid}", "api gateway", LOOK),
    "read gateway setting":         Operation("GET", "/v1/overlords/{uid}/upgrade/settings", "api gateway", LOOK),
    "set gateway":                  Operation("POST", "/v1/overlords/{uid}/upgrade/settings", "api gateway", WRITE),
    "set gateway, dry run":         Operation("POST", "/v1/overlords/{uid}/upgrade/settings?dryRun=true", "api gateway", DRY_RUN),
    "audit trail of a gateway":     Operation("GET", "/v1/audits?resourceUid={uid}", "api gateway", LOOK),
    "read edge host":               Operation("GET", "/v1/edgehosts/{uid}", "api edge host", LOOK),
    "audit trail of an edge host":  Operation("GET", "/v1/audits?resourceUid={uid}", "api edge host", LOOK),
    "list a project's edge hosts":  Operation("GET", "/v1/edgehosts/metadata", "api project scope", LOOK, project_header=True),
    "list the tenant's edge hosts": Operation("GET", "/v1/edgehosts/metadata", "api tenant scope", LOOK),
}
# fmt: on
def access(addresses: str, obj: str, role: str) -> str:
    """What the role may do with the object (NO, SEE, CHANGE, or an answer of its own)."""
    return ACCESS[(addresses, obj)][ROLES.index(role)]


def answer(does: str, may: str):
    """The answer of a URL that does `does` to a role that `may` (an ACCESS value)."""
    if may not in (SEE, CHANGE):
        return int(may)  # 404, or an answer of the row's own (403, 400)
    if does in (LOOK, GO):
        return 200 if does == LOOK else MOVED
    if may == SEE:
        return 403
    return {
        WRITE: CHANGED,
        UNDO: NOTHING_TO_UNDO,
        CONFIRM: 200,
        CONFIRM_UNDO: MOVED,
        DRY_RUN: 200,
    }[does]


def page_answer(page: str, obj: str, role: str):
    url = PAGES[page]
    return answer(url.does, access(url.addresses, obj, role))


def operation_answer(operation: str, obj: str, role: str):
    op = OPERATIONS[operation]
    return answer(op.does, access(op.addresses, obj, role))


def allowed_role(addresses: str, does: str, obj: str = OWN) -> str | None:
    """The narrowest role that succeeds: the first of ROLES that may do it."""
    need = (SEE, CHANGE) if does in (LOOK, GO) else (CHANGE,)
    return next((role for role in ROLES if access(addresses, obj, role) in need), None)


def reader_role(addresses: str, obj: str = OWN) -> str | None:
    """A role that sees the object but may not change it, if there is one."""
    return next((role for role in ROLES if access(addresses, obj, role) == SEE), None)


def refused_roles(addresses: str, obj: str = OWN) -> list[str]:
    """The roles that get 404 for the object."""
    return [role for role in ROLES if access(addresses, obj, role) == NO]
