"""Reading the database in assertions: a scope's setting, the pauses stored, every agent and
its recorded upgrades, the releases, and the fleet rows next to a live count of the clusters."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q

from settings_app import rules
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    ApiKey,
    AuditEvent,
    Cluster,
    EdgeHost,
    FreezeWindow,
    Gateway,
    PlatformRelease,
    Project,
    ProjectFleet,
    Tenant,
    Via,
)

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


def setting(obj) -> tuple[str, int]:
    """A tenant's, project's or cluster's stored value and version."""
    obj.refresh_from_db()
    return obj.agent_upgrades, obj.agent_upgrades_version


def stored(obj) -> tuple[str, str, datetime | None]:
    """Its stored value, and the reason and end of its pause."""
    obj.refresh_from_db()
    return obj.agent_upgrades, obj.agent_upgrades_reason, obj.agent_upgrades_until


def every_setting() -> dict[str, tuple]:
    """Every tenant's, project's and cluster's setting as stored: value, version, what wrote it,
    who, and a pause's reason and end. Equal before and after: nothing was written."""
    return {
        f"{model.__name__} {row[0]}": row[1:]
        for model in (Tenant, Project, Cluster)
        for row in model.objects.values_list(
            "pk",
            "agent_upgrades",
            "agent_upgrades_version",
            "agent_upgrades_set_via",
            "agent_upgrades_set_by",
            "agent_upgrades_reason",
            "agent_upgrades_until",
        )
    }


def everything() -> dict[str, object]:
    """What a refused request must leave as it was: every setting (a gateway's too: value, version, what and
    which API key wrote it), every agent, the releases, the audit trail, the agent upgrades and
    the API keys, the freeze windows."""
    state: dict[str, object] = {
        f"{model.__name__} {pk}": (value, version, key)
        for model in (Tenant, Project, Cluster, Gateway, EdgeHost)
        for pk, value, version, key in model.objects.values_list(
            "pk", "agent_upgrades", "agent_upgrades_version", "agent_upgrades_set_with_key"
        )
    }
    state["agents"] = dict(Cluster.objects.values_list("pk", "agent_version"))
    state["releases"] = sorted(PlatformRelease.objects.values_list("version", flat=True))
    state["audit records"] = sorted(AuditEvent.objects.values_list("uid", flat=True))
    state["agent upgrades"] = AgentUpgrade.objects.count()
    state["keys"] = sorted(ApiKey.objects.values_list("pk", "active", "expires_at"))
    state["freeze windows"] = sorted(
        FreezeWindow.objects.values_list("pk", "name", "start_date", "start_time", "ended_at")
    )
    return state


def clusters_stored(**filters) -> dict[str, tuple[str, str, datetime | None]]:
    """`stored()` of every cluster (that matches `filters`), by name."""
    return {
        name: (value, reason, until)
        for name, value, reason, until in Cluster.objects.filter(**filters).values_list(
            "name", "agent_upgrades", "agent_upgrades_reason", "agent_upgrades_until"
        )
    }


def agents() -> dict[str, str]:
    """Every cluster's agent version, by name."""
    return dict(Cluster.objects.values_list("name", "agent_version"))


def agents_at(version: str, names: set[str]) -> dict[str, str]:
    return {name: version for name in names}


def upgrades() -> set[tuple[str, str, str, str, str]]:
    """Every recorded agent upgrade: cluster, from, to, cause, who."""
    return set(
        AgentUpgrade.objects.values_list(
            "cluster__name", "from_version", "to_version", "cause", "actor_name"
        )
    )


def release_history() -> list[tuple[str, str]]:
    return list(
        PlatformRelease.objects.order_by("released_at", "id").values_list(
            "version", "agent_version"
        )
    )


# The fleet rows (one per project, read by every summary) and what they must say.

COUNTED = (
    "clusters",
    "paused",
    "behind",
    "paused_behind",
    "paused_with_end",
    "set_on_cluster",
    "set_on_project",
    "agent_version",
)


def live_fleet() -> dict[int, dict]:
    """Each project's clusters counted now, from the clusters themselves (one GROUP BY): what its
    fleet row must say. `paused` counts stored pauses; readers subtract those that have ended."""
    agent = rules.current_agent_version()
    lock = Q(agent_upgrades=LOCK)
    behind = ~Q(agent_version=agent) if agent else Q(pk__isnull=True)
    rows = (
        Cluster.objects.values("project_id")
        .annotate(
            clusters=Count("pk"),
            paused=Count("pk", filter=lock),
            behind=Count("pk", filter=behind),
            paused_behind=Count("pk", filter=lock & behind),
            paused_with_end=Count("pk", filter=lock & Q(agent_upgrades_until__isnull=False)),
            set_on_cluster=Count("pk", filter=Q(agent_upgrades_set_via=Via.CLUSTER)),
            set_on_project=Count("pk", filter=Q(agent_upgrades_set_via=Via.PROJECT)),
        )
        .order_by("project_id")
    )
    return {row.pop("project_id"): {**row, "agent_version": agent} for row in rows}


def stored_fleet() -> dict[int, dict]:
    rows = ProjectFleet.objects.values("project_id", *COUNTED)
    return {row.pop("project_id"): row for row in rows}


def fleet_rows() -> list[dict]:
    """The fleet rows as stored, every column."""
    return list(ProjectFleet.objects.order_by("project_id").values())
