"""Beyond Palette: freeze windows (/v1/freezewindows), pauses on a schedule at a tenant, a
project or a cluster. The same rules as the console's (rules.windows), seen and changed with the
rights on the window's scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from ..models import FreezeWindow, LocalTimeProblem
from ..models.windows import WEEKDAYS
from ..permissions.api import api_scope_object, api_window, api_windows
from ..rules.windows import (
    InvalidWindow,
    WindowConflict,
    create_window,
    delete_window,
    edit_window,
    end_window_now,
    state_of,
)
from .answers import answers
from .errors import ApiError

router = Router(tags=["freezewindows"])
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
LOCAL = "local date and time, without an offset: the window's timeZone says where"


class FreezeWindowBody(Schema):
    """A window to create. Once: `start` and `end`. Weekly: `days`, `startTime` and
    `durationMinutes`, from `firstDate` (today by default) up to `lastDate` (optional)."""

    name: str = Field(min_length=1, max_length=100)
    reason: str = Field("", max_length=200)
    timeZone: str = Field(description="An IANA time zone, such as Europe/Berlin.")
    scopeUid: str = Field(description="The uid of the tenant, project or cluster it pauses.")
    schedule: Literal["once", "weekly"]
    start: str | None = Field(None, description=f"Once: its start, a {LOCAL} (2026-12-24T18:00).")
    end: str | None = Field(None, description=f"Once: its end, a {LOCAL}.")
    days: list[Day] = Field([], description="Weekly: the days it starts on.")
    startTime: str | None = Field(None, description="Weekly: local start time, HH:MM.")
    durationMinutes: int | None = Field(None, ge=1, le=7 * 24 * 60)
    firstDate: date | None = None
    lastDate: date | None = None


class FreezeWindowChange(Schema):
    """Changes to a window that has not started (any field but its scope); to a running one,
    only its end (`end` of a once window, `durationMinutes` or `lastDate` of a weekly one: what it
    holds stays paused until then); or `endNow: true` to end a window now (a running one puts
    back what it holds)."""

    name: str | None = Field(None, min_length=1, max_length=100)
    reason: str | None = Field(None, max_length=200)
    timeZone: str | None = None
    start: str | None = None
    end: str | None = None
    days: list[Day] | None = None
    startTime: str | None = None
    durationMinutes: int | None = Field(None, ge=1, le=7 * 24 * 60)
    lastDate: date | None = None
    endNow: bool = False


class Occurrence(Schema):
    start: datetime
    end: datetime


class WindowScope(Schema):
    kind: Literal["tenant", "project", "cluster"]
    uid: str
    name: str


class FreezeWindowModel(Schema):
    uid: str
    name: str
    reason: str
    timeZone: str
    schedule: Literal["once", "weekly"]
    scope: WindowScope
    state: Literal["scheduled", "active", "ended"]
    start: str | None = Field(None, description="Once: local start.")
    end: str | None = Field(None, description="Once: local end.")
    days: list[Day] = []
    startTime: str | None = None
    durationMinutes: int | None = None
    firstDate: date | None = None
    lastDate: date | None = None
    next: list[Occurrence] = Field(description="The next three occurrences, in UTC.")
    createdBy: str | None
    endedAt: datetime | None


class FreezeWindows(Schema):
    items: list[FreezeWindowModel]


def window_answer(window: FreezeWindow, now: datetime) -> dict:
    once = window.schedule == FreezeWindow.Schedule.ONCE
    ahead = datetime.max.replace(tzinfo=UTC) if once else now + timedelta(weeks=3)
    try:
        upcoming = [] if window.ended_at else list(window.occurrences(now, ahead))
    except LocalTimeProblem:  # refused when saved; a time zone's rules changed since
        upcoming = []
    return {
        "uid": window.uid,
        "name": window.name,
        "reason": window.reason,
        "timeZone": window.time_zone,
        "schedule": window.schedule,
        "scope": {"kind": window.scope, "uid": window.target.uid, "name": window.target.name},
        "state": state_of(window, now),
        "start": f"{window.start_date}T{window.start_time:%H:%M}" if once else None,
        "end": f"{window.end_date}T{window.end_time:%H:%M}" if once else None,
        "days": [WEEKDAYS[day].lower() for day in window.weekdays],
        "startTime": None if once else f"{window.start_time:%H:%M}",
        "durationMinutes": None if once else int(window.duration.total_seconds() // 60),
        "firstDate": None if once else window.start_date,
        "lastDate": window.last_date,
        "next": [{"start": start, "end": end} for start, end in upcoming[:3]],
        "createdBy": window.created_by.get_username() if window.created_by else None,
        "endedAt": window.ended_at,
    }


def _local(text: str | None, name: str) -> tuple[date, time]:
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        raise _invalid(f"{name} must be a {LOCAL}, like 2026-12-24T18:00; not {text!r}.", name)
    return moment.date(), moment.time()


def _time(text: str | None, name: str) -> time:
    try:
        moment = time.fromisoformat((text or "").strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        raise _invalid(f"{name} must be a local time without an offset, HH:MM; not {text!r}.", name)
    return moment


def _invalid(message: str, field: str = "") -> ApiError:
    return ApiError(
        400,
        "InvalidRequest",
        f"{message} Nothing was changed.",
        details={"field": field} if field else {},
    )


def _fields(body: FreezeWindowBody | FreezeWindowChange) -> dict:
    """The model's fields from a body's (only those it sends, for a change)."""
    sent = body.model_dump(exclude_unset=True)
    for key in ("name", "timeZone", "schedule", "start", "end", "days", "startTime"):
        if key in sent and sent[key] is None:
            raise _invalid(f"{key} cannot be null: leave it out to keep it as it is.", key)
    fields = {}
    for key, name in (("name", "name"), ("reason", "reason"), ("timeZone", "time_zone")):
        if key in sent:
            fields[name] = sent[key]
    if "start" in sent:
        fields["start_date"], fields["start_time"] = _local(sent["start"], "start")
    if "end" in sent:
        fields["end_date"], fields["end_time"] = _local(sent["end"], "end")
    if "days" in sent:
        fields["days"] = ",".join(str(WEEKDAYS.index(day.title())) for day in sent["days"])
    if "startTime" in sent:
        fields["start_time"] = _time(sent["startTime"], "startTime")
    if sent.get("durationMinutes") is not None:
        fields["duration"] = timedelta(minutes=sent["durationMinutes"])
    if "firstDate" in sent and sent["firstDate"] is not None:
        fields["start_date"] = sent["firstDate"]
    if "lastDate" in sent:
        fields["last_date"] = sent["lastDate"]
    return fields


listed, listed_extra = answers({200: FreezeWindows}, 400)
created, created_extra = answers({201: FreezeWindowModel}, 400, 403, 415)
one, one_extra = answers({200: FreezeWindowModel})
changed, changed_extra = answers({200: FreezeWindowModel}, 400, 403, 409, 415)
deleted, deleted_extra = answers({204: None}, 403, 409)
BEYOND = "Beyond Palette: "


@router.get(
    "/freezewindows",
    response=listed,
    openapi_extra=listed_extra,
    operation_id="v1FreezeWindowsList",
    summary=BEYOND + "list freeze windows",
    description="The windows of the key's tenant whose scope the key's user may see; `scope` "
    "narrows them to one tenant, project or cluster.",
)
def list_windows(
    request: HttpRequest,
    scope: str | None = Query(None, description="The uid of a tenant, project or cluster."),
):
    windows = api_windows(request.auth)
    if scope is not None:
        obj = api_scope_object(request.auth, scope.strip())
        kind = obj._meta.model_name
        windows = windows.filter(**{kind: obj})
        if kind == "tenant":
            windows = windows.filter(project__isnull=True, cluster__isnull=True)
        elif kind == "project":
            windows = windows.filter(cluster__isnull=True)
    now = timezone.now()
    rows = windows.select_related("tenant", "project", "cluster", "created_by").prefetch_related(
        "runs"
    )
    return {"items": [window_answer(window, now) for window in rows]}


@router.post(
    "/freezewindows",
    response=created,
    openapi_extra=created_extra,
    operation_id="v1FreezeWindowsCreate",
    summary=BEYOND + "create a freeze window",
    description="Needs the right to change the scope's setting.",
)
def create(request: HttpRequest, body: FreezeWindowBody):
    caller = request.auth
    obj = api_scope_object(caller, body.scopeUid.strip(), change=True)
    kind = obj._meta.model_name
    if body.schedule == "once" and (body.start is None or body.end is None):
        raise _invalid("A once window needs its start and its end.", "start")
    if body.schedule == "weekly" and (body.startTime is None or body.durationMinutes is None):
        raise _invalid("A weekly window needs its startTime and durationMinutes.", "startTime")
    window = FreezeWindow(
        tenant=obj if kind == "tenant" else obj.tenant,
        project=obj if kind == "project" else None,
        cluster=obj if kind == "cluster" else None,
        schedule=body.schedule,
        **({"start_date": timezone.now().date()} | _fields(body)),
    )
    try:
        create_window(window, actor=caller.user)
    except InvalidWindow as refused:
        raise _invalid(str(refused)) from None
    return Status(201, window_answer(window, timezone.now()))


@router.get(
    "/freezewindows/{uid}",
    response=one,
    openapi_extra=one_extra,
    operation_id="v1FreezeWindowsUidGet",
    summary=BEYOND + "read a freeze window",
)
def read(request: HttpRequest, uid: str):
    return window_answer(api_window(request.auth, uid), timezone.now())


@router.patch(
    "/freezewindows/{uid}",
    response=changed,
    openapi_extra=changed_extra,
    operation_id="v1FreezeWindowsUidPatch",
    summary=BEYOND + "change or end a freeze window",
    description="Before it starts, any field but its scope; once it has started, only its end "
    "(`end`, or `durationMinutes` and `lastDate` of a weekly window) or `endNow: true`; once it "
    "is over, nothing (409).",
)
def change(request: HttpRequest, uid: str, body: FreezeWindowChange):
    caller = request.auth
    window = api_window(caller, uid, change=True)
    try:
        if body.endNow:
            end_window_now(window, actor=caller.user)
        else:
            edit_window(window, actor=caller.user, **_fields(body))
    except InvalidWindow as refused:
        raise _invalid(str(refused)) from None
    except WindowConflict as refused:
        raise ApiError(409, "Conflict", f"{refused} Nothing was changed.") from None
    window.refresh_from_db()
    return window_answer(window, timezone.now())


@router.delete(
    "/freezewindows/{uid}",
    response=deleted,
    openapi_extra=deleted_extra,
    operation_id="v1FreezeWindowsUidDelete",
    summary=BEYOND + "delete a freeze window that has not run",
)
def delete(request: HttpRequest, uid: str):
    caller = request.auth
    window = api_window(caller, uid, change=True)
    try:
        delete_window(window, actor=caller.user)
    except WindowConflict as refused:
        raise ApiError(409, "Conflict", f"{refused} Nothing was changed.") from None
    response = HttpResponse(status=204)
    del response["Content-Type"]  # no body, so no type
    return response
