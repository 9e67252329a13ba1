"""Identifiers as Palette's: every tenant, project, cluster and audit event has a uid of 24
lowercase hexadecimal characters, made when it is created (also by the set-based writes),
unique, never reused, kept by the migration for rows that existed before; the console's pages
show the cluster's and the project's, with a copy button, and the admin shows them too."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from settings_app import rules
from settings_app.models import UID, AuditEvent, Cluster, Project, Tenant, new_uid
from settings_app.permissions.scopes import ScopeRef
from tests.html import parse

HEX24 = re.compile(r"^[0-9a-f]{24}$")


def test_every_tenant_project_and_cluster_has_a_uid_of_24_lowercase_hex_characters(demo):
    uids = [
        *Tenant.objects.values_list("uid", flat=True),
        *Project.objects.values_list("uid", flat=True),
        *Cluster.objects.values_list("uid", flat=True),
    ]

    assert len(uids) == 2 + 3 + 6
    assert all(HEX24.match(uid) for uid in uids)
    assert len(set(uids)) == len(uids)


def test_a_uid_is_made_when_the_object_is_created_and_never_changes(demo):
    cluster = rules.new_cluster(demo.default, "prod-north")
    uid = cluster.uid

    rules.set_cluster(cluster, "lock", actor=None)
    cluster.refresh_from_db()

    assert HEX24.match(uid)
    assert cluster.uid == uid


def test_new_uids_are_never_one_made_before():
    made = {new_uid() for _ in range(10_000)}

    assert len(made) == 10_000
    assert all(UID.match(uid) for uid in made)


def test_a_uid_is_not_reused_after_its_object_is_deleted(demo):
    uid = demo.staging.uid
    demo.staging.delete()

    again = rules.new_cluster(demo.default, "staging")

    assert again.uid != uid


def test_audit_events_written_in_sql_each_get_a_uid_of_their_own(demo):
    change = rules.push_tenant(demo.acme, "lock", actor=None)

    uids = list(AuditEvent.objects.values_list("uid", flat=True))

    assert len(uids) == 1 + 2 + 5  # the tenant's event and one per project and cluster it wrote
    assert all(HEX24.match(uid) for uid in uids)
    assert len(set(uids)) == len(uids)
    assert change.event.uid in uids


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_existing_row_a_uid_of_its_own():
    executor = MigrationExecutor(connection)
    executor.migrate([("settings_app", "0004_audit_actions_and_moves")])
    old = executor.loader.project_state([("settings_app", "0004_audit_actions_and_moves")]).apps
    tenant = old.get_model("settings_app", "Tenant").objects.create(name="Old")
    project = old.get_model("settings_app", "Project").objects.create(tenant=tenant, name="P")
    clusters = old.get_model("settings_app", "Cluster").objects.bulk_create(
        [
            old.get_model("settings_app", "Cluster")(
                project=project, tenant=tenant, name=f"c{i}", agent_version="4.7.2"
            )
            for i in range(50)
        ]
    )
    assert len(clusters) == 50

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    uids = [*Cluster.objects.values_list("uid", flat=True), Tenant.objects.get().uid]
    assert len(uids) == 51
    assert all(HEX24.match(uid) for uid in uids)
    assert len(set(uids)) == 51


def test_the_cluster_details_show_its_uid_with_a_copy_button(demo, client_for):
    url = reverse("cluster_detail", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk])

    page = parse(client_for("viewer").get(url))

    code = page.find("code", id="cluster-uid")
    assert code.text == demo.prod_east.uid
    button = page.find("button", data_copy="cluster-uid")
    assert button.attrs["aria-label"] == "Copy UID"
    assert button.attrs["type"] == "button"


def test_project_settings_show_the_projects_uid_with_a_copy_button(demo, client_for):
    page = parse(client_for("viewer").get(reverse("project_settings", args=[demo.default.pk])))

    assert page.find("code", id="project-uid").text == demo.default.uid
    assert page.find("button", data_copy="project-uid").attrs["aria-label"] == "Copy UID"


def test_the_admin_shows_the_uids(demo, client_for, superuser):
    client = client_for("root")

    for model, obj in (
        ("tenant", demo.acme),
        ("project", demo.default),
        ("cluster", demo.prod_east),
    ):
        page = client.get(reverse(f"admin:settings_app_{model}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert obj.uid in page.content.decode()
    listing = client.get(reverse("admin:settings_app_cluster_changelist")).content.decode()
    assert demo.prod_east.uid in listing
