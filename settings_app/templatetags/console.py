"""Template filters for the console's pages."""

from __future__ import annotations

from django import template

from ..models import Project
from ..scopes import ScopeRef
from ..wording import ago, details, key_question, upgrade_note, when, who

register = template.Library()
register.filter("details", details)
register.filter("ago", ago)
register.filter("when", when)
register.filter("upgrade_note", upgrade_note)
register.filter("who", who)
register.filter("key_question", key_question)


@register.filter
def project_scope(project: Project) -> ScopeRef:
    """The project's scope, for `{% url 'cluster_list' project|project_scope %}`."""
    return ScopeRef("projects", project.pk)


@register.filter
def behind(cluster, platform_agent: str) -> bool:
    return cluster.is_behind(platform_agent)
