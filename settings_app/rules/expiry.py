"""The end of pauses: a pause whose end has passed stops holding at once; the sweep writes it
down, resuming its tenant, project or cluster and catching the agents up (rule 6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Value
from django.utils import timezone

from ..models import (
    AgentUpgrade,
    AgentUpgrades,
    Cluster,
    EdgeHost,
    FreezeOccurrence,
    Gateway,
    PlatformRelease,
    Project,
    Tenant,
    Via,
)
from . import notices
from .change import lock_tenants, write_change
from .writes import SettingWrite

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK


@dataclass(frozen=True)
class Expiry:
    """What the end of pauses resumed."""

    tenants: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    gateways: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)  # idle Edge hosts
    agents_upgraded: int = 0
    agent_version: str = ""
    # The rows the notices name: (kind, name, uid, id, tenant id, project id).
    found: list[tuple] = field(default_factory=list, compare=False, repr=False)

    @property
    def anything(self) -> bool:
        return bool(self.tenants or self.projects or self.clusters or self.gateways or self.hosts)


@transaction.atomic
def resume_expired_pauses(now: datetime | None = None) -> Expiry:
    """Resume every tenant, project, cluster, gateway and idle Edge host whose pause has ended, catching their agents up
    to the platform's agent version."""
    release = PlatformRelease.current()
    return resume_ended(now or timezone.now(), release.agent_version if release else "")


def resume_ended(
    now: datetime, agent_version: str, *, catch_up: bool = True, locked: bool = False
) -> Expiry:
    """Resume what has ended by `now`, in the caller's transaction. With `catch_up`, agents
    held back by those pauses are upgraded to `agent_version`; a release passes False, since
    its rollout upgrades them (and every other active agent) next, and `locked`, since it
    holds every tenant's row already."""
    # A freeze window's pause ends with the window, which puts back what was there: the sweep
    # leaves what a window still running holds to the scheduler's end of it.
    held = FreezeOccurrence.objects.filter(
        window=OuterRef("agent_upgrades_window"), state=FreezeOccurrence.State.STARTED
    )
    ended = Q(agent_upgrades=LOCK, agent_upgrades_until__lte=now) & ~Q(Exists(held))
    if not locked:
        # Take the tenants' rows first, as every change does, so that a person's change to
        # the same objects waits for the sweep (or the sweep for it) instead of interleaving.
        lock_tenants(
            Tenant.objects.filter(
                ended
                | Q(pk__in=Project.objects.filter(ended).values("tenant_id"))
                | Q(pk__in=Cluster.objects.filter(ended).values("tenant_id"))
                | Q(pk__in=Gateway.objects.filter(ended).values("tenant_id"))
                | Q(pk__in=EdgeHost.objects.idle().filter(ended).values("tenant_id"))
            )
        )
    names: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    found = list(
        _named(Tenant, "tenant", ended)
        .union(*(_named(model, kind, ended) for kind, model in list(_KINDS.items())[1:]), all=True)
        .order_by("name")
    )
    for kind, name, *_ in found:
        names[kind].append(name)
    if not locked:  # a release tells of the pauses it ended with its own notices
        notices.pauses_ended(found)
    write = SettingWrite(UNLOCK, Via.EXPIRY, None, now)
    rows = {
        kind: model.objects.filter(ended) if names[kind] else None for kind, model in _KINDS.items()
    }
    # The pause stopped holding at its end; the audit trail says that it ended, and when.
    written = write_change(
        write,
        tenants=rows["tenant"],
        projects=rows["project"],
        clusters=rows["cluster"],
        gateways=rows["gateway"],
        hosts=rows["host"],
        catch_up=agent_version if catch_up else "",
        cause=AgentUpgrade.Cause.EXPIRY,
        only_changed=False,
        recorded={"old_value": Value(LOCK), "until": F("agent_upgrades_until")},
    )
    return Expiry(
        names["tenant"],
        names["project"],
        names["cluster"],
        names["gateway"],
        names["host"],
        written.agents_upgraded,
        agent_version,
        found,
    )


# What the sweep resumes, by kind (an Edge host in a cluster holds no setting of its own).
_KINDS = {
    "tenant": Tenant,
    "project": Project,
    "cluster": Cluster,
    "gateway": Gateway,
    "host": EdgeHost,
}


def _ended(model, ended: Q):
    """The objects of `model` whose pause has ended (of Edge hosts, the idle ones: a host in a
    cluster has no setting of its own)."""
    rows = model.objects.filter(ended)
    return rows.filter(cluster__isnull=True) if model is EdgeHost else rows


def _named(model, kind: str, ended: Q):
    """(kind, name, uid, id, tenant id, project id) of the objects of `model` whose pause has
    ended, for one UNION."""
    no_project = Value(None, output_field=IntegerField())
    return (
        _ended(model, ended)
        .annotate(
            kind=Value(kind),
            tenant_ref=F("pk") if model is Tenant else F("tenant_id"),
            project_ref={Tenant: no_project, Project: F("pk"), Gateway: no_project}.get(
                model, F("project_id")
            ),
        )
        .values_list("kind", "name", "uid", "pk", "tenant_ref", "project_ref")
        .order_by()
    )
