"""Platform Upgrades (superusers): the release history and the form that releases a version."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import rules
from ..models import PlatformRelease, version_key
from ..permissions import require_platform_admin
from ..wording import rollout_message
from .navigation import page_context

RELEASES_SHOWN = 50


class ReleaseForm(forms.Form):
    version = forms.CharField(max_length=32, label="Version")
    agent_version = forms.CharField(
        max_length=32,
        required=False,
        label="Agent version",
        help_text="Empty: the same as the version.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def platform_upgrades(request: HttpRequest) -> HttpResponse:
    require_platform_admin(request.user)
    form = ReleaseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rollout = rules.release_platform(
                    form.cleaned_data["version"],
                    agent_version=form.cleaned_data["agent_version"],
                    actor=request.user,
                )
            except rules.InvalidRelease as refused:
                form.add_error("version", str(refused))
            else:
                messages.success(request, rollout_message(rollout))
                return redirect("platform_upgrades")
        status = 400
    releases = list(
        PlatformRelease.objects.select_related("released_by").order_by("-released_at", "-id")[
            :RELEASES_SHOWN
        ]
    )
    context = {
        **page_context(request, None, "platform_upgrades"),
        "form": form,
        "releases": releases,
        "suggested_version": next_patch(releases[0].version) if releases else "1.0.0",
    }
    return render(request, "settings_app/platform_upgrades.html", context, status=status)


def next_patch(version: str) -> str:
    """A hint for the form: '4.8.0' → '4.8.1'."""
    major, minor, patch = version_key(version)
    return f"{major}.{minor}.{patch + 1}"
