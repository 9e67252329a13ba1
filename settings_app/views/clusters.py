"""The Clusters menu: the clusters list, a cluster's details, its Cluster Settings and its switch."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import rules
from ..models import Cluster, PlatformRelease, Project, Scope
from ..permissions import cluster_access, cluster_for_user, scope_for_user
from ..permissions.scopes import ConsoleScope, ScopeRef
from ..permissions.windows import WindowScope
from ..wording import fleet_state
from ..wording.audit import cluster_history
from ..wording.fleet import all_selected, select_matching, showing
from .cluster_query import SORTS, ClusterQuery, other_agents, tiles
from .confirm import confirm_change, confirm_undo
from .navigation import page_context
from .paging import Page, keyset_page
from .switch import (
    Question,
    SwitchUrls,
    apply_change,
    apply_undo,
    cluster_question,
    cluster_switch,
)
from .window_pages import windows_section

CLUSTERS_PER_PAGE = 50
FILTER_FORM = "cluster-filters"  # the filter form's id, which htmx sends as HX-Trigger


def scope_counts(console: ConsoleScope, platform_agent: str) -> rules.FleetCounts:
    """The clusters of the scope that the user sees, counted: from the projects' fleet rows,
    or for a Cluster Admin (who sees a few clusters, not the project) their clusters live."""
    if console.is_tenant:
        projects = Project.objects.filter(tenant=console.tenant)
    else:
        projects = Project.objects.filter(pk=console.project.pk)
    return rules.fleet_counts(
        projects,
        below=Scope.TENANT if console.is_tenant else Scope.PROJECT,
        agent_version=platform_agent,
        clusters=None if console.sees_project_pages else console.clusters(),
    )


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def cluster_list(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    console = scope_for_user(request.user, scope)
    platform_agent = rules.current_agent_version()
    counts = scope_counts(console, platform_agent)
    query = ClusterQuery.from_query(request.GET)
    clusters = query.apply(
        console.clusters(by_project=query.by_project), platform_agent, counts
    ).select_related("project__tenant", "agent_upgrades_set_by", "agent_upgrades_window")
    page = keyset_page(
        clusters, query.order, request.GET, CLUSTERS_PER_PAGE, total=query.known_total(counts)
    )
    rows = [
        (cluster, cluster_access(console.roles, cluster).change) for cluster in page.object_list
    ]
    context = {
        "console": console,
        "page": page,
        "rows": rows,
        "query": query,
        "columns": columns(query),
        "paging": paging(page, query.params()),
        "export_query": query.link() if query.params() else "",  # every page: no page cursor
        "may_change": any(change for _cluster, change in rows),
        "drawn_at": timezone.now().isoformat(),
        "select_matching": select_matching(page.total, page.total_is_lower_bound, query.filtered),
        "all_selected": all_selected(page.total, page.total_is_lower_bound),
        "platform_agent": platform_agent,
    }
    frozen = console.clusters().filter(agent_upgrades_window__isnull=False).count()
    context["tiles"] = tiles(query, counts, frozen)
    if request.htmx and not request.htmx.history_restore_request:
        # The tiles and the filter form, out of band, follow the address; the form's own
        # request leaves the form alone (it is what was sent, and may be typed in meanwhile).
        context |= {"oob": True, "refresh_filters": request.htmx.trigger != FILTER_FORM}
        return render(request, "settings_app/cluster_list.html#list-answer", context)
    context.update(
        other_agents=other_agents(console, counts),
        summary=[
            (row, reverse("cluster_list", args=[ScopeRef("projects", row.project_id)]))
            for row in counts.by_project
        ],
        totals=counts,
        scope_state=fleet_state(console.tenant if console.is_tenant else console.project, counts),
    )
    context.update(page_context(request, console, "cluster_list"))
    return render(request, "settings_app/cluster_list.html", context)


@dataclass(frozen=True)
class Column:
    """A sortable column header: its name, the address that sorts by it (the other way when it
    already sorts), and its aria-sort."""

    label: str
    link: str
    aria_sort: str  # "ascending", "descending", or "" when the list is not sorted by it


def columns(query: ClusterQuery) -> list[Column]:
    found = []
    for key, spec in SORTS.items():
        if key == query.sort:
            aria = "descending" if query.descending else "ascending"
            link = query.link(sort=key if query.descending else f"-{key}")
        else:
            aria, link = "", query.link(sort=key)
        found.append(Column(spec.label, link, aria))
    return found


@dataclass(frozen=True)
class Paging:
    """What the pagination shows: "Showing 51–100 of 12,345", and its links."""

    showing: str
    first: str
    previous: str
    next: str
    last: str
    numbers: list[tuple[int, str]]  # a few pages around this one


def paging(page: Page, params: dict[str, str]) -> Paging:
    """The pagination of a list whose address keeps `params` (its search, filters, sort)."""
    last = page.last_page_number
    number = page.number
    around = []
    if number:  # 0: the last rows of a list too long to count
        top = last if last is not None else number + (1 if page.has_next else 0)
        for n in range(max(1, number - 2), min(top, number + 2) + 1):
            around.append(
                (
                    n,
                    "?" + urlencode(params | {"page": str(n)})
                    if n > 1
                    else page.link(params, "first"),
                )
            )
    return Paging(
        showing=showing(page),
        first=page.link(params, "first") if page.has_previous or number == 0 else "",
        previous=page.link(params, "previous") if page.has_previous else "",
        next=page.link(params, "next") if page.has_next else "",
        last=page.link(params, "last") if page.has_next else "",
        numbers=around,
    )


@login_required
@require_GET
def cluster_detail(
    request: HttpRequest, scope: ScopeRef, cluster_id: int, panel: str = ""
) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id)
    return ClusterPage(request, console, cluster).render(cluster, panel=panel)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def change_cluster_agent_upgrades(
    request: HttpRequest, scope: ScopeRef, cluster_id: int
) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return apply_change(request, ClusterPage(request, console, cluster))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def undo_cluster_change(request: HttpRequest, scope: ScopeRef, cluster_id: int) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return apply_undo(request, ClusterPage(request, console, cluster))


@login_required
@require_GET
def confirm_cluster_change(request: HttpRequest, scope: ScopeRef, cluster_id: int) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return confirm_change(request, ClusterPage(request, console, cluster))


@login_required
@require_GET
def confirm_cluster_undo(request: HttpRequest, scope: ScopeRef, cluster_id: int) -> HttpResponse:
    console, cluster = cluster_for_user(request.user, scope, cluster_id, change=True)
    return confirm_undo(request, ClusterPage(request, console, cluster))


@dataclass
class ClusterPage:
    """A cluster's details page, and its Cluster Settings panel as a change's answer."""

    request: HttpRequest
    console: ConsoleScope
    obj: Cluster

    @property
    def settings_url(self) -> str:
        return reverse("cluster_settings", args=[self.console.ref, self.obj.pk])

    @property
    def urls(self) -> SwitchUrls:
        args = [self.console.ref, self.obj.pk]
        return SwitchUrls(
            change=reverse("change_cluster_agent_upgrades", args=args),
            confirm_change=reverse("confirm_cluster_change", args=args),
            undo=reverse("undo_cluster_change", args=args),
            confirm_undo=reverse("confirm_cluster_undo", args=args),
        )

    def question(self, value: str) -> Question:
        return cluster_question(self.obj, value, rules.current_agent_version())

    def page_context(self) -> dict:
        return page_context(self.request, self.console, "cluster_list")

    def render(
        self,
        cluster: Cluster,
        *,
        status: int = 200,
        change: rules.Change | None = None,
        panel: str = "settings",
    ) -> HttpResponse:
        """The details page; for an htmx change, only its Cluster Settings panel (with the
        status line, agent version and history swapped out of band)."""
        request, console = self.request, self.console
        fragment = request.htmx and request.method == "POST"
        release = None
        if change is not None and fragment:
            platform_agent = change.platform_agent  # read by the change: no need to ask again
        else:
            release = PlatformRelease.current()
            platform_agent = release.agent_version if release else ""
        context = {
            "cluster": cluster,
            "release": release,
            "platform_agent": platform_agent,
            "panel": panel,
            "history": cluster_history(cluster),
            "switch": cluster_switch(
                cluster,
                urls=self.urls,
                access=cluster_access(console.roles, cluster),
                platform_agent=platform_agent,
                change=change,
            ),
        }
        if fragment:
            return render(
                request,
                "settings_app/cluster_detail.html#cluster-settings",
                context,
                status=status,
            )
        if panel == "settings":
            access = cluster_access(console.roles, cluster)
            scope = WindowScope(console, cluster)
            context["windows"] = windows_section(scope, access, timezone.now())
        context.update(page_context(request, console, "cluster_list"))
        return render(request, "settings_app/cluster_detail.html", context, status=status)
