"""What the browser is allowed to run: a Content-Security-Policy without inline code or eval on
every answer, templates that need nothing more, and htmx configured by its meta tag."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from settings_app.permissions.scopes import ScopeRef
from tests.html import parse

ROOT = Path(__file__).resolve().parent.parent


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def pages(demo) -> list[tuple[str | None, str]]:
    project = ScopeRef("projects", demo.default.pk)
    return [
        (None, reverse("login")),
        ("tenant-admin", reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])),
        ("tenant-admin", reverse("tenant_platform_settings", args=[demo.acme.pk])),
        ("project-admin", reverse("project_platform_settings", args=[demo.default.pk])),
        ("project-admin", reverse("cluster_settings", args=[project, demo.prod_east.pk])),
        ("project-admin", reverse("audit_log", args=[project])),
        ("viewer", reverse("tenant_settings", args=[demo.acme.pk])),  # a 404 page
    ]


def test_every_page_allows_only_our_own_scripts_and_styles_and_no_inline_code_or_eval(
    demo, client_for
):
    for username, url in pages(demo):
        response = client_for(username).get(url)

        assert response.status_code in (200, 404), url
        directives = policy(response)
        assert directives["default-src"] == ["'none'"], url
        assert directives["script-src"] == ["'self'"], url
        assert directives["style-src"] == ["'self'"], url
        assert directives["frame-ancestors"] == ["'none'"], url
        assert "unsafe" not in response["Content-Security-Policy"], url


def test_an_htmx_answer_carries_the_policy_too(demo, client_for):
    response = client_for("project-admin").post(
        reverse("change_project_agent_upgrades", args=[demo.default.pk]),
        {"value": "lock"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\bhx-on", re.I), "hx-on (evaluated code)"),
]


@pytest.mark.parametrize(
    "template",
    sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")),
)
def test_no_template_needs_inline_code_or_styles(template):
    text = (ROOT / template).read_text()

    found = [what for pattern, what in INLINE_CODE if pattern.search(text)]

    assert not found, f"{template} has {', '.join(found)}, which the policy refuses"


def htmx_config(response) -> dict:
    return json.loads(parse(response).find("meta", name="htmx-config").attrs["content"])


def test_htmx_is_configured_by_its_meta_tag_without_eval_or_injected_styles(client):
    config = htmx_config(client.get(reverse("login")))

    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["selfRequestsOnly"] is True


def test_the_htmx_indicator_styles_are_in_our_stylesheet():
    css = (ROOT / "static" / "console" / "console.css").read_text()

    assert re.search(r"^\.htmx-indicator\s*\{", css, re.M)
    assert re.search(r"\.htmx-request\s+\.htmx-indicator", css)
