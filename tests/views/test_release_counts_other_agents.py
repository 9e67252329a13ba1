"""The release dialog (Platform Upgrades), its no-JS confirmation page and the release's message
count the gateways and idle Edge hosts a rollout upgrades and holds back beside the clusters; a
major or minor release that would hold paused gateways back warns, naming each with a link.
(The links go through views.agent_links.gateway_url; the gateway pages are built beside.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, Gateway
from tests.html import messages_text, parse

LOCK = AgentUpgrades.LOCK
GUIDANCE = "Palette's guidance is to let gateways upgrade before each major or minor upgrade."


@pytest.fixture
def paused_gateway(demo, admin, gateway_and_hosts) -> Gateway:
    rules.set_gateway(gateway_and_hosts.pcg_vsphere, LOCK, actor=admin)
    return gateway_and_hosts.pcg_vsphere


def ask(client, version: str) -> dict:
    return client.get(reverse("release_impact"), {"version": version}).json()


def test_the_dialog_counts_gateways_and_idle_hosts_upgraded_and_held_back(
    demo, superuser, client_for, paused_gateway
):
    answer = ask(client_for("root"), "4.7.3")

    assert answer["text"] == (
        "Release 4.7.3: the agents of 6 clusters will be upgraded to 4.7.3; no cluster is "
        "paused, so none will be held back. The agents of 1 Edge host not in a cluster will be "
        "upgraded too; 1 paused gateway will be held back."
    )
    assert "warning" not in answer  # a patch release: no guidance to give


def test_a_minor_release_warns_that_paused_gateways_stay_behind_and_names_them(
    demo, superuser, client_for, paused_gateway
):
    answer = ask(client_for("root"), "4.8.0")

    assert answer["warning"] == f"1 paused gateway will stay on 4.7.2. {GUIDANCE}"
    assert [(item["label"], item["note"]) for item in answer["named"]] == [
        ("pcg-vsphere", "tenant Acme, agent 4.7.2")
    ]
    assert answer["named"][0]["url"].endswith(f"/settings/gateways/{paused_gateway.pk}/")


def test_gateways_on_different_agents_are_named_with_each_version(
    demo, superuser, client_for, admin, paused_gateway
):
    other = rules.new_gateway(demo.acme, "pcg-aws", agent_version="4.6.1")
    rules.set_gateway(other, LOCK, actor=admin)

    answer = ask(client_for("root"), "5.0.0")

    assert answer["warning"] == (
        f"2 paused gateways will stay on their current agents, 4.6.1 and 4.7.2. {GUIDANCE}"
    )
    assert [item["label"] for item in answer["named"]] == ["pcg-aws", "pcg-vsphere"]


def test_the_confirmation_page_without_javascript_warns_with_links(
    demo, superuser, client_for, paused_gateway
):
    page = parse(client_for("root").get(reverse("confirm_release"), {"version": "4.8.0"}))

    warning = page.find("section", class_="panel confirm-page").find(
        "div", class_="confirm-warning"
    )
    assert warning.find("p").text == f"1 paused gateway will stay on 4.7.2. {GUIDANCE}"
    assert [a.text for a in warning.find_all("a")] == ["pcg-vsphere"]
    assert warning.find("li").text == "pcg-vsphere (tenant Acme, agent 4.7.2)"


def test_a_release_without_gateways_or_hosts_is_asked_as_before(demo, superuser, client_for):
    answer = ask(client_for("root"), "4.8.0")

    assert answer == {
        "title": "Release platform 4.8.0?",
        "text": "Release 4.8.0: the agents of 6 clusters will be upgraded to 4.8.0; no cluster "
        "is paused, so none will be held back.",
    }


def test_the_release_message_names_the_gateways_and_hosts(
    demo, superuser, client_for, paused_gateway
):
    response = client_for("root").post(
        reverse("platform_upgrades"), {"version": "4.8.0"}, follow=True
    )

    assert messages_text(parse(response)) == (
        "Platform 4.8.0 released: 6 agents upgraded to 4.8.0, 0 clusters held back by a pause. "
        "Also: 1 Edge host not in a cluster upgraded; 1 paused gateway held back."
    )
