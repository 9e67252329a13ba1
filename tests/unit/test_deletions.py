"""Deletions (in the admin) and the audit trail. The trail's links are neither indexed for them
nor checked by the database (every part of a push would pay for both): Django's CASCADE and
SET_NULL keep the trail true.

- A user's deletion keeps what they did: the trail's events, the agents they upgraded and the
  settings they wrote name them still, by name, and no longer link to them.
- A cluster's or a release's deletion keeps the events about it, named, without the link.
- A tenant's deletion takes its whole trail with it."""

from __future__ import annotations

from settings_app import rules
from settings_app.models import (
    AgentUpgrade,
    AgentUpgrades,
    AuditEvent,
    Cluster,
    PlatformRelease,
    Project,
)


def test_a_deleted_users_changes_keep_their_name_and_lose_the_link(demo, user):
    admin = user("tenant-admin")
    rules.push_tenant(demo.acme, AgentUpgrades.LOCK, actor=admin)
    rules.push_tenant(demo.acme, AgentUpgrades.UNLOCK, actor=admin)  # the parts name them as before
    rules.release_platform("4.9.0", actor=admin)
    assert AuditEvent.objects.filter(actor=admin).count() > 10
    assert AgentUpgrade.objects.filter(actor=admin).exists()

    pk = admin.pk
    admin.delete()

    mine = AuditEvent.objects.filter(actor_name="tenant-admin")
    assert mine.count() > 10 and not mine.filter(actor__isnull=False).exists()
    assert not AuditEvent.objects.filter(old_set_by_id=pk).exists()
    assert AgentUpgrade.objects.filter(actor_name="tenant-admin", actor__isnull=True).exists()
    for model in (Cluster, Project):
        rows = model.objects.filter(tenant=demo.acme) if model is Cluster else demo.acme.projects
        assert not rows.filter(agent_upgrades_set_by_id=pk).exists()
        assert rows.filter(agent_upgrades_set_via="tenant").exists()


def test_a_deleted_clusters_events_stay_by_name_without_the_link(demo, user):
    admin = user("tenant-admin")
    rules.set_cluster(demo.staging, AgentUpgrades.LOCK, actor=admin)
    rules.push_tenant(demo.acme, AgentUpgrades.UNLOCK, actor=admin)
    rules.set_cluster(demo.staging, AgentUpgrades.LOCK, actor=admin)  # caught up by nothing
    named = AuditEvent.objects.filter(object_name="staging")
    before = named.count()
    assert before == 3  # its own two, and its part of the push

    demo.staging.delete()

    assert named.count() == before and not named.filter(cluster__isnull=False).exists()
    assert not AgentUpgrade.objects.filter(cluster_id=demo.staging.pk).exists()


def test_a_deleted_release_leaves_its_events_and_upgrades_without_the_link(demo, user):
    rules.release_platform("4.9.0", actor=user("tenant-admin"))
    release = PlatformRelease.objects.get(version="4.9.0")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.RELEASE, release=release)
    unlinked = AuditEvent.objects.filter(action=AuditEvent.Action.RELEASE, release=None)
    assert events.exists()
    count, upgrades = events.count(), AgentUpgrade.objects.filter(release=release).count()
    before = unlinked.count()

    release.delete()

    assert unlinked.count() == before + count
    assert AgentUpgrade.objects.filter(release=None, to_version="4.9.0").count() == upgrades


def test_a_deleted_tenant_takes_its_whole_trail(demo, user):
    rules.push_tenant(demo.acme, AgentUpgrades.LOCK, actor=user("tenant-admin"))
    theirs = AuditEvent.objects.filter(tenant=demo.acme)
    assert theirs.filter(part_of__isnull=False).exists()
    others = AuditEvent.objects.exclude(tenant=demo.acme).count()

    demo.acme.delete()

    assert not AuditEvent.objects.filter(tenant_id=demo.acme.pk).exists()
    assert AuditEvent.objects.count() == others
