"""Releases and rollouts: a newer platform version becomes current and its agent is rolled out
to every cluster whose pause does not hold; paused clusters are held back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from ..models import (
    AgentUpgrade,
    AgentUpgrades,
    Cluster,
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


@dataclass(frozen=True)
class Rollout:
    release: PlatformRelease
    previous: PlatformRelease | None
    upgraded: int
    held_back: int
    by_project: list[ProjectRollout]
    resumed: Expiry


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
    previous = PlatformRelease.current()
    version, agent_version = check_versions(version, agent_version, previous)
    now = timezone.now()
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
        record_release(release, by_project, actor, now)
        notices.release_made(release, by_project, resumed.found, now)
    return Rollout(
        release, previous, release.agents_upgraded, release.agents_held_back, by_project, resumed
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
    version, agent_version = check_versions(version, agent_version, PlatformRelease.current())
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
    )
