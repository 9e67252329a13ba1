"""Edge hosts: Palette's reads of them (v1EdgeHostDevicesUidGet, and the scope's hosts,
v1EdgeHostsMetadataQuickFilterGet), each with its cluster or none, its agent and the setting
that decides for it. Hosts are seen with their project's roles (a Cluster Admin: those of their
cluster) and never changed on their own: their project's and tenant's pushes write the ones in
no cluster, and a host in a cluster follows that cluster."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ..models import EdgeHost
from ..permissions.agents import edge_hosts_of
from ..permissions.api import (
    api_edge_host,
    api_project_to_enter,
    api_tenant_scope,
)
from .answers import answers
from .bodies import setting_detail
from .overlords import AGENT_VERSION, BEYOND, decider, meta
from .parsing import project_uid_sent
from .schemas import ClusterUpgradeSettingsDetail, ObjectMeta, ProjectUidText, SpectroComponents
from .spectroclusters import PROJECT_UID

router = Router(tags=["edgehosts"])


class ObjectEntity(Schema):
    """Palette's v1EdgeClusterObjectEntity: a cluster's uid and name."""

    uid: str
    name: str


class EdgeHostDeviceStatus(Schema):
    """Palette's v1EdgeHostDeviceStatus: `in-use` while the host is part of a cluster (named in
    inUseClustersRef), `ready` while it is in none."""

    state: Literal["ready", "in-use"]
    inUseClustersRef: list[ObjectEntity]


class EdgeHostDevice(Schema):
    """Palette's v1EdgeHostDevice."""

    metadata: ObjectMeta
    spec: dict
    status: EdgeHostDeviceStatus
    agentVersion: str = Field(
        description=BEYOND + "the version of its agent (its cluster's while it is in one)."
    )
    followsCluster: bool = Field(
        description=BEYOND + "true while the host is part of a cluster: upgradeSettings is "
        "then the cluster's, which decides for it (change it on the cluster). False: the host's "
        "own value, written by its project's and its tenant's pushes."
    )
    upgradeSettings: ClusterUpgradeSettingsDetail = Field(
        description=BEYOND + "the agent upgrade setting that decides for the host."
    )


class EdgeHostMeta(Schema):
    """Palette's v1EdgeHostMeta, with beyond Palette its cluster, agent and value."""

    uid: str
    name: str
    state: Literal["ready", "in-use"]
    inUseClustersRef: list[ObjectEntity] = Field(
        description=BEYOND + "the cluster it is part of; empty while it is in none."
    )
    agentVersion: str = AGENT_VERSION
    spectroComponents: SpectroComponents = Field(
        description=BEYOND + "the value that decides for it (its cluster's while it is in one)."
    )


class EdgeHostsMeta(Schema):
    """Palette's v1EdgeHostsMeta."""

    edgeHosts: list[EdgeHostMeta]


def in_use(host: EdgeHost) -> list[dict]:
    return [{"uid": host.cluster.uid, "name": host.cluster.name}] if host.cluster_id else []


def host_agent(host: EdgeHost) -> str:
    return host.cluster.agent_version if host.cluster_id else host.agent_version


def edge_host_device(host: EdgeHost) -> dict:
    setting = decider(host)
    modified = max(host.created_at, setting.agent_upgrades_set_at or host.created_at)
    annotations = {
        "scope": "project",
        "projectUid": host.project.uid,
        "tenantUid": host.project.tenant.uid,
    }
    return {
        "metadata": meta(host, annotations, modified),
        "spec": {},
        "status": {
            "state": "in-use" if host.cluster_id else "ready",
            "inUseClustersRef": in_use(host),
        },
        "agentVersion": host_agent(host),
        "followsCluster": host.cluster_id is not None,
        "upgradeSettings": setting_detail(setting),
    }


# Edge hosts. (The list's path comes first: "metadata" is no uid.)

response, extra = answers({200: EdgeHostsMeta}, 400, 403)


@router.get(
    "/edgehosts/metadata",
    response=response,
    openapi_extra=extra,
    operation_id="v1EdgeHostsMetadataQuickFilterGet",
    summary="List the Edge hosts of the tenant or of a project",
    description="Every Edge host of the scope that the key's user may see, by name (a Cluster "
    "Admin: the hosts of their clusters).",
)
def list_edge_hosts(
    request: HttpRequest,
    project_uid: ProjectUidText | None = PROJECT_UID,
    quick_filter: Literal["unusedEdgeHosts"] | None = Query(
        None, alias="quickFilter", description="unusedEdgeHosts: only the hosts in no cluster."
    ),
    type_: Literal["edge-native", "vsphere"] | None = Query(
        None, alias="type", description="Accepted; the console keeps no host type."
    ),
):
    caller = request.auth
    uid = project_uid_sent(project_uid)
    console = api_tenant_scope(caller) if uid is None else api_project_to_enter(caller, uid)
    hosts = edge_hosts_of(console).select_related("cluster")
    if quick_filter is not None:
        hosts = hosts.idle()
    return {
        "edgeHosts": [
            {
                "uid": host.uid,
                "name": host.name,
                "state": "in-use" if host.cluster_id else "ready",
                "inUseClustersRef": in_use(host),
                "agentVersion": host_agent(host),
                "spectroComponents": decider(host).effective_agent_upgrades,
            }
            for host in hosts.order_by("name", "pk")
        ]
    }


response, extra = answers({200: EdgeHostDevice}, 400)


@router.get(
    "/edgehosts/{uid}",
    response=response,
    openapi_extra=extra,
    operation_id="v1EdgeHostDevicesUidGet",
    summary="Read one Edge host",
    description="Its cluster (status.inUseClustersRef; empty while it is in none) and, beyond "
    "Palette, the setting that decides for it: its cluster's while it is part of one, its own "
    "otherwise.",
)
def read_edge_host(
    request: HttpRequest,
    uid: str,
    resolve_pack_values: bool = Query(
        False, alias="resolvePackValues", description="Accepted; the console has no packs."
    ),
):
    return edge_host_device(api_edge_host(request.auth, uid))
