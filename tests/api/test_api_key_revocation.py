"""Who may bring a revoked API key back (issue 22, item 2), and the audit trail of every key
change: a key its owner revoked stays revoked; one a Tenant Admin revoked comes back only by a
Tenant Admin's hand, never its owner's; and each creation, revocation, activation and deletion
is an audit event, on Audit Logs (with an act filter of its own), in its CSV and in /v1/audits."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from settings_app.models import ApiKey, AuditEvent
from settings_app.models.keys import change_key
from tests.html import parse

MY_KEYS = "/account/api-keys/"


def act(client, action: str, key: ApiKey, back: str = "mine"):
    return client.post(
        reverse(f"{action}_api_key", args=[key.pk]), {"back": back, "confirmed": "yes"}
    )


def row_of(page, name: str):
    (row,) = [
        tr for tr in page.find("tbody").find_all("tr") if tr.find("th").text.split()[0] == name
    ]
    return row


def buttons(page, name: str) -> list[str]:
    return [form.find("button").text for form in row_of(page, name).find_all("form")]


@pytest.fixture
def viewers_key(demo, key_for) -> ApiKey:
    key_for("viewer", name="ci-deploy")
    return ApiKey.objects.get(name="ci-deploy")


# Who may activate a revoked key.


def test_a_key_revoked_by_a_tenant_admin_cannot_be_activated_by_its_owner(
    demo, client_for, viewers_key
):
    act(client_for("tenant-admin"), "revoke", viewers_key, "tenant")

    response = act(client_for("viewer"), "activate", viewers_key)

    assert response.status_code == 403
    assert "only a Tenant Admin" in response.content.decode()
    assert ApiKey.objects.get().active is False
    assert buttons(parse(client_for("viewer").get(MY_KEYS)), "ci-deploy") == ["Delete"]


def test_a_tenant_admin_may_activate_a_key_that_a_tenant_admin_revoked(
    demo, client_for, viewers_key, palette
):
    key = ApiKey.objects.get()
    admin = client_for("tenant-admin")
    act(admin, "revoke", key, "tenant")
    page = parse(admin.get(reverse("tenant_api_keys", args=[demo.acme.pk])))
    assert buttons(page, "ci-deploy") == ["Activate", "Delete"]

    response = act(admin, "activate", key, "tenant")

    assert response.status_code == 302
    assert ApiKey.objects.get().state == ApiKey.State.ACTIVE


def test_a_key_revoked_by_its_owner_stays_revoked_even_for_a_tenant_admin(
    demo, client_for, viewers_key
):
    act(client_for("viewer"), "revoke", viewers_key)
    admin = client_for("tenant-admin")

    response = act(admin, "activate", viewers_key, "tenant")

    assert response.status_code == 403
    assert "make a new key" in response.content.decode()
    assert ApiKey.objects.get().active is False
    page = parse(admin.get(reverse("tenant_api_keys", args=[demo.acme.pk])))
    assert buttons(page, "ci-deploy") == ["Delete"]
    assert "By its owner, for good." in row_of(page, "ci-deploy").text


def test_a_tenant_admin_who_revokes_their_own_key_revokes_it_as_its_owner(
    demo, client_for, key_for
):
    key_for("tenant-admin", name="mine")
    key = ApiKey.objects.get()
    admin = client_for("tenant-admin")
    act(admin, "revoke", key)

    assert act(admin, "activate", key).status_code == 403
    assert ApiKey.objects.get().revoked_by == ApiKey.Revoker.OWNER


def test_the_owner_is_told_before_revoking_that_the_key_cannot_come_back(
    demo, client_for, viewers_key
):
    page = parse(client_for("viewer").get(MY_KEYS))

    form = page.find("form", action=reverse("revoke_api_key", args=[viewers_key.pk]))
    assert "cannot be activated again" in form.attrs["data-confirm"]


# Every key change is an audit event.


def test_every_key_change_is_an_audit_event_of_its_tenant(demo, client_for):
    owner, admin = client_for("viewer"), client_for("tenant-admin")
    owner.post(MY_KEYS, {"name": "ci-deploy", "tenant": demo.acme.pk, "expires": "30"})
    key = ApiKey.objects.get()
    act(admin, "revoke", key, "tenant")
    act(admin, "activate", key, "tenant")
    act(owner, "delete", key)

    events = AuditEvent.objects.filter(action=AuditEvent.Action.KEY).order_by("at", "id")
    prefix = key.prefix
    assert [(e.actor_name, e.detail) for e in events] == [
        ("viewer", f"API key ci-deploy ({prefix}…) of viewer created"),
        ("tenant-admin", f"API key ci-deploy ({prefix}…) of viewer revoked"),
        ("tenant-admin", f"API key ci-deploy ({prefix}…) of viewer activated"),
        ("viewer", f"API key ci-deploy ({prefix}…) of viewer deleted"),
    ]
    assert {(e.tenant, e.scope, e.object_name, e.project) for e in events} == {
        (demo.acme, "tenant", "Acme", None)
    }


def test_a_key_made_on_the_command_line_is_audited_as_such(demo):
    call_command(
        "create_api_key", "viewer", "--tenant", "Acme", "--name", "cron", stdout=io.StringIO()
    )

    event = AuditEvent.objects.get(action=AuditEvent.Action.KEY)
    assert (event.actor, event.actor_name) == (None, "command line")
    assert event.detail.endswith("of viewer created")


def test_key_events_have_an_act_filter_on_audit_logs_and_read_as_a_sentence(
    demo, client_for, viewers_key
):
    admin = User.objects.get(username="tenant-admin")
    change_key(viewers_key, "revoke", admin)
    url = reverse("audit_log", args=[f"tenants/{demo.acme.pk}"])

    page = parse(client_for("tenant-admin").get(url, {"action": "api-key"}))

    options = [o.text for o in page.find("select", name="action").find_all("option")]
    assert "API key changed" in options
    rows = page.find("tbody").find_all("tr")
    assert len(rows) == 2  # created (by the fixture, on the command line) and revoked
    cells = [td.text for td in rows[0].find_all("td")]
    assert cells[1] == "tenant-admin"
    assert cells[2] == "API keys of tenant Acme"
    assert cells[3] == f"API key ci-deploy ({viewers_key.prefix}…) of viewer revoked"


def test_key_events_are_in_the_audit_csv(demo, client_for, viewers_key):
    change_key(viewers_key, "revoke", User.objects.get(username="tenant-admin"))
    url = reverse("audit_log_csv", args=[f"tenants/{demo.acme.pk}"])

    response = client_for("tenant-admin").get(url, {"action": "api-key"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["actor"], r["action"], r["object_kind"], r["object_name"]) for r in rows] == [
        ("tenant-admin", "API key changed", "tenant", "Acme"),
        ("command line", "API key changed", "tenant", "Acme"),
    ]
    assert rows[0]["detail"].endswith("of viewer revoked")
    assert (rows[0]["from"], rows[0]["to"]) == ("", "")


def test_key_events_are_in_v1_audits_for_tenant_admins(demo, viewers_key, key_for, palette):
    change_key(viewers_key, "revoke", User.objects.get(username="tenant-admin"))

    answer = palette(key_for("tenant-admin", name="reader")).get("/v1/audits").json()

    revoked = next(
        i for i in answer["items"] if i["spec"]["actionMsg"].endswith("revoked by tenant-admin")
    )
    assert revoked["spec"]["actionMsg"] == (
        f"Tenant Acme: API key ci-deploy ({viewers_key.prefix}…) of viewer revoked by tenant-admin"
    )
    assert revoked["spec"]["actionType"] == "update"
    assert revoked["spec"]["resource"]["kind"] == "tenant"
    assert "fromValue" not in revoked["spec"]["change"]
    created = [i for i in answer["items"] if i["spec"]["actionType"] == "create"]
    assert len(created) == 2  # ci-deploy and reader


def test_a_key_deleted_in_the_admin_is_audited(demo, client_for, viewers_key, superuser):
    url = reverse("admin:settings_app_apikey_delete", args=[viewers_key.pk])

    client_for("root").post(url, {"post": "yes"})

    assert not ApiKey.objects.exists()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.KEY).first()
    assert (event.actor_name, event.detail.rsplit(" ", 1)[-1]) == ("root", "deleted")
