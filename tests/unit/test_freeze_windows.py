"""Freeze windows: a window's start and end (rules 1 to 4 of the README's Freeze windows), its
times in its zone across daylight-saving changes, and the scheduler's exactly-once steps and
catch-up after downtime. The clock is the tests' (`clock`): nothing sleeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from settings_app import rules
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    FreezeOccurrence,
    FreezeWindow,
    Via,
)
from settings_app.rules.schedule import run_windows
from settings_app.rules.windows import InvalidWindow, check_window
from tests.factories import make_release
from tests.state import stored

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@pytest.fixture
def window(demo, user, clock):
    """`window(scope_object, starts_in=…, lasts=…)`: a once window in UTC, saved and checked."""

    def make(obj, *, starts_in=timedelta(hours=1), lasts=timedelta(hours=2), name="Year-end"):
        start, end = clock.now + starts_in, clock.now + starts_in + lasts
        scope = (
            {"tenant": obj} if obj._meta.model_name == "tenant" else {"tenant_id": obj.tenant_id}
        )
        if obj._meta.model_name == "project":
            scope["project"] = obj
        if obj._meta.model_name == "cluster":
            scope["cluster"] = obj
        made = FreezeWindow(
            **scope,
            name=name,
            reason="holiday freeze",
            time_zone="UTC",
            schedule=FreezeWindow.Schedule.ONCE,
            start_date=start.date(),
            start_time=start.time(),
            end_date=end.date(),
            end_time=end.time(),
            created_by=user("tenant-admin"),
            created_at=clock.now,
        )
        check_window(made, clock.now)
        made.save()
        return made

    return make


def value_and_via(obj):
    obj.refresh_from_db()
    return obj.agent_upgrades, obj.agent_upgrades_set_via, obj.agent_upgrades_window_id


# Rule 1: a window's start pauses its scope as its switch would.


def test_a_tenant_window_pauses_the_tenant_its_projects_and_clusters_when_it_starts(
    demo, window, clock
):
    year_end = window(demo.acme)
    clock.advance(hours=1)

    run = run_windows()

    assert (run.started, run.ended) == (1, 0)
    assert value_and_via(demo.prod_east) == (LOCK, Via.TENANT, year_end.pk)
    assert value_and_via(demo.edge) == (LOCK, Via.TENANT, year_end.pk)
    assert value_and_via(demo.acme) == (LOCK, Via.TENANT, year_end.pk)
    assert value_and_via(demo.globex_main) == (UNLOCK, "", None)
    assert stored(demo.staging) == (LOCK, "holiday freeze", clock.now + timedelta(hours=2))


def test_a_tenant_window_holds_its_gateway_and_idle_host_and_its_end_puts_them_back(
    demo, window, clock, gateway_and_hosts, user
):
    gateway, host = gateway_and_hosts.pcg_vsphere, gateway_and_hosts.edge_host_02
    rules.set_gateway(gateway, LOCK, actor=user("tenant-admin"), pause=rules.Pause("own"))
    year_end = window(demo.acme)
    clock.advance(hours=1)
    run_windows()
    assert value_and_via(gateway) == (LOCK, Via.TENANT, year_end.pk)
    assert value_and_via(host) == (LOCK, Via.TENANT, year_end.pk)
    assert value_and_via(gateway_and_hosts.edge_host_01)[2] is None  # it follows edge-01

    clock.advance(hours=2)
    run_windows()
    assert value_and_via(gateway) == (LOCK, Via.CLUSTER, None)
    assert gateway.agent_upgrades_reason == "own"
    assert value_and_via(host) == (UNLOCK, "", None)


def test_a_project_window_holds_the_projects_idle_host_and_no_gateway(
    demo, window, clock, gateway_and_hosts
):
    window(demo.edge)
    clock.advance(hours=1)
    run_windows()
    assert value_and_via(gateway_and_hosts.edge_host_02)[0] == LOCK
    assert value_and_via(gateway_and_hosts.pcg_vsphere) == (UNLOCK, "", None)


def test_a_windows_start_is_recorded_as_made_by_the_window(demo, window, clock):
    window(demo.default)
    clock.advance(hours=1)
    run_windows()

    start = AuditEvent.objects.get(action="window", part_of__isnull=True)
    assert (start.actor_name, start.actor.username, start.scope, start.object_name) == (
        "freeze window Year-end",
        "tenant-admin",
        "project",
        "Default",
    )
    assert start.parts.filter(scope="cluster").count() == 3


def test_nothing_starts_before_its_time(demo, window, clock):
    window(demo.acme)
    clock.advance(minutes=59)

    assert run_windows().started == 0
    assert value_and_via(demo.prod_east)[0] == UNLOCK


# Rule 3: the end puts back what was there, with where it came from.


def test_the_end_puts_every_value_back_with_its_provenance(demo, window, clock, user):
    rules.set_cluster(demo.prod_west, LOCK, actor=user("project-admin"))
    before = value_and_via(demo.prod_west)
    window(demo.acme)
    clock.advance(hours=1)
    run_windows()
    clock.advance(hours=2)

    run = run_windows()

    assert run.ended == 1
    assert value_and_via(demo.prod_west) == before  # paused before, set directly
    assert value_and_via(demo.prod_east) == (UNLOCK, "", None)
    assert value_and_via(demo.acme) == (UNLOCK, "", None)
    demo.prod_west.refresh_from_db()
    assert demo.prod_west.agent_upgrades_set_by.username == "project-admin"


def test_a_cluster_going_back_to_active_catches_its_agent_up(demo, window, clock):
    window(demo.default)
    clock.advance(hours=1)
    run_windows()
    make_release("4.8.0", agent_version="4.8.0")
    rules.release_platform("4.8.1", agent_version="4.8.1")  # held back: paused by the window
    clock.advance(hours=2)

    run_windows()

    demo.prod_east.refresh_from_db()
    assert (demo.prod_east.agent_upgrades, demo.prod_east.agent_version) == (UNLOCK, "4.8.1")
    assert AgentUpgrade.objects.filter(cluster=demo.prod_east, cause="resume").exists()


# Rule 4: a person's change during the window wins.


def test_a_person_resuming_a_cluster_during_a_window_takes_it_out_of_the_hold(
    demo, window, clock, user
):
    window(demo.acme)
    clock.advance(hours=1)
    run_windows()
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("cluster-admin"))
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    clock.advance(hours=2)

    run_windows()

    assert value_and_via(demo.prod_east) == (LOCK, Via.CLUSTER, None)  # left as the person set it
    end = AuditEvent.objects.filter(action="window", part_of__isnull=True).latest("id")
    assert "left 1 cluster alone" in end.detail


# Rule 2: overlapping windows.


def test_overlapping_windows_hold_until_the_last_ends_and_then_put_back_the_first_value(
    demo, window, clock, user
):
    rules.set_cluster(demo.staging, LOCK, actor=user("project-admin"))
    window(demo.acme, starts_in=timedelta(hours=1), lasts=timedelta(hours=2), name="A")
    window(demo.default, starts_in=timedelta(hours=2), lasts=timedelta(hours=3), name="B")
    clock.advance(hours=1)
    run_windows()  # A starts
    clock.advance(hours=1)
    run_windows()  # B starts: Default's clusters are A's already
    clock.advance(hours=1)

    run = run_windows()  # A ends: B takes Default over

    assert run.ended == 1
    assert value_and_via(demo.prod_east)[0] == LOCK
    assert value_and_via(demo.edge_01) == (UNLOCK, "", None)  # only A held it
    clock.advance(hours=2)
    run_windows()  # B ends
    assert value_and_via(demo.prod_east) == (UNLOCK, "", None)
    assert value_and_via(demo.staging) == (LOCK, Via.CLUSTER, None)


# The scheduler: exactly once, and after downtime.


def test_running_the_scheduler_twice_starts_and_ends_each_window_once(demo, window, clock):
    window(demo.acme)
    clock.advance(hours=1)
    assert run_windows().started == 1
    assert run_windows().started == 0
    clock.advance(hours=2)
    assert run_windows().ended == 1
    assert run_windows().ended == 0
    assert AuditEvent.objects.filter(action="window", part_of__isnull=True).count() == 2


def test_a_start_missed_while_down_happens_at_once_if_the_end_is_ahead(demo, window, clock):
    window(demo.acme)
    run_windows()  # planned
    clock.advance(hours=2)  # down across the start

    assert run_windows().started == 1


def test_an_occurrence_missed_entirely_while_down_is_skipped_not_run_late(demo, window, clock):
    window(demo.acme)
    run_windows()
    clock.advance(hours=5)

    run = run_windows()

    assert (run.started, run.skipped) == (0, 1)
    assert value_and_via(demo.prod_east)[0] == UNLOCK
    assert FreezeOccurrence.objects.get().state == "skipped"


# Time zones.


def weekly(zone: str, days: str, at: time, hours: int, first: date) -> FreezeWindow:
    return FreezeWindow(
        name="Weekend",
        time_zone=zone,
        schedule=FreezeWindow.Schedule.WEEKLY,
        days=days,
        start_time=at,
        duration=timedelta(hours=hours),
        start_date=first,
    )


@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
def test_a_weekly_window_stays_at_its_local_time_across_both_clock_changes(zone, spring, autumn):
    friday_1800 = weekly(zone, "4", time(18), 60, date(2026, 1, 1))
    runs = list(
        friday_1800.occurrences(
            datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
        )
    )

    local = [
        (start.astimezone(friday_1800.zone), end.astimezone(friday_1800.zone))
        for start, end in runs
    ]
    assert {(start.weekday(), start.time()) for start, _ in local} == {(4, time(18))}
    assert {(end.weekday(), end.time()) for _, end in local} == {(0, time(6))}
    offsets = {start.utcoffset() for start, _ in local}
    assert len(offsets) == 2  # the UTC time moves, the local one does not
    crossing = [end - start for start, end in runs if start.date() < spring <= end.date()]
    assert crossing == [timedelta(hours=59)]  # the weekend the clocks go forward is an hour short
    crossing = [end - start for start, end in runs if start.date() < autumn <= end.date()]
    assert crossing == [timedelta(hours=61)]


@pytest.mark.parametrize(
    ("zone", "day", "at", "says"),
    [
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), "does not exist"),
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), "happens twice"),
        ("America/New_York", date(2026, 3, 8), time(2, 30), "does not exist"),
        ("America/New_York", date(2026, 11, 1), time(1, 30), "happens twice"),
    ],
)
def test_a_local_time_that_does_not_exist_or_exists_twice_is_refused_with_why(zone, day, at, says):
    once = FreezeWindow(
        name="Change day",
        time_zone=zone,
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=day,
        start_time=at,
        end_date=day + timedelta(days=1),
        end_time=time(12),
    )

    with pytest.raises(InvalidWindow, match=says):
        check_window(once, datetime(2026, 1, 1, tzinfo=UTC))


def test_a_weekly_window_that_meets_a_change_day_is_refused(clock):
    sunday_0230 = weekly("Europe/Berlin", "6", time(2, 30), 2, date(2026, 1, 1))

    with pytest.raises(InvalidWindow, match="does not exist"):
        check_window(sunday_0230, datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"time_zone": "Mars/Olympus"}, "not a time zone"),
        ({"name": "  "}, "name"),
        ({"reason": "line\nbreak"}, "line break"),
        ({"end_time": time(0), "end_date": date(2020, 1, 1)}, "end after it starts"),
    ],
)
def test_a_window_that_cannot_work_is_refused_with_what_to_fix(change, says):
    once = FreezeWindow(
        name="Year-end",
        time_zone="Europe/Berlin",
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=date(2027, 12, 24),
        start_time=time(18),
        end_date=date(2028, 1, 4),
        end_time=time(6),
    )
    for name, value in change.items():
        setattr(once, name, value)

    with pytest.raises(InvalidWindow, match=says):
        check_window(once, datetime(2026, 12, 1, tzinfo=UTC))


def test_a_weekly_window_longer_than_the_gap_between_its_days_is_refused():
    fridays_and_saturdays = weekly("UTC", "4,5", time(18), 30, date(2026, 1, 1))

    with pytest.raises(InvalidWindow, match=r"next occurrence.*\(1 day\)\.$"):
        check_window(fridays_and_saturdays, datetime(2026, 1, 1, tzinfo=UTC))


# The command.


def test_run_schedule_starts_a_due_window_and_ends_expired_pauses(demo, window, clock):
    from io import StringIO

    from django.core.management import call_command

    window(demo.acme)
    clock.advance(hours=1)
    out = StringIO()

    call_command("run_schedule", "--once", stdout=out)

    assert "1 started" in out.getvalue()
    assert value_and_via(demo.prod_east)[0] == LOCK


def test_run_schedule_every_runs_pass_after_pass(demo, window, clock, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    window(demo.acme)
    waits = []

    def wait(seconds):  # the clock moves on instead of sleeping
        waits.append(seconds)
        clock.advance(hours=1)

    monkeypatch.setattr("time.sleep", wait)
    out = StringIO()

    call_command("run_schedule", "--every", "60", "--passes", "4", stdout=out)

    assert waits == [60, 60, 60]
    assert "1 started" in out.getvalue() and "1 ended" in out.getvalue()
    assert value_and_via(demo.prod_east) == (UNLOCK, "", None)


def test_run_schedule_refuses_an_interval_that_is_no_interval(demo):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="above 0"):
        call_command("run_schedule", "--every", "0")


def test_the_pause_end_sweep_leaves_a_running_windows_pause_to_its_end(demo, window, clock, user):
    rules.set_cluster(demo.prod_west, LOCK, actor=user("project-admin"))
    window(demo.acme)
    clock.advance(hours=1)
    run_windows()
    clock.advance(hours=2)

    rules.resume_expired_pauses()  # a cron sweep before the scheduler's pass
    run_windows()

    assert value_and_via(demo.prod_west) == (LOCK, Via.CLUSTER, None)


# What the pages say.


def test_a_frozen_clusters_provenance_names_the_window_and_its_end_in_its_zone(demo, user, clock):
    from settings_app import wording

    start = clock.now + timedelta(hours=1)
    berlin = FreezeWindow(
        tenant=demo.acme,
        name="Year-end",
        reason="holiday freeze",
        time_zone="Europe/Berlin",
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=start.astimezone(ZoneInfo("Europe/Berlin")).date(),
        start_time=start.astimezone(ZoneInfo("Europe/Berlin")).time(),
        end_date=date(2028, 1, 4),
        end_time=time(6),
        created_by=user("tenant-admin"),
        created_at=clock.now,
    )
    check_window(berlin, clock.now)
    berlin.save()
    clock.advance(hours=1)
    run_windows()

    demo.prod_east.refresh_from_db()
    text = wording.details(demo.prod_east)

    assert text.startswith("until Tue 4 Jan 06:00 Europe/Berlin (05:00 UTC) · “holiday")
    assert "freeze window Year-end, created by tenant-admin" in text


def test_the_clusters_csv_names_the_window_holding_a_cluster(demo, window, clock, client_for):
    from django.urls import reverse

    from settings_app.permissions.scopes import ScopeRef
    from tests.views.test_csv_export import rows_of

    window(demo.default)
    clock.advance(hours=1)
    run_windows()

    rows = rows_of(
        client_for("tenant-admin").get(
            reverse("cluster_list_csv", args=[ScopeRef("tenants", demo.acme.pk)])
        )
    )

    frozen = {row["name"]: row["freeze_window"] for row in rows}
    assert frozen["prod-east"] == "Year-end"
    assert frozen["edge-01"] == ""


def test_project_settings_list_the_running_the_next_and_the_past_windows(
    demo, window, clock, client_for
):
    from django.urls import reverse

    from tests.html import parse

    window(demo.default, name="Now")
    window(demo.default, starts_in=timedelta(days=2), name="Later")
    window(demo.default, starts_in=timedelta(minutes=30), lasts=timedelta(minutes=10), name="Gone")
    clock.advance(minutes=45)
    run_windows()  # Gone started and is over: it was skipped
    clock.advance(minutes=20)
    run_windows()  # Now starts

    page = parse(
        client_for("project-admin").get(
            reverse("project_platform_settings", args=[demo.default.pk])
        )
    )

    section = page.find("section", aria_labelledby="freeze-windows-title")
    text = section.text
    assert "Now: freeze window Now" in text
    assert text.index("Next") < text.index("Later") < text.index("Past") < text.index("Gone")
    assert "UTC)" in text


# Found by a second reading.


def test_a_cluster_added_to_a_held_project_does_not_stop_the_hand_over(demo, window, clock):
    window(demo.default, starts_in=timedelta(hours=1), lasts=timedelta(hours=2), name="A")
    window(demo.acme, starts_in=timedelta(hours=2), lasts=timedelta(hours=3), name="B")
    clock.advance(hours=1)
    run_windows()
    demo.default.refresh_from_db()
    rules.new_cluster(demo.default, "added-during-a")  # takes the project's value, held by A
    clock.advance(hours=1)
    run_windows()
    clock.advance(hours=1)

    run = run_windows()  # A ends: B takes over what A recorded

    assert run.ended == 1
    assert value_and_via(demo.prod_east)[0] == LOCK


def test_a_window_that_puts_back_a_pause_does_not_catch_the_agent_up(demo, user, clock):
    from settings_app.rules.freezes import end, start

    daily = FreezeWindow(
        tenant=demo.acme,
        cluster=demo.prod_east,
        name="Nightly",
        time_zone="UTC",
        schedule=FreezeWindow.Schedule.WEEKLY,
        days="0,1,2,3,4,5,6",
        start_time=time(0),
        duration=timedelta(hours=1),
        start_date=clock.now.date(),
        created_by=user("tenant-admin"),
        created_at=clock.now,
    )
    daily.save()
    first = FreezeOccurrence.objects.create(
        window=daily, starts_at=clock.now, ends_at=clock.now + timedelta(hours=1)
    )
    start(first, clock.now)
    end(first, clock.now + timedelta(hours=1))  # back to active
    clock.advance(hours=2)
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    second = FreezeOccurrence.objects.create(
        window=daily, starts_at=clock.now, ends_at=clock.now + timedelta(hours=1)
    )
    start(second, clock.now)
    rules.release_platform("4.9.0", agent_version="4.9.0")  # held back
    end(second, clock.now + timedelta(hours=1))  # back to the person's pause

    demo.prod_east.refresh_from_db()
    assert (demo.prod_east.agent_upgrades, demo.prod_east.agent_version) == (LOCK, "4.7.2")


def test_a_weekly_window_that_has_run_is_history_and_is_not_edited(demo, user, clock):
    from settings_app.rules.windows import WindowConflict, edit_window

    weekly_window = FreezeWindow(
        tenant=demo.acme,
        name="Weekend",
        time_zone="UTC",
        schedule=FreezeWindow.Schedule.WEEKLY,
        days="0,1,2,3,4,5,6",
        start_time=time(0),
        duration=timedelta(hours=1),
        start_date=clock.now.date(),
        created_by=user("tenant-admin"),
        created_at=clock.now,
    )
    weekly_window.save()
    FreezeOccurrence.objects.create(
        window=weekly_window,
        starts_at=clock.now - timedelta(days=2),
        ends_at=clock.now - timedelta(days=2) + timedelta(hours=1),
        state="ended",
    )

    with pytest.raises(WindowConflict, match="history"):
        edit_window(weekly_window, actor=user("tenant-admin"), name="Renamed")
