"""What happened: the audit trail of setting changes (releases and agent upgrades: `releases`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .setting import AgentUpgrades, Scope, Via
from .tenancy import Cluster, Project, Tenant, uid_field
from .trail_reads import AuditEventQuerySet


class AuditEvent(models.Model):
    """One change of one object: its setting, or (for a cluster) the project it belongs to. A
    push writes one event for its own scope and one for every project and cluster it wrote
    (its parts, `part_of` it), all in the change's transaction.

    The trail's write does not grow with what is already there: a part is filed by its change
    alone. The indexes that would scatter a push's 100,000 parts across the trail (by cluster,
    by object name) hold only the changes and the events that stand alone; the others take a
    push's parts as one run at their newest end (by tenant, act, actor, how, time), and the
    parts' own key is (change, object). A cluster's part in a change is found from the changes
    that have parts (`has_parts`, `audit_changes_with_parts`) by that key: see `trail_reads`.
    """

    class Action(models.TextChoices):
        SETTING = "setting", "setting changed"
        UNDO = "undo", "change undone"
        BULK = "bulk", "clusters changed together"
        MOVE = "move", "moved to another project"
        # A platform release, as it reached one project: its agents upgraded and held back.
        RELEASE = "release", "platform released"
        # An API key created, revoked, activated or deleted (models.keys.record_key_change).
        KEY = "apikey", "API key changed"
        # A freeze window: created, edited, ended early or deleted, and each start and end.
        WINDOW = "window", "freeze window"
        NOTICE = "notice", "notice destination changed"  # created, edited, deleted, rotated

    # The set-based writes give each row its uid in SQL (`sql.NewUid`): nothing may insert an
    # event without one.
    uid = uid_field()
    at = models.DateTimeField(default=timezone.now)
    # The people are not indexed (nor old_set_by): every part of a push would enter both, and
    # only a user's deletion looks for them, reading the trail once.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=150)
    # The API key the change came through, by name (it outlives the key); empty for a click.
    api_key_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    # Defaults in the database too: the set-based writes insert rows with INSERT … SELECT.
    action = models.CharField(
        max_length=7, choices=Action.choices, default=Action.SETTING, db_default=Action.SETTING
    )
    scope = models.CharField(max_length=7, choices=Scope.choices)
    via = models.CharField(max_length=7, choices=Via.choices)
    # The tenant, project, cluster and part_of links are served by the indexes below that
    # start with them (no index of their own: a bulk act or a push writes an event per cluster,
    # and every index is one more write for each). No link of the trail is checked by the
    # database (`db_constraint=False`): its one writer (rules/change) takes each from the row it
    # records, in the same statement, and a deletion's CASCADE and SET_NULL are Django's, as
    # before; the check cost a push of 100,000 clusters 3 s at its COMMIT on PostgreSQL.
    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.CASCADE,
        related_name="audit_events",
        db_index=False,
        db_constraint=False,
    )
    project = models.ForeignKey(
        Project,
        null=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        db_index=False,
        db_constraint=False,
    )
    cluster = models.ForeignKey(
        Cluster,
        null=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
        db_index=False,
        db_constraint=False,
    )
    # A gateway's or an Edge host's events (scope gateway or host) name it here; the project
    # of a host's, and neither project nor cluster of a gateway's.
    gateway = models.ForeignKey(
        "Gateway",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    edge_host = models.ForeignKey(
        "EdgeHost",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    object_name = models.CharField(max_length=100)
    old_value = models.CharField(max_length=6, choices=AgentUpgrades.choices)
    new_value = models.CharField(max_length=6, choices=AgentUpgrades.choices)
    reason = models.CharField(max_length=200, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True, default="", db_default="")  # a move
    # What was there before (old_value above, and where it came from): what an undo puts back.
    old_via = models.CharField(
        max_length=7, choices=Via.choices, blank=True, default="", db_default=""
    )
    old_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    old_set_at = models.DateTimeField(null=True, blank=True)
    old_reason = models.CharField(max_length=200, blank=True, default="", db_default="")
    old_until = models.DateTimeField(null=True, blank=True)
    old_api_key_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    # The freeze window the change was made by (its start, or the value it put back), and the
    # one that had written the value before.
    freeze_window = models.ForeignKey(
        "FreezeWindow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    old_freeze_window = models.ForeignKey(
        "FreezeWindow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The object's setting version this change wrote: while it still holds, it can be undone.
    version = models.PositiveIntegerField(null=True, blank=True)
    # The change this event is part of (a push's event for each object it wrote); None for the
    # change's own event.
    part_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
        db_index=False,
        db_constraint=False,
    )
    # Whether the change wrote parts (a push, a bulk act, a window's start or end, an undo of a
    # push): a cluster's History looks for its part only in those.
    has_parts = models.BooleanField(default=False, db_default=False)
    # Served by audit_undone and audit_release, which hold only the events that name one.
    undone_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # A release's event (action RELEASE): the release, and what it did to the project's agents.
    release = models.ForeignKey(
        "PlatformRelease",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The agents the change upgraded: a release's in the project; 1 on a cluster's own event
    # when the change caught its agent up (rule 6), else 0.
    agents_upgraded = models.PositiveIntegerField(default=0, db_default=0)
    agents_held_back = models.PositiveIntegerField(default=0, db_default=0)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-at", "-id"], name="audit_tenant_newest"),
            models.Index(fields=["project", "-at", "-id"], name="audit_project_newest"),
            # A cluster's own events (its parts are found by their change: `trail_reads`).
            models.Index(
                fields=["cluster", "-at", "-id"],
                name="audit_cluster_own",
                condition=Q(part_of__isnull=True),
            ),
            # The parts' key: an undo, a window's end, a cluster's History find each object's
            # part of a change.
            models.Index(
                fields=["part_of", "cluster"],
                name="audit_part_key",
                condition=Q(part_of__isnull=False),
            ),
            models.Index(
                fields=["part_of", "project"],
                name="audit_part_project_key",
                condition=Q(part_of__isnull=False, cluster__isnull=True),
            ),
            # A gateway's and a host's own events and parts; a cluster's parts never enter them.
            models.Index(
                fields=["gateway", "part_of"],
                name="audit_gateway_key",
                condition=Q(gateway__isnull=False),
            ),
            models.Index(
                fields=["edge_host", "part_of"],
                name="audit_edgehost_key",
                condition=Q(edge_host__isnull=False),
            ),
            models.Index(
                fields=["tenant", "id"],
                name="audit_changes_with_parts",
                condition=Q(has_parts=True),
            ),
            # A link that few events have is kept only where it is set: a push's parts never
            # enter these (a deletion of the undo or the release finds its events by them).
            models.Index(
                fields=["undone_by"], name="audit_undone", condition=Q(undone_by__isnull=False)
            ),
            models.Index(
                fields=["release"], name="audit_release", condition=Q(release__isnull=False)
            ),
            # The Audit Logs filters (views.audit_query), each within a tenant, newest first.
            # Paused and resumed are each about half the trail: they walk audit_tenant_newest.
            # (Releases, keys' changes and pause ends have no parts: their filters read only the
            # changes and standalone events, so these two leave a push's parts out.)
            models.Index(
                fields=["tenant", "action", "-at", "-id"],
                name="audit_action_own",
                condition=Q(part_of__isnull=True),
            ),
            models.Index(fields=["tenant", "actor_name", "-at", "-id"], name="audit_actor_newest"),
            models.Index(
                fields=["tenant", "object_name", "-at", "-id"],
                name="audit_object_own",
                condition=Q(part_of__isnull=True),
            ),
            models.Index(
                fields=["tenant", "via", "-at", "-id"],
                name="audit_via_own",
                condition=Q(part_of__isnull=True),
            ),
            models.Index(
                fields=["tenant", "-at", "-id"],
                name="audit_upgraded_newest",
                condition=models.Q(agents_upgraded__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.scope} {self.object_name} {self.old_value} → {self.new_value}"

    @property
    def old_label(self) -> str:
        return AgentUpgrades(self.old_value).label if self.old_value else ""

    @property
    def new_label(self) -> str:
        return AgentUpgrades(self.new_value).label if self.new_value else ""

    @property
    def is_release(self) -> bool:
        return self.action == self.Action.RELEASE
