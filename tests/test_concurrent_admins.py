"""Admins acting at once (issue "Trust", item 2), with real threads against a database that every
thread reaches through its own connection: on SQLite a file (the in-memory test database would
not show what WAL, BEGIN IMMEDIATE and the busy timeout do), on PostgreSQL the test database.

Every switch posts the value it wants and the version it was rendered from, as the page does.
Nothing is lost: no request fails with a database error, every write has its audit record, and a
page made stale by someone else gets 409 with the current value instead of overwriting it."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from settings_app import rules
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    Tenant,
)
from settings_app.permissions.scopes import ScopeRef
from settings_app.rules import releases
from tests.html import hidden_value, messages_text, parse, switch_form, switch_of

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
CHANGES_PER_THREAD = 50
TIME_LIMIT_S = 240  # far more than it takes; a deadlock or a lost wakeup fails instead of hanging


@dataclass
class SharedDatabase:
    """The test database as several threads reach it, each through its own connection."""

    sqlite_file: Path | None  # None: a server database, which every connection reaches already

    def share(self) -> None:
        """Make what the test has set up so far visible to the threads: on SQLite, copy the
        in-memory test database into the file (everything there is committed: transaction=True)."""
        if self.sqlite_file is None:
            return
        connection.ensure_connection()
        copy = sqlite3.connect(self.sqlite_file)
        connection.connection.backup(copy)
        # As `migrate` leaves a new database file in production: already in WAL when the
        # console's connections open it (settings_app.apps).
        copy.execute("PRAGMA journal_mode=WAL")
        copy.close()

    @contextmanager
    def in_this_thread(self) -> Iterator[None]:
        """This thread's ORM on the shared database; its connection is closed afterwards."""
        original = connections["default"]
        if self.sqlite_file is not None:
            settings = {**original.settings_dict, "NAME": str(self.sqlite_file)}
            connections["default"] = type(original)(settings, alias="default")
        try:
            yield
        finally:
            connections["default"].close()
            connections["default"] = original


@pytest.fixture
def shared_database(tmp_path) -> SharedDatabase:
    """On SQLite, a file that the test database is copied into, opened with the console's own
    options (WAL, BEGIN IMMEDIATE, busy timeout); on a server, the test database itself."""
    if connection.vendor != "sqlite":
        return SharedDatabase(None)
    return SharedDatabase(tmp_path / "concurrent.sqlite3")


def run_at_once(shared: SharedDatabase, work: list[Callable[[], None]]) -> list[str]:
    """Run each piece of work in its own thread, all starting together; the errors, if any."""
    shared.share()
    errors: list[str] = []
    start = threading.Barrier(len(work))

    def run(piece: Callable[[], None]) -> None:
        try:
            with shared.in_this_thread():
                start.wait(timeout=30)
                piece()
        except Exception as error:  # every failure is reported, none is swallowed
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(piece,), daemon=True) for piece in work]
    deadline = time.monotonic() + TIME_LIMIT_S
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    assert not stuck, f"{stuck} threads still running after {TIME_LIMIT_S} s"
    return errors


@dataclass
class Switch:
    """One admin's page with the switch of one cluster, as last rendered."""

    client: Client
    url: str
    checked: bool
    version: int
    answers: Counter = field(default_factory=Counter)

    def click(self) -> None:
        """Ask for the opposite of what the page shows, from the version it shows."""
        self.post(AgentUpgrades.UNLOCK if self.checked else AgentUpgrades.LOCK, self.version)

    def double_click(self) -> None:
        wanted = AgentUpgrades.UNLOCK if self.checked else AgentUpgrades.LOCK
        version = self.version
        self.post(wanted, version)
        self.post(wanted, version)  # sent before the first answer was shown

    def post(self, value: str, version: int) -> None:
        response = self.client.post(
            self.url, {"value": value, "version": str(version)}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code in (200, 409), response.status_code
        page = parse(response)
        self.checked = switch_of(page).attrs["aria-checked"] == "true"
        self.version = int(hidden_value(switch_form(page), "version"))
        if response.status_code == 409:
            self.answers["conflict"] += 1
        elif "nothing changed" in messages_text(page):
            self.answers["replayed"] += 1
        else:
            self.answers["changed"] += 1


def open_switch(user: User, cluster: Cluster) -> Switch:
    client = Client()
    client.force_login(user)
    return Switch(
        client,
        reverse(
            "change_cluster_agent_upgrades",
            args=[ScopeRef("projects", cluster.project_id), cluster.pk],
        ),
        checked=cluster.is_paused,
        version=cluster.agent_upgrades_version,
    )


@pytest.fixture
def project_admins(demo) -> list[User]:
    """Eight admins of Acme / Default, each with a browser of their own."""
    group = Group.objects.get(name="Acme / Default · Project Admin")
    admins = [User.objects.create_user(f"admin-{n}") for n in range(THREADS)]
    group.user_set.add(*admins)
    return admins


def test_eight_admins_making_fifty_changes_each_lose_nothing(shared_database, demo, project_admins):
    clusters = [demo.prod_east, demo.prod_west]
    # Each admin has both clusters' settings open; every fifth change is a double click.
    pages = [{c.pk: open_switch(admin, c) for c in clusters} for admin in project_admins]

    def admin_at_work(switches: dict[int, Switch]) -> Callable[[], None]:
        def work() -> None:
            for n in range(CHANGES_PER_THREAD):
                switch = switches[clusters[n % 2].pk]
                if n % 5 == 4:
                    switch.double_click()
                else:
                    switch.click()

        return work

    started = time.monotonic()
    errors = run_at_once(shared_database, [admin_at_work(switches) for switches in pages])
    took = time.monotonic() - started

    assert errors == []
    answers = sum((s.answers for switches in pages for s in switches.values()), Counter())
    requests = THREADS * CHANGES_PER_THREAD * 6 // 5
    assert sum(answers.values()) == requests
    with shared_database.in_this_thread():
        versions = dict(
            Cluster.objects.filter(pk__in=[c.pk for c in clusters]).values_list(
                "pk", "agent_upgrades_version"
            )
        )
        audit = Counter(AuditEvent.objects.values_list("cluster_id", flat=True))
        final = {c.pk: Cluster.objects.get(pk=c.pk).agent_upgrades for c in clusters}
        last_audited = {
            c.pk: AuditEvent.objects.filter(cluster=c).order_by("-id").first().new_value
            for c in clusters
        }
    # Every write moved a version by one and left one audit record, and each answered "changed".
    for cluster in clusters:
        assert versions[cluster.pk] - cluster.agent_upgrades_version == audit[cluster.pk]
    assert sum(audit.values()) == answers["changed"]
    assert final == last_audited
    # Contention happened (otherwise this test proves nothing), and it was answered, not lost.
    assert answers["conflict"] + answers["replayed"] > 0
    print(f"\n{requests} requests in {took:.1f} s: {dict(answers)}")


def test_the_same_change_sent_twice_at_once_is_made_once(shared_database, demo, project_admins):
    first, second = (open_switch(admin, demo.prod_east) for admin in project_admins[:2])

    errors = run_at_once(shared_database, [first.click, second.click])

    assert errors == []
    assert first.answers + second.answers == Counter(changed=1, replayed=1)
    with shared_database.in_this_thread():
        prod_east = Cluster.objects.get(pk=demo.prod_east.pk)
        assert (prod_east.agent_upgrades, prod_east.agent_upgrades_version) == ("lock", 1)
        assert AuditEvent.objects.count() == 1


def test_opposite_changes_from_the_same_page_at_once_make_one_change_and_one_conflict(
    shared_database, demo, project_admins
):
    pausing, resuming = (open_switch(admin, demo.prod_east) for admin in project_admins[:2])

    errors = run_at_once(
        shared_database,
        [
            lambda: pausing.post(AgentUpgrades.LOCK, 0),
            lambda: resuming.post(AgentUpgrades.UNLOCK, 0),
        ],
    )

    assert errors == []
    answers = pausing.answers + resuming.answers
    # Whoever came second was shown the other's value; nothing was overwritten silently.
    assert answers in (Counter(changed=1, conflict=1), Counter(changed=2))
    with shared_database.in_this_thread():
        events = list(AuditEvent.objects.order_by("id").values_list("old_value", "new_value"))
        prod_east = Cluster.objects.get(pk=demo.prod_east.pk)
    assert len(events) == answers["changed"]
    assert prod_east.agent_upgrades_version == len(events)
    assert pausing.checked == resuming.checked == prod_east.is_paused


def test_pushes_and_cluster_changes_at_once_never_fail_and_the_audit_trail_tells_the_end_state(
    shared_database, demo, project_admins, user
):
    tenant_admin, project_admin, cluster_admin = (
        user(name) for name in ("tenant-admin", "project-admin", "cluster-admin")
    )

    def push(admin: User, url: str, rounds: int) -> Callable[[], None]:
        client = Client()
        client.force_login(admin)

        def work() -> None:
            for n in range(rounds):
                value = AgentUpgrades.LOCK if n % 2 == 0 else AgentUpgrades.UNLOCK
                response = client.post(url, {"value": value}, HTTP_HX_REQUEST="true")
                assert response.status_code == 200, response.status_code

        return work

    cluster_pages = [open_switch(cluster_admin, demo.prod_east) for _ in range(3)] + [
        open_switch(admin, demo.prod_west) for admin in project_admins[:3]
    ]

    def clicks(switch: Switch) -> Callable[[], None]:
        return lambda: [switch.click() for _ in range(20)]

    errors = run_at_once(
        shared_database,
        [
            push(tenant_admin, reverse("change_tenant_agent_upgrades", args=[demo.acme.pk]), 10),
            push(
                project_admin, reverse("change_project_agent_upgrades", args=[demo.default.pk]), 10
            ),
            *(clicks(switch) for switch in cluster_pages),
        ],
    )

    assert errors == []
    with shared_database.in_this_thread():
        # Replaying the audit trail gives every object's value: nothing changed unrecorded.
        for model, key in ((Tenant, "tenant"), (Project, "project"), (Cluster, "cluster")):
            scope_events = AuditEvent.objects.filter(scope=key)
            for obj in model.objects.filter(pk__in=scope_events.values(f"{key}_id")):
                last = scope_events.filter(**{key: obj}).order_by("-id").first()
                assert last.new_value == obj.agent_upgrades, f"{key} {obj}"


RELEASES = [f"4.{minor}.0" for minor in range(8, 18)]


def test_releases_during_pauses_and_resumes_record_exactly_the_upgrades_they_make(
    shared_database, demo, project_admins, user
):
    root = User.objects.create_superuser("root", "root@example.com", "x")
    release_client = Client()
    release_client.force_login(root)

    def release_ten_versions() -> None:
        for version in RELEASES:
            response = release_client.post(reverse("platform_upgrades"), {"version": version})
            assert response.status_code == 302, response.status_code

    tenant_admin = user("tenant-admin")
    pages = [
        open_switch(project_admins[0], demo.prod_east),
        open_switch(project_admins[1], demo.prod_west),
        open_switch(tenant_admin, demo.edge_01),
    ]

    def clicks(switch: Switch) -> Callable[[], None]:
        return lambda: [switch.click() for _ in range(30)]

    def pushes() -> None:
        client = Client()
        client.force_login(tenant_admin)
        url = reverse("change_project_agent_upgrades", args=[demo.edge.pk])
        for n in range(20):
            value = AgentUpgrades.LOCK if n % 2 == 0 else AgentUpgrades.UNLOCK
            assert client.post(url, {"value": value}, HTTP_HX_REQUEST="true").status_code == 200

    errors = run_at_once(
        shared_database, [release_ten_versions, pushes, *(clicks(page) for page in pages)]
    )

    assert errors == []
    with shared_database.in_this_thread():
        for release in PlatformRelease.objects.exclude(version="4.7.2"):
            records = AgentUpgrade.objects.filter(release=release).count()
            assert release.agents_upgraded == records, release.version
        # Every agent's upgrades form one chain from where it started to where it is.
        for cluster in Cluster.objects.all():
            chain = list(cluster.agent_upgrades_history.order_by("at", "id"))
            version = "4.7.2"
            for upgrade in chain:
                assert upgrade.from_version == version, (cluster.name, upgrade)
                version = upgrade.to_version
            assert version == cluster.agent_version, cluster.name


def test_a_bulk_resume_that_waits_for_a_release_catches_agents_up_to_that_release(
    shared_database, demo, user
):
    """A bulk act that waited for a release's lock on the tenant reads the platform's agent
    after it gets the lock: it catches the agents it resumes up to that release, not to the one
    before it (rule 6). The release holds its locks a while, and the bulk resume asks meanwhile."""
    rules.push_tenant(demo.acme, AgentUpgrades.LOCK, actor=user("tenant-admin"))
    admin = Client()
    admin.force_login(user("tenant-admin"))
    bulk_url = reverse("bulk_change_clusters", args=[ScopeRef("tenants", demo.acme.pk)])
    locked = threading.Event()
    ending_pauses = releases.resume_ended

    def ending_pauses_slowly(*args, **kwargs):
        locked.set()  # every tenant's row is locked by now
        time.sleep(1.5)
        return ending_pauses(*args, **kwargs)

    def release() -> None:
        rules.release_platform("4.8.0")

    def resume_every_cluster() -> None:
        assert locked.wait(timeout=30)
        data = {"value": AgentUpgrades.UNLOCK, "all": "1", "drawn_at": timezone.now().isoformat()}
        assert admin.post(bulk_url, data, HTTP_HX_REQUEST="true").status_code == 200

    with mock.patch.object(releases, "resume_ended", ending_pauses_slowly):
        errors = run_at_once(shared_database, [release, resume_every_cluster])

    assert errors == []
    with shared_database.in_this_thread():
        agents = Cluster.objects.filter(tenant=demo.acme).values_list(
            "agent_upgrades", "agent_version"
        )
        assert set(agents) == {(AgentUpgrades.UNLOCK, "4.8.0")}


def test_two_schedulers_at_once_start_and_end_every_freeze_window_exactly_once(
    shared_database, demo, monkeypatch
):
    from datetime import timedelta

    from settings_app.models import FreezeOccurrence, FreezeWindow
    from settings_app.rules.schedule import run_windows

    now = timezone.now()
    clock = {"now": now}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    admin = User.objects.get(username="tenant-admin")
    targets = [
        *({"tenant_id": c.tenant_id, "cluster": c} for c in Cluster.objects.all()),
        *({"tenant_id": p.tenant_id, "project": p} for p in Project.objects.all()),
        *({"tenant": t} for t in Tenant.objects.all()),
    ]
    windows = []
    for number in range(24):  # overlapping windows at every scope, starting a minute apart
        start = now + timedelta(minutes=1 + number)
        end = start + timedelta(minutes=30)
        windows.append(
            FreezeWindow(
                **targets[number % len(targets)],
                name=f"w{number}",
                time_zone="UTC",
                schedule=FreezeWindow.Schedule.ONCE,
                start_date=start.date(),
                start_time=start.time(),
                end_date=end.date(),
                end_time=end.time(),
                created_by=admin,
                created_at=now,
            )
        )
    FreezeWindow.objects.bulk_create(windows)

    # Every start is due, then (once both schedulers have made their passes) every end.
    clock["now"] = now + timedelta(minutes=30)
    later = threading.Barrier(2, action=lambda: clock.update(now=now + timedelta(minutes=90)))

    def scheduler() -> None:
        for _ in range(3):
            run_windows()
        later.wait(timeout=TIME_LIMIT_S)
        for _ in range(3):
            run_windows()

    assert run_at_once(shared_database, [scheduler, scheduler]) == []

    with shared_database.in_this_thread():
        states = Counter(FreezeOccurrence.objects.values_list("state", flat=True))
        acts = Counter(
            AuditEvent.objects.filter(action="window", part_of__isnull=True).values_list(
                "freeze_window", flat=True
            )
        )
        paused = Cluster.objects.filter(agent_upgrades=AgentUpgrades.LOCK).count()
    assert states == {"ended": 24}
    assert set(acts.values()) == {2}  # one start and one end each
    assert len(acts) == 24
    assert paused == 0  # every value put back
