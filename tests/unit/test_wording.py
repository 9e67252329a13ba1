"""The console's sentences (`settings_app.wording`), asked directly with objects in hand: where a
value came from, what a confirm dialog asks, what a message says after a change, a refusal, a
release or the end of pauses. No database, no page: the view tests check that each page shows
them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from settings_app import wording
from settings_app.models import AgentUpgrades, Cluster, PlatformRelease, Project, Scope, Tenant, Via
from settings_app.rules import Change, Expiry, FleetCounts, Rollout
from settings_app.rules.fleet import AgentCounts
from settings_app.wording import changes, releases

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
# A pause's end a year ahead, to the minute, and how the console writes it.
FREEZE_ENDS = (timezone.now() + timedelta(days=365)).replace(second=0, microsecond=0)
ENDS = FREEZE_ENDS.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def read(text: str) -> str:
    """The text with its spaces as a reader sees them (timesince writes no-break spaces)."""
    return " ".join(text.split())


def minutes_ago(minutes: int) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def acme(**setting) -> Tenant:
    return Tenant(pk=1, name="Acme", **setting)


def default(**setting) -> Project:
    return Project(pk=10, tenant=acme(), name="Default", **setting)


def prod_east(**fields) -> Cluster:
    return Cluster(
        **{"pk": 100, "project": default(), "name": "prod-east", "agent_version": "4.7.2"} | fields
    )


def by(username: str) -> User:
    return User(username=username)


# Where a value came from.


SOURCES = {
    # a value, written how and when: what the console says of where it came from
    "never set": (lambda: prod_east(), "default value, not changed yet"),
    "set on the cluster": (
        lambda: prod_east(
            agent_upgrades=LOCK,
            agent_upgrades_set_via=Via.CLUSTER,
            agent_upgrades_set_by=by("cluster-admin"),
            agent_upgrades_set_at=minutes_ago(5),
        ),
        "set on this cluster · cluster-admin · 5 minutes ago",
    ),
    "pushed by the project": (
        lambda: prod_east(
            agent_upgrades=LOCK,
            agent_upgrades_set_via=Via.PROJECT,
            agent_upgrades_set_by=by("project-admin"),
            agent_upgrades_set_at=minutes_ago(0),
        ),
        "pushed by project Default · project-admin · just now",
    ),
    "pushed by the tenant, by nobody": (
        lambda: default(
            agent_upgrades=LOCK,
            agent_upgrades_set_via=Via.TENANT,
            agent_upgrades_set_at=minutes_ago(0),
        ),
        "pushed by tenant Acme · system · just now",
    ),
    "a pause that ended": (
        lambda: prod_east(
            agent_upgrades_set_via=Via.EXPIRY, agent_upgrades_set_at=minutes_ago(120)
        ),
        "resumed when its pause ended · 2 hours ago",
    ),
}


@pytest.mark.parametrize(("made", "says"), SOURCES.values(), ids=SOURCES.keys())
def test_the_source_says_where_the_value_came_from_by_whom_and_when(made, says):
    assert read(wording.source(made())) == says


def test_the_details_of_a_pause_name_its_end_and_reason_before_its_source():
    cluster = prod_east(
        agent_upgrades=LOCK,
        agent_upgrades_set_via=Via.TENANT,
        agent_upgrades_set_at=minutes_ago(0),
        agent_upgrades_reason="freeze",
        agent_upgrades_until=FREEZE_ENDS,
    )

    assert wording.details(cluster) == (
        f"until {ENDS} · “freeze” · pushed by tenant Acme · system · just now"
    )


def test_the_details_of_an_ended_pause_say_it_ended_and_what_it_was():
    ended = minutes_ago(60)
    cluster = prod_east(
        agent_upgrades=LOCK,
        agent_upgrades_set_via=Via.CLUSTER,
        agent_upgrades_set_by=by("tenant-admin"),
        agent_upgrades_set_at=minutes_ago(180),
        agent_upgrades_reason="freeze",
        agent_upgrades_until=ended,
    )

    assert read(wording.details(cluster)) == (
        f"pause ended {wording.when(ended)} · it was “freeze”, set on this cluster · "
        "tenant-admin · 3 hours ago"
    )


# What the confirm dialog asks.


@pytest.mark.parametrize(
    ("cluster", "platform_agent", "asks"),
    [
        pytest.param(
            prod_east(),
            "4.7.2",
            "Pause agent upgrades for cluster prod-east. Its agent stays at 4.7.2 when the "
            "platform is upgraded, until upgrades are resumed.",
            id="pause",
        ),
        pytest.param(
            prod_east(agent_upgrades=LOCK),
            "4.8.1",
            "Resume agent upgrades for cluster prod-east. "
            "Its agent will be upgraded from 4.7.2 to 4.8.1.",
            id="resume, behind",
        ),
        pytest.param(
            prod_east(agent_upgrades=LOCK, agent_upgrades_set_via=Via.PROJECT),
            "4.7.2",
            "Resume agent upgrades for cluster prod-east. Its current value came from project "
            "Default; the next time project Default is paused or resumed, this cluster follows "
            "it again.",
            id="resume what a push set",
        ),
    ],
)
def test_the_cluster_dialog_says_what_the_change_will_do(cluster, platform_agent, asks):
    assert changes.cluster_confirm(cluster, platform_agent) == asks


@pytest.mark.parametrize(
    ("obj", "value", "counts", "asks"),
    [
        pytest.param(
            default(),
            LOCK,
            FleetCounts(total=3, projects=1),
            "Pause agent upgrades for 3 clusters in project Default.",
            id="a project",
        ),
        pytest.param(
            default(),
            LOCK,
            FleetCounts(total=3, projects=1, set_below=1),
            "Pause agent upgrades for 3 clusters in project Default. "
            "1 of them was set individually and will be overwritten.",
            id="one set individually",
        ),
        pytest.param(
            default(agent_upgrades=LOCK),
            UNLOCK,
            FleetCounts(total=3, projects=1, paused=3, set_below=2),
            "Resume agent upgrades for 3 clusters in project Default. "
            "2 of them were set individually and will be overwritten.",
            id="two set individually",
        ),
        pytest.param(
            default(),
            LOCK,
            FleetCounts(total=1, projects=1, set_below=1),
            "Pause agent upgrades for 1 cluster in project Default. "
            "It was set individually and will be overwritten.",
            id="its one cluster set individually",
        ),
        pytest.param(
            default(),
            LOCK,
            FleetCounts(),
            "Pause agent upgrades for project Default. It has no clusters yet; "
            "new clusters will take this value.",
            id="no clusters",
        ),
        pytest.param(
            default(agent_upgrades=LOCK),
            LOCK,
            FleetCounts(total=3, projects=1, paused=2, set_below=1),
            "Pause agent upgrades again for 3 clusters in project Default. "
            "1 of them was set individually and will be overwritten.",
            id="the same value again",
        ),
        pytest.param(
            default(agent_upgrades=LOCK),
            UNLOCK,
            FleetCounts(total=3, projects=1, paused=3, paused_behind=2),
            "Resume agent upgrades for 3 clusters in project Default. "
            "2 agents held back by the pause will be upgraded to 4.8.0.",
            id="a resume that catches agents up",
        ),
        pytest.param(
            acme(),
            LOCK,
            FleetCounts(total=5, projects=2, set_below=3),
            "Pause agent upgrades for 5 clusters in 2 projects of tenant Acme. "
            "3 of them were set at project or cluster level and will be overwritten.",
            id="a tenant",
        ),
        pytest.param(
            acme(),
            LOCK,
            FleetCounts(total=1, projects=1),
            "Pause agent upgrades for 1 cluster in 1 project of tenant Acme.",
            id="a tenant of one cluster",
        ),
        pytest.param(
            acme(),
            LOCK,
            FleetCounts(
                total=412,
                projects=5,
                gateways=AgentCounts(total=3),
                idle_hosts=AgentCounts(total=20),
            ),
            "Pause agent upgrades for 412 clusters in 5 projects, 3 gateways and 20 Edge hosts "
            "not in a cluster in tenant Acme.",
            id="a tenant with gateways and idle hosts",
        ),
        pytest.param(
            default(),
            LOCK,
            FleetCounts(total=3, projects=1, set_below=1, idle_hosts=AgentCounts(total=1)),
            "Pause agent upgrades for 3 clusters and 1 Edge host not in a cluster in project "
            "Default. 1 of the clusters was set individually and will be overwritten.",
            id="a project with an idle host",
        ),
        pytest.param(
            acme(agent_upgrades=LOCK),
            UNLOCK,
            FleetCounts(
                total=2,
                projects=1,
                paused=2,
                paused_behind=1,
                gateways=AgentCounts(total=1, paused=1, paused_behind=1),
            ),
            "Resume agent upgrades for 2 clusters in 1 project and 1 gateway in tenant Acme. "
            "2 agents held back by the pause will be upgraded to 4.8.0.",
            id="a resume that catches a gateway up too",
        ),
        pytest.param(
            acme(),
            LOCK,
            FleetCounts(gateways=AgentCounts(total=1)),
            "Pause agent upgrades for 1 gateway in tenant Acme. It has no clusters yet; "
            "new clusters will take this value.",
            id="a tenant with a gateway and no clusters",
        ),
    ],
)
def test_the_push_dialog_counts_what_the_push_will_overwrite(obj, value, counts, asks):
    assert changes.push_confirm(obj, value, counts, "4.8.0") == asks


# What a change, a replay and a conflict say.


@pytest.mark.parametrize(
    ("change", "says"),
    [
        pytest.param(
            Change(Scope.CLUSTER, prod_east(), LOCK, clusters_written=1),
            "Agent upgrades paused for cluster prod-east.",
            id="a cluster paused",
        ),
        pytest.param(
            Change(
                Scope.CLUSTER,
                prod_east(agent_upgrades_until=FREEZE_ENDS),
                LOCK,
                clusters_written=1,
            ),
            f"Agent upgrades paused for cluster prod-east until {ENDS}.",
            id="a cluster paused until",
        ),
        pytest.param(
            Change(
                Scope.CLUSTER,
                prod_east(),
                UNLOCK,
                clusters_written=1,
                agents_upgraded=1,
                agent_version="4.8.1",
            ),
            "Agent upgrades resumed for cluster prod-east. Its agent was upgraded to 4.8.1.",
            id="a cluster resumed, catching up",
        ),
        pytest.param(
            Change(Scope.PROJECT, default(), LOCK, clusters_written=3),
            "Agent upgrades paused for 3 clusters in project Default.",
            id="a project paused",
        ),
        pytest.param(
            Change(
                Scope.PROJECT,
                default(),
                UNLOCK,
                clusters_written=3,
                agents_upgraded=3,
                agent_version="4.8.1",
            ),
            "Agent upgrades resumed for 3 clusters in project Default; 3 agents upgraded to 4.8.1.",
            id="a project resumed, catching up",
        ),
        pytest.param(
            Change(Scope.PROJECT, default(), LOCK),
            "Agent upgrades paused for project Default; it has no clusters yet.",
            id="a project without clusters",
        ),
        pytest.param(
            Change(Scope.TENANT, acme(), LOCK, clusters_written=1),
            "Agent upgrades paused for 1 cluster in tenant Acme.",
            id="a tenant of one cluster",
        ),
        pytest.param(
            Change(
                Scope.TENANT, acme(), LOCK, clusters_written=5, gateways_written=1, hosts_written=2
            ),
            "Agent upgrades paused for 5 clusters, 1 gateway and 2 Edge hosts not in a cluster "
            "in tenant Acme.",
            id="a tenant with a gateway and idle hosts",
        ),
        pytest.param(
            Change(Scope.PROJECT, default(), LOCK, hosts_written=1),
            "Agent upgrades paused for 1 Edge host not in a cluster in project Default.",
            id="a project with only an idle host",
        ),
    ],
)
def test_the_message_after_a_change_says_what_it_did(change, says):
    assert changes.done_message(change) == says


def test_a_replay_says_nothing_changed():
    change = Change(Scope.TENANT, acme(), UNLOCK, replayed=True)

    assert changes.replayed_message(change) == (
        "Agent upgrades are already active for tenant Acme; nothing changed."
    )


def test_a_conflict_says_who_changed_it_what_holds_now_and_that_nothing_was_saved():
    current = default(
        agent_upgrades=LOCK,
        agent_upgrades_set_via=Via.PROJECT,
        agent_upgrades_set_by=by("tenant-admin"),
        agent_upgrades_set_at=minutes_ago(0),
    )

    assert changes.conflict_message(current) == (
        "Project Default was changed after this page was loaded (set on this project · "
        "tenant-admin · just now): agent upgrades are now paused. Nothing was saved; the switch "
        "shows the current value. Try again if you still want to change it."
    )


# The agent, releases and the end of pauses.


@pytest.mark.parametrize(
    ("cluster", "note"),
    [
        (
            prod_east(agent_upgrades=LOCK),
            "Upgrade available: 4.7.2 → 4.8.0 — held back by the pause",
        ),
        (prod_east(), "Upgrade available: 4.7.2 → 4.8.0 — it comes with the next rollout"),
        (prod_east(agent_version="4.8.0"), ""),
    ],
    ids=["paused", "active", "current"],
)
def test_the_upgrade_note_says_why_an_agent_is_behind(cluster, note):
    assert changes.upgrade_note(cluster, "4.8.0") == note


@pytest.mark.parametrize(
    ("expiry", "says"),
    [
        (Expiry(), "No pause has ended."),
        (Expiry(clusters=["prod-east"]), "Pauses ended for 1 cluster."),
        (
            Expiry(
                tenants=["Acme"],
                projects=["Default", "Edge"],
                clusters=["a", "b", "c", "d", "e"],
                agents_upgraded=5,
                agent_version="4.8.0",
            ),
            "Pauses ended for 1 tenant, 2 projects and 5 clusters; 5 agents caught up to 4.8.0.",
        ),
    ],
    ids=["none", "one cluster", "every scope"],
)
def test_the_end_of_pauses_says_what_resumed(expiry, says):
    assert releases.expiry_message(expiry) == says


@pytest.mark.parametrize(
    ("resumed", "says"),
    [
        (
            Expiry(),
            "Platform 4.8.0 released: 5 agents upgraded to 4.8.1, 1 cluster held back by a pause.",
        ),
        (
            Expiry(clusters=["prod-east"]),
            "Platform 4.8.0 released: 5 agents upgraded to 4.8.1, 1 cluster held back by a pause. "
            "Pauses ended for 1 cluster.",
        ),
    ],
    ids=["a release", "a release that ended a pause"],
)
def test_a_release_says_what_it_upgraded_and_held_back(resumed, says):
    release = PlatformRelease(version="4.8.0", agent_version="4.8.1")
    rollout = Rollout(release, None, upgraded=5, held_back=1, by_project=[], resumed=resumed)

    assert releases.rollout_message(rollout) == says


def test_counting_names_one_thing_in_the_singular():
    assert [wording.plural(n, "cluster") for n in (0, 1, 2)] == [
        "0 clusters",
        "1 cluster",
        "2 clusters",
    ]


def an_event(old: str, new: str, old_via: str, via: str, scope: str = Scope.CLUSTER):
    from settings_app.models import AuditEvent

    return AuditEvent(
        scope=scope, old_value=old, new_value=new, old_via=old_via, via=via, object_name="x"
    )


@pytest.mark.parametrize(
    "event, change, how",
    [
        (an_event(UNLOCK, LOCK, "", Via.CLUSTER), "Active → Paused", "set directly"),
        (an_event(LOCK, UNLOCK, Via.CLUSTER, Via.EXPIRY), "Paused → Active", "pause ended"),
        # Only where the value came from changed: not a no-op.
        (
            an_event(LOCK, LOCK, Via.CLUSTER, Via.TENANT),
            "Paused (now pushed by tenant)",
            "pushed by tenant",
        ),
        (
            an_event(UNLOCK, UNLOCK, "", Via.PROJECT, scope=Scope.PROJECT),
            "Active (now set directly)",
            "set directly",
        ),
        # Paused again by the same means: a new reason or end.
        (an_event(LOCK, LOCK, Via.CLUSTER, Via.CLUSTER), "Paused (again)", "set directly"),
    ],
)
def test_a_change_reads_in_the_pages_words_and_a_change_of_provenance_says_so(event, change, how):
    from settings_app.wording import audit

    assert (audit.change_label(event), audit.how(event)) == (change, how)
    assert "lock" not in audit.change_summary(event)


def test_a_bulk_dialog_counts_in_the_singular_and_says_what_already_holds():
    from settings_app.rules.bulk import BulkImpact
    from settings_app.wording.fleet import bulk_confirm

    impact = BulkImpact(LOCK, 3, 3, 1, 2, 0, 0, 0, "")

    assert bulk_confirm(impact) == (
        "Pause agent upgrades for 3 clusters in 1 project: 1 will change; 2 are already paused."
    )


# Mixed covers a scope's gateways and idle Edge hosts too (issue 21).


@pytest.mark.parametrize(
    ("counts", "state"),
    [
        pytest.param(
            FleetCounts(total=5, paused=5, gateways=AgentCounts(total=1, paused=0)),
            "Mixed · 5 of 5 clusters and 0 of 1 gateway paused",
            id="a gateway resumed on its own in a paused tenant",
        ),
        pytest.param(
            FleetCounts(total=2, paused=0, idle_hosts=AgentCounts(total=1, paused=1)),
            "Mixed · 0 of 2 clusters and 1 of 1 Edge host paused",
            id="an idle host paused in an active project",
        ),
        pytest.param(
            FleetCounts(total=2, paused=2, idle_hosts=AgentCounts(total=1, paused=1)),
            "Paused",
            id="all paused",
        ),
        pytest.param(
            FleetCounts(gateways=AgentCounts(total=1, paused=1)),
            "Paused",
            id="a tenant of one paused gateway and no cluster",
        ),
    ],
)
def test_mixed_counts_the_scopes_gateways_and_idle_hosts(counts, state):
    assert str(wording.fleet_state(acme(), counts)) == state
