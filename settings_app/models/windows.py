"""Freeze windows: pauses on a schedule, once or every week, in a time zone, and each
occurrence's start and end as the scheduler runs them (exactly once)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone

from .tenancy import Cluster, Project, Tenant, uid_field

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class LocalTimeProblem(ValueError):
    """A local time that does not exist (skipped by a clock change) or exists twice."""


def to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC moment of a local date and time in `zone`; LocalTimeProblem when the clocks skip
    it or pass it twice that day."""
    local = datetime.combine(day, at)
    first, second = local.replace(tzinfo=zone, fold=0), local.replace(tzinfo=zone, fold=1)
    try:
        first.astimezone(UTC)
    except OverflowError:  # a moment before the year 1 or after 9999 in UTC
        raise LocalTimeProblem(
            f"{day:%d %b %Y} {at:%H:%M} in {zone.key} is outside the years 1 to 9999 in UTC."
        ) from None
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back == local:
            raise LocalTimeProblem(
                f"{day:%a %d %b %Y} {at:%H:%M} happens twice in {zone.key} (the clocks go back "
                "that night): choose a time outside the repeated hour."
            )
        raise LocalTimeProblem(
            f"{day:%a %d %b %Y} {at:%H:%M} does not exist in {zone.key} (the clocks go forward "
            "that night): choose a time outside the skipped hour."
        )
    return first.astimezone(UTC)


class FreezeWindow(models.Model):
    """A pause on a schedule at one scope: a tenant, a project (`project` set) or a cluster
    (`cluster` set). Once: from `start_date start_time` to `end_date end_time`, local time in
    `time_zone`. Weekly: on `days` (0 = Monday), from `start_time` for `duration`, from
    `start_date` on, up to `last_date` if set. Times are wall-clock times in the zone, so a
    weekly window at 18:00 stays at 18:00 across daylight-saving changes."""

    class Schedule(models.TextChoices):
        ONCE = "once", "Once"
        WEEKLY = "weekly", "Weekly"

    uid = uid_field()
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="freeze_windows")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="freeze_windows"
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.CASCADE, related_name="freeze_windows"
    )
    name = models.CharField(max_length=100)
    reason = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64)
    schedule = models.CharField(max_length=6, choices=Schedule.choices)
    start_date = models.DateField()
    start_time = models.TimeField()
    end_date = models.DateField(null=True, blank=True)  # once
    end_time = models.TimeField(null=True, blank=True)  # once
    days = models.CharField(max_length=13, blank=True)  # weekly: "4" or "0,2,4"
    duration = models.DurationField(null=True, blank=True)  # weekly
    last_date = models.DateField(null=True, blank=True)  # weekly: its last day, if any
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Ended early (End now), or deleted: no occurrence starts after it.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"freeze window {self.name}"

    @property
    def scope(self) -> str:
        return "cluster" if self.cluster_id else "project" if self.project_id else "tenant"

    @property
    def target(self) -> Tenant | Project | Cluster:
        return self.cluster or self.project or self.tenant

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def weekdays(self) -> list[int]:
        return [int(day) for day in self.days.split(",") if day != ""]

    def occurrences(self, since: datetime, until: datetime) -> Iterator[tuple[datetime, datetime]]:
        """(start, end) in UTC of every occurrence that ends after `since` and starts before
        `until`, in order. LocalTimeProblem for an occurrence whose local times do not exist
        or exist twice."""
        zone = self.zone
        if self.schedule == self.Schedule.ONCE:
            start = to_utc(self.start_date, self.start_time, zone)
            end = to_utc(self.end_date, self.end_time, zone)
            if end > since and start < until:
                yield start, end
            return
        first = max(self.start_date, (since - self.duration).astimezone(zone).date())
        last = until.astimezone(zone).date()
        if self.last_date is not None:
            last = min(last, self.last_date)
        days = set(self.weekdays)
        day = first - timedelta(days=1)
        while day < last:
            day += timedelta(days=1)
            if day.weekday() not in days:
                continue
            start_local = datetime.combine(day, self.start_time)
            end_local = start_local + self.duration  # wall-clock: Fri 18:00 + 60 h = Mon 06:00
            start = to_utc(day, self.start_time, zone)
            end = to_utc(end_local.date(), end_local.time(), zone)
            if end > since and start < until:
                yield start, end


class FreezeOccurrence(models.Model):
    """One run of a window, planned ahead by the scheduler, which moves it from scheduled to
    started to ended (or to skipped, when the scheduler was down for all of it), each step
    exactly once."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        STARTED = "started", "Started"
        ENDED = "ended", "Ended"
        SKIPPED = "skipped", "Skipped"

    window = models.ForeignKey(FreezeWindow, on_delete=models.CASCADE, related_name="runs")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    state = models.CharField(max_length=9, choices=State.choices, default=State.SCHEDULED)
    # The window's start, as recorded in the audit trail: the events of every object it wrote
    # are part of it, and hold what each had before (what the end puts back).
    start_event = models.ForeignKey(
        "AuditEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_event = models.ForeignKey(
        "AuditEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["window", "starts_at"], name="occurrence_once")
        ]
        indexes = [
            models.Index(fields=["state", "starts_at"], name="occurrence_due_start"),
            models.Index(fields=["state", "ends_at"], name="occurrence_due_end"),
        ]

    def __str__(self) -> str:
        return f"{self.window}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M} UTC"
