"""The API's one way in: the header `ApiKey: <key>`, as Palette's clients send it. No session
cookie is read, so no CSRF question arises; the console's pages take no API key."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from .. import models
from ..models.keys import digest_of
from ..permissions.api import ApiCaller, api_caller
from . import limits
from .errors import ApiError, too_many_requests


class ApiKey(APIKeyHeader):
    """`ApiKey: <key>` (the class name is the security scheme's name in the OpenAPI document,
    as in Palette's). Answers the caller: the key's user in the key's tenant."""

    param_name = "ApiKey"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiCaller:
        if not key:
            raise ApiError(401, "AuthRequired")
        # Counted before the key is looked up, so a flood of wrong keys is limited too.
        wait = limits.wait_before(digest_of(key))
        if wait is not None:
            raise too_many_requests(wait)
        found = models.ApiKey.find(key)
        if found is None:  # unknown, expired or revoked: one answer for all three
            raise ApiError(401, "InvalidApiKey")
        found.note_use()
        return api_caller(found)
