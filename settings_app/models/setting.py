"""The agent-upgrade setting that tenants, projects and clusters each hold, defined once."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils import timezone


class AgentUpgrades(models.TextChoices):
    """The setting's two values, named as in Palette's API."""

    LOCK = "lock", "Paused"
    UNLOCK = "unlock", "Active"


class Scope(models.TextChoices):
    TENANT = "tenant", "tenant"
    PROJECT = "project", "project"
    CLUSTER = "cluster", "cluster"
    # The other agents the setting covers (models.gateways): a tenant's gateways, and a
    # project's Edge hosts that are in no cluster.
    GATEWAY = "gateway", "gateway"
    EDGE_HOST = "host", "Edge host"


class Via(models.TextChoices):
    """What wrote a value: a scope's change, or the end of a pause."""

    TENANT = "tenant", "pushed by tenant"
    PROJECT = "project", "pushed by project"
    CLUSTER = "cluster", "set directly"
    EXPIRY = "expiry", "pause ended"


class SettingField(NamedTuple):
    """How one field of the setting is named where it is recorded and read."""

    audit: str  # the audit event's field recording what a change wrote
    old: str  # the audit event's field recording what was there before (what an undo puts back)
    api: str  # its name in the API's setting detail
    csv: str  # its header in the clusters CSV


# The setting, named once: each field of a scope's setting, and its names in the audit trail,
# the API and the clusters CSV. Copying a project's setting to a new cluster, writing it,
# applying it to the object in hand, auditing it, undoing it, showing it in the admin, the API's
# setting detail and the clusters CSV all read this table, so adding a field to the setting is
# one line here (and its columns in a migration, its form field and its wording).
SETTING_FIELDS: dict[str, SettingField] = {
    "agent_upgrades": SettingField("new_value", "old_value", "spectroComponents", "agent_upgrades"),
    "agent_upgrades_until": SettingField("until", "old_until", "until", "paused_until_utc"),
    "agent_upgrades_reason": SettingField("reason", "old_reason", "reason", "reason"),
    "agent_upgrades_set_via": SettingField("via", "old_via", "setVia", "set_how"),
    "agent_upgrades_set_by": SettingField("actor", "old_set_by", "setBy", "set_by"),
    "agent_upgrades_set_with_key": SettingField(
        "api_key_name", "old_api_key_name", "setWithKey", "set_with_api_key"
    ),
    "agent_upgrades_set_at": SettingField("at", "old_set_at", "setAt", "set_at_utc"),
    "agent_upgrades_window": SettingField(
        "freeze_window", "old_freeze_window", "freezeWindow", "freeze_window"
    ),
}
# Counts the writes, so that a form rendered from an older version can be told apart.
SETTING_VERSION = "agent_upgrades_version"


def paused_now(now: datetime) -> Q:
    """The objects whose pause holds at `now`: value lock, and no end or an end still ahead."""
    return Q(agent_upgrades=AgentUpgrades.LOCK) & (
        Q(agent_upgrades_until__isnull=True) | Q(agent_upgrades_until__gt=now)
    )


def pause_holds(now: datetime) -> ExpressionWrapper:
    """`paused_now` as a column to read: True where the pause holds at `now`."""
    return ExpressionWrapper(paused_now(now), output_field=models.BooleanField())


class AgentUpgradesSetting(models.Model):
    """The setting every scope holds, with where it came from.

    `set_via` is what wrote the value (this object's own scope, a higher one that pushed down,
    or the end of a pause); empty while the value is still the default; `set_with_key` names the
    API key a change came through. `version` counts writes,
    so a form rendered from an older version can be told apart from a fresh one. A pause may
    carry a reason and an end (`until`): once the end has passed, the pause no longer holds.
    """

    agent_upgrades = models.CharField(
        max_length=6, choices=AgentUpgrades.choices, default=AgentUpgrades.UNLOCK
    )
    agent_upgrades_version = models.PositiveIntegerField(default=0)
    agent_upgrades_set_via = models.CharField(max_length=7, choices=Via.choices, blank=True)
    # No index: every push writes it (a user's deletion reads the table once instead).
    agent_upgrades_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    agent_upgrades_set_at = models.DateTimeField(null=True, blank=True)
    agent_upgrades_reason = models.CharField(max_length=200, blank=True)
    agent_upgrades_until = models.DateTimeField(null=True, blank=True)
    # The name of the API key the change came through; empty for a click in the console.
    agent_upgrades_set_with_key = models.CharField(max_length=100, blank=True)
    # The freeze window that paused it, while the window holds it; a person's change (or the
    # API's) writes no window, and so takes the object out of every window's hold. No index:
    # every push writes it, and the windows find what they hold through their start's events.
    agent_upgrades_window = models.ForeignKey(
        "settings_app.FreezeWindow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        abstract = True

    @property
    def is_paused(self) -> bool:
        """Whether the pause holds now: a pause whose end has passed no longer does."""
        return self.agent_upgrades == AgentUpgrades.LOCK and not self.pause_expired

    @property
    def pause_expired(self) -> bool:
        until = self.agent_upgrades_until
        return (
            self.agent_upgrades == AgentUpgrades.LOCK
            and until is not None
            and until <= timezone.now()
        )

    @property
    def effective_agent_upgrades(self) -> AgentUpgrades:
        return AgentUpgrades.LOCK if self.is_paused else AgentUpgrades.UNLOCK

    @property
    def agent_upgrades_label(self) -> str:
        return self.effective_agent_upgrades.label

    def copy_setting_from(self, other: AgentUpgradesSetting) -> None:
        """Take `other`'s setting as it stands, with where it came from (not its version)."""
        for name in SETTING_FIELDS:
            attname = self._meta.get_field(name).attname  # the set_by id: no user is loaded
            setattr(self, attname, getattr(other, attname))
