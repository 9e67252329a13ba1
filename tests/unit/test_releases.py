"""Platform releases and their rollout (issue 3, items 1 to 3) through `rules.release_platform`:
what becomes current, which agents move, the truth table of DESIGN.md §1 seen through a
release, versions that are refused, and a release committing together or not at all."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from settings_app import rules
from settings_app.management.commands.release_platform import Command as ReleasePlatform
from settings_app.models import AgentUpgrade, AgentUpgrades, AuditEvent, Cluster, PlatformRelease
from settings_app.rules import Pause, ProjectRollout
from tests.factories import ACME, EVERY_CLUSTER
from tests.state import agents, agents_at, fleet_rows, release_history, upgrades
from tests.unit.failures import FAILURES

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


# Releasing: what becomes current, and what the rollout does.


def test_a_release_makes_the_version_current_and_upgrades_every_active_agent(demo):
    rollout = rules.release_platform("4.8.0")

    current = PlatformRelease.current()
    assert (current.version, current.agent_version) == ("4.8.0", "4.8.0")
    assert rollout.release == current
    assert rollout.previous.version == "4.7.2"
    assert agents() == agents_at("4.8.0", EVERY_CLUSTER)
    assert (rollout.upgraded, rollout.held_back) == (6, 0)
    assert (current.agents_upgraded, current.agents_held_back) == (6, 0)


def test_a_release_ships_the_agent_version_it_names(demo):
    rules.release_platform("4.8.0", agent_version="4.8.1")

    assert release_history()[-1] == ("4.8.0", "4.8.1")
    assert rules.current_agent_version() == "4.8.1"
    assert agents() == agents_at("4.8.1", EVERY_CLUSTER)


def test_a_release_holds_back_a_paused_cluster_and_upgrades_the_others(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    rollout = rules.release_platform("4.8.0")

    assert agents() == {**agents_at("4.8.0", EVERY_CLUSTER), "prod-east": "4.7.2"}
    assert (rollout.upgraded, rollout.held_back) == (5, 1)
    assert Cluster.objects.get(pk=demo.prod_east.pk).agent_upgrades == LOCK


def test_a_release_records_each_agent_it_upgrades_with_the_release_and_who_released(
    demo, admin, superuser
):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    rollout = rules.release_platform("4.8.0", actor=superuser)

    assert upgrades() == {
        (name, "4.7.2", "4.8.0", AgentUpgrade.Cause.RELEASE, "root")
        for name in EVERY_CLUSTER - {"prod-east"}
    }
    assert set(AgentUpgrade.objects.values_list("release", flat=True)) == {rollout.release.pk}
    assert set(AgentUpgrade.objects.values_list("actor", flat=True)) == {superuser.pk}
    assert rollout.release.released_by == superuser


def test_a_release_without_an_actor_is_recorded_as_the_systems(demo):
    rules.release_platform("4.8.0")

    assert set(AgentUpgrade.objects.values_list("actor_name", flat=True)) == {"system"}
    assert PlatformRelease.current().released_by is None


def test_a_release_tells_what_it_did_by_project(demo, admin):
    rules.push_project(demo.default, LOCK, actor=admin)

    rollout = rules.release_platform("4.8.0")

    assert rollout.by_project == [
        ProjectRollout("Acme", "Default", upgraded=0, held_back=3),
        ProjectRollout("Acme", "Edge", upgraded=2, held_back=0),
        ProjectRollout("Globex", "Default", upgraded=1, held_back=0),
    ]


def test_a_release_changes_no_setting_and_writes_only_its_own_event_per_project(demo, admin):
    rules.push_project(demo.edge, LOCK, actor=admin)
    before = list(
        Cluster.objects.order_by("pk").values_list("agent_upgrades", "agent_upgrades_version")
    )
    events = AuditEvent.objects.count()

    rules.release_platform("4.8.0")

    after = list(
        Cluster.objects.order_by("pk").values_list("agent_upgrades", "agent_upgrades_version")
    )
    assert after == before
    written = AuditEvent.objects.order_by("pk")[events:]
    assert [(e.action, e.tenant.name, e.object_name) for e in written] == [
        (AuditEvent.Action.RELEASE, "Acme", "Default"),
        (AuditEvent.Action.RELEASE, "Acme", "Edge"),
        (AuditEvent.Action.RELEASE, "Globex", "Default"),
    ]
    assert [(e.agents_upgraded, e.agents_held_back) for e in written] == [(3, 0), (0, 2), (1, 0)]
    assert {e.release.version for e in written} == {"4.8.0"}


def test_a_release_that_keeps_the_agent_upgrades_nobody(demo):
    rollout = rules.release_platform("4.7.3", agent_version="4.7.2")

    assert rules.current_agent_version() == "4.7.2"
    assert rollout.upgraded == 0
    assert not AgentUpgrade.objects.exists()


def test_a_paused_cluster_whose_agent_is_already_current_is_not_counted_as_held_back(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    rollout = rules.release_platform("4.7.3", agent_version="4.7.2")

    assert (rollout.held_back, PlatformRelease.current().agents_held_back) == (0, 0)


def test_a_release_upgrades_an_active_agent_that_an_earlier_release_missed(demo):
    Cluster.objects.filter(pk=demo.staging.pk).update(agent_version="4.6.0")

    rules.release_platform("4.8.0")

    assert agents()["staging"] == "4.8.0"
    assert ("staging", "4.6.0", "4.8.0", "release", "system") in upgrades()


@FAILURES
def test_a_release_and_its_upgrades_commit_together_or_not_at_all(demo, failure):
    before = fleet_rows()

    with failure(), pytest.raises(IntegrityError):
        rules.release_platform("4.8.0")

    assert release_history() == [("4.7.2", "4.7.2")]
    assert agents() == agents_at("4.7.2", EVERY_CLUSTER)
    assert not AgentUpgrade.objects.exists()
    assert fleet_rows() == before


def test_the_first_release_of_an_empty_platform_may_be_any_version(demo):
    PlatformRelease.objects.all().delete()

    rollout = rules.release_platform("1.0.0")

    assert rollout.previous is None
    assert release_history() == [("1.0.0", "1.0.0")]
    assert agents() == agents_at("1.0.0", EVERY_CLUSTER)


def test_versions_compare_as_numbers_not_as_text(demo):
    rules.release_platform("4.9.0")

    rules.release_platform("4.10.0")

    assert rules.current_agent_version() == "4.10.0"
    with pytest.raises(rules.InvalidRelease):
        rules.release_platform("4.9.9")


# The truth table of DESIGN.md §1, each row followed by a release: a cluster whose value is
# lock keeps its agent; every other cluster gets the new one.


def tenant(demo):
    return demo.acme


def project(demo):
    return demo.default


def cluster(demo):
    return demo.prod_east


def apply_steps(demo, admin, steps) -> None:
    change = {tenant: rules.push_tenant, project: rules.push_project, cluster: rules.set_cluster}
    for target, value in steps:
        change[target](target(demo), value, actor=admin)


TRUTH_TABLE = [
    pytest.param([(tenant, LOCK)], ACME, id="pause tenant"),
    pytest.param(
        [(tenant, LOCK), (cluster, UNLOCK)],
        ACME - {"prod-east"},
        id="pause tenant, resume that cluster",
    ),
    pytest.param(
        [(tenant, LOCK), (cluster, UNLOCK), (tenant, LOCK)],
        ACME,
        id="pause tenant, resume that cluster, pause tenant",
    ),
    pytest.param([(project, LOCK)], {"prod-east", "prod-west", "staging"}, id="pause project P"),
    pytest.param(
        [(tenant, LOCK), (project, UNLOCK)],
        {"edge-01", "edge-02"},
        id="pause tenant, resume project P",
    ),
    pytest.param(
        [(cluster, LOCK), (project, UNLOCK)], set(), id="pause cluster C, resume project of C"
    ),
]


@pytest.mark.parametrize(("steps", "held_back"), TRUTH_TABLE)
def test_a_release_holds_back_exactly_the_clusters_the_truth_table_pauses(
    demo, admin, steps, held_back
):
    apply_steps(demo, admin, steps)
    paused = set(Cluster.objects.filter(agent_upgrades=LOCK).values_list("name", flat=True))
    assert paused == held_back  # the row's value column, before the release

    rollout = rules.release_platform("4.8.0")

    upgraded = EVERY_CLUSTER - held_back
    assert agents() == {**agents_at("4.8.0", upgraded), **agents_at("4.7.2", held_back)}
    assert {row[0] for row in upgrades()} == upgraded
    assert (rollout.upgraded, rollout.held_back) == (len(upgraded), len(held_back))


def test_a_cluster_held_back_by_two_releases_stays_at_its_own_agent(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    rules.release_platform("4.8.0")
    rules.release_platform("4.9.0")

    assert agents()["prod-east"] == "4.7.2"
    assert agents()["prod-west"] == "4.9.0"
    assert ("prod-west", "4.8.0", "4.9.0", "release", "system") in upgrades()


# Refused versions: a clear message, and nothing changes.


REFUSED = [
    pytest.param("4.8", "", "“4.8” is not a version.", id="two numbers"),
    pytest.param("v4.8.0", "", "“v4.8.0” is not a version.", id="a prefix"),
    pytest.param("4.8.0-rc1", "", "“4.8.0-rc1” is not a version.", id="a suffix"),
    pytest.param("4.8.0.1", "", "“4.8.0.1” is not a version.", id="four numbers"),
    pytest.param("4..0", "", "“4..0” is not a version.", id="an empty number"),
    pytest.param("", "", "“” is not a version.", id="empty"),
    pytest.param("4.8.0", "latest", "“latest” is not a version.", id="a malformed agent"),
    pytest.param(
        "4.7.2",
        "",
        "4.7.2 is not newer than the current platform version 4.7.2. Nothing was released.",
        id="the current version",
    ),
    pytest.param(
        "4.7.1",
        "",
        "4.7.1 is not newer than the current platform version 4.7.2. Nothing was released.",
        id="an older version",
    ),
    pytest.param(
        "4.7.02",
        "",
        "4.7.02 is not newer than the current platform version 4.7.2.",
        id="the current version with a leading zero",
    ),
    pytest.param(
        "4.8.0",
        "4.7.1",
        "Agent 4.7.1 is older than the current agent 4.7.2. Nothing was released.",
        id="an older agent",
    ),
]


def assert_nothing_changed(demo) -> None:
    assert release_history() == [("4.7.2", "4.7.2")]
    assert agents() == agents_at("4.7.2", EVERY_CLUSTER)
    assert not AgentUpgrade.objects.exists()


@pytest.mark.parametrize(("version", "agent_version", "message"), REFUSED)
def test_the_rule_refuses_a_bad_version_and_changes_nothing(demo, version, agent_version, message):
    with pytest.raises(rules.InvalidRelease) as refused:
        rules.release_platform(version, agent_version=agent_version)

    assert message in str(refused.value)
    assert_nothing_changed(demo)


def test_a_refused_release_leaves_an_ended_pause_alone(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    Cluster.objects.filter(pk=demo.prod_east.pk).update(agent_upgrades_until="2000-01-01T00:00:00Z")

    with pytest.raises(rules.InvalidRelease):
        rules.release_platform("4.7.2")

    demo.prod_east.refresh_from_db()
    assert demo.prod_east.agent_upgrades == LOCK  # stored as it was: nothing was written
    assert demo.prod_east.agent_upgrades_version == 1


def test_a_version_is_read_without_surrounding_spaces(demo):
    rules.release_platform(" 4.8.0 ", agent_version=" 4.8.1\n")

    assert release_history()[-1] == ("4.8.0", "4.8.1")


def test_a_version_in_other_digits_than_ascii_is_refused(demo):
    with pytest.raises(rules.InvalidRelease):
        rules.release_platform("\u0664.\u0668.\u0660")  # 4.8.0 in Arabic-Indic digits

    assert_nothing_changed(demo)


# The release_platform command: the rule, and what it did, printed.


def release(*args: str) -> str:
    out = StringIO()
    call_command("release_platform", *args, stdout=out)
    return out.getvalue()


def test_the_command_releases_and_prints_what_it_did_by_project(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    output = release("4.8.0")

    assert output.splitlines() == [
        "Released platform 4.8.0 (was 4.7.2) with agent 4.8.0.",
        "  Acme / Default: 2 upgraded, 1 held back",
        "  Acme / Edge: 2 upgraded, 0 held back",
        "  Globex / Default: 1 upgraded, 0 held back",
        "5 agents upgraded to 4.8.0, 1 held back by a pause.",
    ]
    assert release_history()[-1] == ("4.8.0", "4.8.0")
    assert agents()["prod-east"] == "4.7.2"


def test_the_command_takes_the_agent_version(demo):
    output = release("4.8.0", "--agent-version", "4.8.1")

    assert output.splitlines()[0] == "Released platform 4.8.0 (was 4.7.2) with agent 4.8.1."
    assert agents() == agents_at("4.8.1", EVERY_CLUSTER)


def test_the_release_command_says_which_pauses_ended_first(demo, admin, clock):
    rules.set_cluster(
        demo.prod_east, LOCK, actor=admin, pause=Pause(until=clock.now + timedelta(hours=1))
    )
    clock.advance(hours=2)

    out = StringIO()
    call_command("release_platform", "4.8.0", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[1] == "Pauses ended for 1 cluster."
    assert lines[-1] == "6 agents upgraded to 4.8.0, 0 held back by a pause."


@pytest.mark.parametrize(("version", "agent_version", "message"), REFUSED)
def test_the_command_refuses_a_bad_version_with_the_message_and_changes_nothing(
    demo, version, agent_version, message
):
    with pytest.raises(CommandError) as refused:
        release(version, "--agent-version", agent_version)

    assert message in str(refused.value)
    assert_nothing_changed(demo)


def test_the_command_explains_itself():
    assert "paused clusters are held back" in ReleasePlatform.help
