"""The Pause Agent Upgrades switch: its state for the templates, its form, and the one change
flow that the cluster, project and tenant endpoints share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .. import rules
from ..models import AgentUpgrades, Cluster, Gateway, Project, Tenant
from ..permissions import Access
from ..rules import Change, FleetCounts, InvalidPause, StaleSetting
from ..wording import State, fleet_state, named, own_state
from ..wording.changes import (
    NOTHING_TO_UNDO,
    change_title,
    changed_since_message,
    cluster_confirm,
    cluster_wanted,
    conflict_message,
    done_message,
    push_again_label,
    push_again_title,
    push_confirm,
    replayed_message,
    undo_confirm,
    undo_message,
)
from .errors import error_response, refused_form


@dataclass(frozen=True)
class SwitchUrls:
    """Where a settings panel's forms go: with JavaScript, the change endpoints (after the
    in-page dialog); without it, the confirmation pages that ask the same question first."""

    change: str
    confirm_change: str
    undo: str
    confirm_undo: str


@dataclass(frozen=True)
class Question:
    """What a dialog or a confirmation page asks: its title names the act, its text the impact."""

    title: str
    text: str
    warning: str = ""  # said apart from the impact, with the objects it names
    # Each object the warning names: (its name, the link to it, a note beside the link).
    named: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class UndoOffer:
    """The "Undo this change" button: the change that wrote the setting can still be undone."""

    action: str
    confirm_url: str
    question: Question


def undo_question(obj: Cluster | Project | Tenant, event) -> Question:
    return Question(f"Undo this change to {named(obj)}?", undo_confirm(obj, event))


def undo_offer(
    obj: Cluster | Project | Tenant,
    *,
    urls: SwitchUrls,
    access: Access,
    known: Change | None = None,
) -> Callable[[], UndoOffer | None]:
    """An undo for whoever may change the object, while the change that wrote it still holds;
    looked up only if the page shows it, and not at all when the change just made is known."""

    def offer() -> UndoOffer | None:
        if not access.change:
            return None
        if known is not None and not known.replayed:
            event = known.event if known.undid is None else rules.undoable_change(obj)
        else:
            event = rules.undoable_change(obj)
        if not event:
            return None
        return UndoOffer(urls.undo, urls.confirm_undo, undo_question(obj, event))

    return offer


@dataclass(frozen=True)
class Switch:
    """What the switch template needs; `wanted` is what a click asks for. A project or tenant
    whose clusters were set below it, or differ, also offers to push its current value again
    (rule 2), with a button that says exactly what it does ("Pause all 5 clusters")."""

    urls: SwitchUrls
    target: str  # the id of the panel that the server's answer replaces
    checked: bool
    version: int
    access: Access
    question: Question
    state: State  # the badge next to the switch
    reapply_label: str = ""
    reapply_question: Question | None = None
    undo_lookup: Callable[[], UndoOffer | None] = lambda: None

    @cached_property
    def undo(self) -> UndoOffer | None:
        return self.undo_lookup()

    @property
    def wanted(self) -> str:
        return AgentUpgrades.UNLOCK if self.checked else AgentUpgrades.LOCK

    @property
    def current(self) -> str:
        return AgentUpgrades.LOCK if self.checked else AgentUpgrades.UNLOCK

    @property
    def asks_to_pause(self) -> bool:
        """A click pauses: the dialog then offers a reason and an end."""
        return not self.checked


def cluster_question(cluster: Cluster | Gateway, value: str, platform_agent: str) -> Question:
    return Question(change_title(cluster, value), cluster_confirm(cluster, platform_agent, value))


def push_question(
    obj: Project | Tenant, value: str, counts: FleetCounts, platform_agent: str
) -> Question:
    """A push of `value`; of the value the object already has, it is the push-again button's."""
    title = (
        push_again_title(obj, counts)
        if value == obj.effective_agent_upgrades
        else change_title(obj, value)
    )
    return Question(title, push_confirm(obj, value, counts, platform_agent))


def cluster_switch(
    cluster: Cluster | Gateway,
    *,
    urls: SwitchUrls,
    access: Access,
    platform_agent: str,
    change: Change | None = None,
    undoable: bool = True,
) -> Switch:
    """The switch of one cluster's (or one gateway's) own value; a gateway's change offers no
    undo."""
    no_undo: Callable[[], UndoOffer | None] = lambda: None  # noqa: E731
    return Switch(
        urls=urls,
        target="cluster-settings",
        checked=cluster.is_paused,
        version=cluster.agent_upgrades_version,
        access=access,
        question=cluster_question(cluster, cluster_wanted(cluster), platform_agent),
        state=own_state(cluster),
        undo_lookup=(
            undo_offer(cluster, urls=urls, access=access, known=change) if undoable else no_undo
        ),
    )


def push_switch(
    obj: Project | Tenant,
    *,
    urls: SwitchUrls,
    access: Access,
    counts: FleetCounts,
    platform_agent: str,
    change: Change | None = None,
) -> Switch:
    wanted = AgentUpgrades.UNLOCK if obj.is_paused else AgentUpgrades.LOCK
    reapply = access.change and counts.total > 0 and (counts.set_below > 0 or counts.mixed)
    current = obj.effective_agent_upgrades
    return Switch(
        urls=urls,
        target="platform-settings",
        checked=obj.is_paused,
        version=obj.agent_upgrades_version,
        access=access,
        question=push_question(obj, wanted, counts, platform_agent),
        state=fleet_state(obj, counts),
        reapply_label=push_again_label(obj, counts) if reapply else "",
        reapply_question=push_question(obj, current, counts, platform_agent) if reapply else None,
        undo_lookup=undo_offer(obj, urls=urls, access=access, known=change),
    )


UNTIL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


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
        max_value=2**31 - 1,
        error_messages={"invalid": "The version must be a whole number. Reload the page."},
    )
    reason = forms.CharField(required=False, strip=False)
    # Read in the console's time zone (UTC), as the field's label says.
    until = forms.DateTimeField(
        required=False,
        input_formats=UNTIL_FORMATS,
        error_messages={
            "invalid": "“Pause until” must be a date and time in UTC, like 2026-12-01 18:00."
        },
    )

    def clean(self) -> dict:
        data = super().clean()
        if "value" in data and "until" in data:
            try:
                self.pause = rules.pause_for(data["value"], data.get("reason", ""), data["until"])
            except InvalidPause as refused:
                self.add_error(None, str(refused))
        return data


class SettingsPanel(Protocol):
    """The panel a change endpoint answers with: the cluster's Cluster Settings, or a project's
    or tenant's Platform Settings."""

    obj: Tenant | Project | Cluster | Gateway
    settings_url: str  # where a plain form post is sent back to
    urls: SwitchUrls

    def render(
        self, obj: Tenant | Project | Cluster, *, status: int = 200, change: Change | None = None
    ) -> HttpResponse: ...

    def question(self, value: str) -> Question:
        """What setting the object to `value` will do, as the dialog asks it."""
        ...

    def page_context(self) -> dict:
        """The Main Menu and Scope switcher of the page the panel is on."""
        ...


def apply_change(request: HttpRequest, panel: SettingsPanel) -> HttpResponse:
    """Validate, change, and answer: the re-rendered panel for htmx, a redirect back to the
    settings page for a plain form post (the page itself, with 409, on a conflict). The view
    has already loaded the object through its access helper, which refused whoever may not
    change it."""
    form = AgentUpgradesForm(request.POST)
    if not form.is_valid():
        return refused_form(request, form)
    try:
        change = rules.change_agent_upgrades(
            panel.obj,
            form.cleaned_data["value"],
            actor=request.user,
            rendered_version=form.cleaned_data["version"],
            pause=form.pause,
        )
    except StaleSetting as conflict:
        messages.error(request, conflict_message(conflict.current))
        return panel.render(conflict.current, status=409)
    except InvalidPause as refused:  # the end passed while the request was on its way
        return error_response(request, 400, "Bad request", f"{refused} Nothing was changed.")
    if change.replayed:
        messages.info(request, replayed_message(change))
    else:
        messages.success(request, done_message(change))
    if not request.htmx:
        return redirect(panel.settings_url)
    # The change has just read the platform's agent version and counted the clusters it
    # wrote; the panel needn't ask again.
    return panel.render(change.target, change=change)


class UndoForm(forms.Form):
    version = AgentUpgradesForm.base_fields["version"]


def apply_undo(request: HttpRequest, panel: SettingsPanel) -> HttpResponse:
    """Undo the change that wrote the panel's setting, and answer as a change does."""
    form = UndoForm(request.POST)
    if not form.is_valid():
        return refused_form(request, form)
    try:
        change = rules.undo_change(
            panel.obj, actor=request.user, rendered_version=form.cleaned_data["version"]
        )
    except StaleSetting as conflict:
        messages.error(request, conflict_message(conflict.current))
        return panel.render(conflict.current, status=409)
    except rules.NothingToUndo:
        messages.error(request, NOTHING_TO_UNDO)
        return panel.render(panel.obj, status=409)
    except rules.ChangedSince as refused:
        messages.error(request, changed_since_message(panel.obj, refused.changed))
        return panel.render(panel.obj, status=409)
    messages.success(request, undo_message(change))
    if not request.htmx:
        return redirect(panel.settings_url)
    return panel.render(change.target, change=change)
