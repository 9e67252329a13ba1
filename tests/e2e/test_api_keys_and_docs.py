"""In headless Chromium, by role and accessible name: a person makes an API key on My API Keys,
copies it with its button, and uses it against the API; revoking asks first, and Cancel leaves
the key working; the uid of a cluster is copied from its details (and without JavaScript no
Copy button shows that could not work); and the API's reference page
at /v1/docs shows every operation with no console error under the console's CSP."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from settings_app.models import ApiKey

from .conftest import Browsing
from .test_console_ui import page_without_javascript

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_my_api_keys(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="My API Keys", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My API Keys")


def api_status(key: str) -> int:
    return Client().get("/v1/audits", headers={"ApiKey": key}).status_code


def test_a_tenant_admin_makes_a_key_copies_it_and_the_api_takes_it(browsing: Browsing, demo):
    page = browsing.new_page("tenant-admin")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_my_api_keys(page)

    page.get_by_label("Name").fill("ci-freeze")
    page.get_by_label("Expires in").select_option(label="7 days")
    page.get_by_role("button", name="Create API key", exact=True).click()

    expect(page.get_by_role("heading", name="API key ci-freeze created")).to_be_visible()
    page.get_by_role("button", name="Copy API key").click()
    expect(page.get_by_role("button", name="Copy API key")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert ApiKey.find(copied).name == "ci-freeze"
    assert api_status(copied) == 200
    page.reload()  # a reload asks to send the form again; a fresh visit never shows the key
    page.goto("/account/api-keys/")
    assert copied not in page.content()


def test_revoking_a_key_asks_first_and_cancel_leaves_it_working(browsing: Browsing, demo):
    _row, key = ApiKey.issue(_user("viewer"), demo.acme, "cron", _in_days(7))
    page = browsing.new_page("viewer")
    open_my_api_keys(page)

    page.get_by_role("button", name="Revoke", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Revoke API key cron")
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog).to_be_hidden()
    assert api_status(key) == 200

    page.get_by_role("button", name="Revoke", exact=True).click()
    dialog.get_by_role("button", name="OK", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("API key cron")
    # Revoked by its owner, for good: no Activate, only Delete.
    expect(page.get_by_role("main").get_by_text("Revoked", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Activate", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Delete", exact=True)).to_be_visible()
    assert api_status(key) == 401


def test_the_uid_of_a_cluster_is_copied_from_its_details(browsing: Browsing, demo):
    page = browsing.new_page("viewer")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/projects/{demo.default.pk}/clusters/{demo.prod_east.pk}/")

    page.get_by_role("button", name="Copy UID").click()

    assert page.evaluate("navigator.clipboard.readText()") == demo.prod_east.uid


def test_without_javascript_no_copy_button_shows_and_the_uid_stays_selectable(
    browsing: Browsing, demo
):
    page = page_without_javascript(browsing, "viewer")
    page.goto(f"/projects/{demo.default.pk}/clusters/{demo.prod_east.pk}/")

    expect(page.locator("#cluster-uid")).to_have_text(demo.prod_east.uid)
    expect(page.locator("button[data-copy]")).to_be_hidden()


def test_the_api_reference_page_shows_every_operation_without_a_console_error(
    browsing: Browsing, demo
):
    page = browsing.new_page()  # no login and no key: the page and the document are public
    page.goto("/v1/docs")

    document = page.request.get("/v1/openapi.json").json()
    methods = {"get", "post", "put", "patch", "delete"}
    count = sum(len(methods & set(path)) for path in document["paths"].values())
    operations = page.locator(".opblock")
    expect(operations).to_have_count(count)  # every operation of the document
    for summary in page.locator(".opblock-summary").all():
        summary.click()
    for toggle in page.locator(".model-box-control").all()[:6]:
        toggle.click()
    expect(page.get_by_text("Read one cluster", exact=True)).to_be_visible()
    expect(
        page.get_by_text("Push a value to the tenant or a project, and every cluster in it")
    ).to_be_visible()
    document = json.loads(page.evaluate("fetch('/v1/openapi.json').then(r => r.text())"))
    # Six of Palette's paths, two of freeze windows, three of notice destinations, four of
    # Palette's for gateways and Edge hosts and one for a gateway's setting.
    assert len(document["paths"]) == 16
    # The browsing fixture fails the test on any console error or CSP violation.


def test_the_api_reference_leads_back_to_the_console_and_to_my_api_keys(browsing: Browsing, demo):
    page = browsing.new_page("viewer")
    page.goto("/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()

    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    intro = page.get_by_role("main").get_by_role("link", name="My API Keys", exact=True)
    expect(intro).to_have_attribute("href", "/account/api-keys/")
    page.get_by_role("navigation", name="Console").get_by_role(
        "link", name="My API Keys", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My API Keys")
    page.goto("/v1/docs")
    page.get_by_role("link", name="Back to the console", exact=True).click()
    expect(page.get_by_role("navigation", name="Main Menu")).to_be_visible()


def _user(username: str):
    from django.contrib.auth.models import User

    return User.objects.get(username=username)


def _in_days(days: int):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=days)
