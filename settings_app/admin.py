"""Superusers manage tenants, projects, clusters and role grants here (guardian's object admin).

The agent-upgrade setting itself is read-only here: it changes only through the console, where
every change cascades by the rules and is audited.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import Q
from guardian.admin import GuardedModelAdmin

from . import rules
from .models import AgentUpgrade, AuditEvent, Cluster, PlatformRelease, Project, Tenant

SETTING_FIELDS = (
    "agent_upgrades",
    "agent_upgrades_version",
    "agent_upgrades_set_via",
    "agent_upgrades_set_by",
    "agent_upgrades_set_at",
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the rules, in their transactions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tenant)
class TenantAdmin(GuardedModelAdmin):
    list_display = ("name", "agent_upgrades", "agent_upgrades_set_at")
    search_fields = ("name",)
    readonly_fields = SETTING_FIELDS


@admin.register(Project)
class ProjectAdmin(GuardedModelAdmin):
    list_display = ("name", "tenant", "agent_upgrades", "agent_upgrades_set_at")
    list_filter = ("tenant",)
    list_select_related = ("tenant",)
    search_fields = ("name", "tenant__name")
    readonly_fields = SETTING_FIELDS

    def get_readonly_fields(self, request, obj=None):
        # A project stays in its tenant: its clusters, grants and audit trail belong there.
        return (*SETTING_FIELDS, "tenant") if obj else SETTING_FIELDS


@admin.register(Cluster)
class ClusterAdmin(GuardedModelAdmin):
    exclude = ("tenant",)  # always its project's tenant (Cluster.save)
    list_display = ("name", "project", "agent_version", "agent_upgrades", "agent_upgrades_set_via")
    list_filter = ("tenant", "agent_upgrades")
    list_select_related = ("project__tenant",)
    search_fields = ("name", "project__name")
    readonly_fields = SETTING_FIELDS

    def get_changeform_initial_data(self, request):
        return {
            "agent_version": rules.current_agent_version(),
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        if not change:
            rules.adopt_project_setting(obj)  # rule 5: a new cluster takes its project's value
        before = Cluster.objects.filter(pk=obj.pk).values("project_id")
        projects = Project.objects.filter(Q(pk=obj.project_id) | Q(pk__in=before))
        with transaction.atomic():
            projects = list(projects.values_list("pk", flat=True))
            super().save_model(request, obj, form, change)
            rules.refresh_fleet(Project.objects.filter(pk__in=projects), prune=True)

    def delete_model(self, request, obj):
        with transaction.atomic():
            super().delete_model(request, obj)
            rules.refresh_fleet(Project.objects.filter(pk=obj.project_id), prune=True)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            projects = list(queryset.values_list("project_id", flat=True).distinct())
            super().delete_queryset(request, queryset)
            rules.refresh_fleet(Project.objects.filter(pk__in=projects), prune=True)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "scope", "object_name", "old_value", "new_value", "via")
    list_filter = ("tenant", "scope", "via")
    search_fields = ("object_name", "actor_name")


@admin.register(PlatformRelease)
class PlatformReleaseAdmin(ReadOnlyAdmin):
    # Releasing rolls the agent out: that happens on the Platform Upgrades page or with
    # `manage.py release_platform`, never by adding a row here.
    list_display = (
        "version",
        "agent_version",
        "released_at",
        "agents_upgraded",
        "agents_held_back",
    )


@admin.register(AgentUpgrade)
class AgentUpgradeAdmin(ReadOnlyAdmin):
    list_display = ("at", "cluster", "from_version", "to_version", "cause", "actor_name")
    list_filter = ("cause",)
    list_select_related = ("cluster",)
