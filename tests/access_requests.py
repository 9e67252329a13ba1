"""Sending a console URL of tests/who_may_do_what.py to one of its objects, and checking the
answer the table gives: the requests of tests/test_every_url.py, on the small world of
tests/factories.py (`access_world`)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from settings_app import rules
from settings_app.models import (
    AgentUpgrades,
    ApiKey,
    AuditEvent,
    EdgeHost,
    FreezeWindow,
    PlatformRelease,
)
from settings_app.models.notices import Delivery, Destination
from settings_app.permissions import NOT_FOUND
from settings_app.permissions.scopes import ScopeRef
from tests.factories import World, grant, make_user
from tests.html import parse, without_csrf_tokens
from tests.state import everything
from tests.who_may_do_what import (
    CHANGED,
    LOGIN,
    MOVED,
    OTHER_PROJECT,
    OTHER_TENANT,
    OWN,
    SIBLING,
    Url,
)

MISSING_ID = 999_999_999
NEW_RELEASE = "9.0.0"
KEY_NAME = "made by the test"
WINDOW_NAME = "Made by the test"
WINDOW_FORMS = ("add_tenant_window", "add_project_window", "add_cluster_window", "edit_window")


def client_as(world: World, role: str | None) -> Client:
    """A client logged in as the role's user (None: anonymous)."""
    client = Client()
    if role is not None:
        client.force_login(world.users[role])
    return client


def cluster_at(world: World, obj: str):
    return {
        OWN: world.prod_east,
        SIBLING: world.prod_west,
        OTHER_PROJECT: world.edge_01,
        OTHER_TENANT: world.globex_main,
    }.get(obj)


def is_window(url: Url) -> bool:
    """Whether the URL acts on one freeze window (edit, end, delete)."""
    return url.addresses == "project window"


def is_key(url: Url) -> bool:
    """Whether the URL acts on one API key (revoke, activate, delete)."""
    return url.addresses in ("api key", "revoked key")


def key_for(world: World, url: Url, obj: str, user: User | None):
    """The key the URL acts on, if it acts on one; to be activated, one a Tenant Admin revoked
    (a key its owner revoked stays revoked: tests/api/test_api_key_pages.py)."""
    if is_window(url):
        cluster = cluster_at(world, obj)
        return world.windows[cluster.project_id] if cluster else None
    if not is_key(url):
        return None
    key = key_of(world, obj, user)
    if key is not None and url.addresses == "revoked key":
        ApiKey.objects.filter(pk=key.pk).update(active=False, revoked_by=ApiKey.Revoker.ADMIN)
        key.refresh_from_db()
    return key


def key_of(world: World, obj: str, user: User | None):
    """The API key `obj` names: the user's own, one of another user in Acme (a Project Viewer
    of Edge), one of Globex; None for a missing one."""
    week = timezone.now() + timedelta(days=7)
    if obj == OWN:
        return ApiKey.issue(user, world.acme, "own", week)[0] if user else None
    if obj not in (OTHER_PROJECT, OTHER_TENANT):
        return None
    name, tenant, project = (
        ("ci-bot", world.acme, world.edge)
        if obj == OTHER_PROJECT
        else ("globex-bot", world.globex, world.globex_default)
    )
    bot = User.objects.filter(username=name).first()
    if bot is None:
        bot = make_user(name)
        grant(bot, "Project Viewer", project)
    return ApiKey.issue(bot, tenant, name, week)[0]


DESTINATION = "ops mail"
DESTINATION_DATA = {
    "kind": "email",
    "name": KEY_NAME,
    "addresses": "ops@example.com",
    "events": ["tenant.push"],
}


def destination_of(world: World, obj: str) -> Destination | None:
    """The notice destination `obj` names: Acme's, Globex's (an email list: a test notice to
    it goes to the tests' outbox, nowhere else); None for a missing one."""
    tenant = {OWN: world.acme, OTHER_TENANT: world.globex}.get(obj)
    if tenant is None:
        return None
    return Destination.objects.get_or_create(
        tenant=tenant,
        name=DESTINATION,
        defaults={"kind": "email", "addresses": "ops@example.com", "events": "tenant.push"},
    )[0]


# The Edge host each object of the table names (made when first asked for, as a destination):
# one in prod-east, one in no cluster beside it, one in Acme / Edge, one in Globex / Default.
EDGE_HOSTS = {
    OWN: ("east-host", "default", "prod_east"),
    SIBLING: ("spare-host", "default", None),
    OTHER_PROJECT: ("edge-host", "edge", None),
    OTHER_TENANT: ("globex-host", "globex_default", None),
}


def edge_host_of(world: World, obj: str) -> EdgeHost | None:
    """The Edge host `obj` names; None for a missing one."""
    if obj not in EDGE_HOSTS:
        return None
    name, project, cluster = EDGE_HOSTS[obj]
    project = getattr(world, project)
    found = EdgeHost.objects.select_related("project").filter(project=project, name=name).first()
    if found is None:
        rules.new_edge_host(project, name, cluster=getattr(world, cluster) if cluster else None)
        found = EdgeHost.objects.select_related("project").get(project=project, name=name)
    return found


def gateway_of(world: World, obj: str):
    """The gateway `obj` names: Acme's pcg-vsphere, Globex's pcg-globex; None for a missing one."""
    tenant = {OWN: world.acme, OTHER_TENANT: world.globex}.get(obj)
    return world.gateways[tenant.pk] if tenant else None


def target(world: World, url: Url, obj: str):
    """The object the URL addresses (the one a change writes), or None."""
    if url.addresses == "gateway":
        return gateway_of(world, obj)
    cluster = cluster_at(world, obj)
    if cluster is None:
        return None
    if url.addresses.startswith("cluster") or "bulk" in url.name:  # a bulk act: the selected
        return cluster
    if url.addresses.startswith("project"):
        return cluster.project
    return cluster.project.tenant


def url_of(world: World, url: Url, obj: str, key=None) -> str:
    if url.addresses in ("platform", "own account", "tenant for a key"):
        return reverse(url.name)
    if is_key(url) or is_window(url):
        return reverse(url.name, args=[key.pk if key else MISSING_ID])
    if url.addresses == "destination":
        found = destination_of(world, obj)
        args = [found.tenant_id, found.pk] if found else [MISSING_ID, MISSING_ID]
        return reverse(url.name, args=args)
    if url.addresses.startswith("edge host"):
        host = edge_host_of(world, obj)
        home = host or edge_host_of(world, OWN)  # a missing host is looked for in the own scope
        ref = (
            ScopeRef("tenants", home.tenant_id)
            if "tenant" in url.addresses
            else ScopeRef("projects", home.project_id)
        )
        return reverse(url.name, args=[ref, host.pk if host else MISSING_ID])
    if url.addresses == "gateway":
        found = gateway_of(world, obj)
        args = [found.tenant_id, found.pk] if found else [MISSING_ID, MISSING_ID]
        return reverse(url.name, args=args)
    own = world.prod_east
    cluster = cluster_at(world, obj)
    home = cluster or own  # a missing cluster is looked for in the own scope
    tenant = cluster.tenant_id if cluster else MISSING_ID
    project = cluster.project_id if cluster else MISSING_ID
    match url.addresses:
        case "project scope" if url.scope_kind:
            return f"{reverse(url.name)}?scope=projects/{project}"
        case "tenant scope" if url.scope_kind:
            return f"{reverse(url.name)}?scope=tenants/{tenant}"
        case "cluster in a project scope":
            pk = cluster.pk if cluster else MISSING_ID
            return reverse(url.name, args=[ScopeRef("projects", home.project_id), pk])
        case "cluster in the tenant scope":
            pk = cluster.pk if cluster else MISSING_ID
            return reverse(url.name, args=[ScopeRef("tenants", home.tenant_id), pk])
        case "project scope":
            return reverse(url.name, args=[ScopeRef("projects", project)])
        case "tenant scope":
            return reverse(url.name, args=[ScopeRef("tenants", tenant)])
        case "project":
            return reverse(url.name, args=[project])
        case "tenant":
            return reverse(url.name, args=[tenant])
    raise AssertionError(f"unknown kind of address: {url.addresses}")


def send(client: Client, world: World, url: Url, obj: str, key=None, **headers):
    """The request the page would send: a change's form as rendered (the value wanted and the
    version it was drawn from), a bulk act's selection of the object's cluster."""
    address = url_of(world, url, obj, key)
    thing = target(world, url, obj)
    version = str(thing.agent_upgrades_version) if thing is not None else "0"
    data: dict = {}
    if url.name in ("bulk_change_clusters", "confirm_bulk_change"):
        cluster = cluster_at(world, obj)
        data = {
            "value": AgentUpgrades.LOCK,
            "cluster": f"{cluster.pk}:{version}" if cluster else "1:0",
        }
    elif url.name in ("confirm_release", "release_impact", "platform_upgrades"):
        data = (
            {"version": NEW_RELEASE}
            if url.method == "POST" or url.name != "platform_upgrades"
            else {}
        )
    elif url.name.startswith(("change_", "undo_", "confirm_")):
        data = {"value": AgentUpgrades.LOCK, "version": version}
    elif url.name == "my_api_keys" and url.method == "POST":
        data = {"name": KEY_NAME, "tenant": world.acme.pk, "expires": "7"}
    elif url.name in WINDOW_FORMS and url.method == "POST":
        start = timezone.now() + timedelta(days=3)
        data = {
            "name": WINDOW_NAME,
            "time_zone": "Europe/Berlin",
            "schedule": "once",
            "start_date": f"{start:%Y-%m-%d}",
            "start_time": "18:00",
            "end_date": f"{start + timedelta(days=1):%Y-%m-%d}",
            "end_time": "06:00",
            "confirmed": "yes",
        }
    elif is_key(url) or is_window(url):
        data = {"confirmed": "yes"}
    elif url.name in ("notifications", "edit_destination") and url.method == "POST":
        data = DESTINATION_DATA
    if url.method == "GET":
        return client.get(address, data, **headers)
    return client.post(address, data, **headers)


def assert_not_found(response, world: World, obj: str) -> None:
    """The one "Not found" page, naming nothing of what was asked for."""
    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Not found"
    assert page.find("p", class_="error-message").text == NOT_FOUND
    assert b"Pause Agent Upgrades" not in response.content
    cluster = cluster_at(world, obj)
    if cluster is not None:
        shown = without_csrf_tokens(response)
        names = [cluster.name, cluster.project.name, cluster.project.tenant.name]
        assert not [name for name in names if name in shown]


def assert_login(response, address: str) -> None:
    """302 to the login page, which comes back to the page asked for (with its query)."""
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login"), location
    (back,) = parse_qs(location.query)["next"]
    assert back == address or urlsplit(back).path == urlsplit(address).path


def assert_made(world: World, url: Url, obj: str, response, before: dict, key=None) -> None:
    """The change the URL exists for was made, by the user who asked, with its records."""
    user = response.wsgi_request.user
    if url.name == "platform_upgrades":
        assert PlatformRelease.objects.filter(version=NEW_RELEASE, released_by=user).exists()
    elif url.name == "my_api_keys":
        assert ApiKey.objects.filter(name=KEY_NAME, user=user).exists()
    elif url.name == "delete_api_key":
        assert not ApiKey.objects.filter(pk=key.pk).exists()
    elif is_key(url):
        assert ApiKey.objects.get(pk=key.pk).active is (url.name == "activate_api_key")
    elif url.name in WINDOW_FORMS or is_window(url):
        assert_window_made(world, url, obj, response, key)
    elif url.name in ("notifications", "edit_destination"):
        assert Destination.objects.filter(name=KEY_NAME).exists()
    elif url.name == "delete_destination":
        assert not Destination.objects.filter(name=DESTINATION).exists()
    elif url.name == "test_destination":
        assert Delivery.objects.filter(destination__name=DESTINATION, state="sent").exists()
    elif url.name == "rotate_destination_secret":
        assert AuditEvent.objects.filter(actor=user, detail__endswith="secret rotated").exists()
    else:
        assert response.status_code == 302
        thing = target(world, url, obj)
        old_version = thing.agent_upgrades_version
        thing.refresh_from_db()
        assert thing.agent_upgrades == AgentUpgrades.LOCK
        assert thing.agent_upgrades_version == old_version + 1
        assert len(everything()["audit records"]) > len(before["audit records"])
        assert AuditEvent.objects.filter(actor=user).exists()


def assert_answer(response, world: World, url: Url, obj: str, expected, before, key=None):
    """The answer the table gives, to a plain request; and only a change writes."""
    if expected == CHANGED:
        assert response.status_code in (200, 302), response.status_code
        assert_made(world, url, obj, response, before, key)
        return
    if expected == LOGIN:
        assert_login(response, url_of(world, url, obj, key))
    elif expected == MOVED:
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path != reverse("login")
    elif expected == 404:
        assert_not_found(response, world, obj)
    else:
        assert response.status_code == expected
    assert everything() == before


def assert_window_made(world: World, url: Url, obj: str, response, window) -> None:
    """A freeze window added at the URL's object, or the window edited, ended or deleted, by
    the user who asked, audited; and the page sent back to the window's settings."""
    user = response.wsgi_request.user
    assert response.status_code == 302
    if url.name == "delete_window":
        assert not FreezeWindow.objects.filter(pk=window.pk).exists()
    elif url.name == "end_window":
        assert FreezeWindow.objects.get(pk=window.pk).ended_at is not None
    elif url.name == "edit_window":
        assert FreezeWindow.objects.get(pk=window.pk).name == WINDOW_NAME
    else:
        made = FreezeWindow.objects.get(name=WINDOW_NAME)
        assert made.created_by == user
        assert made.target == target(world, url, obj)
    assert AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.WINDOW).exists()
