"""Template filters for the console's pages."""

from __future__ import annotations

from django import template

from ..models import Project
from ..scopes import ScopeRef
from ..wording import ago, details, fleet_state, upgrade_note, when

register = template.Library()
register.filter("details", details)
register.filter("ago", ago)
register.filter("when", when)
register.filter("upgrade_note", upgrade_note)


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
