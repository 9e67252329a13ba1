"""A trail made by the code of an earlier schema, and every page, API answer and CSV that reads
it, for the audit trail's migration test (tests/test_trail_migration.py).

    python -m tests.trail_pages build   # once, with the code before a change of the trail
    python -m tests.trail_pages render DB OUT   # what the code in the tree answers from DB
    python -m tests.trail_pages migration-time [EVENTS]   # the trail's migrations on a big trail

`build` makes a SQLite database (the demo world, then a day of changes of every kind at fixed
moments, each through the rules), keeps it as tests/fixtures/trail/before.sqlite3 with the
schema it has, and writes what each address answers to tests/fixtures/trail/pages/. `render`
migrates a copy of such a database to the code's schema and writes the same answers, so that
the test can compare them byte for byte. Each runs in a process of its own: its database is
DATABASE_URL's, set before Django starts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIXTURE = BASE_DIR / "tests" / "fixtures" / "trail"
DATABASE = FIXTURE / "before.sqlite3"
PAGES = FIXTURE / "pages"
STARTED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the day of changes starts here
READ_AT = STARTED + timedelta(days=1)  # and every page is read at this moment
KEY = "key.txt"  # the tenant admin's API key, beside the pages

# What varies between two answers of the same page (a form's token, a script's nonce).
VARYING = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'"X-CSRFToken": ?"[^"]*"'), '"X-CSRFToken": ""'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    (re.compile(r'content="[A-Za-z0-9]{64}"'), 'content=""'),
    # A continue token's signature holds the moment it was signed (its payload is kept).
    (re.compile(r'("continue": "[^":]*):[^"]*"'), r'\1"'),
]


def setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SECRET_KEY"] = "trail-pages-" + "x" * 50  # the same tokens every time
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["REDIS_URL"] = ""
    os.environ["DJANGO_API_RATE_LIMIT"] = "0"  # every page of every list, at one frozen moment
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.conf import settings

    # Static files by their names, as the tests serve them (no collected manifest needed).
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    # A field whose default is `timezone.now` holds the function itself: it reads the clock that
    # `at` sets only through a lookup at each call.
    from django.apps import apps
    from django.utils import timezone

    now = timezone.now
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.default is now:
                field.default = lambda: timezone.now()


def at(minutes: int):
    """A clock that answers STARTED + `minutes` (timezone.now is patched for each change)."""
    from django.utils import timezone

    moment = STARTED + timedelta(minutes=minutes)
    timezone.now = lambda: moment
    return moment


def make_changes() -> str:
    """A day of changes of every kind, through the rules, each at its own fixed moment; returns
    the tenant admin's API key."""
    from django.contrib.auth.models import User

    from settings_app import rules
    from settings_app.models import AgentUpgrades, ApiKey, Cluster, FreezeWindow, Project, Tenant
    from settings_app.rules.bulk import Selection
    from settings_app.rules.schedule import run_windows
    from settings_app.rules.windows import create_window
    from settings_app.rules.writes import Pause

    lock, unlock = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
    admin, project_admin = (User.objects.get(username=n) for n in ("tenant-admin", "project-admin"))
    acme = Tenant.objects.get(name="Acme")
    default, edge = (Project.objects.get(tenant=acme, name=n) for n in ("Default", "Edge"))
    cluster = {c.name: c for c in Cluster.objects.filter(tenant=acme)}

    at(1)
    rules.set_cluster(
        cluster["prod-east"],
        lock,
        actor=admin,
        pause=Pause("Quarter-end", at(1) + timedelta(hours=2)),
    )
    at(5)
    rules.push_project(edge, lock, actor=project_admin, pause=Pause("Edge rollout check"))
    at(9)
    rules.push_tenant(acme, lock, actor=admin, pause=Pause("Holiday freeze"))
    at(13)
    rules.undo_change(acme, actor=admin)
    at(17)
    rows = Cluster.objects.filter(tenant=acme, name__in=["prod-west", "staging", "edge-02"])
    rules.set_clusters(
        Selection(rows, {c.pk: c.agent_upgrades_version for c in rows}),
        unlock if rows.filter(agent_upgrades=lock).exists() else lock,
        tenant=acme,
        changeable=Cluster.objects.filter(tenant=acme),
        actor=admin,
    )
    at(21)
    rules.set_clusters(
        Selection(Cluster.objects.filter(tenant=acme, name__startswith="edge")),
        lock,
        tenant=acme,
        changeable=Cluster.objects.filter(tenant=acme),
        actor=admin,
        pause=Pause("Edge hardware swap"),
    )
    at(30)
    _row, key = ApiKey.issue(admin, acme, "ci", at(30) + timedelta(days=30), actor=admin)
    at(40)
    rules.change_agent_upgrades(
        cluster["staging"], lock, actor=admin, api_key_name="ci", pause=Pause("Load test")
    )
    at(60)
    window = FreezeWindow(
        tenant=acme,
        name="Year-end",
        reason="Change freeze",
        time_zone="Europe/Berlin",
        schedule=FreezeWindow.Schedule.ONCE,
        start_date=(STARTED + timedelta(hours=2)).date(),
        start_time=(STARTED + timedelta(hours=2, minutes=60)).time(),  # 11:00 Berlin, 10:00 UTC
        end_date=(STARTED + timedelta(hours=4)).date(),
        end_time=(STARTED + timedelta(hours=4, minutes=60)).time(),
        created_by=admin,
    )
    create_window(window, actor=admin, now=at(60))
    run_windows(at(121))  # prod-east's pause ended at 11:01, the window started at 11:00
    rules.resume_expired_pauses(at(125))
    at(150)
    rules.set_cluster(cluster["edge-01"], unlock, actor=admin)  # a person's change in the window
    run_windows(at(241))  # the window ends
    at(300)
    rules.release_platform("4.8.0")
    at(320)
    rules.move_cluster(Cluster.objects.get(name="edge-02"), default, actor=admin)
    at(330)
    rules.push_project(default, lock, actor=admin, pause=Pause("Release day"))
    return key


ADDRESSES = [
    # (file, user, address); {t}, {p}, {c}: the tenant's, Default's and prod-east's scopes/ids
    ("audit_tenant.html", "tenant-admin", "/tenants/{t}/audit-logs/"),
    ("audit_tenant_p2.html", "tenant-admin", "/tenants/{t}/audit-logs/?page=2"),
    ("audit_tenant_last.html", "tenant-admin", "/tenants/{t}/audit-logs/?page=last"),
    ("audit_object_one.html", "tenant-admin", "/tenants/{t}/audit-logs/?object=prod-east"),
    ("audit_object_start.html", "tenant-admin", "/tenants/{t}/audit-logs/?object=edge"),
    ("audit_object_project.html", "tenant-admin", "/tenants/{t}/audit-logs/?object=Default"),
    ("audit_actor.html", "tenant-admin", "/tenants/{t}/audit-logs/?actor=project-admin"),
    ("audit_paused.html", "tenant-admin", "/tenants/{t}/audit-logs/?action=paused"),
    ("audit_resumed.html", "tenant-admin", "/tenants/{t}/audit-logs/?action=resumed"),
    ("audit_ended.html", "tenant-admin", "/tenants/{t}/audit-logs/?action=pause-ended"),
    ("audit_upgraded.html", "tenant-admin", "/tenants/{t}/audit-logs/?action=agent-upgraded"),
    ("audit_release.html", "tenant-admin", "/tenants/{t}/audit-logs/?action=release"),
    ("audit_reason.html", "tenant-admin", "/tenants/{t}/audit-logs/?q=freeze"),
    ("audit_dates.html", "tenant-admin", "/tenants/{t}/audit-logs/?from=2026-11-30&to=2026-11-30"),
    ("audit_tenant.csv", "tenant-admin", "/tenants/{t}/audit-logs.csv"),
    ("audit_object_one.csv", "tenant-admin", "/tenants/{t}/audit-logs.csv?object=prod-east"),
    ("audit_project.html", "tenant-admin", "/projects/{p}/audit-logs/"),
    ("audit_project.csv", "tenant-admin", "/projects/{p}/audit-logs.csv"),
    ("audit_project_admin.html", "project-admin", "/projects/{p}/audit-logs/"),
    ("audit_cluster_admin.html", "cluster-admin", "/projects/{p}/audit-logs/"),
    ("audit_cluster_admin.csv", "cluster-admin", "/projects/{p}/audit-logs.csv"),
    ("audit_cluster_admin_obj.html", "cluster-admin", "/projects/{p}/audit-logs/?object=prod"),
    ("cluster_history.html", "tenant-admin", "/projects/{p}/clusters/{c}/"),
    ("cluster_history_ca.html", "cluster-admin", "/projects/{p}/clusters/{c}/"),
    ("clusters.csv", "tenant-admin", "/tenants/{t}/clusters.csv"),
]
API = [
    ("api_audits.json", "/v1/audits"),
    ("api_audits_small.json", "/v1/audits?limit=7"),
    ("api_audits_cluster.json", "/v1/audits?resourceUid={cu}"),
    ("api_audits_project.json", "/v1/audits?projectUid={pu}"),
    ("api_audits_project_itself.json", "/v1/audits?resourceUid={pu}"),
    ("api_audits_tenant_itself.json", "/v1/audits?resourceUid={tu}"),
    ("api_audits_since.json", "/v1/audits?startTime=2026-11-30T11:00:00Z"),
    ("api_cluster.json", "/v1/spectroclusters/{cu}"),
]


def answers(key: str) -> dict[str, bytes]:
    """What each address answers, read at READ_AT."""
    from django.contrib.auth.models import User
    from django.test import Client

    from settings_app.models import Cluster, Project, Tenant

    at(24 * 60)
    acme = Tenant.objects.get(name="Acme")
    default = Project.objects.get(tenant=acme, name="Default")
    prod_east = Cluster.objects.get(tenant=acme, name="prod-east")
    names = {"t": acme.pk, "p": default.pk, "c": prod_east.pk}
    names |= {"tu": acme.uid, "pu": default.uid, "cu": prod_east.uid}
    found = {}
    for file, username, address in ADDRESSES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        found[file] = _body(client.get(address.format(**names), secure=True))
    client = Client()
    for file, address in API:
        url = address.format(**names)
        pages, response = [], client.get(url, HTTP_APIKEY=key, secure=True)
        pages.append(_body(response))
        token = json.loads(response.content).get("listmeta", {}).get("continue")
        while token:  # every page of the list
            joiner = "&" if "?" in url else "?"
            response = client.get(f"{url}{joiner}continue={token}", HTTP_APIKEY=key, secure=True)
            pages.append(_body(response))
            token = json.loads(response.content).get("listmeta", {}).get("continue")
        found[file] = b"\n".join(pages)
    return found


def _body(response) -> bytes:
    text = f"{response.status_code}\n".encode() + b"".join(
        response.streaming_content if response.streaming else [response.content]
    )
    decoded = text.decode()
    for pattern, same in VARYING:
        decoded = pattern.sub(same, decoded)
    return decoded.encode()


def write(found: dict[str, bytes], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for file, body in found.items():
        (out / file).write_bytes(body)


def build() -> None:
    work = Path(tempfile.mkdtemp()) / "trail.sqlite3"
    setup(work)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    at(0)
    call_command("seed_demo", verbosity=0)
    key = make_changes()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
    connection.close()
    FIXTURE.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(work, DATABASE)
    (FIXTURE / KEY).write_text(key + "\n")
    write(answers(key), PAGES)


def render(database: Path, out: Path) -> None:
    work = Path(tempfile.mkdtemp()) / "trail.sqlite3"
    shutil.copyfile(database, work)
    setup(work)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    write(answers((FIXTURE / KEY).read_text().strip()), out)


FIRST = ("settings_app", "0010_freeze_windows")  # the schema before the trail's migrations
CHANGE_EVERY = 100  # one change in a hundred events, the other 99 its parts


def migration_time(events: int) -> None:
    """Time the trail's migrations on a trail of `events` events made in SQL at the schema
    before them: a throwaway SQLite file, or a fresh database on DATABASE_URL's PostgreSQL."""
    import time

    from tests import bench

    bench.prepare_environment()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"console_trail_{os.getpid()}"
    old = setup_databases(0, False, aliases={"default"}, serialized_aliases=set())
    try:
        call_command("migrate", *FIRST, verbosity=0)
        started = time.perf_counter()
        _fill(events, connection)
        filled = time.perf_counter() - started
        started = time.perf_counter()
        call_command("migrate", "settings_app", verbosity=0)
        took = time.perf_counter() - started
        print(
            f"{connection.vendor}: {events:,} events ({events // CHANGE_EVERY:,} changes with "
            f"{CHANGE_EVERY - 1} parts each) made in {filled:.1f} s; the trail's migrations "
            f"took {took:.1f} s"
        )
    finally:
        teardown_databases(old, 0)


def _fill(events: int, connection) -> None:
    """A tenant and `events` events in one INSERT … SELECT over a series, at the old schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO settings_app_tenant (uid, name, agent_upgrades, agent_upgrades_set_via, "
            "agent_upgrades_reason, agent_upgrades_set_with_key, agent_upgrades_version) "
            "VALUES ('0123456789abcdef01234567', 'Trail', 'unlock', 'tenant', '', '', 1)"
        )
        series = (
            f"SELECT generate_series(1, {events}) AS i"
            if connection.vendor == "postgresql"
            else f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {events}) "
            "SELECT i FROM n"
        )
        uid = (
            "lpad(to_hex(i), 24, '0')"
            if connection.vendor == "postgresql"
            else "printf('%024x', i)"
        )
        at = (
            "TIMESTAMP '2026-01-01' + i * INTERVAL '1 second'"
            if connection.vendor == "postgresql"
            else "datetime('2026-01-01', '+' || i || ' seconds')"
        )
        change = f"i - ((i - 1) % {CHANGE_EVERY})"
        cursor.execute(
            "INSERT INTO settings_app_auditevent (id, uid, at, actor_name, api_key_name, action, "
            "scope, via, tenant_id, object_name, old_value, new_value, reason, detail, old_via, "
            "old_reason, old_api_key_name, agents_upgraded, agents_held_back, version, part_of_id) "
            f"SELECT i, {uid}, {at}, 'admin', '', 'setting', "
            f"CASE WHEN i = {change} THEN 'tenant' ELSE 'cluster' END, 'tenant', t.id, "
            "'object-' || (i % 1000), 'unlock', 'lock', '', '', 'cluster', '', '', 0, 0, 1, "
            f"CASE WHEN i = {change} THEN NULL ELSE {change} END "
            f"FROM ({series}) AS s, settings_app_tenant AS t"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["build"]:
        build()
    elif sys.argv[1:2] == ["render"] and len(sys.argv) == 4:
        render(Path(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1:2] == ["migration-time"]:
        migration_time(int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
    else:
        sys.exit(__doc__)
