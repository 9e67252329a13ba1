"""Platform Upgrades (`platform_upgrades`, superusers only): the release history, the form that
releases a version and rolls it out, and its refusals. Who may open it is in
tests/who_may_do_what.py; the rule itself in tests/unit/test_releases.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrade, AgentUpgrades, PlatformRelease
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import Pause
from tests.factories import EVERY_CLUSTER
from tests.html import messages_text, parse, table_rows
from tests.state import agents, agents_at, release_history, upgrades

LOCK = AgentUpgrades.LOCK


PLATFORM_URL = "/platform/upgrades/"


def assert_nothing_changed(demo) -> None:
    assert release_history() == [("4.7.2", "4.7.2")]
    assert agents() == agents_at("4.7.2", EVERY_CLUSTER)
    assert not AgentUpgrade.objects.exists()


def test_the_page_lives_at_its_url():
    assert reverse("platform_upgrades") == PLATFORM_URL


def test_a_superuser_sees_the_release_history_newest_first(demo, superuser, client_for):
    rules.set_cluster(demo.prod_east, LOCK, actor=superuser)
    rules.release_platform("4.8.0", agent_version="4.8.1", actor=superuser)

    response = client_for("root").get(PLATFORM_URL)

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Platform Upgrades"
    rows = [row[:2] + row[3:] for row in table_rows(page)]  # without the release date
    assert rows == [
        ["4.8.0 Current", "4.8.1", "root", "5", "1"],
        ["4.7.2", "4.7.2", "system", "0", "0"],
    ]
    assert "Current platform 4.8.0 with agent 4.8.1" in page.find("p", class_="subtle").text


def test_the_page_offers_a_form_to_release_a_version(demo, superuser, client_for):
    page = parse(client_for("root").get(PLATFORM_URL))

    form = page.find("form", class_="release-form")
    assert form.attrs["method"] == "get"  # to the confirmation page; htmx posts after the dialog
    assert page.find("label", for_="id_version").text == "Version"
    assert page.find("label", for_="id_agent_version").text == "Agent version"
    assert form.find("input", name="version")
    assert form.find("input", name="agent_version")
    assert form.find("button", type="submit").text == "Release"


def test_releasing_on_the_page_rolls_out_and_says_what_it_did(demo, superuser, client_for):
    rules.set_cluster(demo.prod_east, LOCK, actor=superuser)

    response = client_for("root").post(
        PLATFORM_URL, {"version": "4.8.0", "agent_version": ""}, follow=True
    )

    assert response.redirect_chain == [(PLATFORM_URL, 302)]
    assert release_history()[-1] == ("4.8.0", "4.8.0")
    assert PlatformRelease.current().released_by == superuser
    assert agents() == {**agents_at("4.8.0", EVERY_CLUSTER), "prod-east": "4.7.2"}
    assert {row[4] for row in upgrades()} == {"root"}
    page = parse(response)
    assert table_rows(page)[0][:2] == ["4.8.0 Current", "4.8.0"]
    assert messages_text(page) == (
        "Platform 4.8.0 released: 5 agents upgraded to 4.8.0, 1 cluster held back by a pause."
    )


def test_the_page_releases_the_agent_version_given(demo, superuser, client_for):
    client_for("root").post(PLATFORM_URL, {"version": "4.8.0", "agent_version": "4.8.1"})

    assert release_history()[-1] == ("4.8.0", "4.8.1")
    assert agents() == agents_at("4.8.1", EVERY_CLUSTER)


def test_releasing_on_the_page_says_which_pauses_ended(demo, admin, clock, superuser, client_for):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)

    response = client_for("root").post(
        reverse("platform_upgrades"), {"version": "4.8.0"}, follow=True
    )

    assert messages_text(parse(response)) == (
        "Platform 4.8.0 released: 6 agents upgraded to 4.8.0, 0 clusters held back by a pause. "
        "Pauses ended for 1 cluster."
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": "4.7.1"}, "4.7.1 is not newer than the current platform version 4.7.2."),
        ({"version": "4.7.2"}, "4.7.2 is not newer than the current platform version 4.7.2."),
        ({"version": "soon"}, "“soon” is not a version."),
        ({"version": "4.8.0", "agent_version": "4.7.0"}, "Agent 4.7.0 is older than"),
        ({"version": ""}, "This field is required."),
        ({"version": "4." * 20 + "0"}, "at most 32 characters"),
    ],
)
def test_a_refused_release_answers_400_with_the_error_and_changes_nothing(
    demo, superuser, client_for, data, message
):
    response = client_for("root").post(PLATFORM_URL, data)

    assert response.status_code == 400
    page = parse(response)
    error = page.find("p", class_="field-error")
    assert message in error.text
    assert error.attrs["role"] == "alert"
    assert page.find("input", name="version").attrs["aria-invalid"] == "true"
    assert_nothing_changed(demo)


def test_a_refused_form_keeps_what_was_typed(demo, superuser, client_for):
    response = client_for("root").post(PLATFORM_URL, {"version": "4.7.1", "agent_version": "4.7.9"})

    page = parse(response)
    assert page.find("input", name="version").attrs["value"] == "4.7.1"
    assert page.find("input", name="agent_version").attrs["value"] == "4.7.9"


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_page_rejects_other_methods(demo, superuser, client_for, method):
    response = getattr(client_for("root"), method)(PLATFORM_URL)

    assert response.status_code == 405
    assert_nothing_changed(demo)


def test_only_a_superuser_sees_the_link_to_platform_upgrades(demo, superuser, client_for):
    tenant_list = reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])

    as_root = parse(client_for("root").get(tenant_list))
    as_admin = parse(client_for("tenant-admin").get(tenant_list))

    assert as_root.find("a", href=PLATFORM_URL).text == "Platform Upgrades"
    assert as_admin.find_all("a", href=PLATFORM_URL) == []
