"""The console's models, one module a concern; import them from here."""

from .fleet import FLEET_COUNTS, ClusterQuerySet, ProjectFleet, recounting_every_project
from .gateways import EdgeHost, Gateway
from .history import AuditEvent
from .keys import ApiKey
from .notices import Delivery, Destination, Event, Notice
from .releases import AgentUpgrade, PlatformRelease, version_key
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
    pause_holds,
    paused_now,
)
from .tenancy import UID, Cluster, Project, Tenant, new_uid
from .windows import FreezeOccurrence, FreezeWindow, LocalTimeProblem, to_utc

__all__ = [
    "FLEET_COUNTS",
    "SETTING_FIELDS",
    "SETTING_VERSION",
    "UID",
    "AgentUpgrade",
    "AgentUpgrades",
    "AgentUpgradesSetting",
    "ApiKey",
    "AuditEvent",
    "Cluster",
    "ClusterGroupObjectPermission",
    "ClusterQuerySet",
    "ClusterUserObjectPermission",
    "Delivery",
    "Destination",
    "EdgeHost",
    "Event",
    "FreezeOccurrence",
    "FreezeWindow",
    "Gateway",
    "LocalTimeProblem",
    "Notice",
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
    "new_uid",
    "pause_holds",
    "paused_now",
    "recounting_every_project",
    "to_utc",
    "version_key",
]
