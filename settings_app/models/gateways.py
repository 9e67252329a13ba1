"""Private Cloud Gateways and Edge hosts: the other agents that the setting covers, as in
Palette. A gateway belongs to its tenant and holds the setting as a cluster does. An Edge host
belongs to a project; while it is part of a cluster it follows that cluster and has no setting
of its own, and while it is in no cluster ("idle") it holds one, which its project's and its
tenant's pushes write."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .setting import AgentUpgradesSetting
from .tenancy import Cluster, Project, Tenant, uid_field


class Gateway(AgentUpgradesSetting):
    """A Private Cloud Gateway: a tenant's resource, with the same setting as a cluster."""

    uid = uid_field()
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="gateways", db_index=False
    )
    name = models.CharField(max_length=100)
    agent_version = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        default_permissions = ()
        constraints = [
            # Also the index of a tenant's gateways in name order.
            models.UniqueConstraint(fields=["tenant", "name"], name="gateway_name_unique_in_tenant")
        ]

    def __str__(self) -> str:
        return self.name

    def is_behind(self, agent_version: str) -> bool:
        return bool(agent_version) and self.agent_version != agent_version


class EdgeHostQuerySet(models.QuerySet):
    def idle(self) -> EdgeHostQuerySet:
        """The hosts in no cluster: the ones that hold a setting of their own."""
        return self.filter(cluster__isnull=True)


class EdgeHost(AgentUpgradesSetting):
    """An Edge host of a project. While `cluster` is set, the cluster's setting decides for it
    and its own columns are not read; idle, its own value decides (rule 1)."""

    uid = uid_field()
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="edge_hosts", db_index=False
    )
    # The project's tenant, kept on the host as on a cluster: a tenant's hosts are one range.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="edge_hosts", db_index=False
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="edge_hosts"
    )
    name = models.CharField(max_length=100)
    agent_version = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EdgeHostQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="edgehost_name_unique_in_project"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "name", "id"], name="edgehost_tenant_name"),
            # The idle hosts of a project and of a tenant: what a push writes.
            models.Index(
                fields=["tenant", "project"],
                name="edgehost_idle",
                condition=Q(cluster__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_idle(self) -> bool:
        return self.cluster_id is None

    def clean(self) -> None:
        super().clean()
        if self.cluster_id and self.project_id and self.cluster.project_id != self.project_id:
            raise ValidationError(
                {"cluster": "An Edge host can only be part of a cluster of its own project."}
            )

    def save(self, *args, **kwargs) -> None:
        self.tenant_id = self.project.tenant_id  # the host's tenant is its project's
        super().save(*args, **kwargs)

    def is_behind(self, agent_version: str) -> bool:
        version = self.cluster.agent_version if self.cluster_id else self.agent_version
        return bool(agent_version) and version != agent_version
