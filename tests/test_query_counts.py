"""Query counts of every page and change endpoint, locked at what they cost today, and shown not
to grow with the number of clusters (STYLE.md habit 5: no query per row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from settings_app import rules
from settings_app.models import AgentUpgrade, AgentUpgrades, Cluster, PlatformRelease
from settings_app.permissions.scopes import ScopeRef

LOCK = AgentUpgrades.LOCK
UNLOCK = AgentUpgrades.UNLOCK
# The most any page or change may cost: 15 as in production, plus one because inside a test's
# transaction atomic() costs SAVEPOINT and RELEASE where production issues a single BEGIN.
HOUSE_BUDGET = 16


@dataclass(frozen=True)
class Case:
    username: str
    page: str
    method: str = "get"  # "get", or the value a change posts: "lock" or "unlock"
    htmx: bool = False
    budget: int = HOUSE_BUDGET  # what it costs today, measured; a rise fails the test

    def __str__(self) -> str:
        return f"{self.username}:{self.page}:{self.method}{':htmx' if self.htmx else ''}"


def url_for(demo, page: str) -> str:
    tenant = ScopeRef("tenants", demo.acme.pk)
    project = ScopeRef("projects", demo.default.pk)
    prod_east = demo.prod_east.pk
    return {
        "home": lambda: reverse("home"),
        "switch_scope": lambda: f"{reverse('switch_scope')}?scope={project}",
        "clusters/tenant": lambda: reverse("cluster_list", args=[tenant]),
        "clusters/project": lambda: reverse("cluster_list", args=[project]),
        "clusters/filtered": lambda: (
            f"{reverse('cluster_list', args=[tenant])}?q=e&paused=1&behind=1&page=1"
        ),
        "clusters/sorted": lambda: (
            f"{reverse('cluster_list', args=[tenant])}?sort=-set&mixed=1&behind=1&page=last"
        ),
        "clusters/searched": lambda: (
            f"{reverse('cluster_list', args=[project])}?q=prod&sort=-project&page=2"
        ),
        "platform_upgrades": lambda: reverse("platform_upgrades"),
        "cluster_detail": lambda: reverse("cluster_detail", args=[project, prod_east]),
        "cluster_settings": lambda: reverse("cluster_settings", args=[project, prod_east]),
        "audit_log/tenant": lambda: reverse("audit_log", args=[tenant]),
        "audit_log/project": lambda: reverse("audit_log", args=[project]),
        "audit_log/filtered": lambda: (
            f"{reverse('audit_log', args=[tenant])}?object=prod-east&actor=cluster-admin"
            "&act=agent-upgraded&from=2000-01-01&to=2999-01-01&q=a&page=2&after=x"
        ),
        "project_settings": lambda: reverse("project_settings", args=[demo.default.pk]),
        "project_platform": lambda: reverse("project_platform_settings", args=[demo.default.pk]),
        "projects": lambda: reverse("project_list", args=[demo.acme.pk]),
        "tenant_settings": lambda: reverse("tenant_settings", args=[demo.acme.pk]),
        "tenant_platform": lambda: reverse("tenant_platform_settings", args=[demo.acme.pk]),
        "change_cluster": lambda: reverse(
            "change_cluster_agent_upgrades", args=[project, prod_east]
        ),
        "change_project": lambda: reverse("change_project_agent_upgrades", args=[demo.default.pk]),
        "change_tenant": lambda: reverse("change_tenant_agent_upgrades", args=[demo.acme.pk]),
    }[page]()


# Budgets are the counts measured on the demo data (with the test run's savepoints).
PAGES = [
    Case("tenant-admin", "home", budget=5),
    Case("tenant-admin", "switch_scope", budget=4),
    # The Clusters list counts its Frozen tile in one statement.
    Case("tenant-admin", "clusters/tenant", budget=10),
    Case("tenant-admin", "clusters/project", budget=10),
    Case("project-admin", "clusters/project", budget=9),
    Case("cluster-admin", "clusters/project", budget=9),
    Case("viewer", "clusters/project", budget=9),
    Case("tenant-admin", "clusters/filtered", budget=11),  # the search is counted
    Case("tenant-admin", "clusters/sorted", budget=11),
    Case("project-admin", "clusters/searched", budget=10),
    Case("tenant-admin", "clusters/sorted", htmx=True, budget=9),
    Case("tenant-admin", "clusters/tenant", htmx=True, budget=8),
    Case("tenant-admin", "clusters/filtered", htmx=True, budget=9),
    Case("root", "platform_upgrades", budget=5),
    Case("tenant-admin", "cluster_detail", budget=9),
    Case("viewer", "cluster_settings", budget=9),  # and its freeze windows
    Case("tenant-admin", "cluster_settings", htmx=True, budget=11),  # Undo, freeze windows
    # Keyset paging counts the filtered trail (up to COUNT_CAP) for "Showing 1–50 of N".
    Case("tenant-admin", "audit_log/tenant", budget=8),
    Case("viewer", "audit_log/project", budget=7),
    Case("cluster-admin", "audit_log/project", budget=7),
    # And one statement finds whether one name or several start as the Object and Actor typed.
    Case("tenant-admin", "audit_log/filtered", budget=9),
    Case("project-admin", "project_settings", budget=7),
    Case("viewer", "project_platform", budget=8),  # and its freeze windows
    Case("tenant-admin", "projects", budget=9),  # its counts come from rules.fleet_counts
    Case("tenant-admin", "tenant_settings", budget=9),
    Case("tenant-admin", "tenant_platform", budget=10),  # its Undo offer, its freeze windows
]
CHANGES = [
    Case("cluster-admin", "change_cluster", "lock", budget=12),
    Case("cluster-admin", "change_cluster", "unlock", budget=13),
    Case("cluster-admin", "change_cluster", "lock", htmx=True, budget=14),
    Case("cluster-admin", "change_cluster", "unlock", htmx=True, budget=15),
    Case("project-admin", "change_project", "lock", budget=14),
    Case("project-admin", "change_project", "unlock", budget=15),
    Case("project-admin", "change_project", "lock", htmx=True, budget=14),
    Case("project-admin", "change_project", "unlock", htmx=True, budget=15),
    # (Whether anyone listens for a tenant push is read with the tenant: no query more.)
    Case("tenant-admin", "change_tenant", "lock", budget=14),
    Case("tenant-admin", "change_tenant", "unlock", budget=15),
    Case("tenant-admin", "change_tenant", "lock", htmx=True, budget=14),
    Case("tenant-admin", "change_tenant", "unlock", htmx=True, budget=15),
]
CASES = PAGES + CHANGES


@pytest.fixture
def history(demo, user, superuser):
    """One change already recorded, so that the audit pages show a table; and a superuser,
    who alone may open Platform Upgrades."""
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))


def prepare(demo, user, case: Case) -> None:
    """A change starts from the opposite value everywhere, so that it writes every cluster."""
    if case.method != "get":
        opposite = UNLOCK if case.method == LOCK else LOCK
        rules.push_tenant(demo.acme, opposite, actor=user("tenant-admin"))


def measure(assert_max_queries, client, demo, case: Case) -> int:
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    with assert_max_queries(case.budget) as captured:
        if case.method == "get":
            response = client.get(url_for(demo, case.page), **headers)
        else:
            response = client.post(url_for(demo, case.page), {"value": case.method}, **headers)
    # A 404 or a 400 is cheap: make sure the real page or change was measured.
    assert response.status_code in {200, 302}, response.status_code
    if case.method != "get":
        target = {"change_cluster": demo.prod_east, "change_project": demo.default}.get(
            case.page, demo.acme
        )
        target.refresh_from_db()
        assert target.agent_upgrades == case.method
    return len(captured)


def add_forty_clusters(demo, user) -> None:
    """40 more clusters in project Default, set in different ways and by different people, and
    all of them administered by the Cluster Admin too."""
    cluster_admin = user("cluster-admin")
    for number in range(40):
        cluster = rules.new_cluster(demo.default, f"extra-{number:02d}")
        assign_perm("settings_app.administer_cluster", cluster_admin, cluster)
        if number % 3 == 0:
            rules.set_cluster(cluster, LOCK, actor=cluster_admin)
    rules.push_project(demo.edge, LOCK, actor=user("project-admin"))
    assert Cluster.objects.filter(project=demo.default).count() == 43


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_query_count_is_locked_and_does_not_grow_with_forty_more_clusters(
    demo, client_for, user, history, django_assert_max_num_queries, case
):
    prepare(demo, user, case)
    before = measure(django_assert_max_num_queries, client_for(case.username), demo, case)

    add_forty_clusters(demo, user)
    prepare(demo, user, case)
    after = measure(django_assert_max_num_queries, client_for(case.username), demo, case)

    assert after == before


def test_no_page_or_change_is_allowed_more_than_the_house_budget():
    # The locked counts above are what each request may cost; none may exceed the house budget.
    assert [str(case) for case in CASES if case.budget > HOUSE_BUDGET] == []


def test_the_cluster_list_shows_all_forty_three_clusters_for_its_fixed_cost(
    demo, client_for, user, django_assert_max_num_queries
):
    add_forty_clusters(demo, user)
    url = url_for(demo, "clusters/project")
    client = client_for("cluster-admin")

    with django_assert_max_num_queries(9):
        response = client.get(url)

    assert response.content.count(b'<th scope="row">') == 41  # prod-east and the 40 new ones


# A resume that catches agents up (rule 6) writes their upgrades too: measured apart, with every
# agent of Acme paused and behind the platform.
CATCH_UPS = [
    Case("cluster-admin", "change_cluster", "unlock", budget=13),
    Case("cluster-admin", "change_cluster", "unlock", htmx=True, budget=15),
    Case("project-admin", "change_project", "unlock", budget=15),
    Case("project-admin", "change_project", "unlock", htmx=True, budget=15),
    Case("tenant-admin", "change_tenant", "unlock", budget=15),
    Case("tenant-admin", "change_tenant", "unlock", htmx=True, budget=15),
]


def hold_back_every_agent(demo, user, version: str) -> None:
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))
    rules.release_platform(version)


@pytest.mark.parametrize("case", CATCH_UPS, ids=str)
def test_a_resume_that_catches_agents_up_is_locked_and_does_not_grow_with_forty_more_clusters(
    demo, client_for, user, history, django_assert_max_num_queries, case
):
    hold_back_every_agent(demo, user, "4.8.0")
    before = measure(django_assert_max_num_queries, client_for(case.username), demo, case)
    assert AgentUpgrade.objects.filter(cause=AgentUpgrade.Cause.RESUME).exists()

    add_forty_clusters(demo, user)
    hold_back_every_agent(demo, user, "4.9.0")
    after = measure(django_assert_max_num_queries, client_for(case.username), demo, case)

    assert after == before
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_version == "4.9.0"


def end_a_pause_in_the_past(cluster: Cluster) -> None:
    Cluster.objects.filter(pk=cluster.pk).update(
        agent_upgrades=LOCK, agent_upgrades_until=timezone.now() - timedelta(minutes=1)
    )


# What a release on Platform Upgrades costs, measured: alone, and when it first ends a pause.
# (One query more for which tenants listen to a release: it held clusters back, ended pauses.)
RELEASE_BUDGET = 14
RELEASE_ENDING_PAUSES_BUDGET = 16


@pytest.mark.parametrize(
    ("pauses_ended", "budget"),
    [(False, RELEASE_BUDGET), (True, RELEASE_ENDING_PAUSES_BUDGET)],
    ids=["release", "release ending a pause"],
)
def test_a_release_on_the_page_is_locked_and_does_not_grow_with_forty_more_clusters(
    demo, client_for, user, history, django_assert_max_num_queries, pauses_ended, budget
):
    client = client_for("root")
    url = reverse("platform_upgrades")
    if pauses_ended:
        end_a_pause_in_the_past(demo.staging)

    with django_assert_max_num_queries(budget) as first:
        assert client.post(url, {"version": "4.8.0"}).status_code == 302
    add_forty_clusters(demo, user)
    if pauses_ended:
        end_a_pause_in_the_past(demo.edge_01)
    with django_assert_max_num_queries(budget) as second:
        assert client.post(url, {"version": "4.9.0"}).status_code == 302

    assert len(second) == len(first)
    assert PlatformRelease.current().version == "4.9.0"
    assert Cluster.objects.get(pk=demo.prod_west.pk).agent_version == "4.9.0"
    assert Cluster.objects.get(pk=demo.edge_01.pk).agent_upgrades == (
        UNLOCK if pauses_ended else LOCK
    )


@pytest.mark.parametrize(
    "budget",
    [
        *[pytest.param(case.budget, id=str(case)) for case in CATCH_UPS],
        pytest.param(RELEASE_BUDGET, id="release"),
        pytest.param(RELEASE_ENDING_PAUSES_BUDGET, id="release ending a pause"),
    ],
)
def test_no_catch_up_or_release_is_allowed_more_than_the_house_budget(budget):
    assert budget <= HOUSE_BUDGET


def test_ending_pauses_is_locked_and_does_not_grow_with_forty_more_clusters(
    demo, user, django_assert_max_num_queries
):
    rules.release_platform("4.8.0")
    Cluster.objects.update(agent_version="4.7.2")
    end_a_pause_in_the_past(demo.prod_east)

    with django_assert_max_num_queries(11) as first:  # 10, and the notice destinations
        call_command("resume_expired_pauses", stdout=StringIO())
    add_forty_clusters(demo, user)
    Cluster.objects.update(agent_version="4.7.2")
    for cluster in Cluster.objects.filter(name__startswith="extra-"):
        end_a_pause_in_the_past(cluster)
    with django_assert_max_num_queries(11) as second:
        call_command("resume_expired_pauses", stdout=StringIO())

    assert len(second) == len(first)
    assert not Cluster.objects.filter(agent_upgrades_until__isnull=False).exists()
    assert AgentUpgrade.objects.filter(cause=AgentUpgrade.Cause.EXPIRY).count() == 41


# What a bulk act costs today (a resume also records the agents it catches up); a rise fails.
# The platform's agent is read after the tenant's lock, in a statement of its own (a statement
# that waited for the lock would read the release before the one it waited for).
BULK_BUDGET = {LOCK: 14, UNLOCK: 15}


@pytest.mark.parametrize("selection", ["ticked", "every matching"])
@pytest.mark.parametrize("value", [LOCK, UNLOCK])
def test_a_bulk_change_costs_the_same_for_five_or_forty_five_clusters(
    demo, client_for, user, django_assert_max_num_queries, value, selection
):
    client = client_for("tenant-admin")
    url = reverse("bulk_change_clusters", args=[ScopeRef("tenants", demo.acme.pk)])
    # Every matching cluster: one more, the projects a filter on the written columns finds.
    budget = BULK_BUDGET[value] + (selection == "every matching")

    def bulk() -> int:
        rules.push_tenant(demo.acme, UNLOCK if value == LOCK else LOCK, actor=user("tenant-admin"))
        if selection == "ticked":
            rows = Cluster.objects.filter(tenant=demo.acme).values_list(
                "pk", "agent_upgrades_version"
            )
            data = {"value": value, "cluster": ",".join(f"{pk}:{v}" for pk, v in rows)}
        else:
            data = {"value": value, "all": "1", "drawn_at": timezone.now().isoformat()}
        with django_assert_max_num_queries(budget) as captured:
            assert client.post(url, data).status_code == 302
        return len(captured)

    before = bulk()
    add_forty_clusters(demo, user)
    assert bulk() == before
    assert set(
        Cluster.objects.values_list("agent_upgrades", flat=True).filter(tenant=demo.acme)
    ) == {value}
