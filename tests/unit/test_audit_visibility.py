"""Which audit events a user sees: decided once, by `visible_audit_events`, for the Audit Logs
pages and for the API's audit trail. A Tenant Admin sees the tenant's, a Project Admin or
Viewer their project's, a Cluster Admin those of their clusters (not a release's record, which
names the project's counts)."""

from __future__ import annotations

import pytest

from settings_app.models import AuditEvent, Scope, Via
from settings_app.permissions import visible_audit_events
from settings_app.permissions.roles import roles_for
from tests.factories import World

# Which audit events a user sees: decided once, for Audit Logs and for the API's audit trail.


def event(world: World, name: str, *, project=None, cluster=None, tenant=None, release=False):
    return AuditEvent.objects.create(
        tenant=tenant or world.acme,
        project=project,
        cluster=cluster,
        action=AuditEvent.Action.RELEASE if release else AuditEvent.Action.SETTING,
        scope=Scope.CLUSTER if cluster else Scope.PROJECT if project else Scope.TENANT,
        via=Via.CLUSTER,
        actor_name="someone",
        object_name=name,
        old_value="unlock",
        new_value="lock",
    )


@pytest.fixture
def trail(access_world):
    w = access_world
    for name, kwargs in {
        "Acme": {},
        "Default": {"project": w.default},
        "release in Default": {"project": w.default, "release": True},
        "prod-east": {"project": w.default, "cluster": w.prod_east},
        "prod-west": {"project": w.default, "cluster": w.prod_west},
        "Edge": {"project": w.edge},
        "edge-01": {"project": w.edge, "cluster": w.edge_01},
        "Globex": {"tenant": w.globex},
        "globex-main": {"tenant": w.globex, "project": w.globex_default, "cluster": w.globex_main},
    }.items():
        event(w, name, **kwargs)
    return w


ACME_EVENTS = ["Acme", "Default", "release in Default", "prod-east", "prod-west", "Edge", "edge-01"]
DEFAULTS = ["Default", "release in Default", "prod-east", "prod-west"]


@pytest.mark.parametrize(
    ("role", "in_acme", "in_default"),
    [
        ("no role", [], []),
        ("viewer", DEFAULTS, DEFAULTS),
        ("cluster admin", ["prod-east"], ["prod-east"]),  # not the release: it names the project
        ("project admin", DEFAULTS, DEFAULTS),
        ("tenant admin", ACME_EVENTS, DEFAULTS),
        ("other tenant's admin", [], []),
        ("superuser", ACME_EVENTS, DEFAULTS),
    ],
)
def test_a_user_sees_the_audit_events_of_what_they_hold_a_role_on(trail, role, in_acme, in_default):
    roles = roles_for(trail.users[role])

    def names(events):
        return sorted(events.values_list("object_name", flat=True))

    assert names(visible_audit_events(roles, trail.acme)) == sorted(in_acme)
    assert names(visible_audit_events(roles, trail.acme, trail.default)) == sorted(in_default)


def test_the_other_tenants_admin_sees_their_own_tenants_events(trail):
    roles = roles_for(trail.users["other tenant's admin"])

    assert sorted(
        visible_audit_events(roles, trail.globex).values_list("object_name", flat=True)
    ) == ["Globex", "globex-main"]
