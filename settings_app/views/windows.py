"""Freeze windows on the settings pages: the Freeze windows section of each scope, its Add and
Edit dialog with a live preview, and End now and Delete, each asked first (in a dialog, or
without JavaScript on a confirmation page of its own)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from ..models import Cluster, FreezeWindow, LocalTimeProblem, Project, Tenant
from ..models.windows import WEEKDAYS
from ..permissions.windows import WindowScope
from ..rules.windows import (
    CHECKED_AHEAD,
    InvalidWindow,
    WindowConflict,
    check_window,
    create_window,
    edit_window,
    state_of,
)
from ..wording.windows import window_done, window_preview, window_question
from .errors import error_response
from .navigation import page_context

TEMPLATE = "settings_app/window_form.html"


@cache
def time_zones() -> list[str]:
    return sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


class WindowForm(forms.Form):
    """A window's fields as a person fills them in: Once (from a local date and time to
    another) or Weekly (days, a local start time, a duration in hours, an optional last day)."""

    name = forms.CharField(max_length=100, label="Name")
    reason = forms.CharField(max_length=200, required=False, label="Reason (optional)")
    time_zone = forms.CharField(max_length=64, label="Time zone")
    schedule = forms.ChoiceField(
        choices=FreezeWindow.Schedule.choices,
        widget=forms.RadioSelect,
        initial=FreezeWindow.Schedule.ONCE,
        label="Repeats",
    )
    start_date = forms.DateField(required=False, label="Start date")
    start_time = forms.TimeField(required=False, label="Start time")
    end_date = forms.DateField(required=False, label="End date")
    end_time = forms.TimeField(required=False, label="End time")
    days = forms.TypedMultipleChoiceField(
        choices=[(str(n), day) for n, day in enumerate(WEEKDAYS)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Days",
    )
    weekly_time = forms.TimeField(required=False, label="Start time")
    hours = forms.DecimalField(
        required=False,
        min_value=0.25,
        max_value=7 * 24,
        decimal_places=2,
        label="Duration (hours)",
    )
    last_date = forms.DateField(required=False, label="Last date (optional)")

    # What a running window's form still lets a person change: its end (rule 5).
    RUNNING_FIELDS = {
        FreezeWindow.Schedule.ONCE: {"end_date", "end_time"},
        FreezeWindow.Schedule.WEEKLY: {"hours", "last_date"},
    }

    def __init__(self, *args, base: FreezeWindow, now: datetime, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        self.base, self.now = base, now
        self.window: FreezeWindow | None = None
        self.running = base.pk is not None and state_of(base, now) == "active"
        if self.running:
            self.initial = initial_of(base) | self.initial  # what the disabled fields keep
            for name, field in self.fields.items():
                field.disabled = name not in self.RUNNING_FIELDS[base.schedule]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        once = data["schedule"] == FreezeWindow.Schedule.ONCE
        needed = (
            ("start_date", "start_time", "end_date", "end_time")
            if once
            else ("weekly_time", "hours")
        )
        for name in needed:
            if data.get(name) is None:
                self.add_error(name, f"Give the {self.fields[name].label.lower()}.")
        if self.errors:
            return data
        window = copy.copy(self.base)
        window.name, window.reason = data["name"], data["reason"]
        window.time_zone, window.schedule = data["time_zone"].strip(), data["schedule"]
        if once:
            window.start_date, window.start_time = data["start_date"], data["start_time"]
            window.end_date, window.end_time = data["end_date"], data["end_time"]
            window.days, window.duration, window.last_date = "", None, None
        else:
            if window.pk is None or window.schedule != self.base.schedule:
                window.start_date = self._today(window.time_zone)
            window.start_time = data["weekly_time"]
            window.days = ",".join(str(day) for day in data["days"])
            window.duration = timedelta(hours=float(data["hours"]))
            window.last_date, window.end_date, window.end_time = data["last_date"], None, None
        try:
            check_window(window, self.now)
        except InvalidWindow as refused:
            self.add_error(None, str(refused))
            return data
        self.window = window
        return data

    def _today(self, zone: str):
        try:
            return self.now.astimezone(ZoneInfo(zone)).date()
        except (ValueError, KeyError):
            return self.now.date()  # check_window says what is wrong with the zone

    @property
    def changes(self) -> dict:
        """The fields of the window that a save writes."""
        names = ("name", "reason", "time_zone", "schedule", "start_date", "start_time")
        names += ("end_date", "end_time", "days", "duration", "last_date")
        return {name: getattr(self.window, name) for name in names}

    def preview(self) -> str:
        return preview_of(self.window, self.now)


def preview_of(window: FreezeWindow, now: datetime) -> str:
    try:
        first = next(iter(window.occurrences(now, now + CHECKED_AHEAD)), None)
    except LocalTimeProblem:
        first = None
    return window_preview(window, first)


def initial_of(window: FreezeWindow) -> dict:
    """The form's fields from a saved window (Edit)."""
    weekly = window.schedule == FreezeWindow.Schedule.WEEKLY
    return {
        "name": window.name,
        "reason": window.reason,
        "time_zone": window.time_zone,
        "schedule": window.schedule,
        "start_date": None if weekly else window.start_date,
        "start_time": None if weekly else f"{window.start_time:%H:%M}",
        "end_date": window.end_date,
        "end_time": f"{window.end_time:%H:%M}" if window.end_time else None,
        "days": [str(day) for day in window.weekdays],
        "weekly_time": f"{window.start_time:%H:%M}" if weekly else None,
        "hours": f"{window.duration.total_seconds() / 3600:g}" if weekly else None,
        "last_date": window.last_date,
    }


def new_window(scope: WindowScope) -> FreezeWindow:
    obj = scope.obj
    return FreezeWindow(
        tenant=obj if isinstance(obj, Tenant) else obj.tenant,
        project=obj if isinstance(obj, Project) else None,
        cluster=obj if isinstance(obj, Cluster) else None,
    )


def default_zone(user) -> str:
    """The zone of the user's latest window, else the console's (the dialog's script offers the
    browser's own while the field still holds this one)."""
    last = FreezeWindow.objects.filter(created_by=user).order_by("-created_at").first()
    return last.time_zone if last else settings.TIME_ZONE


# The views' shared answers.


def window_form(
    request: HttpRequest,
    scope: WindowScope,
    window: FreezeWindow | None = None,
) -> HttpResponse:
    """Add (window None) or Edit: the form, its live preview, and its save."""
    now = timezone.now()
    base = window if window is not None else new_window(scope)
    act = "add" if window is None else "edit"
    action = scope.add_url if window is None else reverse("edit_window", args=[window.pk])
    if request.method == "GET":
        if "preview" in request.GET:
            form = WindowForm(request.GET, base=base, now=now)
            return render(request, f"{TEMPLATE}#window-preview", {"form": form, "checked": True})
        initial = initial_of(window) if window else {"time_zone": default_zone(request.user)}
        form = WindowForm(initial=initial, base=base, now=now)
        return form_answer(request, scope, form, act, action, window)
    form = WindowForm(request.POST, base=base, now=now)
    if form.running and request.POST.get("running") != "yes":  # drawn before it started
        form.add_error(
            None, "This window has started: only its end can change now, or it can be ended now."
        )
        return form_answer(request, scope, form, act, action, window, status=409)
    if not form.is_valid():
        return form_answer(request, scope, form, act, action, window, status=400)
    if request.POST.get("confirmed") != "yes":
        title, _text = window_question(form.window, act)
        pairs = [(name, value) for name, values in request.POST.lists() for value in values]
        pairs = [(n, v) for n, v in pairs if n not in ("csrfmiddlewaretoken", "confirmed")]
        return confirmation(request, scope, title, form.preview(), action, pairs)
    try:
        if window is None:
            create_window(form.window, actor=request.user, now=now)
        else:
            edit_window(window, actor=request.user, now=now, **form.changes)
    except InvalidWindow as refused:
        form.add_error(None, str(refused))
        return form_answer(request, scope, form, act, action, window, status=400)
    except WindowConflict as refused:  # it started meanwhile: said in the form, in front
        form.add_error(None, str(refused))
        return form_answer(request, scope, form, act, action, window, status=409)
    messages.success(request, f"{window_done(form.window, act)} {form.preview()}.")
    return back_to_settings(request, scope)


def form_answer(request, scope, form, act, action, window, *, status: int = 200) -> HttpResponse:
    title = "Add freeze window" if act == "add" else f"Edit freeze window {window.name}"
    context = {
        "form": form,
        "title": title,
        "action": action,
        "back": scope.settings_url,
        "zones": time_zones(),
        "preview": preview_of(window, form.now) if window is not None and not form.is_bound else "",
        "scope_name": scope.obj.name,
        "scope_kind": scope.kind,
    }
    if request.htmx:
        part = "window-form" if request.method == "POST" else "window-dialog"
        return render(request, f"{TEMPLATE}#{part}", {**context, "in_dialog": True}, status=status)
    context.update(page_context(request, scope.console, f"{scope.kind}_settings"))
    return render(request, TEMPLATE, context, status=status)


def confirmation(request, scope, title, text, action, pairs) -> HttpResponse:
    """Without JavaScript: the question on a page of its own, whose OK sends the same fields
    again, confirmed."""
    context = {
        **page_context(request, scope.console, f"{scope.kind}_settings"),
        "title": title,
        "text": text,
        "action": action,
        "pairs": [*pairs, ("confirmed", "yes")],
        "back": scope.settings_url,
    }
    return render(request, "settings_app/window_confirm.html", context)


def back_to_settings(request: HttpRequest, scope: WindowScope) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(scope.settings_url)
    return redirect(scope.settings_url)


def window_act(request: HttpRequest, window: FreezeWindow, scope: WindowScope, act: str, do):
    """End now or Delete: asked first (confirmed=yes from the dialog, or the page's OK)."""
    if request.POST.get("confirmed") != "yes":
        title, text = window_question(window, act)
        action = reverse(f"{act}_window", args=[window.pk])
        return confirmation(request, scope, title, text, action, [])
    try:
        do(window, actor=request.user)
    except WindowConflict as refused:
        return error_response(request, 409, "Conflict", f"{refused} Nothing was changed.")
    messages.success(request, window_done(window, act))
    return back_to_settings(request, scope)
