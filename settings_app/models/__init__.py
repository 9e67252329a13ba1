"""The console's models, one module a concern; import them from here."""

from .fleet import FLEET_COUNTS, ClusterQuerySet, ProjectFleet, recounting_every_project
from .history import AgentUpgrade, AuditEvent, PlatformRelease, version_key
from .roles import (
    ClusterGroupObjectPermission,
    ClusterUserObjectPermission,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    TenantGroupObjectPermission,
    TenantUserObjectPermission,
)
from .setting import (
    SETTING_FIELDS,
    SETTING_VERSION,
    AgentUpgrades,
    AgentUpgradesSetting,
    Scope,
    Via,
    paused_now,
)
from .tenancy import Cluster, Project, Tenant

__all__ = [
    "FLEET_COUNTS",
    "SETTING_FIELDS",
    "SETTING_VERSION",
    "AgentUpgrade",
    "AgentUpgrades",
    "AgentUpgradesSetting",
    "AuditEvent",
    "Cluster",
    "ClusterGroupObjectPermission",
    "ClusterQuerySet",
    "ClusterUserObjectPermission",
    "PlatformRelease",
    "Project",
    "ProjectFleet",
    "ProjectGroupObjectPermission",
    "ProjectUserObjectPermission",
    "Scope",
    "Tenant",
    "TenantGroupObjectPermission",
    "TenantUserObjectPermission",
    "Via",
    "paused_now",
    "recounting_every_project",
    "version_key",
]
