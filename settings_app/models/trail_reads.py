"""Ways into the audit trail by object (`AuditEvent.objects.about`): an object's own events by
its index, and its parts of changes by their key, whatever the size of the trail."""

from __future__ import annotations

from django.db import models

from ..sql import Unindexed
from .setting import Scope


class AuditEventQuerySet(models.QuerySet):
    """Ways into the trail that hold at any size of it (see history.AuditEvent)."""

    def about(
        self,
        tenant_id: int,
        *,
        clusters=None,
        projects=None,
        edge_hosts=None,
        gateways=None,
        named: str | None = None,
    ) -> AuditEventQuerySet:
        """The events about these clusters, projects, gateways or Edge hosts (ids, or a query of
        ids) of the tenant:
        their own, and their part in every change that wrote them; with `named`, also every
        event of the tenant's own that names an object so. The parts are found by their key
        from the tenant's changes that have parts: the page's order is then a sort of only
        these objects' events. A gateway's or an Edge host's own events and its parts alike
        name it: theirs are one range of audit_gateway_key or audit_edgehost_key each."""
        ids = []
        for link, objects in (("gateway", gateways), ("edge_host", edge_hosts)):
            if objects is not None:  # (no tenant filter: SQLite would then walk the tenant's)
                found = self.model.objects.filter(**{_lookup(link, objects): objects})
                ids.append(found.order_by().values("pk"))
        if named is not None:
            own = {"tenant_id": tenant_id, "part_of__isnull": True, "object_name": named}
            ids.append(self.model.objects.filter(**own).order_by().values("pk"))
        for kind, objects in (("cluster", clusters), ("project", projects)):
            if objects is None:
                continue
            own = {
                "own_tenant": tenant_id,  # read from the row: the object's key finds them
                "part_of__isnull": True,
                _lookup(kind, objects): objects,
            } | ({} if kind == "cluster" else {"scope": "project"})
            found = self.model.objects.alias(own_tenant=Unindexed("tenant_id")).filter(**own)
            ids.append(found.order_by().values("pk"))
            ids.append(self.parts_about(tenant_id, kind, objects).order_by().values("pk"))
        if not ids:
            return self.none()
        first, *more = ids
        return self.filter(pk__in=first.union(*more, all=True) if more else first)

    def parts_about(self, tenant_id: int, kind: str, objects, **changes_that) -> AuditEventQuerySet:
        """The parts of the tenant's changes that wrote these objects of `kind` (ids, a query
        of ids, or an OuterRef), by the parts' key; `changes_that` narrows the changes looked
        in (a correlated subquery probes each of them for every row it is asked about)."""
        changes = self.model.objects.filter(tenant_id=tenant_id, has_parts=True, **changes_that)
        changes = changes.order_by().values("pk")
        where = {"part_of__in": changes, _lookup(kind, objects): objects}
        if kind != "cluster":  # a project's or a tenant's own part, not its clusters'
            where |= {"cluster__isnull": True, "scope": kind}
        return self.filter(**where)


def _lookup(kind: str, objects) -> str:
    """The event's link to an object of `kind` (an Edge host's is `edge_host`), with `__in`
    for several objects (ids or a query of ids)."""
    many = isinstance(objects, (list, tuple, set, frozenset, models.QuerySet))
    link = "edge_host" if kind == Scope.EDGE_HOST else kind
    return f"{link}__in" if many else link
