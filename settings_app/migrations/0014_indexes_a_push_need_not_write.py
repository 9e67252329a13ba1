"""Indexes a push, a bulk act or a rollout need not write (issue 18): every part of a change
entered the index of its actor's and of the previous setter's foreign key, and those of the
undo and the release (empty on a part), and every cluster row the index of who set it; only a
deletion of a user, an undo or a release ever looked for them. The undo's and the release's keep
an index of the events that name one; the people's are read from the table on a user's
deletion. On PostgreSQL, the uids also lose the second, pattern-matching index Django gives a
unique text column (no uid is searched by its start). Dropped in place: an AlterField would
copy the whole trail on SQLite."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# (model, field) whose foreign key's own index goes.
UNINDEXED = [
    ("AgentUpgrade", "actor"),
    ("AuditEvent", "actor"),
    ("AuditEvent", "old_set_by"),
    ("AuditEvent", "release"),
    ("AuditEvent", "undone_by"),
    *(
        (model, "agent_upgrades_set_by")
        for model in ("Tenant", "Project", "Cluster", "Gateway", "EdgeHost")
    ),
]


def _indexes(schema_editor, model, column):
    """The names of the plain (not unique) indexes on this one column of the model's table."""
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [
        name
        for name, about in found.items()
        if about["index"]
        and about["columns"] == [column]
        and not about["unique"]
        and not about["primary_key"]
    ]


def _with_uid(apps):
    return [
        model
        for model in apps.get_app_config("settings_app").get_models()
        if any(field.name == "uid" for field in model._meta.local_fields)
    ]


def drop_indexes(apps, schema_editor):
    for model_name, field_name in UNINDEXED:
        model = apps.get_model("settings_app", model_name)
        for name in _indexes(schema_editor, model, model._meta.get_field(field_name).column):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))
    if schema_editor.connection.vendor == "postgresql":
        for model in _with_uid(apps):
            for name in _indexes(schema_editor, model, "uid"):
                if name.endswith("_like"):
                    schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_indexes(apps, schema_editor):
    for model_name, field_name in UNINDEXED:
        model = apps.get_model("settings_app", model_name)
        field = model._meta.get_field(field_name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
    if schema_editor.connection.vendor == "postgresql":
        for model in _with_uid(apps):
            field = model._meta.get_field("uid")
            schema_editor.execute(schema_editor._create_like_index_sql(model, field))


class Migration(migrations.Migration):
    dependencies = [
        ("settings_app", "0013_gateways_and_edge_hosts"),
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
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="old_set_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="release",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="settings_app.platformrelease",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="undone_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="settings_app.auditevent",
                    ),
                ),
                migrations.AlterField(
                    model_name="cluster",
                    name="agent_upgrades_set_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="edgehost",
                    name="agent_upgrades_set_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="gateway",
                    name="agent_upgrades_set_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="project",
                    name="agent_upgrades_set_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="tenant",
                    name="agent_upgrades_set_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_indexes, create_indexes),
            ],
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("undone_by__isnull", False)),
                fields=["undone_by"],
                name="audit_undone",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("release__isnull", False)),
                fields=["release"],
                name="audit_release",
            ),
        ),
    ]
