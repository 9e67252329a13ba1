"""Superusers manage tenants, projects, clusters and role grants here (guardian's object admin).

The agent-upgrade setting and a cluster's agent version are shown, never edited here: they
change only through the console and its rules, where every change cascades and is audited. A
cluster moves only within its tenant, and the move is audited.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import BadRequest
from django.db import transaction
from django.http import Http404
from guardian.admin import GuardedModelAdmin

from . import rules
from .models import (
    SETTING_FIELDS,
    SETTING_VERSION,
    AgentUpgrade,
    ApiKey,
    AuditEvent,
    Cluster,
    EdgeHost,
    Gateway,
    PlatformRelease,
    Project,
    Tenant,
)
from .models.keys import change_key

admin.site.site_header = admin.site.site_title = "Palette console administration"
admin.site.index_title = "Tenants, projects, clusters and roles"

SETTING = (*SETTING_FIELDS, SETTING_VERSION)
SETTING_FIELDSET = (
    "Agent upgrades (changed in the console, where it is audited)",
    {"fields": SETTING},
)


class PlainInput:
    """What the admin's addresses may carry: a list's filters hold no NUL (which PostgreSQL
    refuses in any text), and an object's roles page is at a number."""

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in part for item in request.GET.lists() for part in (item[0], *item[1])):
            raise BadRequest("The address holds a NUL character, which no filter can match.")
        try:
            return super().changelist_view(request, extra_context)
        except OverflowError:  # a number past what SQLite stores, e.g. ?id__in=9223372036854775808
            raise BadRequest("The address holds a number larger than any stored.") from None

    def obj_perms_manage_view(self, request, object_pk):
        return super().obj_perms_manage_view(request, _number(object_pk))

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        return super().obj_perms_manage_user_view(request, _number(object_pk), user_id)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        return super().obj_perms_manage_group_view(request, _number(object_pk), group_id)


def _number(text: str) -> str:
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        raise Http404("No such object.")
    return text


class GuardedAdmin(PlainInput, GuardedModelAdmin):
    """Tenants, projects and clusters, with their object roles."""


class ReadOnlyAdmin(PlainInput, admin.ModelAdmin):
    """Records written only by the rules, in their transactions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tenant)
class TenantAdmin(GuardedAdmin):
    list_display = ("name", "uid", "agent_upgrades", "agent_upgrades_set_at")
    search_fields = ("name", "uid")
    readonly_fields = ("uid", *SETTING)
    fieldsets = ((None, {"fields": ("name", "uid")}), SETTING_FIELDSET)


@admin.register(Project)
class ProjectAdmin(GuardedAdmin):
    list_display = ("name", "tenant", "uid", "agent_upgrades", "agent_upgrades_set_at")
    list_filter = ("tenant",)
    list_select_related = ("tenant",)
    search_fields = ("name", "tenant__name", "uid")
    readonly_fields = ("uid", *SETTING)
    fieldsets = ((None, {"fields": ("tenant", "name", "uid")}), SETTING_FIELDSET)

    def get_readonly_fields(self, request, obj=None):
        # A project stays in its tenant: its clusters, grants and audit trail belong there.
        return (*self.readonly_fields, "tenant") if obj else self.readonly_fields


@admin.register(Cluster)
class ClusterAdmin(GuardedAdmin):
    list_display = (
        "name",
        "project_name",
        "uid",
        "agent_version",
        "agent_upgrades",
        "agent_upgrades_set_via",
    )
    list_filter = ("tenant", "agent_upgrades")
    list_select_related = ("project__tenant",)
    search_fields = ("name", "project__name", "uid")
    readonly_fields = ("uid", *SETTING, "agent_version")
    fieldsets = ((None, {"fields": ("project", "name", "uid", "agent_version")}), SETTING_FIELDSET)

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


class AgentAdmin(PlainInput, admin.ModelAdmin):
    """Gateways and Edge hosts: registered here, with the platform's agent; their setting is
    written only by the console's rules (a gateway's switch, its tenant's push; a host's
    project's or tenant's push), audited. Where one belongs stays as it was registered."""

    readonly_fields = ("uid", *SETTING, "agent_version")
    fixed_after_add: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, *self.fixed_after_add) if obj else self.readonly_fields


@admin.register(Gateway)
class GatewayAdmin(AgentAdmin):
    list_display = ("name", "tenant", "uid", "agent_version", "agent_upgrades")
    list_filter = ("tenant", "agent_upgrades")
    list_select_related = ("tenant",)
    search_fields = ("name", "uid")
    fixed_after_add = ("tenant",)
    fieldsets = ((None, {"fields": ("tenant", "name", "uid", "agent_version")}), SETTING_FIELDSET)

    def save_model(self, request, obj, form, change):
        if not change:  # active, with the platform's agent: the tenant's next push reaches it
            obj.agent_version = rules.current_agent_version()
        super().save_model(request, obj, form, change)


@admin.register(EdgeHost)
class EdgeHostAdmin(AgentAdmin):
    list_display = ("name", "project", "cluster", "uid", "agent_version", "agent_upgrades")
    list_filter = ("tenant",)
    list_select_related = ("project", "cluster")
    search_fields = ("name", "uid", "cluster__name")
    fixed_after_add = ("project", "cluster")
    fieldsets = (
        (None, {"fields": ("project", "cluster", "name", "uid", "agent_version")}),
        SETTING_FIELDSET,
    )

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        with transaction.atomic():  # rule 5 for an idle host, and the platform's agent
            host = rules.new_edge_host(obj.project, obj.name, cluster=obj.cluster)
        obj.pk = host.pk


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "actor_name",
        "api_key_name",
        "action",
        "scope",
        "object_name",
        "old_value",
        "new_value",
        "via",
    )
    list_filter = ("tenant", "action", "scope", "via")
    search_fields = ("uid", "object_name", "actor_name", "api_key_name", "reason", "detail")


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    # Users make their keys on My API Keys, and revoke them there or on Tenant Settings; only
    # a digest is stored, so there is nothing secret to show here.
    list_display = ("name", "prefix", "user", "tenant", "created_at", "last_used_at", "expires_at")
    list_filter = ("tenant", "active")
    list_select_related = ("user", "tenant")
    search_fields = ("name", "prefix", "user__username")
    exclude = ("digest",)

    def has_delete_permission(self, request, obj=None):
        # Deleting a key takes access away; and deleting a user or a tenant deletes their keys.
        return request.user.is_superuser

    def delete_model(self, request, obj):
        change_key(obj, "delete", request.user)  # audited, as on the pages

    def delete_queryset(self, request, queryset):
        for key in queryset.select_related("tenant", "user"):
            change_key(key, "delete", request.user)


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
