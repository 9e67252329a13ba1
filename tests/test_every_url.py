"""Every URL of the console against the table of tests/who_may_do_what.py, over HTTP: a stranger
gets the very 404 of a missing object, a reader is refused a change with 403 (or the nearest
role without access gets 404), and the narrowest role allowed succeeds. Which role may do what
on which object is asked of the access helpers themselves (tests/unit/test_access_helpers.py).

Once each: an anonymous visitor is sent to log in from every URL; a change through htmx
answers in a form htmx acts on (coming back after logging in, and roles taken away, are in
test_login_and_revocation.py). Every answer that is not a change leaves the database as it
was."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.middleware import csrf
from django.urls import URLPattern, reverse

from settings_app import urls as console_urls
from tests.access_requests import (
    assert_answer,
    assert_login,
    assert_not_found,
    client_as,
    is_key,
    key_for,
    key_of,
    send,
    url_of,
)
from tests.state import everything
from tests.who_may_do_what import (
    ACCESS,
    CHANGE,
    GO,
    LOGIN,
    LOOK,
    MISSING,
    MOVED,
    NO,
    NOTHING,
    OTHER_PROJECT,
    OWN,
    OWN_ANSWERS,
    PAGES,
    ROLES,
    SEE,
    SIBLING,
    access,
    allowed_role,
    page_answer,
    reader_role,
)

ACME_ROLES_WIDEST_FIRST = ["tenant admin", "project admin", "cluster admin", "viewer"]


def object_of(page: str, obj: str = OWN) -> str:
    return NOTHING if PAGES[page].addresses in ("platform", "own account") else obj


def test_the_table_covers_every_url_of_the_console():
    console_url_names = {
        pattern.name for pattern in console_urls.urlpatterns if isinstance(pattern, URLPattern)
    }
    covered = {url.name for url in PAGES.values()} | {name for name, _ in OWN_ANSWERS}

    assert covered == console_url_names, (
        "Add every new page or change endpoint to PAGES in tests/who_may_do_what.py: "
        f"missing {sorted(console_url_names - covered)}, stale {sorted(covered - console_url_names)}"
    )


# A stranger: another tenant's admin on Acme's object, which answers byte for byte as a missing one.


def stranger_case(page: str) -> tuple[str, str] | None:
    url = PAGES[page]
    for obj in (OWN, OTHER_PROJECT):  # an API key: their own is everyone's, so another's
        if (url.addresses, obj) in ACCESS and access(
            url.addresses, obj, "other tenant's admin"
        ) == NO:
            return "other tenant's admin", obj
    return None


STRANGERS = [
    page
    for page in PAGES
    if PAGES[page].addresses not in ("platform", "own account", "tenant for a key")
]


@pytest.mark.parametrize("page", STRANGERS)
def test_a_stranger_gets_the_same_404_as_for_a_missing_object(access_world, monkeypatch, page):
    # Django masks the CSRF token in every page with a fresh random mask; a fixed mask makes two
    # renderings of the same page comparable byte for byte.
    monkeypatch.setattr(csrf, "_get_new_csrf_string", lambda: "m" * csrf.CSRF_SECRET_LENGTH)
    role, obj = stranger_case(page)
    url = PAGES[page]
    client = client_as(access_world, role)
    key = key_for(access_world, url, obj, None)
    before = everything()

    theirs = send(client, access_world, url, obj, key)
    missing = send(client, access_world, url, MISSING)

    assert_not_found(theirs, access_world, obj)
    assert theirs.content == missing.content
    assert theirs.headers == missing.headers
    assert everything() == before


# A reader refused a change (403), or else the nearest role without access (404).


def refused_case(page: str) -> tuple[str, str] | None:
    url = PAGES[page]
    obj = object_of(page)
    if url.does not in (LOOK, GO) and (reader := reader_role(url.addresses, obj)):
        return reader, obj
    for candidate in (obj, OTHER_PROJECT):  # an API key: their own is everyone's, so another's
        if (url.addresses, candidate) not in ACCESS:
            continue
        for role in [*ACME_ROLES_WIDEST_FIRST, "no role"]:
            if access(url.addresses, candidate, role) not in (SEE, CHANGE):
                return role, candidate
    return None


REFUSED = [page for page in PAGES if refused_case(page)]


@pytest.mark.parametrize("page", REFUSED)
def test_the_nearest_role_without_the_right_is_refused_and_nothing_changes(access_world, page):
    role, obj = refused_case(page)
    url = PAGES[page]
    user = access_world.users[role]
    key = key_for(access_world, url, obj, user)
    before = everything()

    response = send(client_as(access_world, role), access_world, url, obj, key)

    assert_answer(response, access_world, url, obj, page_answer(page, obj, role), before, key)


# The narrowest role allowed succeeds.


@pytest.mark.parametrize("page", PAGES)
def test_the_narrowest_role_allowed_succeeds(access_world, page):
    url = PAGES[page]
    obj = object_of(page)
    role = allowed_role(url.addresses, url.does, obj)
    if role is None:  # no one may activate their own key a Tenant Admin revoked: another's
        obj = OTHER_PROJECT
        role = allowed_role(url.addresses, url.does, obj)
    key = key_for(access_world, url, obj, access_world.users[role])
    before = everything()

    response = send(client_as(access_world, role), access_world, url, obj, key)

    assert_answer(response, access_world, url, obj, page_answer(page, obj, role), before, key)


def test_a_bulk_act_leaves_out_a_cluster_the_user_may_not_change(access_world):
    before = everything()

    response = send(
        client_as(access_world, "cluster admin"), access_world, PAGES["bulk change"], SIBLING
    )

    assert_answer(response, access_world, PAGES["bulk change"], SIBLING, MOVED, before)


# The way in and out, and an anonymous visitor everywhere.


@pytest.mark.parametrize(("name", "method"), OWN_ANSWERS)
def test_home_login_and_logout_answer_each_role_as_the_table_says(access_world, name, method):
    answers, anonymous = OWN_ANSWERS[(name, method)]
    for role, expected in [*zip(ROLES, answers, strict=True), (None, anonymous)]:
        client = client_as(access_world, role)
        response = client.get(reverse(name)) if method == "GET" else client.post(reverse(name))
        if expected == "logged out":
            assert urlsplit(response["Location"]).path == reverse("login")
            assert "_auth_user_id" not in client.session
        elif expected == LOGIN:
            assert_login(response, reverse(name))
        elif expected == MOVED:
            assert response.status_code == 302, role
            assert urlsplit(response["Location"]).path != reverse("login")
        else:
            assert response.status_code == expected, role


def test_an_anonymous_visitor_is_sent_to_log_in_from_every_url_and_nothing_changes(access_world):
    client = client_as(access_world, None)
    someones_key = key_of(access_world, OWN, access_world.users["tenant admin"])
    before = everything()

    for page, url in PAGES.items():
        obj = object_of(page)
        key = someones_key if is_key(url) else None
        response = send(client, access_world, url, obj, key)
        assert response.status_code == 302, page
        assert_login(response, url_of(access_world, url, obj, key))

    assert everything() == before


# A change through htmx: the same answers, in the form htmx can act on.


@pytest.mark.parametrize("role", [None, "viewer", "other tenant's admin", "cluster admin"])
def test_a_change_through_htmx_answers_in_a_form_htmx_acts_on(access_world, role):
    url = PAGES["change cluster"]
    before = everything()

    response = send(client_as(access_world, role), access_world, url, OWN, HTTP_HX_REQUEST="true")

    if role == "cluster admin":  # the switch's panel, showing the change
        assert response.status_code == 200
        assert b'role="switch" aria-checked="true"' in response.content
        return
    if role is None:  # not the login page swapped into the switch: a full-page redirect
        assert response.status_code == 200
        assert urlsplit(response["HX-Redirect"]).path == reverse("login")
        assert "Location" not in response
    elif role == "viewer":  # the page reloads, with the switch disabled
        assert response.status_code == 403
        assert response["HX-Refresh"] == "true"
    else:
        assert response.status_code == 404
        assert response["HX-Reswap"] == "none"
    assert everything() == before


def test_through_htmx_too_another_tenants_cluster_answers_as_a_missing_one(
    access_world, monkeypatch
):
    monkeypatch.setattr(csrf, "_get_new_csrf_string", lambda: "m" * csrf.CSRF_SECRET_LENGTH)
    client = client_as(access_world, "other tenant's admin")
    url = PAGES["change cluster"]

    theirs = send(client, access_world, url, OWN, HTTP_HX_REQUEST="true")
    missing = send(client, access_world, url, MISSING, HTTP_HX_REQUEST="true")

    assert theirs.status_code == missing.status_code == 404
    assert (theirs.content, theirs.headers) == (missing.content, missing.headers)
