"""Pausing and resuming many clusters at once (rules/bulk.py): rule 3 for every selected cluster
the user may change, skipping those changed since the page was drawn, in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from settings_app import rules
from settings_app.models import AgentUpgrade, AgentUpgrades, AuditEvent, Cluster, Scope
from settings_app.permissions import changeable_clusters
from settings_app.permissions.roles import roles_for
from settings_app.rules import Selection

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


def values() -> dict[str, str]:
    return dict(Cluster.objects.values_list("name", "agent_upgrades"))


def acme(demo):
    return Cluster.objects.filter(tenant=demo.acme)


def picked(*clusters: Cluster) -> dict[int, int]:
    """As a page shows them: each cluster's id and the setting version it was drawn with."""
    return {c.pk: Cluster.objects.get(pk=c.pk).agent_upgrades_version for c in clusters}


def bulk(demo, user, selection, value=LOCK, **kwargs):
    return rules.set_clusters(
        selection,
        value,
        tenant=demo.acme,
        changeable=changeable_clusters(roles_for(user), acme(demo)),
        actor=user,
        **kwargs,
    )


def test_a_bulk_pause_sets_each_selected_clusters_own_value(demo, user):
    admin = user("tenant-admin")
    rules.push_project(demo.edge, UNLOCK, actor=admin)

    change = bulk(demo, admin, Selection(acme(demo), picked(demo.prod_east, demo.edge_01)))

    assert change.written == 2
    assert values() == {
        "prod-east": LOCK,
        "edge-01": LOCK,
        "prod-west": UNLOCK,
        "staging": UNLOCK,
        "edge-02": UNLOCK,
        "globex-main": UNLOCK,
    }
    assert set(
        Cluster.objects.filter(agent_upgrades=LOCK).values_list("agent_upgrades_set_via", flat=True)
    ) == {"cluster"}
    # Rule 4: nothing upward.
    demo.refresh()
    assert (demo.default.agent_upgrades, demo.edge.agent_upgrades) == (UNLOCK, UNLOCK)


def test_a_bulk_act_writes_one_event_for_itself_and_one_per_cluster(demo, user):
    admin = user("tenant-admin")

    change = bulk(demo, admin, Selection(acme(demo), picked(demo.prod_east, demo.edge_01)))

    act = AuditEvent.objects.get(action=AuditEvent.Action.BULK)
    assert act == change.event
    assert (act.scope, act.tenant_id, act.actor) == (Scope.TENANT, demo.acme.pk, admin)
    parts = AuditEvent.objects.filter(part_of=act).order_by("object_name")
    assert [(e.object_name, e.old_value, e.new_value, e.via) for e in parts] == [
        ("edge-01", UNLOCK, LOCK, "cluster"),
        ("prod-east", UNLOCK, LOCK, "cluster"),
    ]


def test_allowed_forbidden_and_stale_clusters_in_one_selection(demo, user):
    project_admin = user("project-admin")  # Default only
    selection = picked(demo.prod_east, demo.prod_west, demo.staging, demo.edge_01)
    # Someone else pauses staging after the page was drawn.
    rules.set_cluster(demo.staging, LOCK, actor=user("tenant-admin"))

    impact = rules.bulk_impact(
        Selection(acme(demo), selection),
        UNLOCK,
        changeable=changeable_clusters(roles_for(project_admin), acme(demo)),
    )
    change = bulk(demo, project_admin, Selection(acme(demo), selection), UNLOCK)

    assert (impact.selected, impact.clusters, impact.forbidden, impact.stale) == (4, 2, 1, 1)
    assert change.impact == impact
    assert change.written == 2
    assert values()["staging"] == LOCK  # stale: not overwritten blindly
    assert values()["edge-01"] == UNLOCK
    assert Cluster.objects.get(pk=demo.edge_01.pk).agent_upgrades_version == 0  # forbidden


def test_a_selection_by_filter_skips_clusters_changed_after_the_page_was_drawn(demo, user, clock):
    admin = user("tenant-admin")
    drawn_at = clock.now
    clock.advance(minutes=1)
    rules.set_cluster(demo.prod_west, UNLOCK, actor=admin)  # changed since: same value, newer

    change = bulk(demo, admin, Selection(acme(demo), drawn_at=drawn_at))

    assert (change.impact.selected, change.written, change.impact.stale) == (5, 4, 1)
    assert values()["prod-west"] == UNLOCK
    assert values()["globex-main"] == UNLOCK  # another tenant is never part of it


def test_a_bulk_resume_catches_held_back_agents_up(demo, user):
    admin = user("tenant-admin")
    rules.push_tenant(demo.acme, LOCK, actor=admin)
    rules.release_platform("4.8.0")

    selection = Selection(acme(demo), picked(demo.prod_east, demo.staging))
    impact = rules.bulk_impact(
        selection, UNLOCK, changeable=changeable_clusters(roles_for(admin), acme(demo))
    )
    change = bulk(demo, admin, selection, UNLOCK)

    assert (impact.agents_to_upgrade, impact.agent_version) == (2, "4.8.0")
    assert change.agents_upgraded == 2
    assert set(
        Cluster.objects.filter(name__in=["prod-east", "staging"]).values_list(
            "agent_upgrades", "agent_version"
        )
    ) == {(UNLOCK, "4.8.0")}
    assert AgentUpgrade.objects.filter(cause="resume").count() == 2


def test_a_bulk_pause_carries_its_reason_and_end(demo, user):
    admin = user("tenant-admin")
    until = timezone.now() + timedelta(days=2)

    bulk(
        demo,
        admin,
        Selection(acme(demo), picked(demo.prod_east)),
        pause=rules.Pause("freeze", until),
    )

    cluster = Cluster.objects.get(pk=demo.prod_east.pk)
    assert (cluster.agent_upgrades_reason, cluster.agent_upgrades_until) == ("freeze", until)


def test_a_viewer_changes_nothing_in_bulk(demo, user):
    viewer = user("viewer")
    events = AuditEvent.objects.count()

    change = bulk(demo, viewer, Selection(acme(demo), picked(demo.prod_east, demo.prod_west)))

    assert (change.written, change.impact.forbidden) == (0, 2)
    assert set(values().values()) == {UNLOCK}
    assert AuditEvent.objects.count() == events


def test_a_refused_pause_end_changes_nothing(demo, user):
    with pytest.raises(rules.InvalidPause):
        bulk(
            demo,
            user("tenant-admin"),
            Selection(acme(demo), picked(demo.prod_east)),
            pause=rules.Pause(until=timezone.now() - timedelta(hours=1)),
        )

    assert set(values().values()) == {UNLOCK}
    assert not AuditEvent.objects.exists()
