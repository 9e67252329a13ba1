"""Role grants: django-guardian's direct foreign-key object permission tables, one pair per
kind of object, so a user's grants are joined without content types."""

from __future__ import annotations

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .tenancy import Cluster, Project, Tenant


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
