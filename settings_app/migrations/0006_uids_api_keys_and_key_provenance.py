# Uids for tenants, projects, clusters and audit events (existing rows get one each, made in
# SQL), the API key a change came through, API keys, and the database cache table that holds the
# API's rate limits.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.core.management import call_command
from django.db import migrations, models

import settings_app.models.tenancy
from settings_app.sql import NewUid

WITH_UIDS = ["tenant", "project", "cluster", "auditevent"]


def give_every_row_a_uid(apps, schema_editor):
    # One UPDATE per table: NewUid is evaluated for each row.
    for name in WITH_UIDS:
        model = apps.get_model("settings_app", name)
        model.objects.using(schema_editor.connection.alias).filter(uid__isnull=True).update(
            uid=NewUid()
        )


def create_cache_table(apps, schema_editor):
    # The API's rate limits live in Django's cache: the database cache unless REDIS_URL is set.
    # `migrate` makes its table, so a deploy needs no extra step (it does nothing for Redis).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def uid_field(null: bool):
    if null:
        return models.CharField(editable=False, max_length=24, null=True, verbose_name="UID")
    return models.CharField(
        default=settings_app.models.tenancy.new_uid,
        editable=False,
        max_length=24,
        unique=True,
        verbose_name="UID",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("settings_app", "0005_undo_and_bulk"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *[migrations.AddField(name, "uid", uid_field(null=True)) for name in WITH_UIDS],
        migrations.RunPython(give_every_row_a_uid, migrations.RunPython.noop, elidable=False),
        *[migrations.AlterField(name, "uid", uid_field(null=False)) for name in WITH_UIDS],
        migrations.AddField(
            model_name="auditevent",
            name="api_key_name",
            field=models.CharField(blank=True, db_default="", default="", max_length=100),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="old_api_key_name",
            field=models.CharField(blank=True, db_default="", default="", max_length=100),
        ),
        *[
            migrations.AddField(
                model_name=name,
                name="agent_upgrades_set_with_key",
                field=models.CharField(blank=True, max_length=100, default=""),
                preserve_default=False,
            )
            for name in ["tenant", "project", "cluster"]
        ],
        migrations.CreateModel(
            name="ApiKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                ("prefix", models.CharField(db_index=True, max_length=8)),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("active", models.BooleanField(default=True)),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_keys",
                        to="settings_app.tenant",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_keys",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API key",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["tenant", "-created_at"], name="apikey_tenant_newest")
                ],
            },
        ),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False),
    ]
