"""Every change asks first, without JavaScript too (issue 10, item 3): the switch, the button that
pushes the value again, Undo and Release lead to a confirmation page that states the same impact
as the in-page dialog, with the optional Reason and Pause until of a pause above its OK and Cancel
buttons. Nothing changes until OK."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster, PlatformRelease
from settings_app.permissions.scopes import ScopeRef
from tests.html import Element, messages_text, parse, switch_form
from tests.state import setting

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@pytest.fixture
def admin(user):
    return user("tenant-admin")


def scope(demo) -> ScopeRef:
    return ScopeRef("projects", demo.default.pk)


def cluster_settings(demo) -> str:
    return reverse("cluster_settings", args=[scope(demo), demo.prod_east.pk])


def cluster_confirm(demo) -> str:
    return reverse("confirm_cluster_change", args=[scope(demo), demo.prod_east.pk])


def cluster_change(demo) -> str:
    return reverse("change_cluster_agent_upgrades", args=[scope(demo), demo.prod_east.pk])


def confirmation(page: Element) -> Element:
    """The confirmation page's own section (the page also carries the in-page dialog)."""
    return page.find("section", class_="panel confirm-page")


def question(page: Element) -> tuple[str, str]:
    """The confirmation page's title and what it says will change."""
    section = confirmation(page)
    return section.find("h1").text, section.find("p", class_="impact").text


def ok_form(page: Element) -> Element:
    return page.find("form", id="confirm-form")


def fields(form: Element) -> dict[str, str]:
    return {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}


def buttons(page: Element) -> dict[str, Element]:
    """The page's OK and Cancel, by their text."""
    actions = confirmation(page).find("div", class_="dialog-actions")
    return {button.text: button for button in actions.find_all("button")}


def nothing_written(*objs) -> None:
    for obj in objs:
        assert setting(obj) == (UNLOCK, 0)
    assert not AuditEvent.objects.exists()


# The forms: without JavaScript each one opens its confirmation page; htmx posts the change.


def test_the_switch_opens_the_confirmation_page_without_javascript(demo, client_for):
    form = switch_form(parse(client_for("project-admin").get(cluster_settings(demo))))

    assert (form.attrs["method"], form.attrs["action"]) == ("get", cluster_confirm(demo))
    assert form.attrs["hx-post"] == cluster_change(demo)
    assert fields(form) == {"value": "lock", "version": "0"}  # no CSRF token in a URL


def test_the_push_again_and_undo_buttons_open_confirmation_pages_too(demo, client_for, admin):
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)
    rules.push_project(demo.default, LOCK, actor=admin)

    page = parse(
        client_for("tenant-admin").get(reverse("tenant_platform_settings", args=[demo.acme.pk]))
    )
    again = page.find("form", class_="reapply-form")
    undo = parse(
        client_for("project-admin").get(
            reverse("project_platform_settings", args=[demo.default.pk])
        )
    ).find("form", class_="undo-form")

    assert (again.attrs["method"], again.attrs["action"]) == (
        "get",
        reverse("confirm_tenant_change", args=[demo.acme.pk]),
    )
    assert (undo.attrs["method"], undo.attrs["action"]) == (
        "get",
        reverse("confirm_project_undo", args=[demo.default.pk]),
    )


# The switch's confirmation page.


def test_a_pause_is_asked_with_its_impact_and_the_optional_reason_and_end(demo, client_for):
    response = client_for("project-admin").get(
        cluster_confirm(demo), {"value": "lock", "version": "0"}
    )

    assert response.status_code == 200
    page = parse(response)
    assert page.find("title").text == "Pause agent upgrades for prod-east? · Palette"
    assert question(page) == (
        "Pause agent upgrades for prod-east?",
        "Pause agent upgrades for cluster prod-east. Its agent stays at 4.7.2 when the platform "
        "is upgraded, until upgrades are resumed.",
    )
    form = ok_form(page)
    assert (form.attrs["method"], form.attrs["action"]) == ("post", cluster_change(demo))
    assert {k: v for k, v in fields(form).items() if k != "csrfmiddlewaretoken"} == {
        "value": "lock",
        "version": "0",
        "reason": "",
        "until": "",
    }
    assert page.find("label", for_="confirm-page-reason").text == "Reason"
    assert page.find("label", for_="confirm-page-until").text == "Pause until (UTC)"
    assert set(buttons(page)) == {"OK", "Cancel"}
    # The page keeps the Main Menu of the scope the user is in.
    assert page.find("nav", aria_label="Main Menu")
    nothing_written(demo.prod_east)


def test_the_reason_and_end_come_before_ok_and_cancel(demo, client_for):
    html = client_for("project-admin").get(cluster_confirm(demo), {"value": "lock"}).content
    text = html.decode()

    assert text.index('name="reason"') < text.index(">Cancel<") < text.index(">OK<")


def test_ok_belongs_to_the_form_and_cancel_goes_back_to_the_settings(demo, client_for):
    page = parse(client_for("project-admin").get(cluster_confirm(demo), {"value": "lock"}))

    ok, cancel = buttons(page)["OK"], buttons(page)["Cancel"]
    assert (ok.attrs["type"], ok.attrs["form"]) == ("submit", "confirm-form")
    back = confirmation(page).find("div", class_="dialog-actions").find("form")
    assert (back.attrs["method"], back.attrs["action"]) == ("get", cluster_settings(demo))
    assert "form" not in cancel.attrs


def test_a_resume_is_asked_without_reason_or_end(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    page = parse(
        client_for("project-admin").get(cluster_confirm(demo), {"value": "unlock", "version": "1"})
    )

    assert question(page) == (
        "Resume agent upgrades for prod-east?",
        "Resume agent upgrades for cluster prod-east.",
    )
    assert confirmation(page).find_all("input", name="reason") == []
    assert confirmation(page).find_all("input", name="until") == []


def test_ok_on_the_page_pauses_with_the_reason_and_end_given_there(demo, client_for):
    client = client_for("project-admin")
    form = ok_form(parse(client.get(cluster_confirm(demo), {"value": "lock", "version": "0"})))
    until = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    data = fields(form) | {"reason": "vendor freeze", "until": f"{until:%Y-%m-%dT%H:%M}"}

    response = client.post(form.attrs["action"], data, follow=True)

    assert response.redirect_chain[-1][0] == cluster_settings(demo)
    assert messages_text(parse(response)) == (
        f"Agent upgrades paused for cluster prod-east until {until:%Y-%m-%d %H:%M} UTC."
    )
    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert (cluster.agent_upgrades, cluster.agent_upgrades_reason) == (LOCK, "vendor freeze")
    assert cluster.agent_upgrades_until == until


def test_a_page_made_stale_by_another_change_asks_nothing_and_shows_the_truth(
    demo, client_for, admin
):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)  # version 1; the form says 0

    response = client_for("project-admin").get(
        cluster_confirm(demo), {"value": "lock", "version": "0"}, follow=True
    )

    assert response.redirect_chain[-1][0] == cluster_settings(demo)
    assert "was changed after this page was loaded" in messages_text(parse(response))
    assert setting(demo.prod_east) == (LOCK, 1)


def test_a_bad_value_gets_400(demo, client_for):
    response = client_for("project-admin").get(cluster_confirm(demo), {"value": "toggle"})

    assert response.status_code == 400


@pytest.mark.parametrize(("username", "status"), [("viewer", 403), ("globex-admin", 404)])
def test_who_may_not_change_the_setting_is_not_asked(demo, client_for, username, status):
    response = client_for(username).get(cluster_confirm(demo), {"value": "lock"})

    assert response.status_code == status
    nothing_written(demo.prod_east)


def test_the_confirmation_page_answers_only_get(demo, client_for):
    response = client_for("project-admin").post(cluster_confirm(demo), {"value": "lock"})

    assert response.status_code == 405
    nothing_written(demo.prod_east)


# A project's and a tenant's pages: a push, and the push-again button.


def test_a_tenant_push_is_asked_with_the_clusters_it_overwrites(demo, client_for, admin):
    rules.set_cluster(demo.edge_01, LOCK, actor=admin)

    page = parse(
        client_for("tenant-admin").get(
            reverse("confirm_tenant_change", args=[demo.acme.pk]), {"value": "lock", "version": "0"}
        )
    )

    assert question(page) == (
        "Pause agent upgrades for tenant Acme?",
        "Pause agent upgrades for 5 clusters in 2 projects of tenant Acme. 1 of them was set at "
        "project or cluster level and will be overwritten.",
    )
    assert ok_form(page).find("input", name="reason")
    assert ok_form(page).attrs["action"] == reverse(
        "change_tenant_agent_upgrades", args=[demo.acme.pk]
    )


def test_the_push_again_page_names_what_it_will_do(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    page = parse(
        client_for("project-admin").get(
            reverse("confirm_project_change", args=[demo.default.pk]),
            {"value": "unlock", "version": "0"},
        )
    )

    assert question(page) == (
        "Resume all 3 clusters of project Default?",
        "Resume agent upgrades again for 3 clusters in project Default. 1 of them was set "
        "individually and will be overwritten.",
    )
    assert confirmation(page).find_all("input", name="reason") == []


# Undo.


def test_undo_is_asked_and_ok_posts_the_undo(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    client = client_for("project-admin")

    page = parse(
        client.get(
            reverse("confirm_cluster_undo", args=[scope(demo), demo.prod_east.pk]),
            {"version": "1"},
        )
    )

    title, text = question(page)
    assert title == "Undo this change to prod-east?"
    assert text.startswith("Undo the change tenant-admin made just now.")
    form = ok_form(page)
    assert form.attrs["action"] == reverse(
        "undo_cluster_change", args=[scope(demo), demo.prod_east.pk]
    )
    assert setting(demo.prod_east) == (LOCK, 1)  # asked, not done

    client.post(form.attrs["action"], fields(form))

    assert setting(demo.prod_east)[0] == UNLOCK


def test_undo_with_nothing_to_undo_says_so(demo, client_for):
    response = client_for("project-admin").get(
        reverse("confirm_cluster_undo", args=[scope(demo), demo.prod_east.pk]), follow=True
    )

    assert "There is nothing to undo here any more" in messages_text(parse(response))


# Releasing a version: the impact is counted on the server first.


RELEASE_CONFIRM = reverse("confirm_release")


@pytest.fixture
def paused_prod_east(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)


def test_release_opens_the_confirmation_page_without_javascript(demo, superuser, client_for):
    form = parse(client_for("root").get(reverse("platform_upgrades"))).find(
        "form", class_="release-form"
    )

    assert (form.attrs["method"], form.attrs["action"]) == ("get", RELEASE_CONFIRM)
    assert form.attrs["hx-post"] == reverse("platform_upgrades")
    assert form.attrs["data-confirm-url"] == reverse("release_impact")


def test_the_release_page_counts_what_will_be_upgraded_and_held_back(
    demo, superuser, client_for, paused_prod_east
):
    response = client_for("root").get(RELEASE_CONFIRM, {"version": "4.8.0", "agent_version": ""})

    assert response.status_code == 200
    page = parse(response)
    assert question(page) == (
        "Release platform 4.8.0?",
        "Release 4.8.0: the agents of 5 clusters will be upgraded to 4.8.0; 1 paused cluster "
        "in 1 project will be held back.",
    )
    form = ok_form(page)
    assert form.attrs["action"] == reverse("platform_upgrades")
    assert {k: v for k, v in fields(form).items() if k != "csrfmiddlewaretoken"} == {
        "version": "4.8.0",
        "agent_version": "4.8.0",
    }
    assert list(PlatformRelease.objects.values_list("version", flat=True)) == ["4.7.2"]

    client_for("root").post(form.attrs["action"], fields(form))

    assert PlatformRelease.current().version == "4.8.0"


def test_a_release_that_would_be_refused_goes_back_to_the_form_with_why(
    demo, superuser, client_for
):
    response = client_for("root").get(RELEASE_CONFIRM, {"version": "4.7.2"})

    assert response.status_code == 400
    page = parse(response)
    assert page.find("h1").text == "Platform Upgrades"
    assert page.find("p", id="version-error").text == (
        "4.7.2 is not newer than the current platform version 4.7.2. Nothing was released."
    )


def test_the_dialog_asks_the_server_for_the_impact(demo, superuser, client_for, paused_prod_east):
    client = client_for("root")

    answer = client.get(reverse("release_impact"), {"version": "4.8.0"}).json()
    refused = client.get(reverse("release_impact"), {"version": "4.8"}).json()

    assert answer == {
        "title": "Release platform 4.8.0?",
        "text": "Release 4.8.0: the agents of 5 clusters will be upgraded to 4.8.0; 1 paused "
        "cluster in 1 project will be held back.",
    }
    assert refused == {
        "error": "“4.8” is not a version. Use three numbers separated by dots, like 4.8.0."
    }
    assert PlatformRelease.objects.count() == 1


@pytest.mark.parametrize("url", [RELEASE_CONFIRM, reverse("release_impact")])
def test_only_superusers_are_asked_about_a_release(demo, client_for, url):
    assert client_for("tenant-admin").get(url, {"version": "4.8.0"}).status_code == 404


def test_an_htmx_release_reloads_the_page_and_a_refused_one_answers_the_form(
    demo, superuser, client_for
):
    client = client_for("root")
    url = reverse("platform_upgrades")

    refused = client.post(url, {"version": "4.7.1"}, HTTP_HX_REQUEST="true")
    released = client.post(url, {"version": "4.8.0"}, HTTP_HX_REQUEST="true")

    assert refused.status_code == 400
    panel = parse(refused).find("section", id="release-panel")
    assert panel.find("p", id="version-error").attrs["role"] == "alert"
    assert released.status_code == 200
    assert released["HX-Redirect"] == url


# The forecast is the rollout's own counting.


def test_the_forecast_counts_what_the_rollout_then_does(demo, admin, clock):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.push_project(
        demo.edge, LOCK, actor=admin, pause=rules.Pause("", clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)  # Edge's pause has ended: resumed first, then upgraded

    impact = rules.release_impact("4.8.0")
    rollout = rules.release_platform("4.8.0")

    assert (impact.upgraded, impact.held_back) == (rollout.upgraded, rollout.held_back) == (5, 1)
    assert (impact.held_back_projects, impact.pauses_ended) == (1, 2)
    assert impact.by_project == rollout.by_project
