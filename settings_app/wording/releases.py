"""Platform releases, their rollouts, and pauses that end: what the dialog asks and the message says."""

from __future__ import annotations

from ..rules import (
    Expiry,
    ReleaseImpact,
    Rollout,
)
from . import plural


def release_title(impact: ReleaseImpact) -> str:
    return f"Release platform {impact.version}?"


def release_confirm(impact: ReleaseImpact) -> str:
    """'Release 4.8.0: the agents of 412 clusters will be upgraded to 4.8.0; 37 paused clusters
    in 5 projects will be held back.', counted before anything is written."""
    agent = impact.agent_version
    text = f"Release {impact.version}"
    if agent != impact.version:
        text += f" with agent {agent}"
    if impact.upgraded:
        agents = (
            "agent of 1 cluster"
            if impact.upgraded == 1
            else f"agents of {impact.upgraded} clusters"
        )
        text += f": the {agents} will be upgraded to {agent}"
    else:
        text += ": no agent will be upgraded"
    if impact.held_back:
        were = "cluster" if impact.held_back == 1 else "clusters"
        text += (
            f"; {impact.held_back} paused {were} in "
            f"{plural(impact.held_back_projects, 'project')} will be held back."
        )
    else:
        text += "; no cluster is paused, so none will be held back."
    if impact.pauses_ended:
        text += (
            f" {plural(impact.pauses_ended, 'cluster')} whose pause has ended will be resumed "
            "first."
        )
    return text


def rollout_message(rollout: Rollout) -> str:
    release = rollout.release
    text = (
        f"Platform {release.version} released: {plural(rollout.upgraded, 'agent')} upgraded to "
        f"{release.agent_version}, {plural(rollout.held_back, 'cluster')} held back by a pause."
    )
    resumed = rollout.resumed
    if resumed.clusters or resumed.projects or resumed.tenants:
        text += f" {expiry_message(resumed)}"
    return text


def expiry_message(expiry: Expiry) -> str:
    ended = [
        plural(len(names), kind)
        for names, kind in (
            (expiry.tenants, "tenant"),
            (expiry.projects, "project"),
            (expiry.clusters, "cluster"),
        )
        if names
    ]
    if not ended:
        return "No pause has ended."
    listed = ", ".join(ended[:-1]) + (" and " if len(ended) > 1 else "") + ended[-1]
    text = f"Pauses ended for {listed}"
    if expiry.agents_upgraded:
        text += f"; {plural(expiry.agents_upgraded, 'agent')} caught up to {expiry.agent_version}"
    return text + "."
