"""The Clusters list as CSV: every cluster the list's search, filters and sort match (ClusterQuery,
read from the same address), not only one page, streamed. The same access as the page, and its
words: Paused/Active, "set directly", "pushed by tenant Acme"; the API's lock/unlock in a column
of its own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import F
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import rules
from ..models import SETTING_FIELDS, AgentUpgrades, Cluster, Via, pause_holds
from ..permissions import scope_for_user
from ..permissions.scopes import ScopeRef
from ..sql import UtcText
from .cluster_query import ClusterQuery
from .clusters import scope_counts
from .csv_export import csv_response

# The export's columns: the cluster's own (its header, the field it is read from; "" for one
# worked out from the others), then one per field of the setting, under its CSV name, in the
# setting's order (SETTING_FIELDS), then the API's value.
CLUSTER_COLUMNS = [
    ("name", "name"),
    ("project", "project__name"),
    ("tenant", "project__tenant__name"),
    ("agent_version", "agent_version"),
    ("behind", ""),
]
CSV_HEADER = [
    *(name for name, _ in CLUSTER_COLUMNS),
    *(names.csv for names in SETTING_FIELDS.values()),
    "api_value",  # what the API answers: lock or unlock
]


def setting_reads() -> dict[str, object]:
    """How the export reads each field of the setting: times as UTC text made in SQL
    (`UtcText`), a user or a window by name, the value as whether its pause holds now."""
    reads = {}
    for name in SETTING_FIELDS:
        field = Cluster._meta.get_field(name)
        if name == "agent_upgrades":
            reads[name] = pause_holds(timezone.now())
        elif field.is_relation:
            label = getattr(field.related_model, "USERNAME_FIELD", "name")  # a user, a window
            reads[name] = F(f"{name}__{label}")
        elif isinstance(field, models.DateTimeField):
            reads[name] = UtcText(name)
        else:
            reads[name] = F(name)
    return reads


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
    reads = {f"setting_{name}": read for name, read in setting_reads().items()}
    rows = (
        clusters.order_by(*query.order.order_by())
        .annotate(**reads)
        .values_list(*(field for _, field in CLUSTER_COLUMNS if field), *reads)
        .iterator(chunk_size=2000)
    )

    def lines():
        for name, project, tenant, agent, *values in rows:
            setting = dict(zip(SETTING_FIELDS, values, strict=True))
            holds = setting["agent_upgrades"]  # a pause whose end has passed no longer holds
            setting |= {
                "agent_upgrades": "Paused" if holds else "Active",
                "agent_upgrades_set_via": set_how(
                    setting["agent_upgrades_set_via"], project, tenant
                ),
            }
            if not holds:  # a reason and an end hold only while paused
                setting |= {"agent_upgrades_reason": "", "agent_upgrades_until": ""}
            yield [
                name,
                project,
                tenant,
                agent,
                "yes" if platform_agent and agent != platform_agent else "no",
                *(value if value is not None else "" for value in setting.values()),
                AgentUpgrades.LOCK if holds else AgentUpgrades.UNLOCK,
            ]

    return csv_response("clusters.csv", CSV_HEADER, lines())
