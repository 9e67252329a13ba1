"""Tenant Settings › Notifications: adding, editing, deleting a destination and rotating its
secret (each audited), the secret shown once, refusals of bad input with 400 and nothing
written, Send test notice and the Deliveries list. Who may is in tests/test_every_url.py."""

from __future__ import annotations

import socket

import pytest
from django.core import mail
from django.urls import reverse

from settings_app.models import AuditEvent
from settings_app.models.notices import Delivery, Destination
from settings_app.permissions.scopes import ScopeRef
from tests.html import parse

EMAIL = {
    "kind": "email",
    "name": "ops mail",
    "addresses": "ops@example.com\noncall@example.com",
    "events": ["tenant.push", "pause.ended"],
}


@pytest.fixture
def page(demo):
    return reverse("notifications", args=[demo.acme.pk])


@pytest.fixture
def public_dns(monkeypatch):
    """Every host resolves to a public address; nothing is connected to."""
    monkeypatch.setattr(
        "settings_app.rules.webhooks.socket.getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))
        ],
    )


def notice_events(demo):
    return list(
        AuditEvent.objects.filter(action=AuditEvent.Action.NOTICE).values_list("detail", flat=True)
    )


def test_a_webhook_is_added_with_its_secret_shown_once_and_audited(
    demo, client_for, page, public_dns
):
    client = client_for("tenant-admin")
    response = client.post(
        page,
        {
            "kind": "webhook",
            "name": "ops",
            "url": "https://hooks.example.com/ops",
            "events": ["tenant.push"],
        },
    )

    assert response.status_code == 200
    hook = Destination.objects.get()
    assert (hook.url, hook.event_list, hook.created_by.username) == (
        "https://hooks.example.com/ops",
        ["tenant.push"],
        "tenant-admin",
    )
    assert hook.secret in response.content.decode()
    assert hook.secret not in client.get(page).content.decode()  # once
    assert notice_events(demo) == ["Notice destination webhook ops created"]


def test_an_email_list_is_added(demo, client_for, page):
    client_for("tenant-admin").post(page, EMAIL)

    assert Destination.objects.get().address_list == ["ops@example.com", "oncall@example.com"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"kind": "webhook", "url": "http://hooks.example.com/"}, "must start with https://"),
        ({"kind": "webhook", "url": "https://10.0.0.8/"}, "private, loopback, link-local"),
        ({"kind": "webhook", "url": ""}, "Give the webhook"),
        ({"kind": "email", "addresses": "not-an-address"}, "is not an email address"),
        ({"kind": "email", "addresses": ""}, "at least one email address"),
        ({"kind": "email", "addresses": "a@example.com", "events": []}, "This field is required"),
        ({"kind": "fax", "addresses": "a@example.com"}, "Select a valid choice"),
    ],
)
def test_bad_input_answers_400_with_the_reason_and_writes_nothing(
    demo, client_for, page, monkeypatch, data, error
):
    monkeypatch.setattr(
        "settings_app.rules.webhooks.socket.getaddrinfo",
        lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, port))],
    )
    response = client_for("tenant-admin").post(page, {**EMAIL, **data})

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Destination.objects.exists()
    assert notice_events(demo) == []


WEBHOOK = {
    "kind": "webhook",
    "name": "ops mail",
    "url": "https://hooks.example.com/ops",
    "events": ["tenant.push"],
}


def test_a_destination_is_edited_rotated_and_deleted_each_with_its_audit_event(
    demo, client_for, page, public_dns
):
    client = client_for("tenant-admin")
    client.post(page, WEBHOOK)
    mine = Destination.objects.get()
    args = [demo.acme.pk, mine.pk]
    old_secret = mine.secret

    response = client.post(reverse("edit_destination", args=args), {**WEBHOOK, "name": "ops"})
    assert response.status_code == 302
    rotated = client.post(reverse("rotate_destination_secret", args=args))
    mine.refresh_from_db()
    assert mine.secret != old_secret and mine.secret in rotated.content.decode()
    client.post(reverse("delete_destination", args=args))

    assert not Destination.objects.exists()
    assert notice_events(demo) == [
        "Notice destination webhook ops deleted",
        "Notice destination webhook ops secret rotated",
        "Notice destination webhook ops edited (name)",
        "Notice destination webhook ops mail created",
    ]


def test_send_test_notice_shows_the_delivery_on_deliveries(demo, client_for, page):
    client = client_for("tenant-admin")
    client.post(page, EMAIL)
    mine = Destination.objects.get()

    response = client.post(reverse("test_destination", args=[demo.acme.pk, mine.pk]), follow=True)

    [sent] = mail.outbox
    assert sent.to == ["ops@example.com", "oncall@example.com"]
    assert "Test notice for ops mail, sent by tenant-admin" in sent.body
    assert Delivery.objects.get().state == "sent"
    table = parse(response).find("table")
    cells = [" ".join(td.text.split()) for td in table.find("tbody").find_all("td")]
    assert cells[1].startswith("Test notice")
    assert cells[2:] == ["Sent", "Sent", "1", "—"]


def test_another_tenants_destination_answers_404_even_through_the_own_tenants_url(demo, client_for):
    theirs = Destination.objects.create(
        tenant=demo.globex, kind="email", name="g", addresses="g@example.com", events="test"
    )

    response = client_for("tenant-admin").get(
        reverse("destination_deliveries", args=[demo.acme.pk, theirs.pk])
    )

    assert response.status_code == 404


def test_a_destinations_audit_event_reads_as_a_sentence_on_audit_logs(demo, client_for, page):
    client = client_for("tenant-admin")
    client.post(page, EMAIL)

    logs = client.get(reverse("audit_log", args=[ScopeRef("tenants", demo.acme.pk)]))

    row = [r for r in parse(logs).find_all("tr") if "Notice destination" in r.text]
    assert [" ".join(td.text.split()) for td in row[0].find_all("td")][2:5] == [
        "Tenant Acme",
        "Notice destination email ops mail created",
        "notice destination changed",
    ]
