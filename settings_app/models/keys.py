"""API keys: a user's keys to the API (/v1/), each for one tenant, kept only as a digest; who
revoked a key, which decides who may activate it again; and the audit event of every change."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .history import AuditEvent
from .setting import Scope
from .tenancy import Tenant

# 40 random bytes, URL-safe base64: 54 characters, 320 bits. The first PREFIX_LENGTH characters
# (48 bits) are shown to tell keys apart; the other 272 bits stay secret.
KEY_BYTES = 40
PREFIX_LENGTH = 8
KEY_LENGTH = math.ceil(KEY_BYTES * 4 / 3)  # base64 without its padding: 54
KEY_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")  # what secrets.token_urlsafe writes


def well_formed(presented: str | None) -> bool:
    """Whether `presented` could be one of our keys at all: 54 characters of URL-safe base64.
    Anything else is refused without a look in the database or the cache."""
    return (
        presented is not None
        and len(presented) == KEY_LENGTH
        and KEY_CHARACTERS.fullmatch(presented) is not None
    )


def digest_of(key: str) -> str:
    """SHA-256 of the key, in hex. A key is 320 random bits, not a password: a fast hash is
    right (guessing is hopeless however fast each guess), and a slow password hasher would cost
    every API request a quarter of a second."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, now: datetime | None = None) -> ApiKeyQuerySet:
        """Keys that work now: active, not expired, of an active user."""
        return self.filter(active=True, expires_at__gt=now or timezone.now(), user__is_active=True)


class ApiKey(models.Model):
    """A key to the API for one user in one tenant. It acts with the user's roles in that
    tenant as they are at each request, and never beyond the tenant. The key itself is shown
    once, when it is made; only its digest and its first characters are kept."""

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Revoked"
        EXPIRED = "expired", "Expired"

    class Revoker(models.TextChoices):
        """Who revoked a key, which decides whether it may be activated again (README, API
        keys): a key its owner revoked stays revoked; one a Tenant Admin revoked may be
        activated again by a Tenant Admin, never by its owner."""

        OWNER = "owner", "its owner"
        ADMIN = "admin", "a Tenant Admin"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    revoked_by = models.CharField(max_length=5, choices=Revoker.choices, blank=True, default="")

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        indexes = [models.Index(fields=["tenant", "-created_at"], name="apikey_tenant_newest")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls, user, tenant: Tenant, name: str, expires_at: datetime, *, actor=None
    ) -> tuple[ApiKey, str]:
        """Make a key, audited as made by `actor` (None: the command line): the saved row and
        the key itself, which is never stored and is shown only this once."""
        key = secrets.token_urlsafe(KEY_BYTES)
        with transaction.atomic():
            row = cls.objects.create(
                user=user,
                tenant=tenant,
                name=name,
                prefix=key[:PREFIX_LENGTH],
                digest=digest_of(key),
                expires_at=expires_at,
            )
            record_key_change(row, "created", actor)
        return row, key

    @classmethod
    def find(cls, presented: str | None) -> ApiKey | None:
        """The usable key that `presented` is, with its user and tenant, in one query; None for
        an unknown, revoked or expired key, or one whose user is inactive. The row is found by
        the prefix, which is not secret, and the digests are compared in constant time."""
        if not well_formed(presented):  # not one of ours: not even looked up
            return None
        digest = digest_of(presented)
        candidates = cls.objects.usable().select_related("user", "tenant")
        found = None
        for row in candidates.filter(prefix=presented[:PREFIX_LENGTH]):
            if hmac.compare_digest(row.digest, digest):
                found = row
        return found

    @property
    def state(self) -> State:
        if not self.active:
            return self.State.INACTIVE
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.ACTIVE

    def note_use(self, now: datetime | None = None) -> None:
        """Remember when the key was last used, to the minute: a request within a minute of
        the last one writes nothing."""
        now = now or timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= 60:
            type(self).objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now

    @property
    def may_be_activated(self) -> bool:
        """Only a key that a Tenant Admin revoked comes back (and only by a Tenant Admin's hand,
        `permissions.key_acts`); a key its owner revoked, say after a leak, is replaced."""
        return not self.active and self.revoked_by == self.Revoker.ADMIN


KEY_CHANGES = ("created", "revoked", "activated", "deleted")


def record_key_change(key: ApiKey, what: str, actor, *, at: datetime | None = None) -> AuditEvent:
    """The one writer of a key's audit event (action KEY): a tenant-scope event of the key's
    tenant, its sentence in `detail`, no setting value. `actor` None is the command line."""
    from ..rules import notices
    from ..rules.change import audit_act  # the one writer of the trail (rules import models)

    assert what in KEY_CHANGES, what
    owner = key.user.get_username()
    notices.key_changed(key, what, actor)
    return audit_act(
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor else "command line",
        action=AuditEvent.Action.KEY,
        scope=Scope.TENANT,
        via=Scope.TENANT,  # made at the tenant itself, by a person: "set directly"
        tenant_id=key.tenant_id,
        object_name=key.tenant.name,
        old_value="",
        new_value="",
        detail=f"API key {key.name} ({key.prefix}…) of {owner} {what}",
    )


def key_change_of(event: AuditEvent) -> str:
    """What a key's event records ("created", "revoked", …): the last word of its sentence."""
    return event.detail.rsplit(" ", 1)[-1]


def change_key(key: ApiKey, act: str, actor) -> None:
    """Revoke, activate or delete a key, with its audit event, in one transaction. Who may is
    decided before (`permissions.key_acts`); who revoked is kept for the next activation."""
    with transaction.atomic():
        if act == "revoke":
            owner = actor is not None and actor.pk == key.user_id
            key.revoked_by = ApiKey.Revoker.OWNER if owner else ApiKey.Revoker.ADMIN
            key.active = False
            key.save(update_fields=["active", "revoked_by"])
            record_key_change(key, "revoked", actor)
        elif act == "activate":
            key.active, key.revoked_by = True, ""
            key.save(update_fields=["active", "revoked_by"])
            record_key_change(key, "activated", actor)
        else:
            record_key_change(key, "deleted", actor)
            key.delete()
