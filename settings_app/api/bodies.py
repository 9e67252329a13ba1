"""The API's answers built from the console's objects: a cluster's (alone, and in the streamed
list), a project's, and the setting's detail (from SETTING_FIELDS). The shapes are `schemas`'."""

from __future__ import annotations

from datetime import datetime

from ..models import SETTING_FIELDS, AgentUpgradesSetting, Cluster, FreezeOccurrence, Project, Via
from .schemas import FORBIDDEN

# Building the answers, in one place for the single object and the streamed list.


def cluster_metadata(
    *,
    uid: str,
    name: str,
    paused: bool,
    project_uid: str,
    tenant_uid: str,
    created: datetime | str,
    modified: datetime | str,
) -> dict:
    """A cluster's metadata. `modified` is its last change, or its creation if later; a long
    list passes both times as the JSON text they encode to (`sql.UtcText`, to milliseconds)."""
    return {
        "uid": uid,
        "name": name,
        "annotations": {
            FORBIDDEN: "true" if paused else "false",
            "scope": "project",
            "projectUid": project_uid,
            "tenantUid": tenant_uid,
        },
        "labels": {},
        "creationTimestamp": created,
        "lastModifiedTimestamp": modified,
    }


def spectro_cluster(cluster: Cluster, windows: list[FreezeOccurrence]) -> dict:
    """The cluster, with the freeze windows running over it (`rules.running_over`)."""
    return {
        "apiVersion": "v1",
        "kind": "SpectroCluster",
        "metadata": cluster_metadata(
            uid=cluster.uid,
            name=cluster.name,
            paused=cluster.is_paused,
            project_uid=cluster.project.uid,
            tenant_uid=cluster.project.tenant.uid,
            created=cluster.created_at,
            modified=max(cluster.created_at, cluster.agent_upgrades_set_at or cluster.created_at),
        ),
        "spec": {},
        "status": {"state": "Running"},
        "freezeWindows": [
            {
                "uid": run.window.uid,
                "name": run.window.name,
                "scope": run.window.scope,
                "endsAt": run.ends_at,
                "holdsValue": run.window_id == cluster.agent_upgrades_window_id,
            }
            for run in windows
        ],
    }


def project_answer(project: Project) -> dict:
    return {
        "metadata": {
            "uid": project.uid,
            "name": project.name,
            "annotations": {"scope": "tenant", "tenantUid": project.tenant.uid},
            "labels": {},
            "lastModifiedTimestamp": project.agent_upgrades_set_at,
        },
        "spec": {},
        "status": {"isDisabled": False},
    }


def setting_detail(obj: AgentUpgradesSetting) -> dict:
    """One object's value and where it came from, a key per field of the setting
    (SETTING_FIELDS' API names). A pause whose end has passed reads as what the sweep will
    write: resumed, via expiry, when it ended; a reason and an end hold only while paused."""
    values = {field: getattr(obj, field) for field in SETTING_FIELDS}
    if obj.pause_expired:
        values = dict.fromkeys(values) | {
            "agent_upgrades_set_via": Via.EXPIRY,
            "agent_upgrades_set_at": obj.agent_upgrades_until,
        }
    elif not obj.is_paused:
        values |= {"agent_upgrades_reason": None, "agent_upgrades_until": None}
    values["agent_upgrades"] = obj.effective_agent_upgrades
    if values["agent_upgrades_set_by"] is not None:
        values["agent_upgrades_set_by"] = values["agent_upgrades_set_by"].get_username()
    if values["agent_upgrades_window"] is not None:
        values["agent_upgrades_window"] = values["agent_upgrades_window"].name
    return {names.api: values[field] or None for field, names in SETTING_FIELDS.items()}
