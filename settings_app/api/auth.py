"""The API's one way in: the header `ApiKey: <key>`, as Palette's clients send it. No session
cookie is read, so no CSRF question arises; the console's pages take no API key."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from .. import models
from ..models.keys import well_formed
from ..permissions.api import ApiCaller, api_caller
from ..throttling import client_address
from . import limits
from .errors import ApiError, too_many_requests, too_many_wrong_keys


class ApiKey(APIKeyHeader):
    """`ApiKey: <key>` (the class name is the security scheme's name in the OpenAPI document,
    as in Palette's). Answers the caller: the key's user in the key's tenant."""

    param_name = "ApiKey"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiCaller:
        if not key:
            raise ApiError(401, "AuthRequired")
        if not well_formed(key):  # cannot be a key: refused with no query and no count
            raise ApiError(401, "InvalidApiKey")
        # Wrong keys are counted per address; one that has sent too many is refused before its
        # key is looked up, a good key too, so that guessing from it learns nothing.
        address = client_address(request)
        wait = limits.wait_after_failures(address)
        if wait is not None:
            raise too_many_wrong_keys(wait)
        found = models.ApiKey.find(key)
        if found is None:  # unknown, expired or revoked: one answer for all three
            limits.note_failure(address)
            raise ApiError(401, "InvalidApiKey")
        wait = limits.wait_before(found.user_id)  # the user's count, all their keys together
        if wait is not None:
            raise too_many_requests(wait)
        found.note_use()
        return api_caller(found)
