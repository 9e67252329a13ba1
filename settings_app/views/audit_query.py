"""The Audit Logs' state as it travels in the address (object and actor, each by the start of a
name; the object's kind; action; date range; a search over reasons; one change with its parts; page): shared by the
page and its CSV export, so that what a person sees and what they export is the same trail.

The actions, decided here once (`action`; `act`, its older name, is read too):
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

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.http import QueryDict

from ..models import (
    AgentUpgrades,
    AuditEvent,
    Cluster,
    EdgeHost,
    Gateway,
    Project,
    Scope,
    Tenant,
    Via,
)
from ..sql import after_prefix, starts_with
from .paging import Order, address_text

TEXT_MAX = 100  # the longest object name, and plenty for a search
UID = re.compile(r"[0-9a-f]{24}")  # an event's uid (models.new_uid)

ACTS = {
    "paused": "Paused",
    "resumed": "Resumed",
    "pause-ended": "Pause ended",
    "release": "Release",
    "agent-upgraded": "Agent upgraded",
    "api-key": "API key changed",
}
NEWEST_FIRST = Order(("at", "pk"), descending=True)
# The object-kind filter: an event's scope, as the filter names it.
KINDS = {
    Scope.TENANT.value: "Tenants",
    Scope.PROJECT.value: "Projects",
    Scope.CLUSTER.value: "Clusters",
    Scope.GATEWAY.value: "Gateways",
    Scope.EDGE_HOST.value: "Edge hosts",
}

_CHANGES = ~Q(action__in=[AuditEvent.Action.RELEASE, AuditEvent.Action.MOVE, AuditEvent.Action.KEY])


def _act_condition(act: str) -> Q:
    if act == "paused":
        return _CHANGES & Q(new_value=AgentUpgrades.LOCK)
    if act == "resumed":
        return _CHANGES & Q(new_value=AgentUpgrades.UNLOCK) & ~Q(via=Via.EXPIRY)
    # A pause's end, a release and a key's change stand alone, never part of a change: the
    # indexes that serve these read no part.
    if act == "pause-ended":
        return _CHANGES & Q(via=Via.EXPIRY, part_of__isnull=True)
    if act == "release":
        return Q(action=AuditEvent.Action.RELEASE, part_of__isnull=True)
    if act == "api-key":
        return Q(action=AuditEvent.Action.KEY, part_of__isnull=True)
    return Q(agents_upgraded__gt=0)


def _name_sources(tenant_id: int, field: str) -> list[tuple[QuerySet, str]]:
    """Where the names a field may hold are kept, each with its index: an actor's in the trail;
    an object's in the trail's changes and standalone events, and, for the parts of changes
    (which no name index holds), the tenant's clusters and projects."""
    trail = AuditEvent.objects.filter(tenant_id=tenant_id)
    if field != "object_name":
        return [(trail, field)]
    return [
        (trail.filter(part_of__isnull=True), field),
        (Cluster.objects.filter(tenant_id=tenant_id), "name"),
        (Project.objects.filter(tenant_id=tenant_id), "name"),
        (Gateway.objects.filter(tenant_id=tenant_id), "name"),
        (EdgeHost.objects.filter(tenant_id=tenant_id), "name"),
    ]


def _names_starting(tenant_id: int, starts: dict[str, str]) -> dict[str, tuple]:
    """For each field, the first and the last name in the tenant's trail that starts with what
    was typed (None when none does): two seeks of an index of each place the names are kept,
    in one statement."""
    if not starts:
        return {}
    ends = {}
    for field, typed in starts.items():
        for number, (rows, name) in enumerate(_name_sources(tenant_id, field)):
            names = rows.filter(starts_with(name, typed)).values(name)
            ends[f"{field}_{number}_first"] = Subquery(names.order_by(name)[:1])
            ends[f"{field}_{number}_last"] = Subquery(names.order_by(f"-{name}")[:1])
    row = Tenant.objects.filter(pk=tenant_id).values(**ends).first() or {}
    found = {}
    for field in starts:
        firsts = [v for k, v in row.items() if k.startswith(f"{field}_") and k.endswith("_first")]
        lasts = [v for k, v in row.items() if k.startswith(f"{field}_") and k.endswith("_last")]
        firsts, lasts = [v for v in firsts if v is not None], [v for v in lasts if v is not None]
        found[field] = (min(firsts) if firsts else None, max(lasts) if lasts else None)
    return found


def _named(tenant_id: int, name: str) -> Q:
    """The events of the objects named `name`: the trail's own by their name, and the parts of
    changes that wrote the tenant's clusters and projects of that name, by their key; and every
    event of its gateways and Edge hosts of that name (their own and their parts in pushes),
    by theirs."""
    named_so = {"tenant_id": tenant_id, "name": name}
    return Q(
        pk__in=AuditEvent.objects.about(
            tenant_id,
            clusters=Cluster.objects.filter(**named_so).values("pk"),
            projects=Project.objects.filter(**named_so).values("pk"),
            gateways=Gateway.objects.filter(**named_so).values("pk"),
            edge_hosts=EdgeHost.objects.filter(**named_so).values("pk"),
            named=name,
        )
    )


def _starting(field: str, typed: str, names: tuple) -> Q:
    """The events whose `field` starts with `typed`, given the first and last such name. One
    name (a name typed in full, the usual search): that name's entries of its index, newest
    first. Several: the trail newest first, each event's name compared, as the search over
    reasons reads it (read so on purpose: a range of the name index would sort every event of
    every name that starts so, for a page of 50)."""
    first, last = names
    if first == last:  # one name, or none (and then nothing matches)
        return Q(**{field: first if first is not None else typed})
    name = Coalesce(F(field), Value(""))  # the name, read from the row rather than its index
    after = after_prefix(typed)
    return GreaterThanOrEqual(name, typed) & (LessThan(name, after) if after else Q())


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditQuery:
    obj: str = ""  # the start of an object's name (tenant, project or cluster)
    actor: str = ""  # the start of the name of who made the change, as shown
    act: str = ""  # a key of ACTS
    since: date | None = None  # from this day (UTC), inclusive
    until: date | None = None  # to this day (UTC), inclusive
    q: str = ""  # words in the reason
    change: str = ""  # a change's uid: its own event and those it is made of (`part_of`)
    kind: str = ""  # a key of KINDS: the events of one kind of object (their scope)

    @classmethod
    def from_query(cls, query: QueryDict) -> AuditQuery:
        act = query.get("action", "") or query.get("act", "")
        change = query.get("change", "")
        return cls(
            obj=address_text(query, "object", TEXT_MAX),
            actor=address_text(query, "actor", TEXT_MAX),
            act=act if act in ACTS else "",
            since=_day(query.get("from", "")),
            until=_day(query.get("to", "")),
            q=address_text(query, "q", TEXT_MAX),
            change=change if UID.fullmatch(change) else "",
            kind=query.get("kind", "") if query.get("kind", "") in KINDS else "",
        )

    @property
    def filtered(self) -> bool:
        return bool(
            self.obj
            or self.actor
            or self.act
            or self.since
            or self.until
            or self.q
            or self.change
            or self.kind
        )

    @property
    def reversed(self) -> bool:
        """From a day after To: no day lies in the range."""
        return bool(self.since and self.until and self.since > self.until)

    def params(self, **changes) -> dict[str, str]:
        state = {
            "object": self.obj,
            "kind": self.kind,
            "actor": self.actor,
            "action": self.act,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "q": self.q,
            "change": self.change,
        } | {name: str(value) if value else "" for name, value in changes.items()}
        return {name: value for name, value in state.items() if value}

    def link(self, **changes) -> str:
        return "?" + urlencode(self.params(**changes))

    def swapped_link(self) -> str:
        """The address with From and To swapped, for a range given backwards."""
        return self.link(**{"from": self.until, "to": self.since})

    def names(self, tenant_id: int) -> dict[str, tuple]:
        """The first and the last name that each typed start (object, actor) finds."""
        starts = {"object_name": self.obj, "actor_name": self.actor}
        return _names_starting(
            tenant_id, {field: typed for field, typed in starts.items() if typed}
        )

    @staticmethod
    def one_object(names: dict[str, tuple]) -> str | None:
        """The name of the one object the typed start finds (None: none, or several)."""
        first, last = names.get("object_name", (None, None))
        return first if first is not None and first == last else None

    def apply(
        self, events: QuerySet[AuditEvent], tenant_id: int, names: dict[str, tuple] | None = None
    ) -> QuerySet[AuditEvent]:
        """`events` (of the tenant `tenant_id`) narrowed by the filters (`names`: `names()`)."""
        names = self.names(tenant_id) if names is None else names
        starts = {"object_name": self.obj, "actor_name": self.actor}
        for field, found in names.items():
            one = self.one_object(names) if field == "object_name" else None
            if one is not None:
                events = events.filter(_named(tenant_id, one))  # one object's, by its key
            else:
                events = events.filter(_starting(field, starts[field], found))
        if self.kind:
            events = events.filter(scope=self.kind)
        if self.act:
            events = events.filter(_act_condition(self.act))
        if self.since:
            events = events.filter(at__gte=datetime.combine(self.since, time.min, tzinfo=UTC))
        if self.until and self.until < date.max:  # to the last day a date names: no end
            end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=UTC)
            events = events.filter(at__lt=end)
        if self.q:
            events = events.filter(reason__icontains=self.q)
        if self.change:  # its parts by `audit_part_cluster`: as many as the change wrote
            parts = AuditEvent.objects.filter(uid=self.change).values("pk")
            events = events.filter(Q(uid=self.change) | Q(part_of__in=parts))
        return events

    def chips(self, change: str = "") -> list[tuple[str, str]]:
        """What is applied, each with the address that removes it; `change` names the change
        whose parts are shown."""
        chips = []
        if self.change:
            chips.append((change or "One change and its parts", self.link(change="")))
        if self.obj:
            chips.append((f"Object starts with “{self.obj}”", self.link(object="")))
        if self.kind:
            chips.append((KINDS[self.kind], self.link(kind="")))
        if self.actor:
            chips.append((f"Actor starts with “{self.actor}”", self.link(actor="")))
        if self.act:
            chips.append((ACTS[self.act], self.link(action="")))
        if self.since:
            chips.append((f"From {self.since.isoformat()}", self.link(**{"from": ""})))
        if self.until:
            chips.append((f"To {self.until.isoformat()}", self.link(to="")))
        if self.q:
            chips.append((f"Reason contains “{self.q}”", self.link(q="")))
        return chips
