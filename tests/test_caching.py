"""What browsers and proxies may keep of the console's answers: nothing of a logged-in user's
in a shared cache; full pages kept for Back and Forward only, revalidated otherwise; fragments,
changes and errors kept nowhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from settings_app.permissions.scopes import ScopeRef


def project(demo) -> ScopeRef:
    return ScopeRef("projects", demo.default.pk)


PAGES = {
    "clusters": lambda d: reverse("cluster_list", args=[project(d)]),
    "cluster settings": lambda d: reverse("cluster_settings", args=[project(d), d.prod_east.pk]),
    "project settings": lambda d: reverse("project_platform_settings", args=[d.default.pk]),
    "tenant settings": lambda d: reverse("tenant_platform_settings", args=[d.acme.pk]),
    "audit logs": lambda d: reverse("audit_log", args=[project(d)]),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_logged_in_users_page_is_private_and_revalidated(demo, client_for, page):
    response = client_for("tenant-admin").get(page(demo))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_an_htmx_fragment_is_never_stored(demo, client_for, page):
    response = client_for("tenant-admin").get(page(demo), HTTP_HX_REQUEST="true")

    assert response["Cache-Control"] == "no-store"


def test_the_answer_to_a_change_is_never_stored(demo, client_for):
    url = reverse("change_cluster_agent_upgrades", args=[project(demo), demo.prod_east.pk])
    client = client_for("tenant-admin")

    assert client.post(url, {"value": "lock"})["Cache-Control"] == "no-store"
    assert client.post(url, {"value": "unlock"}, HTTP_HX_REQUEST="true")["Cache-Control"] == (
        "no-store"
    )


def test_an_error_page_is_never_stored(demo, client_for):
    response = client_for("viewer").get(reverse("tenant_settings", args=[demo.acme.pk]))

    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


def test_the_login_page_is_never_stored(db, client):
    response = client.get(reverse("login"))

    assert "no-store" in response["Cache-Control"]
