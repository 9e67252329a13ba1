"""The push dialogs (Tenant and Project Platform Settings), their no-JS confirmation pages and
the message after a push count the gateways and idle Edge hosts a push writes beside the
clusters (issue 21); a kind with none is left out, so the sentences without them hold."""

from __future__ import annotations

from django.urls import reverse

from settings_app.models import AgentUpgrades
from tests.html import messages_text, parse, switch_form

LOCK = AgentUpgrades.LOCK


def dialog_text(client, name: str, pk: int) -> str:
    return switch_form(parse(client.get(reverse(name, args=[pk])))).attrs["data-confirm"]


def test_the_tenant_dialog_counts_its_gateway_and_its_idle_host(
    demo, client_for, gateway_and_hosts
):
    text = dialog_text(client_for("tenant-admin"), "tenant_platform_settings", demo.acme.pk)

    assert text == (
        "Pause agent upgrades for 5 clusters in 2 projects, 1 gateway and 1 Edge host not in a "
        "cluster in tenant Acme."
    )


def test_the_project_dialog_counts_its_idle_host_and_no_gateway(
    demo, client_for, gateway_and_hosts
):
    text = dialog_text(client_for("tenant-admin"), "project_platform_settings", demo.edge.pk)

    assert text == (
        "Pause agent upgrades for 2 clusters and 1 Edge host not in a cluster in project Edge."
    )


def test_a_project_without_idle_hosts_is_asked_as_before(demo, client_for, gateway_and_hosts):
    text = dialog_text(client_for("tenant-admin"), "project_platform_settings", demo.default.pk)

    assert text == "Pause agent upgrades for 3 clusters in project Default."


def test_the_confirmation_page_without_javascript_counts_them_too(
    demo, client_for, gateway_and_hosts
):
    page = parse(
        client_for("tenant-admin").get(
            reverse("confirm_tenant_change", args=[demo.acme.pk]), {"value": "lock", "version": "0"}
        )
    )

    assert "1 gateway and 1 Edge host not in a cluster in tenant Acme." in page.text


def test_the_message_after_a_push_names_the_gateways_and_hosts_written(
    demo, client_for, gateway_and_hosts
):
    client = client_for("tenant-admin")
    url = reverse("change_tenant_agent_upgrades", args=[demo.acme.pk])

    response = client.post(url, {"value": LOCK}, follow=True)

    assert messages_text(parse(response)) == (
        "Agent upgrades paused for 5 clusters, 1 gateway and 1 Edge host not in a cluster in "
        "tenant Acme."
    )


def test_the_panel_answering_a_push_asks_the_resume_with_them_counted(
    demo, client_for, gateway_and_hosts
):
    client = client_for("tenant-admin")
    url = reverse("change_tenant_agent_upgrades", args=[demo.acme.pk])

    panel = parse(client.post(url, {"value": LOCK}, HTTP_HX_REQUEST="true"))

    assert (
        switch_form(panel)
        .attrs["data-confirm"]
        .startswith("Resume agent upgrades for 5 clusters in 2 projects, 1 gateway and 1 Edge host")
    )
