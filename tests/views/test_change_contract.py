"""The contract the three change endpoints share, tested once for all three: a cluster's
(`change_cluster_agent_upgrades`), a project's and a tenant's (`change_project_agent_upgrades`,
`change_tenant_agent_upgrades`). Each takes a POST of the value wanted and the version the page
was rendered from, and answers:

- 405 to anything but POST; 400 to a bad form, saying why; 403 to a user who may see the object
  but not change it, with the reason; 404 to one who may not see it, exactly as for a missing
  object; 409 to a form rendered before someone else's change; 403 without a CSRF token;
- the same request again (a double click, a retry) changes nothing twice;
- htmx gets the settings panel as a fragment, with the message out of band; a plain form post is
  redirected back to the settings page, which shows the message.

Nothing is saved on any refusal. What each endpoint writes (the cluster alone, or a push) is in
its own view's tests; who gets which answer is in tests/who_may_do_what.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent, Cluster, Project, Tenant
from settings_app.permissions import NOT_FOUND
from settings_app.permissions.scopes import ScopeRef
from tests.factories import REASON, in_a_week
from tests.html import (
    counts_text,
    hidden_value,
    messages_text,
    parse,
    shown,
    switch_form,
    switch_of,
    typed,
    without_csrf_tokens,
)
from tests.state import every_setting, setting, stored

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass(frozen=True)
class Endpoint:
    """One of the three change endpoints, on its demo object: prod-east (in project Default's
    scope), project Acme / Default, tenant Acme."""

    kind: str  # "cluster", "project" or "tenant"
    admin: str  # a demo user who may change it
    panel: str  # the id of the settings panel that an htmx answer carries
    paused: str  # what a pause's message says it paused
    paused_now: str  # how the panel states the target after that pause (its first words)
    events: int  # the audit events a pause of the demo's first state writes
    viewer_reason: str = ""  # why the Project Viewer may not change it ("": they may not see it)

    def __str__(self) -> str:
        return self.kind

    def target(self, demo) -> Tenant | Project | Cluster:
        return {"cluster": demo.prod_east, "project": demo.default, "tenant": demo.acme}[self.kind]

    def url(self, demo, pk: int | None = None) -> str:
        """The endpoint for the target, or for the object with id `pk` where the target is."""
        if self.kind == "cluster":
            scope = ScopeRef("projects", demo.default.pk)
            return reverse("change_cluster_agent_upgrades", args=[scope, pk or demo.prod_east.pk])
        return reverse(f"change_{self.kind}_agent_upgrades", args=[pk or self.target(demo).pk])

    def settings_url(self, demo) -> str:
        """The page that shows the switch, where a plain post is sent back to."""
        if self.kind == "cluster":
            scope = ScopeRef("projects", demo.default.pk)
            return reverse("cluster_settings", args=[scope, demo.prod_east.pk])
        return reverse(f"{self.kind}_platform_settings", args=[self.target(demo).pk])

    def foreign_and_missing(self, demo) -> tuple[str, str]:
        """The endpoint for another tenant's object and for a missing one, as a Tenant Admin of
        Acme would address them (a cluster in Acme's tenant scope)."""
        if self.kind == "cluster":
            scope = ScopeRef("tenants", demo.acme.pk)
            missing = Cluster.objects.order_by("-pk").first().pk + 100
            return tuple(
                reverse("change_cluster_agent_upgrades", args=[scope, pk])
                for pk in (demo.globex_main.pk, missing)
            )
        model = Project if self.kind == "project" else Tenant
        foreign = demo.globex_default if self.kind == "project" else demo.globex
        missing = model.objects.order_by("-pk").first().pk + 100
        return self.url(demo, foreign.pk), self.url(demo, missing)

    def written(self, demo) -> list[Tenant | Project | Cluster]:
        """Everything a change of the target writes, as stored now."""
        if self.kind == "cluster":
            return [Cluster.objects.get(pk=demo.prod_east.pk)]
        if self.kind == "project":
            return [Project.objects.get(pk=demo.default.pk), *demo.default.clusters.all()]
        return [
            Tenant.objects.get(pk=demo.acme.pk),
            *Project.objects.filter(tenant=demo.acme),
            *Cluster.objects.filter(tenant=demo.acme),
        ]

    def assert_paused_now(self, page) -> None:
        """The panel states the pause: a cluster's status line, or a push's counts."""
        if self.kind == "cluster":
            assert page.find("dd", id="cluster-status").text.startswith(self.paused_now)
        else:
            assert counts_text(page) == self.paused_now


CLUSTER = Endpoint(
    "cluster",
    admin="cluster-admin",
    panel="cluster-settings",
    paused="cluster prod-east",
    paused_now="Paused set on this cluster",
    events=1,
    viewer_reason=(
        "You have view-only access to project Default. "
        "A Cluster Admin, Project Admin or Tenant Admin can change this setting."
    ),
)
PROJECT = Endpoint(
    "project",
    admin="project-admin",
    panel="platform-settings",
    paused="3 clusters in project Default",
    paused_now="3 of 3 clusters paused now.",
    events=1 + 3,
    viewer_reason=(
        "You have view-only access to project Default. "
        "A Project Admin or a Tenant Admin can change this setting."
    ),
)
TENANT = Endpoint(
    "tenant",
    admin="tenant-admin",
    panel="platform-settings",
    paused="5 clusters in tenant Acme",
    paused_now="5 of 5 clusters in 2 projects paused now.",
    events=1 + 2 + 5,  # the tenant, its projects and its clusters
)
ENDPOINTS = pytest.mark.parametrize("endpoint", [CLUSTER, PROJECT, TENANT], ids=str)
PUSHES = pytest.mark.parametrize("endpoint", [PROJECT, TENANT], ids=str)
VIEWED = pytest.mark.parametrize("endpoint", [CLUSTER, PROJECT], ids=str)
PLAIN_AND_HTMX = pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


# A change made: the plain form post, and htmx.


@ENDPOINTS
def test_a_plain_post_changes_it_and_redirects_back_to_its_settings(
    demo, client_for, user, endpoint
):
    response = client_for(endpoint.admin).post(
        endpoint.url(demo), {"value": "lock", "version": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == endpoint.settings_url(demo)
    target = endpoint.target(demo)
    target.refresh_from_db()
    assert (target.agent_upgrades, target.agent_upgrades_version) == (LOCK, 1)
    assert target.agent_upgrades_set_via == endpoint.kind
    assert target.agent_upgrades_set_by == user(endpoint.admin)
    event = AuditEvent.objects.get(scope=endpoint.kind)
    assert (event.via, event.object_name, event.actor_name) == (
        endpoint.kind,
        target.name,
        endpoint.admin,
    )
    assert (event.old_value, event.new_value) == (UNLOCK, LOCK)
    assert getattr(event, endpoint.kind) == target
    assert AuditEvent.objects.count() == endpoint.events


@ENDPOINTS
def test_the_page_after_the_redirect_shows_the_message_and_the_new_state(
    demo, client_for, endpoint
):
    response = client_for(endpoint.admin).post(
        endpoint.url(demo), {"value": "lock", "version": "0"}, follow=True
    )

    assert response.redirect_chain == [(endpoint.settings_url(demo), 302)]
    page = parse(response)
    assert messages_text(page) == f"Agent upgrades paused for {endpoint.paused}."
    assert switch_of(page).attrs["aria-checked"] == "true"
    endpoint.assert_paused_now(page)


@ENDPOINTS
def test_an_htmx_post_answers_the_settings_panel_with_the_new_state(demo, client_for, endpoint):
    response = client_for(endpoint.admin).post(
        endpoint.url(demo), {"value": "lock", "version": "0"}, **HTMX
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Main Menu" not in response.content
    page = parse(response)
    assert page.find("section", id=endpoint.panel)
    switch = switch_of(page)
    assert switch.attrs["aria-checked"] == "true"
    assert switch.text == "Pause Agent Upgrades"
    assert hidden_value(switch_form(page), "value") == "unlock"
    assert hidden_value(switch_form(page), "version") == "1"
    endpoint.assert_paused_now(page)
    messages = page.find("div", id="messages")
    assert messages.attrs["hx-swap-oob"] == "innerHTML"
    assert messages_text(page) == f"Agent upgrades paused for {endpoint.paused}."
    assert "HX-Request" in response["Vary"]
    assert setting(endpoint.target(demo)) == (LOCK, 1)


@ENDPOINTS
def test_a_post_without_a_version_simply_applies(demo, client_for, admin, endpoint):
    rules.change_agent_upgrades(endpoint.target(demo), LOCK, actor=admin)

    client_for(endpoint.admin).post(endpoint.url(demo), {"value": "unlock"})

    assert setting(endpoint.target(demo)) == (UNLOCK, 2)


# The same request again: a double click, a retry.


@ENDPOINTS
def test_a_replayed_post_changes_it_once(demo, client_for, endpoint):
    client = client_for(endpoint.admin)

    client.post(endpoint.url(demo), {"value": "lock", "version": "0"}, follow=True)
    again = client.post(endpoint.url(demo), {"value": "lock", "version": "0"}, follow=True)

    assert again.status_code == 200
    assert messages_text(parse(again)) == (
        f"Agent upgrades are already paused for {endpoint.kind} {endpoint.target(demo).name}; "
        "nothing changed."
    )
    assert {
        (obj.agent_upgrades, obj.agent_upgrades_version, obj.agent_upgrades_set_via)
        for obj in endpoint.written(demo)
    } == {(LOCK, 1, endpoint.kind)}
    assert AuditEvent.objects.count() == endpoint.events  # the change's events, once


@PUSHES
def test_a_replayed_push_does_not_overwrite_a_later_cluster_override(
    demo, client_for, user, endpoint
):
    client = client_for(endpoint.admin)
    client.post(endpoint.url(demo), {"value": "lock", "version": "0"})
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("cluster-admin"))

    client.post(endpoint.url(demo), {"value": "lock", "version": "0"})

    assert setting(demo.prod_east) == (UNLOCK, 2)


# A page made stale by someone else's change: 409, and the truth.


def paused_by_someone_else(demo, user, endpoint: Endpoint) -> str:
    """Someone other than the endpoint's admin (or, for the tenant, the same admin in another
    tab) pauses the target after the page was rendered at version 0; who it was."""
    who = {"cluster": "project-admin", "project": "tenant-admin", "tenant": "tenant-admin"}
    rules.change_agent_upgrades(endpoint.target(demo), LOCK, actor=user(who[endpoint.kind]))
    return who[endpoint.kind]


@ENDPOINTS
def test_a_stale_form_asking_for_the_opposite_gets_409_and_overwrites_nothing(
    demo, client_for, user, endpoint
):
    who = paused_by_someone_else(demo, user, endpoint)
    before, events = every_setting(), AuditEvent.objects.count()

    response = client_for(endpoint.admin).post(
        endpoint.url(demo), {"value": "unlock", "version": "0"}
    )

    assert response.status_code == 409
    page = parse(response)
    name = endpoint.target(demo).name
    assert messages_text(page).startswith(
        f"{endpoint.kind.capitalize()} {name} was changed after this page was loaded "
        f"(set on this {endpoint.kind} · {who} ·"
    )
    assert "agent upgrades are now paused. Nothing was saved" in messages_text(page)
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert hidden_value(switch_form(page), "version") == "1"
    assert every_setting() == before
    assert AuditEvent.objects.count() == events


@ENDPOINTS
def test_a_stale_htmx_form_gets_409_with_the_panel_showing_the_truth(
    demo, client_for, user, endpoint
):
    paused_by_someone_else(demo, user, endpoint)

    response = client_for(endpoint.admin).post(
        endpoint.url(demo), {"value": "unlock", "version": "0"}, **HTMX
    )

    assert response.status_code == 409
    assert b"<html" not in response.content
    page = parse(response)
    assert page.find("section", id=endpoint.panel)
    assert switch_of(page).attrs["aria-checked"] == "true"
    assert "was changed after this page was loaded" in messages_text(page)
    endpoint.assert_paused_now(page)
    assert setting(endpoint.target(demo)) == (LOCK, 1)


# Refusals: nothing is saved.


@ENDPOINTS
def test_it_rejects_get(demo, client_for, endpoint):
    response = client_for("tenant-admin").get(endpoint.url(demo))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert setting(endpoint.target(demo)) == (UNLOCK, 0)


BAD_FORMS = [
    ({}, "Say whether to pause (value=lock) or resume (value=unlock) agent upgrades."),
    ({"value": ""}, "Say whether to pause (value=lock) or resume (value=unlock)"),
    ({"value": "toggle"}, "The value must be lock (pause) or unlock (resume), not toggle."),
    ({"value": "LOCK"}, "not LOCK"),
    ({"value": "lock", "version": "abc"}, "The version must be a whole number."),
    ({"value": "lock", "version": "x"}, "The version must be a whole number."),
    ({"value": "unlock", "version": "1.5"}, "The version must be a whole number."),
    ({"value": "lock", "version": "-1"}, "greater than or equal to 0"),
    ({"value": "lock", "version": "99999999999999999999"}, "less than or equal to"),
    (
        {"value": "lock", "until": "9999-12-31T23:59-05:00"},
        "“Pause until” is too far ahead: give a date before the year 9999.",
    ),
    ({"value": "lock", "until": "2020-01-01 10:00"}, "“Pause until” must be in the future."),
    ({"value": "lock", "until": "2000-01-01T00:00"}, "“Pause until” must be in the future."),
    (
        {"value": "lock", "until": "next friday"},
        "“Pause until” must be a date and time in UTC, like 2026-12-01 18:00.",
    ),
    ({"value": "lock", "reason": "x" * 201}, "Keep the reason to 200 characters or fewer."),
    (
        {"value": "lock", "reason": "freeze\x1b[2J"},
        "The reason contains a control character (U+001B)",
    ),
    ({"value": "lock", "reason": "ok\u0007"}, "a control character (U+0007)"),
    (
        {"value": "lock", "reason": "deploy \u202egnirolpxe"},
        "The reason contains a bidirectional override (U+202E), which would change how it "
        "reads. Use plain text on one line.",
    ),
    ({"value": "lock", "reason": "two\nlines"}, "contains a line break (U+000A)"),
    ({"value": "lock", "reason": "zero\u200bwidth"}, "a zero-width space (U+200B)"),
]


# The form is the same for the three endpoints: every bad form through the cluster's, and a bad
# value, version, end and reason through each of the others.
BAD_FORM_CASES = [
    *[pytest.param(CLUSTER, *form, id=f"cluster-{n}") for n, form in enumerate(BAD_FORMS)],
    *[pytest.param(PROJECT, *BAD_FORMS[n], id=f"project-{n}") for n in (0, 2, 5, 11, 12, 13)],
    *[pytest.param(TENANT, *BAD_FORMS[n], id=f"tenant-{n}") for n in (0, 2, 6, 11, 12, 13)],
]


@pytest.mark.parametrize(("endpoint", "data", "message"), BAD_FORM_CASES)
def test_a_bad_form_gets_400_says_why_and_saves_nothing(demo, client_for, endpoint, data, message):
    before = every_setting()

    response = client_for("tenant-admin").post(endpoint.url(demo), data)

    assert response.status_code == 400
    text = parse(response).find("p", class_="error-message").text
    assert message in text
    assert text.endswith("Nothing was changed.")
    assert every_setting() == before
    assert not AuditEvent.objects.exists()


@ENDPOINTS
def test_a_bad_htmx_request_leaves_the_switch_alone_and_says_why(demo, client_for, endpoint):
    response = client_for("tenant-admin").post(endpoint.url(demo), {"value": "toggle"}, **HTMX)

    assert response.status_code == 400
    assert response["HX-Reswap"] == "none"
    messages = parse(response).find("div", id="messages")
    assert messages.attrs["hx-swap-oob"] == "innerHTML"
    assert "not toggle" in messages.text
    assert setting(endpoint.target(demo)) == (UNLOCK, 0)


@ENDPOINTS
def test_the_error_message_escapes_what_was_posted(demo, client_for, endpoint):
    response = client_for("tenant-admin").post(endpoint.url(demo), {"value": "<script>x</script>"})

    assert response.status_code == 400
    assert b"<script>x</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


@VIEWED
def test_a_viewer_gets_403_with_the_reason_and_nothing_is_saved(demo, client_for, endpoint):
    before = every_setting()

    response = client_for("viewer").post(endpoint.url(demo), {"value": "lock", "version": "0"})

    assert response.status_code == 403
    assert parse(response).find("p", class_="error-message").text == (
        f"{endpoint.viewer_reason} Nothing was changed."
    )
    assert every_setting() == before
    assert not AuditEvent.objects.exists()


@VIEWED
def test_a_viewers_htmx_post_gets_403_and_a_reload_that_shows_the_switch_disabled(
    demo, client_for, endpoint
):
    client = client_for("viewer")

    response = client.post(endpoint.url(demo), {"value": "lock"}, **HTMX)

    # The refused request reloads the page, which shows what the user may do now: the switch
    # disabled with the reason, and the reason in the message region.
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert setting(endpoint.target(demo)) == (UNLOCK, 0)
    assert not AuditEvent.objects.exists()
    reloaded = parse(client.get(endpoint.settings_url(demo)))
    assert "disabled" in switch_of(reloaded).attrs
    assert reloaded.find("div", id="messages").text.strip().startswith(endpoint.viewer_reason)


@ENDPOINTS
@PLAIN_AND_HTMX
def test_another_tenants_object_gets_the_404_of_a_missing_one_and_nothing_is_saved(
    demo, client_for, endpoint, headers
):
    client = client_for("tenant-admin")
    foreign_url, missing_url = endpoint.foreign_and_missing(demo)
    before = every_setting()

    foreign = client.post(foreign_url, {"value": "lock"}, **headers)
    missing = client.post(missing_url, {"value": "lock"}, **headers)

    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign) == without_csrf_tokens(missing)
    assert b"globex" not in foreign.content.lower()
    if headers:  # htmx: the message where the page shows messages, and no swap
        assert foreign["HX-Reswap"] == "none"
        messages = parse(foreign).find("div", id="messages", hx_swap_oob="innerHTML")
        assert messages.text == (
            f"{NOT_FOUND} Nothing was changed; reload the page to see what you can reach."
        )
    else:
        page = parse(foreign)
        assert page.find("h1").text == "Not found"
        assert page.find("p", class_="error-message").text == NOT_FOUND
    assert every_setting() == before
    assert not AuditEvent.objects.exists()


# CSRF: a post without the page's token is refused, and the page's token lets it through.


@ENDPOINTS
def test_a_post_without_a_csrf_token_gets_403_with_a_reload_message(demo, user, endpoint):
    before = every_setting()

    response = csrf_client(user("tenant-admin")).post(endpoint.url(demo), {"value": "lock"})

    assert response.status_code == 403
    page = parse(response)
    assert page.find("h1").text == "Page expired"
    assert (
        "Reload the page and try again; nothing was changed."
        in page.find("p", class_="error-message").text
    )
    assert every_setting() == before
    assert not AuditEvent.objects.exists()


@ENDPOINTS
def test_an_htmx_post_without_a_csrf_token_gets_403_and_no_swap(demo, user, endpoint):
    before = every_setting()

    response = csrf_client(user("tenant-admin")).post(endpoint.url(demo), {"value": "lock"}, **HTMX)

    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    messages = parse(response).find("div", id="messages")
    assert messages.attrs["hx-swap-oob"] == "innerHTML"
    assert "Reload the page" in messages.text
    assert every_setting() == before


@ENDPOINTS
def test_the_token_the_page_carries_lets_the_post_through(demo, user, endpoint):
    client = csrf_client(user("tenant-admin"))
    page = parse(client.get(endpoint.settings_url(demo)))
    token = json.loads(page.find("body").attrs["hx-headers"])["X-CSRFToken"]

    response = client.post(endpoint.url(demo), {"value": "lock"}, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 302
    assert setting(endpoint.target(demo)) == (LOCK, 1)


# A pause's reason and end, at every scope; a resume says which agents caught up.


@ENDPOINTS
def test_the_pause_form_takes_a_reason_and_an_end_at_every_scope(demo, client_for, endpoint):
    until = in_a_week()

    response = client_for("tenant-admin").post(
        endpoint.url(demo),
        {"value": "lock", "reason": REASON, "until": typed(until)},
        follow=True,
    )

    assert response.redirect_chain == [(endpoint.settings_url(demo), 302)]
    assert messages_text(parse(response)) == (
        f"Agent upgrades paused for {endpoint.paused} until {shown(until)}."
    )
    assert stored(endpoint.target(demo)) == (LOCK, REASON, until)
    assert stored(demo.prod_east) == (LOCK, REASON, until)


@ENDPOINTS
def test_the_settings_panel_shows_the_pauses_end_and_reason(demo, client_for, endpoint):
    until = in_a_week()
    client = client_for("tenant-admin")
    client.post(endpoint.url(demo), {"value": "lock", "reason": REASON, "until": typed(until)})

    page = parse(client.get(endpoint.settings_url(demo)))

    provenance = page.find("p", class_="provenance").text
    assert provenance.startswith(f"Paused · until {shown(until)} · “{REASON}” · set on this")
    assert switch_of(page).attrs["aria-checked"] == "true"


RESUMED = {
    "cluster": "Agent upgrades resumed for cluster prod-east. Its agent was upgraded to 4.8.0.",
    "project": (
        "Agent upgrades resumed for 3 clusters in project Default; 3 agents upgraded to 4.8.0."
    ),
    "tenant": "Agent upgrades resumed for 5 clusters in tenant Acme; 5 agents upgraded to 4.8.0.",
}


@ENDPOINTS
def test_the_resume_message_says_how_many_agents_caught_up(demo, admin, client_for, endpoint):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    response = client_for(endpoint.admin).post(endpoint.url(demo), {"value": "unlock"}, follow=True)

    assert messages_text(parse(response)) == RESUMED[endpoint.kind]


# The form is the same for the three endpoints: what it reads, checked through one of them.


@pytest.mark.parametrize(
    "until_text",
    ["{date}T{time}", "{date}T{time}:00", "{date} {time}", "{date} {time}:00"],
)
def test_the_form_reads_until_in_each_format_it_promises_as_utc(demo, client_for, until_text):
    until = in_a_week()
    text = until_text.format(date=until.strftime("%Y-%m-%d"), time=until.strftime("%H:%M"))

    response = client_for("cluster-admin").post(CLUSTER.url(demo), {"value": "lock", "until": text})

    assert response.status_code == 302
    assert stored(demo.prod_east) == (LOCK, "", until)
    assert demo.prod_east.agent_upgrades_until.utcoffset() == timedelta(0)


def test_a_pause_without_reason_or_end_holds_until_someone_resumes(demo, client_for):
    client_for("cluster-admin").post(
        CLUSTER.url(demo), {"value": "lock", "reason": "", "until": ""}
    )

    assert stored(demo.prod_east) == (LOCK, "", None)


def test_the_end_right_now_is_already_past(demo, client_for, clock):
    clock.now = clock.now.replace(second=0, microsecond=0)

    response = client_for("cluster-admin").post(
        CLUSTER.url(demo), {"value": "lock", "until": typed(clock.now)}
    )

    assert response.status_code == 400
    assert stored(demo.prod_east) == (UNLOCK, "", None)


def test_a_reason_of_two_hundred_characters_is_kept(demo, client_for):
    client_for("cluster-admin").post(CLUSTER.url(demo), {"value": "lock", "reason": "r" * 200})

    assert stored(demo.prod_east) == (LOCK, "r" * 200, None)


def test_a_reason_keeps_its_printable_text_and_loses_surrounding_spaces(demo, client_for):
    client_for("tenant-admin").post(
        CLUSTER.url(demo), {"value": "lock", "reason": "  Change freeze · Ünïcode ✓ 変更凍結  "}
    )

    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_upgrades_reason == (
        "Change freeze · Ünïcode ✓ 変更凍結"
    )


def test_a_resume_ignores_a_reason_and_end_sent_with_it(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=rules.Pause(REASON, in_a_week()))

    response = client_for("cluster-admin").post(
        CLUSTER.url(demo), {"value": "unlock", "reason": "again", "until": "2000-01-01T00:00"}
    )

    assert response.status_code == 302
    assert stored(demo.prod_east) == (UNLOCK, "", None)
