"""The console's URLs. Pages that exist in both scopes take the scope as `<scope:scope>`."""

from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from .permissions.scopes import ScopeConverter
from .views import (
    api_keys,
    audit_logs,
    bulk,
    cluster_export,
    clusters,
    edge_hosts,
    gateways,
    navigation,
    notifications,
    platform,
    project_settings,
    tenant_settings,
    window_pages,
)

register_converter(ScopeConverter, "scope")

urlpatterns = [
    path("", navigation.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=navigation.LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", navigation.LogoutView.as_view(), name="logout"),
    path("scope/", navigation.switch_scope, name="switch_scope"),
    path("platform/upgrades/", platform.platform_upgrades, name="platform_upgrades"),
    path("platform/upgrades/confirm/", platform.confirm_release, name="confirm_release"),
    path("platform/upgrades/impact/", platform.release_impact, name="release_impact"),
    # My API Keys (the account area of the header)
    path("account/api-keys/", api_keys.my_api_keys, name="my_api_keys"),
    *[
        path(
            f"account/api-keys/<int:key_id>/{action}/",
            api_keys.change_api_key,
            {"action": action},
            name=f"{action}_api_key",
        )
        for action in ("revoke", "activate", "delete")
    ],
    # Clusters, in the tenant scope or a project scope
    path("<scope:scope>/clusters/", clusters.cluster_list, name="cluster_list"),
    path("<scope:scope>/clusters.csv", cluster_export.cluster_list_csv, name="cluster_list_csv"),
    path(
        "<scope:scope>/clusters/agent-upgrades/",
        bulk.bulk_change_clusters,
        name="bulk_change_clusters",
    ),
    path(
        "<scope:scope>/clusters/agent-upgrades/confirm/",
        bulk.confirm_bulk_change,
        name="confirm_bulk_change",
    ),
    path(
        "<scope:scope>/clusters/<int:cluster_id>/", clusters.cluster_detail, name="cluster_detail"
    ),
    path(
        "<scope:scope>/clusters/<int:cluster_id>/settings/",
        clusters.cluster_detail,
        {"panel": "settings"},
        name="cluster_settings",
    ),
    path(
        "<scope:scope>/clusters/<int:cluster_id>/agent-upgrades/",
        clusters.change_cluster_agent_upgrades,
        name="change_cluster_agent_upgrades",
    ),
    path(
        "<scope:scope>/clusters/<int:cluster_id>/agent-upgrades/undo/",
        clusters.undo_cluster_change,
        name="undo_cluster_change",
    ),
    # Without JavaScript, each change is asked on a confirmation page first.
    path(
        "<scope:scope>/clusters/<int:cluster_id>/agent-upgrades/confirm/",
        clusters.confirm_cluster_change,
        name="confirm_cluster_change",
    ),
    path(
        "<scope:scope>/clusters/<int:cluster_id>/agent-upgrades/undo/confirm/",
        clusters.confirm_cluster_undo,
        name="confirm_cluster_undo",
    ),
    # Clusters › Edge Hosts, read-only: a host's setting is its project's or tenant's to write
    path("<scope:scope>/edge-hosts/", edge_hosts.edge_host_list, name="edge_host_list"),
    path("<scope:scope>/edge-hosts.csv", edge_hosts.edge_host_list_csv, name="edge_host_list_csv"),
    path(
        "<scope:scope>/edge-hosts/<int:host_id>/",
        edge_hosts.edge_host_detail,
        name="edge_host_detail",
    ),
    path("<scope:scope>/audit-logs/", audit_logs.audit_log, name="audit_log"),
    path("<scope:scope>/audit-logs.csv", audit_logs.audit_log_csv, name="audit_log_csv"),
    # Project Settings
    path(
        "projects/<int:project_id>/settings/",
        project_settings.project_settings,
        name="project_settings",
    ),
    path(
        "projects/<int:project_id>/settings/platform/",
        project_settings.project_settings,
        {"section": "platform"},
        name="project_platform_settings",
    ),
    path(
        "projects/<int:project_id>/agent-upgrades/",
        project_settings.change_project_agent_upgrades,
        name="change_project_agent_upgrades",
    ),
    path(
        "projects/<int:project_id>/agent-upgrades/undo/",
        project_settings.undo_project_change,
        name="undo_project_change",
    ),
    path(
        "projects/<int:project_id>/agent-upgrades/confirm/",
        project_settings.confirm_project_change,
        name="confirm_project_change",
    ),
    path(
        "projects/<int:project_id>/agent-upgrades/undo/confirm/",
        project_settings.confirm_project_undo,
        name="confirm_project_undo",
    ),
    # Projects and Tenant Settings
    path("tenants/<int:tenant_id>/projects/", tenant_settings.project_list, name="project_list"),
    path(
        "tenants/<int:tenant_id>/settings/", tenant_settings.tenant_settings, name="tenant_settings"
    ),
    path(
        "tenants/<int:tenant_id>/settings/platform/",
        tenant_settings.tenant_settings,
        {"section": "platform"},
        name="tenant_platform_settings",
    ),
    path(
        "tenants/<int:tenant_id>/settings/freeze-calendar/",
        tenant_settings.tenant_freeze_calendar,
        name="tenant_freeze_calendar",
    ),
    path(
        "tenants/<int:tenant_id>/settings/api-keys/",
        api_keys.tenant_api_keys,
        name="tenant_api_keys",
    ),
    # Tenant Settings › Notifications
    path(
        "tenants/<int:tenant_id>/settings/notifications/",
        notifications.notifications,
        name="notifications",
    ),
    *[
        path(
            f"tenants/<int:tenant_id>/settings/notifications/<int:destination_id>/{part}",
            view,
            name=name,
        )
        for part, view, name in (
            ("", notifications.edit_destination, "edit_destination"),
            ("delete/", notifications.delete_destination, "delete_destination"),
            ("rotate/", notifications.rotate_destination_secret, "rotate_destination_secret"),
            ("test/", notifications.test_destination, "test_destination"),
            ("deliveries/", notifications.destination_deliveries, "destination_deliveries"),
        )
    ],
    path(
        "tenants/<int:tenant_id>/agent-upgrades/",
        tenant_settings.change_tenant_agent_upgrades,
        name="change_tenant_agent_upgrades",
    ),
    path(
        "tenants/<int:tenant_id>/agent-upgrades/undo/",
        tenant_settings.undo_tenant_change,
        name="undo_tenant_change",
    ),
    path(
        "tenants/<int:tenant_id>/agent-upgrades/confirm/",
        tenant_settings.confirm_tenant_change,
        name="confirm_tenant_change",
    ),
    path(
        "tenants/<int:tenant_id>/agent-upgrades/undo/confirm/",
        tenant_settings.confirm_tenant_undo,
        name="confirm_tenant_undo",
    ),
    # Tenant Settings › Private Cloud Gateways, and a gateway's Cluster Settings
    path(
        "tenants/<int:tenant_id>/settings/gateways/",
        gateways.gateway_list,
        name="tenant_gateways",
    ),
    path(
        "tenants/<int:tenant_id>/settings/gateways/<int:gateway_id>/",
        gateways.gateway_detail,
        name="gateway_detail",
    ),
    path(
        "tenants/<int:tenant_id>/settings/gateways/<int:gateway_id>/settings/",
        gateways.gateway_detail,
        {"panel": "settings"},
        name="gateway_settings",
    ),
    path(
        "tenants/<int:tenant_id>/settings/gateways/<int:gateway_id>/agent-upgrades/",
        gateways.change_gateway_agent_upgrades,
        name="change_gateway_agent_upgrades",
    ),
    path(
        "tenants/<int:tenant_id>/settings/gateways/<int:gateway_id>/agent-upgrades/confirm/",
        gateways.confirm_gateway_change,
        name="confirm_gateway_change",
    ),
    # Freeze windows: Add on each scope's settings, Edit, End now and Delete on each window.
    path(
        "tenants/<int:tenant_id>/freeze-windows/new/",
        window_pages.add_tenant_window,
        name="add_tenant_window",
    ),
    path(
        "projects/<int:project_id>/freeze-windows/new/",
        window_pages.add_project_window,
        name="add_project_window",
    ),
    path(
        "<scope:scope>/clusters/<int:cluster_id>/freeze-windows/new/",
        window_pages.add_cluster_window,
        name="add_cluster_window",
    ),
    path("freeze-windows/<int:window_id>/edit/", window_pages.edit_window, name="edit_window"),
    path("freeze-windows/<int:window_id>/end/", window_pages.end_window, name="end_window"),
    path(
        "freeze-windows/<int:window_id>/delete/",
        window_pages.delete_window_view,
        name="delete_window",
    ),
]
