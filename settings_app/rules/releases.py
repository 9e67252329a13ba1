"""Releases and rollouts: a newer platform version becomes current and its agent is rolled out
to every cluster whose pause does not hold; paused clusters are held back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Subquery
from django.utils import timezone

from ..models import (
    AgentUpgrade,
    AgentUpgrades,
    Cluster,
    EdgeHost,
    Gateway,
    PlatformRelease,
    Tenant,
    paused_now,
    recounting_every_project,
    version_key,
)
from . import notices
from .change import lock_tenants, record_release, record_upgrades, upgrade_agents
from .expiry import Expiry, resume_ended

VERSION = re.compile(r"^[0-9]{1,6}\.[0-9]{1,6}\.[0-9]{1,6}$")


class InvalidRelease(ValueError):
    """A platform version that is malformed or not newer than the current one."""


@dataclass(frozen=True)
class ProjectRollout:
    tenant: str
    project: str
    upgraded: int
    held_back: int
    # Where, for the release's audit events; not part of what the forecast compares.
    tenant_id: int = field(default=0, compare=False)
    project_id: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ReleaseImpact:
    """What releasing a version would do now, counted before anything is written: for the
    confirm dialog and the confirmation page."""

    version: str
    agent_version: str
    upgraded: int  # agents that the rollout would upgrade
    held_back: int  # paused clusters whose agent would stay behind
    held_back_projects: int  # projects holding those clusters
    pauses_ended: int  # clusters whose pause has ended: resumed first, then upgraded
    by_project: list[ProjectRollout]
    others: OtherAgents = field(default_factory=lambda: OtherAgents())
    current_version: str = ""  # the platform's version before it

    @property
    def crosses_minor(self) -> bool:
        """Whether the release is a major or minor upgrade of the platform (4.7.x → 4.8.0)."""
        if not self.current_version:
            return False
        return version_key(self.version)[:2] != version_key(self.current_version)[:2]

    @property
    def gateways_left_behind(self) -> list[Gateway]:
        """The paused gateways a major or minor release would leave behind: Palette's guidance
        is to let gateways upgrade before each one."""
        return self.others.held_gateways if self.crosses_minor else []


@dataclass(frozen=True)
class OtherAgents:
    """What a rollout does to the agents of gateways and idle Edge hosts (hosts in a cluster
    follow their cluster and are counted with it)."""

    gateways_upgraded: int = 0
    gateways_held_back: int = 0
    hosts_upgraded: int = 0
    hosts_held_back: int = 0
    held_gateways: list[Gateway] = field(default_factory=list)  # by tenant, then name


def current_and_others(
    agent_version: str, now: datetime
) -> tuple[PlatformRelease | None, OtherAgents]:
    """The current release, read with what a rollout of `agent_version` would do to the
    gateways and idle hosts at `now` (`other_agents`), in the same statement."""
    counts = _other_counts(agent_version, now)
    current = PlatformRelease.objects.annotate(**counts).order_by("-released_at", "-id").first()
    if current is None:  # the first release: nothing to read them with
        return None, other_agents(agent_version, now)
    return current, OtherAgents(**{name: getattr(current, name) or 0 for name in counts})


def _other_counts(agent_version: str, now: datetime) -> dict[str, Subquery]:
    held, outdated = paused_now(now), ~Q(agent_version=agent_version)
    counts = {}
    for kind, rows in (("gateways", Gateway.objects), ("hosts", EdgeHost.objects.idle())):
        counts[f"{kind}_upgraded"] = _count(rows.filter(outdated).exclude(held))
        counts[f"{kind}_held_back"] = _count(rows.filter(outdated & held))
    return counts


def other_agents(agent_version: str, now: datetime, *, named: bool = False) -> OtherAgents:
    """The gateways and idle Edge hosts a rollout of `agent_version` would upgrade at `now`,
    and the paused ones it would hold back, counted in one statement; with `named`, also the
    gateways held back (one more, when there are some)."""
    counts = _other_counts(agent_version, now)
    found = Tenant.objects.order_by().values(**counts).first() or {}
    counts = {name: found.get(name) or 0 for name in counts}
    held_gateways = []
    if named and counts["gateways_held_back"]:
        held = paused_now(now) & ~Q(agent_version=agent_version)
        held_gateways = list(
            Gateway.objects.filter(held).select_related("tenant").order_by("tenant__name", "name")
        )
    return OtherAgents(**counts, held_gateways=held_gateways)


def _count(rows: QuerySet) -> Subquery:
    """How many `rows` there are, as a column of another statement."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


@dataclass(frozen=True)
class Rollout:
    release: PlatformRelease
    previous: PlatformRelease | None
    upgraded: int
    held_back: int
    by_project: list[ProjectRollout]
    resumed: Expiry
    others: OtherAgents = field(default_factory=lambda: OtherAgents())


def current_agent_version() -> str:
    release = PlatformRelease.current()
    return release.agent_version if release else ""


def check_versions(
    version: str, agent_version: str, previous: PlatformRelease | None
) -> tuple[str, str]:
    """The release's versions, cleaned; InvalidRelease (which says why) when they are
    malformed, not newer than the current platform, or ship an older agent."""
    version, agent_version = version.strip(), (agent_version or version).strip()
    for text in (version, agent_version):
        if not VERSION.match(text):
            raise InvalidRelease(
                f"“{text}” is not a version. Use three numbers separated by dots, like 4.8.0."
            )
    if previous and version_key(version) <= version_key(previous.version):
        raise InvalidRelease(
            f"{version} is not newer than the current platform version {previous.version}. "
            "Nothing was released."
        )
    if previous and version_key(agent_version) < version_key(previous.agent_version):
        raise InvalidRelease(
            f"Agent {agent_version} is older than the current agent {previous.agent_version}. "
            "Nothing was released."
        )
    return version, agent_version


@transaction.atomic
def release_platform(
    version: str,
    *,
    agent_version: str = "",
    actor: AbstractBaseUser | None = None,
) -> Rollout:
    """Make `version` the platform's current release and roll its agent out: every cluster
    whose pause does not hold gets the new agent; every paused cluster keeps its own."""
    # Every tenant's row, in order, as each change takes its own: no pause or resume can slip
    # in between the rollout's records and its writes, none waits for it in a circle, and two
    # releases take turns (the second then reads the first as the current one).
    lock_tenants(Tenant.objects.all())
    now = timezone.now()
    previous, others = current_and_others((agent_version or version).strip(), now)
    version, agent_version = check_versions(version, agent_version, previous)
    with recounting_every_project():
        # A pause that has ended holds nothing back: resume it, and let the rollout upgrade it.
        resumed = resume_ended(now, agent_version, catch_up=False, locked=True)
        by_project = rollout_by_project(agent_version, now)
        release = PlatformRelease.objects.create(
            version=version,
            agent_version=agent_version,
            released_at=now,
            released_by=actor,
            agents_upgraded=sum(p.upgraded for p in by_project),
            agents_held_back=sum(p.held_back for p in by_project),
        )
        to_upgrade = Cluster.objects.filter(~paused_now(now) & ~Q(agent_version=agent_version))
        record_upgrades(
            to_upgrade, agent_version, actor, now, AgentUpgrade.Cause.RELEASE, release=release
        )
        upgrade_agents(to_upgrade, agent_version)
        # Gateways and idle hosts whose pause does not hold (hosts in a cluster follow it).
        for rows, some in (
            (Gateway.objects, others.gateways_upgraded),
            (EdgeHost.objects.idle(), others.hosts_upgraded),
        ):
            if some:
                outdated = rows.filter(~paused_now(now) & ~Q(agent_version=agent_version))
                upgrade_agents(outdated, agent_version)
        record_release(release, by_project, actor, now)
        notices.release_made(release, by_project, resumed.found, now)
    return Rollout(
        release,
        previous,
        release.agents_upgraded,
        release.agents_held_back,
        by_project,
        resumed,
        others,
    )


def rollout_by_project(agent_version: str, now: datetime) -> list[ProjectRollout]:
    """Per project, the agents a rollout of `agent_version` upgrades at `now` (every cluster
    whose pause does not hold and whose agent differs) and the ones it holds back (paused ones
    whose agent differs). The rollout counts with it, and so does its forecast."""
    held = paused_now(now)
    outdated = ~Q(agent_version=agent_version)
    return [
        ProjectRollout(
            row["tenant_name"],
            row["project_name"],
            row["upgraded"],
            row["held"],
            row["tenant_ref"],
            row["project_ref"],
        )
        for row in Cluster.objects.values(
            tenant_name=F("project__tenant__name"),
            project_name=F("project__name"),
            tenant_ref=F("project__tenant_id"),
            project_ref=F("project_id"),
        )
        .annotate(
            upgraded=Count("pk", filter=~held & outdated),
            held=Count("pk", filter=held & outdated),
        )
        .order_by("tenant_name", "project_name")
    ]


def release_impact(
    version: str, *, agent_version: str = "", now: datetime | None = None
) -> ReleaseImpact:
    """What `release_platform(version, agent_version=…)` would do if it ran now, written
    nowhere; InvalidRelease (which says why) for a version it would refuse."""
    current = PlatformRelease.current()
    version, agent_version = check_versions(version, agent_version, current)
    now = now or timezone.now()
    by_project = rollout_by_project(agent_version, now)
    pauses_ended = Cluster.objects.filter(
        agent_upgrades=AgentUpgrades.LOCK, agent_upgrades_until__lte=now
    ).count()
    return ReleaseImpact(
        version=version,
        agent_version=agent_version,
        upgraded=sum(p.upgraded for p in by_project),
        held_back=sum(p.held_back for p in by_project),
        held_back_projects=sum(1 for p in by_project if p.held_back),
        pauses_ended=pauses_ended,
        by_project=by_project,
        others=other_agents(agent_version, now, named=True),
        current_version=current.version if current else "",
    )
