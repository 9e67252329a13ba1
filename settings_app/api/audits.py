"""Beyond Palette's agent upgrade operations: the audit trail (v1AuditsList), the events that
the key's user may see in the key's tenant, newest first, with Palette's filters and list
shape. The events are the ones the console's Audit Logs show."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from ..models import AuditEvent, Cluster, EdgeHost, Gateway, Project, Scope, Tenant, Via
from ..models.keys import key_change_of
from ..permissions import visible_audit_events
from ..permissions.api import api_audited_object, api_project_to_enter
from ..wording.audit import audit_sentence
from .answers import answers
from .errors import ApiError
from .parsing import continue_token, positive_limit, read_continue_token, rfc3339
from .schemas import (
    DateTimeText,
    ListMetaData,
    ObjectMeta,
    SpectroComponents,
    limit_up_to,
)

# Palette's audit trail, as its OpenAPI document shapes it (v1Audits).


class UserMeta(Schema):
    firstName: str | None = None
    lastName: str | None = None
    emailId: str | None = None


class ProjectMeta(Schema):
    uid: str
    name: str


class AuditActor(Schema):
    """Palette's v1AuditActor; beyond it, the username and the API key's name."""

    actorType: Literal["user", "system", "service"]
    user: UserMeta | None = None
    project: ProjectMeta | None = None
    username: str = Field(description="Who made the change (system for a pause that ended).")
    apiKeyName: str | None = Field(
        None, description="The API key the change came through; absent for a click."
    )


class AuditResourceReference(Schema):
    kind: Literal["tenant", "project", "spectrocluster", "overlord", "edgehost"]
    name: str
    uid: str = Field(description="Empty when the object has been deleted since.")


class AuditChange(Schema):
    """Beyond Palette: the change itself."""

    fromValue: SpectroComponents | None = Field(None, description="None for an API key's change.")
    toValue: SpectroComponents | None = Field(None, description="None for an API key's change.")
    via: Literal["cluster", "project", "tenant", "expiry"]
    reason: str | None = None
    until: datetime | None = None


class AuditSpec(Schema):
    actionType: Literal["create", "update", "delete", "publish", "deploy", "activity", "action"]
    actionMsg: str
    actor: AuditActor
    resource: AuditResourceReference
    change: AuditChange


class Audit(Schema):
    """Palette's v1Audit."""

    metadata: ObjectMeta
    spec: AuditSpec


class Audits(Schema):
    """Palette's v1Audits."""

    items: list[Audit]
    listmeta: ListMetaData


router = Router(tags=["audits"])

MOST = 50  # Palette's default and largest page
AuditsLimit = limit_up_to(MOST)
SALT = "v1.audits"
KINDS = {
    Scope.TENANT: "tenant",
    Scope.PROJECT: "project",
    Scope.CLUSTER: "spectrocluster",
    Scope.GATEWAY: "overlord",  # Palette's name for a Private Cloud Gateway
    Scope.EDGE_HOST: "edgehost",
}

response, extra = answers({200: Audits}, 400)


@router.get(
    "/audits",
    response=response,
    openapi_extra=extra,
    operation_id="v1AuditsList",
    summary="Beyond Palette's agent upgrade operations: the audit trail",
    description="The changes the key's user may see in the key's tenant (as on Audit Logs), "
    "newest first, 50 at most a page; `continue` fetches the next page.",
    exclude_none=True,
    by_alias=True,
)
def list_audits(
    request: HttpRequest,
    start_time: DateTimeText | None = Query(
        None, alias="startTime", description="RFC 3339 with its offset; inclusive."
    ),
    end_time: DateTimeText | None = Query(
        None, alias="endTime", description="RFC 3339 with its offset; exclusive."
    ),
    project_uid: str | None = Query(
        None, alias="projectUid", description="Only the events of this project."
    ),
    resource_uid: str | None = Query(
        None,
        alias="resourceUid",
        description="Only the events of this tenant, project, cluster, gateway or Edge host "
        "itself.",
    ),
    limit: AuditsLimit = Query(MOST, description="At most this many events (1 to 50)."),
    continue_: str | None = Query(
        None, alias="continue", description="The token of the next page."
    ),
):
    caller = request.auth
    limit = positive_limit(limit, MOST)
    # Palette's audits hold setting changes only: a release's events stay on Audit Logs.
    start, end = rfc3339(start_time, "startTime"), rfc3339(end_time, "endTime")
    resource = api_audited_object(caller, resource_uid) if resource_uid is not None else None
    few = isinstance(resource, Cluster | Gateway | EdgeHost)  # one object's: read by their key
    events = visible_audit_events(caller.roles, caller.tenant, few=few).exclude(
        action=AuditEvent.Action.RELEASE
    )
    if start:
        events = events.filter(at__gte=start)
    if end:
        events = events.filter(at__lt=end)
    if project_uid is not None:
        events = events.filter(project=api_project_to_enter(caller, project_uid).project)
    if resource_uid is not None:
        events = events.filter(about(resource))
    count = events.count()
    after = read_continue_token(continue_, SALT)
    offset = after["o"] if after else 0
    if after:
        at = datetime.fromisoformat(after["at"])
        events = events.filter(Q(at__lt=at) | Q(at=at, pk__lt=after["i"]))
    page = list(
        events.select_related(
            "actor", "tenant", "project", "cluster", "gateway", "edge_host"
        ).order_by("-at", "-pk")[: limit + 1]
    )
    more, page = len(page) > limit, page[:limit]
    token = ""
    if more:
        last = page[-1]
        token = continue_token({"at": last.at.isoformat(), "i": last.pk, "o": offset + limit}, SALT)
    return {
        "items": [audit(event) for event in page],
        "listmeta": {
            "continue": token,
            "count": count,
            "limit": limit,
            "offset": offset + len(page),
        },
    }


def about(obj: Tenant | Project | Cluster | Gateway | EdgeHost | None) -> Q:
    """The filter for the events of one object itself (a tenant's own, not its projects')."""
    if obj is None:
        raise ApiError(404, "ResourceNotFound")
    if isinstance(obj, Tenant):
        return Q(scope=Scope.TENANT, tenant=obj)
    if isinstance(obj, Project):
        return Q(scope=Scope.PROJECT, project=obj)
    # A gateway's or a host's own events and its parts in pushes: one range of their index
    # (audit_gateway_key, audit_edgehost_key).
    if isinstance(obj, Gateway):
        return Q(gateway=obj)
    if isinstance(obj, EdgeHost):
        return Q(edge_host=obj)
    return Q(pk__in=AuditEvent.objects.about(obj.tenant_id, clusters=[obj.pk]))


def action_type(event: AuditEvent) -> str:
    """Palette's kind of act: an API key created or deleted; anything else updates."""
    if event.action == AuditEvent.Action.KEY:
        return {"created": "create", "deleted": "delete"}.get(key_change_of(event), "update")
    return "update"


def audit(event: AuditEvent) -> dict:
    resource = {
        Scope.TENANT: event.tenant,
        Scope.PROJECT: event.project,
        Scope.GATEWAY: event.gateway,
        Scope.EDGE_HOST: event.edge_host,
    }.get(event.scope, event.cluster)
    actor = event.actor
    system = event.via == Via.EXPIRY or actor is None
    return {
        "metadata": {
            "uid": event.uid,
            "name": event.object_name,
            "annotations": {
                "tenantUid": event.tenant.uid,
                **({"projectUid": event.project.uid} if event.project else {}),
            },
            "creationTimestamp": event.at,
            "lastModifiedTimestamp": event.at,
        },
        "spec": {
            "actionType": action_type(event),
            "actionMsg": audit_sentence(event),
            "actor": {
                "actorType": "system" if system else "user",
                "user": None
                if actor is None
                else {
                    "firstName": actor.first_name or None,
                    "lastName": actor.last_name or None,
                    "emailId": actor.email or None,
                },
                "project": {"uid": event.project.uid, "name": event.project.name}
                if event.project
                else None,
                "username": event.actor_name,
                "apiKeyName": event.api_key_name or None,
            },
            "resource": {
                "kind": KINDS[event.scope],
                "name": event.object_name,
                "uid": resource.uid if resource else "",
            },
            "change": {
                "fromValue": event.old_value or None,
                "toValue": event.new_value or None,
                "via": event.via,
                "reason": event.reason or None,
                "until": event.until,
            },
        },
    }
