"""A user's deletion (in the admin) keeps what they did: the trail's events, the agents they
upgraded and the settings they wrote name them still, by name, and no longer link to them. The
links are not indexed (every part of a push would write them): the deletion finds them by
reading the tables once."""

from __future__ import annotations

from settings_app import rules
from settings_app.models import AgentUpgrade, AgentUpgrades, AuditEvent, Cluster, Project


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
