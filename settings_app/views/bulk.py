"""Pausing or resuming the clusters selected on the Clusters list: the dialog's figures (or,
without JavaScript, the same question on a confirmation page), then the act itself."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from .. import rules
from ..models import AgentUpgrades, Cluster, Scope
from ..permissions import changeable_clusters, may_change_some_cluster, scope_for_user
from ..permissions.scopes import ConsoleScope, ScopeRef
from ..rules.bulk import Selection, bulk_impact, set_clusters
from ..wording.fleet import NOTHING_SELECTED, bulk_confirm, bulk_done, bulk_title
from .cluster_query import ClusterQuery
from .clusters import scope_counts
from .confirm import confirmation_page
from .errors import error_response, form_errors
from .navigation import page_context
from .switch import AgentUpgradesForm, Question

FILTER_FIELDS = ("q", "paused", "behind", "mixed", "sort")


class BadSelection(ValueError):
    pass


def selection_from(data: QueryDict, console: ConsoleScope) -> Selection | None:
    """The clusters the page selected: every one that matches its filters (`all`, with the time
    the page was drawn), or those ticked, each with the setting version its row showed
    (`cluster` = "id:version", one per field or comma-separated). None: nothing selected."""
    if data.get("all") == "1":
        drawn_at = _moment(data.get("drawn_at", ""))
        if drawn_at is None:
            raise BadSelection("Reload the page: it does not say when it was drawn.")
        query = ClusterQuery.from_query(data)
        # The platform's agent only for what depends on it (the act reads it again, locked).
        platform_agent = rules.current_agent_version() if query.behind or query.mixed else ""
        counts = scope_counts(console, platform_agent) if query.mixed else rules.FleetCounts()
        return Selection(query.apply(console.clusters(), platform_agent, counts), None, drawn_at)
    versions: dict[int, int] = {}
    for field in data.getlist("cluster"):
        for item in field.split(","):
            pk, _, version = item.partition(":")
            if not (pk.isdigit() and version.isdigit()) or len(pk) > 18 or len(version) > 9:
                raise BadSelection(f"“{item}” is not a cluster and its version.")
            versions[int(pk)] = int(version)
    return Selection(console.clusters(), versions) if versions else None


def _moment(text: str) -> datetime | None:
    """A moment with its time zone, in UTC; None for anything else (no such day or offset, no
    zone, or past the last moment a date can name in UTC)."""
    try:
        moment = parse_datetime(text)
        return moment.astimezone(UTC) if moment and moment.tzinfo else None
    except (ValueError, OverflowError):
        return None


def may_change_some(console: ConsoleScope) -> None:
    """Refuse (403) a user who may change none of the scope's clusters: a Project Viewer."""
    if not may_change_some_cluster(console):
        raise PermissionDenied("You have view-only access: you may not change these clusters.")


def back_to_list(console: ConsoleScope, data: QueryDict) -> str:
    return reverse("cluster_list", args=[console.ref]) + ClusterQuery.from_query(data).link()


def _read(request: HttpRequest, data: QueryDict, scope: ScopeRef):
    console = scope_for_user(request.user, scope)
    may_change_some(console)
    form = AgentUpgradesForm(data)
    if not form.is_valid():
        return console, None, None, form_errors(form)
    try:
        selection = selection_from(data, console)
    except BadSelection as bad:
        return console, None, None, f"{bad} Nothing was changed."
    return console, form, selection, ""


@login_required
@require_GET
@vary_on_headers("Accept")
def confirm_bulk_change(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    """What pausing or resuming the selection will do: for the in-page dialog as JSON
    ({"title", "text", "pause"}, or {"error"}), and without JavaScript as a confirmation page
    whose OK posts the same selection."""
    console, form, selection, error = _read(request, request.GET, scope)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if error:
        if wants_json:
            return JsonResponse({"error": error})
        return error_response(request, 400, "Bad request", error)
    value = form.cleaned_data["value"]
    changeable = changeable_clusters(console.roles, Cluster.objects.all())
    impact = selection and bulk_impact(selection, value, changeable=changeable)
    if not impact or not impact.selected:  # none ticked, or none the user can see
        if wants_json:
            return JsonResponse({"error": NOTHING_SELECTED})
        messages.error(request, NOTHING_SELECTED)
        return redirect(back_to_list(console, request.GET))
    question = Question(bulk_title(value, impact.selected), bulk_confirm(impact))
    pausing = value == AgentUpgrades.LOCK
    if wants_json:
        return JsonResponse({"title": question.title, "text": question.text, "pause": pausing})
    fields = {name: request.GET.get(name, "") for name in FILTER_FIELDS}
    fields |= {"value": value, "cluster": ",".join(request.GET.getlist("cluster"))}
    if request.GET.get("all") == "1":
        fields |= {"all": "1", "drawn_at": request.GET.get("drawn_at", ""), "cluster": ""}
    return confirmation_page(
        request,
        page_context(request, console, "cluster_list"),
        question,
        action=reverse("bulk_change_clusters", args=[console.ref]),
        fields={name: value for name, value in fields.items() if value},
        back=back_to_list(console, request.GET),
        pausing=pausing,
    )


@login_required
@require_POST
@vary_on_headers("HX-Request")
def bulk_change_clusters(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    """Rule 3 for every selected cluster the user may change and nobody changed since the page
    was drawn, in one transaction; back to the list, whose message counts what changed."""
    console, form, selection, error = _read(request, request.POST, scope)
    if error:
        return error_response(request, 400, "Bad request", error)
    back = back_to_list(console, request.POST)
    if selection is None:
        messages.error(request, NOTHING_SELECTED)
    else:
        change = set_clusters(
            selection,
            form.cleaned_data["value"],
            tenant=console.tenant,
            changeable=changeable_clusters(console.roles, Cluster.objects.all()),
            actor=request.user,
            pause=form.pause,
            scope=Scope.TENANT if console.is_tenant else Scope.PROJECT,
            project_id=None if console.is_tenant else console.project.pk,
        )
        if change.written:
            messages.success(request, bulk_done(change))
        else:
            messages.info(request, bulk_done(change))
    if request.htmx:
        return HttpResponseClientRedirect(back)
    return redirect(back)
