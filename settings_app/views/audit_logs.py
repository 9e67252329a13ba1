"""Audit Logs: the setting changes and releases the user may see in the current scope, newest
first, filtered by object, actor, act, date range and reason, paged by keyset; and the same
trail as CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, Value, When
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import AuditEvent
from ..permissions import scope_for_user, visible_audit_events
from ..scopes import ConsoleScope, ScopeRef
from ..sql import UtcText
from ..wording.audit import NOTHING_MATCHES, change_name, reversed_range
from .audit_query import ACTS, NEWEST_FIRST, AuditQuery
from .csv_export import csv_response
from .navigation import page_context
from .paging import Page, keyset_page

EVENTS_PER_PAGE = 50
NEIGHBOURS = 2  # page numbers shown either side of the current one
# Counted exactly up to here, beyond "more than 1,000": a search over reasons can only read
# event after event, and a trail of a million events is read 1,000 at a time, not 10,000.
COUNT_CAP = 1_000


def audit_events(console: ConsoleScope, query: AuditQuery):
    """The events of the scope that the user may see, narrowed by the address's filters."""
    return query.apply(visible_audit_events(console), console.tenant.pk)


def page_numbers(page: Page, query: AuditQuery) -> list[tuple[int, str]]:
    """A few page numbers around the current one, each with its address."""
    last = page.last_page_number or page.number
    if not page.number:
        return []
    low, high = max(1, page.number - NEIGHBOURS), min(last, page.number + NEIGHBOURS)
    return [(number, query.link(page=number)) for number in range(low, high + 1)]


@login_required
@require_GET
def audit_log(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    console = scope_for_user(request.user, scope)
    query = AuditQuery.from_query(request.GET)
    page = keyset_page(
        audit_events(console, query),
        NEWEST_FIRST,
        request.GET,
        EVENTS_PER_PAGE,
        count_cap=COUNT_CAP,
    )
    change = None
    if query.change:  # the change whose parts are shown, named in its chip
        change = visible_audit_events(console).filter(uid=query.change).first()
    params = query.params()
    return render(
        request,
        "settings_app/audit_log.html",
        {
            **page_context(request, console, "audit_log"),
            "page": page,
            "query": query,
            "chips": query.chips(change_name(change) if change else ""),
            "acts": ACTS,
            "links": {
                where: page.link(params, where) for where in ("first", "previous", "next", "last")
            },
            "numbers": page_numbers(page, query),
            "export_query": query.link() if query.params() else "",  # every page: no cursor
            "is_superuser": console.roles.superuser,
            "nothing_matches": NOTHING_MATCHES,
            "reversed_range": (reversed_range(query.since, query.until) if query.reversed else ""),
        },
    )


# The export's columns, named once: (its header, the event's field, or what is read for it:
# times as text made in SQL, `UtcText`, and the act by its label).
CSV_COLUMNS = [
    ("time_utc", UtcText("at")),
    ("actor", "actor_name"),
    ("api_key", "api_key_name"),
    (
        "act",
        Case(
            *(
                When(action=action, then=Value(label))
                for action, label in AuditEvent.Action.choices
            ),
            default=F("action"),
        ),
    ),
    ("object_kind", "scope"),
    ("object_name", "object_name"),
    ("from", "old_value"),
    ("to", "new_value"),
    ("how", "via"),
    ("reason", "reason"),
    ("paused_until_utc", UtcText("until")),  # none: an empty cell
    ("detail", "detail"),
    ("agents_upgraded", "agents_upgraded"),
    ("agents_held_back", "agents_held_back"),
]


@login_required
@require_GET
def audit_log_csv(request: HttpRequest, scope: ScopeRef) -> StreamingHttpResponse:
    """Every event the page's filters match (not only one page), newest first, streamed."""
    console = scope_for_user(request.user, scope)
    events = audit_events(console, AuditQuery.from_query(request.GET))
    rows = events.order_by(*NEWEST_FIRST.order_by()).values_list(*(read for _, read in CSV_COLUMNS))
    return csv_response("audit-logs.csv", [name for name, _ in CSV_COLUMNS], rows.iterator(2000))
