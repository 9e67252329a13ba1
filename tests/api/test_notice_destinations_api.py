"""Beyond Palette: /v1/notificationdestinations, for the key's tenant's Tenant Admins (403 for
anyone else, as the tenant scope); the page's checks, rules and audit events; every answer is
checked against the OpenAPI document (the `palette` client)."""

from __future__ import annotations

import socket

import pytest
from django.core import mail

from settings_app.models import AuditEvent
from settings_app.models.notices import Destination

from .conftest import body_of

PATH = "/v1/notificationdestinations"
EMAIL = {
    "kind": "email",
    "name": "ops mail",
    "addresses": ["ops@example.com"],
    "events": ["tenant.push"],
}


@pytest.fixture
def resolves_to(monkeypatch):
    def stub(address: str) -> None:
        monkeypatch.setattr(
            "settings_app.rules.webhooks.socket.getaddrinfo",
            lambda host, port, *a, **k: [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            ],
        )

    return stub


def test_a_tenant_admin_creates_a_webhook_and_sees_its_secret_only_in_that_answer(
    demo, key_for, palette, resolves_to
):
    resolves_to("93.184.215.14")
    client = palette(key_for("tenant-admin"))

    response = client.post(
        PATH,
        {
            "kind": "webhook",
            "name": "ops",
            "url": "https://hooks.example.com/o",
            "events": ["pause.ended"],
        },
    )

    assert response.status_code == 201
    body = body_of(response)
    assert body["secret"] == Destination.objects.get().secret
    read = body_of(client.get(f"{PATH}/{body['uid']}"))
    assert read == body | {"secret": None}
    assert body_of(client.get(PATH))["items"] == [read]
    event = AuditEvent.objects.get(action="notice")
    assert (event.detail, event.api_key_name) == (
        "Notice destination webhook ops created",
        "ci-freeze",
    )


def test_a_url_that_leads_inside_is_refused_with_400_and_nothing_made(
    demo, key_for, palette, resolves_to
):
    resolves_to("169.254.169.254")

    response = palette(key_for("tenant-admin")).post(
        PATH,
        {
            "kind": "webhook",
            "name": "ops",
            "url": "https://hooks.example.com/o",
            "events": ["test"],
        },
    )

    assert response.status_code == 400
    assert not Destination.objects.exists()


def test_a_refused_address_or_a_null_is_a_400_naming_the_field(demo, key_for, palette):
    client = palette(key_for("tenant-admin"))
    made = body_of(client.post(PATH, EMAIL))

    bad = client.post(PATH, EMAIL | {"addresses": ["nope"]})
    null = client.send_json("PATCH", f"{PATH}/{made['uid']}", {"name": None})

    assert (bad.status_code, body_of(bad)["details"]) == (400, {"field": "addresses"})
    assert null.status_code == 400
    assert Destination.objects.count() == 1


def test_a_destination_is_changed_rotated_tested_and_deleted(demo, key_for, palette):
    client = palette(key_for("tenant-admin"))
    uid = body_of(client.post(PATH, EMAIL))["uid"]

    changed = body_of(
        client.send_json("PATCH", f"{PATH}/{uid}", {"events": ["tenant.push", "key.created"]})
    )
    tested = client.post(f"{PATH}/{uid}/test")
    gone = client.send("DELETE", f"{PATH}/{uid}")

    assert changed["events"] == ["tenant.push", "key.created"]
    assert (body_of(tested)["state"], body_of(tested)["event"]) == ("sent", "test")
    assert len(mail.outbox) == 1
    assert gone.status_code == 204
    assert client.get(f"{PATH}/{uid}").status_code == 404


@pytest.mark.parametrize("username", ["project-admin", "viewer", "cluster-admin"])
def test_anyone_but_a_tenant_admin_is_refused_with_403_and_nothing_changes(
    demo, key_for, palette, username
):
    mine = Destination.objects.create(
        tenant=demo.acme, kind="email", name="m", addresses="a@example.com", events="test"
    )
    client = palette(key_for(username))

    assert client.get(PATH).status_code == 403
    assert client.post(PATH, EMAIL).status_code == 403
    assert client.send("DELETE", f"{PATH}/{mine.uid}").status_code == 403
    assert Destination.objects.count() == 1


def test_another_tenants_destination_answers_404(demo, key_for, palette):
    theirs = Destination.objects.create(
        tenant=demo.globex, kind="email", name="g", addresses="g@example.com", events="test"
    )

    assert palette(key_for("tenant-admin")).get(f"{PATH}/{theirs.uid}").status_code == 404
