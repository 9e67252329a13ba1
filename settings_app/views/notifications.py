"""Tenant Settings › Notifications: the tenant's notice destinations (webhooks and email lists),
each with Send test notice and its Deliveries. Tenant Admins only. A webhook's secret is shown
in the answer that makes or rotates it, once."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models.notices import CHOOSABLE, Delivery, Destination
from ..permissions import tenant_for_user
from ..permissions.notices import destination_for_user
from ..rules import destinations
from ..rules.delivery import send_test_notice
from ..rules.webhooks import RefusedURL, check_url
from ..rules.writes import INVISIBLE
from .navigation import page_context

MOST_ADDRESSES = 20
DELIVERIES_LISTED = 50


class DestinationForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Destination.Kind.choices, initial="webhook", widget=forms.RadioSelect, label="Kind"
    )
    name = forms.CharField(max_length=100, label="Name", help_text="e.g. ops-alerts")
    url = forms.CharField(
        max_length=500, required=False, label="Webhook URL", help_text="https://…"
    )
    addresses = forms.CharField(
        required=False,
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line.",
    )
    events = forms.MultipleChoiceField(
        choices=[(e.value, e.label) for e in CHOOSABLE],
        widget=forms.CheckboxSelectMultiple,
        label="Events",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name or any(c in INVISIBLE or not c.isprintable() for c in name):
            raise forms.ValidationError("Give the destination a name in plain visible text.")
        return name

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == Destination.Kind.WEBHOOK:
            url = (data.get("url") or "").strip()
            if not url:
                self.add_error("url", "Give the webhook's URL.")
            else:
                try:
                    check_url(url)
                except RefusedURL as refused:
                    self.add_error("url", str(refused))
            data["url"], data["addresses"] = url, ""
        elif data.get("kind") == Destination.Kind.EMAIL:
            lines = [a.strip() for a in (data.get("addresses") or "").splitlines() if a.strip()]
            if not lines:
                self.add_error("addresses", "Give at least one email address.")
            elif len(lines) > MOST_ADDRESSES:
                self.add_error("addresses", f"At most {MOST_ADDRESSES} addresses.")
            for line in lines:
                try:
                    validate_email(line)
                except forms.ValidationError:
                    self.add_error("addresses", f"“{line}” is not an email address.")
                    break
            data["url"], data["addresses"] = "", "\n".join(lines)
        data["events"] = ",".join(data.get("events") or [])
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in destinations.FIELDS}


def initial_of(destination: Destination) -> dict:
    return {
        "kind": destination.kind,
        "name": destination.name,
        "url": destination.url,
        "addresses": destination.addresses,
        "events": destination.event_list,
    }


def _page(request, console, context: dict, status: int = 200) -> HttpResponse:
    context = {
        **page_context(request, console, "tenant_settings"),
        "tenant": console.tenant,
        "section": "notifications",
        **context,
    }
    return render(request, "settings_app/notifications.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """The tenant's destinations and the form that adds one; a new webhook's secret is shown
    in the answer to the POST, once."""
    console = tenant_for_user(request.user, tenant_id, change=request.method == "POST")
    form = DestinationForm(request.POST or None)
    created, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            created = destinations.create_destination(
                console.tenant, actor=request.user, **form.values()
            )
            form = DestinationForm()
        else:
            status = 400
    listed = Destination.objects.filter(tenant=console.tenant)
    return _page(
        request, console, {"form": form, "created": created, "destinations": listed}, status
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_destination(request: HttpRequest, tenant_id: int, destination_id: int) -> HttpResponse:
    console, destination = destination_for_user(
        request.user, tenant_id, destination_id, change=request.method == "POST"
    )
    form = DestinationForm(request.POST or None, initial=initial_of(destination))
    if request.method == "POST":
        if form.is_valid():
            destinations.edit_destination(destination, actor=request.user, **form.values())
            messages.success(request, f"Saved {destination.name}.")
            return redirect("notifications", tenant_id)
        return _page(request, console, {"form": form, "editing": destination}, 400)
    return _page(request, console, {"form": form, "editing": destination})


@login_required
@require_POST
def delete_destination(request: HttpRequest, tenant_id: int, destination_id: int) -> HttpResponse:
    _, destination = destination_for_user(request.user, tenant_id, destination_id, change=True)
    destinations.delete_destination(destination, actor=request.user)
    messages.success(request, f"Deleted {destination.name}; its deliveries are gone with it.")
    return redirect("notifications", tenant_id)


@login_required
@require_POST
def rotate_destination_secret(
    request: HttpRequest, tenant_id: int, destination_id: int
) -> HttpResponse:
    """A new secret, shown in this answer only."""
    console, destination = destination_for_user(
        request.user, tenant_id, destination_id, change=True
    )
    destinations.rotate_secret(destination, actor=request.user)
    listed = Destination.objects.filter(tenant=console.tenant)
    return _page(
        request,
        console,
        {
            "form": DestinationForm(),
            "created": destination,
            "rotated": True,
            "destinations": listed,
        },
    )


@login_required
@require_POST
def test_destination(request: HttpRequest, tenant_id: int, destination_id: int) -> HttpResponse:
    """Send a test notice now, then show the destination's Deliveries with its answer."""
    _, destination = destination_for_user(request.user, tenant_id, destination_id, change=True)
    delivery = send_test_notice(destination, actor=request.user)
    outcome = "delivered" if delivery.state == Delivery.State.SENT else "not delivered"
    messages.info(request, f"Test notice {outcome}: {delivery.outcome}.")
    return redirect("destination_deliveries", tenant_id, destination_id)


@login_required
@require_GET
def destination_deliveries(
    request: HttpRequest, tenant_id: int, destination_id: int
) -> HttpResponse:
    """The destination's last attempts: time, event, status code or error, next retry."""
    console, destination = destination_for_user(request.user, tenant_id, destination_id)
    deliveries = (
        Delivery.objects.filter(destination=destination)
        .select_related("notice")
        .order_by("-notice__created_at", "-id")[:DELIVERIES_LISTED]
    )
    return _page(request, console, {"viewing": destination, "deliveries": deliveries})
