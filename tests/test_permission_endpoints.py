"""Who may change what (DESIGN.md §2), end to end: every demo role against the three change
endpoints, role grants through groups, and revoking a grant."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from settings_app.models import AgentUpgrades, AuditEvent, Cluster, Project, Tenant
from settings_app.scopes import ScopeRef

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK

CHANGED = "changed"  # 302 back to the settings page, and the value is written
LOGIN = "login"  # 302 to the login page, nothing written


def endpoint_url(demo, endpoint: str) -> str:
    if endpoint == "cluster":
        scope = ScopeRef("projects", demo.default.pk)
        return reverse("change_cluster_agent_upgrades", args=[scope, demo.prod_east.pk])
    if endpoint == "project":
        return reverse("change_project_agent_upgrades", args=[demo.default.pk])
    return reverse("change_tenant_agent_upgrades", args=[demo.acme.pk])


def target_of(demo, endpoint: str):
    return {"cluster": demo.prod_east, "project": demo.default, "tenant": demo.acme}[endpoint]


def world() -> dict[str, tuple[str, int]]:
    """Every object's value and version, and the number of audit events."""
    state: dict[str, tuple[str, int]] = {}
    for model in (Tenant, Project, Cluster):
        for obj in model.objects.all():
            state[f"{model.__name__} {obj.pk}"] = (obj.agent_upgrades, obj.agent_upgrades_version)
    state["audit events"] = (str(AuditEvent.objects.count()), 0)
    return state


def value_of(obj) -> str:
    obj.refresh_from_db()
    return obj.agent_upgrades


# The table: every demo role (plus anonymous and a user without roles) against each endpoint:
# the cluster prod-east (in project Default's scope), project Acme/Default, tenant Acme.
PERMISSION_TABLE = [
    # (user,           endpoint,  expected)
    ("tenant-admin", "cluster", CHANGED),
    ("tenant-admin", "project", CHANGED),
    ("tenant-admin", "tenant", CHANGED),
    ("project-admin", "cluster", CHANGED),
    ("project-admin", "project", CHANGED),
    ("project-admin", "tenant", 404),
    ("cluster-admin", "cluster", CHANGED),
    ("cluster-admin", "project", 404),
    ("cluster-admin", "tenant", 404),
    ("viewer", "cluster", 403),
    ("viewer", "project", 403),
    ("viewer", "tenant", 404),
    ("globex-admin", "cluster", 404),
    ("globex-admin", "project", 404),
    ("globex-admin", "tenant", 404),
    ("stranger", "cluster", 404),
    ("stranger", "project", 404),
    ("stranger", "tenant", 404),
    (None, "cluster", LOGIN),
    (None, "project", LOGIN),
    (None, "tenant", LOGIN),
]


@pytest.mark.parametrize(("username", "endpoint", "expected"), PERMISSION_TABLE)
def test_each_role_gets_what_the_permission_table_says(
    demo, client_for, stranger, username, endpoint, expected
):
    before = world()
    url = endpoint_url(demo, endpoint)

    response = client_for(username).post(url, {"value": "lock", "version": "0"})

    if expected == CHANGED:
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("login"))
        assert value_of(target_of(demo, endpoint)) == LOCK
        assert AuditEvent.objects.filter(actor_name=username).exists()
    elif expected == LOGIN:
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == reverse("login")
        assert parse_qs(location.query)["next"] == [url]
        assert world() == before
    else:
        assert response.status_code == expected
        assert world() == before


@pytest.mark.parametrize(("username", "endpoint", "expected"), PERMISSION_TABLE)
def test_each_role_gets_the_same_answer_through_htmx(
    demo, client_for, stranger, username, endpoint, expected
):
    before = world()

    response = client_for(username).post(
        endpoint_url(demo, endpoint), {"value": "lock", "version": "0"}, HTTP_HX_REQUEST="true"
    )

    if expected == CHANGED:
        assert response.status_code == 200
        assert b'role="switch" aria-checked="true"' in response.content
        assert value_of(target_of(demo, endpoint)) == LOCK
    elif expected == LOGIN:
        # htmx must not swap the login page into the switch: a full-page redirect instead.
        assert response.status_code == 200
        assert urlsplit(response["HX-Redirect"]).path == reverse("login")
        assert "Location" not in response
        assert world() == before
    elif expected == 403:
        # The page reloads, with the switch disabled: it shows what the user may do.
        assert response.status_code == 403
        assert response["HX-Refresh"] == "true"
        assert world() == before
    else:
        assert response.status_code == expected
        assert response["HX-Reswap"] == "none"
        assert world() == before


def test_an_anonymous_htmx_post_sends_the_user_back_to_the_page_after_login(demo, client_for):
    page = reverse("project_platform_settings", args=[demo.default.pk])

    response = client_for(None).post(
        endpoint_url(demo, "project"),
        {"value": "lock"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )

    assert response["HX-Redirect"] == f"{reverse('login')}?next={page.replace('/', '%2F')}"
    assert value_of(demo.default) == UNLOCK


def test_an_anonymous_plain_post_returns_to_the_referring_page_after_login(demo, client_for):
    page = reverse("tenant_platform_settings", args=[demo.acme.pk])

    response = client_for(None).post(
        endpoint_url(demo, "tenant"), {"value": "lock"}, HTTP_REFERER=f"http://testserver{page}"
    )

    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [page]


def test_a_referer_from_another_site_is_not_used_as_the_next_page(demo, client_for):
    url = endpoint_url(demo, "tenant")

    response = client_for(None).post(
        url, {"value": "lock"}, HTTP_REFERER="https://evil.example/phish/"
    )

    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("tenant-admin", CHANGED),
        ("project-admin", 404),
        ("cluster-admin", 404),
        ("viewer", 404),
        ("globex-admin", 404),
    ],
)
def test_only_a_tenant_admin_changes_a_cluster_from_the_tenant_scope(
    demo, client_for, username, expected
):
    scope = ScopeRef("tenants", demo.acme.pk)
    before = world()

    response = client_for(username).post(
        reverse("change_cluster_agent_upgrades", args=[scope, demo.prod_east.pk]),
        {"value": "lock"},
    )

    if expected == CHANGED:
        assert response.status_code == 302
        assert value_of(demo.prod_east) == LOCK
    else:
        assert response.status_code == expected
        assert world() == before


@pytest.mark.parametrize(
    ("username", "cluster_name", "expected"),
    [
        ("cluster-admin", "prod-west", 404),
        ("cluster-admin", "staging", 404),
        ("project-admin", "edge-01", 404),
        ("viewer", "prod-west", 403),
        ("project-admin", "prod-west", CHANGED),
    ],
)
def test_a_role_on_one_cluster_or_project_does_not_reach_its_neighbours(
    demo, client_for, username, cluster_name, expected
):
    cluster = Cluster.objects.get(name=cluster_name)
    scope = ScopeRef("projects", cluster.project_id)
    before = world()

    response = client_for(username).post(
        reverse("change_cluster_agent_upgrades", args=[scope, cluster.pk]), {"value": "lock"}
    )

    if expected == CHANGED:
        assert response.status_code == 302
        assert value_of(cluster) == LOCK
    else:
        assert response.status_code == expected
        assert world() == before


# Grants through groups, and revoking them.


@pytest.fixture
def newcomer(demo) -> User:
    return User.objects.create_user("newcomer", password="unused-password-1")


def client_of(client_for, user: User):
    client = client_for(None)
    client.force_login(user)
    return client


def test_a_project_admin_role_granted_to_a_group_works_like_one_granted_to_the_user(
    demo, client_for, newcomer
):
    group = Group.objects.create(name="Default operators")
    assign_perm("settings_app.administer_project", group, demo.default)
    newcomer.groups.add(group)
    client = client_of(client_for, newcomer)

    project = client.post(endpoint_url(demo, "project"), {"value": "lock"})
    cluster = client.post(endpoint_url(demo, "cluster"), {"value": "unlock"})
    tenant = client.post(endpoint_url(demo, "tenant"), {"value": "lock"})

    assert (project.status_code, cluster.status_code, tenant.status_code) == (302, 302, 404)
    assert value_of(demo.default) == LOCK
    assert value_of(demo.prod_east) == UNLOCK
    assert value_of(demo.prod_west) == LOCK
    assert value_of(demo.acme) == UNLOCK
    assert value_of(demo.edge_01) == UNLOCK


@pytest.mark.parametrize(
    ("permission", "target", "endpoint"),
    [
        ("administer_tenant", "acme", "tenant"),
        ("administer_project", "default", "project"),
        ("administer_cluster", "prod_east", "cluster"),
    ],
)
@pytest.mark.parametrize("holder", ["user", "group"])
def test_each_admin_role_works_whether_granted_to_the_user_or_to_a_group(
    demo, client_for, newcomer, permission, target, endpoint, holder
):
    if holder == "group":
        grantee = Group.objects.create(name="role holders")
        newcomer.groups.add(grantee)
    else:
        grantee = newcomer
    assign_perm(f"settings_app.{permission}", grantee, getattr(demo, target))

    response = client_of(client_for, newcomer).post(endpoint_url(demo, endpoint), {"value": "lock"})

    assert response.status_code == 302
    assert value_of(getattr(demo, target)) == LOCK


def test_a_viewer_role_granted_to_a_group_sees_the_project_and_changes_nothing(
    demo, client_for, newcomer
):
    group = Group.objects.create(name="Default watchers")
    assign_perm("settings_app.view_project", group, demo.default)
    newcomer.groups.add(group)
    client = client_of(client_for, newcomer)
    before = world()

    page = client.get(reverse("project_platform_settings", args=[demo.default.pk]))
    response = client.post(endpoint_url(demo, "project"), {"value": "lock"})

    assert page.status_code == 200
    assert b"view-only access to project Default" in page.content
    assert response.status_code == 403
    assert world() == before


def test_revoking_a_group_grant_takes_effect_on_the_next_request(demo, client_for, newcomer):
    group = Group.objects.create(name="Default operators")
    assign_perm("settings_app.administer_project", group, demo.default)
    newcomer.groups.add(group)
    client = client_of(client_for, newcomer)
    assert client.post(endpoint_url(demo, "project"), {"value": "lock"}).status_code == 302

    remove_perm("settings_app.administer_project", group, demo.default)
    before = world()
    response = client.post(endpoint_url(demo, "project"), {"value": "unlock"})

    assert response.status_code == 404
    assert value_of(demo.default) == LOCK
    assert world() == before


def test_revoking_a_user_grant_takes_effect_on_the_next_request(demo, client_for, newcomer):
    assign_perm("settings_app.administer_cluster", newcomer, demo.prod_east)
    client = client_of(client_for, newcomer)
    page = reverse(
        "cluster_settings", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]
    )
    assert client.get(page).status_code == 200

    remove_perm("settings_app.administer_cluster", newcomer, demo.prod_east)

    assert client.get(page).status_code == 404
    assert client.post(endpoint_url(demo, "cluster"), {"value": "lock"}).status_code == 404
    assert value_of(demo.prod_east) == UNLOCK


def test_revoking_the_demo_viewers_role_hides_the_project(demo, client_for, user):
    group = user("viewer").groups.get()
    client = client_for("viewer")
    page = reverse("project_settings", args=[demo.default.pk])
    assert client.get(page).status_code == 200

    remove_perm("settings_app.view_project", group, demo.default)

    assert client.get(page).status_code == 404


def test_leaving_a_group_takes_the_role_away(demo, client_for, user):
    admin = user("project-admin")
    client = client_for("project-admin")

    admin.groups.clear()
    response = client.post(endpoint_url(demo, "project"), {"value": "lock"})

    assert response.status_code == 404
    assert value_of(demo.default) == UNLOCK


def test_an_inactive_user_is_treated_as_logged_out(demo, client_for, user):
    client = client_for("tenant-admin")
    User.objects.filter(username="tenant-admin").update(is_active=False)

    response = client.post(endpoint_url(demo, "tenant"), {"value": "lock"})

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("login")
    assert value_of(demo.acme) == UNLOCK
