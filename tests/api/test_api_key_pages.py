"""My API Keys (from the header's account area) and Tenant Settings > API Keys, through the
Django test client: make a key (shown once, with a copy button), list keys with their name,
prefix, tenant, created, last used, expires and state; revoke, activate and delete, each asked
first, also without JavaScript; and who may do which."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from settings_app.models import ApiKey
from settings_app.models.keys import digest_of
from tests.html import parse

MY_KEYS = "/account/api-keys/"


def make(client, **fields):
    data = {"name": "ci-freeze", "expires": "30"} | fields
    return client.post(MY_KEYS, data)


def test_the_account_area_of_the_header_links_my_api_keys(demo, client_for):
    page = parse(client_for("viewer").get(reverse("home"), follow=True))

    link = page.find("div", class_="account").find("a", href=MY_KEYS)
    assert link.text == "My API Keys"


def test_my_api_keys_has_a_create_api_key_button(demo, client_for):
    page = parse(client_for("viewer").get(MY_KEYS))

    assert page.find("h1").text == "My API Keys"
    form = page.find("form", class_="key-form")
    assert form.find("button", type="submit").text == "Create API key"
    tenant = page.find("select", name="tenant")
    assert [option.text for option in tenant.find_all("option")] == ["Acme"]


def test_a_new_key_is_shown_once_with_a_copy_button_and_only_its_digest_is_kept(demo, client_for):
    client = client_for("project-admin")

    response = make(client, tenant=demo.acme.pk)

    assert response.status_code == 200
    page = parse(response)
    key = page.find("code", id="new-api-key").text
    assert page.find("button", data_copy="new-api-key").attrs["aria-label"] == "Copy API key"
    row = ApiKey.objects.get()
    assert (row.user.username, row.tenant, row.name) == ("project-admin", demo.acme, "ci-freeze")
    assert row.digest == digest_of(key) and row.prefix == key[:8]
    assert response["Cache-Control"] == "no-store"
    again = client.get(MY_KEYS).content.decode()
    assert key not in again
    assert key[:8] in again


@pytest.mark.parametrize("days", [7, 30, 60, 90])
def test_a_key_expires_after_the_days_chosen(demo, client_for, clock, days):
    make(client_for("viewer"), tenant=demo.acme.pk, expires=str(days))

    assert ApiKey.objects.get().expires_at == clock.now + timedelta(days=days)


def test_a_key_may_expire_on_a_date_at_most_a_year_ahead(demo, client_for, clock):
    client = client_for("viewer")
    day = (clock.now + timedelta(days=200)).date()

    make(client, tenant=demo.acme.pk, expires="date", expires_on=day.isoformat())

    assert ApiKey.objects.get().expires_at.date() == day


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"expires": "date", "expires_on": "2020-01-01"}, "at most a year ahead"),
        ({"expires": "date"}, "Give the date"),
        ({"expires": "365"}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
        ({"name": "a\u202eb"}, "plain visible text"),
    ],
)
def test_a_key_that_cannot_be_made_is_refused_and_nothing_is_made(
    demo, client_for, clock, fields, says
):
    response = make(client_for("viewer"), tenant=demo.acme.pk, **fields)

    assert response.status_code == 400
    assert says in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_date_more_than_a_year_ahead_is_refused(demo, client_for, clock):
    day = (clock.now + timedelta(days=367)).date().isoformat()

    response = make(client_for("viewer"), tenant=demo.acme.pk, expires="date", expires_on=day)

    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_a_key_can_only_be_made_for_a_tenant_where_the_user_holds_a_role(demo, client_for):
    response = make(client_for("viewer"), tenant=demo.globex.pk)

    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_a_user_without_any_role_is_told_a_key_could_do_nothing(demo, client_for, stranger):
    page = parse(client_for("stranger").get(MY_KEYS))

    assert page.find_all("select", name="tenant") == []
    assert "a key could do nothing" in page.find("main").text


def test_the_list_shows_name_prefix_tenant_created_last_used_expires_and_state(
    demo, client_for, key_for
):
    key = key_for("viewer")
    ApiKey.find(key).note_use()

    page = parse(client_for("viewer").get(MY_KEYS))

    table = page.find("table", class_="data-table key-table")
    headers = [th.text for th in table.find("thead").find_all("th")]
    assert headers[:6] == ["Name", "Tenant", "Created", "Last used", "Expires", "State"]
    row = table.find("tbody").find("tr")
    name = row.find("th", scope="row")
    assert name.text == f"ci-freeze {key[:8]}…"  # the prefix under the name
    assert name.find("code").text == key[:8] + "…"
    cells = [td.text for td in row.find_all("td")]
    assert cells[0] == "Acme"
    assert cells[2] == "just now"
    assert cells[4] == "Active"


def test_a_user_sees_only_their_own_keys_on_my_api_keys(demo, client_for, key_for):
    key_for("tenant-admin", name="admins-key")
    key_for("viewer", name="viewers-key")

    text = client_for("viewer").get(MY_KEYS).content.decode()

    assert "viewers-key" in text
    assert "admins-key" not in text


# Revoke, activate, delete: asked first.


def action_url(action: str, key: ApiKey) -> str:
    return reverse(f"{action}_api_key", args=[key.pk])


def test_each_key_has_revoke_and_delete_buttons_that_ask_first(demo, client_for, key_for):
    key_for("viewer")

    row = parse(client_for("viewer").get(MY_KEYS)).find("tbody").find("tr")

    forms = row.find_all("form")
    assert [form.find("button").text for form in forms] == ["Revoke", "Delete"]
    for form in forms:
        assert form.attrs["method"] == "post"
        assert form.attrs["data-confirm"].endswith(("to replace it.", "cannot be undone."))


def test_without_javascript_revoking_asks_on_a_page_with_ok_and_cancel(demo, client_for, key_for):
    key_for("viewer")
    row = ApiKey.objects.get()
    client = client_for("viewer")

    response = client.post(action_url("revoke", row), {"back": "mine"})

    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "Revoke API key?"
    assert "Scripts that use it are refused" in page.find("main").text
    buttons = [button.text for button in page.find("main").find_all("button")]
    assert buttons == ["Cancel", "OK"]
    assert ApiKey.objects.get().active is True  # not yet


def test_ok_revokes_the_key_and_the_api_refuses_it_at_once(demo, client_for, key_for, palette):
    key = key_for("viewer")
    row = ApiKey.objects.get()

    response = client_for("viewer").post(
        action_url("revoke", row), {"back": "mine", "confirmed": "yes"}
    )

    assert response.status_code == 302
    assert response["Location"] == MY_KEYS
    assert ApiKey.objects.get().state == ApiKey.State.INACTIVE
    assert palette(key).get("/v1/audits").status_code == 401


def test_a_key_a_tenant_admin_revoked_can_be_activated_again(demo, client_for, key_for, palette):
    key = key_for("viewer")
    ApiKey.objects.update(active=False, revoked_by=ApiKey.Revoker.ADMIN)
    client = client_for("tenant-admin")
    row = parse(client.get(tenant_keys(demo))).find("tbody").find("tr")
    assert [form.find("button").text for form in row.find_all("form")] == ["Activate", "Delete"]

    client.post(action_url("activate", ApiKey.objects.get()), {"confirmed": "yes"})

    assert ApiKey.objects.get().state == ApiKey.State.ACTIVE
    assert palette(key).get("/v1/audits").status_code == 200


def test_delete_removes_the_key(demo, client_for, key_for, palette):
    key = key_for("viewer")

    client_for("viewer").post(action_url("delete", ApiKey.objects.get()), {"confirmed": "yes"})

    assert not ApiKey.objects.exists()
    assert palette(key).get("/v1/audits").status_code == 401


def test_an_expired_key_shows_expired_and_can_only_be_deleted(demo, client_for, key_for, clock):
    key_for("viewer", days=7)
    clock.advance(days=8)

    row = parse(client_for("viewer").get(MY_KEYS)).find("tbody").find("tr")

    assert "Expired" in row.text
    assert [form.find("button").text for form in row.find_all("form")] == ["Delete"]


@pytest.mark.parametrize("action", ["revoke", "activate", "delete"])
def test_someone_elses_key_answers_404_and_is_left_alone(demo, client_for, key_for, action):
    key_for("project-admin")
    row = ApiKey.objects.get()

    for username in ("viewer", "cluster-admin", "globex-admin"):
        response = client_for(username).post(action_url(action, row), {"confirmed": "yes"})
        assert response.status_code == 404
    assert ApiKey.objects.get() == row and ApiKey.objects.get().active


@pytest.mark.parametrize("action", ["revoke", "activate", "delete"])
def test_changing_a_key_takes_post_only(demo, client_for, key_for, action):
    key_for("viewer")

    response = client_for("viewer").get(action_url(action, ApiKey.objects.get()))

    assert response.status_code == 405


def test_my_api_keys_needs_a_login(db, client):
    response = client.get(MY_KEYS)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# Tenant Settings > API Keys


def tenant_keys(demo) -> str:
    return reverse("tenant_api_keys", args=[demo.acme.pk])


def test_a_tenant_admin_sees_every_key_of_the_tenant_with_its_owner(demo, client_for, key_for):
    key_for("viewer", name="viewers-key")
    key_for("project-admin", name="project-key")
    key_for("globex-admin", tenant="Globex", name="globex-key")

    page = parse(client_for("tenant-admin").get(tenant_keys(demo)))

    nav = page.find("nav", aria_label="Tenant Settings sections")
    assert nav.find("a", aria_current="page").text == "API Keys"
    rows = [
        (tr.find("th").text.split()[0], tr.find_all("td")[0].text)
        for tr in page.find("tbody").find_all("tr")
    ]
    assert sorted(rows) == [
        ("project-key", "project-admin"),
        ("viewers-key", "viewer"),
    ]
    assert page.find("form", action=MY_KEYS).find("button").text == "Create API key"


def test_a_tenant_admin_revokes_another_users_key_and_comes_back_to_tenant_settings(
    demo, client_for, key_for
):
    key_for("viewer")

    response = client_for("tenant-admin").post(
        action_url("revoke", ApiKey.objects.get()), {"back": "tenant", "confirmed": "yes"}
    )

    assert response["Location"] == tenant_keys(demo)
    assert ApiKey.objects.get().active is False


@pytest.mark.parametrize("username", ["viewer", "project-admin", "cluster-admin", "globex-admin"])
def test_tenant_settings_api_keys_are_for_its_tenant_admins_only(demo, client_for, username):
    assert client_for(username).get(tenant_keys(demo)).status_code == 404


def test_create_api_key_on_tenant_settings_opens_my_api_keys_with_the_tenant_chosen(
    demo, client_for
):
    page = parse(client_for("tenant-admin").get(f"{MY_KEYS}?tenant={demo.acme.pk}"))

    chosen = page.find("select", name="tenant").find("option", selected=True)
    assert chosen.text == "Acme"


def test_the_key_pages_need_no_inline_code(demo, client_for, key_for):
    key_for("tenant-admin")
    for url in (MY_KEYS, tenant_keys(demo)):
        response = client_for("tenant-admin").get(url)
        assert "<script>" not in response.content.decode()
        assert "style=" not in response.content.decode()
