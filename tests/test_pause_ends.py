"""Pauses with a reason and an end (issue 3, item 4): through the rules, the form at all three
scopes and the pages; a pause whose end has passed no longer holds, is written down by
`resume_expired_pauses` and by the next rollout, and is never shown as holding."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from settings_app import rules
from settings_app.management.commands.resume_expired_pauses import Command as ResumeExpiredPauses
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    Project,
    Scope,
    Tenant,
    Via,
    paused_now,
)
from settings_app.rules import Pause
from settings_app.scopes import ScopeRef
from tests.html import counts_text, messages_text, parse, switch_form, switch_of, table_rows

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
ACME = {"prod-east", "prod-west", "staging", "edge-01", "edge-02"}
REASON = "change freeze"


def in_a_week() -> datetime:
    """An end a week ahead, to the minute, as the form reads it."""
    return (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)


def typed(moment: datetime) -> str:
    """What a datetime-local field posts."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def shown(moment: datetime) -> str:
    """How the console writes a date and time."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def stored(obj) -> tuple[str, str, datetime | None]:
    obj.refresh_from_db()
    return obj.agent_upgrades, obj.agent_upgrades_reason, obj.agent_upgrades_until


def clusters_stored(**filters) -> dict[str, tuple[str, str, datetime | None]]:
    return {
        name: (value, reason, until)
        for name, value, reason, until in Cluster.objects.filter(**filters).values_list(
            "name", "agent_upgrades", "agent_upgrades_reason", "agent_upgrades_until"
        )
    }


def agents() -> dict[str, str]:
    return dict(Cluster.objects.values_list("name", "agent_version"))


def end_pauses() -> str:
    out = StringIO()
    call_command("resume_expired_pauses", stdout=out)
    return out.getvalue()


def project_scope(demo) -> ScopeRef:
    return ScopeRef("projects", demo.default.pk)


@pytest.fixture
def admin(user):
    return user("tenant-admin")


# Through the rules: a pause carries its reason and end; a push carries them down.


def test_a_cluster_pause_keeps_its_reason_and_end(demo, admin):
    until = in_a_week()

    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, until))

    assert stored(demo.prod_east) == (LOCK, REASON, until)
    assert demo.prod_east.is_paused


def test_a_project_push_carries_the_reason_and_end_to_every_cluster_it_writes(demo, admin):
    until = in_a_week()

    rules.push_project(demo.default, LOCK, actor=admin, pause=Pause(REASON, until))

    assert stored(demo.default) == (LOCK, REASON, until)
    assert clusters_stored(project=demo.default) == {
        name: (LOCK, REASON, until) for name in ("prod-east", "prod-west", "staging")
    }
    assert set(clusters_stored(project=demo.edge).values()) == {(UNLOCK, "", None)}


def test_a_tenant_push_carries_the_reason_and_end_to_its_projects_and_clusters(demo, admin):
    until = in_a_week()

    rules.push_tenant(demo.acme, LOCK, actor=admin, pause=Pause(REASON, until))

    assert stored(demo.acme) == (LOCK, REASON, until)
    assert stored(demo.default) == stored(demo.edge) == (LOCK, REASON, until)
    assert set(clusters_stored(project__tenant=demo.acme).values()) == {(LOCK, REASON, until)}
    assert stored(demo.globex_main) == (UNLOCK, "", None)


def test_a_push_overwrites_the_end_of_a_pause_set_below_it(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("own", in_a_week()))
    later = in_a_week() + timedelta(days=30)

    rules.push_project(demo.default, LOCK, actor=admin, pause=Pause(REASON, later))

    assert stored(demo.prod_east) == (LOCK, REASON, later)


def test_every_audit_event_of_a_pause_records_its_reason_and_end(demo, admin):
    until = in_a_week()

    rules.push_tenant(demo.acme, LOCK, actor=admin, pause=Pause(REASON, until))

    assert AuditEvent.objects.count() == 8  # the tenant, its 2 projects and 5 clusters
    assert set(AuditEvent.objects.values_list("reason", "until")) == {(REASON, until)}


def test_a_resume_clears_the_reason_and_end_everywhere_it_writes(demo, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin, pause=Pause(REASON, in_a_week()))

    rules.push_tenant(demo.acme, UNLOCK, actor=admin, pause=Pause("ignored", in_a_week()))

    assert stored(demo.acme) == (UNLOCK, "", None)
    assert stored(demo.edge) == (UNLOCK, "", None)
    assert set(clusters_stored(project__tenant=demo.acme).values()) == {(UNLOCK, "", None)}
    resume_events = AuditEvent.objects.filter(new_value=UNLOCK)
    assert set(resume_events.values_list("reason", "until")) == {("", None)}


def test_a_cluster_resume_clears_its_reason_and_end(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, in_a_week()))

    rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)

    assert stored(demo.prod_east) == (UNLOCK, "", None)


@pytest.mark.parametrize("scope", ["cluster", "project", "tenant"])
def test_a_pause_ending_in_the_past_is_refused_and_nothing_is_written(demo, admin, scope):
    change, target = {
        "cluster": (rules.set_cluster, demo.prod_east),
        "project": (rules.push_project, demo.default),
        "tenant": (rules.push_tenant, demo.acme),
    }[scope]
    past = timezone.now() - timedelta(minutes=1)

    with pytest.raises(rules.InvalidPause, match="must be in the future"):
        change(target, LOCK, actor=admin, pause=Pause(REASON, past))

    assert stored(target) == (UNLOCK, "", None)
    assert set(clusters_stored().values()) == {(UNLOCK, "", None)}
    assert not AuditEvent.objects.exists()


# With a controlled clock: a pause holds until its end, and not after.


def test_a_pause_holds_until_its_end_and_not_after(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    demo.prod_east.refresh_from_db()

    clock.advance(minutes=59)
    assert (demo.prod_east.is_paused, rules.is_held_back(demo.prod_east)) == (True, True)
    assert demo.prod_east.effective_agent_upgrades == LOCK

    clock.advance(minutes=1)  # the end itself: the pause no longer holds
    assert (demo.prod_east.is_paused, rules.is_held_back(demo.prod_east)) == (False, False)
    assert demo.prod_east.pause_expired
    assert demo.prod_east.effective_agent_upgrades == UNLOCK
    assert demo.prod_east.agent_upgrades_label == "Active"


def test_a_pause_without_an_end_holds_however_late_it_gets(demo, admin, clock):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    demo.prod_east.refresh_from_db()

    clock.advance(days=3650)

    assert demo.prod_east.is_paused
    assert not demo.prod_east.pause_expired


def test_a_release_before_the_end_holds_the_cluster_back(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(minutes=30)

    rollout = rules.release_platform("4.8.0")

    assert agents()["prod-east"] == "4.7.2"
    assert rollout.resumed.clusters == []
    assert stored(demo.prod_east)[0] == LOCK


def test_a_release_after_the_end_resumes_the_pause_first_and_upgrades_the_agent(demo, admin, clock):
    until = clock.now + timedelta(hours=1)
    rules.push_project(demo.default, LOCK, actor=admin, pause=Pause(REASON, until))
    rules.set_cluster(demo.staging, LOCK, actor=admin)  # its own pause, without an end
    clock.advance(hours=2)

    rollout = rules.release_platform("4.8.0")

    assert sorted(rollout.resumed.clusters) == ["prod-east", "prod-west"]
    assert rollout.resumed.projects == ["Default"]
    assert agents() == {
        "prod-east": "4.8.0",
        "prod-west": "4.8.0",
        "staging": "4.7.2",
        "edge-01": "4.8.0",
        "edge-02": "4.8.0",
        "globex-main": "4.8.0",
    }
    assert (rollout.upgraded, rollout.held_back) == (5, 1)
    demo.prod_east.refresh_from_db()
    assert (demo.prod_east.agent_upgrades, demo.prod_east.agent_upgrades_set_via) == (
        UNLOCK,
        Via.EXPIRY,
    )
    upgrade = AgentUpgrade.objects.get(cluster=demo.prod_east)
    assert (upgrade.cause, upgrade.release) == (AgentUpgrade.Cause.RELEASE, rollout.release)


def test_the_release_command_says_which_pauses_ended_first(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)

    out = StringIO()
    call_command("release_platform", "4.8.0", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[1] == "Pauses ended for 1 cluster."
    assert lines[-1] == "6 agents upgraded to 4.8.0, 0 held back by a pause."


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


# resume_expired_pauses: writing down the pauses that have ended.


def test_ending_pauses_resumes_every_scope_whose_end_has_passed(demo, admin, clock):
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(REASON, clock.now + timedelta(hours=1))
    )
    clock.advance(hours=1)

    expiry = rules.resume_expired_pauses()

    assert expiry.tenants == ["Acme"]
    assert sorted(expiry.projects) == ["Default", "Edge"]
    assert sorted(expiry.clusters) == sorted(ACME)
    for obj in (demo.acme, demo.default, demo.edge):
        assert stored(obj) == (UNLOCK, "", None)
        assert (obj.agent_upgrades_set_via, obj.agent_upgrades_set_by) == (Via.EXPIRY, None)
        assert obj.agent_upgrades_set_at == clock.now
    assert set(clusters_stored(project__tenant=demo.acme).values()) == {(UNLOCK, "", None)}


def test_ending_pauses_leaves_running_and_endless_pauses_alone(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.set_cluster(
        demo.prod_west, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=3))
    )
    rules.set_cluster(demo.staging, LOCK, actor=admin)
    clock.advance(hours=2)

    expiry = rules.resume_expired_pauses()

    assert expiry.clusters == ["prod-east"]
    assert stored(demo.prod_east)[0] == UNLOCK
    assert stored(demo.prod_west)[0] == LOCK
    assert stored(demo.staging)[0] == LOCK


def test_a_cluster_paused_on_its_own_after_a_tenant_pause_with_an_end_stays_paused(
    demo, admin, clock
):
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("its own"))
    clock.advance(hours=2)

    expiry = rules.resume_expired_pauses()

    assert "prod-east" not in expiry.clusters
    assert stored(demo.prod_east) == (LOCK, "its own", None)
    assert stored(demo.prod_west)[0] == UNLOCK


def test_ending_pauses_catches_up_the_agents_they_held_back(demo, admin, clock):
    rules.push_project(
        demo.default, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.release_platform("4.8.0")
    assert agents()["prod-east"] == "4.7.2"
    clock.advance(hours=2)

    expiry = rules.resume_expired_pauses()

    assert (expiry.agents_upgraded, expiry.agent_version) == (3, "4.8.0")
    assert set(Cluster.objects.values_list("agent_version", flat=True)) == {"4.8.0"}
    caught_up = AgentUpgrade.objects.filter(cause=AgentUpgrade.Cause.EXPIRY)
    assert set(
        caught_up.values_list("cluster__name", "from_version", "to_version", "actor", "actor_name")
    ) == {
        (name, "4.7.2", "4.8.0", None, "system") for name in ("prod-east", "prod-west", "staging")
    }
    assert set(caught_up.values_list("at", flat=True)) == {clock.now}


def test_ending_pauses_writes_an_audit_event_for_each_object_it_resumed(demo, admin, clock):
    until = clock.now + timedelta(hours=1)
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause(REASON, until))
    AuditEvent.objects.all().delete()
    clock.advance(hours=2)

    rules.resume_expired_pauses()

    events = AuditEvent.objects.order_by("scope", "object_name")
    assert [(e.scope, e.object_name, e.old_value, e.new_value) for e in events] == [
        (Scope.CLUSTER, "edge-01", LOCK, UNLOCK),
        (Scope.CLUSTER, "edge-02", LOCK, UNLOCK),
        (Scope.PROJECT, "Edge", LOCK, UNLOCK),
    ]
    assert {(e.via, e.actor, e.actor_name, e.at) for e in events} == {
        (Via.EXPIRY, None, "system", clock.now)
    }
    assert {e.until for e in events if e.scope == Scope.CLUSTER} == {until}


def test_ending_pauses_a_second_time_resumes_nothing(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)
    rules.resume_expired_pauses()
    events = AuditEvent.objects.count()

    again = rules.resume_expired_pauses()

    assert (again.tenants, again.projects, again.clusters) == ([], [], [])
    assert AuditEvent.objects.count() == events
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades_version == 2  # the pause, and its end: once


def test_a_pause_whose_end_was_already_stored_in_the_past_is_ended_too(demo, admin):
    # Rows as a pause that ended while nobody looked leaves them (no clock needed).
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause(REASON, in_a_week()))
    past = timezone.now() - timedelta(hours=1)
    Project.objects.filter(pk=demo.edge.pk).update(agent_upgrades_until=past)
    Cluster.objects.filter(project=demo.edge).update(agent_upgrades_until=past)

    expiry = rules.resume_expired_pauses()

    assert (expiry.projects, sorted(expiry.clusters)) == (["Edge"], ["edge-01", "edge-02"])
    assert stored(demo.edge_01) == (UNLOCK, "", None)


# The resume_expired_pauses command (meant for cron).


def test_the_command_prints_what_it_resumed(demo, admin, clock):
    rules.release_platform("4.8.0", agent_version="4.8.0")
    Cluster.objects.update(agent_version="4.7.2")  # every agent behind, as if held back
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.push_project(demo.globex_default, LOCK, actor=admin)  # no end: stays
    clock.advance(hours=2)

    output = end_pauses()

    assert output.splitlines() == [
        "  Tenant Acme: pause ended, resumed",
        "  Project Default: pause ended, resumed",
        "  Project Edge: pause ended, resumed",
        "  Cluster edge-01: pause ended, resumed",
        "  Cluster edge-02: pause ended, resumed",
        "  Cluster prod-east: pause ended, resumed",
        "  Cluster prod-west: pause ended, resumed",
        "  Cluster staging: pause ended, resumed",
        "Pauses ended for 1 tenant, 2 projects and 5 clusters; 5 agents caught up to 4.8.0.",
    ]
    assert stored(demo.globex_main)[0] == LOCK
    assert agents()["globex-main"] == "4.7.2"


def test_the_command_says_so_when_no_pause_has_ended(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(until=in_a_week()))

    assert end_pauses() == "No pause has ended.\n"
    assert stored(demo.prod_east)[0] == LOCK


def test_the_command_explains_itself():
    assert "'pause until' has passed" in ResumeExpiredPauses.help


# Through the form, at all three scopes.


def change_url(demo, scope: str) -> str:
    return {
        "cluster": reverse(
            "change_cluster_agent_upgrades", args=[project_scope(demo), demo.prod_east.pk]
        ),
        "project": reverse("change_project_agent_upgrades", args=[demo.default.pk]),
        "tenant": reverse("change_tenant_agent_upgrades", args=[demo.acme.pk]),
    }[scope]


def panel_url(demo, scope: str) -> str:
    return {
        "cluster": reverse("cluster_settings", args=[project_scope(demo), demo.prod_east.pk]),
        "project": reverse("project_platform_settings", args=[demo.default.pk]),
        "tenant": reverse("tenant_platform_settings", args=[demo.acme.pk]),
    }[scope]


def target_of(demo, scope: str):
    return {"cluster": demo.prod_east, "project": demo.default, "tenant": demo.acme}[scope]


SCOPES = [
    pytest.param("cluster", "Agent upgrades paused for cluster prod-east", id="cluster"),
    pytest.param(
        "project", "Agent upgrades paused for 3 clusters in project Default", id="project"
    ),
    pytest.param("tenant", "Agent upgrades paused for 5 clusters in tenant Acme", id="tenant"),
]


@pytest.mark.parametrize(("scope", "done"), SCOPES)
def test_the_pause_form_takes_a_reason_and_an_end_at_every_scope(demo, client_for, scope, done):
    until = in_a_week()

    response = client_for("tenant-admin").post(
        change_url(demo, scope),
        {"value": "lock", "reason": REASON, "until": typed(until)},
        follow=True,
    )

    assert response.redirect_chain == [(panel_url(demo, scope), 302)]
    assert messages_text(parse(response)) == f"{done} until {shown(until)}."
    assert stored(target_of(demo, scope)) == (LOCK, REASON, until)
    assert stored(demo.prod_east) == (LOCK, REASON, until)


@pytest.mark.parametrize(("scope", "done"), SCOPES)
def test_the_settings_panel_shows_the_pauses_end_and_reason(demo, client_for, scope, done):
    until = in_a_week()
    client = client_for("tenant-admin")
    client.post(change_url(demo, scope), {"value": "lock", "reason": REASON, "until": typed(until)})

    page = parse(client.get(panel_url(demo, scope)))

    provenance = page.find("p", class_="provenance").text
    assert provenance.startswith(f"Paused · until {shown(until)} · “{REASON}” · set on this")
    assert switch_of(page).attrs["aria-checked"] == "true"


def test_an_htmx_pause_answers_the_panel_showing_its_end_and_reason(demo, client_for):
    until = in_a_week()

    response = client_for("cluster-admin").post(
        change_url(demo, "cluster"),
        {"value": "lock", "version": "0", "reason": REASON, "until": typed(until)},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    page = parse(response)
    assert b"<html" not in response.content
    assert f"until {shown(until)} · “{REASON}”" in page.find("dd", id="cluster-status").text
    history = [li.text for li in page.find("section", id="cluster-history").find_all("li")]
    assert history == [
        f"just now · cluster-admin · Agent upgrades Active → Paused · until {shown(until)} "
        f"· “{REASON}”"
    ]


@pytest.mark.parametrize(
    "until_text",
    ["{date}T{time}", "{date}T{time}:00", "{date} {time}", "{date} {time}:00"],
)
def test_the_form_reads_until_in_each_format_it_promises_as_utc(demo, client_for, until_text):
    until = in_a_week()
    text = until_text.format(date=until.strftime("%Y-%m-%d"), time=until.strftime("%H:%M"))

    response = client_for("cluster-admin").post(
        change_url(demo, "cluster"), {"value": "lock", "until": text}
    )

    assert response.status_code == 302
    assert stored(demo.prod_east) == (LOCK, "", until)
    assert demo.prod_east.agent_upgrades_until.utcoffset() == timedelta(0)


def test_a_pause_without_reason_or_end_holds_until_someone_resumes(demo, client_for):
    client_for("cluster-admin").post(
        change_url(demo, "cluster"), {"value": "lock", "reason": "", "until": ""}
    )

    assert stored(demo.prod_east) == (LOCK, "", None)


@pytest.mark.parametrize("scope", ["cluster", "project", "tenant"])
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param(
            {"until": "2000-01-01T00:00"}, "“Pause until” must be in the future.", id="past"
        ),
        pytest.param(
            {"until": "next friday"},
            "“Pause until” must be a date and time in UTC, like 2026-12-01 18:00.",
            id="malformed until",
        ),
        pytest.param(
            {"reason": "x" * 201},
            "Keep the reason to 200 characters or fewer.",
            id="long reason",
        ),
    ],
)
def test_a_bad_reason_or_end_is_refused_with_400_and_nothing_is_saved(
    demo, client_for, scope, extra, message
):
    response = client_for("tenant-admin").post(change_url(demo, scope), {"value": "lock", **extra})

    assert response.status_code == 400
    text = parse(response).find("p", class_="error-message").text
    assert message in text
    assert text.endswith("Nothing was changed.")
    assert set(clusters_stored().values()) == {(UNLOCK, "", None)}
    assert stored(target_of(demo, scope)) == (UNLOCK, "", None)
    assert not AuditEvent.objects.exists()


def test_the_end_right_now_is_already_past(demo, client_for, clock):
    clock.now = clock.now.replace(second=0, microsecond=0)

    response = client_for("cluster-admin").post(
        change_url(demo, "cluster"), {"value": "lock", "until": typed(clock.now)}
    )

    assert response.status_code == 400
    assert stored(demo.prod_east) == (UNLOCK, "", None)


def test_a_reason_of_two_hundred_characters_is_kept(demo, client_for):
    client_for("cluster-admin").post(
        change_url(demo, "cluster"), {"value": "lock", "reason": "r" * 200}
    )

    assert stored(demo.prod_east) == (LOCK, "r" * 200, None)


def test_a_resume_ignores_a_reason_and_end_sent_with_it(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, in_a_week()))

    response = client_for("cluster-admin").post(
        change_url(demo, "cluster"),
        {"value": "unlock", "reason": "again", "until": "2000-01-01T00:00"},
    )

    assert response.status_code == 302
    assert stored(demo.prod_east) == (UNLOCK, "", None)


def test_the_switch_offers_a_reason_and_an_end_only_when_it_asks_to_pause(demo, client_for, admin):
    client = client_for("cluster-admin")
    url = panel_url(demo, "cluster")

    to_pause = switch_form(parse(client.get(url)))
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    to_resume = switch_form(parse(client.get(url)))

    assert "data-confirm-pause" in to_pause.attrs
    assert "data-confirm-pause" not in to_resume.attrs
    # Without JavaScript, they are asked on the confirmation page the switch's form opens.
    asks_pause, asks_resume = (
        parse(client.get(form.attrs["action"], {"value": v}))
        for form, v in ((to_pause, "lock"), (to_resume, "unlock"))
    )
    assert asks_pause.find("input", id="confirm-page-reason").attrs["maxlength"] == "200"
    assert asks_pause.find("input", id="confirm-page-until").attrs["type"] == "datetime-local"
    assert asks_resume.find_all("input", id="confirm-page-reason") == []
    assert asks_resume.find_all("input", id="confirm-page-until") == []


def test_the_confirm_dialog_has_fields_for_a_reason_and_an_end(demo, client_for):
    page = parse(client_for("tenant-admin").get(panel_url(demo, "tenant")))

    dialog = page.find("dialog", id="confirm-dialog")
    assert dialog.find("label", for_="confirm-reason").text == "Reason"
    assert dialog.find("label", for_="confirm-until").text == "Pause until (UTC)"
    assert dialog.find("input", id="confirm-until").attrs["type"] == "datetime-local"
    assert dialog.find("input", id="confirm-reason").attrs["name"] == "reason"
    assert "data-confirm-pause" in switch_form(page).attrs


# The lists show a pause's end and reason.


def test_the_clusters_list_shows_a_pauses_end_and_reason(demo, client_for, admin):
    until = in_a_week()
    rules.push_project(demo.default, LOCK, actor=admin, pause=Pause(REASON, until))

    response = client_for("project-admin").get(reverse("cluster_list", args=[project_scope(demo)]))

    rows = {
        row[0]: row[3:] for row in table_rows(parse(response).find("div", id="cluster-results"))
    }
    assert rows["prod-east"][0] == "Paused"
    assert rows["prod-east"][1].startswith(
        f"until {shown(until)} · “{REASON}” · pushed by project Default · tenant-admin"
    )


def test_the_projects_list_shows_a_projects_end_and_reason(demo, client_for, admin):
    until = in_a_week()
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause(REASON, until))

    response = client_for("tenant-admin").get(reverse("project_list", args=[demo.acme.pk]))

    rows = {row[0]: row for row in table_rows(parse(response))}
    assert rows["Edge"][3] == "Paused"
    assert rows["Edge"][4].startswith(f"until {shown(until)} · “{REASON}” · set on this project")


# Pages never show an ended pause as holding.


@pytest.fixture
def ended(demo, admin, clock):
    """prod-east was paused for an hour, two hours ago; nothing has written that down yet."""
    until = clock.now + timedelta(hours=1)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, until))
    clock.advance(hours=2)
    return until


def test_the_clusters_list_shows_an_ended_pause_as_active(demo, client_for, ended):
    response = client_for("project-admin").get(reverse("cluster_list", args=[project_scope(demo)]))

    row = table_rows(parse(response).find("div", id="cluster-results"))[0]
    assert row[0] == "prod-east"
    assert row[3] == "Active"
    assert row[4].startswith(
        f"pause ended {shown(ended)} · it was “{REASON}”, set on this cluster · tenant-admin"
    )


def test_the_paused_filter_and_the_summary_leave_an_ended_pause_out(demo, client_for, ended):
    url = reverse("cluster_list", args=[project_scope(demo)])

    response = client_for("project-admin").get(url, {"paused": "1"})

    page = parse(response)
    assert page.find("div", id="cluster-results").find("p", role="status").text == (
        "0 clusters match"
    )
    stats = {
        d.find("dt").text: d.find("dd").text
        for d in page.find("dl", class_="stats").find_all("div")
    }
    assert stats["Paused"] == "0"


def test_the_cluster_page_shows_an_ended_pause_as_active_and_offers_to_pause(
    demo, client_for, ended
):
    response = client_for("project-admin").get(panel_url(demo, "cluster"))

    page = parse(response)
    status = page.find("dd", id="cluster-status").text
    assert status.startswith(
        f"Active pause ended {shown(ended)} · it was “{REASON}”, set on this cluster"
    )
    assert switch_of(page).attrs["aria-checked"] == "false"
    assert (
        switch_form(page)
        .attrs["data-confirm"]
        .startswith("Pause agent upgrades for cluster prod-east.")
    )


def test_the_project_and_tenant_panels_count_no_ended_pause(demo, client_for, admin, clock):
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(REASON, clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)
    client = client_for("tenant-admin")

    project_page = parse(client.get(panel_url(demo, "project")))
    tenant_page = parse(client.get(panel_url(demo, "tenant")))

    assert counts_text(project_page).startswith("0 of 3 clusters paused now")
    assert counts_text(tenant_page).startswith("0 of 5 clusters in 2 projects paused now")
    assert switch_of(project_page).attrs["aria-checked"] == "false"
    assert switch_of(tenant_page).attrs["aria-checked"] == "false"
    assert tenant_page.find("p", class_="provenance").text.startswith("Active · pause ended")


def test_the_projects_list_does_not_count_an_ended_pause_as_paused(demo, client_for, ended):
    response = client_for("tenant-admin").get(reverse("project_list", args=[demo.acme.pk]))

    rows = {row[0]: row for row in table_rows(parse(response))}
    assert rows["Default"][1:3] == ["3", "0"]


def test_the_push_again_dialog_of_an_ended_pause_speaks_of_resuming(demo, client_for, admin, clock):
    rules.push_project(
        demo.default, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)  # set individually: offers "again"
    clock.advance(hours=2)

    page = parse(client_for("project-admin").get(panel_url(demo, "project")))

    again = page.find("form", class_="reapply-form")
    assert again.find("input", name="value").attrs["value"] == "unlock"
    assert again.find("button").text == "Resume all 3 clusters"
    assert again.attrs["data-confirm"].startswith("Resume agent upgrades again")


def test_pausing_a_cluster_whose_pause_ended_starts_a_new_pause(demo, client_for, ended):
    response = client_for("cluster-admin").post(
        change_url(demo, "cluster"), {"value": "lock", "version": "1"}
    )

    assert response.status_code == 302
    assert stored(demo.prod_east) == (LOCK, "", None)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.old_value, event.new_value) == (UNLOCK, LOCK)


def test_after_the_command_the_cluster_page_says_the_pause_ended(demo, client_for, ended):
    end_pauses()

    page = parse(client_for("project-admin").get(panel_url(demo, "cluster")))

    assert page.find("dd", id="cluster-status").text.startswith(
        "Active resumed when its pause ended"
    )
    history = [li.text for li in page.find("ul", class_="history").find_all("li")]
    assert history[0].endswith("system · Agent upgrades Paused → Active (pause ended)")
    assert history[1].endswith(
        f"tenant-admin · Agent upgrades Active → Paused · until {shown(ended)} · “{REASON}”"
    )


def test_the_cluster_history_shows_an_agent_caught_up_by_the_end_of_its_pause(
    demo, client_for, admin, clock
):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    rules.release_platform("4.8.0")
    clock.advance(hours=2)
    end_pauses()

    page = parse(client_for("project-admin").get(panel_url(demo, "cluster")))

    history = [li.text for li in page.find("ul", class_="history").find_all("li")]
    assert any(
        entry.endswith("system · Agent upgraded 4.7.2 → 4.8.0 (pause ended)") for entry in history
    )


# The audit trail.


def test_the_audit_log_shows_a_pauses_reason_and_end(demo, client_for, admin):
    until = in_a_week()
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause(REASON, until))

    response = client_for("tenant-admin").get(
        reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)])
    )

    row = " ".join(table_rows(parse(response))[0])
    assert REASON in row
    assert shown(until) in row


def test_the_audit_log_says_a_pause_ended_rather_than_that_it_was_pushed(demo, client_for, ended):
    end_pauses()

    response = client_for("tenant-admin").get(
        reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)])
    )

    newest = table_rows(parse(response))[0]
    assert newest[1:4] == ["system", "Cluster prod-east", "Paused → Active"]
    assert newest[4] == "pause ended"


def test_a_cluster_created_after_its_projects_pause_ended_has_no_pause_to_end(demo, admin, clock):
    rules.push_project(
        demo.edge, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)
    rules.new_cluster(Project.objects.get(pk=demo.edge.pk), "edge-03")

    expiry = rules.resume_expired_pauses()

    assert "edge-03" not in expiry.clusters


def test_the_lists_query_and_the_models_property_agree_on_when_a_pause_holds(demo, admin, clock):
    rules.push_tenant(
        demo.acme, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )

    assert Tenant.objects.filter(paused_now(clock.now)).count() == 1
    assert Tenant.objects.get(pk=demo.acme.pk).is_paused
    clock.advance(hours=1)
    assert Tenant.objects.filter(paused_now(clock.now)).count() == 0
    assert not Tenant.objects.get(pk=demo.acme.pk).is_paused
