"""The scheduler's pass over freeze windows: plan ahead, end what is due, start what is due,
each occurrence in a transaction of its own and claimed exactly once (`freezes` does the work);
and over notices: write those of time passing, then deliver the outbox (`delivery`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

from ..models import FreezeOccurrence
from .delivery import DeliveryRun, deliver
from .freezes import Ending, claim, end, start
from .reminders import find_due_notices
from .windows import plan

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduleRun:
    planned: int = 0
    started: int = 0
    ended: int = 0
    skipped: int = 0


def _step(step, occurrence: FreezeOccurrence, now: datetime):
    """Start or end one occurrence; a failure is logged and left for the next pass (its own
    transaction rolled back), so that it holds up no other window."""
    try:
        result = step(occurrence, now)
    except DatabaseError:
        log.exception(
            "Freeze window %s could not %s; the next pass tries again.",
            occurrence.window.name,
            step.__name__,
        )
        return None
    return result.event if isinstance(result, Ending) else result


def run_windows(now: datetime | None = None) -> ScheduleRun:
    """One pass of the scheduler over the windows: plan ahead, end what is due, then start what
    is due (each in a transaction of its own, claimed exactly once). An occurrence whose start
    passed while the scheduler was down starts at once if its end is still ahead, and is
    recorded as skipped if it is over."""
    now = now or timezone.now()
    planned = plan(now)
    ended = started = skipped = 0
    State = FreezeOccurrence.State
    related = ("window__cluster", "window__project", "window__tenant")
    for occurrence in FreezeOccurrence.objects.filter(
        state=State.STARTED, ends_at__lte=now
    ).select_related(*related):
        ended += _step(end, occurrence, now) is not None
    for occurrence in FreezeOccurrence.objects.filter(
        state=State.SCHEDULED, starts_at__lte=now
    ).select_related(*related):
        if occurrence.ends_at <= now or occurrence.window.ended_at is not None:
            skipped += claim(occurrence, State.SCHEDULED, State.SKIPPED)
        else:
            started += _step(start, occurrence, now) is not None
    return ScheduleRun(planned, started, ended, skipped)


def run_notices(now: datetime | None = None) -> tuple[int, DeliveryRun]:
    """The notices' part of a pass: write the reminders now due (each once), then deliver what
    the outbox holds. How many reminders were written, and what the delivery did."""
    now = now or timezone.now()
    with transaction.atomic():
        written = find_due_notices(now)
    return written, deliver(now=now)
