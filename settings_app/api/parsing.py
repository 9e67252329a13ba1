"""Reading what a request sends: a JSON body (415 for anything else), RFC 3339 times, the
tokens that page through lists, and the scope a request addresses."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from django.core import signing
from django.http import HttpRequest
from ninja.parser import Parser

from ..models import Project, Tenant
from ..permissions.api import ApiCaller, api_project, api_tenant
from .errors import ApiError

# RFC 3339: a full date, T (or a space), a time, and an offset or Z.
RFC_3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


class JsonBodyParser(Parser):
    """Bodies are JSON, said so in Content-Type; anything else is 415, and malformed JSON 400,
    each with a message that says what to send."""

    def parse_body(self, request: HttpRequest):
        if request.content_type != "application/json" and not request.content_type.endswith(
            "+json"
        ):
            raise ApiError(
                415,
                "UnsupportedMediaType",
                details={"contentType": request.content_type or ""},
            )
        try:
            return json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ApiError(
                400,
                "InvalidRequest",
                f"The body is not valid JSON ({error}). Send, for example, "
                '{"spectroComponents": "lock"}. Nothing was changed.',
            ) from None


def rfc3339(value: str | None, name: str) -> datetime | None:
    """A date and time with its offset, or 400 saying what was expected."""
    if value is None:
        return None
    text = value.strip()
    try:
        if not RFC_3339.match(text):
            raise ValueError
        # In UTC, as the database keeps times: a moment past the last one a date can name there,
        # or before the first, is no moment.
        return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T")).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ApiError(
            400,
            "InvalidRequest",
            f"{name} must be an RFC 3339 date and time with its offset, like "
            f"2026-12-01T18:00:00Z, from the year 1 to 9999 in UTC; not {value!r}. "
            "Nothing was changed.",
            details={"field": name},
        ) from None


def continue_token(position: dict, salt: str) -> str:
    """An opaque token for where the next page starts."""
    return signing.dumps(position, salt=salt, compress=True)


def read_continue_token(token: str | None, salt: str) -> dict | None:
    if not token:
        return None
    try:
        return signing.loads(token, salt=salt)
    except signing.BadSignature:
        raise ApiError(
            400,
            "InvalidRequest",
            "The continue token is not one this console gave for this list. Send the request "
            "again without it to start from the beginning.",
            details={"field": "continue"},
        ) from None


def positive_limit(limit: int | None, most: int | None = None) -> int | None:
    if limit is None:
        return None
    if limit < 1 or (most is not None and limit > most):
        upto = f" and at most {most}" if most else ""
        raise ApiError(
            400,
            "InvalidRequest",
            f"limit must be at least 1{upto}; not {limit}.",
            details={"field": "limit"},
        )
    return limit


def addressed_scope(
    caller: ApiCaller, project_uid: str | None, *, change: bool = False
) -> Tenant | Project:
    """The tenant (no ProjectUid header) or the project that a request addresses, through the
    permissions module's helpers. An empty ProjectUid is refused rather than read as the tenant
    scope: a script whose variable came out empty must not push the whole tenant."""
    uid = project_uid_sent(project_uid)
    return api_tenant(caller) if uid is None else api_project(caller, uid, change=change)


def project_uid_sent(project_uid: str | None) -> str | None:
    """The ProjectUid header's uid; None without the header (the tenant scope)."""
    if project_uid is None:
        return None
    if not project_uid.strip():
        raise ApiError(
            400,
            "InvalidRequest",
            "The ProjectUid header is empty. Send a project's uid, or leave the header out "
            "for the tenant scope. Nothing was changed.",
            details={"field": "ProjectUid"},
        )
    return project_uid.strip()
