"""The access helpers of settings_app/permissions/ (a view's first line, an API operation's),
asked without a request for every row of tests/who_may_do_what.py's ACCESS: every role, on its
own object, a sibling cluster, another project, another tenant and a missing id. A helper
answers 404 (Http404) to whoever may not see, 403 (PermissionDenied) to whoever may only look
and is asked for a change, and the object otherwise. (Which audit events a user sees:
test_audit_visibility.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from settings_app.models import ApiKey, Project, Tenant
from settings_app.permissions import (
    api_key_for_user,
    cluster_for_user,
    key_tenants,
    may_change_some_cluster,
    project_for_user,
    require_access,
    require_platform_admin,
    scope_for_user,
    tenant_for_user,
)
from settings_app.permissions.agents import edge_host_access, edge_host_for_user, gateway_for_user
from settings_app.permissions.api import (
    ApiCaller,
    api_cluster,
    api_destination,
    api_edge_host,
    api_gateway,
    api_object,
    api_project,
    api_project_to_enter,
    api_tenant,
    api_window,
)
from settings_app.permissions.notices import destination_for_user
from settings_app.permissions.roles import roles_for
from settings_app.permissions.scopes import ScopeRef
from settings_app.permissions.windows import window_for_user
from tests.access_requests import destination_of, edge_host_of, gateway_of
from tests.factories import World, make_user
from tests.who_may_do_what import (
    ACCESS,
    CHANGE,
    MISSING,
    NO,
    OTHER_PROJECT,
    OTHER_TENANT,
    OWN,
    REFUSED,
    ROLES,
    SEE,
    SIBLING,
)

MISSING_ID = 999_999_999


MISSING_UID = "0123456789abcdef01234567"


def cluster_of(world: World, obj: str):
    return {
        OWN: world.prod_east,
        SIBLING: world.prod_west,
        OTHER_PROJECT: world.edge_01,
        OTHER_TENANT: world.globex_main,
    }.get(obj)


def project_of(world: World, obj: str) -> Project | None:
    return {OWN: world.default, OTHER_PROJECT: world.edge, OTHER_TENANT: world.globex_default}.get(
        obj
    )


def tenant_of(world: World, obj: str) -> Tenant | None:
    return {OWN: world.acme, OTHER_TENANT: world.globex}.get(obj)


def outcome(ask) -> str:
    """What a helper answered, in the table's words: 404, 403, or what it let through."""
    try:
        result = ask()
    except Http404:
        return NO
    except PermissionDenied:
        return REFUSED
    return result


def may(look, change) -> str:
    """NO, SEE or CHANGE (or REFUSED), from a helper asked to look and asked for a change."""
    seen = outcome(look)
    if seen in (NO, REFUSED):
        return seen
    return CHANGE if outcome(change) not in (NO, REFUSED) else SEE


def caller_for(world: World, role: str) -> ApiCaller:
    """An API key's caller: the user's key is for Acme, the other tenant's admin's for Globex."""
    tenant = world.globex if role == "other tenant's admin" else world.acme
    user = world.users[role]
    return ApiCaller(user, tenant, "k", roles_for(user))


def ask(world: World, addresses: str, obj: str, role: str) -> str:
    """Ask the helper that decides `addresses` about the object, as the role."""
    user = world.users[role]
    cluster, project, tenant = cluster_of(world, obj), project_of(world, obj), tenant_of(world, obj)
    match addresses:
        case "cluster in a project scope" | "cluster in the tenant scope":
            home = cluster or world.prod_east  # a missing cluster is looked for in the own scope
            ref = (
                ScopeRef("tenants", home.tenant_id)
                if "tenant" in addresses
                else ScopeRef("projects", home.project_id)
            )
            pk = cluster.pk if cluster else MISSING_ID
            return may(
                lambda: cluster_for_user(user, ref, pk),
                lambda: cluster_for_user(user, ref, pk, change=True),
            )
        case "project scope" | "tenant scope":
            kind, pk = ("projects", project.pk if project else MISSING_ID)
            if addresses == "tenant scope":
                kind, pk = ("tenants", tenant.pk if tenant else MISSING_ID)

            def bulk_act():
                # A bulk act is for whoever may change some cluster of the scope.
                if not may_change_some_cluster(scope_for_user(user, ScopeRef(kind, pk))):
                    raise PermissionDenied
                return True

            return may(lambda: scope_for_user(user, ScopeRef(kind, pk)), bulk_act)
        case "project":
            pk = project.pk if project else MISSING_ID
            return may(
                lambda: project_for_user(user, pk), lambda: project_for_user(user, pk, change=True)
            )
        case "tenant":
            pk = tenant.pk if tenant else MISSING_ID
            return may(
                lambda: tenant_for_user(user, pk), lambda: tenant_for_user(user, pk, change=True)
            )
        case "project window":
            pk = world.windows[project.pk].pk if project else MISSING_ID
            return may(
                lambda: window_for_user(user, pk), lambda: window_for_user(user, pk, change=True)
            )
        case "edge host in a project scope" | "edge host in the tenant scope":
            host = edge_host_of(world, obj)
            home = host or edge_host_of(world, OWN)  # a missing host is looked for in the own scope
            ref = (
                ScopeRef("tenants", home.tenant_id)
                if "tenant" in addresses
                else ScopeRef("projects", home.project_id)
            )
            pk = host.pk if host else MISSING_ID

            def change_host():  # never on its own: the helper says why
                _console, found = edge_host_for_user(user, ref, pk)
                require_access(edge_host_access(roles_for(user), found), change=True)

            return may(lambda: edge_host_for_user(user, ref, pk), change_host)
        case "platform":
            return may(lambda: require_platform_admin(user), lambda: require_platform_admin(user))
        case "destination":
            found = destination_of(world, obj)
            ids = (found.tenant_id, found.pk) if found else (MISSING_ID, MISSING_ID)
            return may(
                lambda: destination_for_user(user, *ids), lambda: destination_for_user(user, *ids)
            )
        case "gateway":
            found = gateway_of(world, obj)
            ids = (found.tenant_id, found.pk) if found else (MISSING_ID, MISSING_ID)
            return may(
                lambda: gateway_for_user(user, *ids),
                lambda: gateway_for_user(user, *ids, change=True),
            )
    caller = caller_for(world, role)
    match addresses:
        case "api cluster":
            uid = cluster.uid if cluster else MISSING_UID
            return may(
                lambda: api_cluster(caller, uid), lambda: api_cluster(caller, uid, change=True)
            )
        case "api project":
            uid = project.uid if project else MISSING_UID
            return may(
                lambda: api_project(caller, uid), lambda: api_project(caller, uid, change=True)
            )
        case "api project scope":
            uid = project.uid if project else MISSING_UID
            seen = outcome(lambda: api_project_to_enter(caller, uid))
            return seen if seen in (NO, REFUSED) else SEE
        case "api destination":
            found = destination_of(world, obj)
            uid = found.uid if found else MISSING_UID
            return may(lambda: api_destination(caller, uid), lambda: api_destination(caller, uid))
        case "api tenant scope":
            return may(lambda: api_tenant(caller), lambda: api_tenant(caller))
        case "api project window":
            uid = world.windows[project.pk].uid if project else MISSING_UID
            return may(
                lambda: api_window(caller, uid), lambda: api_window(caller, uid, change=True)
            )
        case "api gateway":
            found = gateway_of(world, obj)
            uid = found.uid if found else MISSING_UID
            return may(
                lambda: api_gateway(caller, uid), lambda: api_gateway(caller, uid, change=True)
            )
        case "api edge host":
            found = edge_host_of(world, obj)
            uid = found.uid if found else MISSING_UID
            seen = outcome(lambda: api_edge_host(caller, uid))
            return seen if seen in (NO, REFUSED) else SEE
    raise AssertionError(f"no helper decides {addresses!r}")


HELPER_ROWS = sorted(
    {
        addresses
        for addresses, _obj in ACCESS
        if addresses
        not in (
            "api audit trail",
            "api freeze windows",
            "api key",
            "revoked key",
            "tenant for a key",
            "own account",
        )
    }
)


@pytest.mark.parametrize("addresses", HELPER_ROWS)
def test_the_access_helper_answers_every_role_on_every_object_as_the_table_says(
    access_world, addresses
):
    objects = [obj for row, obj in ACCESS if row == addresses]
    expected = {
        (obj, role): ACCESS[(addresses, obj)][ROLES.index(role)]
        for obj in objects
        for role in ROLES
    }

    answered = {(obj, role): ask(access_world, addresses, obj, role) for obj, role in expected}

    assert answered == expected


def test_a_cluster_is_found_only_in_its_own_scope_even_by_a_superuser(access_world):
    root = access_world.users["superuser"]
    default, acme = (
        ScopeRef("projects", access_world.default.pk),
        ScopeRef("tenants", access_world.acme.pk),
    )

    for ref, cluster in ((default, access_world.edge_01), (acme, access_world.globex_main)):
        with pytest.raises(Http404):
            cluster_for_user(root, ref, cluster.pk)


def test_a_malformed_or_out_of_range_id_or_uid_answers_404(access_world):
    root = access_world.users["superuser"]

    for pk in (0, -1, 2**63):
        with pytest.raises(Http404):
            project_for_user(root, pk)
    for uid in ("", "not-a-uid", access_world.prod_east.uid.upper() + "x"):
        with pytest.raises(Http404):
            api_cluster(caller_for(access_world, "superuser"), uid)
    assert api_object(caller_for(access_world, "superuser"), "not-a-uid") is None


def test_the_api_filters_the_audit_trail_only_by_what_the_role_may_see(access_world):
    for role in ROLES:
        caller = caller_for(access_world, role)
        for obj in (OWN, SIBLING, OTHER_PROJECT, OTHER_TENANT, MISSING):
            cluster = cluster_of(access_world, obj)
            found = api_object(caller, cluster.uid if cluster else MISSING_UID)
            seen = ACCESS[("api cluster", obj)][ROLES.index(role)] != NO
            assert (found == cluster) if seen else found is None, (role, obj)


# API keys: acting on a key (revoke, activate, delete), and the tenants a key may be made for.


def test_a_key_is_acted_on_by_its_owner_and_its_tenants_admins_only(access_world):
    week = timezone.now() + timedelta(days=7)
    ci_bot, globex_bot = make_user("ci-bot"), make_user("globex-bot")
    keys = {
        OTHER_PROJECT: ApiKey.issue(ci_bot, access_world.acme, "ci", week)[0],
        OTHER_TENANT: ApiKey.issue(globex_bot, access_world.globex, "ci", week)[0],
    }
    answered, expected = {}, {}
    for role in ROLES:
        user = access_world.users[role]
        own = ApiKey.issue(user, access_world.acme, f"own {role}", week)[0]
        for obj, key in ((OWN, own), *keys.items(), (MISSING, None)):
            expected[(obj, role)] = ACCESS[("api key", obj)][ROLES.index(role)]
            found = outcome(lambda: api_key_for_user(user, key.pk if key else MISSING_ID))  # noqa: B023
            answered[(obj, role)] = NO if found == NO else CHANGE
        in_acme = key_tenants(user).filter(pk=access_world.acme.pk).exists()
        expected[("tenant", role)] = ACCESS[("tenant for a key", OWN)][ROLES.index(role)]
        answered[("tenant", role)] = CHANGE if in_acme else "400"

    assert answered == expected
