"""Fleet-scale benchmark (issue 5): what a page or a change costs for a tenant of N clusters.

    python -m tests.bench                                  # N = 100, 10,000 and 100,000, SQLite
    python -m tests.bench --clusters 100 10000 --repeat 9
    python -m tests.bench --clusters 100 100000 --only 'list_sort|audit_'   # some operations
    DATABASE_URL=postgres://user:pass@host/db python -m tests.bench --clusters 10000

For each N it builds a throwaway database (a temporary SQLite file, or a uniquely named database
on the PostgreSQL server of DATABASE_URL, dropped at the end), fills it with a tenant "Bench" of
N clusters in 100 projects, and measures every page and change through django.test.Client, with
the console's own settings and middleware (DEBUG off): the number of SQL statements
(CaptureQueriesContext) and the median wall time of repeated requests. It prints a table per N,
a comparison, the query plan of the Clusters list's page query and the issue's targets (held or
not), and writes every figure to a JSON file.

Not a test module: pytest does not collect it (its name does not start with test_). It measures
whatever application code is in the working tree when it runs.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CLUSTERS = [100, 10_000, 100_000]
DEFAULT_JSON = "/tmp/console-bench.json"
APP_DIRS = ("settings_app", "console", "templates")
PROJECTS = 100
FIRST_RELEASE = "4.7.2"
OLD_AGENT = "4.7.1"
SEARCH = "canary"  # five clusters are named canary-…, whatever N
SEARCH_MATCHES = 5
# Tenant push and rollout write every cluster of the tenant: from this N on they run
# min(--repeat, --heavy-repeat) timed repetitions.
HEAVY_FROM = 50_000
# The targets of issue 5.
MAX_QUERIES = 15
LIST_GROWTH = 2.0
SWITCH_VS_BASELINE = 10.0
HEAVY_SECONDS = 3.0
HEAVY_N = 100_000
# The targets of issue 9 (the API).
API_CHANGE_VS_BASELINE = 10.0
API_READ_VS_BASELINE = 3.0
API_MAX_QUERIES = 10
API_LIST_SECONDS = 3.0
CACHE_TABLE = "console_cache"  # the database cache's table: the API's rate-limit statements
# A code base that keeps derived counts (kept up to date by its rules) gets them recounted after
# the bulk inserts, which bypass the rules: the functions tried, by name, in settings_app.rules.
DERIVED_DATA_HOOKS = ("refresh_fleet",)


# The URLconf of the benchmark: the console's own URLs and a baseline view, served through the
# same middleware. Built on first use, after django.setup() (ROOT_URLCONF = "tests.bench").
@login_required
def baseline(request: HttpRequest) -> HttpResponse:
    """A fixed answer: what any request costs before the console does anything."""
    return HttpResponse("ok")


def __getattr__(name: str):
    if name == "urlpatterns":
        from django.urls import include

        return [path("", include("console.urls")), path("bench/baseline/", baseline)]
    if name in {"handler400", "handler403", "handler404", "handler500"}:
        return getattr(import_module("console.urls"), name)  # AttributeError: Django's default
    raise AttributeError(name)


# Environment, before Django reads its settings.


@dataclass
class Target:
    engine: str  # "sqlite" or "postgresql"
    tmpdir: Path | None  # SQLite: the temporary folder of the database files
    notes: list[str] = field(default_factory=list)


def prepare_environment() -> Target:
    """The console's settings with DEBUG off, a throwaway database, and what the test client
    needs: the harness sets what is missing, and never points at an existing database."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "console.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    notes = []
    if not os.environ.get("DJANGO_SECRET_KEY"):
        os.environ["DJANGO_SECRET_KEY"] = "bench-" + secrets.token_urlsafe(40)
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    if "testserver" not in hosts and "*" not in hosts:
        os.environ["DJANGO_ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])
    # The API's rate limit stays on, so that its cost is measured, but far above what the
    # benchmark sends: a refused request would measure nothing.
    os.environ.setdefault("DJANGO_API_RATE_LIMIT", "1000000")
    os.environ.setdefault("DJANGO_API_RATE_BURST", "1000000")
    if not os.environ.get("DJANGO_STATIC_FROM_SOURCE"):
        # As in the tests: static files from static/, so no collectstatic is needed.
        os.environ["DJANGO_STATIC_FROM_SOURCE"] = "1"
    url = os.environ.get("DATABASE_URL", "")
    scheme = url.split(":", 1)[0].lower() if url else ""
    if scheme in {"postgres", "postgresql", "pgsql"}:
        return Target("postgresql", None, notes)
    if scheme and not scheme.startswith("sqlite"):
        sys.exit(f"tests.bench: DATABASE_URL must be PostgreSQL or unset, not {scheme}://")
    if scheme:
        notes.append("DATABASE_URL is SQLite: ignored, the benchmark uses a temporary file")
    tmpdir = Path(tempfile.mkdtemp(prefix="console-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
    return Target("sqlite", tmpdir, notes)


def code_version() -> dict:
    """Which application code was measured: the commit, and the files changed since."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=BASE_DIR, capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    changed = git("status", "--porcelain", "--", *APP_DIRS)
    return {
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "uncommitted_app_files": [line[3:] for line in changed.splitlines()],
        "fingerprint": code_fingerprint(),
    }


def code_fingerprint() -> str:
    """A hash of the application's files, to tell whether they changed during the run."""
    digest = hashlib.sha256()
    for folder in APP_DIRS:
        for file in sorted((BASE_DIR / folder).rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(BASE_DIR)).encode() + file.read_bytes())
    return digest.hexdigest()[:16]


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


# The fleet.


@dataclass
class World:
    n: int
    tenant_id: int
    other_tenant_id: int
    project_ids: list[int]
    project1_clusters: int
    cluster_id: int  # an active, current cluster of project 1
    paused_ids: list[int]
    users: dict  # role → User
    api_key: str = ""  # the Tenant Admin's API key for tenant Bench
    cluster_uid: str = ""
    build_seconds: float = 0.0
    derived: list[str] = field(default_factory=list)
    rows: dict = field(default_factory=dict)


def cluster_name(i: int, n: int) -> str:
    step = max(n // SEARCH_MATCHES, 1)
    if i % step == 7 and i // step < SEARCH_MATCHES:
        return f"{SEARCH}-{i:06d}"
    return f"{('prod-east', 'prod-west', 'staging', 'edge', 'lab')[i % 5]}-{i:06d}"


def build_gateways_and_hosts(n, bench, projects, pushed, day_ago, batch) -> None:
    """Beside the clusters, as Palette's fleets have them: a gateway per 1,000 clusters, an
    idle Edge host per 10 (100 and 10,000 at N = 100,000; one in ten paused) spread over the
    projects, and a host in a cluster per 100."""
    from settings_app.models import Cluster, EdgeHost, Gateway

    values = dict(pushed, created_at=day_ago)
    Gateway.objects.bulk_create(
        [
            Gateway(tenant=bench, name=f"pcg-{g:04d}", agent_version=FIRST_RELEASE, **values)
            for g in range(max(1, n // 1000))
        ],
        batch_size=batch,
    )
    hosts = [
        EdgeHost(
            project=projects[h * PROJECTS // max(1, n // 10)],
            tenant=bench,
            name=f"edge-host-{h:06d}",
            agent_version=FIRST_RELEASE,
            **(values | ({"agent_upgrades": "lock"} if h % 10 == 3 else {})),
        )
        for h in range(max(1, n // 10))
    ]
    in_clusters = Cluster.objects.filter(tenant=bench).order_by("pk")[: max(1, n // 100)]
    hosts += [
        EdgeHost(
            project_id=cluster.project_id,
            tenant=bench,
            cluster=cluster,
            name=f"in-{cluster.name}",
            agent_version=FIRST_RELEASE,
        )
        for cluster in in_clusters.only("pk", "project_id", "name")
    ]
    EdgeHost.objects.bulk_create(hosts, batch_size=batch)


def build_world(n: int, vendor: str) -> World:
    """Tenant Bench: 100 projects and n clusters in contiguous blocks; 10% paused on the cluster
    (a third of them with a reason and an end), half of those and 1% of the others behind the
    platform's agent; gateways and Edge hosts beside them (`build_gateways_and_hosts`). Tenant
    Other: 2 projects of 10 clusters. Release 4.7.2, a Tenant Admin,
    a Project Admin of project 1, a superuser, and the audit trail of a tenant push and of the
    pauses. Bulk inserts with values set directly; the rules are not called per cluster."""
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
    from django.utils import timezone
    from guardian.shortcuts import assign_perm

    from settings_app import rules
    from settings_app.models import (
        AuditEvent,
        Cluster,
        EdgeHost,
        Gateway,
        PlatformRelease,
        Project,
        Tenant,
    )

    started = time.perf_counter()
    batch = 2000
    now = timezone.now()
    day_ago, hour_ago = now - timedelta(days=1), now - timedelta(hours=1)
    with transaction.atomic():
        PlatformRelease.objects.create(
            version=FIRST_RELEASE, agent_version=FIRST_RELEASE, released_at=now - timedelta(30)
        )
        tenant_admin = User.objects.create_user("bench-tenant-admin")
        project_admin = User.objects.create_user("bench-project-admin")
        root = User.objects.create_superuser("bench-root", "root@bench.invalid", None)
        pushed = {
            "agent_upgrades": "unlock",
            "agent_upgrades_version": 1,
            "agent_upgrades_set_via": "tenant",
            "agent_upgrades_set_by": tenant_admin,
            "agent_upgrades_set_at": day_ago,
        }
        bench = Tenant.objects.create(name="Bench", **pushed)
        other = Tenant.objects.create(name="Other")
        Project.objects.bulk_create(
            [Project(tenant=bench, name=f"project-{p + 1:03d}", **pushed) for p in range(PROJECTS)]
            + [Project(tenant=other, name=f"other-{p + 1}") for p in range(2)]
        )
        projects = list(Project.objects.filter(tenant=bench).order_by("name"))
        others = list(Project.objects.filter(tenant=other).order_by("name"))

        # Bulk inserts bypass save(): a cluster's own link to its tenant (when the model keeps
        # one) is set here, as save() would.
        tenant_links = [
            f.name
            for f in Cluster._meta.concrete_fields
            if f.is_relation and f.related_model is Tenant
        ]
        clusters = []
        for i in range(n):
            project = projects[i * PROJECTS // n]
            paused = i % 10 == 3
            values = dict(pushed, created_at=day_ago, **dict.fromkeys(tenant_links, bench))
            if paused:
                values.update(
                    agent_upgrades="lock",
                    agent_upgrades_version=2,
                    agent_upgrades_set_via="cluster",
                    agent_upgrades_set_at=hour_ago,
                )
                if i % 30 == 3:
                    values.update(
                        agent_upgrades_reason="maintenance window",
                        agent_upgrades_until=now + timedelta(days=30),
                    )
            behind = (paused and i % 20 == 3) or i % 100 == 51
            clusters.append(
                Cluster(
                    project=project,
                    name=cluster_name(i, n),
                    agent_version=OLD_AGENT if behind else FIRST_RELEASE,
                    **values,
                )
            )
        clusters += [
            Cluster(
                project=p,
                name=f"{p.name}-{i:02d}",
                agent_version=FIRST_RELEASE,
                **dict.fromkeys(tenant_links, other),
            )
            for p in others
            for i in range(10)
        ]
        Cluster.objects.bulk_create(clusters, batch_size=batch)
        del clusters
        build_gateways_and_hosts(n, bench, projects, pushed, day_ago, batch)

        # The audit trail: the tenant push of a day ago, then the pauses of an hour ago.
        rows = Cluster.objects.filter(project__tenant=bench).values_list(
            "pk", "name", "project_id", "agent_upgrades", "agent_upgrades_reason"
        )
        push = {"actor": tenant_admin, "actor_name": tenant_admin.username, "tenant": bench}
        push |= {"via": "tenant", "old_value": "lock", "new_value": "unlock", "at": day_ago}
        events = [AuditEvent(**push, scope="tenant", object_name=bench.name)]
        events += [
            AuditEvent(**push, scope="project", project=p, object_name=p.name) for p in projects
        ]
        pause = {"via": "cluster", "at": hour_ago, "old_value": "unlock", "new_value": "lock"}
        paused_ids, pauses = [], []
        for pk, name, project_id, value, reason in rows.iterator(chunk_size=batch):
            events.append(
                AuditEvent(
                    **push, scope="cluster", project_id=project_id, cluster_id=pk, object_name=name
                )
            )
            if value == "lock":
                paused_ids.append(pk)
                pauses.append(
                    AuditEvent(
                        **(push | pause),
                        scope="cluster",
                        project_id=project_id,
                        cluster_id=pk,
                        object_name=name,
                        reason=reason,
                    )
                )
        AuditEvent.objects.bulk_create(events + pauses, batch_size=batch)
        del events, pauses
        older_history(bench, day_ago)

        for user, permission, obj in [
            (tenant_admin, "administer_tenant", bench),
            (project_admin, "administer_project", projects[0]),
        ]:
            group = Group.objects.create(name=f"bench · {user.username}")
            assign_perm(f"settings_app.{permission}", group, obj)
            user.groups.add(group)

        derived = []
        for hook in DERIVED_DATA_HOOKS:
            if callable(getattr(rules, hook, None)):
                getattr(rules, hook)()
                derived.append(hook)

    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would, soon after a bulk load

    first = Cluster.objects.filter(project=projects[0]).order_by("pk")
    cluster_id = first.exclude(agent_upgrades="lock").exclude(agent_version=OLD_AGENT)[0].pk
    api_key = ""
    if "ApiKey" in {m.__name__ for m in apps_models()}:
        from settings_app.models import ApiKey

        api_key = ApiKey.issue(tenant_admin, bench, "bench", now + timedelta(days=7))[1]
    world = World(
        n=n,
        tenant_id=bench.pk,
        other_tenant_id=other.pk,
        project_ids=[p.pk for p in projects],
        project1_clusters=first.count(),
        cluster_id=cluster_id,
        paused_ids=paused_ids,
        users={"tenant_admin": tenant_admin, "project_admin": project_admin, "root": root},
        api_key=api_key,
        cluster_uid=getattr(Cluster.objects.get(pk=cluster_id), "uid", ""),
        build_seconds=time.perf_counter() - started,
        derived=derived,
    )
    world.rows = {
        "clusters": Cluster.objects.count(),
        "clusters_in_bench": Cluster.objects.filter(project__tenant=bench).count(),
        "paused_in_bench": len(paused_ids),
        "behind_in_bench": Cluster.objects.filter(project__tenant=bench)
        .exclude(agent_version=FIRST_RELEASE)
        .count(),
        "audit_events": AuditEvent.objects.count(),
        "gateways": Gateway.objects.count(),
        "idle_edge_hosts": EdgeHost.objects.idle().count(),
    }
    return world


HISTORY_WEEKS = 9  # with the push and the pauses: an audit trail of about 10 x N events


def older_history(tenant, day_ago) -> None:
    """Nine earlier weeks of the clusters' history, a pause or a resume of each cluster a week
    (every other week with a reason), copied in SQL from the push's rows: one INSERT a week."""
    from django.db.models import F, Value

    from settings_app.models import AuditEvent
    from settings_app.sql import NewUid, insert_select

    pushed = AuditEvent.objects.filter(tenant=tenant, scope="cluster", at=day_ago)
    for week in range(1, HISTORY_WEEKS + 1):
        pausing = week % 2 == 1
        insert_select(
            AuditEvent,
            pushed,
            uid=NewUid(),
            at=Value(day_ago - timedelta(weeks=week)),
            actor_id=F("actor_id"),
            actor_name=F("actor_name"),
            scope=Value("cluster"),
            via=Value("cluster"),
            tenant_id=F("tenant_id"),
            project_id=F("project_id"),
            cluster_id=F("cluster_id"),
            object_name=F("object_name"),
            old_value=Value("unlock" if pausing else "lock"),
            new_value=Value("lock" if pausing else "unlock"),
            reason=Value("maintenance window" if pausing else ""),
        )


def apps_models() -> list:
    from django.apps import apps

    return list(apps.get_app_config("settings_app").get_models())


def restore_spread(world: World) -> None:
    """Put the pauses back as seeded (the tenant pushes leave every cluster alike), so that
    a rollout upgrades the active 90% and holds the paused 10% back."""
    from django.db import transaction
    from django.utils import timezone

    from settings_app import rules
    from settings_app.models import Cluster

    with transaction.atomic():
        bench = Cluster.objects.filter(project__tenant_id=world.tenant_id)
        bench.update(agent_upgrades="unlock", agent_upgrades_until=None, agent_upgrades_reason="")
        for start in range(0, len(world.paused_ids), 5000):
            Cluster.objects.filter(pk__in=world.paused_ids[start : start + 5000]).update(
                agent_upgrades="lock",
                agent_upgrades_set_via="cluster",
                agent_upgrades_set_at=timezone.now(),
            )
        for hook in world.derived:
            getattr(rules, hook)()


# Measuring.


@dataclass
class Op:
    key: str
    label: str
    kind: str  # "page", "change" or "baseline"
    # prepare(i) does the untimed preparation of the i-th request and returns what sends it.
    prepare: Callable[[int], Callable[[], HttpResponse]]
    expect: int = 200
    heavy: bool = False
    explain: bool = False  # EXPLAIN the page query of the Clusters list
    before: Callable[[], None] | None = None  # once, untimed, before the first request
    paired: Op | None = None  # a request sent after each timed one, timed apart (the baseline)
    memory: bool = False  # also measure the peak memory of one request (tracemalloc)


def build_ops(world: World) -> list[Op]:
    from django.db.models import Model
    from django.test import Client
    from django.urls import reverse

    from settings_app.models import Cluster, Project, Tenant
    from settings_app.permissions.scopes import ScopeRef

    def client(role: str) -> Client:
        c = Client()
        c.force_login(world.users[role])
        return c

    admin, project_admin, root = client("tenant_admin"), client("project_admin"), client("root")
    tenant = ScopeRef("tenants", world.tenant_id)
    project1 = world.project_ids[0]
    clusters_url = reverse("cluster_list", args=[tenant])
    last_page = -(-world.n // 50)
    htmx = {"HX-Request": "true"}

    def get(c: Client, url: str) -> Callable[[int], Callable[[], HttpResponse]]:
        return lambda i: lambda: c.get(url, secure=True)

    def switch(c: Client, url: str, model: type[Model], pk: int):
        """Post the opposite of the current value, with the version the page would carry."""

        def prepare(i: int) -> Callable[[], HttpResponse]:
            value, version = model.objects.values_list(
                "agent_upgrades", "agent_upgrades_version"
            ).get(pk=pk)
            data = {"value": "unlock" if value == "lock" else "lock", "version": version}
            c.cookies.pop("messages", None)  # messages nobody reads would pile up
            return lambda: c.post(url, data, secure=True, headers=htmx)

        return prepare

    versions = iter(f"4.{minor}.0" for minor in range(8, 100_000))
    releases_url = reverse("platform_upgrades")

    def release(i: int) -> Callable[[], HttpResponse]:
        data = {"version": next(versions)}
        root.cookies.pop("messages", None)
        return lambda: root.post(releases_url, data, secure=True)

    def undo_push(i: int) -> Callable[[], HttpResponse]:
        """A tenant push, made before the timer starts; the undo of it is timed."""
        from settings_app import rules

        tenant_row = Tenant.objects.get(pk=world.tenant_id)
        value = "unlock" if tenant_row.agent_upgrades == "lock" else "lock"
        rules.push_tenant(tenant_row, value, actor=world.users["tenant_admin"])
        version = Tenant.objects.values_list("agent_upgrades_version", flat=True).get(
            pk=world.tenant_id
        )
        admin.cookies.pop("messages", None)
        url = reverse("undo_tenant_change", args=[world.tenant_id])
        return lambda: admin.post(url, {"version": version}, secure=True, headers=htmx)

    settings_url = reverse("cluster_settings", args=[tenant, world.cluster_id])
    audit_url = reverse("audit_log", args=[tenant])
    cluster_change = reverse("change_cluster_agent_upgrades", args=[tenant, world.cluster_id])
    project_change = reverse("change_project_agent_upgrades", args=[project1])
    tenant_change = reverse("change_tenant_agent_upgrades", args=[world.tenant_id])
    project_label = f"project push ({world.project1_clusters:,} clusters)"
    baseline = Op(
        "baseline", "baseline view (fixed response)", "baseline", get(admin, "/bench/baseline/")
    )
    api_ops = []
    if world.api_key:
        api = {"ApiKey": world.api_key, "Accept": "application/json"}
        scripts = Client()  # a script's requests: the key, and no session cookie
        api_cluster = f"/v1/spectroclusters/{world.cluster_uid}"

        def api_get(url: str) -> Callable[[int], Callable[[], HttpResponse]]:
            return lambda i: lambda: scripts.get(url, secure=True, headers=api)

        def api_switch(i: int) -> Callable[[], HttpResponse]:
            value = Cluster.objects.values_list("agent_upgrades", flat=True).get(
                pk=world.cluster_id
            )
            body = json.dumps({"spectroComponents": "unlock" if value == "lock" else "lock"})
            return lambda: scripts.post(
                f"{api_cluster}/upgrade/settings",
                body,
                content_type="application/json",
                secure=True,
                headers=api,
            )

        api_ops = [
            Op("api_read_cluster", "API: read one cluster", "page", api_get(api_cluster)),
            Op(
                "api_change_cluster",
                "API: cluster change",
                "change",
                api_switch,
                expect=204,
                paired=baseline,
            ),
            Op(
                "api_meta",
                f"API: cluster list, streamed ({world.n:,} clusters)",
                "page",
                api_get("/v1/dashboard/spectroclusters/meta"),
                heavy=True,
                memory=True,
            ),
        ]
    # The fleet tools' reads come first, their bulk acts after every read: each page is measured
    # on the fleet as built (a bulk act leaves every cluster alike), as at every N.
    fleet_ops = fleet_tool_ops(world, admin, tenant, get)
    fleet_reads = [op for op in fleet_ops if op.kind != "change"]
    fleet_writes = [op for op in fleet_ops if op.kind == "change"]
    return [
        baseline,
        *api_ops,
        *fleet_reads,
        Op("list", "clusters list, first page", "page", get(admin, clusters_url), explain=True),
        Op(
            "list_paused",
            "clusters list, ?paused=1",
            "page",
            get(admin, clusters_url + "?paused=1"),
            explain=True,
        ),
        Op(
            "list_search",
            f"clusters list, ?q={SEARCH}",
            "page",
            get(admin, f"{clusters_url}?q={SEARCH}"),
            explain=True,
        ),
        Op(
            "list_behind",
            "clusters list, ?behind=1",
            "page",
            get(admin, clusters_url + "?behind=1"),
            explain=True,
        ),
        Op(
            "list_last",
            f"clusters list, last page ({last_page:,})",
            "page",
            get(admin, f"{clusters_url}?page=last"),
            explain=True,
        ),
        Op(
            "cluster_settings", "cluster details + settings panel", "page", get(admin, settings_url)
        ),
        Op("audit_log", "audit logs (tenant)", "page", get(admin, audit_url)),
        Op(
            "change_cluster",
            "cluster switch change",
            "change",
            switch(admin, cluster_change, Cluster, world.cluster_id),
            paired=baseline,
        ),
        Op(
            "push_project",
            project_label,
            "change",
            switch(project_admin, project_change, Project, project1),
        ),
        *fleet_writes,
        Op(
            "push_tenant",
            f"tenant push ({world.n:,} clusters)",
            "change",
            switch(admin, tenant_change, Tenant, world.tenant_id),
            heavy=True,
        ),
        Op(
            "undo_tenant",
            f"undo of a tenant push ({world.n:,} clusters)",
            "change",
            undo_push,
            heavy=True,
        ),
        Op(
            "rollout",
            f"release rollout ({world.n:,} clusters)",
            "change",
            release,
            expect=302,
            heavy=True,
            before=lambda: restore_spread(world),
        ),
    ]


def fleet_tool_ops(world: World, admin, tenant, get) -> list[Op]:
    """Issue 11: every sort of the Clusters list both ways, its Mixed filter and last page; the
    Audit Logs' filters, search and last page; both CSV exports (time and peak memory); a bulk
    pause of 1,000 selected clusters (spread over every project, and those of the project push)
    and of every cluster that matches a filter."""
    from django.urls import reverse
    from django.utils import timezone

    from settings_app.models import Cluster
    from settings_app.views.cluster_query import SORTS

    clusters_url = reverse("cluster_list", args=[tenant])
    audit_url = reverse("audit_log", args=[tenant])
    ops = [
        Op(
            f"list_sort_{direction}{key}",
            f"clusters list, ?sort={direction}{key}",
            "page",
            get(admin, f"{clusters_url}?sort={direction}{key}"),
            explain=True,
        )
        for key in SORTS
        for direction in ("", "-")
    ]
    ops += [
        Op("list_mixed", "clusters list, ?mixed=1", "page", get(admin, clusters_url + "?mixed=1")),
        Op(
            "list_last_sorted",
            "clusters list, ?sort=-set, last page",
            "page",
            get(admin, clusters_url + "?sort=-set&page=last"),
            explain=True,
        ),
    ]
    cluster_name = Cluster.objects.values_list("name", flat=True).get(pk=world.cluster_id)
    today = timezone.now().date()
    audit_filters = {
        "object": f"object={cluster_name}",
        "actor": "actor=bench-tenant-admin",
        "act_paused": "act=paused",
        "act_release": "act=release",
        "act_upgraded": "act=agent-upgraded",
        "dates": f"from={today - timedelta(days=20)}&to={today - timedelta(days=10)}",
        "search": "q=maintenance",
        "last": "page=last",
    }
    ops += [
        Op(f"audit_{key}", f"audit logs, ?{query}", "page", get(admin, f"{audit_url}?{query}"))
        for key, query in audit_filters.items()
    ]
    ops += [
        Op(
            "csv_clusters",
            f"CSV of the clusters list ({world.n:,} rows)",
            "page",
            get(admin, reverse("cluster_list_csv", args=[tenant])),
            heavy=True,
            memory=True,
        ),
        Op(
            "csv_audit",
            f"CSV of the audit logs ({world.rows.get('audit_events', 0):,} events)",
            "page",
            get(admin, reverse("audit_log_csv", args=[tenant])),
            heavy=True,
            memory=True,
        ),
    ]
    bulk_url = reverse("bulk_change_clusters", args=[tenant])
    every = max(1, world.n // 1000)  # 1,000 clusters spread over every project
    chosen = list(
        Cluster.objects.filter(tenant_id=world.tenant_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )[::every][:1000]
    # The project push's own clusters, selected: the same rows as the push writes.
    neighbours = list(
        Cluster.objects.filter(project_id=world.project_ids[0]).values_list("pk", flat=True)
    )

    def bulk(select_all: bool, chosen: list[int] = chosen):
        def prepare(i: int) -> Callable[[], HttpResponse]:
            value = "lock" if i % 2 == 0 else "unlock"
            if select_all:
                data = {"value": value, "all": "1", "drawn_at": timezone.now().isoformat()}
            else:
                rows = Cluster.objects.filter(pk__in=chosen).values_list(
                    "pk", "agent_upgrades_version"
                )
                data = {"value": value, "cluster": ",".join(f"{pk}:{v}" for pk, v in rows)}
            admin.cookies.pop("messages", None)
            return lambda: admin.post(bulk_url, data, secure=True, headers={"HX-Request": "true"})

        return prepare

    ops += [
        Op("bulk_selected", f"bulk pause, {len(chosen):,} selected", "change", bulk(False)),
        Op(
            "bulk_neighbours",
            f"bulk pause, the push's {len(neighbours):,} selected",
            "change",
            bulk(False, neighbours),
        ),
        Op(
            "bulk_all",
            f"bulk pause, all {world.n:,} matching",
            "change",
            bulk(True),
            heavy=True,
            before=lambda: restore_spread(world),
        ),
        *window_ops(world),
    ]
    return ops


def window_ops(world: World) -> list[Op]:
    """Issue 19: a tenant-wide freeze window's start and its end (each a scheduler's pass), as
    the scheduler runs them; the untimed preparation ends the window before, or starts one."""
    from django.http import HttpResponse
    from django.utils import timezone

    from settings_app.models import FreezeOccurrence, FreezeWindow
    from settings_app.rules import freezes, schedule
    from settings_app.rules.windows import create_window

    started = FreezeOccurrence.State.STARTED

    def end_running() -> None:
        now = timezone.now()
        for run in FreezeOccurrence.objects.filter(state=started).select_related("window"):
            freezes.end(run, now)

    def new_window(i: int) -> None:
        now = timezone.now()
        start, end = now - timedelta(seconds=1), now + timedelta(hours=1)
        create_window(
            FreezeWindow(
                tenant_id=world.tenant_id,
                name=f"bench-{i}-{secrets.token_hex(3)}",
                time_zone="UTC",
                schedule=FreezeWindow.Schedule.ONCE,
                start_date=start.date(),
                start_time=start.time(),
                end_date=end.date(),
                end_time=end.time(),
            ),
            actor=world.users["tenant_admin"],
            now=now,
        )

    def one_pass() -> HttpResponse:
        schedule.run_windows()
        return HttpResponse()

    def start(i: int) -> Callable[[], HttpResponse]:
        end_running()
        new_window(i)
        return one_pass

    def finish(i: int) -> Callable[[], HttpResponse]:
        if not FreezeOccurrence.objects.filter(state=started).exists():
            new_window(i)
            schedule.run_windows()
        FreezeOccurrence.objects.filter(state=started).update(
            ends_at=timezone.now() - timedelta(seconds=1)
        )
        return one_pass

    return [
        Op(
            "window_start",
            f"freeze window start ({world.n:,} clusters)",
            "change",
            start,
            heavy=True,
            before=lambda: restore_spread(world),
        ),
        Op("window_end", f"freeze window end ({world.n:,} clusters)", "change", finish, heavy=True),
    ]


@dataclass
class Measure:
    key: str
    label: str
    kind: str
    queries: list[int] = field(default_factory=list)  # one per counted request
    transaction_statements: list[int] = field(default_factory=list)  # of those: BEGIN, COMMIT…
    samples: list[float] = field(default_factory=list)  # seconds
    counted_seconds: list[float] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)  # per counted request
    statements: list[dict] = field(default_factory=list)  # the counted requests' slowest SQL
    plan: dict | None = None  # the page query's
    slowest_plan: dict | None = None  # the slowest SELECT's
    paired_samples: list[float] = field(default_factory=list)  # the baseline, interleaved
    cache_statements: list[int] = field(default_factory=list)  # of the queries: the rate limit's
    peak_memory_kib: float | None = None  # one request's peak (tracemalloc), when asked
    repeat: int = 0
    warmup: int = 0
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    def as_json(self) -> dict:
        return {
            "label": self.label,
            "kind": self.kind,
            "queries": self.queries,
            "of_which_transaction_statements": self.transaction_statements,
            "median_s": self.median,
            "min_s": min(self.samples) if self.samples else None,
            "max_s": max(self.samples) if self.samples else None,
            "samples_s": self.samples,
            "repeat": self.repeat,
            "warmup": self.warmup,
            "counted_request_s": self.counted_seconds,
            "counted_request_sql_s": self.sql_seconds,
            "slowest_statements": self.statements,
            "plan": self.plan,
            "slowest_select_plan": self.slowest_plan,
            "interleaved_baseline_samples_s": self.paired_samples,
            "interleaved_baseline_median_s": (
                statistics.median(self.paired_samples) if self.paired_samples else None
            ),
            "of_which_rate_limit_cache_statements": self.cache_statements,
            "peak_memory_kib": self.peak_memory_kib,
            "error": self.error,
        }


def send(op: Op, request: Callable[[], HttpResponse]) -> float:
    """Send a prepared request and check its status; the time covers the request alone."""
    started = time.perf_counter()
    response = request()
    if response.streaming:  # a streamed answer costs what it takes to read it all
        response.content_read = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - started
    if response.status_code != op.expect:
        body = response.content[:300].decode(errors="replace")
        raise RuntimeError(f"{op.key}: status {response.status_code}, expected {op.expect}: {body}")
    return elapsed


def run_op(op: Op, *, repeat: int, warmup: int) -> Measure:
    """Warm-up requests, then the counted ones (untimed: statements counted with
    CaptureQueriesContext and each timed on its own), then the timed ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    m = Measure(op.key, op.label, op.kind, repeat=repeat, warmup=warmup)
    requests = (op.prepare(i) for i in range(warmup + 3 + repeat))  # prepared one at a time
    if op.before:
        op.before()
    for _ in range(warmup):
        send(op, next(requests))
    # A change counts one request of each direction (pause, resume).
    statements: list[tuple[float, str, object]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, sql, None if many else params))

    for counted in range(2 if op.kind == "change" else 1):
        request = next(requests)
        statements.clear()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
            m.counted_seconds.append(send(op, request))
        m.queries.append(len(captured))
        m.cache_statements.append(
            rate_limit_statements([q["sql"] for q in captured.captured_queries])
        )
        m.transaction_statements.append(
            sum(TRANSACTION.match(q["sql"]) is not None for q in captured.captured_queries)
        )
        # COMMIT and ROLLBACK bypass the cursor: their time comes from the captured log.
        statements += [
            (float(q["time"]), q["sql"], None)
            for q in captured.captured_queries
            if q["sql"] in {"COMMIT", "ROLLBACK"}
        ]
        m.sql_seconds.append(sum(s[0] for s in statements))
        m.statements += [
            {"ms": seconds * 1000, "sql": sql[:3000]}
            for seconds, sql, _ in sorted(statements, key=lambda s: -s[0])[:3]
        ]
        if op.explain and counted == 0:
            m.plan = explain_page_query(statements)
            m.slowest_plan = explain_slowest_select(statements)
    if op.memory:
        import tracemalloc

        gc.collect()
        tracemalloc.start()
        send(op, next(requests))
        m.peak_memory_kib = tracemalloc.get_traced_memory()[1] / 1024
        tracemalloc.stop()
    gc.collect()  # not in the middle of the timed requests, if it can be helped
    for _ in range(repeat):
        m.samples.append(send(op, next(requests)))
        if op.paired:  # the baseline, request for request: the same moment, the same load
            m.paired_samples.append(send(op.paired, op.paired.prepare(0)))
    return m


def rate_limit_statements(statements: list[str]) -> int:
    """How many of a request's statements the rate limit's database cache ran: those on its
    table, and the BEGIN and COMMIT around its write."""
    on_cache = [CACHE_TABLE in sql for sql in statements]
    count = 0
    for i, sql in enumerate(statements):
        if on_cache[i]:
            count += 1
        elif TRANSACTION.match(sql):
            opens = sql.lstrip().upper().startswith("BEGIN")
            neighbour = i + 1 if opens else i - 1
            count += 0 <= neighbour < len(statements) and on_cache[neighbour]
    return count


CLUSTER_TABLE = '"settings_app_cluster"'
TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)


def explain_page_query(statements: list[tuple[float, str, object]]) -> dict | None:
    """EXPLAIN the page query: the biggest SELECT from the clusters table with a LIMIT (else the
    biggest SELECT from it), with its own parameters."""
    selects = [
        (sql, params)
        for _, sql, params in statements
        if params is not None
        and sql.lstrip().upper().startswith("SELECT")
        and f"FROM {CLUSTER_TABLE}" in sql
    ]
    if not selects:
        return None
    limited = [q for q in selects if re.search(r"\bLIMIT\b", q[0])]
    sql, params = max(limited or selects, key=lambda q: len(q[0]))
    return explain(sql, params)


def explain_slowest_select(statements: list[tuple[float, str, object]]) -> dict | None:
    """EXPLAIN the request's slowest SELECT, with how long it took."""
    selects = [
        s for s in statements if s[2] is not None and s[1].lstrip().upper().startswith("SELECT")
    ]
    if not selects:
        return None
    seconds, sql, params = max(selects, key=lambda s: s[0])
    return {"ms": seconds * 1000, **explain(sql, params)}


def explain(sql: str, params) -> dict:
    """The plan of one SELECT with its own parameters: EXPLAIN QUERY PLAN on SQLite, EXPLAIN
    (ANALYZE, BUFFERS) on PostgreSQL (which runs it: SELECTs only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            depth, lines = {0: -1}, []
            for node, parent, _unused, detail in cursor.fetchall():
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
        else:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
    return {
        "sql": sql,
        "params": [str(p) for p in params or ()],
        "plan": lines,
        **scan_verdict(sql, lines),
    }


def scan_verdict(sql: str, lines: list[str]) -> dict:
    """A heuristic reading of the plan: does it read the whole clusters table, does it sort
    every matching row before taking a page, how many rows does OFFSET skip?"""
    text = "\n".join(lines)
    offset = re.search(r"\bOFFSET\s+(\d+)", sql)
    table = CLUSTER_TABLE.strip('"')
    full_scan = bool(
        re.search(rf"^\s*SCAN {table}(?: AS \w+)?\s*$", text, re.M)  # SQLite, no index
        or re.search(rf"Seq Scan on {table}\b", text)  # PostgreSQL
    )
    index_walk = bool(re.search(rf"SCAN {table}\b.*USING (?:COVERING )?INDEX", text))
    sorts_all = bool(
        re.search(r"USE TEMP B-TREE FOR (?:RIGHT PART OF )?ORDER BY", text)
        or re.search(r"^\s*(?:->\s*)?Sort\b", text, re.M)  # not an Incremental Sort
    )
    return {
        "full_table_scan": full_scan,
        "full_index_walk": index_walk,
        "sorts_all_matches": sorts_all,
        "offset": int(offset.group(1)) if offset else 0,
    }


# Reporting.


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.1f}"


def queries_text(m: Measure) -> str:
    if m.error:
        return "error"
    return "/".join(str(q) for q in dict.fromkeys(m.queries)) if m.queries else "-"


def table(headers: list[str], rows: list[list[str]], align: str) -> str:
    widths = [max(len(str(r[c])) for r in [headers, *rows]) for c in range(len(headers))]

    def line(row):
        cells = [
            str(v).ljust(w) if a == "l" else str(v).rjust(w)
            for v, w, a in zip(row, widths, align, strict=True)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def print_n_table(n: int, measures: list[Measure], world: World) -> None:
    base = next((m.median for m in measures if m.key == "baseline" and m.median), None)
    rows = []
    for m in measures:
        slowest = max((s["ms"] for s in m.statements), default=None)
        rows.append(
            [
                m.label,
                queries_text(m),
                "/".join(str(t) for t in dict.fromkeys(m.transaction_statements)) or "-",
                ms(m.median),
                ms(min(m.samples)) if m.samples else "-",
                ms(max(m.samples)) if m.samples else "-",
                str(len(m.samples)),
                f"{m.median / base:,.1f}" if base and m.median else "-",
                "/".join(ms(s) for s in m.sql_seconds) or "-",
                "-" if slowest is None else f"{slowest:,.1f}",
            ]
        )
    rows_text = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in world.rows.items())
    print(f"\n== N = {n:,} clusters: built in {world.build_seconds:.1f} s ({rows_text}) ==")
    print(f"Load average now: {load_average()} on {os.cpu_count()} CPUs")
    if world.derived:
        print(
            "Derived counts recounted after the bulk load: "
            + ", ".join(f"rules.{h}()" for h in world.derived)
        )
    headers = [
        "operation",
        "queries",
        "of which tx",
        "median ms",
        "min ms",
        "max ms",
        "runs",
        "x baseline",
        "SQL ms",
        "slowest SQL ms",
    ]
    print(table(headers, rows, "lrrrrrrrrr"))
    print(
        "queries (of which tx: BEGIN/COMMIT/SAVEPOINT), SQL ms and slowest SQL ms come from the "
        "counted requests (pause/resume for a change); SQL ms is the time spent in execute() "
        "and COMMIT (on SQLite a SELECT whose rows stream is timed to its first row; the rest "
        "is fetched outside it). x baseline: median / the baseline's median."
    )
    for m in measures:
        if any(m.cache_statements):
            print(
                f"  {m.label}: of its queries, {'/'.join(map(str, m.cache_statements))} are the "
                "rate limit's (its database cache's, BEGIN and COMMIT included; none with Redis)"
            )
        if m.peak_memory_kib is not None:
            print(f"  {m.label}: peak memory of one request {m.peak_memory_kib:,.0f} KiB")
        if m.error:
            print(f"  ERROR {m.label}: {m.error.splitlines()[-1]}")


def print_plan(n: int, m: Measure) -> None:
    if not m.plan:
        print(f"\nQuery plan at N = {n:,}: no SELECT on the clusters table was captured.")
        return
    p = m.plan
    print(f"\nQuery plan of the Clusters list's page query ({m.label}), N = {n:,}:")
    sql = re.sub(r"^\s*SELECT .*? FROM ", "SELECT … FROM ", p["sql"], count=1, flags=re.S)
    print("  " + sql)
    print("  params: " + ", ".join(p["params"]))
    for line in p["plan"]:
        print("    " + line)
    print(
        "  reading (heuristic): "
        f"whole clusters table scanned: {'YES' if p['full_table_scan'] else 'no'}; "
        f"a whole index walked: {'yes' if p['full_index_walk'] else 'no'}; "
        f"every match sorted before the page is cut: {'YES' if p['sorts_all_matches'] else 'no'}"
        + (f"; rows skipped with OFFSET: {p['offset']:,}" if p["offset"] else "")
    )
    slow = m.slowest_plan
    if slow and slow["sql"] != p["sql"]:
        print(f"The same request's slowest SELECT ({slow['ms']:,.1f} ms):")
        print("  " + re.sub(r"\s+", " ", slow["sql"]))
        print("  params: " + ", ".join(slow["params"]))
        for line in slow["plan"]:
            print("    " + line)


def print_slowest(n: int, measures: list[Measure]) -> None:
    print(f"\nSlowest SQL statement of each counted request, N = {n:,} (execute() time):")
    for m in measures:
        if not m.statements or m.kind == "baseline":
            continue
        top = max(m.statements, key=lambda s: s["ms"])
        sql = re.sub(r"\s+", " ", top["sql"])
        print(f"  {m.label}: {top['ms']:,.1f} ms  {sql[:150]}{' …' if len(sql) > 150 else ''}")


def print_comparison(results: dict[int, list[Measure]]) -> None:
    ns = sorted(results)
    keys = [(m.key, m.label) for m in results[ns[-1]]]
    headers = ["operation"] + [f"N={n:,} q" for n in ns] + [f"N={n:,} ms" for n in ns]
    if len(ns) > 1:
        headers.append(f"ms x (N={ns[-1]:,} / N={ns[0]:,})")
    rows = []
    for key, label in keys:
        by_n = {n: next((m for m in results[n] if m.key == key), None) for n in ns}
        row = [re.sub(r" \([0-9,]+ clusters\)|\(\d[\d,]*\)", "", label).strip()]
        row += [queries_text(by_n[n]) if by_n[n] else "-" for n in ns]
        row += [ms(by_n[n].median) if by_n[n] else "-" for n in ns]
        if len(ns) > 1:
            first, last = by_n[ns[0]], by_n[ns[-1]]
            ratio = (
                last.median / first.median
                if first and last and first.median and last.median
                else None
            )
            row.append("-" if ratio is None else f"{ratio:,.1f}")
        rows.append(row)
    print("\n== Comparison ==")
    print(table(headers, rows, "l" + "r" * (len(headers) - 1)))


def evaluate(
    results: dict[int, list[Measure]], engine: str, floor: float | None = None
) -> list[dict]:
    """The targets of issue 5: HELD, NOT HELD, or NOT CHECKED (and why)."""
    ns = sorted(results)
    small, large = ns[0], ns[-1]
    found = {n: {m.key: m for m in results[n]} for n in ns}
    verdicts = []

    def add(name: str, held: bool | None, detail: str) -> None:
        status = "NOT CHECKED" if held is None else ("HELD" if held else "NOT HELD")
        verdicts.append({"target": name, "status": status, "detail": detail})

    def counts(m: Measure | None) -> str:
        return "error" if m is None or m.error else queries_text(m)

    for m in results[large]:
        if m.kind == "baseline":
            continue
        a, b = found[small].get(m.key), found[large].get(m.key)
        name = f"queries: {re.sub(r' [(][^)]*[)]', '', m.label)}"
        if not a or not b or a.error or b.error:
            add(
                name,
                None,
                f"a request failed: {counts(a)} at N={small:,}, {counts(b)} at N={large:,}",
            )
            continue
        most = max(
            max(found[n][m.key].queries)
            for n in ns
            if m.key in found[n] and found[n][m.key].queries
        )
        same = a.queries == b.queries
        detail = f"{counts(a)} at N={small:,}, {counts(b)} at N={large:,}; at most {most} (limit {MAX_QUERIES})"
        if any(b.transaction_statements):
            tx = "/".join(str(t) for t in dict.fromkeys(b.transaction_statements))
            detail += f"; {tx} of them BEGIN/COMMIT"
        if small == large:
            add(name, most <= MAX_QUERIES, detail + "; only one N measured, growth not checked")
        else:
            add(name, same and most <= MAX_QUERIES, detail)

    name = "clusters list (first page) time at the largest N <= 2 x at N=100"
    first, last = found.get(100, {}).get("list"), found[large].get("list")
    if 100 not in found or large == 100:
        add(name, None, "needs N=100 and a larger N")
    elif not (first and last and first.median and last.median):
        add(name, None, "a request failed")
    else:
        ratio = last.median / first.median
        add(
            name,
            ratio <= LIST_GROWTH,
            f"median {ms(last.median)} ms at N={large:,} vs {ms(first.median)} ms at N=100: "
            f"{ratio:.2f} x (fastest runs: {ms(min(last.samples))} vs {ms(min(first.samples))} "
            f"ms, {min(last.samples) / min(first.samples):.2f} x)",
        )

    for n in ns:
        # Against the baseline measured alone and against the baseline requests interleaved
        # with the change's (the same moment, the same load): held when both ratios are.
        change, alone = found[n].get("change_cluster"), found[n].get("baseline")
        if change and change.median and change.paired_samples and alone and alone.median:
            interleaved = statistics.median(change.paired_samples)
            ratios = (change.median / alone.median, change.median / interleaved)
            add(
                f"cluster switch change <= 10 x baseline (N={n:,})",
                max(ratios) <= SWITCH_VS_BASELINE,
                f"{ms(change.median)} ms: {ratios[0]:.1f} x the baseline measured alone "
                f"({ms(alone.median)} ms), {ratios[1]:.1f} x the baseline interleaved with it "
                f"({ms(interleaved)} ms)",
            )
        else:
            add(f"cluster switch change <= 10 x baseline (N={n:,})", None, "a request failed")

    verdicts_for_the_api(found, ns, engine, add)
    verdicts_for_fleet_tools(found, ns, engine, add)
    verdicts_for_the_trail(found, ns, engine, add, floor)

    for key, label in [("push_tenant", "tenant push"), ("rollout", "release rollout")]:
        ms_by_n = {n: found[n].get(key) for n in ns}
        if any(m is None or m.error for m in ms_by_n.values()):
            add(f"{label}: statements do not grow with N", None, "a request failed")
        else:
            seen = {n: ms_by_n[n].queries for n in ns}
            text = ", ".join(f"{queries_text(ms_by_n[n])} at N={n:,}" for n in ns)
            if len(ns) == 1:
                add(f"{label}: statements do not grow with N", None, text + "; only one N measured")
            else:
                add(
                    f"{label}: statements do not grow with N",
                    len({tuple(v) for v in seen.values()}) == 1,
                    text,
                )
        m = ms_by_n.get(HEAVY_N)
        name = f"{label} < 3 s at N=100,000 on SQLite"
        if engine != "sqlite":
            add(
                name,
                None,
                f"measured on {engine}"
                + (f": {ms(m.median)} ms at N=100,000" if m and m.median else ""),
            )
        elif m is None or not m.median:
            add(name, None, "N=100,000 not measured" if m is None else "a request failed")
        else:
            add(
                name,
                m.median < HEAVY_SECONDS,
                f"median {m.median:.2f} s over {len(m.samples)} runs",
            )
    return verdicts


TRAIL_WRITES = {  # issue 18: each within 1.5 x the narrow floor of its database at N=100,000
    "push_tenant": "tenant push",
    "bulk_all": "bulk pause of all",
    "undo_tenant": "undo of that push",
    "rollout": "release rollout",
}
FLOOR_RATIO = 1.5


def verdicts_for_the_trail(found: dict, ns: list[int], engine: str, add, floor) -> None:
    """The targets of issue 18: the trail's heavy writes at N=100,000 against the narrow floor
    measured in the same sitting (`--floor`, from ../shared/perf/push_floor*.py); a bulk pause of
    1,000 spread over every project within 2 x a project push of 1,000; a cluster's page with
    its History within 2 x its time at N=100 (the Object filter is among the audit_ pages)."""
    large = ns[-1]
    for key, label in TRAIL_WRITES.items():
        m = found.get(HEAVY_N, {}).get(key)
        name = f"{label} <= {FLOOR_RATIO} x the narrow floor at N=100,000 ({engine})"
        if m is None or not m.median:
            add(name, None, "N=100,000 not measured" if m is None else "a request failed")
        elif floor is None:
            add(name, None, f"median {m.median:.2f} s; no --floor given")
        else:
            ratio = m.median / floor
            add(
                name,
                ratio <= FLOOR_RATIO,
                f"median {m.median:.2f} s vs floor {floor:.2f} s: {ratio:.2f} x",
            )
    bulk, push = found[large].get("bulk_selected"), found[large].get("push_project")
    name = f"bulk pause of 1,000 spread <= 2 x project push (N={large:,}, {engine})"
    if not (bulk and push and bulk.median and push.median):
        add(name, None, "a request failed or not measured")
    else:
        ratio = bulk.median / push.median
        add(name, ratio <= 2, f"{ms(bulk.median)} ms vs {ms(push.median)} ms: {ratio:.2f} x")
    page, small = found[large].get("cluster_settings"), found.get(100, {}).get("cluster_settings")
    name = f"a cluster's page and History: time at N={large:,} <= 2 x at N=100 ({engine})"
    if 100 not in found or large == 100:
        add(name, None, "needs N=100 and a larger N")
    elif not (page and small and page.median and small.median):
        add(name, None, "a request failed or not measured")
    else:
        ratio = page.median / small.median
        add(
            name,
            ratio <= LIST_GROWTH,
            f"{ms(page.median)} ms vs {ms(small.median)} ms: {ratio:.2f} x",
        )


FLEET_PAGES = re.compile(
    r"^(list_sort_|list_mixed$|list_last|list_paused$|list_search$|list_behind$|audit_)"
)
MEMORY_GROWTH = 1.5  # a streamed export's peak memory at 100,000 rows against 10,000


def verdicts_for_fleet_tools(found: dict, ns: list[int], engine: str, add) -> None:
    """The targets of issue 11: every sort, filter, search and last page of both lists within
    2 x its time at N=100; a bulk pause of 1,000 no slower than a project push of 1,000; a bulk
    pause of every matching cluster within 3 s at N=100,000 on SQLite; the exports' peak memory
    not growing from 10,000 to 100,000 rows."""
    large = ns[-1]
    for key in sorted(k for k in found[large] if FLEET_PAGES.match(k)):
        m = found[large][key]
        name = f"{m.label}: time at N={large:,} <= 2 x at N=100"
        small = found.get(100, {}).get(key)
        if 100 not in found or large == 100:
            add(name, None, "needs N=100 and a larger N")
        elif not (small and small.median and m.median):
            add(name, None, "a request failed")
        else:
            ratio = m.median / small.median
            add(
                name,
                ratio <= LIST_GROWTH,
                f"median {ms(m.median)} ms vs {ms(small.median)} ms: {ratio:.2f} x",
            )
    bulk, push = found[large].get("bulk_selected"), found[large].get("push_project")
    name = f"bulk pause of 1,000 selected <= project push (N={large:,})"
    if not (bulk and push and bulk.median and push.median):
        add(name, None, "a request failed")
    else:
        # The same clusters as the push, selected, tell the scatter's cost from the bulk act's.
        same = found[large].get("bulk_neighbours")
        alike = f"; {ms(same.median)} ms for {same.label}" if same and same.median else ""
        add(
            name,
            bulk.median <= push.median,
            f"{ms(bulk.median)} ms vs {ms(push.median)} ms ({push.label}){alike}",
        )
    m = found.get(HEAVY_N, {}).get("bulk_all")
    name = "bulk pause of all matching < 3 s at N=100,000 on SQLite"
    if engine != "sqlite":
        add(name, None, f"measured on {engine}")
    elif m is None or not m.median:
        add(name, None, "N=100,000 not measured" if m is None else "a request failed")
    else:
        add(name, m.median < HEAVY_SECONDS, f"median {m.median:.2f} s over {len(m.samples)} runs")
    for key in ("csv_clusters", "csv_audit"):
        at = {n: found[n].get(key) for n in ns if found[n].get(key)}
        sizes = [n for n in (10_000, 100_000) if n in at and at[n].peak_memory_kib]
        label = "CSV of the clusters list" if key == "csv_clusters" else "CSV of the audit logs"
        name = f"{label}: peak memory does not grow from N=10,000 to N=100,000"
        text = "; ".join(
            f"N={n:,}: {ms(m.median)} ms, peak {m.peak_memory_kib:,.0f} KiB"
            for n, m in at.items()
            if m.median and m.peak_memory_kib is not None
        )
        if len(sizes) < 2:
            add(name, None, (text or "not measured") + "; needs N=10,000 and N=100,000")
        else:
            growth = at[100_000].peak_memory_kib / at[10_000].peak_memory_kib
            add(name, growth <= MEMORY_GROWTH, f"{text}; {growth:.2f} x")


def verdicts_for_the_api(found: dict, ns: list[int], engine: str, add) -> None:
    """The targets of issue 9: the API's cluster change and cluster read against the baseline,
    its statements (the rate limit's database-cache statements shown apart: Redis has none),
    and the streamed cluster list's time and memory."""
    api_keys = [
        k for k in ("api_read_cluster", "api_change_cluster", "api_meta") if k in found[ns[-1]]
    ]
    if not api_keys:
        add("API targets (issue 9)", None, "this code has no API")
        return
    for n in ns:
        alone = found[n].get("baseline")
        for key, most, name in (
            ("api_change_cluster", API_CHANGE_VS_BASELINE, "API cluster change"),
            ("api_read_cluster", API_READ_VS_BASELINE, "API cluster read"),
        ):
            m = found[n].get(key)
            if not (m and m.median and alone and alone.median):
                add(f"{name} <= {most:g} x baseline (N={n:,})", None, "a request failed")
                continue
            ratios = [m.median / alone.median]
            detail = f"{ms(m.median)} ms: {ratios[0]:.1f} x the baseline measured alone ({ms(alone.median)} ms)"
            if m.paired_samples:
                interleaved = statistics.median(m.paired_samples)
                ratios.append(m.median / interleaved)
                detail += (
                    f", {ratios[1]:.1f} x the baseline interleaved with it ({ms(interleaved)} ms)"
                )
            add(f"{name} <= {most:g} x baseline (N={n:,})", max(ratios) <= most, detail)
    for key in api_keys:
        by_n = {n: found[n].get(key) for n in ns}
        if any(m is None or m.error or not m.queries for m in by_n.values()):
            add(f"API statements: {key}", None, "a request failed")
            continue
        own = {
            n: [q - c for q, c in zip(m.queries, m.cache_statements, strict=True)]
            for n, m in by_n.items()
        }
        cache = {n: m.cache_statements for n, m in by_n.items()}
        same = len({tuple(v) for v in own.values()}) == 1
        most = max(max(v) for v in own.values())
        text = ", ".join(f"{'/'.join(map(str, own[n]))} at N={n:,}" for n in ns)
        text += (
            f" (plus the rate limit's, in the database cache: {'/'.join(map(str, cache[ns[-1]]))};"
            " none with Redis)"
        )
        if len(ns) == 1:
            text += "; only one N measured, growth not checked"
        add(
            f"API statements, same at every N and <= {API_MAX_QUERIES}: {by_n[ns[-1]].label}",
            same and most <= API_MAX_QUERIES,
            text,
        )
    big = found.get(HEAVY_N, {}).get("api_meta")
    name = f"API cluster list streamed < {API_LIST_SECONDS:g} s at N=100,000 on SQLite"
    if engine != "sqlite":
        add(name, None, f"measured on {engine}")
    elif big is None or not big.median:
        add(name, None, "N=100,000 not measured" if big is None else "a request failed")
    else:
        add(
            name,
            big.median < API_LIST_SECONDS,
            f"median {big.median:.2f} s over {len(big.samples)} runs",
        )
    small = found.get(10_000, {}).get("api_meta")
    name = "API cluster list: peak memory does not grow from N=10,000 to N=100,000"
    if small is None or big is None or small.peak_memory_kib is None or big.peak_memory_kib is None:
        measured = ", ".join(
            f"{found[n]['api_meta'].peak_memory_kib:,.0f} KiB at N={n:,}"
            for n in ns
            if found[n].get("api_meta") and found[n]["api_meta"].peak_memory_kib is not None
        )
        add(name, None, f"needs N=10,000 and N=100,000; measured {measured or 'nothing'}")
    else:
        grew = big.peak_memory_kib / small.peak_memory_kib
        add(
            name,
            grew <= 1.2,
            f"{small.peak_memory_kib:,.0f} KiB at N=10,000, {big.peak_memory_kib:,.0f} KiB at "
            f"N=100,000 ({grew:.2f} x)",
        )


def print_targets(verdicts: list[dict]) -> None:
    print("\n== Targets (issue 5, and issue 9 for the API) ==")
    width = max(len(v["status"]) for v in verdicts)
    for v in verdicts:
        print(f"  {v['status']:<{width}}  {v['target']}: {v['detail']}")
    tally = {
        s: sum(v["status"] == s for v in verdicts) for s in ("HELD", "NOT HELD", "NOT CHECKED")
    }
    print("  " + ", ".join(f"{count} {status.lower()}" for status, count in tally.items()))


def progress(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# The run.


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Benchmark the console's pages and changes for a tenant of N clusters.",
    )
    parser.add_argument(
        "--clusters",
        type=int,
        nargs="+",
        default=DEFAULT_CLUSTERS,
        metavar="N",
        help="tenant sizes to measure, each in a fresh database (default: 100 10000 100000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=15, help="timed requests per measurement (default 15)"
    )
    parser.add_argument(
        "--heavy-repeat",
        type=int,
        default=3,
        help=f"timed requests of the tenant push and the rollout from N={HEAVY_FROM:,} (default 3)",
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests first (default 2)")
    parser.add_argument(
        "--json", default=DEFAULT_JSON, help=f"where to write the figures (default {DEFAULT_JSON})"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is not held")
    parser.add_argument(
        "--floor",
        type=float,
        metavar="SECONDS",
        help="the narrow design's floor of a tenant push at N=100,000 on this database, measured "
        "in the same sitting with ../shared/perf/push_floor.py (SQLite) or push_floor_pg.py "
        "(PostgreSQL): the trail's heavy writes are checked against 1.5 x it",
    )
    parser.add_argument(
        "--only",
        metavar="REGEX",
        help="measure only the operations whose key matches (e.g. 'list_sort|bulk_'); the "
        "targets of the others are reported as not measured",
    )
    args = parser.parse_args(argv)
    if any(n < PROJECTS for n in args.clusters):
        parser.error(f"--clusters: every N must be at least {PROJECTS} (one cluster per project)")
    if args.repeat < 1 or args.heavy_repeat < 1 or args.warmup < 0:
        parser.error("--repeat and --heavy-repeat must be at least 1, --warmup at least 0")
    args.clusters = sorted(set(args.clusters))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    target = prepare_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = "tests.bench"
    clear_url_caches()
    code = code_version()
    engine = connection.vendor
    header = {
        "engine": engine,
        "django": django.get_version(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "debug": settings.DEBUG,
        "code": code,
        "app_path": str(Path(import_module("settings_app").__file__).parent),
        "repeat": args.repeat,
        "heavy_repeat": args.heavy_repeat,
        "heavy_rule": (
            f"tenant push and rollout write every cluster: from N={HEAVY_FROM:,} they run "
            f"min(--repeat, --heavy-repeat) = {min(args.repeat, args.heavy_repeat)} timed requests"
        ),
        "warmup": args.warmup,
        "notes": target.notes,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_at_start": load_average(),
    }
    dirty = code["uncommitted_app_files"]
    print(
        f"Console benchmark · {engine} · Django {header['django']} · Python {header['python']} · "
        f"{header['cpus']} CPUs (load average {header['load_average_at_start']}) · "
        f"DEBUG {settings.DEBUG}\n"
        f"Code: commit {code['commit']}"
        + (f" + uncommitted changes in {len(dirty)} app files" if dirty else " (clean)")
        + f" · {header['app_path']}\n"
        f"Each measurement: {args.warmup} warm-up requests, 1 counted request (2 for a change: "
        f"pause and resume), then {args.repeat} timed requests; the median is reported.\n"
        f"Rule: {header['heavy_rule']}.\n"
        "Times are in-process requests through django.test.Client (secure, all middleware, one "
        "database connection kept open); a change is an htmx POST of the opposite value with "
        "the version the page carried; a rollout is a POST on Platform Upgrades as a superuser, "
        "each a newer version, so every active cluster is outdated and upgraded."
        + "".join(f"\nNote: {note}" for note in target.notes)
    )
    results: dict[int, list[Measure]] = {}
    report = {"run": header, "results": {}, "targets": []}
    json_path = Path(args.json)
    try:
        for n in args.clusters:
            test_settings = connection.settings_dict["TEST"]
            if engine == "sqlite":
                test_settings["NAME"] = str(target.tmpdir / f"bench-{n}.sqlite3")
            else:
                test_settings["NAME"] = f"console_bench_{os.getpid()}_{secrets.token_hex(3)}_{n}"
            progress(f"N={n:,}: creating database {test_settings['NAME']} and migrating")
            old = setup_databases(0, False, aliases={"default"}, serialized_aliases=set())
            try:
                progress(f"N={n:,}: building the fleet")
                world = build_world(n, engine)
                progress(f"N={n:,}: built in {world.build_seconds:.1f} s: {world.rows}")
                measures = []
                for op in build_ops(world):
                    if args.only and not re.search(args.only, op.key):
                        continue
                    heavy = op.heavy and n >= HEAVY_FROM
                    repeat = min(args.repeat, args.heavy_repeat) if heavy else args.repeat
                    started = time.perf_counter()
                    try:
                        m = run_op(op, repeat=repeat, warmup=args.warmup)
                    except Exception:
                        m = Measure(op.key, op.label, op.kind, repeat=repeat, warmup=args.warmup)
                        m.error = traceback.format_exc(limit=3)
                        progress(f"N={n:,}: {op.label}: FAILED: {m.error.strip().splitlines()[-1]}")
                    else:
                        progress(
                            f"N={n:,}: {op.label}: {queries_text(m)} queries, median "
                            f"{ms(m.median)} ms over {len(m.samples)} "
                            f"({time.perf_counter() - started:.1f} s)"
                        )
                    measures.append(m)
                results[n] = measures
                report["results"][str(n)] = {
                    "load_average_after": load_average(),
                    "build_seconds": world.build_seconds,
                    "rows": world.rows,
                    "project_push_clusters": world.project1_clusters,
                    "derived_data_recounted_with": world.derived,
                    "measures": {m.key: m.as_json() for m in measures},
                }
                print_n_table(n, measures, world)
                list_measure = next((m for m in measures if m.key == "list"), None)
                if list_measure:
                    print_plan(n, list_measure)
                print_slowest(n, measures)
                sys.stdout.flush()
                json_path.write_text(json.dumps(report, indent=2, default=str))
            finally:
                progress(f"N={n:,}: dropping the database")
                teardown_databases(old, 0)
    finally:
        if target.tmpdir:
            shutil.rmtree(target.tmpdir, ignore_errors=True)
    if not results:
        return 1
    print_comparison(results)
    verdicts = evaluate(results, engine, args.floor)
    print_targets(verdicts)
    report["targets"] = verdicts
    report["run"]["load_average_at_end"] = load_average()
    report["run"]["code_changed_during_run"] = code_fingerprint() != code["fingerprint"]
    print(
        f"\nLoad average at the end: {report['run']['load_average_at_end']} on {os.cpu_count()} CPUs"
    )
    if report["run"]["code_changed_during_run"]:
        print(
            "WARNING: the application's files changed during the run; the figures may mix "
            "two versions of the code."
        )
    json_path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nFigures written to {json_path.resolve()}")
    failed = any(v["status"] == "NOT HELD" for v in verdicts)
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
