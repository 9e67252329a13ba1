"""What each operation may answer, for its `response=` and its OpenAPI description: the success
and every error it can give, each error described once here."""

from __future__ import annotations

from typing import Any

from .schemas import Error

WHEN = {
    400: "InvalidRequest: the body, a query parameter or a header cannot be accepted "
    "(malformed JSON, a missing or wrong spectroComponents, a reason or end the console "
    "refuses, a bad limit, time or continue token, an empty ProjectUid). Nothing is changed.",
    401: "AuthRequired: no ApiKey header. InvalidApiKey: an unknown, expired or revoked key "
    "(one answer for all three).",
    403: "Forbidden: the object can be seen but the key's user may not change it, or the "
    "tenant scope was asked for by a user who is not its Tenant Admin. Nothing is changed.",
    404: "ResourceNotFound: no object with this uid in the key's tenant that the user may "
    "see; another tenant's object answers exactly as a missing one.",
    409: "Conflict: the freeze window has started or is over, and cannot be changed that way. "
    "Nothing is changed.",
    405: "MethodNotAllowed: the path does not take this method (the Allow header lists "
    "those it takes).",
    415: "UnsupportedMediaType: a body that is not JSON (Content-Type: application/json).",
    429: "TooManyRequests: more than the rate limit of the key's user (all their keys "
    "together), or too many wrong keys from the client's address; send it again after "
    "Retry-After seconds. Nothing is changed.",
    500: "InternalError: a bug in the console. Nothing is changed that the answer does not say.",
}
HEADERS = {
    429: {
        "Retry-After": {
            "description": "Whole seconds to wait before sending the request again.",
            "schema": {"type": "integer"},
        }
    }
}
AUDIT_UID = {
    "AuditUid": {
        "description": "The uid of the change's audit event (GET /v1/audits lists it).",
        "schema": {"type": "string"},
    },
    # Beyond Palette: what the change wrote, as the console's confirmation says it.
    "ClustersWritten": {
        "description": "Beyond Palette: the clusters whose value the change wrote.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "GatewaysWritten": {
        "description": "Beyond Palette: the gateways whose value the change wrote (a tenant's "
        "push writes all of the tenant's; a gateway's own change, that one).",
        "schema": {"type": "integer", "minimum": 0},
    },
    "EdgeHostsWritten": {
        "description": "Beyond Palette: the Edge hosts in no cluster whose value the change "
        "wrote (a project's or a tenant's push).",
        "schema": {"type": "integer", "minimum": 0},
    },
}


def answers(success: dict[int, Any], *errors: int) -> tuple[dict, dict]:
    """`response=` and `openapi_extra=` for an operation: its successes and these errors, plus
    those that every operation may give (401, 404, 405, 429, 500)."""
    codes = sorted({*errors, 401, 404, 405, 429, 500})
    response = {**success, **dict.fromkeys(codes, Error)}
    described = {code: {"description": WHEN[code], **_headers(code)} for code in codes}
    return response, {"responses": described}


def _headers(code: int) -> dict:
    return {"headers": HEADERS[code]} if code in HEADERS else {}
