"""The Audit Logs' state as it travels in the address (object, actor, act, date range, a search
over reasons, page): shared by the page and its CSV export, so that what a person sees and what
they export is the same trail.

The acts, decided here once:
- paused: a change that left its object paused (set, pushed, bulk, undone);
- resumed: a change that left its object active, made by a person or a key;
- pause ended: a pause's end resuming its object (via "pause ended");
- release: a platform release, one event per project it reached;
- api-key: an API key created, revoked, activated or deleted (tenant scope only);
- agent upgraded: an event that upgraded agents: a release that upgraded at least one agent of
  the project, or a cluster's resume (by a person, a key, an undo or a pause's end) that caught
  its agent up. Both record it in `agents_upgraded`, which a partial index keeps newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict

from ..models import AgentUpgrades, AuditEvent, Via
from .paging import Order, address_text

TEXT_MAX = 100  # the longest object name, and plenty for a search

ACTS = {
    "paused": "Paused",
    "resumed": "Resumed",
    "pause-ended": "Pause ended",
    "release": "Release",
    "agent-upgraded": "Agent upgraded",
    "api-key": "API key changed",
}
NEWEST_FIRST = Order(("at", "pk"), descending=True)

_CHANGES = ~Q(action__in=[AuditEvent.Action.RELEASE, AuditEvent.Action.MOVE, AuditEvent.Action.KEY])


def _act_condition(act: str) -> Q:
    if act == "paused":
        return _CHANGES & Q(new_value=AgentUpgrades.LOCK)
    if act == "resumed":
        return _CHANGES & Q(new_value=AgentUpgrades.UNLOCK) & ~Q(via=Via.EXPIRY)
    if act == "pause-ended":
        return _CHANGES & Q(via=Via.EXPIRY)
    if act == "release":
        return Q(action=AuditEvent.Action.RELEASE)
    if act == "api-key":
        return Q(action=AuditEvent.Action.KEY)
    return Q(agents_upgraded__gt=0)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditQuery:
    obj: str = ""  # an object's name (tenant, project or cluster), exactly
    actor: str = ""  # who made the change, exactly as shown
    act: str = ""  # a key of ACTS
    since: date | None = None  # from this day (UTC), inclusive
    until: date | None = None  # to this day (UTC), inclusive
    q: str = ""  # words in the reason

    @classmethod
    def from_query(cls, query: QueryDict) -> AuditQuery:
        act = query.get("act", "")
        return cls(
            obj=address_text(query, "object", TEXT_MAX),
            actor=address_text(query, "actor", TEXT_MAX),
            act=act if act in ACTS else "",
            since=_day(query.get("from", "")),
            until=_day(query.get("to", "")),
            q=address_text(query, "q", TEXT_MAX),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.obj or self.actor or self.act or self.since or self.until or self.q)

    def params(self, **changes) -> dict[str, str]:
        state = {
            "object": self.obj,
            "actor": self.actor,
            "act": self.act,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "q": self.q,
        } | {name: str(value) if value else "" for name, value in changes.items()}
        return {name: value for name, value in state.items() if value}

    def link(self, **changes) -> str:
        return "?" + urlencode(self.params(**changes))

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if self.obj:
            events = events.filter(object_name=self.obj)
        if self.actor:
            events = events.filter(actor_name=self.actor)
        if self.act:
            events = events.filter(_act_condition(self.act))
        if self.since:
            events = events.filter(at__gte=datetime.combine(self.since, time.min, tzinfo=UTC))
        if self.until and self.until < date.max:  # to the last day a date names: no end
            end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=UTC)
            events = events.filter(at__lt=end)
        if self.q:
            events = events.filter(reason__icontains=self.q)
        return events

    def chips(self) -> list[tuple[str, str]]:
        """What is applied, each with the address that removes it."""
        chips = []
        if self.obj:
            chips.append((f"Object “{self.obj}”", self.link(object="")))
        if self.actor:
            chips.append((f"By {self.actor}", self.link(actor="")))
        if self.act:
            chips.append((ACTS[self.act], self.link(act="")))
        if self.since:
            chips.append((f"From {self.since.isoformat()}", self.link(**{"from": ""})))
        if self.until:
            chips.append((f"To {self.until.isoformat()}", self.link(to="")))
        if self.q:
            chips.append((f"Reason contains “{self.q}”", self.link(q="")))
        return chips
