"""Wording a Palette administrator would write (issue 10, item 6): plain statements of what holds
and what will happen, dialog titles that name the act, and none of the engineering phrases the
console used to say."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings_app import rules, wording
from settings_app.models import AgentUpgrades, Project
from settings_app.rules import FleetCounts, ReleaseImpact
from settings_app.wording import changes, releases

ROOT = Path(__file__).resolve().parents[2]
LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK

RETIRED = [
    "never set",
    "Only this cluster's own value decides",
    "overwrites it",
    "Log in to continue where you were",
    "this override lasts",
    "the rest existed",
    "Django admin",
]


@pytest.mark.parametrize(
    "path",
    [
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "settings_app/wording").glob("*.py")),
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")),
        "settings_app/management/commands/seed_demo.py",
    ],
)
def test_no_engineering_phrase_is_left(path):
    text = (ROOT / path).read_text()

    assert [phrase for phrase in RETIRED if phrase in text] == []


def test_a_value_nobody_changed_is_the_default(demo):
    assert wording.source(demo.prod_east) == "default value, not changed yet"


def test_dialog_titles_name_the_act(demo):
    assert changes.change_title(demo.prod_east, LOCK) == "Pause agent upgrades for prod-east?"
    assert (
        changes.change_title(demo.default, UNLOCK) == "Resume agent upgrades for project Default?"
    )
    assert changes.change_title(demo.acme, LOCK) == "Pause agent upgrades for tenant Acme?"


@pytest.mark.parametrize(
    ("value", "total", "label"),
    [
        (LOCK, 5, "Pause all 5 clusters"),
        (UNLOCK, 5, "Resume all 5 clusters"),
        (LOCK, 1, "Pause its 1 cluster"),
    ],
)
def test_the_push_again_button_says_what_it_does(demo, value, total, label):
    project = Project(name="Default", tenant=demo.acme, agent_upgrades=value)

    assert changes.push_again_label(project, FleetCounts(total=total, paused=1)) == label


def test_a_cluster_set_by_a_push_is_told_where_its_value_came_from(demo, user):
    rules.push_tenant(demo.acme, LOCK, actor=user("tenant-admin"))
    demo.prod_east.refresh_from_db()

    assert changes.cluster_confirm(demo.prod_east, "4.7.2") == (
        "Resume agent upgrades for cluster prod-east. Its current value came from tenant Acme; "
        "the next time tenant Acme is paused or resumed, this cluster follows it again."
    )


def test_the_release_dialog_states_the_impact_as_the_issue_asks():
    impact = ReleaseImpact("4.8.0", "4.8.0", 412, 37, 5, 0, [])

    assert releases.release_confirm(impact) == (
        "Release 4.8.0: the agents of 412 clusters will be upgraded to 4.8.0; 37 paused clusters "
        "in 5 projects will be held back."
    )
    assert releases.release_title(impact) == "Release platform 4.8.0?"


def test_the_release_dialog_for_a_quiet_fleet_and_ended_pauses():
    impact = ReleaseImpact("4.8.0", "4.8.1", 1, 0, 0, 2, [])

    assert releases.release_confirm(impact) == (
        "Release 4.8.0 with agent 4.8.1: the agent of 1 cluster will be upgraded to 4.8.1; no "
        "cluster is paused, so none will be held back. 2 clusters whose pause has ended will be "
        "resumed first."
    )


@pytest.mark.parametrize(
    ("paused", "total", "shown"),
    [(0, 5, "Active"), (5, 5, "Paused"), (2, 5, "Mixed · 2 of 5 clusters paused")],
)
def test_the_state_of_many_clusters(demo, paused, total, shown):
    assert str(wording.fleet_state(demo.acme, FleetCounts(total=total, paused=paused))) == shown


def test_names_are_kept_on_one_line_and_the_rest_is_escaped():
    from settings_app.templatetags.console import keep_names

    assert keep_names("Paused for cluster prod-east by tenant-admin <b>") == (
        'Paused for cluster <span class="name">prod-east</span> by '
        '<span class="name">tenant-admin</span> &lt;b&gt;'
    )
