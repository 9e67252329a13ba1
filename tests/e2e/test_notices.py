"""In headless Chromium, by role and accessible name: a Tenant Admin adds a webhook on Tenant
Settings › Notifications, sends a test notice, and sees its delivery listed with the 200 of the
tests' own receiver on 127.0.0.1 (which checks the signature); the Deliveries page at 1440 and
390 px wide is kept for people to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from settings_app.models.notices import Destination
from tests.receivers import start_webhook_receiver, verify

from .conftest import Browsing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver(settings):
    settings.NOTICE_PRIVATE_HOSTS = ["127.0.0.1"]
    receiver, server = start_webhook_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


def test_a_tenant_admin_adds_a_webhook_sends_a_test_notice_and_sees_its_200(
    browsing: Browsing, demo, receiver, screenshot_dir
):
    page = browsing.new_page("tenant-admin")
    page.goto(f"/tenants/{demo.acme.pk}/settings/")
    page.get_by_role("link", name="Notifications", exact=True).click()
    expect(page.get_by_role("heading", name="Add destination")).to_be_visible()

    page.get_by_label("Webhook", exact=True).check()
    page.get_by_label("Name", exact=True).fill("ops")
    page.get_by_label("Webhook URL").fill(receiver.url)
    page.get_by_label("A pause has ended").check()
    page.get_by_role("button", name="Add destination").click()

    expect(page.get_by_role("heading", name="Destination ops added")).to_be_visible()
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=screenshot_dir / f"notices-destinations-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_role("button", name="Send test notice to ops").click()

    expect(page.get_by_role("heading", name="Deliveries of ops")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Test notice")
    expect(row).to_contain_text("HTTP 200")
    expect(row).to_contain_text("Sent")
    [got] = receiver.received
    assert verify(Destination.objects.get().secret, got.headers["X-Console-Signature"], got.body)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=screenshot_dir / f"notices-deliveries-{width}.png", full_page=True)
