"""Failures injected into a change's writes, as on a full disk, to show that a change, a resume
catching agents up or a release commits everything together or nothing at all."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import IntegrityError

from settings_app.models import AgentUpgrade, AuditEvent, Scope, fleet
from settings_app.rules.change import trail

# A tenant push: its audit events and its values.


def fail_writing_the_tenants_own_event():
    """Writing the clusters' values fails, as on a full disk, once the tenant's own audit event
    and its clusters' events are written."""

    def write_or_fail(rows, *args, **kwargs):
        assert AuditEvent.objects.filter(scope=Scope.TENANT).count() == 1
        assert AuditEvent.objects.filter(scope=Scope.CLUSTER).count() == 5
        raise IntegrityError("disk full")

    return mock.patch.object(fleet.ClusterQuerySet, "update_and_recount", write_or_fail)


def fail_after_every_event_was_written():
    """The change's last write, the fleet rows' refresh, fails once the values and every audit
    event are written (the tenant's own comes first): all of it must be undone."""
    recount = fleet.recount

    def recount_then_fail(*args, **kwargs):
        recount(*args, **kwargs)
        assert AuditEvent.objects.filter(scope=Scope.CLUSTER).count() == 5
        assert AuditEvent.objects.filter(scope=Scope.TENANT).exists()
        raise IntegrityError("disk full")

    return mock.patch.object(fleet, "recount", side_effect=recount_then_fail)


# Agent upgrades: a rollout's, and a resume's catch-up.


def fail_writing_upgrades():
    """The INSERT ... SELECT of agent upgrades fails, as on a full disk."""
    insert_select = trail.insert_select

    def insert_or_fail(model, *args, **kwargs):
        if model is AgentUpgrade:
            raise IntegrityError("disk full")
        return insert_select(model, *args, **kwargs)

    # a rollout's upgrades, and a resume's catch-up: both written by the change's owner
    return mock.patch.object(trail, "insert_select", side_effect=insert_or_fail)


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
