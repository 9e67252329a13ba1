"""Every answer of the API, checked against the OpenAPI document that the console publishes at
/v1/openapi.json: its status is one the operation declares, its body fits the declared schema,
its declared headers are there. An answer of no operation (an unknown path, a method a path
does not take) must still be a declared Error."""

from __future__ import annotations

import json
import re
from functools import cache

from django.test import Client
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource


@cache
def published_document() -> dict:
    response = Client().get("/v1/openapi.json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


@cache
def contract() -> OpenAPI:
    return OpenAPI.from_dict(published_document())


def check_against_contract(response):
    """Check one answer of the test client; returns it, readable again if it was streamed."""
    request = response.wsgi_request
    if not request.path.startswith("/v1/") or request.path in ("/v1/openapi.json", "/v1/docs"):
        return response
    if response.streaming:
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]
    else:
        content = response.content
    if response.status_code == 204:
        assert content == b"" and not response.has_header("Content-Type")
    else:
        assert response["Content-Type"].startswith("application/json")
    operation = operation_of(request)
    if operation is None:
        assert_is_error(content, response.status_code)
        return response
    path, method = operation
    declared = published_document()["paths"][path][method]["responses"]
    assert str(response.status_code) in declared, (
        f"{method.upper()} {path} answered {response.status_code}, which the OpenAPI document "
        f"does not declare (it declares {sorted(declared)})"
    )
    contract().validate_response(
        MockRequest(
            "http://testserver",
            request.method,
            request.path,
            path_pattern=path,
            args=dict(request.GET.items()),
            headers=dict(request.headers),
            data=request.body if request.method == "POST" else None,
            content_type=request.content_type or "application/json",
        ),
        MockResponse(
            content,
            status_code=response.status_code,
            headers=dict(response.headers),
            content_type=response.get("Content-Type", "application/json"),
        ),
    )
    return response


def operation_of(request) -> tuple[str, str] | None:
    """The documented (path template, method) that a request reached, if any."""
    match = request.resolver_match
    if match is None or match.route is None:
        return None
    template = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", match.route)
    method = request.method.lower()
    paths = published_document()["paths"]
    if template in paths and method in paths[template]:
        return template, method
    return None


def assert_is_error(content: bytes, status: int) -> None:
    document = published_document()
    registry = Registry().with_resource("urn:console", Resource.opaque(document))
    schema = {"$ref": "urn:console#/components/schemas/Error"}
    OAS31Validator(schema, registry=registry).validate(json.loads(content))
    assert status >= 400
