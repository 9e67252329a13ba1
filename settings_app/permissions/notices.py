"""Who may see and change a tenant's notice destinations (Tenant Settings › Notifications): its
Tenant Admins, as for the tenant's other settings pages."""

from __future__ import annotations

from ..models.notices import Destination
from . import get_or_404, tenant_for_user


def destination_for_user(user, tenant_id: int, destination_id: int, *, change: bool = False):
    """The tenant's scope and one of its destinations: 404 for anyone but its Tenant Admins,
    and for a destination of another tenant; `change`: to change it (403 for one who may only
    see it)."""
    console = tenant_for_user(user, tenant_id, change=change)
    destination = get_or_404(Destination.objects.filter(tenant=console.tenant), destination_id)
    return console, destination
