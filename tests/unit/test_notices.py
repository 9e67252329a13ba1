"""Notices written with their cause (README, Notices): each event's payload, written in the
transaction of its cause (a rollback writes nothing), and the reminders of time passing, each
written once however often the scheduler passes. The clock is the tests' (`clock`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from settings_app import rules
from settings_app.models import AgentUpgrades, ApiKey, FreezeWindow
from settings_app.models.keys import change_key
from settings_app.models.notices import CHOOSABLE, Delivery, Destination, Event, Notice
from settings_app.rules import Pause
from settings_app.rules.reminders import find_due_notices
from settings_app.rules.schedule import run_windows

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@pytest.fixture
def hook(demo, admin):
    """A webhook of Acme that wants every event."""
    return Destination.objects.create(
        tenant=demo.acme,
        kind=Destination.Kind.WEBHOOK,
        name="ops",
        url="https://hooks.example.com/ops",
        events=",".join(CHOOSABLE),
        created_by=admin,
    )


def only_notice(event: str) -> Notice:
    found = list(Notice.objects.filter(event=event))
    assert len(found) == 1, found
    return found[0]


def test_a_tenant_push_writes_a_notice_of_who_set_what_on_how_many_clusters(demo, hook, admin):
    rules.push_tenant(demo.acme, LOCK, actor=admin)

    notice = only_notice(Event.TENANT_PUSH)
    assert notice.payload["text"] == (
        "tenant-admin set agent upgrades to lock for all of tenant Acme (5 clusters)"
    )
    assert notice.payload["counts"] == {"clustersWritten": 5, "value": "lock"}
    [acme] = notice.payload["objects"]
    assert (acme["uid"], acme["link"]) == (
        demo.acme.uid,
        f"http://localhost:8000/tenants/{demo.acme.pk}/settings/",
    )
    assert Delivery.objects.get(notice=notice).destination == hook


def test_a_change_that_rolls_back_writes_no_notice(demo, hook, admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        rules.push_tenant(demo.acme, LOCK, actor=admin)
        raise RuntimeError("the caller fails after the push")

    assert not Notice.objects.exists()
    assert not Delivery.objects.exists()


def test_nothing_is_written_for_a_tenant_whose_destinations_do_not_want_the_event(
    demo, hook, admin
):
    Destination.objects.filter(pk=hook.pk).update(events="key.created")
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.push_tenant(demo.globex, LOCK, actor=admin)

    assert not Notice.objects.exists()


def test_a_project_push_is_not_a_tenant_wide_push(demo, hook, admin):
    rules.push_project(demo.default, LOCK, actor=admin)

    assert not Notice.objects.exists()


def test_an_api_key_created_and_revoked_writes_a_notice_each(demo, hook, admin, clock):
    key, _ = ApiKey.issue(admin, demo.acme, "ci", clock.now + timedelta(days=30), actor=admin)
    change_key(key, "revoke", admin)
    change_key(key, "activate", admin)

    created, revoked = only_notice(Event.KEY_CREATED), only_notice(Event.KEY_REVOKED)
    assert created.payload["text"] == (
        f"API key ci ({key.prefix}…) of tenant-admin created by tenant-admin"
    )
    assert revoked.payload["objects"][0]["uid"] == key.prefix
    assert Notice.objects.count() == 2  # activating sends nothing


def test_a_release_that_holds_clusters_back_says_how_many_where_and_how_far_behind(
    demo, hook, admin
):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.push_project(demo.edge, LOCK, actor=admin)

    rules.release_platform("4.8.0")

    notice = only_notice(Event.RELEASE_HELD_BACK)
    assert notice.payload["text"] == (
        "Release 4.8.0 held back 3 clusters in Default, Edge: paused, they stay behind agent 4.8.0"
    )
    assert notice.payload["counts"] == {
        "heldBack": 3,
        "version": "4.8.0",
        "agentVersion": "4.8.0",
        "behind": {"4.7.2": 3},
    }
    assert [(o["name"], o["heldBack"]) for o in notice.payload["objects"]] == [
        ("Default", 1),
        ("Edge", 2),
    ]


def test_a_pause_that_has_ended_writes_one_notice_for_its_tenant(demo, hook, admin, clock):
    until = clock.now + timedelta(hours=1)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("audit", until))
    rules.set_cluster(demo.prod_west, LOCK, actor=admin, pause=Pause("audit", until))
    clock.advance(hours=2)

    rules.resume_expired_pauses()

    notice = only_notice(Event.PAUSE_ENDED)
    assert (
        notice.payload["text"]
        == "The pause of prod-east, prod-west has ended: agent upgrades resumed"
    )
    assert [o["uid"] for o in notice.payload["objects"]] == [demo.prod_east.uid, demo.prod_west.uid]
    assert notice.payload["objects"][0]["link"].endswith(
        f"/projects/{demo.default.pk}/clusters/{demo.prod_east.pk}/"
    )


def once_window(demo, admin, clock, *, starts_in: timedelta) -> FreezeWindow:
    start, end = clock.now + starts_in, clock.now + starts_in + timedelta(hours=2)
    return FreezeWindow.objects.create(
        tenant=demo.acme,
        project=demo.default,
        name="Year-end",
        time_zone="UTC",
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=start.date(),
        start_time=start.time(),
        end_date=end.date(),
        end_time=end.time(),
        created_by=admin,
    )


def test_a_window_tells_24_hours_ahead_once_then_its_start_and_its_end_with_what_it_left_alone(
    demo, hook, admin, clock
):
    once_window(demo, admin, clock, starts_in=timedelta(hours=30))
    run_windows()  # plans the occurrence
    assert find_due_notices(clock.now) == 0
    clock.advance(hours=7)
    run_windows()
    assert find_due_notices(clock.now) == 1
    assert find_due_notices(clock.advance(minutes=1)) == 0  # once, however often it passes
    soon = only_notice(Event.WINDOW_SOON)
    assert soon.payload["text"].startswith("Freeze window Year-end starts at ")

    clock.advance(hours=23)
    run_windows()
    started = only_notice(Event.WINDOW_STARTED)
    assert started.payload["counts"]["clustersPaused"] == 3
    rules.set_cluster(demo.staging, UNLOCK, actor=admin)  # a person's change wins
    clock.advance(hours=2)
    run_windows()

    ended = only_notice(Event.WINDOW_ENDED)
    assert ended.payload["counts"] == {"restored": 2, "handedOver": 0, "leftAlone": 1}
    assert ended.payload["text"] == (
        "Freeze window Year-end ended: 2 clusters put back as they were, 1 cluster left alone "
        "(changed while it held them)"
    )


def test_a_pause_ending_in_24_hours_is_told_once_for_everything_it_holds(demo, hook, admin, clock):
    until = clock.now + timedelta(hours=30)
    rules.push_project(demo.edge, LOCK, actor=admin, pause=Pause("migration", until))

    assert find_due_notices(clock.now) == 0
    assert find_due_notices(clock.advance(hours=7)) == 1
    assert find_due_notices(clock.advance(hours=1)) == 0

    notice = only_notice(Event.PAUSE_SOON)
    assert sorted(o["name"] for o in notice.payload["objects"]) == ["Edge", "edge-01", "edge-02"]
    assert notice.payload["counts"]["objects"] == 3


def test_a_key_expiring_in_7_days_is_told_once(demo, hook, admin, clock):
    ApiKey.issue(admin, demo.acme, "ci", clock.now + timedelta(days=8), actor=admin)

    assert find_due_notices(clock.now) == 0
    assert find_due_notices(clock.advance(days=1, minutes=1)) == 1
    assert find_due_notices(clock.advance(days=1)) == 0
    assert only_notice(Event.KEY_EXPIRING).payload["text"].startswith("API key ci (")


def test_a_release_that_ends_a_pause_tells_of_the_end_too(demo, hook, admin, clock):
    until = clock.now + timedelta(hours=1)
    rules.set_cluster(demo.prod_east, LOCK, actor=admin, pause=Pause("audit", until))
    clock.advance(hours=2)

    rules.release_platform("4.8.0")

    assert only_notice(Event.PAUSE_ENDED).payload["counts"] == {"objects": 1}
    assert not Notice.objects.filter(event=Event.RELEASE_HELD_BACK).exists()  # none held back
