"""Notices: where a tenant's notices go (webhooks and email lists), the outbox they are written
to with their cause, and each delivery of a notice to a destination, attempt by attempt."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .tenancy import Tenant, uid_field


class Event(models.TextChoices):
    """The events a destination may choose; each notice is one of them."""

    WINDOW_SOON = "window.soon", "A freeze window starts in 24 hours"
    WINDOW_STARTED = "window.started", "A freeze window started"
    WINDOW_ENDED = "window.ended", "A freeze window ended"
    PAUSE_SOON = "pause.soon", "A pause ends in 24 hours"
    PAUSE_ENDED = "pause.ended", "A pause has ended"
    RELEASE_HELD_BACK = "release.held_back", "A release held clusters back"
    TENANT_PUSH = "tenant.push", "A tenant-wide push was made"
    KEY_CREATED = "key.created", "An API key was created"
    KEY_REVOKED = "key.revoked", "An API key was revoked"
    KEY_EXPIRING = "key.expiring", "An API key expires in 7 days"
    TEST = "test", "Test notice"


CHOOSABLE = [event for event in Event if event != Event.TEST]


def new_secret() -> str:
    """A destination's signing secret: 32 random bytes, URL-safe base64, with a prefix that
    says what it is when it turns up in a receiver's configuration."""
    return "whsec_" + secrets.token_urlsafe(32)


class Destination(models.Model):
    """Where a tenant's notices go: a webhook (an URL, each request signed with `secret`) or an
    email list (`addresses`), each wanting some events."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        EMAIL = "email", "Email"

    uid = uid_field()
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="destinations")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500, blank=True)  # webhook
    addresses = models.TextField(blank=True)  # email: one address a line
    events = models.CharField(max_length=300)  # "window.started,pause.ended"
    secret = models.CharField(max_length=64, default=new_secret)  # webhook: shown once
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display().lower()} {self.name}"

    @property
    def event_list(self) -> list[str]:
        return [event for event in self.events.split(",") if event]

    @property
    def address_list(self) -> list[str]:
        return [line.strip() for line in self.addresses.splitlines() if line.strip()]

    def wants(self, event: str) -> bool:
        return event in self.event_list


class Notice(models.Model):
    """One notice in the outbox, written in the transaction of its cause. `uid` is its stable
    id (receivers drop duplicates by it); `key`, when set, makes a notice found by the
    scheduler (a window starts in 24 hours, …) written once however often it is found."""

    uid = uid_field()
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="notices")
    event = models.CharField(max_length=20, choices=Event.choices)
    payload = models.JSONField(default=dict)
    key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "key"], condition=~Q(key=""), name="notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.uid}"


# Backoff after each failed attempt: 1, 3, 9, 27, 81, 243 minutes, then 6 hours; after the
# eighth the delivery has failed.
MAX_ATTEMPTS = 8
LONGEST_WAIT = timedelta(hours=6)


def retry_after(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    return min(timedelta(minutes=3 ** (attempts - 1)), LONGEST_WAIT)


class Delivery(models.Model):
    """A notice on its way to one destination: pending until sent, retried with backoff, failed
    after MAX_ATTEMPTS. The last attempt's time and answer (status code or error) are kept."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(max_length=7, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-next_attempt_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["notice", "destination"], name="delivery_once")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.notice} to {self.destination}"

    @property
    def outcome(self) -> str:
        """The last attempt's answer, as the Deliveries list shows it."""
        if self.last_status is not None:
            return f"HTTP {self.last_status}"
        if self.last_error:
            return self.last_error
        return "Sent" if self.state == self.State.SENT else "Not tried yet"
