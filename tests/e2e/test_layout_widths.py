"""The layout at a phone's width, a laptop's and a wide screen's (issue 22, items 9 and 14): the
API key pages fit at 360, 1440 and 1920 px and look like the console's other pages; on a wide
screen the content takes the width there is and the login card stands in the middle; and a
name in a provenance line sits on the line with the words around it.

Set UI_SHOTS=/some/folder to keep a screenshot of each page at each width."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from settings_app import rules
from settings_app.models import AgentUpgrades, ApiKey
from settings_app.models.keys import change_key

from .conftest import Browsing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 1440, 1920)
SHOTS = os.environ.get("UI_SHOTS")


def some_keys(demo) -> None:
    """Keys of three owners, one with a long name, one revoked by a Tenant Admin, one expired."""
    users = {name: User.objects.get(username=name) for name in ("tenant-admin", "viewer")}
    soon = timezone.now() + timedelta(days=30)
    for owner, name in [
        ("tenant-admin", "ci-deploy"),
        ("tenant-admin", "nightly-freeze-window-automation-for-edge"),
        ("viewer", "cron"),
    ]:
        ApiKey.issue(users[owner], demo.acme, name, soon, actor=users[owner])
    change_key(ApiKey.objects.get(name="cron"), "revoke", users["tenant-admin"])
    old = ApiKey.issue(users["viewer"], demo.acme, "old", timezone.now() + timedelta(seconds=1))[0]
    ApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))


def widths_of(page: Page) -> dict:
    return page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            window: window.innerWidth,
            lists: [...document.querySelectorAll(".key-list")]
                .map((box) => box.scrollWidth - box.clientWidth),
        })"""
    )


def shoot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(SHOTS) / f"{name}.png", full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_both_api_key_pages_fit_the_window_at_every_width(browsing: Browsing, demo, width):
    some_keys(demo)
    page = browsing.new_page("tenant-admin")
    page.set_viewport_size({"width": width, "height": 900})
    for name, url in [
        ("tenant-api-keys", reverse("tenant_api_keys", args=[demo.acme.pk])),
        ("my-api-keys", reverse("my_api_keys")),
    ]:
        page.goto(url)
        shoot(page, f"{name}-{width}")

        found = widths_of(page)
        assert found["page"] <= found["window"], f"{name} at {width}: {found}"
        assert all(extra <= 0 for extra in found["lists"]), f"{name} at {width}: {found}"
        if width >= 1440:
            # A table with room: each date, and each short name, on one line.
            lines = page.evaluate(
                """() => [...document.querySelectorAll(".key-table time, .key-table th[scope=row]")]
                    .map((cell) => cell.firstChild)
                    .filter((text) => text.textContent.trim().length < 20)
                    .map((text) => {
                        const range = document.createRange();
                        range.selectNodeContents(text);
                        const tops = new Set([...range.getClientRects()].map((r) => r.top));
                        return [text.textContent, tops.size];
                    })"""
            )
            assert all(count == 1 for _text, count in lines), lines


def test_my_api_keys_has_the_main_menu_and_reads_as_the_console(browsing: Browsing, demo):
    page = browsing.new_page("project-admin")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(reverse("my_api_keys"))

    expect(page.get_by_role("navigation", name="Main Menu")).to_be_visible()
    expect(page.get_by_label("Scope")).not_to_have_value("")
    expect(page.get_by_text("Name:")).to_have_count(0)
    button = page.get_by_role("button", name="Create API key", exact=True)
    form = page.locator("form.key-form")
    assert button.bounding_box()["width"] < form.bounding_box()["width"] / 2
    select = page.get_by_label("Expires in")
    assert select.evaluate("(s) => getComputedStyle(s).borderTopLeftRadius") == "6px"


def test_the_expiry_date_shows_only_with_on_a_date(browsing: Browsing, demo):
    page = browsing.new_page("viewer")
    page.goto(reverse("my_api_keys"))
    date = page.get_by_label("Expiry date (UTC)")

    expect(page.get_by_label("Expires in")).to_have_value("30")
    expect(date).to_be_hidden()
    page.get_by_label("Expires in").select_option(label="On a date")
    expect(date).to_be_visible()
    page.get_by_label("Expires in").select_option(label="7 days")
    expect(date).to_be_hidden()


def test_on_a_wide_screen_the_content_takes_the_width_there_is(browsing: Browsing, demo):
    page = browsing.new_page("tenant-admin")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(reverse("cluster_list", args=[f"tenants/{demo.acme.pk}"]))

    right = page.locator("main").evaluate("(main) => main.getBoundingClientRect().right")
    assert right >= 1919
    headers = page.locator("main table thead th").all()
    tall = [h.text_content() for h in headers if h.bounding_box()["height"] > 45]
    assert not tall, f"headers wrapped: {tall}"


@pytest.mark.parametrize("width", [390, 1440, 1920])
def test_the_login_card_stands_in_the_middle(browsing: Browsing, demo, width):
    page = browsing.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("login"))

    box = page.locator(".login-card").bounding_box()
    middle = box["x"] + box["width"] / 2
    assert abs(middle - width / 2) <= 1, f"the card's middle is at {middle} of {width}"
    shoot(page, f"login-{width}")


def test_a_name_in_a_provenance_line_sits_on_the_line(browsing: Browsing, demo):
    admin = User.objects.get(username="tenant-admin")
    rules.set_cluster(demo.prod_east, AgentUpgrades.LOCK, actor=admin)
    page = browsing.new_page("tenant-admin")
    page.goto(reverse("cluster_settings", args=[f"tenants/{demo.acme.pk}", demo.prod_east.pk]))

    # Each name's letters against the letters just before it on the line (the provenance under
    # the switch, and the smaller one among the cluster's facts).
    offsets = page.evaluate(
        """() => [...document.querySelectorAll(".name")]
            .filter((name) => name.offsetParent && name.previousSibling?.nodeType === 3)
            .map((name) => {
                const before = document.createRange();
                const text = name.previousSibling;
                before.setStart(text, Math.max(0, text.length - 2));
                before.setEnd(text, text.length);
                const inside = document.createRange();
                inside.selectNodeContents(name);
                return [name.parentElement.className, name.textContent,
                        inside.getBoundingClientRect().bottom - before.getBoundingClientRect().bottom];
            })"""
    )
    assert len(offsets) >= 2, offsets
    assert all(abs(offset) < 0.5 for _where, _name, offset in offsets), offsets
