"""The OpenAPI document at /v1/openapi.json and the reference page at /v1/docs: served without a
key, generated from the operations' schemas, describing every operation with its error answers;
the page from installed static files (no CDN), within the console's CSP."""

from __future__ import annotations

import re

from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from .contract import published_document

OPERATIONS = {
    ("get", "/v1/spectroclusters/upgrade/settings"): "v1SpectroClustersUpgradeSettingsGet",
    ("post", "/v1/spectroclusters/upgrade/settings"): "v1SpectroClustersUpgradeSettings",
    ("post", "/v1/spectroclusters/{uid}/upgrade/settings"): "v1SpectroClustersUidUpgradeSettings",
    ("get", "/v1/spectroclusters/{uid}/upgrade/settings"): "v1SpectroClustersUidUpgradeSettingsGet",
    ("get", "/v1/spectroclusters/{uid}"): "v1SpectroClustersGet",
    ("get", "/v1/dashboard/spectroclusters/meta"): "v1SpectroClustersMetaGet",
    ("get", "/v1/projects/{uid}"): "v1ProjectsUidGet",
    ("get", "/v1/audits"): "v1AuditsList",
    # Beyond Palette: freeze windows.
    ("get", "/v1/freezewindows"): "v1FreezeWindowsList",
    ("post", "/v1/freezewindows"): "v1FreezeWindowsCreate",
    ("get", "/v1/freezewindows/{uid}"): "v1FreezeWindowsUidGet",
    ("patch", "/v1/freezewindows/{uid}"): "v1FreezeWindowsUidPatch",
    ("delete", "/v1/freezewindows/{uid}"): "v1FreezeWindowsUidDelete",
    # Beyond Palette: notice destinations.
    ("get", "/v1/notificationdestinations"): "v1NotificationDestinationsList",
    ("post", "/v1/notificationdestinations"): "v1NotificationDestinationsCreate",
    ("get", "/v1/notificationdestinations/{uid}"): "v1NotificationDestinationsUidGet",
    ("patch", "/v1/notificationdestinations/{uid}"): "v1NotificationDestinationsUidPatch",
    ("delete", "/v1/notificationdestinations/{uid}"): "v1NotificationDestinationsUidDelete",
    ("post", "/v1/notificationdestinations/{uid}/test"): "v1NotificationDestinationsUidTest",
    # Gateways (Palette's overlords) and Edge hosts; a gateway's setting is beyond Palette.
    ("get", "/v1/overlords"): "v1OverlordsList",
    ("get", "/v1/overlords/{uid}"): "v1OverlordsUidGet",
    ("get", "/v1/overlords/{uid}/upgrade/settings"): "v1OverlordsUidUpgradeSettingsGet",
    ("post", "/v1/overlords/{uid}/upgrade/settings"): "v1OverlordsUidUpgradeSettings",
    ("get", "/v1/edgehosts/metadata"): "v1EdgeHostsMetadataQuickFilterGet",
    ("get", "/v1/edgehosts/{uid}"): "v1EdgeHostDevicesUidGet",
}
SETTING_CHANGES = {path for method, path in OPERATIONS if path.endswith("/upgrade/settings")}


def test_the_document_is_served_without_a_key_and_is_valid_openapi_3(db, client):
    response = client.get("/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)


def test_it_describes_every_operation_with_palettes_operation_ids(db):
    paths = published_document()["paths"]

    found = {
        (method, path): op["operationId"]
        for path, item in paths.items()
        for method, op in item.items()
    }

    assert found == OPERATIONS


def test_every_operation_describes_its_error_answers_and_needs_the_api_key(db):
    document = published_document()

    for (method, path), _ in OPERATIONS.items():
        operation = document["paths"][path][method]
        codes = set(operation["responses"])
        assert {"401", "404", "405", "429", "500"} <= codes, path
        if method in ("post", "patch") and not path.endswith("/test"):  # a test takes no body
            assert {"400", "403", "415"} <= codes, path
        if method == "post" and path in SETTING_CHANGES:
            assert "AuditUid" in operation["responses"]["204"]["headers"]
        if method in ("patch", "delete") and "freezewindows" in path:
            assert "409" in codes, path  # a window that has started, or is over
        assert operation["security"] == [{"ApiKey": []}]
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        for code in codes - {"200", "201", "204"}:
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/Error")
    scheme = document["components"]["securitySchemes"]["ApiKey"]
    assert scheme == {"type": "apiKey", "in": "header", "name": "ApiKey"}


def test_palettes_field_names_are_in_the_document(db):
    schemas = published_document()["components"]["schemas"]

    assert set(schemas["ClusterUpgradeSettingsEntity"]["properties"]) == {"spectroComponents"}
    assert {
        "uid",
        "name",
        "annotations",
        "labels",
        "creationTimestamp",
        "lastModifiedTimestamp",
    } <= set(schemas["ObjectMeta"]["properties"])
    assert set(schemas["Error"]["properties"]) == {"code", "message", "ref", "details"}
    assert set(schemas["ListMetaData"]["properties"]) == {"continue", "count", "limit", "offset"}


def test_the_reference_page_needs_no_key_and_loads_nothing_from_elsewhere(db, client):
    response = client.get("/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    links = re.findall(r'<a\b[^>]*?href="([^"]+)"', html)  # the way back to the console
    assert "/" in links and "/account/api-keys/" in links
    assert all(link.startswith(("/", "#")) and not link.startswith("//") for link in links)
    assert "<script>" not in html and "style=" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_reference_pages_static_files_come_from_installed_packages(db, client):
    for path in (
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui.css",
        "/static/console/api-docs.css",
    ):
        response = client.get(path)
        assert response.status_code == 200, path


# The document says what the server enforces (found by schemathesis: test_schemathesis.py).


def parameter(operation: dict, name: str) -> dict:
    """A parameter's schema, the branch that is not null when it may be left out."""
    (found,) = [p for p in operation.get("parameters", []) if p["name"] == name]
    schema = found["schema"]
    (branch,) = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return found | {"schema": branch}


def test_reading_a_cluster_documents_the_400_of_a_query_it_cannot_read(db):
    operation = published_document()["paths"]["/v1/spectroclusters/{uid}"]["get"]

    assert "400" in operation["responses"]


def test_each_limit_states_the_bounds_the_server_enforces(db):
    paths = published_document()["paths"]

    clusters = parameter(paths["/v1/dashboard/spectroclusters/meta"]["get"], "limit")["schema"]
    audits = parameter(paths["/v1/audits"]["get"], "limit")["schema"]

    assert (clusters["minimum"], clusters["maximum"]) == (1, 1_000_000)
    assert (audits["minimum"], audits["maximum"]) == (1, 50)


def test_every_time_a_request_sends_is_a_date_time_and_until_says_it_lies_ahead(db):
    document = published_document()
    audits = document["paths"]["/v1/audits"]["get"]
    change = document["components"]["schemas"]["ClusterUpgradeSettingsChange"]["properties"]
    (until,) = [s for s in change["until"]["anyOf"] if s.get("type") != "null"]

    for name in ("startTime", "endTime"):
        assert parameter(audits, name)["schema"]["format"] == "date-time", name
    assert until["format"] == "date-time"
    assert "in the future" in change["until"]["description"]


def test_an_empty_project_uid_is_outside_the_document(db):
    paths = published_document()["paths"]

    for path, item in paths.items():
        for method, operation in item.items():
            if any(p["name"] == "ProjectUid" for p in operation.get("parameters", [])):
                schema = parameter(operation, "ProjectUid")["schema"]
                assert schema["minLength"] == 1, (method, path)
                assert re.search(schema["pattern"], " x ")
                assert not re.search(schema["pattern"], "   "), (method, path)


def test_a_pause_states_its_reasons_length_and_the_characters_it_refuses(db):
    change = published_document()["components"]["schemas"]["ClusterUpgradeSettingsChange"]
    with_lock = change["then"]["properties"]["reason"]["anyOf"]
    (reason,) = [s for s in with_lock if s.get("type") != "null"]

    assert change["if"]["properties"]["spectroComponents"] == {"const": "lock"}
    assert reason["maxLength"] == 200
    assert re.fullmatch(reason["pattern"], "CVE-2026-1234: wait for the fix")
    refused = ["two\nlines", "tab\there", "bidi\u202eoverride", "zero\u200bwidth", "\x89"]
    refused += ["line\u2028separator", "non\ufdd0character", "astral\U0010ffff"]
    for text in refused:
        assert not re.fullmatch(reason["pattern"], text), text


def test_a_resume_is_documented_to_carry_no_reason_or_end(db):
    change = published_document()["components"]["schemas"]["ClusterUpgradeSettingsChange"]
    validator = OAS31Validator(change)

    assert validator.is_valid({"spectroComponents": "unlock"})
    assert validator.is_valid({"spectroComponents": "unlock", "reason": "", "until": None})
    assert not validator.is_valid({"spectroComponents": "unlock", "reason": "freeze"})
    assert not validator.is_valid({"spectroComponents": "unlock", "until": "2099-01-01T00:00:00Z"})
    assert validator.is_valid(
        {"spectroComponents": "lock", "reason": "freeze", "until": "2099-01-01T00:00:00Z"}
    )
