"""What a change writes: its values, checked (a pause's reason and end), and what its audit events
record, from the one definition of the setting (SETTING_FIELDS). `change` writes them."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from ..models import SETTING_FIELDS, AgentUpgrades, AuditEvent, FreezeWindow, Via, paused_now

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

LINES = ("Zl", "Zp")  # the line and paragraph separators, U+2028 and U+2029


def is_noncharacter(character: str) -> bool:
    """One of Unicode's 66 noncharacters (U+FDD0 to U+FDEF, and the last two code points of
    every plane): never text, only a program's marker."""
    code = ord(character)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


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
    reason = reason or ""
    if len(reason.strip()) > REASON_MAX_LENGTH:
        raise InvalidPause(f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer.")
    for character in reason:  # before trimming: a line break at either end is refused too
        what = INVISIBLE.get(character)
        if what is None and (character in "\r\n" or unicodedata.category(character) in LINES):
            what = "a line break"
        elif what is None and unicodedata.category(character) == "Cc":
            what = "a control character"
        elif what is None and unicodedata.category(character) == "Cs":  # no text can hold it
            what = "half of a character"
        elif what is None and is_noncharacter(character):
            what = "a noncharacter"
        if what:
            raise InvalidPause(
                f"The reason contains {what} (U+{ord(character):04X}), which would change how "
                "it reads. Use plain text on one line."
            )
    reason = reason.strip()
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
    """The values one change writes to the setting of every row it touches, and what its audit
    events record. `rules.change.write_change` runs the steps that write them."""

    new_value: AgentUpgrades
    via: Via
    actor: AbstractBaseUser | None
    at: datetime
    pause: Pause = NO_PAUSE
    api_key_name: str = ""  # the API key the change came through; empty for a click
    window: FreezeWindow | None = None  # the freeze window that makes the change

    @property
    def actor_name(self) -> str:
        if self.window is not None:
            return str(self.window)  # "freeze window Year-end"; `actor` is who created it
        return self.actor.get_username() if self.actor else "system"

    def audited(self) -> dict:
        """Audit field → value written, one per field of the setting (SETTING_FIELDS)."""
        written = {"new_value": self.new_value, "via": self.via, "actor": self.actor}
        return (
            written
            | {"at": self.at}
            | asdict(self.pause)
            | {"api_key_name": self.api_key_name, "freeze_window": self.window}
        )

    def columns(self, kind: str = "") -> dict:
        """Setting field → value written (the same on a row of every kind)."""
        audited = self.audited()
        return {field: audited[names.audit] for field, names in SETTING_FIELDS.items()}

    def own_event(self, obj) -> dict:
        """More fields of the change's own event on `obj`, or overrides (an undo's: its action
        and what it undid)."""
        return {}

    def row_event(self, kind: str) -> dict:
        """More columns of each written row's event, per kind of row."""
        return {}

    def resumes(self, kind: str) -> Q:
        """The rows of `kind` that this write resumes, among those it writes (rule 6)."""
        return Q() if self.new_value == UNLOCK else Q(pk__in=[])

    def leaves_as_it_was(self, now: datetime, kind: str = "") -> Q:
        """The rows on which this write would change nothing but the time: the value it writes
        holds there already, written the same way, by the same person, with the same pause."""
        same = Q(paused_now(now) if self.new_value == LOCK else ~paused_now(now))
        for field, value in self.columns().items():
            if field in ("agent_upgrades", "agent_upgrades_set_at"):
                continue
            same &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
        return same
