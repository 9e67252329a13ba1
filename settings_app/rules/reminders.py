"""The notices of time passing, found by the scheduler's pass and each written exactly once
(its key): a freeze window starts in 24 hours, a pause ends in 24 hours, an API key expires in
7 days."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from ..models import ApiKey, Cluster, FreezeOccurrence, Project, Tenant
from ..models.notices import Event
from .notices import described, emit

SOON = timedelta(hours=24)
KEY_SOON = timedelta(days=7)


def find_due_notices(now: datetime) -> int:
    """The notices of time passing, each written once (their key): a window starts in 24 hours,
    a pause ends in 24 hours, a key expires in 7 days. How many were written."""
    written = 0
    for occurrence in FreezeOccurrence.objects.filter(
        state=FreezeOccurrence.State.SCHEDULED, starts_at__gt=now, starts_at__lte=now + SOON
    ).select_related("window__tenant", "window__project", "window__cluster"):
        window = occurrence.window
        if window.ended_at is not None:
            continue
        written += bool(
            emit(
                window.tenant_id,
                Event.WINDOW_SOON,
                f"Freeze window {window.name} starts at {occurrence.starts_at:%Y-%m-%d %H:%M} UTC "
                f"and pauses {window.scope} {window.target.name}",
                objects=[described(window.target, window.scope)],
                counts={"startsAt": occurrence.starts_at.isoformat()},
                key=f"window.soon:{occurrence.pk}",
                at=now,
            )
        )
    written += _pauses_ending_soon(now)
    for key in ApiKey.objects.filter(
        active=True, expires_at__gt=now, expires_at__lte=now + KEY_SOON
    ).select_related("user"):
        written += bool(
            emit(
                key.tenant_id,
                Event.KEY_EXPIRING,
                f"API key {key.name} ({key.prefix}…) of {key.user.get_username()} expires at "
                f"{key.expires_at:%Y-%m-%d %H:%M} UTC",
                objects=[described(key, "apikey")],
                key=f"key.expiring:{key.pk}:{key.expires_at.isoformat()}",
                at=now,
            )
        )
    return written


def _pauses_ending_soon(now: datetime) -> int:
    """One notice per tenant and moment of ending: a push pauses many objects until the same
    moment, and one notice names them all."""
    found: dict[tuple[int, datetime], list[dict]] = defaultdict(list)
    for model in (Tenant, Project, Cluster):
        rows = model.objects.filter(
            agent_upgrades="lock",
            agent_upgrades_until__gt=now,
            agent_upgrades_until__lte=now + SOON,
            agent_upgrades_window__isnull=True,  # a window's end has its own notice
        )
        for obj in rows:
            tenant_id = obj.pk if model is Tenant else obj.tenant_id
            found[(tenant_id, obj.agent_upgrades_until)].append(described(obj))
    written = 0
    for (tenant_id, until), objects in sorted(found.items(), key=lambda item: item[0][1]):
        names = ", ".join(o["name"] for o in objects[:5]) + (", …" if len(objects) > 5 else "")
        written += bool(
            emit(
                tenant_id,
                Event.PAUSE_SOON,
                f"The pause of {names} ends at {until:%Y-%m-%d %H:%M} UTC",
                objects=objects,
                counts={"objects": len(objects), "endsAt": until.isoformat()},
                key=f"pause.soon:{until.isoformat()}",
                at=now,
            )
        )
    return written
