"""Tenant Settings › Private Cloud Gateways (`tenant_gateways`), a gateway's page
(`gateway_detail`, `gateway_settings`) and its switch (`change_gateway_agent_upgrades`,
`confirm_gateway_change`): the same switch, dialog, confirmation page and answers as a cluster's
Cluster Settings, writing the gateway alone. Who may open or change them is in
tests/who_may_do_what.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Gateway
from settings_app.rules import Pause
from tests.factories import REASON, in_a_week
from tests.html import (
    hidden_value,
    messages_text,
    parse,
    shown,
    switch_form,
    switch_of,
    table_rows,
    typed,
)
from tests.state import every_setting, setting

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def gateway(gateway_and_hosts) -> Gateway:
    return gateway_and_hosts.pcg_vsphere


def list_url(gateway: Gateway) -> str:
    return reverse("tenant_gateways", args=[gateway.tenant_id])


def detail_url(gateway: Gateway) -> str:
    return reverse("gateway_detail", args=[gateway.tenant_id, gateway.pk])


def settings_url(gateway: Gateway) -> str:
    return reverse("gateway_settings", args=[gateway.tenant_id, gateway.pk])


def change_url(gateway: Gateway) -> str:
    return reverse("change_gateway_agent_upgrades", args=[gateway.tenant_id, gateway.pk])


def confirm_url(gateway: Gateway) -> str:
    return reverse("confirm_gateway_change", args=[gateway.tenant_id, gateway.pk])


def facts(page) -> dict[str, str]:
    return {div.find("dt").text: div.find("dd").text for div in page.find("dl").find_all("div")}


def history(page) -> list[str]:
    return [li.text.split(" · ", 1)[1] for li in page.find("ul", class_="history").find_all("li")]


# The list.


def test_the_list_shows_each_gateway_with_its_agent_and_setting(demo, client_for, gateway, admin):
    Gateway.objects.filter(pk=gateway.pk).update(agent_version="4.6.9")
    gateway.refresh_from_db()
    rules.set_gateway(gateway, LOCK, actor=admin, pause=Pause(REASON))

    response = client_for("tenant-admin").get(list_url(gateway))

    assert response.status_code == 200
    page = parse(response)
    nav = page.find("nav", aria_label="Tenant Settings sections")
    current = nav.find("a", aria_current="page")
    assert current.text == "Private Cloud Gateways"
    [row] = table_rows(page)
    assert row[0] == "pcg-vsphere"
    assert row[1] == "4.6.9 Behind"
    assert row[2] == "Paused"
    assert row[3].startswith(f"“{REASON}” · set on this gateway · tenant-admin · ")
    link = page.find("tbody").find("a")
    assert link.attrs["href"] == detail_url(gateway)


def test_a_gateway_on_the_platforms_agent_has_no_behind_badge(demo, client_for, gateway):
    response = client_for("tenant-admin").get(list_url(gateway))

    [row] = table_rows(parse(response))
    assert row[1:3] == ["4.7.2", "Active"]
    assert row[3] == "default value, not changed yet"


def test_a_tenant_without_gateways_says_so(demo, client_for):
    response = client_for("tenant-admin").get(reverse("tenant_gateways", args=[demo.acme.pk]))

    assert response.status_code == 200
    empty = parse(response).find("p", class_="empty")
    assert empty.text == "Tenant Acme has no Private Cloud Gateways yet."


def test_the_list_shows_only_the_tenants_own_gateways(demo, client_for, gateway):
    rules.new_gateway(demo.globex, "pcg-globex")

    response = client_for("tenant-admin").get(list_url(gateway))

    assert [row[0] for row in table_rows(parse(response))] == ["pcg-vsphere"]


# The gateway's page.


def test_the_gateway_page_shows_its_facts_and_breadcrumbs(demo, client_for, gateway):
    Gateway.objects.filter(pk=gateway.pk).update(agent_version="4.6.9")

    response = client_for("tenant-admin").get(detail_url(gateway))

    assert response.status_code == 200
    page = parse(response)
    crumbs = page.find("p", class_="breadcrumbs")
    assert [a.text for a in crumbs.find_all("a")] == ["Tenant Settings", "Private Cloud Gateways"]
    assert crumbs.text.endswith("pcg-vsphere")
    shown_facts = facts(page)
    assert gateway.uid in shown_facts["UID"]
    assert shown_facts["Agent version"] == "4.6.9 Behind"
    assert shown_facts["Agent upgrades"].startswith("Active default value, not changed yet")
    menu = page.find(id=page.find("button", id="gateway-settings-button").attrs["popovertarget"])
    item = menu.find("a", role="menuitem")
    assert (item.text, item.attrs["href"]) == ("Cluster Settings", settings_url(gateway))
    assert page.find_all("button", role="switch") == []
    main_menu = page.find("nav", aria_label="Main Menu")
    assert main_menu.find("a", aria_current="page").text == "Tenant Settings"


def test_cluster_settings_shows_the_switch_that_opens_the_gateways_question(
    demo, client_for, gateway
):
    response = client_for("tenant-admin").get(settings_url(gateway))

    page = parse(response)
    assert page.find("h2", id="cluster-settings-title").text == "Cluster Settings"
    switch = switch_of(page)
    assert switch.text == "Pause Agent Upgrades"
    assert switch.attrs["aria-checked"] == "false"
    form = switch_form(page)
    assert form.attrs["action"] == confirm_url(gateway)
    assert form.attrs["hx-post"] == change_url(gateway)
    assert hidden_value(form, "value") == "lock"
    assert hidden_value(form, "version") == "0"
    assert form.attrs["data-confirm-title"] == "Pause agent upgrades for gateway pcg-vsphere?"
    assert form.attrs["data-confirm"] == (
        "Pause agent upgrades for gateway pcg-vsphere. Its agent stays at 4.7.2 when the "
        "platform is upgraded, until upgrades are resumed."
    )
    assert "data-confirm-pause" in form.attrs


def test_the_question_says_a_tenant_push_will_set_the_gateway_again(
    demo, client_for, gateway, admin
):
    rules.push_tenant(demo.acme, LOCK, actor=admin)

    response = client_for("tenant-admin").get(settings_url(gateway))

    form = switch_form(parse(response))
    assert form.attrs["data-confirm"] == (
        "Resume agent upgrades for gateway pcg-vsphere. Its current value came from tenant "
        "Acme; the next time tenant Acme is paused or resumed, this gateway follows it again."
    )


# The switch.


def test_a_plain_post_pauses_the_gateway_alone_and_redirects_back(demo, client_for, gateway):
    before = every_setting()
    client = client_for("tenant-admin")

    response = client.post(
        change_url(gateway),
        {"value": "lock", "version": "0", "reason": REASON, "until": typed(in_a_week())},
    )

    assert response.status_code == 302
    assert response["Location"] == settings_url(gateway)
    gateway.refresh_from_db()
    assert setting(gateway) == (LOCK, 1)
    assert gateway.agent_upgrades_reason == REASON
    assert every_setting() == before  # no tenant, project or cluster written
    page = parse(client.get(settings_url(gateway)))
    assert messages_text(page) == (
        f"Agent upgrades paused for gateway pcg-vsphere until {shown(in_a_week())}."
    )
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert history(page)[0].startswith("tenant-admin · Agent upgrades Active → Paused · until")


def test_an_htmx_post_answers_the_cluster_settings_panel_with_the_status_out_of_band(
    demo, client_for, gateway
):
    response = client_for("tenant-admin").post(
        change_url(gateway), {"value": "lock", "version": "0"}, **HTMX
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    page = parse(response)
    assert page.find("section", id="cluster-settings")
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "version") == "1"
    assert page.find("dd", id="gateway-status").attrs["hx-swap-oob"] == "true"
    history_panel = page.find("section", id="gateway-history")
    assert history_panel.attrs["hx-swap-oob"] == "true"
    assert "Agent upgrades Active → Paused" in history_panel.text
    assert "Agent upgrades paused for gateway pcg-vsphere." in messages_text(page)
    assert b"Undo this change" not in response.content  # a gateway's change has no undo
    assert "HX-Request" in response["Vary"]


def test_it_rejects_get(demo, client_for, gateway):
    response = client_for("tenant-admin").get(change_url(gateway))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert setting(gateway) == (UNLOCK, 0)


def test_a_stale_form_gets_409_with_the_truth_and_overwrites_nothing(
    demo, client_for, gateway, admin
):
    rules.set_gateway(gateway, LOCK, actor=admin)
    events = AuditEvent.objects.count()

    response = client_for("tenant-admin").post(
        change_url(gateway), {"value": "unlock", "version": "0"}
    )

    assert response.status_code == 409
    page = parse(response)
    assert messages_text(page).startswith(
        "Gateway pcg-vsphere was changed after this page was loaded (set on this gateway · "
        "tenant-admin ·"
    )
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert setting(gateway) == (LOCK, 1)
    assert AuditEvent.objects.count() == events


def test_a_stale_htmx_form_gets_409_with_the_panel(demo, client_for, gateway, admin):
    rules.set_gateway(gateway, LOCK, actor=admin)

    response = client_for("tenant-admin").post(
        change_url(gateway), {"value": "unlock", "version": "0"}, **HTMX
    )

    assert response.status_code == 409
    page = parse(response)
    assert page.find("section", id="cluster-settings")
    assert switch_of(page).attrs["aria-checked"] == "true"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"value": "lock", "reason": "x" * 201}, "Keep the reason to 200 characters or fewer."),
        ({"value": "lock", "reason": "two\nlines"}, "contains a line break (U+000A)"),
        ({"value": "toggle"}, "The value must be lock (pause) or unlock (resume), not toggle."),
        ({"value": "lock", "until": "2020-01-01 10:00"}, "“Pause until” must be in the future."),
    ],
)
def test_a_bad_form_gets_400_says_why_and_saves_nothing(demo, client_for, gateway, data, message):
    response = client_for("tenant-admin").post(change_url(gateway), data)

    assert response.status_code == 400
    text = parse(response).find("p", class_="error-message").text
    assert message in text
    assert text.endswith("Nothing was changed.")
    assert setting(gateway) == (UNLOCK, 0)
    assert not AuditEvent.objects.exists()


# Without JavaScript: the confirmation page.


def test_the_confirmation_page_asks_the_dialogs_question_with_a_reason_and_an_end(
    demo, client_for, gateway
):
    response = client_for("tenant-admin").get(
        confirm_url(gateway), {"value": "lock", "version": "0"}
    )

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Pause agent upgrades for gateway pcg-vsphere?"
    assert "Its agent stays at 4.7.2" in page.find("main").text
    form = page.find("form", action=change_url(gateway))
    assert form.attrs["method"] == "post"
    assert form.find("input", name="reason")
    assert form.find("input", name="until")
    assert setting(gateway) == (UNLOCK, 0)


def test_a_stale_confirmation_goes_back_to_the_settings_saying_so(demo, client_for, gateway, admin):
    rules.set_gateway(gateway, LOCK, actor=admin)

    response = client_for("tenant-admin").get(
        confirm_url(gateway), {"value": "lock", "version": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == settings_url(gateway)


# History.


def test_the_history_shows_the_gateways_own_changes_and_its_part_in_tenant_pushes(
    demo, client_for, gateway, admin
):
    rules.set_gateway(gateway, LOCK, actor=admin, pause=Pause(REASON))
    rules.push_tenant(demo.acme, UNLOCK, actor=admin)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)  # not the gateway's

    response = client_for("tenant-admin").get(detail_url(gateway))

    assert history(parse(response)) == [
        "tenant-admin · Agent upgrades Paused → Active (pushed by tenant)",
        f"tenant-admin · Agent upgrades Active → Paused · “{REASON}”",
    ]


# Cost (STYLE.md habit 5): no query per row; the page and a change within the house budget.

HOUSE_BUDGET = 16  # as tests/test_query_counts.py


def test_the_list_costs_the_same_for_one_gateway_or_twenty(
    demo, client_for, gateway, admin, django_assert_max_num_queries
):
    client = client_for("tenant-admin")
    with django_assert_max_num_queries(HOUSE_BUDGET) as one:
        assert client.get(list_url(gateway)).status_code == 200
    for number in range(19):
        more = rules.new_gateway(demo.acme, f"pcg-{number:02d}")
        rules.set_gateway(more, LOCK, actor=admin, pause=Pause(REASON))

    with django_assert_max_num_queries(HOUSE_BUDGET) as twenty:
        response = client.get(list_url(gateway))

    assert len(table_rows(parse(response))) == 20
    assert len(twenty) == len(one)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_page_and_a_change_stay_within_the_house_budget(
    demo, client_for, gateway, htmx, django_assert_max_num_queries
):
    client = client_for("tenant-admin")
    headers = HTMX if htmx else {}
    with django_assert_max_num_queries(HOUSE_BUDGET):
        assert client.get(settings_url(gateway)).status_code == 200
    with django_assert_max_num_queries(HOUSE_BUDGET):
        response = client.post(change_url(gateway), {"value": "lock", "version": "0"}, **headers)

    assert response.status_code in (200, 302)
    assert setting(gateway) == (LOCK, 1)
