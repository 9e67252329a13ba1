"""Without JavaScript, the same question as the switch's dialog is a page of its own: a click on
the switch, the push-again button or Undo comes here first (a GET that changes nothing), and only
its OK posts the change. Bulk acts and releases ask through the same page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import rules
from ..models import AgentUpgrades, Cluster, Project, Tenant
from ..wording.changes import NOTHING_TO_UNDO, conflict_message
from .errors import refused_form
from .switch import AgentUpgradesForm, Question, SettingsPanel, UndoForm, undo_question


class ConfirmChangeForm(forms.Form):
    value = AgentUpgradesForm.base_fields["value"]
    version = AgentUpgradesForm.base_fields["version"]


def confirm_change(request: HttpRequest, panel: SettingsPanel) -> HttpResponse:
    """The confirmation page of a change: the impact, the optional Reason and Pause until of a
    pause, then OK (which posts the change) and Cancel (back to the settings). A form rendered
    before someone else's change is sent back to the settings with the conflict, as a post
    would be, and nothing is asked."""
    form = ConfirmChangeForm(request.GET)
    if not form.is_valid():
        return refused_form(request, form)
    value, version = form.cleaned_data["value"], form.cleaned_data["version"]
    if stale(panel.obj, version):
        messages.error(request, conflict_message(panel.obj))
        return redirect(panel.settings_url)
    fields = {"value": value, "version": panel.obj.agent_upgrades_version}
    return confirmation_page(
        request,
        panel.page_context(),
        panel.question(value),
        action=panel.urls.change,
        fields=fields,
        back=panel.settings_url,
        pausing=value == AgentUpgrades.LOCK,
    )


def confirm_undo(request: HttpRequest, panel: SettingsPanel) -> HttpResponse:
    """The confirmation page of "Undo this change"."""
    form = UndoForm(request.GET)
    if not form.is_valid():
        return refused_form(request, form)
    if stale(panel.obj, form.cleaned_data["version"]):
        messages.error(request, conflict_message(panel.obj))
        return redirect(panel.settings_url)
    event = rules.undoable_change(panel.obj)
    if event is None:
        messages.error(request, NOTHING_TO_UNDO)
        return redirect(panel.settings_url)
    return confirmation_page(
        request,
        panel.page_context(),
        undo_question(panel.obj, event),
        action=panel.urls.undo,
        fields={"version": panel.obj.agent_upgrades_version},
        back=panel.settings_url,
    )


def stale(obj: Tenant | Project | Cluster, version: int | None) -> bool:
    return version is not None and version != obj.agent_upgrades_version


def confirmation_page(
    request: HttpRequest,
    context: dict,
    question: Question,
    *,
    action: str,
    fields: dict,
    back: str,
    pausing: bool = False,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "settings_app/confirm.html",
        {
            **context,
            "question": question,
            "action": action,
            "fields": fields,
            "back": back,
            "pausing": pausing,
        },
        status=status,
    )
