"""The audit trail's and the agent upgrades' links are not checked by the database (issue 18):
their one writer takes each link from the row it records, in the same statement, and a
deletion's CASCADE and SET_NULL are Django's, as before. On PostgreSQL the checks were
deferred to the COMMIT, where they cost a tenant push of 100,000 clusters about 3 s; SQLite
made one lookup per link of every row written. PostgreSQL drops the constraints in place;
SQLite, which keeps them in the table's definition, copies each table once."""

import copy

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLES = {
    "AuditEvent": (
        "tenant",
        "project",
        "cluster",
        "gateway",
        "edge_host",
        "actor",
        "old_set_by",
        "freeze_window",
        "old_freeze_window",
        "part_of",
        "undone_by",
        "release",
    ),
    "AgentUpgrade": ("cluster", "release", "actor"),
}


def _checked(field):
    """The field as it was, with its constraint."""
    field = copy.copy(field)
    field.db_constraint = True
    return field


def unchecked(apps, schema_editor):
    for model_name, fields in TABLES.items():
        model = apps.get_model("settings_app", model_name)
        if schema_editor.connection.vendor == "sqlite":
            schema_editor._remake_table(model)  # the model as it is now: no REFERENCES
            continue
        columns = {model._meta.get_field(name).column for name in fields}
        with schema_editor.connection.cursor() as cursor:
            found = schema_editor.connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
        for name, about in found.items():
            if about["foreign_key"] and set(about["columns"]) <= columns:
                schema_editor.execute(schema_editor._delete_fk_sql(model, name))


def checked(apps, schema_editor):
    for model_name, fields in TABLES.items():
        model = apps.get_model("settings_app", model_name)
        pairs = [(field, _checked(field)) for field in map(model._meta.get_field, fields)]
        if schema_editor.connection.vendor == "sqlite":
            schema_editor._remake_table(model, alter_fields=pairs)
            continue
        for _field, field in pairs:
            schema_editor.execute(
                schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("settings_app", "0014_indexes_a_push_need_not_write"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="agentupgrade",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="agentupgrade",
                    name="cluster",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agent_upgrades_history",
                        to="settings_app.cluster",
                    ),
                ),
                migrations.AlterField(
                    model_name="agentupgrade",
                    name="release",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="settings_app.platformrelease",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="cluster",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to="settings_app.cluster",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="edge_host",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="settings_app.edgehost",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="freeze_window",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="settings_app.freezewindow",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="gateway",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="settings_app.gateway",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="old_freeze_window",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="settings_app.freezewindow",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="old_set_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="part_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="parts",
                        to="settings_app.auditevent",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="project",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to="settings_app.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="release",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="settings_app.platformrelease",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="tenant",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="audit_events",
                        to="settings_app.tenant",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="undone_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="settings_app.auditevent",
                    ),
                ),
            ],
        ),
        migrations.RunPython(unchecked, checked),
    ]
