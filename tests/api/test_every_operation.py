"""Every operation of the API (/v1/) against the table of tests/who_may_do_what.py: a stranger
(another tenant's admin, whose key is for Globex) gets the very 404 of a missing uid, a reader
is refused a change with 403 (or the nearest role without access gets 404 or 403), and the
narrowest role allowed succeeds. Then keys that do not work or no longer reach, and roles
taken away. On every answer that is not a change the database is unchanged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from settings_app.models import AgentUpgrades, ApiKey, AuditEvent, FreezeWindow
from settings_app.models.notices import Delivery, Destination
from tests.access_requests import DESTINATION, destination_of, edge_host_of, gateway_of
from tests.state import everything
from tests.who_may_do_what import (
    ACCESS,
    CHANGE,
    CHANGED,
    LOOK,
    MISSING,
    NO,
    NOTHING,
    OPERATIONS,
    OTHER_PROJECT,
    OTHER_TENANT,
    OWN,
    SEE,
    SIBLING,
    access,
    allowed_role,
    operation_answer,
    reader_role,
)

from .conftest import PaletteClient

MISSING_UID = "0123456789abcdef01234567"
KEY_NAME = "table"
WINDOW_NAME = "Made by the table"


def key_as(world, role: str) -> str:
    """The role's key: for Globex for the other tenant's admin, else for Acme."""
    tenant = world.globex if role == "other tenant's admin" else world.acme
    return ApiKey.issue(world.users[role], tenant, KEY_NAME, timezone.now() + timedelta(days=7))[1]


def thing_of(world, name: str, obj: str, role: str = ""):
    """The object an operation addresses, or None for a missing one (or none at all)."""
    addresses = OPERATIONS[name].addresses
    if addresses == "api tenant scope":
        return world.globex if role == "other tenant's admin" else world.acme
    if addresses == "api destination":
        return destination_of(world, obj)
    if addresses == "api gateway":
        return gateway_of(world, obj)
    if addresses == "api edge host":
        return edge_host_of(world, obj)
    cluster = {
        OWN: world.prod_east,
        SIBLING: world.prod_west,
        OTHER_PROJECT: world.edge_01,
        OTHER_TENANT: world.globex_main,
    }.get(obj)
    if cluster is None or addresses in ("api audit trail", "api freeze windows"):
        return None
    if addresses == "api project window":
        return world.windows[cluster.project_id]
    return cluster if addresses == "api cluster" else cluster.project


def send(world, key: str | None, name: str, obj: str, role: str = ""):
    op = OPERATIONS[name]
    thing = thing_of(world, name, obj, role)
    uid = thing.uid if thing is not None else MISSING_UID
    client = PaletteClient(key, uid if op.project_header else None)
    path = op.path.format(uid=uid)
    if op.method == "GET":
        return client.get(path)
    if op.path == "/v1/freezewindows":
        return client.post(path, window_body(uid))
    if op.path == "/v1/notificationdestinations":
        return client.post(path, DESTINATION_BODY)
    if op.path.endswith("/test"):
        return client.post(path)
    if op.method == "PATCH":
        return client.send_json("PATCH", path, {"name": WINDOW_NAME})
    if op.method == "DELETE":
        return client.send("DELETE", path)
    return client.post(path, {"spectroComponents": "lock"})


def window_body(scope_uid: str) -> dict:
    start = timezone.now() + timedelta(days=3)
    return {
        "name": WINDOW_NAME,
        "timeZone": "Europe/Berlin",
        "scopeUid": scope_uid,
        "schedule": "once",
        "start": f"{start:%Y-%m-%d}T18:00",
        "end": f"{start + timedelta(days=1):%Y-%m-%d}T06:00",
    }


def assert_window_made(world, response, name: str, obj: str, role: str) -> None:
    """A window created on the project, or the window renamed or deleted, by the role's user,
    audited."""
    window = thing_of(world, name, obj, role)
    if name == "delete a window":
        assert response.status_code == 204, response.content
        assert not FreezeWindow.objects.filter(pk=window.pk).exists()
    elif name == "change a window":
        assert response.status_code == 200, response.content
        assert FreezeWindow.objects.get(pk=window.pk).name == WINDOW_NAME
    else:
        assert response.status_code == 201, response.content
        made = FreezeWindow.objects.get(uid=response.json()["uid"])
        assert (made.project, made.created_by) == (window, world.users[role])
    assert AuditEvent.objects.filter(
        actor=world.users[role], action=AuditEvent.Action.WINDOW
    ).exists()


DESTINATION_BODY = {
    "kind": "email",
    "name": WINDOW_NAME,
    "addresses": ["ops@example.com"],
    "events": ["tenant.push"],
}


def assert_destination_made(world, response, name: str, obj: str, role: str) -> None:
    """A destination created, renamed, deleted or sent a test notice, by the role's user."""
    user = world.users[role]
    if name == "delete a notice destination":
        assert response.status_code == 204, response.content
        assert not Destination.objects.filter(name=DESTINATION).exists()
    elif name == "test a notice destination":
        assert response.status_code == 200, response.content
        assert Delivery.objects.filter(destination__name=DESTINATION, state="sent").exists()
        return  # a test notice is no change: no audit event
    elif name == "change a notice destination":
        assert response.status_code == 200, response.content
        assert Destination.objects.filter(name=WINDOW_NAME).exists()
    else:
        assert response.status_code == 201, response.content
        assert Destination.objects.get(uid=response.json()["uid"]).created_by == user
    assert AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.NOTICE).exists()


def assert_answer(world, response, name: str, obj: str, role: str, before: dict) -> None:
    expected = operation_answer(name, obj, role)
    if expected == CHANGED and "notice destination" in name:
        assert_destination_made(world, response, name, obj, role)
        return
    if expected == CHANGED and "window" in name:
        assert_window_made(world, response, name, obj, role)
        return
    if expected == CHANGED:
        assert response.status_code == 204, response.content
        thing = thing_of(world, name, obj, role)
        old_version = thing.agent_upgrades_version
        thing.refresh_from_db()
        assert thing.agent_upgrades == AgentUpgrades.LOCK
        assert thing.agent_upgrades_version == old_version + 1
        event = AuditEvent.objects.get(uid=response["AuditUid"])
        assert event.api_key_name == KEY_NAME
        assert event.actor == world.users[role]
        return
    assert response.status_code == expected, response.content
    assert everything() == before


def test_the_table_covers_every_operation_of_the_api():
    from tests.api.contract import published_document

    documented = {
        (method.upper(), path)
        for path, item in published_document()["paths"].items()
        for method in item
    }
    covered = {(op.method, op.path.split("?")[0]) for op in OPERATIONS.values()}

    assert documented == covered, (
        "Add every new operation to OPERATIONS in tests/who_may_do_what.py"
    )


STRANGERS = [
    name
    for name, op in OPERATIONS.items()
    if (op.addresses, OWN) in ACCESS and access(op.addresses, OWN, "other tenant's admin") == NO
]


@pytest.mark.parametrize("name", STRANGERS)
def test_a_stranger_gets_the_same_404_as_for_a_missing_uid(access_world, name):
    key = key_as(access_world, "other tenant's admin")
    before = everything()

    theirs = send(access_world, key, name, OWN)
    missing = send(access_world, key, name, MISSING)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert everything() == before


def object_of(name: str) -> str:
    return OWN if (OPERATIONS[name].addresses, OWN) in ACCESS else NOTHING


def refused_case(name: str) -> str | None:
    op = OPERATIONS[name]
    if op.does != LOOK and (reader := reader_role(op.addresses)):
        return reader
    for role in ("tenant admin", "project admin", "cluster admin", "viewer", "no role"):
        if access(op.addresses, object_of(name), role) not in (SEE, CHANGE):
            return role
    return None


REFUSED = [name for name in OPERATIONS if refused_case(name)]


@pytest.mark.parametrize("name", REFUSED)
def test_the_nearest_role_without_the_right_is_refused_and_nothing_changes(access_world, name):
    role = refused_case(name)
    key = key_as(access_world, role)
    before = everything()

    response = send(access_world, key, name, OWN, role)

    assert_answer(access_world, response, name, OWN, role, before)


@pytest.mark.parametrize("name", OPERATIONS)
def test_the_narrowest_role_allowed_succeeds(access_world, name):
    op = OPERATIONS[name]
    obj = object_of(name)
    role = allowed_role(op.addresses, op.does, obj)
    key = key_as(access_world, role)
    before = everything()

    response = send(access_world, key, name, obj, role)

    assert_answer(access_world, response, name, obj, role, before)


def test_without_a_key_every_operation_answers_401_and_changes_nothing(access_world):
    before = everything()

    for name in OPERATIONS:
        assert send(access_world, None, name, OWN).status_code == 401, name
    assert everything() == before


# Keys that do not work, or no longer reach.


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_revoked_or_expired_key_is_refused_by_every_operation(access_world, how):
    key = key_as(access_world, "tenant admin")
    if how == "revoked":
        ApiKey.objects.filter(name=KEY_NAME).update(active=False)
    else:
        ApiKey.objects.filter(name=KEY_NAME).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    before = everything()

    for name in OPERATIONS:
        response = send(access_world, key, name, OWN, "tenant admin")
        assert response.status_code == 401, name
        assert response.json()["code"] == "InvalidApiKey"
    assert everything() == before


ADDRESSED = [
    n
    for n, op in OPERATIONS.items()
    if op.addresses in ("api cluster", "api project", "api project scope")
]


def test_a_key_for_one_tenant_never_reaches_the_other_even_with_roles_in_both(access_world):
    w = access_world
    assign_perm("settings_app.administer_tenant", w.users["tenant admin"], w.globex)
    key = ApiKey.issue(
        w.users["tenant admin"], w.globex, KEY_NAME, timezone.now() + timedelta(days=7)
    )[1]
    before = everything()

    for name in ADDRESSED:  # Acme's objects
        assert send(w, key, name, OWN).status_code == 404, name
    assert everything() == before
    # Its own tenant, Globex, it reaches.
    response = PaletteClient(key).post(
        "/v1/spectroclusters/upgrade/settings", {"spectroComponents": "lock"}
    )
    assert response.status_code == 204
    assert AuditEvent.objects.get(uid=response["AuditUid"]).tenant == w.globex


def test_a_superusers_key_for_globex_does_not_reach_acme(access_world):
    w = access_world
    key = ApiKey.issue(
        w.users["superuser"], w.globex, KEY_NAME, timezone.now() + timedelta(days=7)
    )[1]
    before = everything()

    for name in ADDRESSED:
        assert send(w, key, name, OWN).status_code == 404, name
    assert everything() == before


# A role taken away takes effect on the key's next request.


@pytest.mark.parametrize("role", ["cluster admin", "superuser"])
def test_a_role_taken_away_takes_effect_on_the_keys_next_request(access_world, role):
    w = access_world
    key = key_as(w, role)
    assert send(w, key, "read cluster", OWN).status_code == 200

    if role == "superuser":
        User.objects.filter(pk=w.users[role].pk).update(is_superuser=False)
    else:
        remove_perm("settings_app.administer_cluster", w.users[role], w.prod_east)
    before = everything()

    assert send(w, key, "read cluster", OWN).status_code == 404
    assert send(w, key, "set cluster", OWN).status_code == 404
    assert send(w, key, "push tenant setting", OWN).status_code == 403
    assert everything() == before
