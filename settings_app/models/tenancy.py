"""Tenants, their projects and the projects' clusters, each holding the agent-upgrade setting."""

from __future__ import annotations

import re
import secrets
import time

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from .fleet import ClusterQuerySet, recount
from .setting import AgentUpgradesSetting

UID = re.compile(r"^[0-9a-f]{24}$")


def new_uid() -> str:
    """A uid as Palette's look: 24 lowercase hexadecimal characters, opaque to clients, who only
    compare them. The first eight are the time in seconds, the other sixteen random: a uid of an
    earlier second never comes back, two of the same second differ in 64 random bits (and the
    unique index refuses the clash that chance might still make), and new rows land at the end
    of the uid index. `sql.NewUid` makes the same in SQL."""
    return f"{int(time.time()):08x}{secrets.token_hex(8)}"


class NullsFirstIndex(models.Index):
    """An index that keeps the NULLs of its nullable columns first, as the sorts of
    `views.paging.Order` put them going up (and last going down, walking it backwards).
    SQLite's indexes already do, and take no NULLS clause; PostgreSQL's must be told."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        fields = [model._meta.get_field(name) for name, _order in self.fields_orders]
        # Going up NULLs first; a column kept going down ("-name") holds them last, so that
        # walking the index backwards still gives NULLs first.
        suffixes = [
            (f"{order} NULLS LAST" if order == "DESC" else "NULLS FIRST") if field.null else order
            for field, (_name, order) in zip(fields, self.fields_orders, strict=True)
        ]
        return schema_editor._create_index_sql(
            model,
            fields=fields,
            name=self.name,
            using=using,
            db_tablespace=self.db_tablespace,
            col_suffixes=suffixes,
            condition=self._get_condition_sql(model, schema_editor),
            **kwargs,
        )


def uid_field() -> models.CharField:
    """The stable, opaque identifier that the API (/v1/) names an object by."""
    return models.CharField("UID", max_length=24, unique=True, default=new_uid, editable=False)


class Tenant(AgentUpgradesSetting):
    uid = uid_field()
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        default_permissions = ()
        permissions = [("administer_tenant", "Tenant Admin")]

    def __str__(self) -> str:
        return self.name


class Project(AgentUpgradesSetting):
    uid = uid_field()
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

    @property
    def full_name(self) -> str:
        """'Acme / Default': projects of different tenants may share a name."""
        return f"{self.tenant.name} / {self.name}"


class Cluster(AgentUpgradesSetting):
    uid = uid_field()
    # Both links are served by the indexes below that start with them (no index of their own:
    # every index is one more write for each cluster a push or a bulk act changes).
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="clusters", db_index=False
    )
    # The project's tenant, kept on the cluster so that a tenant's page of clusters is one
    # range of the (tenant, name, id) index rather than a join and a sort of all its clusters.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="clusters", db_index=False
    )
    name = models.CharField(max_length=100)
    agent_version = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        default_permissions = ()
        permissions = [("administer_cluster", "Cluster Admin")]
        constraints = [
            # Also the index of a project's clusters in name order.
            models.UniqueConstraint(
                fields=["project", "name"], name="cluster_name_unique_in_project"
            )
        ]
        # The Clusters list's sorts within a tenant (views.cluster_query.SORTS), each walked in
        # its order from either end; the sort by project walks the projects' name index and
        # each project's clusters in name order.
        indexes = [
            models.Index(fields=["tenant", "name", "id"], name="cluster_tenant_name"),
            models.Index(
                fields=["tenant", "agent_version", "name", "id"], name="cluster_tenant_agent"
            ),
            models.Index(
                fields=["tenant", "agent_upgrades", "name", "id"], name="cluster_tenant_upgrades"
            ),
            NullsFirstIndex(
                fields=["tenant", "agent_upgrades_set_at", "id"], name="cluster_tenant_set"
            ),
            # Pauses with an end: the expiry sweep and the "ended but not yet resumed" count. Only
            # a pause has an end (a resume clears it), and a condition on the value alone would
            # not match Django's parameterised queries, so the index condition is the end's. The
            # value leads, so that SQLite (without statistics) prefers this short range to
            # reading every cluster of the projects counted.
            models.Index(
                fields=["agent_upgrades", "agent_upgrades_until"],
                name="cluster_pause_ends",
                condition=Q(agent_upgrades_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self._check_stays_in_tenant()

    def save(self, *args, **kwargs) -> None:
        """Save, and recount the fleet rows of its project (and of the one it left)."""
        self._check_stays_in_tenant()
        with transaction.atomic(using=kwargs.get("using") or "default", savepoint=False):
            before = None
            if self.pk is not None:
                before = (
                    type(self)
                    ._base_manager.filter(pk=self.pk)
                    .values_list("project_id", flat=True)
                    .first()
                )
            self.tenant_id = self.project.tenant_id  # the cluster's tenant is its project's
            super().save(*args, **kwargs)
            recount({self.project_id, before} - {None}, prune=before not in (None, self.project_id))

    def delete(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            project_id = self.project_id
            deleted = super().delete(*args, **kwargs)
            recount([project_id], prune=True)
        return deleted

    def _check_stays_in_tenant(self) -> None:
        """A cluster never leaves its tenant: its roles, audit trail and keys belong there."""
        if self.pk is None or not self.tenant_id or not self.project_id:
            return
        if self.project.tenant_id != self.tenant_id:
            raise ValidationError(
                {"project": "A cluster can only move to another project of its own tenant."}
            )

    def is_behind(self, agent_version: str) -> bool:
        """Agents only move forward to the platform's agent version: behind is 'not current'."""
        return bool(agent_version) and self.agent_version != agent_version
