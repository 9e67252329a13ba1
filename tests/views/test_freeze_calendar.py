"""Tenant Settings › Freeze Calendar: every window of the tenant over the next eight weeks, by
scope, each occurrence in its zone and in UTC, overlaps said in words, each linked to its
scope's Freeze windows section. The clock is the tests' (`clock`)."""

# ruff: noqa: F811 (the `window` fixture, imported, is each test's argument)
from __future__ import annotations

from datetime import time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settings_app.models import FreezeWindow
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules.schedule import run_windows
from tests.html import parse
from tests.unit.test_freeze_windows import window  # noqa: F401 (a fixture)


def calendar_of(client_for, demo, username: str = "tenant-admin"):
    response = client_for(username).get(reverse("tenant_freeze_calendar", args=[demo.acme.pk]))
    assert response.status_code == 200
    return parse(response).find("section", aria_labelledby="freeze-calendar-title")


def rows(section) -> dict[str, str]:
    """Each occurrence's row text, by its window's name (the first of each name)."""
    found = {}
    for row in section.find_all("tr"):
        heads = row.find_all("th", scope="row")
        if heads:
            found.setdefault(heads[0].find("a").text, row.text)
    return found


def test_the_calendar_lists_windows_by_scope_tenant_then_projects_then_clusters(
    demo,
    window,
    client_for,
):
    window(demo.prod_east, name="Cluster freeze")
    window(demo.edge, name="Edge launch")
    window(demo.default, name="Default launch")
    window(demo.acme, starts_in=timedelta(days=3), name="Year-end")

    section = calendar_of(client_for, demo)

    headings = [h.text for h in section.find_all("h3")]
    assert headings == [
        "Tenant Acme",
        "Project Default",
        "Project Edge",
        "Cluster prod-east in project Default",
    ]


def test_each_occurrence_shows_its_local_time_with_its_zone_and_utc_beside_it(
    demo, client_for, user, clock
):
    day = (clock.now + timedelta(days=10)).date()
    FreezeWindow.objects.create(
        tenant=demo.acme,
        project=demo.default,
        name="Launch",
        time_zone="Europe/Berlin",
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=day,
        start_time=time(18, 0),
        end_date=day + timedelta(days=1),
        end_time=time(6, 0),
        created_by=user("tenant-admin"),
        created_at=clock.now,
    )

    text = rows(calendar_of(client_for, demo))["Launch"]

    assert f"{day.day} {day:%b} 18:00 –" in text
    assert "06:00 Europe/Berlin" in text
    assert f"{day.day} {day:%b} 17:00 –" in text  # winter: Berlin is UTC+1
    assert "05:00 UTC" in text


def test_overlapping_windows_that_hold_the_same_objects_say_so_in_words(
    demo,
    window,
    client_for,
):
    window(demo.acme, name="Year-end")
    window(demo.default, starts_in=timedelta(hours=2), name="Launch")  # inside Year-end
    window(demo.edge_01, starts_in=timedelta(days=2), name="Alone")  # meets nothing

    found = rows(calendar_of(client_for, demo))

    assert "Overlap with Launch (project Default" in found["Year-end"]
    assert "Overlap with Year-end (tenant Acme" in found["Launch"]
    assert "Overlap with" not in found["Alone"]
    assert "2 occurrences overlap" in calendar_of(client_for, demo).text


def test_windows_of_two_projects_at_the_same_time_do_not_overlap(
    demo,
    window,
    client_for,
):
    window(demo.default, name="Default launch")
    window(demo.edge, name="Edge launch")

    section = calendar_of(client_for, demo)

    assert "Overlap with" not in section.text


def test_only_the_next_eight_weeks_and_no_ended_window_are_shown(
    demo,
    window,
    client_for,
    clock,
):
    window(demo.default, starts_in=timedelta(weeks=7), name="Soon")
    window(demo.default, starts_in=timedelta(weeks=9), name="Later")
    gone = window(demo.default, name="Ended early")
    gone.ended_at = clock.now
    gone.save()

    assert list(rows(calendar_of(client_for, demo))) == ["Soon"]


def test_a_running_window_is_marked_as_holding_now(
    demo,
    window,
    client_for,
    clock,
):
    window(demo.default, name="Launch")
    clock.advance(hours=1, minutes=30)
    run_windows()

    assert "Launch Holding now" in rows(calendar_of(client_for, demo))["Launch"]


def test_each_window_links_to_its_scopes_freeze_windows_section(
    demo,
    window,
    client_for,
):
    window(demo.acme, name="Year-end")
    window(demo.default, name="Launch", starts_in=timedelta(days=1))
    window(demo.prod_east, name="Patch", starts_in=timedelta(days=2))

    section = calendar_of(client_for, demo)

    links = {a.text: a.attrs["href"] for a in section.find_all("a")}
    anchor = "#freeze-windows"
    assert links == {
        "Year-end": reverse("tenant_platform_settings", args=[demo.acme.pk]) + anchor,
        "Launch": reverse("project_platform_settings", args=[demo.default.pk]) + anchor,
        "Patch": reverse(
            "cluster_settings", args=[ScopeRef("tenants", demo.acme.pk), demo.prod_east.pk]
        )
        + anchor,
    }


def test_the_calendar_costs_the_same_statements_for_one_window_or_twelve(
    demo,
    window,
    client_for,
):
    client = client_for("tenant-admin")
    url = reverse("tenant_freeze_calendar", args=[demo.acme.pk])

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    window(demo.prod_east, name="First")
    one = cost()
    for number, target in enumerate([demo.acme, demo.default, demo.edge, demo.edge_01] * 3):
        window(target, starts_in=timedelta(days=number + 1), name=f"W{number}")
    assert cost() == one


def test_the_calendar_is_in_the_tenant_settings_sections(demo, client_for):
    page = parse(client_for("tenant-admin").get(reverse("tenant_settings", args=[demo.acme.pk])))

    nav = page.find("nav", aria_label="Tenant Settings sections")
    assert "Freeze Calendar" in [a.text for a in nav.find_all("a")]
