"""Indexes for every sort of the Clusters list and every Audit Logs filter (issue 11), and no
index of their own for the links that a longer index already starts with: each one dropped
is a write fewer for every cluster a push or a bulk act changes. Dropped by name, not by
altering the field (on SQLite that would copy the audit trail once per field). Cluster events
that caught their agent up get agents_upgraded = 1, as a change now writes them."""

import django.db.models.deletion
import settings_app.models.tenancy
from django.conf import settings
from django.db import migrations, models


def mark_catch_ups(apps, schema_editor):
    """A cluster's event whose change caught its agent up: an agent upgrade of that cluster,
    by a resume or a pause's end, written at the same moment."""
    AuditEvent = apps.get_model("settings_app", "AuditEvent")
    AgentUpgrade = apps.get_model("settings_app", "AgentUpgrade")
    caught_up = AgentUpgrade.objects.filter(
        cluster_id=models.OuterRef("cluster_id"),
        at=models.OuterRef("at"),
        cause__in=["resume", "expiry"],
    )
    AuditEvent.objects.filter(
        models.Exists(caught_up),
        cluster__isnull=False,
        new_value="unlock",
        agents_upgraded=0,
    ).exclude(action__in=["release", "move"]).update(agents_upgraded=1)


class Migration(migrations.Migration):
    dependencies = [
        ("settings_app", "0007_audit_filters_and_releases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_tenant_actor",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_tenant_object",
        ),
        migrations.RemoveIndex(
            model_name="cluster",
            name="cluster_project_name",
        ),
        migrations.RemoveIndex(
            model_name="cluster",
            name="cluster_pause_ends",
        ),
        migrations.AddIndex(
            model_name="cluster",
            index=models.Index(
                condition=models.Q(("agent_upgrades_until__isnull", False)),
                fields=["agent_upgrades", "agent_upgrades_until"],
                name="cluster_pause_ends",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="cluster",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to="settings_app.cluster",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "settings_app_auditevent_cluster_id_e6dacb62"',
                    'CREATE INDEX "settings_app_auditevent_cluster_id_e6dacb62" ON "settings_app_auditevent" ("cluster_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="part_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parts",
                        to="settings_app.auditevent",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "settings_app_auditevent_part_of_id_9353eca5"',
                    'CREATE INDEX "settings_app_auditevent_part_of_id_9353eca5" ON "settings_app_auditevent" ("part_of_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to="settings_app.project",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "settings_app_auditevent_project_id_007bc31f"',
                    'CREATE INDEX "settings_app_auditevent_project_id_007bc31f" ON "settings_app_auditevent" ("project_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="tenant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="audit_events",
                        to="settings_app.tenant",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "settings_app_auditevent_tenant_id_98cf1857"',
                    'CREATE INDEX "settings_app_auditevent_tenant_id_98cf1857" ON "settings_app_auditevent" ("tenant_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="cluster",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clusters",
                        to="settings_app.project",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "settings_app_cluster_project_id_d8a113cd"',
                    'CREATE INDEX "settings_app_cluster_project_id_d8a113cd" ON "settings_app_cluster" ("project_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="cluster",
                    name="tenant",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clusters",
                        to="settings_app.tenant",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "settings_app_cluster_tenant_id_db30419b"',
                    'CREATE INDEX "settings_app_cluster_tenant_id_db30419b" ON "settings_app_cluster" ("tenant_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["tenant", "actor_name", "-at", "-id"], name="audit_actor_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["tenant", "object_name", "-at", "-id"], name="audit_object_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["tenant", "via", "-at", "-id"], name="audit_via_newest"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("agents_upgraded__gt", 0)),
                fields=["tenant", "-at", "-id"],
                name="audit_upgraded_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="cluster",
            index=models.Index(
                fields=["tenant", "agent_version", "name", "id"], name="cluster_tenant_agent"
            ),
        ),
        migrations.AddIndex(
            model_name="cluster",
            index=models.Index(
                fields=["tenant", "agent_upgrades", "name", "id"], name="cluster_tenant_upgrades"
            ),
        ),
        migrations.AddIndex(
            model_name="cluster",
            index=settings_app.models.tenancy.NullsFirstIndex(
                fields=["tenant", "agent_upgrades_set_at", "id"], name="cluster_tenant_set"
            ),
        ),
        migrations.RunPython(mark_catch_ups, migrations.RunPython.noop),
    ]
