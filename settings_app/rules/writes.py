"""Writing the setting: one change's values, checked, then applied to rows, to the object in
hand and to the audit trail, all from the one definition of the setting (SETTING_FIELDS)."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from ..models import (
    SETTING_FIELDS,
    SETTING_VERSION,
    AgentUpgrade,
    AgentUpgrades,
    AgentUpgradesSetting,
    AuditEvent,
    Cluster,
    Project,
    Tenant,
    Via,
    paused_now,
)
from ..sql import NewUid, insert_select

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
REASON_MAX_LENGTH = AuditEvent._meta.get_field("reason").max_length
# Characters that show nothing, or turn the text around them, so that a reason would read
# differently to the next person than it was written: bidirectional overrides and isolates,
# marks, zero-width spaces. (Control characters, category Cc, are refused as well.)
INVISIBLE = {
    "\u061c": "an Arabic letter mark",
    "\u200b": "a zero-width space",
    "\u200e": "a left-to-right mark",
    "\u200f": "a right-to-left mark",
    **{chr(c): "a bidirectional override" for c in range(0x202A, 0x202F)},
    "\u2060": "a word joiner",
    **{chr(c): "a bidirectional isolate" for c in range(0x2066, 0x206A)},
    "\ufeff": "a zero-width no-break space",
}


class InvalidPause(ValueError):
    """A pause's reason or end that cannot be accepted; the message says what to fix."""


@dataclass(frozen=True)
class Pause:
    """What a pause may carry: why, and until when (None: until someone resumes). The names are
    those of the audit event's fields (SETTING_FIELDS)."""

    reason: str = ""
    until: datetime | None = None


NO_PAUSE = Pause()  # a resume's, or a pause with neither reason nor end


def pause_for(value: AgentUpgrades, reason: str = "", until: datetime | None = None) -> Pause:
    """The pause a change asks for, checked: a resume carries no reason or end; a reason is
    plain visible text; an end lies ahead. Raises InvalidPause, which says what to fix."""
    if AgentUpgrades(value) == UNLOCK:
        return Pause()
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidPause(f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer.")
    for character in reason:
        what = INVISIBLE.get(character)
        if what is None and unicodedata.category(character) == "Cc":
            what = "a line break" if character in "\r\n" else "a control character"
        elif what is None and unicodedata.category(character) == "Cs":  # no text can hold it
            what = "half of a character"
        if what:
            raise InvalidPause(
                f"The reason contains {what} (U+{ord(character):04X}), which would change how "
                "it reads. Use plain text on one line."
            )
    if until is not None:
        if timezone.is_naive(until):
            raise InvalidPause("“Pause until” must say its time zone; the console uses UTC.")
        try:
            until = until.astimezone(UTC)
        except OverflowError:  # an offset that carries it past the year 9999
            raise InvalidPause(
                "“Pause until” is too far ahead: give a date before the year 9999."
            ) from None
        if until <= timezone.now():
            raise InvalidPause("“Pause until” must be in the future.")
    return Pause(reason, until)


@dataclass(frozen=True)
class SettingWrite:
    """The values one change writes to the setting of every row it touches."""

    new_value: AgentUpgrades
    via: Via
    actor: AbstractBaseUser | None
    at: datetime
    pause: Pause = NO_PAUSE
    api_key_name: str = ""  # the API key the change came through; empty for a click

    @property
    def actor_name(self) -> str:
        return self.actor.get_username() if self.actor else "system"

    def audited(self) -> dict:
        """Audit field → value written, one per field of the setting (SETTING_FIELDS)."""
        written = {"new_value": self.new_value, "via": self.via, "actor": self.actor}
        return written | {"at": self.at} | asdict(self.pause) | {"api_key_name": self.api_key_name}

    def columns(self) -> dict:
        """Setting field → value written."""
        audited = self.audited()
        return {field: audited[new] for field, (new, _old) in SETTING_FIELDS.items()}

    def leaves_as_it_was(self, now: datetime) -> Q:
        """The rows on which this write would change nothing but the time: the value it writes
        holds there already, written the same way, by the same person, with the same pause."""
        same = Q(paused_now(now) if self.new_value == LOCK else ~paused_now(now))
        for field, value in self.columns().items():
            if field in ("agent_upgrades", "agent_upgrades_set_at"):
                continue
            same &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
        return same

    def update(self, rows: QuerySet, **more) -> int:
        """Write to every row of `rows` (with `more` columns), counting the write."""
        return rows.update(**self.columns(), **{SETTING_VERSION: F(SETTING_VERSION) + 1}, **more)

    def apply(self, obj: AgentUpgradesSetting) -> None:
        """What `update` did in the database, done to the object in hand (no reload needed)."""
        for field, value in self.columns().items():
            setattr(obj, field, value)
        setattr(obj, SETTING_VERSION, getattr(obj, SETTING_VERSION) + 1)

    def audit_one(
        self, obj: Tenant | Project | Cluster, old_value: AgentUpgrades, **more
    ) -> AuditEvent:
        """The audit event of one object the change is about to write (`obj` as it is before),
        with what was there before it and the version the change will write."""
        if isinstance(obj, Tenant):
            where = {"scope": "tenant", "tenant_id": obj.pk}
        elif isinstance(obj, Project):
            where = {"scope": "project", "tenant_id": obj.tenant_id, "project_id": obj.pk}
        else:
            where = {
                "scope": "cluster",
                "tenant_id": obj.tenant_id,
                "project_id": obj.project_id,
                "cluster_id": obj.pk,
            }
        return AuditEvent.objects.create(
            **self.audited(),
            **where,
            **setting_before(obj),
            actor_name=self.actor_name,
            object_name=obj.name,
            old_value=old_value,
            version=getattr(obj, SETTING_VERSION) + 1,
            **more,
        )

    def audit_rows(self, *parts: tuple[QuerySet, dict]) -> int:
        """One audit event per row of each (rows, columns) part, in one INSERT … SELECT;
        `columns` says what each event takes from its row (its scope, object and old value),
        or overrides. Every part names the same columns."""
        constants = {
            name: typed(_sql_value(value), _output_field(name))
            for name, value in self.audited().items()
        }
        constants |= {
            "uid": NewUid(),
            "actor_name": Value(self.actor_name),
            "object_name": F("name"),
        }
        before = {"version": F(SETTING_VERSION) + 1} | {
            old: F(field) for field, (_new, old) in SETTING_FIELDS.items() if old != "old_value"
        }
        (rows, columns), *more = [(rows, constants | before | cols) for rows, cols in parts]
        return insert_select(AuditEvent, rows, also=tuple(more), **columns)

    def record_catch_up(
        self,
        clusters: QuerySet[Cluster],
        agent_version: str,
        cause: AgentUpgrade.Cause = AgentUpgrade.Cause.RESUME,
    ) -> int:
        """Rule 6's agent upgrades, recorded before the write that makes them: every stored
        pause among `clusters` whose agent is not `agent_version`. Returns how many."""
        if not agent_version:
            return 0
        return insert_select(
            AgentUpgrade,
            clusters.filter(held_back(agent_version)),
            **upgrade_columns(agent_version, self.actor, self.at, cause),
        )

    def update_clusters(self, clusters: QuerySet[Cluster], agent_version: str) -> tuple[int, list]:
        """Write the clusters; with rule 6 in the same statement: on resume, a stored pause's
        agent catches up to `agent_version` (the CASE reads the row as it was before the
        update). Returns how many, and the fleet rows the write recounted."""
        more = {}
        if agent_version:
            more["agent_version"] = Case(
                When(agent_upgrades=LOCK, then=Value(agent_version)), default=F("agent_version")
            )
        return clusters.update_and_recount(
            **self.columns(), **{SETTING_VERSION: F(SETTING_VERSION) + 1}, **more
        )


def held_back(agent_version: str) -> Q:
    """The clusters whose agent a resume catches up to `agent_version` (rule 6): a stored pause
    whose agent is not that version. Read before the write that resumes them."""
    return Q(agent_upgrades=LOCK) & ~Q(agent_version=agent_version)


def caught_up(agent_version: str, among: QuerySet[Cluster] | None = None) -> Case | Value:
    """A cluster's audit row's `agents_upgraded`, read from the cluster's row before the write
    that catches it up to `agent_version` (empty: no catch-up): 1 for a cluster held back, as
    `record_catch_up` records them (and, given `among`, one of those clusters), else 0."""
    if not agent_version:
        return Value(0)
    condition = held_back(agent_version)
    if among is not None:
        condition &= Q(pk__in=among.values("pk"))
    return Case(When(condition, then=Value(1)), default=Value(0))


def setting_before(obj: AgentUpgradesSetting) -> dict:
    """The audit event's record of what `obj` holds before a change (but its value, which the
    caller records as it holds)."""
    return {
        AuditEvent._meta.get_field(old).attname: getattr(obj, obj._meta.get_field(field).attname)
        for field, (_new, old) in SETTING_FIELDS.items()
        if old != "old_value"
    }


def typed(value, output_field) -> Value | Cast:
    """A constant for an INSERT … SELECT; a NULL cast to its type, which PostgreSQL would
    otherwise read as text in a UNION."""
    if value is None:
        return Cast(Value(None), output_field=output_field)
    return Value(value, output_field=output_field)


def _sql_value(value):
    return getattr(value, "pk", value)  # a user: their id


def _output_field(name: str):
    field = AuditEvent._meta.get_field(name)
    return IntegerField() if field.is_relation else field


def upgrade_columns(agent_version: str, actor, at: datetime, cause: AgentUpgrade.Cause) -> dict:
    """An agent upgrade's columns, from each cluster row of an INSERT … SELECT."""
    return {
        "cluster_id": F("pk"),
        "from_version": F("agent_version"),
        "to_version": Value(agent_version),
        "at": Value(at, output_field=DateTimeField()),
        "cause": Value(cause),
        "actor_id": Value(actor.pk if actor else None, output_field=IntegerField()),
        "actor_name": Value(actor.get_username() if actor else "system"),
    }
