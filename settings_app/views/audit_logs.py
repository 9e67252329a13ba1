"""Audit Logs: the setting changes and releases the user may see in the current scope, newest
first, filtered by object, actor, act, date range and reason, paged by keyset; and the same
trail as CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Case, CharField, F, Func, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import AgentUpgrades, AuditEvent, Scope, Via
from ..permissions import scope_for_user, visible_audit_events
from ..permissions.scopes import ConsoleScope, ScopeRef
from ..sql import UtcText
from ..wording.audit import NOTHING_MATCHES, SET_DIRECTLY, change_name, reversed_range
from .agent_links import edge_host_path, gateway_path
from .audit_query import ACTS, KINDS, NEWEST_FIRST, AuditQuery
from .csv_export import csv_response
from .errors import error_response
from .navigation import page_context
from .paging import Page, keyset_page

EVENTS_PER_PAGE = 50
NEIGHBOURS = 2  # page numbers shown either side of the current one
# Counted exactly up to here, beyond "more than 1,000": a search over reasons can only read
# event after event, and a trail of a million events is read 1,000 at a time, not 10,000.
COUNT_CAP = 1_000


def audit_events(console: ConsoleScope, query: AuditQuery):
    """The events of the scope that the user may see, narrowed by the address's filters."""
    names = query.names(console.tenant.pk)
    few = query.one_object(names) is not None  # one object's events: read by their key
    visible = visible_audit_events(console.roles, console.tenant, console.project, few=few)
    return query.apply(visible, console.tenant.pk, names)


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
    for event in page.object_list:
        event.agent_link = agent_link(event, console)
    change = None
    if query.change:  # the change whose parts are shown, named in its chip
        change = (
            visible_audit_events(console.roles, console.tenant, console.project)
            .filter(uid=query.change)
            .first()
        )
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
            "kinds": KINDS,
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


def agent_link(event: AuditEvent, console: ConsoleScope) -> str | None:
    """The page of a gateway's or an Edge host's event's object ('' once it is gone); None for
    the other kinds. Whoever sees such an event may open the object: a gateway's events are its
    tenant's only (no project role sees them), an idle host's its project's."""
    if event.scope == Scope.GATEWAY:
        return gateway_path(event.tenant_id, event.gateway_id) if event.gateway_id else ""
    if event.scope == Scope.EDGE_HOST:
        return edge_host_path(console.ref, event.edge_host_id) if event.edge_host_id else ""
    return None


# The export speaks as the page does (Paused/Active, "set directly", "pushed by tenant"), in text
# made in SQL, never per row in Python; the API's lock/unlock are columns of their own.
LOCK, UNLOCK, BULK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK, AuditEvent.Action.BULK
MIXED = "mixed"  # a bulk act's clusters were some paused, some active (not a stored value)
LABELS = {LOCK: LOCK.label, UNLOCK: UNLOCK.label, MIXED: "Mixed"}
API_VALUES = {LOCK: LOCK.value, UNLOCK: UNLOCK.value, MIXED: ""}


def _label(field: str) -> Case:
    """lock/unlock, as the pages say them: Paused/Active."""
    return _said(field, {value: Value(text) for value, text in LABELS.items()})


def _before(words: dict[str, str]) -> Case:
    """What the object was before the event, in `words` (lock, unlock and "mixed" → text): its
    old value; for a bulk act, what the clusters it changed were, read from its parts
    (`audit_part_cluster`, only for a bulk act's row) — or, when it changed none, its value."""
    said = {value: Value(text) for value, text in words.items()}
    parts = (
        AuditEvent.objects.filter(part_of=OuterRef("pk"))
        .order_by()
        .values("part_of")
        .annotate(low=Min("old_value"), high=Max("old_value"))
        .annotate(
            before=Case(
                When(high=LOCK, then=said[LOCK]),
                When(low=UNLOCK, then=said[UNLOCK]),
                default=said[MIXED],
            )
        )
        .values("before")
    )
    return Case(
        When(action=BULK, then=Coalesce(Subquery(parts), _said("new_value", said))),
        default=_said("old_value", said),
        output_field=CharField(),
    )


def _said(field: str, said: dict[str, Value]) -> Case:
    """The field's lock or unlock, said in `said`'s words; nothing for an event without one."""
    return Case(
        When(Q(**{field: LOCK}), then=said[LOCK]),
        When(Q(**{field: UNLOCK}), then=said[UNLOCK]),
        default=Value(""),
    )


def _how() -> Case:
    """The page's How (wording.audit.how): "set directly" on the object itself, else how."""
    return Case(
        When(action=AuditEvent.Action.RELEASE, then=Value("platform release")),
        When(action=AuditEvent.Action.MOVE, then=Value("")),
        When(via=F("scope"), then=Value(SET_DIRECTLY)),
        *(When(via=via, then=Value(label)) for via, label in Via.choices),
        default=Value(""),
    )


def _joined(*parts) -> Func:
    """Texts joined with ||, which SQLite and PostgreSQL share: every part here is a CASE with
    a default or a constant, never NULL, so Concat's COALESCE of each part is not needed."""
    return Func(*parts, template="(%(expressions)s)", arg_joiner=" || ", output_field=CharField())


def _change() -> Case:
    """The page's Change (wording.audit.change_label): 'Active → Paused', 'Paused (now pushed
    by tenant)', 'Paused (again)', and a bulk act's 'Paused, each'."""
    new = _label("new_value")
    return Case(
        When(action__in=[AuditEvent.Action.RELEASE, AuditEvent.Action.MOVE], then=Value("")),
        When(action=BULK, then=_joined(new, Value(", each"))),
        When(
            Q(old_value=F("new_value")) & ~Q(old_via=F("via")),
            then=_joined(new, Value(" (now "), _how(), Value(")")),
        ),
        When(old_value=F("new_value"), then=_joined(new, Value(" (again)"))),
        default=_joined(_label("old_value"), Value(" → "), new),
        output_field=CharField(),
    )


# The export's columns, named once: (its header, the event's field, or what is read for it).
CSV_COLUMNS = [
    ("time_utc", UtcText("at")),
    ("actor", "actor_name"),
    ("api_key", "api_key_name"),
    (
        "action",
        Case(
            *(
                When(action=action, then=Value(label))
                for action, label in AuditEvent.Action.choices
            ),
            default=F("action"),
        ),
    ),
    (
        "object_kind",
        Case(
            When(action=BULK, then=Value("selected clusters")),
            *(When(scope=scope, then=Value(label)) for scope, label in Scope.choices),
            default=F("scope"),
        ),
    ),
    ("object_name", "object_name"),
    ("change", _change()),
    ("from", _before(LABELS)),
    ("to", _label("new_value")),
    ("how", _how()),
    ("reason", "reason"),
    ("paused_until_utc", UtcText("until")),  # none: an empty cell
    ("detail", "detail"),
    ("agents_upgraded", "agents_upgraded"),
    ("agents_held_back", "agents_held_back"),
    ("from_api_value", _before(API_VALUES)),
    ("to_api_value", "new_value"),
]


@login_required
@require_GET
def audit_log_csv(request: HttpRequest, scope: ScopeRef) -> HttpResponse:
    """Every event the page's filters match (not only one page), newest first, streamed."""
    console = scope_for_user(request.user, scope)
    query = AuditQuery.from_query(request.GET)
    if query.reversed:
        return error_response(request, 400, "Bad request", reversed_range(query.since, query.until))
    rows = (
        audit_events(console, query)
        .order_by(*NEWEST_FIRST.order_by())
        .values_list(*(read for _, read in CSV_COLUMNS))
    )
    return csv_response("audit-logs.csv", [name for name, _ in CSV_COLUMNS], rows.iterator(2000))
