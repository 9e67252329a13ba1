"""Template filters for the console's pages."""

from __future__ import annotations

from django import template

from ..models import Project
from ..scopes import ScopeRef
from ..views.switch import ago, source

register = template.Library()
register.filter("source", source)
register.filter("ago", ago)


@register.filter
def project_scope(project: Project) -> ScopeRef:
    """The project's scope, for `{% url 'cluster_list' project|project_scope %}`."""
    return ScopeRef("projects", project.pk)
