"""Platform releases, their rollouts, and pauses that end: what the dialog asks and the message says."""

from __future__ import annotations

from ..models import Gateway
from ..rules import (
    Expiry,
    ReleaseImpact,
    Rollout,
)
from ..rules.releases import OtherAgents
from . import listed, plural


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
    return text + others_forecast(impact.others)


def _gateways_and_hosts(gateways: int, hosts: int, adjective: str = "") -> str:
    """'2 gateways and 1 Edge host not in a cluster', 'paused' ones with `adjective`; '' for
    none."""
    first = f"{adjective} " if adjective else ""
    parts = [plural(gateways, f"{first}gateway")] if gateways else []
    if hosts:
        parts.append(f"{plural(hosts, f'{first}Edge host')} not in a cluster")
    return listed(parts)


def others_forecast(others: OtherAgents) -> str:
    """What the rollout does to gateways and idle Edge hosts, beside the clusters: ' The agents
    of 1 gateway will be upgraded too; 1 paused Edge host not in a cluster will be held back.'
    ('' when it touches none)."""
    upgraded = _gateways_and_hosts(others.gateways_upgraded, others.hosts_upgraded)
    held = _gateways_and_hosts(others.gateways_held_back, others.hosts_held_back, "paused")
    parts = []
    if upgraded:
        parts.append(f"the agents of {upgraded} will be upgraded too")
    if held:
        parts.append(f"{held} will be held back")
    if not parts:
        return ""
    text = "; ".join(parts)
    return f" {text[:1].upper()}{text[1:]}."


GATEWAY_GUIDANCE = (
    "Palette's guidance is to let gateways upgrade before each major or minor upgrade."
)


def gateways_left_behind_warning(gateways: list[Gateway]) -> str:
    """A major or minor release that would hold paused gateways back warns, with the gateways'
    own agent versions: '3 paused gateways will stay on 4.7.2. Palette's guidance is …'; ''
    when none would stay behind."""
    if not gateways:
        return ""
    versions = sorted({gateway.agent_version for gateway in gateways})
    will = f"{plural(len(gateways), 'paused gateway')} will stay on"
    if len(versions) == 1:
        return f"{will} {versions[0]}. {GATEWAY_GUIDANCE}"
    return f"{will} their current agents, {listed(versions)}. {GATEWAY_GUIDANCE}"


def rollout_message(rollout: Rollout) -> str:
    release = rollout.release
    text = (
        f"Platform {release.version} released: {plural(rollout.upgraded, 'agent')} upgraded to "
        f"{release.agent_version}, {plural(rollout.held_back, 'cluster')} held back by a pause."
    )
    others = rollout.others
    upgraded = _gateways_and_hosts(others.gateways_upgraded, others.hosts_upgraded)
    held = _gateways_and_hosts(others.gateways_held_back, others.hosts_held_back, "paused")
    if upgraded or held:
        done = [f"{upgraded} upgraded"] if upgraded else []
        done += [f"{held} held back"] if held else []
        text += f" Also: {'; '.join(done)}."
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
