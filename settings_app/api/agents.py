"""Private Cloud Gateways (Palette's overlords) and Edge hosts: Palette's reads of them
(v1OverlordsList, v1OverlordsUidGet, v1EdgeHostDevicesUidGet, v1EdgeHostsMetadataQuickFilterGet),
and beyond Palette a gateway's own agent upgrade setting, read and written with a cluster's body.

Gateways are their tenant's: Tenant Admins see and change them, and anyone else is answered as
for the tenant scope (the list) or a missing gateway (one by uid). Edge hosts are seen with
their project's roles; a host is never changed on its own (its project's and tenant's pushes
write it when it is in no cluster; in one, its cluster decides)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ..models import EdgeHost, Gateway
from ..permissions.agents import edge_hosts_of
from ..permissions.api import (
    api_edge_host,
    api_gateway,
    api_gateways,
    api_project_to_enter,
    api_tenant_scope,
)
from .answers import answers
from .parsing import project_uid_sent
from .schemas import (
    FORBIDDEN,
    ClusterUpgradeSettingsChange,
    ClusterUpgradeSettingsDetail,
    ObjectMeta,
    ProjectUidText,
    SpectroComponents,
    setting_detail,
)
from .spectroclusters import CHANGED, DRY_RUN, PROJECT_UID, change, with_audit_uid

router = Router(tags=["overlords and edgehosts"])
BEYOND = "Beyond Palette: "
AGENT_VERSION = Field(description=BEYOND + "the version of its agent.")


class OverlordSpec(Schema):
    """Palette's v1OverloadSpec: the gateway's tenant."""

    tenantUid: str


class Overlord(Schema):
    """Palette's v1Overlord (a Private Cloud Gateway): the annotation
    spectroComponentsUpgradeForbidden is "true" while its pause holds."""

    metadata: ObjectMeta
    spec: OverlordSpec
    agentVersion: str = AGENT_VERSION
    upgradeSettings: ClusterUpgradeSettingsDetail = Field(
        description=BEYOND + "its agent upgrade setting and where it came from."
    )


class Overlords(Schema):
    """Palette's v1Overlords."""

    items: list[Overlord]


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


def overlord(gateway: Gateway) -> dict:
    modified = max(gateway.created_at, gateway.agent_upgrades_set_at or gateway.created_at)
    return {
        "metadata": meta(gateway, {"scope": "tenant", "tenantUid": gateway.tenant.uid}, modified),
        "spec": {"tenantUid": gateway.tenant.uid},
        "agentVersion": gateway.agent_version,
        "upgradeSettings": setting_detail(gateway),
    }


def meta(obj: Gateway | EdgeHost, annotations: dict, modified: datetime) -> dict:
    paused = decider(obj).is_paused
    return {
        "uid": obj.uid,
        "name": obj.name,
        "annotations": {FORBIDDEN: "true" if paused else "false", **annotations},
        "labels": {},
        "creationTimestamp": obj.created_at,
        "lastModifiedTimestamp": modified,
    }


def decider(obj: Gateway | EdgeHost):
    """What holds the setting that decides for the agent: a host's cluster, while it has one."""
    return obj.cluster if isinstance(obj, EdgeHost) and obj.cluster_id else obj


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


# Gateways.

response, extra = answers({200: Overlords}, 400, 403)


@router.get(
    "/overlords",
    response=response,
    openapi_extra=extra,
    operation_id="v1OverlordsList",
    summary="List the tenant's Private Cloud Gateways",
    description="Every gateway of the key's tenant, by name (Tenant Admins only: gateways are "
    "the tenant's).",
)
def list_gateways(
    request: HttpRequest,
    name: str | None = Query(None, description="Only the gateway of this name."),
):
    gateways = api_gateways(request.auth).select_related(
        "tenant", "agent_upgrades_set_by", "agent_upgrades_window"
    )
    if name is not None:
        gateways = gateways.filter(name=name)
    return {"items": [overlord(gateway) for gateway in gateways.order_by("name", "pk")]}


response, extra = answers({200: Overlord})


@router.get(
    "/overlords/{uid}",
    response=response,
    openapi_extra=extra,
    operation_id="v1OverlordsUidGet",
    summary="Read one Private Cloud Gateway",
)
def read_gateway(request: HttpRequest, uid: str):
    return overlord(api_gateway(request.auth, uid))


response, extra = answers({200: ClusterUpgradeSettingsDetail})


@router.get(
    "/overlords/{uid}/upgrade/settings",
    response=response,
    openapi_extra=extra,
    operation_id="v1OverlordsUidUpgradeSettingsGet",
    summary=BEYOND + "read one gateway's setting and where it came from",
)
def read_gateway_setting(request: HttpRequest, uid: str):
    return setting_detail(api_gateway(request.auth, uid))


response, extra = answers(CHANGED, 400, 403, 415)


@router.post(
    "/overlords/{uid}/upgrade/settings",
    response=response,
    openapi_extra=with_audit_uid(extra),
    operation_id="v1OverlordsUidUpgradeSettings",
    summary=BEYOND + "set one gateway's value",
    description="The body of a cluster's (POST /v1/spectroclusters/{uid}/upgrade/settings). "
    "It writes only the gateway (gateways have no project), and lasts until the tenant's next "
    "push. Resuming catches its agent up.",
)
def set_gateway_setting(
    request: HttpRequest,
    uid: str,
    body: ClusterUpgradeSettingsChange,
    dry_run: bool = DRY_RUN,
):
    return change(request, api_gateway(request.auth, uid, change=True), body, dry_run)


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
