"""The Pause Agent Upgrades switch: its state for the templates, the words of its dialog and
messages, and the one change flow that the cluster, project and tenant endpoints share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.timesince import timesince

from ..models import AgentUpgrades, AgentUpgradesSetting, Cluster, Project, Scope, Tenant
from ..permissions import Access, require_view
from ..rules import Change, ClusterCounts, StaleSetting
from .errors import error_response


@dataclass(frozen=True)
class Switch:
    """What the switch template needs; `wanted` is what a click asks for. A project or tenant
    whose clusters were set below it also offers to push its current value again (rule 2)."""

    action: str
    target: str  # the id of the panel that the server's answer replaces
    checked: bool
    version: int
    access: Access
    confirm: str
    reapply_label: str = ""
    reapply_confirm: str = ""

    @property
    def wanted(self) -> str:
        return AgentUpgrades.UNLOCK if self.checked else AgentUpgrades.LOCK

    @property
    def current(self) -> str:
        return AgentUpgrades.LOCK if self.checked else AgentUpgrades.UNLOCK

    @property
    def title(self) -> str:
        return "Resume agent upgrades?" if self.checked else "Pause agent upgrades?"

    @property
    def reapply_title(self) -> str:
        return "Pause agent upgrades again?" if self.checked else "Resume agent upgrades again?"


def cluster_switch(cluster: Cluster, *, action: str, access: Access, platform_agent: str) -> Switch:
    return Switch(
        action=action,
        target="cluster-settings",
        checked=cluster.is_paused,
        version=cluster.agent_upgrades_version,
        access=access,
        confirm=cluster_confirm(cluster, platform_agent),
    )


def push_switch(
    obj: Project | Tenant,
    *,
    action: str,
    access: Access,
    counts: ClusterCounts,
    platform_agent: str,
) -> Switch:
    wanted = AgentUpgrades.UNLOCK if obj.is_paused else AgentUpgrades.LOCK
    reapply = counts.set_below > 0 and access.change
    verb = "Pause" if obj.is_paused else "Resume"
    return Switch(
        action=action,
        target="platform-settings",
        checked=obj.is_paused,
        version=obj.agent_upgrades_version,
        access=access,
        confirm=push_confirm(obj, wanted, counts, platform_agent),
        reapply_label=f"{verb} all {plural(counts.total, 'cluster')} again" if reapply else "",
        reapply_confirm=(
            push_confirm(obj, obj.agent_upgrades, counts, platform_agent) if reapply else ""
        ),
    )


class AgentUpgradesForm(forms.Form):
    value = forms.ChoiceField(
        choices=AgentUpgrades.choices,
        error_messages={
            "required": "Say whether to pause (value=lock) or resume (value=unlock) agent upgrades.",
            "invalid_choice": "The value must be lock (pause) or unlock (resume), not %(value)s.",
        },
    )
    # The setting's version the form was rendered from; without it, the change simply applies.
    version = forms.IntegerField(
        required=False,
        min_value=0,
        error_messages={"invalid": "The version must be a whole number. Reload the page."},
    )


def apply_change(
    request: HttpRequest,
    *,
    access: Access,
    rule: Callable[..., Change],
    target: AgentUpgradesSetting,
    settings_url: str,
    render_panel: Callable[[AgentUpgradesSetting, int], HttpResponse],
) -> HttpResponse:
    """Check, validate, change, and answer: the re-rendered panel for htmx, a redirect back to
    the settings page for a plain form post (the page itself, with 409, on a conflict).
    A refused htmx request also gets the panel, so the switch shows what the user may do now."""
    require_view(access)
    if not access.change:
        if not request.htmx:
            raise PermissionDenied(access.reason)
        messages.error(request, f"{access.reason} Nothing was changed.")
        return render_panel(target, 403)
    form = AgentUpgradesForm(request.POST)
    if not form.is_valid():
        errors = " ".join(e for field_errors in form.errors.values() for e in field_errors)
        return error_response(request, 400, "Bad request", f"{errors} Nothing was changed.")
    try:
        change = rule(
            target,
            form.cleaned_data["value"],
            actor=request.user,
            rendered_version=form.cleaned_data["version"],
        )
    except StaleSetting as conflict:
        messages.error(request, conflict_message(conflict.current))
        return render_panel(conflict.current, 409)
    if change.replayed:
        messages.info(request, replayed_message(change))
    else:
        messages.success(request, done_message(change))
    if not request.htmx:
        return redirect(settings_url)
    return render_panel(change.target, 200)


# The words.


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def describe(obj: Tenant | Project | Cluster) -> str:
    return f"{type(obj).__name__.lower()} {obj.name}"


def source(obj: AgentUpgradesSetting) -> str:
    """Where the value came from, by whom and when: 'pushed by tenant Acme · tenant-admin · 5
    minutes ago'; 'default' when nobody has set it."""
    via = obj.agent_upgrades_set_via
    if not via or obj.agent_upgrades_set_at is None:
        return "never set (default)"
    own_scope = type(obj).__name__.lower()
    if via == own_scope:
        origin = f"set on this {own_scope}"
    elif via == Scope.PROJECT:
        origin = f"pushed by project {obj.project.name}"
    else:
        tenant = obj.tenant if isinstance(obj, Project) else obj.project.tenant
        origin = f"pushed by tenant {tenant.name}"
    who = obj.agent_upgrades_set_by.get_username() if obj.agent_upgrades_set_by else "system"
    return f"{origin} · {who} · {ago(obj.agent_upgrades_set_at)}"


def ago(moment: datetime) -> str:
    """'5 minutes ago', or 'just now' for the last minute."""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


def cluster_confirm(cluster: Cluster, platform_agent: str) -> str:
    name = cluster.name
    if not cluster.is_paused:
        text = (
            f"Pause agent upgrades for cluster {name}. Its agent stays at "
            f"{cluster.agent_version} when the platform is upgraded, until upgrades are resumed."
        )
    else:
        text = f"Resume agent upgrades for cluster {name}."
        if platform_agent and cluster.agent_version != platform_agent:
            text += f" Its agent will be upgraded from {cluster.agent_version} to {platform_agent}."
    if cluster.agent_upgrades_set_via in (Scope.PROJECT, Scope.TENANT):
        text += (
            f" The current value was pushed by its {cluster.agent_upgrades_set_via}; this "
            f"override lasts until the {cluster.agent_upgrades_set_via} is set again."
        )
    return text


def push_confirm(
    obj: Project | Tenant,
    value: str,
    counts: ClusterCounts,
    platform_agent: str,
) -> str:
    """What a push of `value` will do, for the confirm dialog."""
    resume = value == AgentUpgrades.UNLOCK
    verb = "Resume" if resume else "Pause"
    again = " again" if value == obj.agent_upgrades else ""
    if counts.total == 0:
        return (
            f"{verb} agent upgrades{again} for {describe(obj)}. It has no clusters yet; "
            "new clusters will take this value."
        )
    where = f"in {describe(obj)}"
    if isinstance(obj, Tenant):
        where = f"in {plural(counts.projects, 'project')} of {describe(obj)}"
    text = f"{verb} agent upgrades{again} for {plural(counts.total, 'cluster')} {where}."
    if counts.set_below:
        how = "individually" if isinstance(obj, Project) else "at project or cluster level"
        were = "was" if counts.set_below == 1 else "were"
        text += (
            f" {counts.set_below} of them {were} set {how} and will be overwritten."
            if counts.total > 1
            else f" It was set {how} and will be overwritten."
        )
    if resume and counts.paused_behind and platform_agent:
        agents = plural(counts.paused_behind, "agent")
        text += f" {agents} held back by the pause will be upgraded to {platform_agent}."
    return text


def done_message(change: Change) -> str:
    done = "paused" if change.value == AgentUpgrades.LOCK else "resumed"
    if change.scope == Scope.CLUSTER:
        text = f"Agent upgrades {done} for cluster {change.target.name}."
        if change.agents_upgraded:
            text += f" Its agent was upgraded to {change.agent_version}."
        return text
    if change.clusters_written == 0:
        return f"Agent upgrades {done} for {describe(change.target)}; it has no clusters yet."
    text = f"Agent upgrades {done} for {plural(change.clusters_written, 'cluster')} in {describe(change.target)}"
    if change.agents_upgraded:
        text += f"; {plural(change.agents_upgraded, 'agent')} upgraded to {change.agent_version}"
    return text + "."


def replayed_message(change: Change) -> str:
    state = "paused" if change.value == AgentUpgrades.LOCK else "active"
    return f"Agent upgrades are already {state} for {describe(change.target)}; nothing changed."


def conflict_message(current: AgentUpgradesSetting) -> str:
    what = describe(current)
    return (
        f"{what[:1].upper()}{what[1:]} was changed after this page was loaded "
        f"({source(current)}): agent upgrades are now {current.get_agent_upgrades_display().lower()}. "
        "Nothing was saved; the switch shows the current value. Try again if you still want "
        "to change it."
    )
