"""What a freeze window writes, declared for the change owner (`rules.change.write_change`): its
hold of the rows it pauses (at its start, at a hand-over, at a moved end), its restore of what
they had before any window, and the project's value that a cluster added meanwhile takes. The
record of what each row had before is the window's own audit events (`originals`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.lookups import Exact

from ..models import (
    SETTING_FIELDS,
    AgentUpgrades,
    AuditEvent,
    FreezeOccurrence,
    FreezeWindow,
    Project,
)
from .writes import SettingWrite

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
WINDOW = AuditEvent.Action.WINDOW


@dataclass(frozen=True)
class WindowHold(SettingWrite):
    """A window's pause of the rows it starts holding (its start, or a hand-over), recording
    in each row's event what the row had before any window held it: its own values at a start,
    the previous holder's record of them at a hand-over (`previous`)."""

    previous: FreezeWindow | None = None

    def row_event(self, kind: str) -> dict:
        recorded = {"action": Value(WINDOW)}
        if self.previous is not None:
            found = originals(self.previous, kind)
            recorded |= {
                names.old: Subquery(found.values(names.old)[:1])
                for names in SETTING_FIELDS.values()
            }
        return recorded


@dataclass(frozen=True)
class WindowRestore(SettingWrite):
    """A window's end: every row it holds gets back what it had before any window held it."""

    ending: FreezeWindow | None = None

    def columns(self, kind: str = "") -> dict:
        found = originals(self.ending, kind)
        return {
            field: Subquery(found.values(names.old)[:1]) for field, names in SETTING_FIELDS.items()
        }

    def row_event(self, kind: str) -> dict:
        found = originals(self.ending, kind)
        return {
            "action": Value(WINDOW),
            "old_value": Value(LOCK),
            **{
                names.audit: Subquery(found.values(names.old)[:1])
                for field, names in SETTING_FIELDS.items()
                if field in ("agent_upgrades", "agent_upgrades_reason", "agent_upgrades_until")
            },
        }

    def resumes(self, kind: str) -> Q:
        # The value the restore puts back (the newest record), not any week's.
        return Q(Exact(Subquery(originals(self.ending, kind).values("old_value")[:1]), UNLOCK))

    def leaves_as_it_was(self, now: datetime, kind: str = "") -> Q:
        return Q(pk__in=[])


def originals(window: FreezeWindow, kind: str) -> QuerySet[AuditEvent]:
    """For each row of `kind` (OuterRef), the newest event in which `window` took it into its
    hold: its `old_…` fields are what the row had before any window held it. Looked for among
    the windows' changes since its latest start (that start, a hand-over to it, a moved end):
    a few, whatever the length of the trail."""
    started = (
        FreezeOccurrence.objects.filter(window=window, start_event__isnull=False)
        .order_by("-starts_at")
        .values("start_event_id")[:1]
    )
    return (
        AuditEvent.objects.parts_about(
            window.tenant_id, kind, OuterRef("pk"), action=WINDOW, pk__gte=Subquery(started)
        )
        .filter(scope=kind, action=WINDOW, freeze_window=window, new_value=LOCK)
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class ProjectValue(SettingWrite):
    """Each cluster takes its project's value as it stands, with where it came from (rule 5
    again), recorded as part of a window's end; one resumed while behind catches up."""

    def columns(self, kind: str = "") -> dict:
        return {field: Subquery(_project().values(field)[:1]) for field in SETTING_FIELDS}

    def row_event(self, kind: str) -> dict:
        taken = {"agent_upgrades": "new_value", "agent_upgrades_reason": "reason"}
        taken["agent_upgrades_until"] = "until"
        return {"action": Value(WINDOW)} | {
            event: Subquery(_project().values(field)[:1]) for field, event in taken.items()
        }

    def resumes(self, kind: str) -> Q:
        return Q(Exact(Subquery(_project().values("agent_upgrades")[:1]), UNLOCK))

    def leaves_as_it_was(self, now: datetime, kind: str = "") -> Q:
        return Q(pk__in=[])


def _project() -> QuerySet[Project]:
    return Project.objects.filter(pk=OuterRef("project_id"))
