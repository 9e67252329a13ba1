"""The Freeze windows section of each settings page and its acts (issue 19, Screens): Add with a
live preview and Edit (a dialog through htmx, a page and a confirmation page without
JavaScript), End now and Delete, each asked first; only for whoever may change the scope's
setting. The clock is the tests' (`clock`): nothing sleeps."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.urls import reverse

from settings_app.models import AuditEvent, FreezeOccurrence, FreezeWindow
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules.schedule import run_windows
from settings_app.rules.windows import create_window
from tests.html import messages_text, parse


def project_settings(demo) -> str:
    return reverse("project_platform_settings", args=[demo.default.pk])


def add_url(demo) -> str:
    return reverse("add_project_window", args=[demo.default.pk])


def section(response):
    return parse(response).find("section", aria_labelledby="freeze-windows-title")


def once_fields(clock, *, starts_in=timedelta(days=1), lasts=timedelta(hours=6), **more) -> dict:
    start, end = clock.now + starts_in, clock.now + starts_in + lasts
    return {
        "name": "Year-end",
        "reason": "holiday freeze",
        "time_zone": "UTC",
        "schedule": "once",
        "start_date": f"{start:%Y-%m-%d}",
        "start_time": f"{start:%H:%M}",
        "end_date": f"{end:%Y-%m-%d}",
        "end_time": f"{end:%H:%M}",
        **more,
    }


@pytest.fixture
def saved(demo, user, clock):
    """`saved(obj, starts_in=…)`: a once window in UTC at obj, created by the rules."""

    def make(obj, *, starts_in=timedelta(days=1), lasts=timedelta(hours=6), name="Year-end"):
        start, end = clock.now + starts_in, clock.now + starts_in + lasts
        kind = obj._meta.model_name
        window = FreezeWindow(
            tenant=obj if kind == "tenant" else obj.tenant,
            project=obj if kind == "project" else None,
            cluster=obj if kind == "cluster" else None,
            name=name,
            time_zone="UTC",
            schedule="once",
            start_date=start.date(),
            start_time=start.time().replace(second=0, microsecond=0),
            end_date=end.date(),
            end_time=end.time().replace(second=0, microsecond=0),
        )
        return create_window(window, actor=user("tenant-admin"), now=clock.now)

    return make


# The section, at all three scopes.


def test_cluster_settings_show_the_freeze_windows_section_with_times_in_the_zone_and_utc(
    demo, client_for, saved
):
    saved(demo.prod_east, name="Patch-day")
    url = reverse(
        "cluster_settings", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]
    )

    found = section(client_for("cluster-admin").get(url))

    assert "Patch-day" in found.text
    assert "UTC (" in found.text and "UTC)" in found.text
    assert [b.text for b in found.find_all("button")] == [
        "Add freeze window",
        "Edit",
        "End now",
        "Delete",
    ]


@pytest.mark.parametrize(
    ("username", "url_name", "scope"),
    [
        ("tenant-admin", "tenant_platform_settings", "acme"),
        ("project-admin", "project_platform_settings", "default"),
    ],
)
def test_tenant_and_project_settings_offer_add_and_each_windows_acts(
    demo, client_for, saved, username, url_name, scope
):
    obj = getattr(demo, scope)
    saved(obj)

    found = section(client_for(username).get(reverse(url_name, args=[obj.pk])))

    labels = [button.text.strip() for button in found.find_all("button")]
    assert labels == ["Add freeze window", "Edit", "End now", "Delete"]


def test_a_viewer_sees_the_windows_but_no_button(demo, client_for, saved):
    saved(demo.default)

    found = section(client_for("viewer").get(project_settings(demo)))

    assert "Year-end" in found.text
    assert found.find_all("button") == []


def test_a_running_window_offers_edit_of_its_end_and_end_now_and_a_past_one_nothing(
    demo, client_for, saved, clock
):
    saved(demo.default, starts_in=timedelta(minutes=1), lasts=timedelta(hours=1), name="Running")
    saved(demo.default, starts_in=timedelta(minutes=1), lasts=timedelta(minutes=2), name="Gone")
    clock.advance(minutes=2)
    run_windows()
    clock.advance(minutes=2)
    run_windows()

    found = section(client_for("project-admin").get(project_settings(demo)))

    buttons = [b.text.strip() for b in found.find_all("button")]
    assert buttons == ["Add freeze window", "Edit", "End now"]
    assert "Past" in found.text and "Gone" in found.text


# Add: the dialog, its preview, its save; without JavaScript, a page and a confirmation page.


def test_add_opens_the_dialog_through_htmx(demo, client_for):
    response = client_for("project-admin").get(add_url(demo), HTTP_HX_REQUEST="true")

    page = parse(response)
    dialog = page.find("dialog", id="window-dialog")
    assert dialog is not None and "data-open" in dialog.attrs
    assert dialog.find("input", name="confirmed").attrs["value"] == "yes"
    labels = [b.text.strip() for b in dialog.find_all("button")]
    assert labels == ["Cancel", "OK"]


def test_the_preview_says_when_it_runs_in_its_zone_and_utc_and_what_it_pauses(
    demo, client_for, clock
):
    fields = once_fields(clock, time_zone="Europe/Berlin", preview="1")

    response = client_for("tenant-admin").get(
        reverse("add_tenant_window", args=[demo.acme.pk]), fields, HTTP_HX_REQUEST="true"
    )

    text = parse(response).find("p", id="window-preview").text
    assert text.startswith("Next: ")
    assert "Europe/Berlin (" in text and "UTC)" in text
    assert text.endswith("· pauses 5 clusters in 2 projects")
    assert not FreezeWindow.objects.exists()


def test_a_cluster_windows_preview_names_the_cluster(demo, client_for, clock):
    url = reverse(
        "add_cluster_window", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]
    )

    response = client_for("cluster-admin").get(
        url, once_fields(clock, preview="1"), HTTP_HX_REQUEST="true"
    )

    assert parse(response).find("p", id="window-preview").text.endswith("pauses cluster prod-east")


def test_ok_in_the_dialog_saves_the_window_and_sends_the_page_back_to_the_settings(
    demo, client_for, clock
):
    response = client_for("project-admin").post(
        add_url(demo), once_fields(clock, confirmed="yes"), HTTP_HX_REQUEST="true"
    )

    assert response["HX-Redirect"] == project_settings(demo)
    window = FreezeWindow.objects.get()
    assert (window.project, window.name, window.created_by.username) == (
        demo.default,
        "Year-end",
        "project-admin",
    )
    assert AuditEvent.objects.filter(freeze_window=window, actor_name="project-admin").exists()


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            {
                "time_zone": "Europe/Berlin",
                "start_date": "2027-03-28",
                "start_time": "02:30",
                "end_date": "2027-03-29",
                "end_time": "06:00",
            },
            "does not exist in Europe/Berlin",
        ),
        (
            {
                "time_zone": "Europe/Berlin",
                "start_date": "2027-10-31",
                "start_time": "02:30",
                "end_date": "2027-11-01",
                "end_time": "06:00",
            },
            "happens twice in Europe/Berlin",
        ),
        ({"end_date": "2020-01-01", "end_time": "00:00"}, "must end after it starts"),
        ({"time_zone": "Mars/Olympus"}, "is not a time zone"),
        ({"start_time": ""}, "Give the start time."),
    ],
)
def test_a_window_that_cannot_work_is_refused_in_the_form_and_nothing_is_saved(
    demo, client_for, clock, change, says
):
    response = client_for("project-admin").post(
        add_url(demo), once_fields(clock, confirmed="yes", **change), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    form = parse(response).find("form", id="window-form")
    assert says in form.text
    assert not FreezeWindow.objects.exists()


def test_a_weekly_window_is_saved_from_its_days_time_and_hours(demo, client_for, clock):
    fields = {
        "name": "Weekend",
        "time_zone": "Europe/Berlin",
        "schedule": "weekly",
        "days": ["4"],
        "weekly_time": "18:00",
        "hours": "60",
        "confirmed": "yes",
    }

    client_for("project-admin").post(add_url(demo), fields, HTTP_HX_REQUEST="true")

    window = FreezeWindow.objects.get()
    assert (window.days, window.duration, f"{window.start_time:%H:%M}") == (
        "4",
        timedelta(hours=60),
        "18:00",
    )


def test_without_javascript_add_is_a_page_then_a_confirmation_page_then_ok_saves(
    demo, client_for, clock
):
    client = client_for("project-admin")
    form_page = parse(client.get(add_url(demo)))
    assert form_page.find("form", id="window-form").attrs["action"] == add_url(demo)

    asked = client.post(add_url(demo), once_fields(clock))

    page = parse(asked)
    confirm = page.find("section", class_="panel confirm-page")
    assert confirm.find("h1").text == "Add freeze window Year-end?"
    assert confirm.find("p", class_="impact").text.startswith("Next: ")
    assert not FreezeWindow.objects.exists()
    sent = {
        i.attrs["name"]: i.attrs.get("value")
        for i in page.find("form", id="confirm-form").find_all("input")
    }
    assert sent["confirmed"] == "yes"

    done = client.post(add_url(demo), {k: v for k, v in sent.items() if k != "csrfmiddlewaretoken"})

    assert done.status_code == 302 and done["Location"] == project_settings(demo)
    assert FreezeWindow.objects.get().name == "Year-end"
    assert "Freeze window Year-end added." in messages_text(
        parse(client.get(project_settings(demo)))
    )


# Edit, End now, Delete.


def test_edit_changes_a_window_that_has_not_started(demo, client_for, saved, clock):
    window = saved(demo.default)
    url = reverse("edit_window", args=[window.pk])
    client = client_for("project-admin")
    dialog = parse(client.get(url, HTTP_HX_REQUEST="true")).find("dialog", id="window-dialog")
    assert dialog.find("input", name="name").attrs["value"] == "Year-end"

    client.post(url, once_fields(clock, name="Renamed", confirmed="yes"), HTTP_HX_REQUEST="true")

    window.refresh_from_db()
    assert window.name == "Renamed"


def test_end_now_and_delete_ask_first_without_javascript(demo, client_for, saved):
    window = saved(demo.default)
    client = client_for("project-admin")

    for act in ("end_window", "delete_window"):
        page = parse(client.post(reverse(act, args=[window.pk])))
        assert page.find("section", class_="panel confirm-page") is not None
    window.refresh_from_db()
    assert window.ended_at is None


def test_delete_removes_a_window_that_has_not_started(demo, client_for, saved):
    window = saved(demo.default)

    response = client_for("project-admin").post(
        reverse("delete_window", args=[window.pk]), {"confirmed": "yes"}
    )

    assert response["Location"] == project_settings(demo)
    assert not FreezeWindow.objects.exists()


def test_end_now_puts_back_what_a_running_window_holds(demo, client_for, saved, clock):
    window = saved(demo.default, starts_in=timedelta(minutes=1))
    clock.advance(minutes=2)
    run_windows()
    demo.default.refresh_from_db()
    assert demo.default.is_paused

    client_for("project-admin").post(reverse("end_window", args=[window.pk]), {"confirmed": "yes"})

    demo.default.refresh_from_db()
    assert not demo.default.is_paused
    window.refresh_from_db()
    assert window.ended_at is not None


def test_a_started_window_changes_only_its_end_is_not_deleted_and_is_not_ended_again(
    demo, client_for, saved, clock
):
    window = saved(demo.default, starts_in=timedelta(minutes=1))
    clock.advance(minutes=2)
    run_windows()
    client = client_for("project-admin")

    edit = client.post(
        reverse("edit_window", args=[window.pk]), once_fields(clock, confirmed="yes")
    )
    delete = client.post(reverse("delete_window", args=[window.pk]), {"confirmed": "yes"})
    assert (edit.status_code, delete.status_code) == (409, 409)
    assert "only its end can change now" in edit.content.decode()

    client.post(reverse("end_window", args=[window.pk]), {"confirmed": "yes"})
    again = client.post(reverse("end_window", args=[window.pk]), {"confirmed": "yes"})

    assert again.status_code == 409
    assert "over already" in again.content.decode()
    assert FreezeOccurrence.objects.filter(window=window, state="ended").count() == 1


# Who may.


def test_a_viewer_is_refused_each_act_with_403_and_a_stranger_gets_404(
    demo, client_for, saved, clock
):
    window = saved(demo.default)
    before = FreezeWindow.objects.values_list("name", "ended_at").get()

    for username, status in (("viewer", 403), ("cluster-admin", 403), ("globex-admin", 404)):
        client = client_for(username)
        answers = [
            client.post(add_url(demo), once_fields(clock, confirmed="yes")).status_code,
            client.post(
                reverse("edit_window", args=[window.pk]),
                once_fields(clock, name="x", confirmed="yes"),
            ).status_code,
            client.post(reverse("end_window", args=[window.pk]), {"confirmed": "yes"}).status_code,
            client.post(
                reverse("delete_window", args=[window.pk]), {"confirmed": "yes"}
            ).status_code,
        ]
        expected = [status] * 4
        if username == "cluster-admin":  # a Cluster Admin sees no project's own pages
            expected = [404] * 4
        assert answers == expected, username
    assert FreezeWindow.objects.values_list("name", "ended_at").get() == before


def test_a_window_whose_start_is_due_but_not_yet_started_stays_listed_with_its_acts(
    demo, client_for, saved, clock
):
    saved(demo.default, starts_in=timedelta(minutes=1), name="Due")
    clock.advance(minutes=2)  # the scheduler has not run yet

    found = section(client_for("project-admin").get(project_settings(demo)))

    assert "Due" in found.text
    assert "Delete" in [b.text for b in found.find_all("button")]


def test_a_weekly_windows_first_row_says_its_schedule_and_reason_and_the_next_rows_only_times(
    demo, client_for, user, clock
):
    weekly = FreezeWindow(
        tenant=demo.acme,
        project=demo.default,
        name="Weekend",
        reason="weekend freeze",
        time_zone="Europe/Berlin",
        schedule="weekly",
        days="4",
        start_time=time(18),
        duration=timedelta(hours=60),
        start_date=clock.now.date(),
    )
    create_window(weekly, actor=user("project-admin"), now=clock.now)

    rows = section(client_for("viewer").get(project_settings(demo))).find_all("li")

    assert len(rows) == 3
    assert "Weekly on Fri, 18:00 for 60 h Europe/Berlin" in rows[0].text
    assert "“weekend freeze”" in rows[0].text
    assert "Weekly" not in rows[1].text and "weekend freeze" not in rows[1].text


def test_the_edit_dialog_of_a_weekly_window_is_filled_in_as_it_was_saved(
    demo, client_for, user, clock
):
    weekly = FreezeWindow(
        tenant=demo.acme,
        project=demo.default,
        name="Weekend",
        time_zone="Europe/Berlin",
        schedule="weekly",
        days="4,5",
        start_time=time(18),
        duration=timedelta(hours=20),
        start_date=clock.now.date(),
    )
    create_window(weekly, actor=user("project-admin"), now=clock.now)

    dialog = parse(
        client_for("project-admin").get(
            reverse("edit_window", args=[weekly.pk]), HTTP_HX_REQUEST="true"
        )
    ).find("dialog", id="window-dialog")

    checked = [i.attrs["value"] for i in dialog.find_all("input", checked=True)]
    assert checked == ["weekly", "4", "5"]
    assert dialog.find("input", name="weekly_time").attrs["value"] == "18:00"
    assert dialog.find("input", name="hours").attrs["value"] == "20"
    assert dialog.find("p", id="window-preview").text.startswith("Next: Fri ")


def test_the_preview_of_a_time_that_does_not_exist_says_why(demo, client_for, clock):
    fields = once_fields(
        clock, time_zone="Europe/Berlin", start_date="2027-03-28", start_time="02:30", preview="1"
    )

    response = client_for("project-admin").get(add_url(demo), fields, HTTP_HX_REQUEST="true")

    assert "does not exist in Europe/Berlin" in parse(response).find("p", id="window-preview").text


def test_ok_in_an_edit_dialog_left_open_while_the_window_started_says_so_in_the_dialog(
    demo, client_for, saved, clock
):
    window = saved(demo.default, starts_in=timedelta(minutes=1))
    clock.advance(minutes=2)
    run_windows()

    response = client_for("project-admin").post(
        reverse("edit_window", args=[window.pk]),
        once_fields(clock, name="Renamed", confirmed="yes"),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    errors = parse(response).find("div", id="window-form-errors").text
    assert "This window has started: only its end can change now" in errors
    window.refresh_from_db()
    assert window.name == "Year-end"


def test_each_act_is_named_as_the_design_names_it_and_described_by_its_window(
    demo, client_for, saved
):
    saved(demo.default, name="Launch")

    found = section(client_for("project-admin").get(project_settings(demo)))

    for button in found.find_all("button", aria_describedby=True):
        assert "aria-label" not in button.attrs
        assert found.find(id=button.attrs["aria-describedby"]).text == "Launch"
    assert len(found.find_all("button", aria_describedby=True)) == 3


def test_a_running_windows_edit_changes_only_its_end(demo, client_for, saved, clock):
    window = saved(demo.default, starts_in=timedelta(minutes=1), lasts=timedelta(hours=1))
    clock.advance(minutes=2)
    run_windows()
    client = client_for("project-admin")
    form = parse(client.get(reverse("edit_window", args=[window.pk])))
    assert "disabled" in form.find("input", name="name").attrs
    assert "disabled" not in form.find("input", name="end_date").attrs
    assert form.find("input", name="running").attrs["value"] == "yes"
    later = clock.now + timedelta(hours=4)

    response = client.post(
        reverse("edit_window", args=[window.pk]),
        {
            "name": "Renamed",  # disabled: not taken
            "end_date": f"{later:%Y-%m-%d}",
            "end_time": f"{later:%H:%M}",
            "confirmed": "yes",
            "running": "yes",
        },
    )

    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.name, window.end_date, window.end_time.strftime("%H:%M")) == (
        "Year-end",
        later.date(),
        f"{later:%H:%M}",
    )
    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades_until == later.replace(second=0, microsecond=0)
