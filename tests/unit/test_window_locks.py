"""End now, Delete and Edit lock the window and its occurrences, and decide on what they read
under the lock: a start the scheduler made after the window was read (by a page, or another
request) is seen, never raced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settings_app.models import FreezeOccurrence, FreezeWindow
from settings_app.rules.schedule import run_windows
from settings_app.rules.windows import (
    WindowConflict,
    create_window,
    delete_window,
    edit_window,
    end_window_now,
)


@pytest.fixture
def soon(demo, user, clock):
    """A once window on Acme / Default, starting in a minute, read before it starts."""
    start, end = clock.now + timedelta(minutes=1), clock.now + timedelta(hours=1)
    window = FreezeWindow(
        tenant=demo.acme,
        project=demo.default,
        name="Soon",
        time_zone="UTC",
        schedule="once",
        start_date=start.date(),
        start_time=start.time(),
        end_date=end.date(),
        end_time=end.time(),
    )
    create_window(window, actor=user("tenant-admin"), now=clock.now)
    read_before = FreezeWindow.objects.prefetch_related("runs").get(pk=window.pk)
    list(read_before.runs.all())  # as a page read it: its runs, all scheduled
    return read_before


def started_meanwhile(clock) -> None:
    clock.advance(minutes=2)
    run_windows()
    assert FreezeOccurrence.objects.filter(state="started").count() == 1


def test_delete_sees_a_start_made_after_the_window_was_read_and_refuses(demo, soon, clock, user):
    started_meanwhile(clock)

    with pytest.raises(WindowConflict, match="end it now first"):
        delete_window(soon, actor=user("tenant-admin"))

    assert FreezeWindow.objects.filter(pk=soon.pk).exists()


def test_edit_sees_a_start_made_after_the_window_was_read_and_refuses(demo, soon, clock, user):
    started_meanwhile(clock)

    with pytest.raises(WindowConflict, match="only its end can change now"):
        edit_window(soon, actor=user("tenant-admin"), name="Renamed")


def test_end_now_of_a_window_read_before_its_start_ends_the_running_occurrence(
    demo, soon, clock, user
):
    started_meanwhile(clock)

    end_window_now(soon, actor=user("tenant-admin"))

    demo.default.refresh_from_db()
    assert not demo.default.is_paused
    assert FreezeOccurrence.objects.get(window=soon).state == "ended"


@pytest.mark.skipif(
    not connection.features.has_select_for_update, reason="the database has no row locks"
)
def test_end_now_locks_the_window_and_its_occurrences(demo, soon, user):
    with CaptureQueriesContext(connection) as queries:
        end_window_now(soon, actor=user("tenant-admin"))

    locked = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert any('"settings_app_freezewindow"' in sql.split("FROM")[1] for sql in locked)
    assert any('"settings_app_freezeoccurrence"' in sql.split("FROM")[1] for sql in locked)
