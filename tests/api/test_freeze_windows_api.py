"""Beyond Palette: /v1/freezewindows, seen and changed with the rights on a window's scope; every
answer is checked against the OpenAPI document (the `palette` client)."""

from __future__ import annotations

from datetime import timedelta

from settings_app.models import AuditEvent, FreezeWindow
from settings_app.rules.schedule import run_windows

from .conftest import body_of

ONCE = {
    "name": "Year-end",
    "reason": "holiday freeze",
    "timeZone": "Europe/Berlin",
    "schedule": "once",
    "start": "2099-12-24T18:00",
    "end": "2100-01-04T06:00",
}


def create(palette, key, scope, **more):
    return palette(key).post("/v1/freezewindows", ONCE | {"scopeUid": scope.uid} | more)


def test_a_tenant_admin_creates_a_window_and_reads_it_back_with_its_next_times(
    demo, key_for, palette
):
    response = create(palette, key_for("tenant-admin"), demo.acme)

    assert response.status_code == 201
    body = body_of(response)
    assert (body["state"], body["scope"], body["createdBy"]) == (
        "scheduled",
        {"kind": "tenant", "uid": demo.acme.uid, "name": "Acme"},
        "tenant-admin",
    )
    assert body["next"] == [{"start": "2099-12-24T17:00:00Z", "end": "2100-01-04T05:00:00Z"}]
    read = palette(key_for("viewer")).get(f"/v1/freezewindows/{body['uid']}")
    assert read.status_code == 404  # a viewer of a project does not see the tenant's windows
    again = palette(key_for("tenant-admin")).get(f"/v1/freezewindows/{body['uid']}")
    assert body_of(again) == body
    assert AuditEvent.objects.filter(action="window", detail__startswith="Created").count() == 1


def test_a_weekly_window_is_created_from_its_days_time_and_duration(demo, key_for, palette):
    response = palette(key_for("project-admin")).post(
        "/v1/freezewindows",
        {
            "name": "Weekend",
            "timeZone": "America/New_York",
            "scopeUid": demo.default.uid,
            "schedule": "weekly",
            "days": ["fri"],
            "startTime": "18:00",
            "durationMinutes": 3600,
        },
    )

    assert response.status_code == 201
    body = body_of(response)
    assert (body["days"], body["startTime"], body["durationMinutes"], len(body["next"])) == (
        ["fri"],
        "18:00",
        3600,
        3,
    )


def test_a_reader_of_the_scope_may_not_create_a_window_there(demo, key_for, palette):
    response = create(palette, key_for("viewer"), demo.default)

    assert response.status_code == 403
    assert not FreezeWindow.objects.exists()


def test_another_tenants_scope_is_not_found(demo, key_for, palette):
    response = create(palette, key_for("tenant-admin"), demo.globex)

    assert response.status_code == 404
    assert not FreezeWindow.objects.exists()


def test_a_window_that_cannot_work_is_refused_with_why(demo, key_for, palette):
    response = create(palette, key_for("tenant-admin"), demo.acme, start="2099-03-29T02:30")

    assert response.status_code == 400
    assert "does not exist in Europe/Berlin" in body_of(response)["message"]
    assert not FreezeWindow.objects.exists()


def test_a_start_with_an_offset_is_refused_since_the_zone_says_where(demo, key_for, palette):
    response = create(palette, key_for("tenant-admin"), demo.acme, start="2099-12-24T18:00Z")

    assert response.status_code == 400
    assert body_of(response)["details"] == {"field": "start"}


def test_a_window_that_has_started_can_only_have_its_end_changed_or_be_ended_now(
    demo, key_for, palette, clock
):
    key = key_for("tenant-admin")
    start = clock.now + timedelta(minutes=1)
    end = start + timedelta(hours=2)
    body = body_of(
        create(
            palette,
            key,
            demo.default,
            timeZone="UTC",
            start=start.strftime("%Y-%m-%dT%H:%M"),
            end=end.strftime("%Y-%m-%dT%H:%M"),
        )
    )
    clock.advance(minutes=2)
    run_windows()
    client = palette(key)

    renamed = client.send_json("PATCH", f"/v1/freezewindows/{body['uid']}", {"name": "Other"})
    assert renamed.status_code == 409
    later = end + timedelta(hours=3)
    moved = client.send_json(
        "PATCH", f"/v1/freezewindows/{body['uid']}", {"end": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert moved.status_code == 200
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades_until == later.replace(second=0, microsecond=0)
    ended = client.send_json("PATCH", f"/v1/freezewindows/{body['uid']}", {"endNow": True})
    assert ended.status_code == 200
    assert body_of(ended)["state"] == "ended"
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == "unlock"
    assert client.send("DELETE", f"/v1/freezewindows/{body['uid']}").status_code == 409


def test_a_window_that_has_not_started_is_edited_or_deleted(demo, key_for, palette):
    key = key_for("tenant-admin")
    uid = body_of(create(palette, key, demo.acme))["uid"]
    client = palette(key)

    renamed = client.send_json("PATCH", f"/v1/freezewindows/{uid}", {"name": "Quarter-end"})
    assert body_of(renamed)["name"] == "Quarter-end"
    assert client.send("DELETE", f"/v1/freezewindows/{uid}").status_code == 204
    assert not FreezeWindow.objects.exists()
    assert AuditEvent.objects.filter(action="window").count() == 3  # created, edited, deleted


def test_the_list_narrows_to_a_scope(demo, key_for, palette):
    key = key_for("tenant-admin")
    create(palette, key, demo.acme)
    create(palette, key, demo.default, name="Project freeze")

    listed = body_of(palette(key).get(f"/v1/freezewindows?scope={demo.default.uid}"))

    assert [item["name"] for item in listed["items"]] == ["Project freeze"]


def test_a_cluster_held_by_a_window_names_it_in_its_setting(demo, key_for, palette, clock):
    start = clock.now + timedelta(minutes=1)
    create(
        palette,
        key_for("tenant-admin"),
        demo.default,
        timeZone="UTC",
        start=start.strftime("%Y-%m-%dT%H:%M"),
        end=(start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    clock.advance(minutes=2)
    run_windows()

    body = body_of(
        palette(key_for("viewer")).get(f"/v1/spectroclusters/{demo.prod_east.uid}/upgrade/settings")
    )

    assert (body["spectroComponents"], body["freezeWindow"]) == ("lock", "Year-end")


def test_times_that_cannot_be_read_are_refused_not_failed(demo, key_for, palette):
    key = key_for("tenant-admin")
    weekly = {
        "name": "W",
        "timeZone": "UTC",
        "scopeUid": demo.acme.uid,
        "schedule": "weekly",
        "days": ["fri"],
        "durationMinutes": 60,
    }

    with_offset = palette(key).post("/v1/freezewindows", weekly | {"startTime": "18:00+05:00"})
    past_9999 = create(palette, key, demo.acme, timeZone="America/New_York", end="9999-12-31T20:00")

    assert (with_offset.status_code, past_9999.status_code) == (400, 400)
    assert not FreezeWindow.objects.exists()


def test_a_null_in_a_change_is_refused(demo, key_for, palette):
    key = key_for("tenant-admin")
    uid = body_of(create(palette, key, demo.acme))["uid"]

    response = palette(key).send_json("PATCH", f"/v1/freezewindows/{uid}", {"days": None})

    assert response.status_code == 400


def test_reading_a_cluster_names_every_running_window_whose_scope_covers_it(
    demo, key_for, palette, clock
):
    from tests.unit.test_freeze_windows import value_and_via

    key = key_for("tenant-admin")
    soon = (clock.now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    later = soon + timedelta(hours=2)
    times = {
        "timeZone": "UTC",
        "schedule": "once",
        "start": soon.strftime("%Y-%m-%dT%H:%M"),
        "end": later.strftime("%Y-%m-%dT%H:%M"),
    }
    for name, scope in [
        ("Tenant", demo.acme),
        ("Project", demo.default),
        ("Cluster", demo.prod_east),
        ("Elsewhere", demo.edge),
    ]:
        assert create(palette, key, scope, name=name, **times).status_code == 201
    clock.advance(minutes=2)
    run_windows()
    holder = FreezeWindow.objects.get(pk=value_and_via(demo.prod_east)[2])

    cluster = body_of(palette(key_for("viewer")).get(f"/v1/spectroclusters/{demo.prod_east.uid}"))

    windows = {window["name"]: window for window in cluster["freezeWindows"]}
    assert set(windows) == {"Tenant", "Project", "Cluster"}
    assert {window["scope"] for window in windows.values()} == {"tenant", "project", "cluster"}
    assert [name for name, window in windows.items() if window["holdsValue"]] == [holder.name]
    assert windows["Project"]["uid"] == FreezeWindow.objects.get(name="Project").uid
    assert windows["Project"]["endsAt"].startswith(later.strftime("%Y-%m-%dT%H:%M"))


def test_reading_a_cluster_no_window_holds_names_none(demo, key_for, palette):
    cluster = body_of(palette(key_for("viewer")).get(f"/v1/spectroclusters/{demo.prod_east.uid}"))

    assert cluster["freezeWindows"] == []
