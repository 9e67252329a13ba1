"""Freeze windows: checked when saved, and planned ahead for the scheduler (`freezes` starts and
ends them).

1. A window's start pauses its scope as that scope's switch would (a push for a project or a
   tenant), recorded as made by the window, with its reason and its end as the pause's end.
2. While a window holds an object, the object stays paused; a second window leaves an object
   that another holds as it is, and takes it over when the first ends.
3. The last window's end puts every object it holds back as it was before the first began, with
   where that value came from; a cluster resumed behind the platform's agent catches up.
4. A change by a person or the API writes no window: the object leaves every window's hold, and
   the window's end leaves it alone (the end's record counts them).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone

from ..models import (
    AgentUpgrades,
    AuditEvent,
    Cluster,
    FreezeOccurrence,
    FreezeWindow,
    LocalTimeProblem,
    Project,
    Tenant,
    to_utc,
)
from ..models.windows import WEEKDAYS
from .change import audit_act
from .writes import InvalidPause, pause_for

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
HORIZON = timedelta(weeks=8)  # how far ahead the scheduler plans occurrences
CHECKED_AHEAD = timedelta(days=366)  # a weekly window's local times are checked this far
WINDOW = AuditEvent.Action.WINDOW
KINDS = (("cluster", Cluster), ("project", Project), ("tenant", Tenant))


class InvalidWindow(ValueError):
    """A window that cannot be saved; the message says what to fix."""


def check_window(window: FreezeWindow, now: datetime) -> None:
    """Refuse a window whose name, reason, zone or schedule cannot work (InvalidWindow)."""
    window.name = (window.name or "").strip()
    if not window.name:
        raise InvalidWindow("Give the window a name.")
    try:
        pause_for(LOCK, window.name)  # the checks of a reason: plain, visible text on one line
    except InvalidPause as refused:
        raise InvalidWindow(str(refused).replace("The reason", "The name")) from None
    try:
        window.reason = pause_for(LOCK, window.reason).reason
    except InvalidPause as refused:
        raise InvalidWindow(str(refused)) from None
    try:
        ZoneInfo(window.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidWindow(
            f"“{window.time_zone}” is not a time zone. Use an IANA name such as Europe/Berlin."
        ) from None
    if window.schedule == FreezeWindow.Schedule.ONCE:
        if window.end_date is None or window.end_time is None:
            raise InvalidWindow("Say when the window ends.")
    elif window.schedule == FreezeWindow.Schedule.WEEKLY:
        days = window.weekdays
        if not days or any(day not in range(7) for day in days):
            raise InvalidWindow("Choose at least one day of the week.")
        window.days = ",".join(str(day) for day in sorted(set(days)))
        gap = _shortest_gap(sorted(set(days)))
        if window.duration is None or window.duration <= timedelta(0):
            raise InvalidWindow("Say how long the window lasts.")
        if window.duration > gap:
            raise InvalidWindow(
                "The window would run into its next occurrence: keep it shorter than the time "
                f"between its days ({gap.days} {'day' if gap.days == 1 else 'days'})."
            )
        if window.last_date is not None and window.last_date < window.start_date:
            raise InvalidWindow("The last day comes before the first.")
    else:
        raise InvalidWindow("Choose Once or Weekly.")
    try:
        if window.schedule == FreezeWindow.Schedule.ONCE:
            start = to_utc(window.start_date, window.start_time, window.zone)
            end = to_utc(window.end_date, window.end_time, window.zone)
            if end <= start:
                raise InvalidWindow("The window must end after it starts.")
            if end <= now:
                raise InvalidWindow("The window must end in the future.")
        elif not list(window.occurrences(_first(window, now), _first(window, now) + CHECKED_AHEAD)):
            raise InvalidWindow("This schedule never runs: check its days and its last day.")
    except LocalTimeProblem as problem:
        raise InvalidWindow(str(problem)) from None


def _first(window: FreezeWindow, now: datetime) -> datetime:
    """Where a weekly window's first year of local times is checked from: now, or its first day
    if that is later."""
    first = datetime.combine(window.start_date, datetime.min.time(), tzinfo=window.zone)
    return max(now, first)


def _shortest_gap(days: list[int]) -> timedelta:
    """The shortest time between two chosen weekdays, going round the week."""
    gaps = [(b - a) % 7 or 7 for a, b in zip(days, days[1:] + days[:1], strict=True)]
    return timedelta(days=min(gaps))


@transaction.atomic
def plan(now: datetime) -> int:
    """Plan the occurrences of every live window up to HORIZON ahead (once each). Returns how
    many are new."""
    planned = []
    for window in FreezeWindow.objects.filter(ended_at__isnull=True):
        since = max(window.created_at, now - HORIZON)
        try:
            runs = list(window.occurrences(since, now + HORIZON))
        except LocalTimeProblem:
            continue  # refused when saved; a rule change of the zone's since is skipped
        planned += [
            FreezeOccurrence(window=window, starts_at=start, ends_at=end)
            for start, end in runs
            if end > window.created_at  # one under way when saved starts at once
        ]
    before = FreezeOccurrence.objects.count()
    FreezeOccurrence.objects.bulk_create(planned, ignore_conflicts=True)
    return FreezeOccurrence.objects.count() - before


class WindowConflict(Exception):
    """A window in a state that does not allow what was asked (started, or over)."""


def state_of(window: FreezeWindow, now: datetime) -> str:
    """'scheduled' (nothing has started yet), 'active' (an occurrence holds now) or 'ended'."""
    runs = window.runs.all()
    if any(run.state == FreezeOccurrence.State.STARTED for run in runs):
        return "active"
    if window.ended_at is not None:
        return "ended"
    if window.schedule == FreezeWindow.Schedule.ONCE and any(
        run.state in (FreezeOccurrence.State.ENDED, FreezeOccurrence.State.SKIPPED) for run in runs
    ):
        return "ended"
    if window.last_date is not None and not _upcoming(window, now):
        return "ended"
    return "scheduled"


def _upcoming(window: FreezeWindow, now: datetime) -> list[tuple[datetime, datetime]]:
    """Its occurrences in the year ahead; none where a clock change makes one impossible (such
    a window was refused when saved: this is a time zone's rules changing since)."""
    try:
        return list(window.occurrences(now, now + CHECKED_AHEAD))
    except LocalTimeProblem:
        return []


def describe_schedule(window: FreezeWindow) -> str:
    """'Once, Thu 24 Dec 2026 18:00 – Mon 4 Jan 2027 06:00 Europe/Berlin' or 'Weekly on Fri,
    18:00 for 60 h Europe/Berlin'."""
    if window.schedule == FreezeWindow.Schedule.ONCE:
        return (
            f"Once, {window.start_date:%a %d %b %Y} {window.start_time:%H:%M} – "
            f"{window.end_date:%a %d %b %Y} {window.end_time:%H:%M} {window.time_zone}"
        )
    days = ", ".join(WEEKDAYS[day] for day in window.weekdays)
    hours = window.duration.total_seconds() / 3600
    last = f", until {window.last_date:%d %b %Y}" if window.last_date else ""
    return f"Weekly on {days}, {window.start_time:%H:%M} for {hours:g} h {window.time_zone}{last}"


def _audit(window: FreezeWindow, actor, now: datetime, what: str) -> AuditEvent:
    target = window.target
    value = target.effective_agent_upgrades
    return audit_act(
        at=now,
        actor=actor,
        actor_name=actor.get_username() if actor else "system",
        action=AuditEvent.Action.WINDOW,
        scope=window.scope,
        via=window.scope,
        tenant_id=window.tenant_id,
        project_id=getattr(target, "project_id", None) or window.project_id,
        cluster_id=window.cluster_id,
        object_name=target.name,
        old_value=value,
        new_value=value,
        reason=window.reason,
        freeze_window=window,
        detail=f"{what} freeze window {window.name}: {describe_schedule(window)}"[:300],
    )


@transaction.atomic
def create_window(window: FreezeWindow, *, actor, now: datetime | None = None) -> FreezeWindow:
    """Save a new window (its scope set by the caller, who checked the right to change it),
    audited, and plan its occurrences."""
    now = now or timezone.now()
    check_window(window, now)
    window.created_by, window.created_at = actor, now
    window.save()
    _audit(window, actor, now, "Created")
    plan(now)
    return window


def _locked(window: FreezeWindow) -> FreezeWindow:
    """The window and its occurrences, read again with their rows locked until the transaction
    ends: a scheduler's claim (an update of an occurrence) waits for it, then finds the
    occurrence ended, deleted or skipped, so a start or an end cannot slip in between the check
    of the window's state and the act on it."""
    fresh = FreezeWindow.objects.select_for_update().get(pk=window.pk)
    list(FreezeOccurrence.objects.select_for_update().filter(window=fresh).order_by("pk"))
    return fresh


@transaction.atomic
def edit_window(window: FreezeWindow, *, actor, now: datetime | None = None, **changes) -> None:
    """Change a window that has not started. Once one of its occurrences holds, only its end
    may change (`end_now`); once it is over, it is history."""
    now = now or timezone.now()
    locked = _locked(window)
    window.ended_at = locked.ended_at
    state = state_of(locked, now)
    if (
        state == "scheduled"
        and locked.runs.exclude(state=FreezeOccurrence.State.SCHEDULED).exists()
    ):
        state = "ended"  # a weekly window that has run: its runs are history
    if state == "active":
        _move_end(window, locked, actor, now, changes)
        return
    if state != "scheduled":
        raise WindowConflict(
            "This window has run; it is kept as history and cannot be edited. End it, and "
            "add a new one."
        )
    for name, value in changes.items():
        setattr(window, name, value)
    check_window(window, now)
    window.save()
    window.runs.filter(state=FreezeOccurrence.State.SCHEDULED).delete()
    _audit(window, actor, now, "Edited")
    plan(now)


# What a running window may still change: its end (a once window's end, a weekly one's length
# and last day).
RUNNING_MAY_CHANGE = {
    FreezeWindow.Schedule.ONCE: {"end_date", "end_time"},
    FreezeWindow.Schedule.WEEKLY: {"duration", "last_date"},
}


def _move_end(window: FreezeWindow, locked: FreezeWindow, actor, now: datetime, changes) -> None:
    """Rule 5: a window that has started may only have its end changed (or be ended now)."""
    from .freezes import move_end  # what a window does to the setting, beside its schedule

    changes = {k: v for k, v in changes.items() if getattr(locked, k) != v}
    if set(changes) - RUNNING_MAY_CHANGE[locked.schedule]:
        raise WindowConflict(
            "This window has started: only its end can change now, or it can be ended now."
        )
    if not changes:
        return
    running = locked.runs.get(state=FreezeOccurrence.State.STARTED)
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.schedule == FreezeWindow.Schedule.ONCE:
        try:
            ends_at = to_utc(locked.end_date, locked.end_time, locked.zone)
        except LocalTimeProblem as problem:
            raise InvalidWindow(str(problem)) from None
    else:
        ends_at = running.starts_at + locked.duration
    if ends_at <= now:
        raise InvalidWindow("That end has passed already: end the window now instead.")
    if ends_at <= running.starts_at:
        raise InvalidWindow("The end must come after the window started.")
    locked.save(update_fields=list(changes))
    for name, value in changes.items():
        setattr(window, name, value)
    move_end(running, ends_at, now)
    locked.runs.filter(state=FreezeOccurrence.State.SCHEDULED).delete()
    plan(now)
    _audit(locked, actor, now, "Moved the end of")


@transaction.atomic
def end_window_now(window: FreezeWindow, *, actor, now: datetime | None = None) -> None:
    """End a window early: what it holds goes back as at its end, and nothing of it starts
    again."""
    from .freezes import end  # what a window does to the setting, beside its schedule

    now = now or timezone.now()
    window = _locked(window)
    if state_of(window, now) == "ended":
        raise WindowConflict("This window is over already.")
    FreezeWindow.objects.filter(pk=window.pk).update(ended_at=now)
    window.ended_at = now
    _audit(window, actor, now, "Ended early")
    for run in window.runs.filter(state=FreezeOccurrence.State.STARTED):
        end(run, now)
    window.runs.filter(state=FreezeOccurrence.State.SCHEDULED).delete()


@transaction.atomic
def delete_window(window: FreezeWindow, *, actor, now: datetime | None = None) -> None:
    """Delete a window that has not started (a started one is ended first; an ended one is
    kept as history)."""
    now = now or timezone.now()
    window = _locked(window)
    state = state_of(window, now)
    if state != "scheduled" or window.runs.exclude(state=FreezeOccurrence.State.SCHEDULED).exists():
        raise WindowConflict(
            "This window has started: end it now first."
            if state == "active"
            else "This window has run; it is kept as history and cannot be deleted."
        )
    _audit(window, actor, now, "Deleted")
    window.delete()
