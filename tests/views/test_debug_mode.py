"""Debug mode (the Quick start's DJANGO_DEBUG=1) answers as production does (issue 22, item 1):
no script that swaps an htmx error answer over the whole page, and the console's own 404 rather
than Django's page listing every URL pattern. The flow in a browser is in
tests/e2e/test_debug_mode.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from settings_app.permissions import NOT_FOUND
from settings_app.permissions.scopes import ScopeRef
from tests.html import messages_text, parse

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def missing_cluster(demo) -> str:
    return reverse("cluster_detail", args=[ScopeRef("projects", demo.default.pk), 2**40])


def test_debug_mode_loads_htmx_without_the_script_that_swaps_errors_over_the_page(
    debug, demo, client_for
):
    clusters = reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])

    html = client_for("tenant-admin").get(clusters).content.decode()

    assert "django_htmx/htmx-2.min.js" in html
    assert "django-htmx.js" not in html


@pytest.mark.parametrize("where", ["/no-such-page/", "missing cluster"])
def test_debug_mode_answers_a_missing_page_with_the_consoles_404(debug, demo, client_for, where):
    url = missing_cluster(demo) if where == "missing cluster" else where

    response = client_for("tenant-admin").get(url)

    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Not found"
    assert page.find("p", class_="error-message").text == NOT_FOUND
    assert "urlpatterns" not in response.content.decode()


def test_debug_mode_answers_an_htmx_request_for_a_missing_cluster_with_a_message(
    debug, demo, client_for
):
    response = client_for("tenant-admin").get(missing_cluster(demo), **HTMX)

    assert response.status_code == 404
    assert response["HX-Reswap"] == "none"
    assert NOT_FOUND in messages_text(parse(response))


def test_debug_mode_still_adds_the_missing_slash(debug, demo, client_for):
    response = client_for("tenant-admin").get("/platform/upgrades")

    assert response.status_code == 301
    assert response["Location"] == "/platform/upgrades/"
