"""Superusers manage tenants, projects, clusters and role grants here (guardian's object admin).

The agent-upgrade setting and a cluster's agent version are shown, never edited here: they
change only through the console and its rules, where every change cascades and is audited. A
cluster moves only within its tenant, and the move is audited.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from guardian.admin import GuardedModelAdmin

from . import rules
from .models import (
    SETTING_FIELDS,
    SETTING_VERSION,
    AgentUpgrade,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    Tenant,
)

admin.site.site_header = admin.site.site_title = "Palette console administration"
admin.site.index_title = "Tenants, projects, clusters and roles"

SETTING = (*SETTING_FIELDS, SETTING_VERSION)
SETTING_FIELDSET = (
    "Agent upgrades (changed in the console, where it is audited)",
    {"fields": SETTING},
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
    readonly_fields = SETTING
    fieldsets = ((None, {"fields": ("name",)}), SETTING_FIELDSET)


@admin.register(Project)
class ProjectAdmin(GuardedModelAdmin):
    list_display = ("name", "tenant", "agent_upgrades", "agent_upgrades_set_at")
    list_filter = ("tenant",)
    list_select_related = ("tenant",)
    search_fields = ("name", "tenant__name")
    readonly_fields = SETTING
    fieldsets = ((None, {"fields": ("tenant", "name")}), SETTING_FIELDSET)

    def get_readonly_fields(self, request, obj=None):
        # A project stays in its tenant: its clusters, grants and audit trail belong there.
        return (*SETTING, "tenant") if obj else SETTING


@admin.register(Cluster)
class ClusterAdmin(GuardedModelAdmin):
    list_display = (
        "name",
        "project_name",
        "agent_version",
        "agent_upgrades",
        "agent_upgrades_set_via",
    )
    list_filter = ("tenant", "agent_upgrades")
    list_select_related = ("project__tenant",)
    search_fields = ("name", "project__name")
    readonly_fields = (*SETTING, "agent_version")
    fieldsets = ((None, {"fields": ("project", "name", "agent_version")}), SETTING_FIELDSET)

    @admin.display(description="project", ordering="project__tenant__name")
    def project_name(self, cluster: Cluster) -> str:
        return cluster.project.full_name  # "Acme / Default": projects may share a name

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Projects of different tenants may share a name: say whose. A cluster moves only
        # within its tenant, so an existing one is offered its own tenant's projects.
        projects = Project.objects.select_related("tenant").order_by("tenant__name", "name")
        if obj is not None:
            projects = projects.filter(tenant_id=obj.tenant_id)
        field = form.base_fields["project"]
        field.queryset = projects
        field.label_from_instance = lambda project: project.full_name
        return form

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if not change:
                rules.take_project_setting(obj)  # rule 5, and the platform's current agent
            elif "project" in form.changed_data:
                rules.move_cluster(obj, obj.project, actor=request.user)
            super().save_model(request, obj, form, change)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "actor_name",
        "action",
        "scope",
        "object_name",
        "old_value",
        "new_value",
        "via",
    )
    list_filter = ("tenant", "action", "scope", "via")
    search_fields = ("object_name", "actor_name", "reason", "detail")


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
