"""Messages where the eye is (issue 10, item 4): at the top of the content, in the polite live
region, each with a button that closes it; a change's answer fills the region rather than
replacing it. And the words around logging in and out (item 6)."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from tests.html import Element, messages_text, parse

ROOT = Path(__file__).resolve().parents[2]


def change_url(demo) -> str:
    return reverse("change_project_agent_upgrades", args=[demo.default.pk])


def region(page: Element) -> Element:
    return page.find("div", id="messages")


def test_a_message_is_at_the_top_of_the_content_in_the_polite_live_region(demo, client_for):
    response = client_for("project-admin").post(change_url(demo), {"value": "lock"}, follow=True)

    page = parse(response)
    main = page.find("main")
    first = next(child for child in main.children if not isinstance(child, str))
    assert first.attrs["id"] == "messages"
    assert (first.attrs["role"], first.attrs["aria-live"]) == ("status", "polite")
    assert messages_text(page) == "Agent upgrades paused for 3 clusters in project Default."


def test_each_message_has_a_button_that_closes_it(demo, client_for):
    response = client_for("project-admin").post(change_url(demo), {"value": "lock"}, follow=True)

    message = region(parse(response)).find("div", class_="message message-success")
    close = message.find("button")
    assert (close.attrs["type"], close.attrs["aria-label"]) == ("button", "Close message")
    assert close.text == ""  # drawn by the stylesheet: the message's text stays its own


def test_an_htmx_answer_fills_the_region_it_does_not_replace_it(demo, client_for):
    response = client_for("project-admin").post(
        change_url(demo), {"value": "lock"}, HTTP_HX_REQUEST="true"
    )

    messages = region(parse(response))
    assert messages.attrs["hx-swap-oob"] == "innerHTML"
    assert messages.find("div", class_="message message-success")


def test_a_conflict_is_an_error_message_which_stays(demo, client_for, user):
    from settings_app import rules

    rules.push_project(demo.default, "lock", actor=user("tenant-admin"))

    response = client_for("project-admin").post(
        change_url(demo), {"value": "unlock", "version": "0"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 409
    assert region(parse(response)).find("div", class_="message message-error")


def test_the_stylesheet_keeps_messages_in_the_flow_and_the_script_fades_only_successes():
    css = (ROOT / "static" / "console" / "console.css").read_text()
    script = (ROOT / "static" / "console" / "console.js").read_text()

    rule = css[css.index(".messages {") : css.index("}", css.index(".messages {"))]
    assert "position" not in rule  # not fixed in a corner over the page's controls
    assert ":is(.message-success, .message-info)" in script  # errors are not faded


# Logging in and out.


def test_a_first_visit_is_not_told_to_continue_where_it_was(client):
    page = parse(client.get(reverse("home"), follow=True))

    assert page.find("h1").text == "Log in to Palette"
    assert page.find_all("p", class_="subtle") == []


def test_a_link_to_a_page_says_that_page_opens_after_logging_in(client):
    page = parse(client.get("/tenants/1/clusters/", follow=True))

    assert page.find("p", class_="subtle").text == "Log in to open the page you asked for."


def test_logging_out_says_so(demo, client_for):
    client = client_for("viewer")

    response = client.post(reverse("logout"), follow=True)

    page = parse(response)
    assert page.find("h1").text == "Log in to Palette"
    assert messages_text(page) == "You have logged out."
