"""Private Cloud Gateways, Palette's overlords: Palette's reads of them (v1OverlordsList,
v1OverlordsUidGet), and beyond Palette a gateway's own agent upgrade setting, read and written
with a cluster's body through the gateway's rule. Gateways are their tenant's: Tenant Admins see
and change them; anyone else is answered as for the tenant scope (the list, 403) or a missing
gateway (one by uid, 404)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ..models import EdgeHost, Gateway
from ..permissions.api import (
    api_gateway,
    api_gateways,
)
from .answers import answers
from .bodies import setting_detail
from .schemas import (
    FORBIDDEN,
    ClusterUpgradeSettingsChange,
    ClusterUpgradeSettingsDetail,
    ObjectMeta,
)
from .spectroclusters import CHANGED, DRY_RUN, change, with_audit_uid

router = Router(tags=["overlords"])
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


def overlord(gateway: Gateway) -> dict:
    """The gateway as Palette's v1Overlord, with its agent and setting."""
    modified = max(gateway.created_at, gateway.agent_upgrades_set_at or gateway.created_at)
    return {
        "metadata": meta(gateway, {"scope": "tenant", "tenantUid": gateway.tenant.uid}, modified),
        "spec": {"tenantUid": gateway.tenant.uid},
        "agentVersion": gateway.agent_version,
        "upgradeSettings": setting_detail(gateway),
    }


def meta(obj: Gateway | EdgeHost, annotations: dict, modified: datetime) -> dict:
    """Palette's metadata of a gateway or an Edge host: spectroComponentsUpgradeForbidden is
    "true" while the setting that decides for its agent holds a pause."""
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
