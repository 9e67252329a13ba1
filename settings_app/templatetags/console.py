"""Template filters for the console's pages."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .. import wording
from ..models import Project
from ..permissions.scopes import ScopeRef
from ..wording import ago, details, fleet_state, when, who
from ..wording.audit import change_label, how, release_counts
from ..wording.changes import upgrade_note

register = template.Library()
register.filter("details", details)


@register.filter
def window_span(times) -> str:
    """An occurrence of a window (rules.freeze_calendar.WindowTimes) in its zone, UTC beside it."""
    return wording.window_span(times.start, times.end, times.window.time_zone)


def _span(start: datetime, end: datetime, zone: str) -> str:
    """'Fri 27 Nov 18:00 – Mon 30 Nov 06:00 Europe/Berlin': both ends with their days."""
    tz = ZoneInfo(zone)
    start, end = start.astimezone(tz), end.astimezone(tz)
    return f"{start:%a} {start.day} {start:%b %H:%M} – {end:%a} {end.day} {end:%b %H:%M} {zone}"


@register.filter
def local_span(times) -> str:
    """An occurrence in its window's zone, with the days of both ends."""
    return _span(times.start, times.end, times.window.time_zone)


@register.filter
def utc_span(times) -> str:
    """The same occurrence in UTC, with the days of both ends."""
    return _span(times.start, times.end, "UTC")


register.filter("ago", ago)
register.filter("when", when)
register.filter("upgrade_note", upgrade_note)
register.filter("who", who)
register.filter("release_counts", release_counts)
register.filter("change_label", change_label)
register.filter("how", how)


# A hyphenated word in the console's sentences is a name: a cluster's ("prod-east"), a user's
# ("tenant-admin"). A line may break at a hyphen; a name must not ("prod-" / "east").
HYPHENATED = re.compile(r"\w+(?:-\w+)+")


@register.filter(needs_autoescape=True)
def keep_names(text: object, autoescape: bool = True) -> SafeString:
    """The text, escaped, with each hyphenated name kept on one line (`<span class="name">`);
    console.js does the same for the dialog's text."""
    escaped = str(conditional_escape(text) if autoescape else text)
    return mark_safe(HYPHENATED.sub(r'<span class="name">\g<0></span>', escaped))


@register.filter
def project_scope(project: Project) -> ScopeRef:
    """The project's scope, for `{% url 'cluster_list' project|project_scope %}`."""
    return ScopeRef("projects", project.pk)


@register.filter
def state_of(counts) -> object:
    """The badge of some clusters counted together (a row of the per-project summary)."""
    return fleet_state(None, counts)


@register.filter
def behind(cluster, platform_agent: str) -> bool:
    return cluster.is_behind(platform_agent)
