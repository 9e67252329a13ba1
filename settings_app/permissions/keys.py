"""Who may make, revoke, activate and delete which API key (README, API keys): a key's owner
and the Tenant Admins of its tenant see and change it; a key its owner revoked is never
activated again, and one a Tenant Admin revoked comes back only by a Tenant Admin's hand."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from ..models import ApiKey, Project, Tenant
from . import get_or_404, require_visible, tenant_access
from .roles import Roles, roles_for

# Why an Activate is refused, by who revoked the key.
NOT_AGAIN = {
    ApiKey.Revoker.OWNER: "Its owner revoked this key, so it stays revoked: make a new key.",
    ApiKey.Revoker.ADMIN: "A Tenant Admin revoked this key: only a Tenant Admin of its tenant "
    "can activate it again.",
}


def key_tenants(user) -> QuerySet[Tenant]:
    """The tenants a user may make an API key for: those where they hold a role."""
    roles = roles_for(user)
    tenants = Tenant.objects.order_by("name")
    if roles.superuser:
        return tenants
    in_projects = roles.project_admin | roles.project_viewer | roles.cluster_admin_projects
    return tenants.filter(
        Q(pk__in=roles.tenant_admin)
        | Q(pk__in=Project.objects.filter(pk__in=in_projects).values("tenant_id"))
    )


def key_acts(roles: Roles, user_id: int, key: ApiKey) -> tuple[str, ...]:
    """What the user may do to a key they see: revoke it while it is active (expired keys
    only go), activate it when a Tenant Admin revoked it and they are a Tenant Admin of its
    tenant other than its owner, and delete it."""
    acts = []
    if key.state == ApiKey.State.ACTIVE:
        acts.append("revoke")
    admin = tenant_access(roles, key.tenant).change
    if key.may_be_activated and admin and key.user_id != user_id:
        acts.append("activate")
    return (*acts, "delete")


def api_key_for_user(user, key_id: int, act: str | None = None) -> ApiKey:
    """A key that the user may revoke, activate or delete: their own, or any key of a tenant
    they are Tenant Admin of. Anyone else gets 404, as for a key that does not exist; an act
    the rules above refuse gets 403 with the reason."""
    key = get_or_404(ApiKey.objects.select_related("tenant", "user"), key_id)
    roles = roles_for(user)
    require_visible(key.user_id == user.pk or tenant_access(roles, key.tenant).change)
    if act is not None and act not in key_acts(roles, user.pk, key):
        if act == "activate" and not key.active:
            raise PermissionDenied(NOT_AGAIN.get(key.revoked_by, NOT_AGAIN[ApiKey.Revoker.OWNER]))
        raise PermissionDenied(f"This key is {key.state.label.lower()}: it cannot be {act}d.")
    return key
