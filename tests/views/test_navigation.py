"""Getting around: the login page, logging out, where each user lands (`home`), the page for users
without a role, the Main Menu and the Scope switcher (`switch_scope`). Who may open which scope
is in tests/who_may_do_what.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from settings_app.models import Project, Tenant
from settings_app.permissions.scopes import ScopeRef
from tests.html import parse


def project_scope(project: Project) -> ScopeRef:
    return ScopeRef("projects", project.pk)


def tenant_scope(tenant: Tenant) -> ScopeRef:
    return ScopeRef("tenants", tenant.pk)


def main_menu(response) -> list[tuple[str, str]]:
    menu = parse(response).find("nav", aria_label="Main Menu")
    return [(a.text, a.attrs["href"]) for a in menu.find_all("a")]


def scope_options(response) -> list[tuple[str, str]]:
    select = parse(response).find("select", id="scope-select")
    return [(option.text, option.attrs["value"]) for option in select.find_all("option")]


# Login


def test_the_login_page_has_labelled_fields_and_a_log_in_button(db, client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    page = parse(response)
    labels = {label.text: label.attrs["for"] for label in page.find_all("label")}
    assert page.find("input", id=labels["Username"]).attrs["name"] == "username"
    password = page.find("input", id=labels["Password"])
    assert (password.attrs["name"], password.attrs["type"]) == ("password", "password")
    form = page.find("form", action=reverse("login"))
    button = form.find("button", type="submit")
    assert button.text == "Log in"


def test_logging_in_with_the_form_lands_the_user_in_their_scope(demo, client):
    response = client.post(
        reverse("login"), {"username": "viewer", "password": "palette-demo"}, follow=True
    )

    assert response.redirect_chain == [
        (reverse("home"), 302),
        (reverse("cluster_list", args=[project_scope(demo.default)]), 302),
    ]
    assert parse(response).find("h1").text == "Clusters"


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(demo, client):
    response = client.post(reverse("login"), {"username": "viewer", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in parse(response).find(role="alert").text
    assert "_auth_user_id" not in client.session


def test_an_anonymous_visitor_is_sent_to_the_login_page(db, client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_logging_out_returns_to_the_login_page(demo, client_for):
    client = client_for("viewer")

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302


# Landing


@pytest.mark.parametrize(
    ("username", "scope"),
    [
        ("tenant-admin", "acme"),
        ("project-admin", "default"),
        ("viewer", "default"),
        ("cluster-admin", "default"),
        ("globex-admin", "globex"),
    ],
)
def test_each_demo_user_lands_in_the_widest_scope_they_hold(demo, client_for, username, scope):
    obj = getattr(demo, scope)
    ref = tenant_scope(obj) if isinstance(obj, Tenant) else project_scope(obj)

    response = client_for(username).get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("cluster_list", args=[ref])


def test_a_user_with_roles_in_two_tenants_lands_in_the_tenant_they_administer(
    demo, client_for, user
):
    assign_perm("settings_app.administer_tenant", user("project-admin"), demo.globex)

    response = client_for("project-admin").get(reverse("home"))

    assert response["Location"] == reverse("cluster_list", args=[tenant_scope(demo.globex)])


def test_a_user_with_no_role_sees_the_no_access_page(demo, client_for, stranger):
    response = client_for("stranger").get(reverse("home"))

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "No access yet"
    assert page.find_all("nav", aria_label="Main Menu") == []
    assert page.find_all("select") == []
    assert page.find("span", class_="account-name").text == "stranger"


# Main Menu


def test_the_tenant_scope_menu_links_clusters_projects_tenant_settings_and_audit_logs(
    demo, client_for
):
    scope = tenant_scope(demo.acme)

    response = client_for("tenant-admin").get(reverse("cluster_list", args=[scope]))

    assert main_menu(response) == [
        ("Clusters", reverse("cluster_list", args=[scope])),
        ("Projects", reverse("project_list", args=[demo.acme.pk])),
        ("Tenant Settings", reverse("tenant_settings", args=[demo.acme.pk])),
        ("Audit Logs", reverse("audit_log", args=[scope])),
    ]


@pytest.mark.parametrize("username", ["tenant-admin", "project-admin", "viewer"])
def test_the_project_scope_menu_links_clusters_project_settings_and_audit_logs(
    demo, client_for, username
):
    scope = project_scope(demo.default)

    response = client_for(username).get(reverse("cluster_list", args=[scope]))

    assert main_menu(response) == [
        ("Clusters", reverse("cluster_list", args=[scope])),
        ("Project Settings", reverse("project_settings", args=[demo.default.pk])),
        ("Audit Logs", reverse("audit_log", args=[scope])),
    ]


def test_a_cluster_admin_gets_no_project_settings_in_the_menu(demo, client_for):
    scope = project_scope(demo.default)

    response = client_for("cluster-admin").get(reverse("cluster_list", args=[scope]))

    assert main_menu(response) == [
        ("Clusters", reverse("cluster_list", args=[scope])),
        ("Audit Logs", reverse("audit_log", args=[scope])),
    ]


@pytest.mark.parametrize(
    ("url_name", "label"),
    [("cluster_list", "Clusters"), ("audit_log", "Audit Logs")],
)
def test_the_menu_marks_the_current_page(demo, client_for, url_name, label):
    response = client_for("project-admin").get(
        reverse(url_name, args=[project_scope(demo.default)])
    )

    menu = parse(response).find("nav", aria_label="Main Menu")
    assert menu.find("a", aria_current="page").text == label


def test_the_menu_names_the_scope(demo, client_for):
    tenant = client_for("tenant-admin").get(reverse("cluster_list", args=[tenant_scope(demo.acme)]))
    project = client_for("tenant-admin").get(
        reverse("cluster_list", args=[project_scope(demo.edge)])
    )

    assert parse(tenant).find("p", class_="main-menu-scope").text == "Tenant Admin · Acme"
    assert parse(project).find("p", class_="main-menu-scope").text == "Acme / Edge"


# The Scope switcher


def test_the_scope_switcher_is_labelled_scope(demo, client_for):
    response = client_for("viewer").get(reverse("cluster_list", args=[project_scope(demo.default)]))

    page = parse(response)
    label = page.find("label", for_="scope-select")
    assert label.text == "Scope"
    assert page.find("select", id="scope-select").attrs["name"] == "scope"


def test_a_tenant_admin_can_switch_to_the_tenant_or_any_of_its_projects(demo, client_for):
    response = client_for("tenant-admin").get(
        reverse("cluster_list", args=[project_scope(demo.edge)])
    )

    assert scope_options(response) == [
        ("Tenant Admin", str(tenant_scope(demo.acme))),
        ("Default", str(project_scope(demo.default))),
        ("Edge", str(project_scope(demo.edge))),
    ]
    selected = parse(response).find("option", selected=True)
    assert selected.text == "Edge"


@pytest.mark.parametrize("username", ["project-admin", "viewer", "cluster-admin"])
def test_a_user_below_the_tenant_sees_only_their_project_and_no_tenant_admin(
    demo, client_for, username
):
    response = client_for(username).get(reverse("cluster_list", args=[project_scope(demo.default)]))

    assert scope_options(response) == [("Default", str(project_scope(demo.default)))]


def test_the_globex_admin_sees_only_globex_scopes(demo, client_for):
    response = client_for("globex-admin").get(
        reverse("cluster_list", args=[tenant_scope(demo.globex)])
    )

    assert scope_options(response) == [
        ("Tenant Admin", str(tenant_scope(demo.globex))),
        ("Default", str(project_scope(demo.globex_default))),
    ]


def test_projects_of_two_tenants_are_grouped_by_tenant(demo, client_for, user):
    assign_perm("settings_app.view_project", user("viewer"), demo.globex_default)

    response = client_for("viewer").get(reverse("cluster_list", args=[project_scope(demo.default)]))

    groups = parse(response).find("select", id="scope-select").find_all("optgroup")
    assert [(group.attrs["label"], group.text) for group in groups] == [
        ("Acme", "Default"),
        ("Globex", "Default"),
    ]


def test_switching_scope_redirects_to_the_clusters_of_that_scope(demo, client_for):
    scope = project_scope(demo.edge)

    response = client_for("tenant-admin").get(reverse("switch_scope"), {"scope": str(scope)})

    assert response.status_code == 302
    assert response["Location"] == reverse("cluster_list", args=[scope])


def test_switching_scope_through_htmx_answers_a_client_redirect(demo, client_for):
    scope = tenant_scope(demo.acme)

    response = client_for("tenant-admin").get(
        reverse("switch_scope"), {"scope": str(scope)}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("cluster_list", args=[scope])
    assert "Location" not in response


@pytest.mark.parametrize("value", ["", "garbage", "projects/x", "projects/1/2"])
def test_switching_to_a_malformed_scope_goes_home(demo, client_for, value):
    response = client_for("tenant-admin").get(reverse("switch_scope"), {"scope": value})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_switching_to_an_unknown_kind_of_scope_goes_home(demo, client_for):
    response = client_for("tenant-admin").get(
        reverse("switch_scope"), {"scope": f"clusters/{demo.default.pk}"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
