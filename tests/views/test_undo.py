"""Undo on the pages: "Undo this change" on the panel that shows the setting, who is offered it,
and what the answer says. The rule itself: tests/unit/test_undo.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades
from settings_app.permissions.scopes import ScopeRef
from tests.html import messages_text, parse
from tests.unit.test_undo import world

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@pytest.fixture
def admin(user):
    return user("tenant-admin")


# The pages: "Undo this change" on the panel that shows the setting.


def cluster_settings(demo) -> str:
    return reverse(
        "cluster_settings", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]
    )


def undo_buttons(page) -> list:
    return [b for b in page.find_all("button") if b.text == "Undo this change"]


def test_after_a_change_its_panel_offers_to_undo_it(demo, client_for):
    client = client_for("cluster-admin")
    client.post(
        reverse(
            "change_cluster_agent_upgrades",
            args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk],
        ),
        {"value": "lock", "version": "0"},
    )

    page = parse(client.get(cluster_settings(demo)))

    assert len(undo_buttons(page)) == 1
    form = page.find("form", class_="undo-form")
    assert form.attrs["action"] == reverse(
        "confirm_cluster_undo", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]
    )
    assert form.attrs["data-confirm"] == (
        "Undo the change cluster-admin made just now. Agent upgrades for cluster prod-east go "
        "back to Active, as they were before it."
    )


def test_a_setting_never_changed_offers_no_undo(demo, client_for):
    assert undo_buttons(parse(client_for("cluster-admin").get(cluster_settings(demo)))) == []


def test_a_viewer_is_never_offered_an_undo(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    assert undo_buttons(parse(client_for("viewer").get(cluster_settings(demo)))) == []


def test_undoing_through_the_page_puts_the_setting_back_and_says_so(demo, client_for, admin):
    rules.push_project(demo.default, LOCK, actor=admin)
    before = world()
    change = rules.push_tenant(demo.acme, UNLOCK, actor=admin)
    client = client_for("tenant-admin")

    response = client.post(
        reverse("undo_tenant_change", args=[demo.acme.pk]),
        {"version": str(change.target.agent_upgrades_version)},
        follow=True,
    )

    assert world() == before
    assert messages_text(parse(response)) == (
        "Change undone: agent upgrades for tenant Acme are active again, as before "
        "tenant-admin's change."
    )
    assert undo_buttons(parse(response)) == []  # an undo is not itself undone from here


def test_undoing_with_htmx_answers_the_panel(demo, client_for, admin):
    change = rules.push_project(demo.default, LOCK, actor=admin)

    response = client_for("project-admin").post(
        reverse("undo_project_change", args=[demo.default.pk]),
        {"version": str(change.target.agent_upgrades_version)},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    page = parse(response)
    assert page.find("button", role="switch").attrs["aria-checked"] == "false"
    assert "Change undone" in messages_text(page)


def test_nothing_left_to_undo_answers_409_and_changes_nothing(demo, client_for, admin):
    response = client_for("project-admin").post(
        reverse("undo_project_change", args=[demo.default.pk]), {"version": "0"}
    )

    assert response.status_code == 409
    assert "nothing to undo" in messages_text(parse(response))


def test_an_undo_refused_because_a_cluster_changed_since_says_how_many(demo, client_for, admin):
    change = rules.push_project(demo.default, LOCK, actor=admin)
    rules.set_cluster(demo.prod_west, UNLOCK, actor=admin)
    before = world()

    response = client_for("project-admin").post(
        reverse("undo_project_change", args=[demo.default.pk]),
        {"version": str(change.target.agent_upgrades_version)},
    )

    assert response.status_code == 409
    assert messages_text(parse(response)).startswith(
        "1 cluster or project that this change wrote was changed since. Nothing was undone"
    )
    assert world() == before
