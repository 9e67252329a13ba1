"""The Clusters list as CSV: every cluster the list's search, filters and sort match (ClusterQuery,
read from the same address), not only one page, streamed. The same access as the page, and its
words: Paused/Active, "set directly", "pushed by tenant Acme"; the API's lock/unlock in a column
of its own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import rules
from ..models import AgentUpgrades, Via, pause_holds
from ..permissions import scope_for_user
from ..scopes import ScopeRef
from ..sql import UtcText
from .cluster_query import ClusterQuery
from .clusters import scope_counts
from .csv_export import csv_response

# The export's columns, named once: (its header, the field or annotation it is read from; "" for
# one worked out from the others). Times are read as text made in SQL (`UtcText`).
CSV_COLUMNS = [
    ("name", "name"),
    ("project", "project__name"),
    ("tenant", "project__tenant__name"),
    ("agent_version", "agent_version"),
    ("behind", ""),
    ("agent_upgrades", "holds"),
    ("paused_until_utc", "until_utc"),
    ("reason", "agent_upgrades_reason"),
    ("set_how", "agent_upgrades_set_via"),
    ("set_by", "agent_upgrades_set_by__username"),
    ("set_with_api_key", "agent_upgrades_set_with_key"),
    ("set_at_utc", "set_at_utc"),
    ("api_value", ""),  # what the API answers: lock or unlock
]
CSV_FIELDS = [field for _, field in CSV_COLUMNS if field]
NOT_SET = "default value, not changed yet"  # as the pages say it (wording.source)


def set_how(via: str, project: str, tenant: str) -> str:
    """Where the value came from, as the Clusters list's "Last set" says it (wording.source),
    with the Audit Logs' "set directly" for a value set on the cluster itself."""
    if via == Via.TENANT:
        return f"pushed by tenant {tenant}"
    if via == Via.PROJECT:
        return f"pushed by project {project}"
    if via == Via.EXPIRY:
        return "resumed when its pause ended"
    return Via.CLUSTER.label if via else NOT_SET


@login_required
@require_GET
def cluster_list_csv(request: HttpRequest, scope: ScopeRef) -> StreamingHttpResponse:
    console = scope_for_user(request.user, scope)
    platform_agent = rules.current_agent_version()
    query = ClusterQuery.from_query(request.GET)
    counts = scope_counts(console, platform_agent) if query.mixed else None
    clusters = query.apply(console.clusters(by_project=query.by_project), platform_agent, counts)
    rows = (
        clusters.order_by(*query.order.order_by())
        .annotate(
            holds=pause_holds(timezone.now()),
            until_utc=UtcText("agent_upgrades_until"),
            set_at_utc=UtcText("agent_upgrades_set_at"),
        )
        .values_list(*CSV_FIELDS)
        .iterator(chunk_size=2000)
    )

    def lines():
        for (
            name,
            project,
            tenant,
            agent,
            holds,  # a pause whose end has passed no longer holds
            until,
            reason,
            via,
            by,
            key,
            at,
        ) in rows:
            yield [
                name,
                project,
                tenant,
                agent,
                "yes" if platform_agent and agent != platform_agent else "no",
                "Paused" if holds else "Active",
                (until or "") if holds else "",
                reason if holds else "",
                set_how(via, project, tenant),
                by or "",
                key,
                at or "",
                AgentUpgrades.LOCK if holds else AgentUpgrades.UNLOCK,
            ]

    return csv_response("clusters.csv", [name for name, _ in CSV_COLUMNS], lines())
