"""An admin that belongs to the console (issue 10, item 7): titled "Palette console
administration", in the console's colours, working under the console's Content-Security-Policy
(no inline code, no image without its text), with projects named "Tenant / Project"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from settings_app.permissions.scopes import ScopeRef
from tests.html import parse
from tests.test_content_security_policy import INLINE_CODE


@pytest.fixture
def root(client_for, superuser):
    return client_for("root")


def admin_pages(demo) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:settings_app_cluster_changelist"),
        reverse("admin:settings_app_cluster_add"),
        reverse("admin:settings_app_cluster_change", args=[demo.prod_east.pk]),
        reverse("admin:settings_app_project_permissions", args=[demo.default.pk]),
        reverse("admin:settings_app_tenant_permissions", args=[demo.acme.pk]),
    ]


def test_the_console_links_its_administration_for_superusers_only(demo, root, client_for):
    console = reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])
    mine = parse(root.get(reverse("platform_upgrades")))
    theirs = parse(client_for("tenant-admin").get(console))

    assert mine.find("a", href=reverse("admin:index")).text == "Administration"
    assert theirs.find_all("a", href=reverse("admin:index")) == []


def test_every_admin_page_is_titled_and_styled_as_the_console(demo, root):
    for url in admin_pages(demo):
        response = root.get(url)
        assert response.status_code == 200, url
        page = parse(response)
        assert page.find("title").text.endswith("| Palette console administration"), url
        assert page.find("div", id="site-name").text == "Palette console administration"
        styles = [link.attrs["href"] for link in page.find_all("link", rel="stylesheet")]
        assert "/static/console/admin.css" in styles, url
        assert page.find("link", rel="icon").attrs["href"] == "/static/console/favicon.svg"


def test_no_admin_page_needs_inline_code_or_shows_an_image_without_its_text(demo, root):
    for url in admin_pages(demo):
        html = root.get(url).content.decode()
        found = [what for pattern, what in INLINE_CODE if pattern.search(html)]
        assert not found, f"{url} has {', '.join(found)}"
        assert not re.search(r"<img(?![^>]*\balt=)[^>]*>", html), url


def test_the_clusters_list_names_each_project_with_its_tenant(demo, root):
    page = parse(root.get(reverse("admin:settings_app_cluster_changelist")))

    cells = [td.text for td in page.find_all("td", class_="field-project_name")]
    assert sorted(cells) == sorted(
        ["Acme / Default"] * 3 + ["Acme / Edge"] * 2 + ["Globex / Default"]
    )
