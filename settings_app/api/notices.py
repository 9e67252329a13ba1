"""Beyond Palette: notice destinations (/v1/notificationdestinations), the webhooks and email
lists of Tenant Settings › Notifications, for the key's tenant's Tenant Admins. The same checks
as the page's form, the same rules and audit events."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from ..models.notices import CHOOSABLE, Delivery, Destination
from ..permissions.api import api_destination, api_tenant
from ..rules import destinations
from ..rules.delivery import send_test_notice
from ..views.notifications import DestinationForm
from .answers import answers
from .errors import ApiError

router = Router(tags=["notificationdestinations"])
BEYOND = "Beyond Palette: "
EventName = Literal[tuple(e.value for e in CHOOSABLE)]  # type: ignore[valid-type]


class DestinationBody(Schema):
    """A destination to create: a webhook (`url`, https) or an email list (`addresses`)."""

    kind: Literal["webhook", "email"]
    name: str = Field(min_length=1, max_length=100)
    url: str = Field("", max_length=500, description="Webhook: its https URL.")
    addresses: list[str] = Field([], max_length=20, description="Email: the addresses.")
    events: list[EventName] = Field(min_length=1)


class DestinationChange(Schema):
    """Changes to a destination (only the fields sent), or `rotateSecret: true`."""

    name: str | None = Field(None, min_length=1, max_length=100)
    url: str | None = Field(None, max_length=500)
    addresses: list[str] | None = Field(None, max_length=20)
    events: list[EventName] | None = Field(None, min_length=1)
    rotateSecret: bool = False


class DestinationModel(Schema):
    uid: str
    kind: Literal["webhook", "email"]
    name: str
    url: str
    addresses: list[str]
    events: list[str]
    createdBy: str | None
    createdAt: datetime
    secret: str | None = Field(
        None, description="A webhook's signing secret: only in the answer that makes or rotates it."
    )


class Destinations(Schema):
    items: list[DestinationModel]


class DeliveryModel(Schema):
    notice: str
    event: str
    state: Literal["pending", "sent", "failed"]
    attempts: int
    statusCode: int | None
    error: str
    lastAttemptAt: datetime | None
    nextAttemptAt: datetime | None


def destination_answer(destination: Destination, *, secret: bool = False) -> dict:
    return {
        "uid": destination.uid,
        "kind": destination.kind,
        "name": destination.name,
        "url": destination.url,
        "addresses": destination.address_list,
        "events": destination.event_list,
        "createdBy": destination.created_by.get_username() if destination.created_by else None,
        "createdAt": destination.created_at,
        "secret": destination.secret if secret and destination.kind == "webhook" else None,
    }


def checked(values: dict) -> dict:
    """The values as the page's form checks them; 400 with the first reason and its field."""
    form = DestinationForm({**values, "addresses": "\n".join(values.get("addresses") or [])})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(
            400,
            "InvalidRequest",
            f"{errors[0]} Nothing was changed.",
            details={"field": field if field != "__all__" else ""},
        )
    return form.values()


listed, listed_extra = answers({200: Destinations}, 403)
created, created_extra = answers({201: DestinationModel}, 400, 403, 415)
one, one_extra = answers({200: DestinationModel}, 403)
changed, changed_extra = answers({200: DestinationModel}, 400, 403, 415)
deleted, deleted_extra = answers({204: None}, 403)
tested, tested_extra = answers({200: DeliveryModel}, 403)
PATH = "/notificationdestinations"


@router.get(
    PATH,
    response=listed,
    openapi_extra=listed_extra,
    operation_id="v1NotificationDestinationsList",
    summary=BEYOND + "list notice destinations",
    description="The webhooks and email lists of the key's tenant (its Tenant Admins only).",
)
def list_destinations(request: HttpRequest):
    tenant = api_tenant(request.auth)
    rows = Destination.objects.filter(tenant=tenant).select_related("created_by")
    return {"items": [destination_answer(d) for d in rows]}


@router.post(
    PATH,
    response=created,
    openapi_extra=created_extra,
    operation_id="v1NotificationDestinationsCreate",
    summary=BEYOND + "create a notice destination",
    description="A webhook's answer holds its signing secret, this once.",
)
def create(request: HttpRequest, body: DestinationBody):
    caller = request.auth
    tenant = api_tenant(caller)
    values = checked(body.model_dump())
    made = destinations.create_destination(
        tenant, actor=caller.user, api_key_name=caller.key_name, **values
    )
    return Status(201, destination_answer(made, secret=True))


@router.get(
    PATH + "/{uid}",
    response=one,
    openapi_extra=one_extra,
    operation_id="v1NotificationDestinationsUidGet",
    summary=BEYOND + "read a notice destination",
)
def read(request: HttpRequest, uid: str):
    return destination_answer(api_destination(request.auth, uid))


@router.patch(
    PATH + "/{uid}",
    response=changed,
    openapi_extra=changed_extra,
    operation_id="v1NotificationDestinationsUidPatch",
    summary=BEYOND + "change a notice destination, or rotate its secret",
    description="`rotateSecret: true` gives a webhook a new signing secret, in the answer.",
)
def change(request: HttpRequest, uid: str, body: DestinationChange):
    caller = request.auth
    destination = api_destination(caller, uid)
    sent = body.model_dump(exclude_unset=True)
    for key in ("name", "url", "addresses", "events"):
        if key in sent and sent[key] is None:
            raise ApiError(400, "InvalidRequest", f"{key} cannot be null. Nothing was changed.")
    rotate = sent.pop("rotateSecret", False)
    current = destination_answer(destination)
    fields = ("name", "url", "addresses", "events")
    values = checked({"kind": destination.kind, **{k: sent.get(k, current[k]) for k in fields}})
    destinations.edit_destination(
        destination, actor=caller.user, api_key_name=caller.key_name, **values
    )
    if rotate:
        destinations.rotate_secret(destination, actor=caller.user, api_key_name=caller.key_name)
    return destination_answer(destination, secret=rotate)


@router.delete(
    PATH + "/{uid}",
    response=deleted,
    openapi_extra=deleted_extra,
    operation_id="v1NotificationDestinationsUidDelete",
    summary=BEYOND + "delete a notice destination and its deliveries",
)
def delete(request: HttpRequest, uid: str):
    caller = request.auth
    destinations.delete_destination(
        api_destination(caller, uid), actor=caller.user, api_key_name=caller.key_name
    )
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response


@router.post(
    PATH + "/{uid}/test",
    response=tested,
    openapi_extra=tested_extra,
    operation_id="v1NotificationDestinationsUidTest",
    summary=BEYOND + "send a test notice now",
    description="Sends a test notice to the destination at once and answers with the attempt "
    "(a failed one is retried by the scheduler, as any delivery).",
)
def test(request: HttpRequest, uid: str):
    caller = request.auth
    delivery = send_test_notice(api_destination(caller, uid), actor=caller.user)
    return {
        "notice": delivery.notice.uid,
        "event": delivery.notice.event,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "statusCode": delivery.last_status,
        "error": delivery.last_error,
        "lastAttemptAt": delivery.last_attempt_at,
        "nextAttemptAt": delivery.next_attempt_at
        if delivery.state == Delivery.State.PENDING
        else None,
    }
