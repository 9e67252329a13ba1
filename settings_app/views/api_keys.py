"""My API Keys (the header's account area) and the API Keys of Tenant Settings: make a key, shown
once; list keys; revoke, activate and delete them, each asked first (in the confirm dialog, or
without JavaScript on a confirmation page of its own)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import ApiKey, Tenant
from ..models.keys import change_key
from ..permissions import (
    api_key_for_user,
    key_acts,
    key_tenants,
    landing_scope,
    scope_for_user,
    tenant_for_user,
)
from ..permissions.roles import roles_for
from ..rules.writes import INVISIBLE
from ..wording.api import key_action, key_done, key_question, key_standing
from .navigation import page_context

EXPIRIES = [("7", "7 days"), ("30", "30 days"), ("60", "60 days"), ("90", "90 days")]
LONGEST = timedelta(days=365)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="e.g. ci-freeze")
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(), label="Tenant", empty_label=None
    )
    expires = forms.ChoiceField(
        choices=[*EXPIRIES, ("date", "On a date")], initial="30", label="Expires in"
    )
    expires_on = forms.DateField(
        required=False,
        label="Expiry date (UTC)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="With “On a date”: at most a year ahead.",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["tenant"].queryset = key_tenants(user)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name or any(c in INVISIBLE or not c.isprintable() for c in name):
            raise forms.ValidationError("Give the key a name in plain visible text.")
        return name

    def clean(self) -> dict:
        data = super().clean()
        now = timezone.now()
        if data.get("expires") == "date":
            day = data.get("expires_on")
            if day is None:
                self.add_error("expires_on", "Give the date the key expires on.")
                return data
            expires_at = datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())
            if expires_at <= now or expires_at > now + LONGEST:
                self.add_error(
                    "expires_on", "The expiry date must be after today and at most a year ahead."
                )
            data["expires_at"] = min(expires_at, now + LONGEST)
        elif data.get("expires"):
            data["expires_at"] = now + timedelta(days=int(data["expires"]))
        return data


@login_required
@require_http_methods(["GET", "POST"])
def my_api_keys(request: HttpRequest) -> HttpResponse:
    """The user's own keys, and the form that makes one. A new key is shown in the answer to
    the POST itself, once: it is stored nowhere, not even in the session."""
    initial = {"tenant": request.GET.get("tenant")} if request.GET.get("tenant") else {}
    form = ApiKeyForm(request.POST or None, user=request.user, initial=initial)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            row, key = ApiKey.issue(
                request.user,
                form.cleaned_data["tenant"],
                form.cleaned_data["name"],
                form.cleaned_data["expires_at"],
                actor=request.user,
            )
            created = {"row": row, "key": key}
            form = ApiKeyForm(user=request.user)
        else:
            status = 400
    keys = ApiKey.objects.filter(user=request.user).select_related("tenant", "user")
    context = {
        **page_context(request, home_scope(request), "my_api_keys"),
        "form": form,
        "created": created,
        "keys": with_acts(request, keys),
        "back": "mine",
        "can_create": form.fields["tenant"].queryset.exists(),
    }
    return render(request, "settings_app/my_api_keys.html", context, status=status)


@login_required
@require_GET
def tenant_api_keys(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """Every key of the tenant, whoever owns it: its Tenant Admins see and revoke them."""
    console = tenant_for_user(request.user, tenant_id)
    keys = ApiKey.objects.filter(tenant=console.tenant).select_related("tenant", "user")
    context = {
        **page_context(request, console, "tenant_settings"),
        "tenant": console.tenant,
        "section": "api_keys",
        "keys": with_acts(request, keys),
        "back": "tenant",
        "show_owner": True,
    }
    return render(request, "settings_app/tenant_settings.html", context)


@login_required
@require_POST
def change_api_key(request: HttpRequest, key_id: int, action: str) -> HttpResponse:
    """Revoke, activate or delete a key: its owner or a Tenant Admin of its tenant. Without
    `confirmed` (no JavaScript asked), the answer is the question, on a page of its own."""
    key = api_key_for_user(request.user, key_id, action)
    back = request.POST.get("back") if request.POST.get("back") in ("mine", "tenant") else "mine"
    if request.POST.get("confirmed") != "yes":
        return render(
            request,
            "settings_app/api_key_confirm.html",
            {
                **page_context(request, home_scope(request), "my_api_keys"),
                "key": key,
                "action": action,
                "label": key_action(action),
                "question": key_question(key, action, by_owner=key.user_id == request.user.pk),
                "back": back,
                "cancel": back_to(key, back),
            },
        )
    change_key(key, action, request.user)
    messages.success(request, key_done(key, action))
    return redirect(back_to(key, back))


def home_scope(request: HttpRequest):
    """The scope whose Main Menu the account's pages show: the user's landing scope."""
    ref = landing_scope(roles_for(request.user))
    return scope_for_user(request.user, ref) if ref else None


def with_acts(request: HttpRequest, keys) -> list[ApiKey]:
    """The keys, each with what the user may do to it (`acts`: the act, its button and its
    question) and why a revoked key stays so (`standing`)."""
    roles, me = roles_for(request.user), request.user.pk
    listed = list(keys)
    for key in listed:
        key.acts = [
            (act, key_action(act), key_question(key, act, by_owner=key.user_id == me))
            for act in key_acts(roles, me, key)
        ]
        key.standing = key_standing(key)
    return listed


def back_to(key: ApiKey, back: str) -> str:
    """The page the form was on: the key's tenant's API Keys, or My API Keys."""
    if back == "tenant":
        return reverse("tenant_api_keys", args=[key.tenant_id])
    return reverse("my_api_keys")
