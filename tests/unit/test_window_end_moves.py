"""Rule 5 of freeze windows: once a window has started, only its end may change (or it is
ended now). The new end holds every row it holds until then, and its end still puts back what
was there before any window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent
from settings_app.rules.schedule import run_windows
from settings_app.rules.windows import InvalidWindow, WindowConflict, edit_window
from tests.unit.test_freeze_windows import value_and_via, window  # noqa: F401 (a fixture)

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@pytest.fixture
def running(demo, window, clock, user):  # noqa: F811
    """Year-end over Acme, started an hour ago, due to end in an hour; prod-west was paused by
    a person before it."""
    rules.set_cluster(demo.prod_west, LOCK, actor=user("project-admin"))
    made = window(demo.acme, starts_in=timedelta(hours=1), lasts=timedelta(hours=2))
    clock.advance(hours=2)
    assert run_windows().started == 1
    return made


def test_a_started_windows_end_moves_later_and_holds_every_row_until_then(
    demo, running, clock, user
):
    later = clock.now + timedelta(hours=5)
    edit_window(running, actor=user("tenant-admin"), end_date=later.date(), end_time=later.time())

    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades_until == later
    clock.advance(hours=2)
    assert run_windows().ended == 0  # the old end passed: still held
    assert value_and_via(demo.prod_east)[0] == LOCK
    clock.advance(hours=4)
    assert run_windows().ended == 1
    assert value_and_via(demo.prod_east) == (UNLOCK, "", None)
    assert value_and_via(demo.prod_west)[:2] == (LOCK, "cluster")  # its own pause, back


def test_moving_the_end_is_audited_with_its_new_end(demo, running, clock, user):
    later = clock.now + timedelta(hours=3)
    edit_window(running, actor=user("tenant-admin"), end_date=later.date(), end_time=later.time())

    details = AuditEvent.objects.filter(action="window", part_of__isnull=True).values_list(
        "detail", flat=True
    )
    assert any(d.startswith("End moved; holds until") for d in details)
    assert any(d.startswith("Moved the end of freeze window Year-end") for d in details)


def test_a_started_window_refuses_any_other_change(demo, running, user):
    with pytest.raises(WindowConflict, match="only its end can change"):
        edit_window(running, actor=user("tenant-admin"), name="Renamed")


def test_an_end_that_has_passed_is_refused_and_changes_nothing(demo, running, clock, user):
    earlier = clock.now - timedelta(minutes=5)
    before = value_and_via(demo.prod_east)
    with pytest.raises(InvalidWindow, match="end the window now"):
        edit_window(
            running, actor=user("tenant-admin"), end_date=earlier.date(), end_time=earlier.time()
        )
    assert value_and_via(demo.prod_east) == before


def test_a_window_saved_while_its_time_has_begun_starts_at_the_next_pass(demo, window, clock):  # noqa: F811
    from settings_app.models import FreezeOccurrence

    made = window(demo.default, starts_in=-timedelta(minutes=30), lasts=timedelta(hours=2))
    run_windows()

    assert FreezeOccurrence.objects.get(window=made).state == "started"
    assert value_and_via(demo.prod_east)[0] == LOCK


def test_a_window_name_with_a_line_break_is_refused_with_why(demo, clock, user):
    from settings_app.models import FreezeWindow
    from settings_app.rules.windows import check_window

    named = FreezeWindow(
        tenant=demo.acme,
        name="Year\nend",
        time_zone="UTC",
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=(clock.now + timedelta(hours=1)).date(),
        start_time=(clock.now + timedelta(hours=1)).time(),
        end_date=(clock.now + timedelta(hours=3)).date(),
        end_time=(clock.now + timedelta(hours=3)).time(),
    )
    with pytest.raises(InvalidWindow, match="The name contains a line break"):
        check_window(named, clock.now)
