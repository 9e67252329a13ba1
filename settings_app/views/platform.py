"""Platform Upgrades (superusers): the release history and the form that releases a version.

Releasing asks first, as every change does, with its impact counted on the server: with
JavaScript, the in-page dialog (its text from `release_impact`); without it, a confirmation page
(`confirm_release`). Only the page's OK posts the release."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from .. import rules
from ..models import PlatformRelease, version_key
from ..permissions import require_platform_admin
from ..wording.releases import (
    gateways_left_behind_warning,
    release_confirm,
    release_title,
    rollout_message,
)
from .agent_links import gateway_url
from .confirm import confirmation_page
from .navigation import page_context
from .switch import Question

RELEASES_SHOWN = 50


class ReleaseForm(forms.Form):
    version = forms.CharField(max_length=32, label="Version")
    agent_version = forms.CharField(
        max_length=32,
        required=False,
        label="Agent version",
        help_text="Empty: the same as the version.",
    )

    def impact(self) -> rules.ReleaseImpact | None:
        """What releasing would do now; None, with the reason on the version field, for a
        version that would be refused."""
        if not self.is_valid():
            return None
        try:
            return rules.release_impact(
                self.cleaned_data["version"], agent_version=self.cleaned_data["agent_version"]
            )
        except rules.InvalidRelease as refused:
            self.add_error("version", str(refused))
            return None


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def platform_upgrades(request: HttpRequest) -> HttpResponse:
    require_platform_admin(request.user)
    form = ReleaseForm(request.POST or None)
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
                url = reverse("platform_upgrades")
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        return upgrades_page(request, form, status=400)
    return upgrades_page(request, form)


def upgrades_page(request: HttpRequest, form: ReleaseForm, *, status: int = 200) -> HttpResponse:
    """The page; for an htmx release that was refused, its release panel with the reason."""
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
    template = "settings_app/platform_upgrades.html"
    if request.htmx and request.method == "POST":
        template += "#release-panel"
    return render(request, template, context, status=status)


@login_required
@require_GET
def confirm_release(request: HttpRequest) -> HttpResponse:
    """Without JavaScript, Release comes here first: the impact, then OK (which posts the
    release) and Cancel. A version that would be refused goes back to the form, with why."""
    require_platform_admin(request.user)
    form = ReleaseForm(request.GET)
    impact = form.impact()
    if impact is None:
        return upgrades_page(request, form, status=400)
    return confirmation_page(
        request,
        page_context(request, None, "platform_upgrades"),
        release_question(impact),
        action=reverse("platform_upgrades"),
        fields={"version": impact.version, "agent_version": impact.agent_version},
        back=reverse("platform_upgrades"),
    )


@login_required
@require_GET
def release_impact(request: HttpRequest) -> JsonResponse:
    """The in-page dialog's question for a release, counted on the server before anything is
    written: {"title", "text"}, or {"error"} for a version that would be refused (the form then
    posts, and the page shows why next to the field)."""
    require_platform_admin(request.user)
    form = ReleaseForm(request.GET)
    impact = form.impact()
    if impact is None:
        return JsonResponse({"error": " ".join(form.errors.get("version", ["Invalid."]))})
    question = release_question(impact)
    answer = {"title": question.title, "text": question.text}
    if question.warning:
        answer["warning"] = question.warning
        answer["named"] = [
            {"label": label, "url": url, "note": note} for label, url, note in question.named
        ]
    return JsonResponse(answer)


def release_question(impact: rules.ReleaseImpact) -> Question:
    """What a release asks; a major or minor one that would hold paused gateways back warns,
    naming each with a link to it."""
    left_behind = impact.gateways_left_behind
    return Question(
        release_title(impact),
        release_confirm(impact),
        warning=gateways_left_behind_warning(left_behind),
        named=tuple(
            (
                gateway.name,
                gateway_url(gateway),
                f"tenant {gateway.tenant.name}, agent {gateway.agent_version}",
            )
            for gateway in left_behind
        ),
    )


def next_patch(version: str) -> str:
    """A hint for the form: '4.8.0' → '4.8.1'."""
    major, minor, patch = version_key(version)
    return f"{major}.{minor}.{patch + 1}"
