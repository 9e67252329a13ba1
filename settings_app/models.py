"""Tenants, projects and clusters with their agent-upgrade setting, the audit trail and releases."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class AgentUpgrades(models.TextChoices):
    """The setting's two values, named as in Palette's API."""

    LOCK = "lock", "Paused"
    UNLOCK = "unlock", "Active"


class Scope(models.TextChoices):
    TENANT = "tenant", "tenant"
    PROJECT = "project", "project"
    CLUSTER = "cluster", "cluster"


class Via(models.TextChoices):
    """What wrote a value: a scope's change, or the end of a pause."""

    TENANT = "tenant", "pushed by tenant"
    PROJECT = "project", "pushed by project"
    CLUSTER = "cluster", "set directly"
    EXPIRY = "expiry", "pause ended"


def paused_now(now: datetime) -> Q:
    """The objects whose pause holds at `now`: value lock, and no end or an end still ahead."""
    return Q(agent_upgrades=AgentUpgrades.LOCK) & (
        Q(agent_upgrades_until__isnull=True) | Q(agent_upgrades_until__gt=now)
    )


class AgentUpgradesSetting(models.Model):
    """The setting every scope holds, with where it came from.

    `set_via` is what wrote the value (this object's own scope, a higher one that pushed down,
    or the end of a pause); empty while the value is still the default. `version` counts writes,
    so a form rendered from an older version can be told apart from a fresh one. A pause may
    carry a reason and an end (`until`): once the end has passed, the pause no longer holds.
    """

    agent_upgrades = models.CharField(
        max_length=6, choices=AgentUpgrades.choices, default=AgentUpgrades.UNLOCK
    )
    agent_upgrades_version = models.PositiveIntegerField(default=0)
    agent_upgrades_set_via = models.CharField(max_length=7, choices=Via.choices, blank=True)
    agent_upgrades_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agent_upgrades_set_at = models.DateTimeField(null=True, blank=True)
    agent_upgrades_reason = models.CharField(max_length=200, blank=True)
    agent_upgrades_until = models.DateTimeField(null=True, blank=True)

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


class Tenant(AgentUpgradesSetting):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        default_permissions = ()
        permissions = [("administer_tenant", "Tenant Admin")]

    def __str__(self) -> str:
        return self.name


class Project(AgentUpgradesSetting):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        default_permissions = ()
        permissions = [
            ("administer_project", "Project Admin"),
            ("view_project", "Project Viewer"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="project_name_unique_in_tenant")
        ]

    def __str__(self) -> str:
        return self.name


class Cluster(AgentUpgradesSetting):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="clusters")
    # The project's tenant, kept on the cluster so that a tenant's page of clusters is one
    # range of the (tenant, name, id) index rather than a join and a sort of all its clusters.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(max_length=100)
    agent_version = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        default_permissions = ()
        permissions = [("administer_cluster", "Cluster Admin")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="cluster_name_unique_in_project"
            )
        ]
        indexes = [
            models.Index(fields=["project", "name"], name="cluster_project_name"),
            models.Index(fields=["tenant", "name", "id"], name="cluster_tenant_name"),
            # Pauses with an end: the expiry sweep and the "ended but not yet resumed" count. Only
            # a pause has an end (a resume clears it), and a condition on the value alone would
            # not match Django's parameterised queries, so the index condition is the end's.
            models.Index(
                fields=["agent_upgrades_until"],
                name="cluster_pause_ends",
                condition=Q(agent_upgrades_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.tenant_id = self.project.tenant_id  # the cluster's tenant is its project's
        super().save(*args, **kwargs)

    def is_behind(self, agent_version: str) -> bool:
        """Agents only move forward to the platform's agent version: behind is 'not current'."""
        return bool(agent_version) and self.agent_version != agent_version


class ProjectFleet(models.Model):
    """A project's clusters counted, so that summaries cost one row per project, not one per
    cluster. Every change rewrites the rows of the projects it touched from the clusters
    themselves, in its own transaction (rules.refresh_fleet); `paused` counts stored pauses,
    and readers subtract those whose end has passed."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="fleet"
    )
    clusters = models.PositiveIntegerField(default=0)
    paused = models.PositiveIntegerField(default=0)
    behind = models.PositiveIntegerField(default=0)  # behind the agent version below
    paused_behind = models.PositiveIntegerField(default=0)
    paused_with_end = models.PositiveIntegerField(default=0)  # pauses that may end by themselves
    set_on_cluster = models.PositiveIntegerField(default=0)
    set_on_project = models.PositiveIntegerField(default=0)
    agent_version = models.CharField(max_length=32, blank=True)  # the platform's, when counted

    def __str__(self) -> str:
        return f"{self.project}: {self.clusters} clusters"


# Direct foreign-key permission models: one row per role grant, joined without content types.
class TenantUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Tenant, on_delete=models.CASCADE)


class TenantGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Tenant, on_delete=models.CASCADE)


class ProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ClusterUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Cluster, on_delete=models.CASCADE)


class ClusterGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Cluster, on_delete=models.CASCADE)


class AuditEvent(models.Model):
    """One change of one object's setting. A push writes one event for its own scope and one
    for every project and cluster whose value it changed, all in the change's transaction."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    scope = models.CharField(max_length=7, choices=Scope.choices)
    via = models.CharField(max_length=7, choices=Via.choices)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="audit_events")
    project = models.ForeignKey(
        Project, null=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    cluster = models.ForeignKey(
        Cluster, null=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    object_name = models.CharField(max_length=100)
    old_value = models.CharField(max_length=6, choices=AgentUpgrades.choices)
    new_value = models.CharField(max_length=6, choices=AgentUpgrades.choices)
    reason = models.CharField(max_length=200, blank=True)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-at", "-id"], name="audit_tenant_newest"),
            models.Index(fields=["project", "-at", "-id"], name="audit_project_newest"),
            models.Index(fields=["cluster", "-at", "-id"], name="audit_cluster_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.scope} {self.object_name} {self.old_value} → {self.new_value}"

    @property
    def old_label(self) -> str:
        return AgentUpgrades(self.old_value).label

    @property
    def new_label(self) -> str:
        return AgentUpgrades(self.new_value).label


def version_key(version: str) -> tuple[int, ...]:
    """'4.10.2' → (4, 10, 2), so that versions compare as numbers."""
    return tuple(int(part) for part in version.split("."))


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

    class Meta:
        ordering = ["-released_at", "-id"]
        get_latest_by = ["released_at", "id"]

    def __str__(self) -> str:
        return f"{self.version} (agent {self.agent_version})"

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

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="agent_upgrades_history"
    )
    from_version = models.CharField(max_length=32)
    to_version = models.CharField(max_length=32)
    at = models.DateTimeField(default=timezone.now)
    cause = models.CharField(max_length=7, choices=Cause.choices)
    release = models.ForeignKey(PlatformRelease, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["cluster", "-at", "-id"], name="upgrade_cluster_newest")]

    def __str__(self) -> str:
        return f"{self.cluster}: {self.from_version} → {self.to_version} ({self.cause})"
