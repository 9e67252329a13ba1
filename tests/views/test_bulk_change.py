"""Bulk pause and resume on the Clusters list (`confirm_bulk_change`, `bulk_change_clusters`):
the selection's checkboxes and banner, the dialog's figures, the confirmation page without
JavaScript, and the act, with allowed, forbidden and stale clusters in one selection. Who may call
the endpoints at all is in tests/who_may_do_what.py."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster
from settings_app.permissions.scopes import ScopeRef
from tests.factories import grant, make_user
from tests.html import parse

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


def project_scope(demo) -> ScopeRef:
    return ScopeRef("projects", demo.default.pk)


def tenant_scope(demo) -> ScopeRef:
    return ScopeRef("tenants", demo.acme.pk)


def list_url(scope: ScopeRef) -> str:
    return reverse("cluster_list", args=[scope])


def bulk_url(scope: ScopeRef) -> str:
    return reverse("bulk_change_clusters", args=[scope])


def confirm_url(scope: ScopeRef) -> str:
    return reverse("confirm_bulk_change", args=[scope])


def row(cluster: Cluster) -> str:
    """A row's checkbox value, as the page draws it: the id and the setting's version."""
    cluster.refresh_from_db()
    return f"{cluster.pk}:{cluster.agent_upgrades_version}"


def values() -> dict[str, str]:
    return dict(Cluster.objects.values_list("name", "agent_upgrades"))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def mixed_rights(demo):
    """Someone who sees all of Acme / Default (Project Viewer) and may change prod-east and
    prod-west (Cluster Admin of both), but not staging."""
    someone = make_user("mixed-rights")
    grant(someone, "Project Viewer", demo.default)
    grant(someone, "Cluster Admin", demo.prod_east)
    grant(someone, "Cluster Admin", demo.prod_west)
    return someone


# Selecting.


def test_each_row_the_user_may_change_has_a_checkbox_named_after_its_cluster(
    demo, client, mixed_rights
):
    client.force_login(mixed_rights)

    page = parse(client.get(list_url(project_scope(demo))))

    boxes = page.find_all("input", name="cluster")
    assert [box.attrs["aria-label"] for box in boxes] == ["Select prod-east", "Select prod-west"]
    assert boxes[0].attrs["value"] == row(demo.prod_east)
    header = page.find("input", data_select_page=True)
    assert header.attrs["aria-label"] == "Select all on this page"
    form = page.find("form", id="bulk-form")
    buttons = form.find_all("button", type="submit")
    assert [b.text for b in buttons] == ["Pause selected", "Resume selected"]
    assert form.attrs["data-confirm-url"] == confirm_url(project_scope(demo))
    assert form.find("label", class_="check").text == "Select all 3 clusters"


def test_the_banner_offers_every_cluster_that_matches_the_filters(demo, client_for, fleet):
    page = parse(client_for("tenant-admin").get(list_url(tenant_scope(demo)), {"paused": "1"}))

    form = page.find("form", id="bulk-form")
    assert (
        form.find("label", class_="check").text == "Select all 4 clusters that match these filters"
    )
    # Once it is ticked, the selection bar says so (console.js reads this).
    count = form.find("span", data_selection_count=True)
    assert count.attrs["data-all-selected"] == "All 4 selected"
    hidden = {i.attrs["name"]: i.attrs["value"] for i in form.find_all("input", type="hidden")}
    assert hidden["paused"] == "1"
    assert "drawn_at" in hidden


def test_a_viewer_gets_no_checkboxes_and_no_bulk_buttons(demo, client_for):
    page = parse(client_for("viewer").get(list_url(project_scope(demo))))

    assert page.find_all("input", name="cluster") == []
    assert page.find_all("form", id="bulk-form") == []


# The dialog's figures, and the act: allowed, forbidden and stale in one selection.


def test_the_dialog_states_the_impact_and_what_will_be_left_alone(
    demo, client, mixed_rights, admin
):
    client.force_login(mixed_rights)
    selected = [row(demo.prod_east), row(demo.prod_west), row(demo.staging)]
    rules.set_cluster(demo.prod_west, LOCK, actor=admin)  # someone else, since the page was drawn

    answer = client.get(
        confirm_url(project_scope(demo)),
        {"value": LOCK, "cluster": selected},
        HTTP_ACCEPT="application/json",
    ).json()

    assert answer == {
        "title": "Pause agent upgrades for 3 selected clusters?",
        "text": "Pause agent upgrades for 1 cluster in 1 project. Left alone: 1 you may not "
        "change and 1 changed by someone else since the page was drawn (stale).",
        "pause": True,
    }


def test_a_resume_says_how_many_agents_will_be_upgraded(demo, client_for, fleet):
    answer = (
        client_for("tenant-admin")
        .get(
            confirm_url(tenant_scope(demo)),
            {"value": UNLOCK, "all": "1", "paused": "1", "drawn_at": timezone.now().isoformat()},
            HTTP_ACCEPT="application/json",
        )
        .json()
    )

    assert answer["text"] == (
        "Resume agent upgrades for 4 clusters in 2 projects. 3 agents held back by a pause will "
        "be upgraded to 4.8.0."
    )
    assert answer["pause"] is False


def test_the_dialog_says_how_many_will_change_and_how_many_already_have_that_value(
    demo, client_for, fleet
):
    answer = (
        client_for("tenant-admin")
        .get(
            confirm_url(tenant_scope(demo)),
            {"value": UNLOCK, "all": "1", "drawn_at": timezone.now().isoformat()},
            HTTP_ACCEPT="application/json",
        )
        .json()
    )

    assert answer["text"] == (
        "Resume agent upgrades for 5 clusters in 2 projects: 4 will change; 1 is already "
        "active. 3 agents held back by a pause will be upgraded to 4.8.0."
    )


def test_the_dialog_says_when_every_selected_cluster_already_has_that_value(demo, client_for):
    answer = (
        client_for("project-admin")
        .get(
            confirm_url(project_scope(demo)),
            {"value": UNLOCK, "cluster": [row(demo.prod_east), row(demo.prod_west)]},
            HTTP_ACCEPT="application/json",
        )
        .json()
    )

    assert answer["text"] == (
        "Resume agent upgrades for 2 clusters in 1 project: all 2 are already active."
    )


def test_ok_says_how_many_changed_and_how_many_already_had_that_value(demo, client_for, fleet):
    response = client_for("tenant-admin").post(
        bulk_url(tenant_scope(demo)),
        {"value": UNLOCK, "all": "1", "drawn_at": timezone.now().isoformat()},
    )

    assert messages_of(response) == [
        "Agent upgrades resumed for 5 clusters in 2 projects: 4 changed; 1 was already active. "
        "3 agents upgraded to 4.8.0."
    ]


def test_ok_changes_the_allowed_fresh_clusters_and_counts_what_it_left_alone(
    demo, client, mixed_rights, admin
):
    client.force_login(mixed_rights)
    selected = [row(demo.prod_east), row(demo.prod_west), row(demo.staging)]
    rules.set_cluster(demo.prod_west, LOCK, actor=admin)
    rules.set_cluster(demo.prod_west, UNLOCK, actor=admin)
    events_before = AuditEvent.objects.count()

    response = client.post(
        bulk_url(project_scope(demo)),
        {"value": LOCK, "cluster": selected, "reason": "freeze", "sort": "-name"},
    )

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == list_url(project_scope(demo))
    assert parse_qs(urlsplit(response["Location"]).query) == {"sort": ["-name"]}
    assert values()["prod-east"] == LOCK
    assert values()["prod-west"] == UNLOCK  # stale: left as the other admin set it
    assert values()["staging"] == UNLOCK  # forbidden
    assert messages_of(response) == [
        "Agent upgrades paused for 1 cluster in 1 project. Left alone: 1 you may not change "
        "and 1 changed by someone else since the page was drawn (stale)."
    ]
    bulk = AuditEvent.objects.get(action=AuditEvent.Action.BULK)
    assert bulk.actor == mixed_rights
    assert list(
        AuditEvent.objects.filter(part_of=bulk).values_list("cluster__name", flat=True)
    ) == ["prod-east"]
    assert AuditEvent.objects.count() == events_before + 2
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades_reason == "freeze"


def test_selecting_by_filter_skips_clusters_changed_after_the_page_was_drawn(
    demo, client_for, admin
):
    drawn_at = timezone.now()
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)  # after the page was drawn
    rules.set_cluster(demo.edge_01, UNLOCK, actor=admin)

    response = client_for("tenant-admin").post(
        bulk_url(tenant_scope(demo)),
        {"value": LOCK, "all": "1", "q": "edge", "drawn_at": drawn_at.isoformat()},
    )

    assert values()["edge-02"] == LOCK
    assert values()["edge-01"] == UNLOCK
    assert values()["prod-east"] == UNLOCK  # not matched by the filter
    assert messages_of(response) == [
        "Agent upgrades paused for 1 cluster in 1 project. Left alone: 1 changed by someone "
        "else since the page was drawn (stale)."
    ]


def test_through_htmx_the_answer_sends_the_browser_back_to_the_list(demo, client_for):
    response = client_for("project-admin").post(
        bulk_url(project_scope(demo)),
        {"value": LOCK, "cluster": [row(demo.staging)], "paused": "1"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == list_url(project_scope(demo)) + "?paused=1"
    assert values()["staging"] == LOCK


def test_without_javascript_a_button_pressed_with_nothing_ticked_returns_to_the_list_saying_so(
    demo, client_for
):
    # Without the script the buttons cannot wait for a selection: the server's answer explains.
    response = client_for("project-admin").get(
        confirm_url(project_scope(demo)), {"value": LOCK, "paused": "1"}, follow=True
    )

    assert response.redirect_chain == [(list_url(project_scope(demo)) + "?paused=1", 302)]
    messages = parse(response).find("div", id="messages")
    assert messages.text == "Select one or more clusters first. Nothing was changed."
    assert set(values().values()) == {UNLOCK}


def test_nothing_selected_changes_nothing_and_says_so(demo, client_for):
    response = client_for("project-admin").post(bulk_url(project_scope(demo)), {"value": LOCK})

    assert response.status_code == 302
    assert messages_of(response) == ["Select one or more clusters first. Nothing was changed."]
    assert set(values().values()) == {UNLOCK}


@pytest.mark.parametrize(
    "data",
    [
        {"value": "toggle", "cluster": "1:1"},
        {"value": LOCK, "cluster": "prod-east"},
        {"value": LOCK, "all": "1"},  # a filter without the time the page was drawn
        # ... or with one that is no time: no such month, no such offset, no zone, or past
        # the last moment a date can name in UTC.
        {"value": LOCK, "all": "1", "drawn_at": "2020-13-01T00:00"},
        {"value": LOCK, "all": "1", "drawn_at": "2020-01-01T00:00:00+99:00"},
        {"value": LOCK, "all": "1", "drawn_at": "2020-01-01T00:00:00"},
        {"value": LOCK, "all": "1", "drawn_at": "9999-12-31T23:59:59-14:00"},
        {"value": LOCK, "cluster": "1:1", "until": "yesterday"},
    ],
)
def test_a_malformed_request_is_refused_and_changes_nothing(demo, client_for, data):
    response = client_for("tenant-admin").post(bulk_url(tenant_scope(demo)), data)

    assert response.status_code == 400
    assert set(values().values()) == {UNLOCK}


def test_a_pause_until_the_past_is_refused(demo, client_for):
    past = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    response = client_for("tenant-admin").post(
        bulk_url(tenant_scope(demo)), {"value": LOCK, "cluster": row(demo.prod_east), "until": past}
    )

    assert response.status_code == 400
    assert values()["prod-east"] == UNLOCK


def test_the_list_rejects_get_on_the_change(demo, client_for):
    assert client_for("tenant-admin").get(bulk_url(tenant_scope(demo))).status_code == 405


# Without JavaScript: the confirmation page, whose OK posts the same selection.


def test_without_javascript_the_buttons_open_a_confirmation_page_that_posts_the_selection(
    demo, client_for
):
    client = client_for("project-admin")
    selected = [row(demo.prod_east), row(demo.staging)]

    page = parse(
        client.get(
            confirm_url(project_scope(demo)),
            {"value": LOCK, "cluster": selected, "behind": "1", "drawn_at": "ignored"},
        )
    )

    assert page.find("h1").text == "Pause agent upgrades for 2 selected clusters?"
    assert (
        page.find("p", class_="impact").text == "Pause agent upgrades for 2 clusters in 1 project."
    )
    form = page.find("form", id="confirm-form")
    assert form.attrs["action"] == bulk_url(project_scope(demo))
    fields = {i.attrs["name"]: i.attrs["value"] for i in form.find_all("input", type="hidden")}
    assert fields["cluster"] == ",".join(selected)
    assert fields["behind"] == "1"
    assert page.find("label", for_="confirm-page-reason").text == "Reason"
    assert [b.text for b in page.find_all("button")][-2:] == ["Cancel", "OK"]
    assert set(values().values()) == {UNLOCK}  # asking changes nothing

    fields.pop("csrfmiddlewaretoken", None)
    client.post(form.attrs["action"], fields | {"reason": "", "until": ""})

    assert values()["prod-east"] == values()["staging"] == LOCK
    assert values()["prod-west"] == UNLOCK
