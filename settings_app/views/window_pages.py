"""The Freeze windows section of each settings page, and the URLs of its acts: Add (per scope),
Edit, End now and Delete (per window), each for whoever may change the scope's setting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from ..models import FreezeOccurrence, FreezeWindow
from ..permissions import Access, cluster_for_user, project_for_user, tenant_for_user
from ..permissions.scopes import ScopeRef
from ..permissions.windows import WindowScope, window_for_user
from ..rules.freeze_calendar import WindowTimes, windows_at
from ..rules.windows import delete_window, describe_schedule, end_window_now, state_of
from ..wording.windows import window_question
from .errors import error_response
from .windows import window_act, window_form


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def add_tenant_window(request: HttpRequest, tenant_id: int) -> HttpResponse:
    console = tenant_for_user(request.user, tenant_id, change=True)
    return window_form(request, WindowScope(console, console.tenant))


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def add_project_window(request: HttpRequest, project_id: int) -> HttpResponse:
    console = project_for_user(request.user, project_id, change=True)
    return window_form(request, WindowScope(console, console.project))


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def add_cluster_window(request: HttpRequest, scope: ScopeRef, cluster_id: int) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return window_form(request, WindowScope(console, cluster))


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def edit_window(request: HttpRequest, window_id: int) -> HttpResponse:
    window, scope = window_for_user(request.user, window_id, change=True)
    if not editable(window, timezone.now()) and not (request.htmx and request.method == "POST"):
        # (An open dialog's OK hears it from the rules, in the dialog itself.)
        refused = "This window has run; it is kept as history and cannot be edited."
        return error_response(request, 409, "Conflict", f"{refused} Nothing was changed.")
    return window_form(request, scope, window)


@login_required
@require_POST
def end_window(request: HttpRequest, window_id: int) -> HttpResponse:
    window, scope = window_for_user(request.user, window_id, change=True)
    return window_act(request, window, scope, "end", end_window_now)


@login_required
@require_POST
def delete_window_view(request: HttpRequest, window_id: int) -> HttpResponse:
    window, scope = window_for_user(request.user, window_id, change=True)
    return window_act(request, window, scope, "delete", delete_window)


def editable(window: FreezeWindow, now) -> bool:
    """Before any of its occurrences has started, or (its end only) while one runs; once it
    has run, it is history."""
    if state_of(window, now) == "active":
        return True
    return not window.runs.exclude(state=FreezeOccurrence.State.SCHEDULED).exists() and (
        window.ended_at is None
    )


# The section on each settings page.


@dataclass(frozen=True)
class WindowAct:
    act: str  # "edit", "end" or "delete"
    label: str
    url: str
    title: str = ""
    question: str = ""


@dataclass(frozen=True)
class WindowRow:
    times: WindowTimes
    acts: list[WindowAct] = field(default_factory=list)
    schedule: str = ""  # a weekly window's, on its first row: "Weekly on Fri, 18:00 for 60 h …"
    first: bool = True  # the window's first row in its list: it says the reason


@dataclass(frozen=True)
class WindowsSection:
    """The Freeze windows section: the window holding now, the next three occurrences, the
    past ones; the acts the user may do on each window's first row, and Add."""

    current: list[WindowRow]
    upcoming: list[WindowRow]
    past: list[WindowRow]
    add_url: str

    @property
    def any(self) -> bool:
        return bool(self.current or self.upcoming or self.past)


def acts_on(window: FreezeWindow, now: datetime) -> list[WindowAct]:
    """What may be done to the window now: Edit (only its end, while it runs) and End now until
    it is over, Delete before it has ever run; nothing once it is history."""
    state = state_of(window, now)
    ran = any(run.state != FreezeOccurrence.State.SCHEDULED for run in window.runs.all())
    acts = []
    if (state == "scheduled" and not ran) or state == "active":
        acts.append(WindowAct("edit", "Edit", reverse("edit_window", args=[window.pk])))
    if state != "ended":
        title, text = window_question(window, "end")
        acts.append(
            WindowAct("end", "End now", reverse("end_window", args=[window.pk]), title, text)
        )
    if state == "scheduled" and not ran:
        title, text = window_question(window, "delete")
        url = reverse("delete_window", args=[window.pk])
        acts.append(WindowAct("delete", "Delete", url, title, text))
    return acts


def windows_section(scope: WindowScope, access: Access, now: datetime) -> WindowsSection:
    windows = windows_at(scope.obj, now)
    shown: set[int] = set()  # windows whose acts are offered already (now, or next)

    def rows(times_list: list[WindowTimes], acting: bool) -> list[WindowRow]:
        found, listed = [], set()
        for times in times_list:
            window, acts, schedule = times.window, [], ""
            first = window.pk not in listed
            listed.add(window.pk)
            if acting and window.pk not in shown:
                shown.add(window.pk)
                acts = acts_on(window, now) if access.change else []
                if window.schedule == FreezeWindow.Schedule.WEEKLY:
                    schedule = describe_schedule(window)
            found.append(WindowRow(times, acts, schedule, first))
        return found

    return WindowsSection(
        current=rows(windows.current, True),
        upcoming=rows(windows.upcoming, True),
        past=rows(windows.past, False),
        add_url=scope.add_url if access.change else "",
    )
