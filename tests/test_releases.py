"""Platform releases and their rollout (issue 3, items 1 to 3): the rule that releases a version,
the truth table of DESIGN.md §1 seen through a release, resume catching up at every scope, the
`release_platform` command and the superuser's Platform Upgrades page."""

from __future__ import annotations

import contextlib
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.urls import reverse

from settings_app import rules
from settings_app.management.commands.release_platform import Command as ReleasePlatform
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
    ProjectFleet,
    fleet,
)
from settings_app.rules import ProjectRollout, releases, writes
from settings_app.scopes import ScopeRef
from tests.html import Element, messages_text, parse, table_rows

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
ACME = {"prod-east", "prod-west", "staging", "edge-01", "edge-02"}
EVERY_CLUSTER = ACME | {"globex-main"}


def agents() -> dict[str, str]:
    """Every cluster's agent version, by name."""
    return dict(Cluster.objects.values_list("name", "agent_version"))


def agents_at(version: str, names: set[str]) -> dict[str, str]:
    return {name: version for name in names}


def upgrades() -> set[tuple[str, str, str, str, str]]:
    """Every recorded agent upgrade: cluster, from, to, cause, who."""
    return set(
        AgentUpgrade.objects.values_list(
            "cluster__name", "from_version", "to_version", "cause", "actor_name"
        )
    )


def release_history() -> list[tuple[str, str]]:
    return list(
        PlatformRelease.objects.order_by("released_at", "id").values_list(
            "version", "agent_version"
        )
    )


@pytest.fixture
def admin(user):
    return user("tenant-admin")


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


def test_a_release_changes_no_setting_and_writes_no_audit_event(demo, admin):
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
    assert AuditEvent.objects.count() == events


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


def fleet_rows() -> list[dict]:
    return list(ProjectFleet.objects.order_by("project_id").values())


def fail_writing_upgrades():
    """The INSERT ... SELECT of agent upgrades fails, as on a full disk."""
    insert_select = releases.insert_select

    def insert_or_fail(model, *args, **kwargs):
        if model is AgentUpgrade:
            raise IntegrityError("disk full")
        return insert_select(model, *args, **kwargs)

    failing = contextlib.ExitStack()
    for module in (releases, writes):  # a rollout's upgrades, and a resume's catch-up
        failing.enter_context(
            mock.patch.object(module, "insert_select", side_effect=insert_or_fail)
        )
    return failing


def fail_after_the_upgrades_were_written():
    """The change's last write, the fleet rows' refresh, fails once the agent upgrades (and the
    agents with them) are written: everything before it must be undone too."""
    recount = fleet.recount

    def recount_then_fail(*args, **kwargs):
        recount(*args, **kwargs)
        if AgentUpgrade.objects.exists():  # written in this transaction, to be rolled back
            raise IntegrityError("disk full")

    return mock.patch.object(fleet, "recount", side_effect=recount_then_fail)


FAILURES = pytest.mark.parametrize(
    "failure",
    [fail_writing_upgrades, fail_after_the_upgrades_were_written],
    ids=["writing the upgrades", "after the upgrades"],
)


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


def test_a_project_pause_followed_by_a_release_holds_back_only_that_projects_clusters(
    demo, client_for
):
    client_for("project-admin").post(
        reverse("change_project_agent_upgrades", args=[demo.default.pk]), {"value": "lock"}
    )

    rules.release_platform("4.8.0")

    assert agents() == {
        "prod-east": "4.7.2",
        "prod-west": "4.7.2",
        "staging": "4.7.2",
        "edge-01": "4.8.0",
        "edge-02": "4.8.0",
        "globex-main": "4.8.0",
    }


def test_a_tenant_pause_with_one_cluster_resumed_lets_only_that_cluster_through(demo, client_for):
    client_for("tenant-admin").post(
        reverse("change_tenant_agent_upgrades", args=[demo.acme.pk]), {"value": "lock"}
    )
    client_for("cluster-admin").post(
        reverse(
            "change_cluster_agent_upgrades",
            args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk],
        ),
        {"value": "unlock"},
    )

    rollout = rules.release_platform("4.8.0")

    assert agents() == {
        "prod-east": "4.8.0",
        "prod-west": "4.7.2",
        "staging": "4.7.2",
        "edge-01": "4.7.2",
        "edge-02": "4.7.2",
        "globex-main": "4.8.0",
    }
    assert (rollout.upgraded, rollout.held_back) == (2, 4)


def test_a_cluster_held_back_by_two_releases_stays_at_its_own_agent(demo, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    rules.release_platform("4.8.0")
    rules.release_platform("4.9.0")

    assert agents()["prod-east"] == "4.7.2"
    assert agents()["prod-west"] == "4.9.0"
    assert ("prod-west", "4.8.0", "4.9.0", "release", "system") in upgrades()


# Rule 6: resume catches up, at each of the three scopes, recording each upgrade.


@pytest.fixture
def released(demo):
    """Release 4.8.0 once the test has paused what it wants held back."""
    return lambda: rules.release_platform("4.8.0")


def resume_upgrades() -> set[tuple[str, str, str, str, str]]:
    return {row for row in upgrades() if row[3] == AgentUpgrade.Cause.RESUME}


def test_resuming_a_held_back_cluster_upgrades_its_agent_and_records_who_resumed(
    demo, user, released
):
    cluster_admin = user("cluster-admin")
    rules.set_cluster(demo.prod_east, LOCK, actor=cluster_admin)
    released()

    change = rules.set_cluster(demo.prod_east, UNLOCK, actor=cluster_admin)

    assert agents()["prod-east"] == "4.8.0"
    assert (change.agents_upgraded, change.agent_version) == (1, "4.8.0")
    assert resume_upgrades() == {("prod-east", "4.7.2", "4.8.0", "resume", "cluster-admin")}
    upgrade = AgentUpgrade.objects.get(cause=AgentUpgrade.Cause.RESUME)
    assert (upgrade.actor, upgrade.release) == (cluster_admin, None)


def test_resuming_a_project_upgrades_every_held_back_agent_of_the_project(demo, user, released):
    project_admin = user("project-admin")
    rules.push_project(demo.default, LOCK, actor=project_admin)
    released()

    change = rules.push_project(demo.default, UNLOCK, actor=project_admin)

    assert agents() == agents_at("4.8.0", EVERY_CLUSTER)
    assert (change.clusters_written, change.agents_upgraded) == (3, 3)
    assert resume_upgrades() == {
        (name, "4.7.2", "4.8.0", "resume", "project-admin")
        for name in ("prod-east", "prod-west", "staging")
    }
    assert set(
        AgentUpgrade.objects.filter(cause=AgentUpgrade.Cause.RESUME).values_list("actor", flat=True)
    ) == {project_admin.pk}


def test_resuming_a_tenant_upgrades_every_held_back_agent_of_the_tenant(demo, admin, released):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    released()

    change = rules.push_tenant(demo.acme, UNLOCK, actor=admin)

    assert agents() == agents_at("4.8.0", EVERY_CLUSTER)
    assert (change.clusters_written, change.agents_upgraded) == (5, 5)
    assert resume_upgrades() == {
        (name, "4.7.2", "4.8.0", "resume", "tenant-admin") for name in ACME
    }


def test_a_project_resume_catches_up_a_cluster_that_was_paused_on_its_own(demo, user, released):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    released()

    change = rules.push_project(demo.default, UNLOCK, actor=user("project-admin"))

    assert change.agents_upgraded == 1
    assert resume_upgrades() == {("prod-east", "4.7.2", "4.8.0", "resume", "project-admin")}


def test_a_tenant_resume_catches_up_clusters_paused_at_the_project_and_on_their_own(
    demo, user, admin, released
):
    rules.push_project(demo.edge, LOCK, actor=user("tenant-admin"))
    rules.set_cluster(demo.staging, LOCK, actor=user("project-admin"))
    released()

    change = rules.push_tenant(demo.acme, UNLOCK, actor=admin)

    assert change.agents_upgraded == 3
    assert {row[0] for row in resume_upgrades()} == {"edge-01", "edge-02", "staging"}
    assert agents() == agents_at("4.8.0", EVERY_CLUSTER)


def test_resuming_a_paused_cluster_whose_agent_is_current_records_no_upgrade(demo, admin):
    rules.release_platform("4.8.0")
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)

    change = rules.set_cluster(demo.prod_east, UNLOCK, actor=admin)

    assert change.agents_upgraded == 0
    assert resume_upgrades() == set()


def test_resuming_an_active_cluster_upgrades_nothing(demo, admin):
    Cluster.objects.filter(pk=demo.staging.pk).update(agent_version="4.6.0")

    change = rules.push_project(demo.default, UNLOCK, actor=admin)

    # staging was never paused: the next rollout upgrades it, not a resume.
    assert change.agents_upgraded == 0
    assert agents()["staging"] == "4.6.0"


@FAILURES
def test_a_resume_and_its_catch_up_commit_together_or_not_at_all(demo, admin, released, failure):
    rules.push_project(demo.default, LOCK, actor=admin)
    released()
    AgentUpgrade.objects.all().delete()  # the rollout's: only the resume's may appear below
    events, before = AuditEvent.objects.count(), fleet_rows()

    with failure(), pytest.raises(IntegrityError):
        rules.push_project(demo.default, UNLOCK, actor=admin)

    assert set(demo.default.clusters.values_list("agent_upgrades", "agent_version")) == {
        (LOCK, "4.7.2")
    }
    assert Project.objects.get(pk=demo.default.pk).agent_upgrades == LOCK
    assert not AgentUpgrade.objects.exists()
    assert AuditEvent.objects.count() == events
    assert fleet_rows() == before


@pytest.mark.parametrize(
    ("username", "url_name", "target", "message"),
    [
        (
            "cluster-admin",
            "change_cluster_agent_upgrades",
            "cluster",
            "Agent upgrades resumed for cluster prod-east. Its agent was upgraded to 4.8.0.",
        ),
        (
            "project-admin",
            "change_project_agent_upgrades",
            "project",
            "Agent upgrades resumed for 3 clusters in project Default; 3 agents upgraded to 4.8.0.",
        ),
        (
            "tenant-admin",
            "change_tenant_agent_upgrades",
            "tenant",
            "Agent upgrades resumed for 5 clusters in tenant Acme; 5 agents upgraded to 4.8.0.",
        ),
    ],
)
def test_the_resume_message_says_how_many_agents_caught_up(
    demo, admin, client_for, username, url_name, target, message
):
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.release_platform("4.8.0")
    args = {
        "cluster": [ScopeRef("projects", demo.default.pk), demo.prod_east.pk],
        "project": [demo.default.pk],
        "tenant": [demo.acme.pk],
    }[target]

    response = client_for(username).post(
        reverse(url_name, args=args), {"value": "unlock"}, follow=True
    )

    assert messages_text(parse(response)) == message


# The release_platform command.


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


def test_the_command_explains_itself():
    assert "paused clusters are held back" in ReleasePlatform.help


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


@pytest.mark.parametrize(("version", "agent_version", "message"), REFUSED)
def test_the_command_refuses_a_bad_version_with_the_message_and_changes_nothing(
    demo, version, agent_version, message
):
    with pytest.raises(CommandError) as refused:
        release(version, "--agent-version", agent_version)

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


# The Platform Upgrades page (superusers only).


PLATFORM_URL = "/platform/upgrades/"


def test_the_page_lives_at_its_url():
    assert reverse("platform_upgrades") == PLATFORM_URL


def test_a_superuser_sees_the_release_history_newest_first(demo, superuser, client_for):
    rules.set_cluster(demo.prod_east, LOCK, actor=superuser)
    rules.release_platform("4.8.0", agent_version="4.8.1", actor=superuser)

    response = client_for("root").get(PLATFORM_URL)

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Platform Upgrades"
    rows = [row[:2] + row[3:] for row in table_rows(page)]  # without the release date
    assert rows == [
        ["4.8.0 Current", "4.8.1", "root", "5", "1"],
        ["4.7.2", "4.7.2", "system", "0", "0"],
    ]
    assert "Current platform 4.8.0 with agent 4.8.1" in page.find("p", class_="subtle").text


def test_the_page_offers_a_form_to_release_a_version(demo, superuser, client_for):
    page = parse(client_for("root").get(PLATFORM_URL))

    form = page.find("form", class_="release-form")
    assert form.attrs["method"] == "get"  # to the confirmation page; htmx posts after the dialog
    assert page.find("label", for_="id_version").text == "Version"
    assert page.find("label", for_="id_agent_version").text == "Agent version"
    assert form.find("input", name="version")
    assert form.find("input", name="agent_version")
    assert form.find("button", type="submit").text == "Release"


def test_releasing_on_the_page_rolls_out_and_says_what_it_did(demo, superuser, client_for):
    rules.set_cluster(demo.prod_east, LOCK, actor=superuser)

    response = client_for("root").post(
        PLATFORM_URL, {"version": "4.8.0", "agent_version": ""}, follow=True
    )

    assert response.redirect_chain == [(PLATFORM_URL, 302)]
    assert release_history()[-1] == ("4.8.0", "4.8.0")
    assert PlatformRelease.current().released_by == superuser
    assert agents() == {**agents_at("4.8.0", EVERY_CLUSTER), "prod-east": "4.7.2"}
    assert {row[4] for row in upgrades()} == {"root"}
    page = parse(response)
    assert table_rows(page)[0][:2] == ["4.8.0 Current", "4.8.0"]
    assert messages_text(page) == (
        "Platform 4.8.0 released: 5 agents upgraded to 4.8.0, 1 cluster held back by a pause."
    )


def test_the_page_releases_the_agent_version_given(demo, superuser, client_for):
    client_for("root").post(PLATFORM_URL, {"version": "4.8.0", "agent_version": "4.8.1"})

    assert release_history()[-1] == ("4.8.0", "4.8.1")
    assert agents() == agents_at("4.8.1", EVERY_CLUSTER)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": "4.7.1"}, "4.7.1 is not newer than the current platform version 4.7.2."),
        ({"version": "4.7.2"}, "4.7.2 is not newer than the current platform version 4.7.2."),
        ({"version": "soon"}, "“soon” is not a version."),
        ({"version": "4.8.0", "agent_version": "4.7.0"}, "Agent 4.7.0 is older than"),
        ({"version": ""}, "This field is required."),
        ({"version": "4." * 20 + "0"}, "at most 32 characters"),
    ],
)
def test_a_refused_release_answers_400_with_the_error_and_changes_nothing(
    demo, superuser, client_for, data, message
):
    response = client_for("root").post(PLATFORM_URL, data)

    assert response.status_code == 400
    page = parse(response)
    error = page.find("p", class_="field-error")
    assert message in error.text
    assert error.attrs["role"] == "alert"
    assert page.find("input", name="version").attrs["aria-invalid"] == "true"
    assert_nothing_changed(demo)


def test_a_refused_form_keeps_what_was_typed(demo, superuser, client_for):
    response = client_for("root").post(PLATFORM_URL, {"version": "4.7.1", "agent_version": "4.7.9"})

    page = parse(response)
    assert page.find("input", name="version").attrs["value"] == "4.7.1"
    assert page.find("input", name="agent_version").attrs["value"] == "4.7.9"


@pytest.mark.parametrize(
    "username", ["tenant-admin", "project-admin", "cluster-admin", "viewer", "globex-admin"]
)
def test_anyone_but_a_superuser_gets_404_and_releases_nothing(demo, client_for, username):
    client = client_for(username)

    assert client.get(PLATFORM_URL).status_code == 404
    assert client.post(PLATFORM_URL, {"version": "4.8.0"}).status_code == 404
    assert_nothing_changed(demo)


def test_a_user_without_any_role_gets_404_too(demo, stranger, client_for):
    assert client_for("stranger").get(PLATFORM_URL).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(demo, client_for):
    response = client_for(None).post(PLATFORM_URL, {"version": "4.8.0"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert_nothing_changed(demo)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_page_rejects_other_methods(demo, superuser, client_for, method):
    response = getattr(client_for("root"), method)(PLATFORM_URL)

    assert response.status_code == 405
    assert_nothing_changed(demo)


def test_only_a_superuser_sees_the_link_to_platform_upgrades(demo, superuser, client_for):
    tenant_list = reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])

    as_root = parse(client_for("root").get(tenant_list))
    as_admin = parse(client_for("tenant-admin").get(tenant_list))

    assert as_root.find("a", href=PLATFORM_URL).text == "Platform Upgrades"
    assert as_admin.find_all("a", href=PLATFORM_URL) == []


# Cluster details: the agent, the platform, what is held back, and one history.


def detail_of(client, demo, cluster) -> Element:
    return parse(
        client.get(
            reverse("cluster_detail", args=[ScopeRef("projects", cluster.project_id), cluster.pk])
        )
    )


def facts(page: Element) -> dict[str, str]:
    return {div.find("dt").text: div.find("dd").text for div in page.find("dl").find_all("div")}


def history(page: Element) -> list[str]:
    """The History entries without their 'when'."""
    return [li.text.split(" · ", 1)[1] for li in page.find("ul", class_="history").find_all("li")]


def test_a_held_back_cluster_says_which_upgrade_the_pause_holds_back(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.release_platform("4.8.0", agent_version="4.8.1")

    page = detail_of(client_for("viewer"), demo, demo.prod_east)

    assert facts(page)["Agent version"] == "4.7.2 Behind"
    assert facts(page)["Platform version"] == "4.8.0 (agent 4.8.1)"
    assert page.find("p", class_="upgrade-note").text == (
        "Upgrade available: 4.7.2 → 4.8.1 — held back by the pause"
    )


def test_an_upgraded_cluster_has_no_upgrade_note_and_no_badge(demo, client_for, admin):
    rules.set_cluster(demo.prod_east, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    page = detail_of(client_for("viewer"), demo, demo.prod_west)

    assert facts(page)["Agent version"] == "4.8.0"
    assert page.find_all("p", class_="upgrade-note") == []


def test_the_history_merges_setting_changes_and_agent_upgrades_newest_first(
    demo, client_for, user, superuser, clock
):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    clock.advance(minutes=5)
    rules.release_platform("4.8.0", actor=superuser)
    clock.advance(minutes=5)
    rules.set_cluster(demo.prod_east, UNLOCK, actor=user("project-admin"))
    clock.advance(minutes=5)
    rules.release_platform("4.9.0", actor=superuser)

    page = detail_of(client_for("viewer"), demo, demo.prod_east)

    assert history(page) == [
        "root · Agent upgraded 4.8.0 → 4.9.0 (platform release 4.9.0)",
        # The resume and the upgrade it made share a moment: the upgrade reads as its result.
        "project-admin · Agent upgraded 4.7.2 → 4.8.0 (resume)",
        "project-admin · Agent upgrades Paused → Active",
        "cluster-admin · Agent upgrades Active → Paused",
    ]
    assert page.find("h2", id="history-title").text == "History"


def test_the_history_shows_the_ten_newest_entries(demo, client_for, admin, clock):
    for minute in range(8):
        rules.set_cluster(demo.prod_east, [LOCK, UNLOCK][minute % 2], actor=admin)
        clock.advance(minutes=1)
    for version in ("4.8.0", "4.9.0", "4.10.0", "4.11.0"):
        rules.release_platform(version)
        clock.advance(minutes=1)

    page = detail_of(client_for("viewer"), demo, demo.prod_east)

    entries = history(page)
    assert len(entries) == 10
    assert entries[0] == "system · Agent upgraded 4.10.0 → 4.11.0 (platform release 4.11.0)"
    # Four upgrades, then the six newest of eight changes: the third change (a pause) is last.
    assert entries[-1] == "tenant-admin · Agent upgrades Active → Paused"
    assert entries[4] == "tenant-admin · Agent upgrades Paused → Active"


def test_an_htmx_resume_refreshes_the_status_and_history_with_the_catch_up(demo, client_for, user):
    rules.set_cluster(demo.prod_east, LOCK, actor=user("cluster-admin"))
    rules.release_platform("4.8.0")

    response = client_for("cluster-admin").post(
        reverse(
            "change_cluster_agent_upgrades",
            args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk],
        ),
        {"value": "unlock", "version": "1"},
        HTTP_HX_REQUEST="true",
    )

    page = parse(response)
    assert page.find("dd", id="cluster-status").find_all("p", class_="upgrade-note") == []
    entries = [li.text for li in page.find("section", id="cluster-history").find_all("li")]
    assert "just now · cluster-admin · Agent upgraded 4.7.2 → 4.8.0 (resume)" in entries
