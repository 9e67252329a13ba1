"""Freeze windows, gaps found in review: a cluster moved out of a held project, the end's count
of what a person changed among rows handed over, and a cluster added to a held project."""

# ruff: noqa: F811 (the `window` fixture, imported, is each test's argument)
from __future__ import annotations

from datetime import timedelta

from settings_app import rules
from settings_app.models import AgentUpgrades, AuditEvent
from settings_app.rules.schedule import run_windows
from tests.unit.test_freeze_windows import value_and_via, window  # noqa: F401

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


def last_end() -> AuditEvent:
    return AuditEvent.objects.filter(action="window", part_of__isnull=True).latest("id")


# (a) A cluster moved to another project while held.


def test_a_cluster_moved_out_of_a_held_project_is_put_back_when_the_window_ends(
    demo, window, clock, user
):
    launch = window(demo.default, name="Launch")
    clock.advance(hours=1)
    run_windows()
    rules.move_cluster(demo.prod_east, demo.edge, actor=user("tenant-admin"))
    assert value_and_via(demo.prod_east) == (LOCK, "project", launch.pk)  # still Launch's
    clock.advance(hours=2)

    run_windows()

    assert value_and_via(demo.prod_east) == (UNLOCK, "", None)
    assert "put 3 clusters back" in last_end().detail


def test_a_cluster_moved_into_a_project_another_window_holds_is_handed_over_to_it(
    demo, window, clock, user
):
    window(demo.default, name="Launch")
    edge = window(demo.edge, lasts=timedelta(hours=4), name="Edge freeze")
    clock.advance(hours=1)
    run_windows()
    rules.move_cluster(demo.prod_east, demo.edge, actor=user("tenant-admin"))
    clock.advance(hours=2)

    run_windows()  # Launch ends: Edge freeze holds prod-east's new project

    assert value_and_via(demo.prod_east)[::2] == (LOCK, edge.pk)
    clock.advance(hours=2)
    run_windows()  # Edge freeze ends
    assert value_and_via(demo.prod_east) == (UNLOCK, "", None)


# (b) The end's count of what it left alone, among rows handed over to it.


def test_the_end_counts_a_handed_over_cluster_a_person_changed_as_left_alone(
    demo, window, clock, user
):
    window(demo.default, lasts=timedelta(hours=2), name="A")
    window(demo.acme, starts_in=timedelta(hours=2), lasts=timedelta(hours=3), name="B")
    clock.advance(hours=1)
    run_windows()  # A starts
    clock.advance(hours=1)
    run_windows()  # B starts: Default's are A's already
    clock.advance(hours=1)
    run_windows()  # A ends: B takes Default's clusters over
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("cluster-admin"))
    clock.advance(hours=2)

    run_windows()  # B ends

    detail = last_end().detail
    assert "left 1 cluster alone" in detail
    assert "put 4 clusters back" in detail  # prod-west, staging, edge-01, edge-02


def test_the_end_counts_nothing_left_alone_when_nobody_changed_anything(demo, window, clock):
    window(demo.acme)
    clock.advance(hours=1)
    run_windows()
    clock.advance(hours=2)

    run_windows()

    assert "alone" not in last_end().detail


# (c) A cluster added to a held project.


def test_a_cluster_added_to_a_held_project_is_paused_by_the_window_and_restored_with_it(
    demo, window, clock, user
):
    rules.push_project(demo.default, LOCK, actor=user("project-admin"))
    rules.push_project(demo.default, UNLOCK, actor=user("project-admin"))  # set by a person
    launch = window(demo.default, name="Launch")
    clock.advance(hours=1)
    run_windows()
    demo.default.refresh_from_db()
    added = rules.new_cluster(demo.default, "added-during-launch")
    assert value_and_via(added) == (LOCK, "project", launch.pk)  # its project's value: paused
    clock.advance(hours=2)

    run_windows()

    demo.default.refresh_from_db()
    added.refresh_from_db()
    assert value_and_via(added) == (UNLOCK, "project", None)  # the project's restored value
    assert added.agent_upgrades_set_by == demo.default.agent_upgrades_set_by
    assert added.agent_upgrades_set_at == demo.default.agent_upgrades_set_at
    assert "1 cluster added meanwhile took its project's value" in last_end().detail


def test_a_cluster_added_to_a_held_project_follows_it_to_the_next_window_and_back(
    demo, window, clock
):
    window(demo.default, lasts=timedelta(hours=2), name="A")
    tenant = window(demo.acme, starts_in=timedelta(hours=2), lasts=timedelta(hours=3), name="B")
    clock.advance(hours=1)
    run_windows()
    demo.default.refresh_from_db()
    added = rules.new_cluster(demo.default, "added-during-a")
    clock.advance(hours=2)
    run_windows()  # B started an hour ago; A ends: B holds Default, and so the added cluster

    assert value_and_via(added)[::2] == (LOCK, tenant.pk)
    clock.advance(hours=2)
    run_windows()  # B ends
    assert value_and_via(added) == (UNLOCK, "", None)
