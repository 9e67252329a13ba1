"""The audit trail's parts are filed by their change (issue 18): the indexes that scattered a
push's parts over the whole trail (by cluster, by object name), and those that no part's filter
needs (by act, by how), keep only the changes and the events that stand alone; the parts' key is
(change, object); a change says whether it has parts, set for the existing trail in one UPDATE. Nothing else of a row changes. An agent upgrade loses
the index of its cluster alone, which the (cluster, time) index serves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_single_cluster_index(apps, schema_editor):
    """The foreign key's own index on agentupgrade.cluster_id, dropped in place (an AlterField
    would copy the whole table on SQLite)."""
    model = apps.get_model("settings_app", "AgentUpgrade")
    table = model._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, about in constraints.items():
        if about["index"] and about["columns"] == ["cluster_id"] and not about["unique"]:
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_single_cluster_index(apps, schema_editor):
    model = apps.get_model("settings_app", "AgentUpgrade")
    field = model._meta.get_field("cluster")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("settings_app", "0010_freeze_windows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="has_parts",
            field=models.BooleanField(db_default=False, default=False),
        ),
        # Set-based, by the old (change, cluster) index: every change that has a part.
        migrations.RunSQL(
            "UPDATE settings_app_auditevent SET has_parts = TRUE WHERE id IN "
            "(SELECT part_of_id FROM settings_app_auditevent WHERE part_of_id IS NOT NULL)",
            migrations.RunSQL.noop,
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_cluster_newest",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_part_cluster",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_part_project",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_object_newest",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_tenant_action",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_via_newest",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="agentupgrade",
                    name="cluster",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agent_upgrades_history",
                        to="settings_app.cluster",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_single_cluster_index, create_single_cluster_index),
            ],
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("part_of__isnull", True)),
                fields=["cluster", "-at", "-id"],
                name="audit_cluster_own",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("part_of__isnull", False)),
                fields=["part_of", "cluster"],
                name="audit_part_key",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("cluster__isnull", True), ("part_of__isnull", False)),
                fields=["part_of", "project"],
                name="audit_part_project_key",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("has_parts", True)),
                fields=["tenant", "id"],
                name="audit_changes_with_parts",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("part_of__isnull", True)),
                fields=["tenant", "object_name", "-at", "-id"],
                name="audit_object_own",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("part_of__isnull", True)),
                fields=["tenant", "action", "-at", "-id"],
                name="audit_action_own",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("part_of__isnull", True)),
                fields=["tenant", "via", "-at", "-id"],
                name="audit_via_own",
            ),
        ),
    ]
