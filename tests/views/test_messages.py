"""Messages where the eye is (issue 10, item 4): at the top of the content, in the polite live
region, each with a button that closes it; a change's answer fills the region rather than
replacing it. And the words around logging in and out (item 6)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from django.urls import reverse

from tests.factories import PASSWORD
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


# A change sent after the session ended (item 6 of issue 22): not saved, and the login says so.

UNSAVED = "Your session ended; your change was not saved. Log in and make it again."


def ended_session_client(client):
    """A browser whose session cookie names a session that has ended."""
    client.cookies["sessionid"] = "ended-long-ago"
    return client


def test_a_plain_change_after_the_session_ended_lands_on_a_login_that_says_it_was_not_saved(
    demo, client
):
    page = reverse("project_platform_settings", args=[demo.default.pk])

    response = ended_session_client(client).post(
        change_url(demo), {"value": "lock"}, HTTP_REFERER=f"http://testserver{page}", follow=True
    )

    login = parse(response)
    assert login.find("h1").text == "Log in to Palette"
    assert login.find(role="alert").text == UNSAVED
    assert login.find_all("p", class_="subtle") == []  # not "to open the page you asked for"
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    demo.default.refresh_from_db()
    assert demo.default.agent_upgrades == "unlock"


def test_an_htmx_change_after_the_session_ended_goes_to_a_login_that_says_it_was_not_saved(
    demo, client
):
    page = reverse("project_platform_settings", args=[demo.default.pk])

    response = ended_session_client(client).post(
        change_url(demo),
        {"value": "lock"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )

    login = response["HX-Redirect"]
    assert parse_qs(urlsplit(login).query) == {"next": [page], "unsaved": ["1"]}
    assert parse(client.get(login)).find(role="alert").text == UNSAVED
    demo.default.refresh_from_db()
    assert demo.default.agent_upgrades == "unlock"


def test_logging_in_from_there_opens_the_page_and_a_wrong_password_keeps_the_warning(demo, client):
    page = reverse("project_platform_settings", args=[demo.default.pk])
    login = f"{reverse('login')}?{urlencode({'next': page, 'unsaved': 1})}"
    form = parse(client.get(login)).find("form", class_="stack")

    wrong = client.post(
        form.attrs["action"], {"username": "project-admin", "password": "no", "next": page}
    )
    right = client.post(
        form.attrs["action"], {"username": "project-admin", "password": PASSWORD, "next": page}
    )

    assert UNSAVED in [p.text for p in parse(wrong).find_all("p")]
    assert right.status_code == 302 and right["Location"] == page


def test_a_page_asked_for_after_the_session_ended_says_nothing_of_a_change(db, client):
    page = parse(ended_session_client(client).get("/tenants/1/clusters/", follow=True))

    assert page.find("p", class_="subtle").text == "Log in to open the page you asked for."
    assert UNSAVED not in str(page)
