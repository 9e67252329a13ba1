"""Every error answer under /v1/ (issue 9, item 4): JSON {code, message, ref, details}, never an
HTML page, with a message that says what to do, and nothing changed by any refused request."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from settings_app.models import ApiKey
from tests.state import everything

from .conftest import body_of

SETTINGS = "/v1/spectroclusters/upgrade/settings"


def cluster_settings(demo) -> str:
    return f"/v1/spectroclusters/{demo.prod_east.uid}/upgrade/settings"


def assert_error(response, status: int, code: str, *, says: str = "") -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = body_of(response)
    assert set(body) == {"code", "message", "ref", "details"}
    assert body["code"] == code
    assert body["message"]
    assert says in body["message"]
    assert "<html" not in response.content.decode().lower()
    return body


# 400 InvalidRequest


@pytest.mark.parametrize(
    ("body", "says"),
    [
        pytest.param("{not json", "not valid JSON", id="malformed JSON"),
        pytest.param("{}", '"spectroComponents": "lock"', id="missing spectroComponents"),
        pytest.param('{"spectroComponents": "pause"}', '"unlock" to resume', id="another value"),
        pytest.param('{"spectroComponents": null}', '"unlock" to resume', id="null"),
        pytest.param('"lock"', '"unlock" to resume', id="not an object"),
        pytest.param("", '"spectroComponents": "lock"', id="empty body"),
        pytest.param('{"spectroComponents": "lock", "extra": 1}', "extra", id="unknown field"),
    ],
)
def test_a_body_that_cannot_be_accepted_is_invalid_request_and_changes_nothing(
    demo, key_for, palette, body, says
):
    client = palette(key_for("tenant-admin"))
    before = everything()

    for url in (SETTINGS, cluster_settings(demo)):
        response = client.post(url, body)
        assert_error(response, 400, "InvalidRequest", says=says)
    assert everything() == before


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"until": "2020-01-01T00:00:00Z"}, "must be in the future"),
        ({"until": "tomorrow"}, "RFC 3339"),
        ({"until": "2030-01-01T00:00:00"}, "RFC 3339"),
        ({"reason": "x" * 201}, "200 characters"),
        ({"reason": "freeze\u202eezeerf"}, "bidirectional override"),
        ({"reason": "ok\ud83d"}, "half of a character"),
        ({"reason": "lock\n"}, "a line break (U+000A)"),
        ({"reason": "\U0010ffff"}, "a noncharacter (U+10FFFF)"),
    ],
    ids=[
        "end passed",
        "not a time",
        "no offset",
        "reason too long",
        "invisible characters",
        "half a character",
        "a line break at the end",
        "a noncharacter",
    ],
)
def test_a_reason_or_end_the_dialog_would_refuse_is_refused_the_same_way(
    demo, key_for, palette, extra, says
):
    client = palette(key_for("tenant-admin"))
    before = everything()

    response = client.post(cluster_settings(demo), {"spectroComponents": "lock", **extra})

    assert_error(response, 400, "InvalidRequest", says=says)
    assert everything() == before


@pytest.mark.parametrize(
    "extra",
    [
        {"reason": "x"},
        {"until": "2099-01-01T00:00:00Z"},
        {"reason": "x", "until": "2099-01-01T00:00:00Z"},
    ],
    ids=["reason", "end", "both"],
)
def test_a_resume_with_a_reason_or_end_is_refused_rather_than_dropped(
    demo, key_for, palette, extra
):
    client = palette(key_for("tenant-admin"))
    client.post(cluster_settings(demo), {"spectroComponents": "lock", "reason": "freeze"})
    before = everything()

    for url in (SETTINGS, cluster_settings(demo)):
        response = client.post(url, {"spectroComponents": "unlock", **extra})
        assert_error(response, 400, "InvalidRequest", says='only with "lock"')
    assert everything() == before


def test_a_resume_with_an_empty_reason_and_no_end_is_taken(demo, key_for, palette):
    client = palette(key_for("tenant-admin"))

    response = client.post(
        cluster_settings(demo), {"spectroComponents": "unlock", "reason": "", "until": None}
    )

    assert response.status_code == 204


def test_an_empty_project_uid_header_is_refused_rather_than_read_as_the_tenant(
    demo, key_for, palette
):
    client = palette(key_for("tenant-admin"), project=" ")
    before = everything()

    response = client.post(SETTINGS, {"spectroComponents": "lock"})

    assert_error(response, 400, "InvalidRequest", says="ProjectUid header is empty")
    assert everything() == before


# 401 AuthRequired, InvalidApiKey


def test_a_body_larger_than_the_console_takes_is_invalid_request(demo, key_for, settings):
    headers = {"ApiKey": key_for("tenant-admin"), "Accept": "application/json"}
    body = json.dumps({"spectroComponents": "lock", "reason": "x" * 3_000_000})
    before = everything()

    # A plain client: the contract check would read the body that the console refused.
    response = Client().post(
        cluster_settings(demo), body, content_type="application/json", headers=headers
    )

    assert_error(response, 400, "InvalidRequest", says="larger than")
    assert everything() == before


def test_no_key_is_auth_required(demo, palette):
    before = everything()

    for send in (
        lambda c: c.get(SETTINGS),
        lambda c: c.post(SETTINGS, {"spectroComponents": "lock"}),
        lambda c: c.get(f"/v1/spectroclusters/{demo.prod_east.uid}"),
    ):
        assert_error(send(palette(None)), 401, "AuthRequired", says="ApiKey header")
    assert everything() == before


def test_a_session_cookie_is_no_key(demo, palette):
    client = palette(None)
    client.client.force_login(User.objects.get(username="tenant-admin"))
    before = everything()

    response = client.post(SETTINGS, {"spectroComponents": "lock"})

    assert_error(response, 401, "AuthRequired")
    assert everything() == before


def test_an_unknown_an_expired_and_a_revoked_key_get_one_answer(demo, key_for, palette, clock):
    unknown = "u" * 54
    expired = key_for("tenant-admin", name="old", days=7)
    revoked = key_for("tenant-admin", name="revoked")
    ApiKey.objects.filter(name="revoked").update(active=False)
    clock.advance(days=8)
    before = everything()

    answers = [
        palette(key).post(SETTINGS, {"spectroComponents": "lock"})
        for key in (unknown, expired, revoked)
    ]

    bodies = [
        assert_error(r, 401, "InvalidApiKey", says="unknown, expired or revoked") for r in answers
    ]
    assert bodies[0] == bodies[1] == bodies[2]
    assert answers[0].content == answers[1].content == answers[2].content
    assert everything() == before


@pytest.mark.parametrize("key", ["abc\x00def", "a key with spaces", "ключ-ключ", "=cmd|calc"])
def test_a_key_with_characters_no_key_has_is_invalid_and_never_looked_up(demo, palette, key):
    """A NUL, which PostgreSQL refuses in any text, or anything outside the keys' URL-safe
    alphabet: the same answer as an unknown key."""
    response = palette(key).get(SETTINGS)

    assert_error(response, 401, "InvalidApiKey", says="unknown, expired or revoked")


def test_a_key_in_the_authorization_header_is_not_read(demo, key_for, palette):
    key = key_for("tenant-admin")

    response = palette(None).get(SETTINGS, Authorization=f"Bearer {key}")

    assert_error(response, 401, "AuthRequired")


# 403 Forbidden


def test_an_object_that_can_be_seen_but_not_changed_is_forbidden(demo, key_for, palette):
    client = palette(key_for("viewer"))
    before = everything()

    response = client.post(cluster_settings(demo), {"spectroComponents": "lock"})

    body = assert_error(response, 403, "Forbidden", says="view-only access to project Default")
    assert body["message"].endswith("Nothing was changed.")
    assert everything() == before


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_tenant_scope_without_a_tenant_role_is_forbidden(demo, key_for, palette, method):
    client = palette(key_for("project-admin"))
    before = everything()

    if method == "GET":
        response = client.get(SETTINGS)
    else:
        response = client.post(SETTINGS, {"spectroComponents": "lock"})

    assert_error(response, 403, "Forbidden", says="Only a Tenant Admin of Acme")
    assert everything() == before


# 404 ResourceNotFound


def test_an_unknown_uid_and_another_tenants_answer_byte_for_byte_alike(demo, key_for, palette):
    client = palette(key_for("tenant-admin"))
    missing, theirs = "0" * 24, demo.globex_main.uid
    before = everything()

    for path in (
        "/v1/spectroclusters/{}",
        "/v1/spectroclusters/{}/upgrade/settings",
        "/v1/projects/{}",
    ):
        a, b = client.get(path.format(missing)), client.get(path.format(theirs))
        assert_error(a, 404, "ResourceNotFound")
        assert a.content == b.content
        assert a.headers == b.headers
    a = client.post(
        f"/v1/spectroclusters/{missing}/upgrade/settings", {"spectroComponents": "lock"}
    )
    b = client.post(f"/v1/spectroclusters/{theirs}/upgrade/settings", {"spectroComponents": "lock"})
    assert a.content == b.content
    p = palette(client.key, project="0" * 24).get(SETTINGS)
    q = palette(client.key, project=demo.globex_default.uid).get(SETTINGS)
    assert_error(p, 404, "ResourceNotFound")
    assert p.content == q.content
    assert everything() == before


@pytest.mark.parametrize("uid", ["prod-east", "1", "0" * 23, "G" * 24, "0" * 24 + "0"])
def test_a_malformed_uid_is_not_found(demo, key_for, palette, uid):
    response = palette(key_for("tenant-admin")).get(f"/v1/spectroclusters/{uid}")

    assert_error(response, 404, "ResourceNotFound")


def test_a_path_that_is_no_operation_is_not_found_as_json(demo, key_for, palette):
    response = palette(key_for("tenant-admin")).get("/v1/clusters")

    assert response.status_code == 404
    assert_error(response, 404, "ResourceNotFound", says="/v1/docs")


# 405, 415


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_method_the_path_does_not_take_is_405_with_allow(demo, key_for, palette, method):
    client = palette(key_for("tenant-admin"))
    before = everything()

    response = client.send(method, SETTINGS)

    body = assert_error(response, 405, "MethodNotAllowed", says=f"does not take {method}")
    assert response["Allow"] == "GET, POST"
    assert body["details"] == {}
    assert everything() == before


def test_a_read_only_path_refuses_post_with_405(demo, key_for, palette):
    response = palette(key_for("tenant-admin")).post(
        f"/v1/spectroclusters/{demo.prod_east.uid}", {"spectroComponents": "lock"}
    )

    assert_error(response, 405, "MethodNotAllowed")
    assert response["Allow"] == "GET"


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_json_is_415(demo, key_for, palette, content_type):
    client = palette(key_for("tenant-admin"))
    before = everything()

    response = client.post(
        cluster_settings(demo), '{"spectroComponents": "lock"}', content_type=content_type
    )

    assert_error(response, 415, "UnsupportedMediaType", says="Content-Type: application/json")
    assert everything() == before


# 500 is a bug, and still JSON


def test_a_server_error_is_json_and_changes_nothing(demo, key_for, palette, monkeypatch):
    from settings_app import rules

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(rules, "change_agent_upgrades", broken)
    client = palette(key_for("tenant-admin"))
    before = everything()

    response = client.post(cluster_settings(demo), {"spectroComponents": "lock"})

    assert_error(response, 500, "InternalError")
    assert everything() == before


def test_the_ref_names_the_operation_without_the_uid(demo, key_for, palette):
    response = palette(key_for("viewer")).post(
        cluster_settings(demo), {"spectroComponents": "lock"}
    )

    assert body_of(response)["ref"] == "POST /v1/spectroclusters/{uid}/upgrade/settings"


def test_no_api_answer_is_kept_by_a_cache(demo, key_for, palette):
    client = palette(key_for("tenant-admin"))

    for response in (
        client.get(SETTINGS),
        client.get("/v1/nothing"),
        palette(None).get(SETTINGS),
    ):
        assert response["Cache-Control"] == "no-store"


SECURITY_HEADERS = [
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
]


def test_an_error_rebuilt_as_json_keeps_the_security_headers_of_every_answer(
    demo, key_for, palette
):
    client = palette(key_for("tenant-admin"))
    usual = client.get(SETTINGS)

    for response in (
        client.get("/v1/nothing"),  # a path that is no operation
        client.send("PUT", SETTINGS),  # a method the path does not take
    ):
        assert response["Content-Type"] == "application/json"
        for name in SECURITY_HEADERS:
            assert response.get(name) == usual[name], (response.status_code, name)


def test_the_pages_take_no_api_key(demo, key_for):
    from django.test import Client

    response = Client().get("/", headers={"ApiKey": key_for("tenant-admin")})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
