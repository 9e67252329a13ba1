"""The Clusters list: where a page lies in the list, and the bulk acts' questions and messages."""

from __future__ import annotations

from ..models import AgentUpgrades
from ..rules import AgentCounts
from . import plural

# The Clusters list's paging and bulk acts.


def showing(page) -> str:
    """'Showing 51–100 of 12,345': where the page lies in the list."""
    if not page.object_list:
        return "No clusters"
    of = f"more than {page.total:,}" if page.total_is_lower_bound else f"{page.total:,}"
    if page.number == 0:  # the last rows of a list too long to count
        return f"Showing the last {len(page.object_list):,} of {of}"
    return f"Showing {page.start:,}–{page.end:,} of {of}"


def select_matching(total: int | None, capped: bool, filtered: bool) -> str:
    """The banner's offer, once the page's rows are selected: every cluster that matches."""
    how_many = "more than 10,000" if capped else f"{total:,}" if total is not None else "the"
    what = "clusters that match these filters" if filtered else "clusters"
    if total == 1 and not capped:
        what = "cluster that matches these filters" if filtered else "cluster"
    return f"Select all {how_many} {what}"


def all_selected(total: int | None, capped: bool) -> str:
    """The selection bar's count once every cluster that matches is selected: 'All 60 selected'."""
    if total is None:
        return "All that match selected"
    return f"All {'more than 10,000' if capped else f'{total:,}'} selected"


def bulk_title(value: str, selected: int) -> str:
    verb = "Pause" if value == AgentUpgrades.LOCK else "Resume"
    return f"{verb} agent upgrades for {plural(selected, 'selected cluster')}?"


def _left_alone(forbidden: int, stale: int) -> str:
    parts = []
    if forbidden:
        parts.append(f"{forbidden} you may not change")
    if stale:
        parts.append(f"{stale} changed by someone else since the page was drawn (stale)")
    return f" Left alone: {' and '.join(parts)}." if parts else ""


def _already(impact, changing: int, done: bool = False) -> str:
    """': 4 will change; 1 is already active', as a push's dialog says what it overwrites; ''
    when every cluster changes."""
    if not impact.already:
        return ""
    state = "paused" if impact.value == AgentUpgrades.LOCK else "active"
    one = impact.already == 1
    be = ("was" if one else "were") if done else ("is" if one else "are")
    if not changing:
        if impact.already == 1:
            return f": it {be} already {state}"
        return f": all {impact.already} {be} already {state}"
    return f": {changing} {'changed' if done else 'will change'}; {impact.already} {be} already {state}"


def bulk_confirm(impact) -> str:
    """What a bulk pause or resume will do (the figures of `bulk_impact`): how many clusters
    it writes, how many of them change and how many already have the value."""
    verb = "Pause" if impact.value == AgentUpgrades.LOCK else "Resume"
    if not impact.clusters:
        text = "None of the selected clusters can be changed; OK changes nothing."
    else:
        text = (
            f"{verb} agent upgrades for {plural(impact.clusters, 'cluster')} in "
            f"{plural(impact.projects, 'project')}"
            f"{_already(impact, impact.clusters - impact.already)}."
        )
    if impact.agents_to_upgrade:
        agents = plural(impact.agents_to_upgrade, "agent")
        text += f" {agents} held back by a pause will be upgraded to {impact.agent_version}."
    return text + _left_alone(impact.forbidden, impact.stale)


def bulk_done(change) -> str:
    """The answer to a bulk pause or resume: what changed, and what was left alone."""
    impact = change.impact
    done = "paused" if impact.value == AgentUpgrades.LOCK else "resumed"
    if not change.written:
        text = "Nothing was changed."
    else:
        text = (
            f"Agent upgrades {done} for {plural(change.written, 'cluster')} in "
            f"{plural(impact.projects, 'project')}"
            f"{_already(impact, change.written - impact.already, done=True)}."
        )
    if change.agents_upgraded:
        agents = plural(change.agents_upgraded, "agent")
        text += f" {agents} upgraded to {impact.agent_version}."
    return text + _left_alone(impact.forbidden, impact.stale)


NOTHING_SELECTED = "Select one or more clusters first. Nothing was changed."


def agents_line(counts: AgentCounts, noun: str) -> str:
    """A line of the Clusters summary for a scope's gateways or idle Edge hosts: '3 gateways: 1
    paused, 2 behind'."""
    return f"{plural(counts.total, noun)}: {counts.paused} paused, {counts.behind} behind"
