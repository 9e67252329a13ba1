"""Releases and rollouts: a newer platform version becomes current and its agent is rolled out
to every cluster whose pause does not hold; paused clusters are held back."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.utils import timezone

from ..models import (
    AgentUpgrade,
    AgentUpgrades,
    Cluster,
    PlatformRelease,
    Tenant,
    recounting_every_project,
    version_key,
)
from ..sql import insert_select
from .expiry import Expiry, resume_ended
from .writes import upgrade_columns

VERSION = re.compile(r"^[0-9]{1,6}\.[0-9]{1,6}\.[0-9]{1,6}$")


class InvalidRelease(ValueError):
    """A platform version that is malformed or not newer than the current one."""


@dataclass(frozen=True)
class ProjectRollout:
    tenant: str
    project: str
    upgraded: int
    held_back: int


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
    list(Tenant.objects.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
    previous = PlatformRelease.current()
    version, agent_version = check_versions(version, agent_version, previous)
    now = timezone.now()
    with recounting_every_project():
        # A pause that has ended holds nothing back: resume it, and let the rollout upgrade it.
        resumed = resume_ended(now, agent_version, catch_up=False, locked=True)
        active = Q(agent_upgrades=AgentUpgrades.UNLOCK)
        outdated = ~Q(agent_version=agent_version)
        by_project = [
            ProjectRollout(row["tenant_name"], row["project_name"], row["upgraded"], row["held"])
            for row in Cluster.objects.values(
                tenant_name=F("project__tenant__name"), project_name=F("project__name")
            )
            .annotate(
                upgraded=Count("pk", filter=active & outdated),
                held=Count("pk", filter=Q(agent_upgrades=AgentUpgrades.LOCK) & outdated),
            )
            .order_by("tenant_name", "project_name")
        ]
        release = PlatformRelease.objects.create(
            version=version,
            agent_version=agent_version,
            released_at=now,
            released_by=actor,
            agents_upgraded=sum(p.upgraded for p in by_project),
            agents_held_back=sum(p.held_back for p in by_project),
        )
        to_upgrade = Cluster.objects.filter(active & outdated)
        insert_select(
            AgentUpgrade,
            to_upgrade,
            **upgrade_columns(agent_version, actor, now, AgentUpgrade.Cause.RELEASE),
            release_id=Value(release.pk),
        )
        to_upgrade.update(agent_version=agent_version)
    return Rollout(
        release, previous, release.agents_upgraded, release.agents_held_back, by_project, resumed
    )
