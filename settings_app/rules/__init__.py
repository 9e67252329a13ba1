"""The rules of pausing agent upgrades, as plain functions with no request in sight.

1. Only a cluster's own value decides whether its agent is held back (and a pause whose end has
   passed no longer holds).
2. Setting a project or tenant pushes the value down to everything below it, every time.
3. A lower scope may override until the next push; 4. it never writes upward.
5. A new cluster takes its project's current value.
6. A cluster going from lock to unlock catches its agent up to the platform's agent version.

The same rules hold for a tenant's Private Cloud Gateways (set one by one, or by the tenant's
push) and a project's Edge hosts in no cluster (written by the project's and the tenant's
pushes); an Edge host in a cluster follows its cluster.

A platform release rolls the new agent out to every cluster whose pause does not hold, and holds
back the rest. Each change is one transaction: values, cascade, agent upgrades and audit events
commit together or not at all.

The public surface, by module: `pauses` (set a cluster or gateway, push a project or tenant),
`registration` (a new cluster, gateway or Edge host; a move), `expiry` (pauses that end),
`releases` (releases and rollouts), `fleet` (the counts), `writes` (a change's values and
their checks), `impact` (what a change would do, for the dialog and the API's dry run),
`undo` (a change taken back), `bulk` (many clusters at once).
"""

from .bulk import BulkChange, BulkImpact, Selection, bulk_impact, set_clusters
from .expiry import Expiry, resume_expired_pauses
from .fleet import AgentCounts, FleetCounts, ProjectCounts, fleet_counts
from .impact import Impact, change_impact, cluster_impact, push_impact, scope_counts
from .pauses import (
    Change,
    StaleSetting,
    change_agent_upgrades,
    is_held_back,
    push_project,
    push_tenant,
    set_cluster,
    set_gateway,
)
from .registration import (
    InvalidMove,
    move_cluster,
    new_cluster,
    new_edge_host,
    new_gateway,
    take_project_setting,
)
from .releases import (
    InvalidRelease,
    OtherAgents,
    ProjectRollout,
    ReleaseImpact,
    Rollout,
    check_versions,
    current_agent_version,
    release_impact,
    release_platform,
)
from .undo import ChangedSince, NothingToUndo, undo_change, undoable_change
from .writes import InvalidPause, Pause, pause_for

__all__ = [
    "AgentCounts",
    "BulkChange",
    "BulkImpact",
    "Change",
    "ChangedSince",
    "Expiry",
    "FleetCounts",
    "Impact",
    "InvalidMove",
    "InvalidPause",
    "InvalidRelease",
    "NothingToUndo",
    "OtherAgents",
    "Pause",
    "ProjectCounts",
    "ProjectRollout",
    "ReleaseImpact",
    "Rollout",
    "Selection",
    "StaleSetting",
    "bulk_impact",
    "change_agent_upgrades",
    "change_impact",
    "check_versions",
    "cluster_impact",
    "current_agent_version",
    "fleet_counts",
    "is_held_back",
    "move_cluster",
    "new_cluster",
    "new_edge_host",
    "new_gateway",
    "pause_for",
    "push_impact",
    "push_project",
    "push_tenant",
    "release_impact",
    "release_platform",
    "resume_expired_pauses",
    "scope_counts",
    "set_cluster",
    "set_clusters",
    "set_gateway",
    "take_project_setting",
    "undo_change",
    "undoable_change",
]
