"""A tenant's notice destinations: create, edit, delete and rotate a webhook's secret, each one
act with its audit event (deliveries are not audited: they have their own list)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import AuditEvent, Scope, Tenant, Via
from ..models.notices import Destination
from .change import audit_act

FIELDS = ("kind", "name", "url", "addresses", "events")


def _audit(destination: Destination, what: str, actor, api_key_name: str = "") -> None:
    """The one writer of a destination's audit event (action NOTICE), through the trail's owner."""
    audit_act(
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor else "command line",
        api_key_name=api_key_name,
        action=AuditEvent.Action.NOTICE,
        scope=Scope.TENANT,
        via=Via.TENANT,
        tenant_id=destination.tenant_id,
        object_name=destination.tenant.name,
        old_value="",
        new_value="",
        detail=f"Notice destination {destination} {what}",
    )


@transaction.atomic
def create_destination(tenant: Tenant, *, actor, api_key_name: str = "", **values) -> Destination:
    """A new destination; its secret (a webhook's) is in the answer, to be shown once."""
    destination = Destination.objects.create(tenant=tenant, created_by=actor, **values)
    _audit(destination, "created", actor, api_key_name)
    return destination


@transaction.atomic
def edit_destination(destination: Destination, *, actor, api_key_name: str = "", **values) -> None:
    changed = [name for name, value in values.items() if getattr(destination, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(destination, name, values[name])
    destination.save(update_fields=changed)
    _audit(destination, f"edited ({', '.join(changed)})", actor, api_key_name)


@transaction.atomic
def delete_destination(destination: Destination, *, actor, api_key_name: str = "") -> None:
    _audit(destination, "deleted", actor, api_key_name)
    destination.delete()


@transaction.atomic
def rotate_secret(destination: Destination, *, actor, api_key_name: str = "") -> str:
    """A new signing secret, in force at once; the old one signs nothing more."""
    from ..models.notices import new_secret

    destination.secret = new_secret()
    destination.save(update_fields=["secret"])
    _audit(destination, "secret rotated", actor, api_key_name)
    return destination.secret
