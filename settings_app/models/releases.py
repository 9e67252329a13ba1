"""The platform's releases, and the agents they (or a resume) upgraded."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .fleet import recount
from .tenancy import Cluster


def version_key(version: str) -> tuple[int, ...]:
    """'4.10.2' → (4, 10, 2), so that versions compare as numbers."""
    return tuple(int(part) for part in version.split("."))


class PlatformReleaseQuerySet(models.QuerySet):
    """The current release decides which agents are behind: writes recount every project."""

    def update(self, **values) -> int:
        with transaction.atomic(using=self.db, savepoint=False):
            updated = super().update(**values)
            recount(using=self.db)
        return updated

    def delete(self):
        with transaction.atomic(using=self.db, savepoint=False):
            deleted = super().delete()
            recount(using=self.db)
        return deleted

    def bulk_create(self, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(*args, **kwargs)
            recount(using=self.db)
        return created


class PlatformRelease(models.Model):
    """A platform version and the agent version it ships; the newest one is current."""

    version = models.CharField(max_length=32, unique=True)
    agent_version = models.CharField(max_length=32)
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the rollout did, for the release history.
    agents_upgraded = models.PositiveIntegerField(default=0)
    agents_held_back = models.PositiveIntegerField(default=0)

    objects = PlatformReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-released_at", "-id"]
        get_latest_by = ["released_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} (agent {self.agent_version})"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            recount()

    def delete(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            deleted = super().delete(*args, **kwargs)
            recount()
        return deleted

    @classmethod
    def current(cls) -> PlatformRelease | None:
        return cls.objects.order_by("-released_at", "-id").first()


class AgentUpgrade(models.Model):
    """One cluster's agent moving to a newer version: by a platform release, or by a resume
    (a person's, or a pause's end) catching it up."""

    class Cause(models.TextChoices):
        RELEASE = "release", "platform release"
        RESUME = "resume", "resume"
        EXPIRY = "expiry", "pause ended"

    # Served by upgrade_cluster_newest, which starts with it (one index less to write for
    # each agent a release upgrades). As the audit trail's, its links are not checked by the
    # database: its one writer takes them from the rows it records (rules/change/trail).
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.CASCADE,
        related_name="agent_upgrades_history",
        db_index=False,
        db_constraint=False,
    )
    from_version = models.CharField(max_length=32)
    to_version = models.CharField(max_length=32)
    at = models.DateTimeField(default=timezone.now)
    cause = models.CharField(max_length=7, choices=Cause.choices)
    release = models.ForeignKey(
        PlatformRelease,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
    )
    # No index: a rollout writes one row per agent (a user's deletion reads the table once).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cluster", "-at", "-id"], name="upgrade_cluster_newest")]

    def __str__(self) -> str:
        return f"{self.cluster}: {self.from_version} → {self.to_version} ({self.cause})"
