"""Palette's operations on agent upgrade settings and clusters, and the console's additions
(a per-cluster read, a pause's reason and end, dry runs, paging the cluster list).

Each operation loads its object through the permissions module's API helpers (404 for what the
key's user may not see, 403 for what they may see but not change) and changes it through the
same rule as a click, with the same audit, naming the key."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import Header, Query, Router, Status

from .. import rules
from ..models import AgentUpgrades, Cluster, Gateway, Project, Tenant, pause_holds
from ..permissions.api import api_cluster, api_project_to_enter, api_tenant_scope
from ..rules.freeze_calendar import running_over
from ..sql import UtcText
from ..wording.api import RESUME_WITH_PAUSE
from .answers import AUDIT_UID, answers
from .bodies import setting_detail, spectro_cluster
from .errors import ApiError
from .parsing import (
    addressed_scope,
    continue_token,
    positive_limit,
    project_uid_sent,
    read_continue_token,
    rfc3339,
)
from .schemas import (
    ChangeImpact,
    ClusterUpgradeSettingsChange,
    ClusterUpgradeSettingsDetail,
    ClusterUpgradeSettingsEntity,
    ProjectUidText,
    SpectroCluster,
    SpectroClusterMeta,
    limit_up_to,
)
from .streaming import stream_json_array

router = Router(tags=["spectroclusters"])

PROJECT_UID = Header(
    None,
    alias="ProjectUid",
    description="The project to work in; without it, the key's tenant (Tenant Admins only).",
)
DRY_RUN = Query(
    False,
    alias="dryRun",
    description="Beyond Palette: answer 200 with what the change would do, and write nothing.",
)
CHANGED = {204: None, 200: ChangeImpact}
META_SALT = "v1.spectroclusters.meta"


def with_audit_uid(extra: dict) -> dict:
    """A change's OpenAPI description: its 204 carries the AuditUid header."""
    extra["responses"][204] = {"headers": AUDIT_UID}
    return extra


def change(
    request: HttpRequest,
    obj: Tenant | Project | Cluster | Gateway,
    body: ClusterUpgradeSettingsChange,
    dry_run: bool,
):
    """Check the pause as the dialog does; then answer what the change would do, or make it
    through the rules (with the cascade, the catch-up and the audit, naming the key) and
    answer 204 with the uid of its audit event."""
    caller = request.auth
    value = AgentUpgrades(body.spectroComponents)
    if value == AgentUpgrades.UNLOCK and (body.reason or body.until):
        # Dropped silently, they would look kept to the script that sent them.
        sent = [name for name in ("reason", "until") if getattr(body, name)]
        raise ApiError(400, "InvalidRequest", RESUME_WITH_PAUSE, {"field": "/".join(sent)})
    try:
        pause = rules.pause_for(value, body.reason or "", rfc3339(body.until, "until"))
    except rules.InvalidPause as refused:
        raise ApiError(
            400, "InvalidRequest", f"{refused} Nothing was changed.", {"field": "reason/until"}
        ) from None
    if dry_run:
        impact = rules.change_impact(obj, value)
        return Status(
            200,
            {
                "clusters": impact.clusters,
                "projects": impact.projects,
                "overwritten": impact.overwritten,
                "agentsToUpgrade": impact.agents_to_upgrade,
                "agentVersion": impact.agent_version,
                "gateways": impact.gateways,
                "edgeHosts": impact.idle_hosts,
            },
        )
    try:
        done = rules.change_agent_upgrades(
            obj, value, actor=caller.user, pause=pause, api_key_name=caller.key_name
        )
    except rules.InvalidPause as refused:  # its end passed while the request was on its way
        raise ApiError(400, "InvalidRequest", f"{refused} Nothing was changed.") from None
    response = HttpResponse(status=204)
    del response["Content-Type"]  # no body, so no type
    response["AuditUid"] = done.event.uid
    response["ClustersWritten"] = str(done.clusters_written)
    response["GatewaysWritten"] = str(done.gateways_written)
    response["EdgeHostsWritten"] = str(done.hosts_written)
    return response


# The tenant's or a project's setting (Palette's "upgrade settings by context").

response, extra = answers({200: ClusterUpgradeSettingsEntity}, 400, 403)


@router.get(
    "/spectroclusters/upgrade/settings",
    response=response,
    openapi_extra=extra,
    operation_id="v1SpectroClustersUpgradeSettingsGet",
    summary="Read the tenant's or a project's agent upgrade setting",
    description="The key's tenant without ProjectUid (Tenant Admins), or the project it names.",
)
def read_scope_setting(request: HttpRequest, project_uid: ProjectUidText | None = PROJECT_UID):
    obj = addressed_scope(request.auth, project_uid)
    return {"spectroComponents": obj.effective_agent_upgrades}


response, extra = answers(CHANGED, 400, 403, 415)


@router.post(
    "/spectroclusters/upgrade/settings",
    response=response,
    openapi_extra=with_audit_uid(extra),
    operation_id="v1SpectroClustersUpgradeSettings",
    summary="Push a value to the tenant or a project, and every cluster in it",
    description="Rule 2: the value is written to the scope, every project below it and every "
    "one of their clusters, overwriting values set below, even when the scope already had it; "
    "and to the other agents of the scope: a tenant's push writes every gateway of the tenant, "
    "a tenant's or a project's push every Edge host of the scope that is in no cluster (a host "
    "in a cluster follows its cluster). Resuming catches up agents held back by a pause. The "
    "answer's headers count what was written.",
)
def push_scope_setting(
    request: HttpRequest,
    body: ClusterUpgradeSettingsChange,
    project_uid: ProjectUidText | None = PROJECT_UID,
    dry_run: bool = DRY_RUN,
):
    return change(request, addressed_scope(request.auth, project_uid, change=True), body, dry_run)


# One cluster.

response, extra = answers({200: ClusterUpgradeSettingsDetail})


@router.get(
    "/spectroclusters/{uid}/upgrade/settings",
    response=response,
    openapi_extra=extra,
    operation_id="v1SpectroClustersUidUpgradeSettingsGet",
    summary="Beyond Palette: read one cluster's setting and where it came from",
)
def read_cluster_setting(request: HttpRequest, uid: str):
    return setting_detail(api_cluster(request.auth, uid))


response, extra = answers(CHANGED, 400, 403, 415)


@router.post(
    "/spectroclusters/{uid}/upgrade/settings",
    response=response,
    openapi_extra=with_audit_uid(extra),
    operation_id="v1SpectroClustersUidUpgradeSettings",
    summary="Set one cluster's value",
    description="Rule 3: the cluster's own value, which decides alone; it lasts until its "
    "project or tenant is set again. Resuming catches its agent up.",
)
def set_cluster_setting(
    request: HttpRequest,
    uid: str,
    body: ClusterUpgradeSettingsChange,
    dry_run: bool = DRY_RUN,
):
    return change(request, api_cluster(request.auth, uid, change=True), body, dry_run)


response, extra = answers({200: SpectroCluster}, 400)


@router.get(
    "/spectroclusters/{uid}",
    response=response,
    openapi_extra=extra,
    operation_id="v1SpectroClustersGet",
    summary="Read one cluster",
    description='The annotation spectroComponentsUpgradeForbidden is "true" while the '
    "cluster's pause holds.",
    exclude_none=True,
)
def read_cluster(
    request: HttpRequest,
    uid: str,
    resolve_pack_values: bool = Query(
        False, alias="resolvePackValues", description="Accepted; the console has no packs."
    ),
    include_non_spectro_labels: bool = Query(
        False, alias="includeNonSpectroLabels", description="Accepted; the console has none."
    ),
):
    cluster = api_cluster(request.auth, uid)
    return spectro_cluster(cluster, running_over(cluster))


# The clusters of a scope.

response, extra = answers({200: list[SpectroClusterMeta]}, 400, 403)
extra["responses"][200] = {
    "headers": {
        "Continue": {
            "description": "With `limit`: the token that fetches the next page (absent on the "
            "last one).",
            "schema": {"type": "string"},
        }
    }
}


MOST_CLUSTERS = 1_000_000  # a page's largest: ten times the largest fleet the console is built for
ClustersLimit = limit_up_to(MOST_CLUSTERS)


@router.get(
    "/dashboard/spectroclusters/meta",
    response=response,
    openapi_extra=extra,
    operation_id="v1SpectroClustersMetaGet",
    summary="List the clusters of the tenant or of a project",
    description="Every cluster of the scope that the key's user may see, by name. Without "
    "`limit` the whole list is streamed; with it, a page, and the header Continue for the next.",
)
def list_clusters(
    request: HttpRequest,
    project_uid: ProjectUidText | None = PROJECT_UID,
    limit: ClustersLimit | None = Query(
        None, description=f"Beyond Palette: at most this many clusters (1 to {MOST_CLUSTERS:,})."
    ),
    continue_: str | None = Query(
        None, alias="continue", description="Beyond Palette: the token of the next page."
    ),
):
    caller = request.auth
    uid = project_uid_sent(project_uid)
    console = api_tenant_scope(caller) if uid is None else api_project_to_enter(caller, uid)
    limit = positive_limit(limit, MOST_CLUSTERS)
    after = read_continue_token(continue_, META_SALT)
    clusters = console.clusters().order_by("name", "pk")
    if after:
        clusters = clusters.filter(Q(name__gt=after["n"]) | Q(name=after["n"], pk__gt=after["i"]))
    # The times as text made in SQL: a long list parses and encodes no datetimes.
    rows = clusters.annotate(
        paused=pause_holds(timezone.now()),
        created=UtcText("created_at", digits=3),
        modified=UtcText(
            Greatest("created_at", Coalesce("agent_upgrades_set_at", "created_at")), digits=3
        ),
    ).values_list("pk", "uid", "name", "paused", "created", "modified", "project__uid")
    tenant_uid = console.tenant.uid
    if limit is None:
        response = StreamingHttpResponse(
            stream_json_array(rows.iterator(chunk_size=2000), tenant_uid),
            content_type="application/json",
        )
        return response
    page = list(rows[: limit + 1])
    response = HttpResponse(
        "".join(stream_json_array(iter(page[:limit]), tenant_uid)),
        content_type="application/json",
    )
    if len(page) > limit:
        last = page[limit - 1]
        response["Continue"] = continue_token({"n": last[2], "i": last[0]}, META_SALT)
    return response
