"""Coming back after logging in, and a role taken away taking effect on the very next request:
however it was held (granted to the user, or to a group), and the superuser flag and the
account itself. Who may do what is the table of tests/who_may_do_what.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from guardian.shortcuts import remove_perm

from settings_app.models import AgentUpgrades
from tests.access_requests import assert_answer, client_as, send, url_of
from tests.factories import grant
from tests.state import everything
from tests.who_may_do_what import LOGIN, OWN, PAGES

# Coming back after logging in.


def test_an_anonymous_htmx_post_sends_the_user_back_to_the_page_after_login(access_world):
    page = reverse("project_platform_settings", args=[access_world.default.pk])

    response = client_as(access_world, None).post(
        url_of(access_world, PAGES["change project"], OWN),
        {"value": "lock"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )

    assert response["HX-Redirect"] == (
        f"{reverse('login')}?next={page.replace('/', '%2F')}&unsaved=1"
    )
    access_world.default.refresh_from_db()
    assert access_world.default.agent_upgrades == AgentUpgrades.UNLOCK


def test_an_anonymous_plain_post_returns_to_the_referring_page_after_login(access_world):
    page = reverse("tenant_platform_settings", args=[access_world.acme.pk])

    response = client_as(access_world, None).post(
        url_of(access_world, PAGES["change tenant"], OWN),
        {"value": "lock"},
        HTTP_REFERER=f"http://testserver{page}",
    )

    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [page]


def test_a_referer_from_another_site_is_not_used_as_the_next_page(access_world):
    url = url_of(access_world, PAGES["change tenant"], OWN)

    response = client_as(access_world, None).post(
        url, {"value": "lock"}, HTTP_REFERER="https://evil.example/phish/"
    )

    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]


# Taking a role away takes effect on the very next request.


def through_a_group(world, role: str, granted: str, on) -> User:
    """A user holding the role through a group (as the demo's users do), not directly."""
    person = User.objects.create_user("newcomer")
    group = Group.objects.create(name="role holders")
    person.groups.add(group)
    grant(group, granted, on)
    return person


TAKING_AWAY = {
    # a way to take the role away: (who, the page they could see, the change they could make)
    "a grant to the user revoked": ("cluster admin", "cluster settings", "change cluster"),
    "a group's grant revoked": ("group", "project platform settings", "change project"),
    "leaving the role's group": ("leaver", "project platform settings", "change project"),
    "the superuser flag taken away": ("superuser", "tenant platform settings", "change tenant"),
    "the account deactivated": ("tenant admin", "tenant platform settings", "change tenant"),
}


@pytest.mark.parametrize("way", TAKING_AWAY)
def test_taking_a_role_away_takes_effect_on_the_next_request(access_world, way):
    who, page, change = TAKING_AWAY[way]
    w = access_world
    if who in ("group", "leaver"):
        person = through_a_group(w, who, "Project Admin", w.default)
    else:
        person = w.users[who]
    client = client_as(w, None)
    client.force_login(person)
    assert send(client, w, PAGES[page], OWN).status_code == 200

    match way:
        case "a grant to the user revoked":
            remove_perm("settings_app.administer_cluster", person, w.prod_east)
        case "a group's grant revoked":
            remove_perm("settings_app.administer_project", person.groups.get(), w.default)
        case "leaving the role's group":
            person.groups.clear()
        case "the superuser flag taken away":
            User.objects.filter(pk=person.pk).update(is_superuser=False)
        case "the account deactivated":
            User.objects.filter(pk=person.pk).update(is_active=False)
    before = everything()
    answer = LOGIN if way == "the account deactivated" else 404

    for name in (page, change):
        response = send(client, w, PAGES[name], OWN)
        assert_answer(response, w, PAGES[name], OWN, answer, before)
