"""Every error under /v1/ as Palette answers it: JSON `{"code", "message", "ref", "details"}`
with a message that tells a person what to do, never an HTML page.

The exception handlers shape what the operations raise; `ApiAnswersMiddleware` shapes what
Django answers before or around them (an unknown path, a method the path does not take, a
server error), and keeps every API answer out of caches."""

from __future__ import annotations

import logging
import math
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ..wording.api import SPECTRO_COMPONENTS, api_message

logger = logging.getLogger(__name__)

API_PREFIX = "/v1/"
CODES = {
    400: "InvalidRequest",
    401: "AuthRequired",
    403: "Forbidden",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    500: "InternalError",
}

# What describes the body of an answer, and so does not carry over to the JSON that replaces it.
BODY_HEADERS = {"content-type", "content-length", "content-language", "content-disposition"}


class ApiError(Exception):
    """An answer other than success: a status, Palette's code, and what to do about it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str = "",
        details: dict | None = None,
        headers: dict | None = None,
    ) -> None:
        super().__init__(message or api_message(code))
        self.status, self.code = status, code
        self.message = message or api_message(code)
        self.details = details or {}
        self.headers = headers or {}


def too_many_requests(wait: float) -> ApiError:
    """429 for a user past the rate limit (all their keys together)."""
    rate, burst = settings.API_RATE_LIMIT, settings.API_RATE_BURST
    return _refused(wait, "TooManyRequests", rate=rate, burst=burst)


def too_many_wrong_keys(wait: float) -> ApiError:
    """429 for an address that sent its API_FAILURE_LIMIT wrong keys in the last minute."""
    return _refused(wait, "TooManyWrongKeys", most=settings.API_FAILURE_LIMIT)


def _refused(wait: float, wording: str, **facts) -> ApiError:
    seconds = max(1, math.ceil(wait))  # Retry-After takes whole seconds
    return ApiError(
        429,
        "TooManyRequests",
        api_message(wording, seconds=seconds, **facts),
        details={"retryAfterSeconds": round(wait, 3)},
        headers={"Retry-After": str(seconds)},
    )


def reference(request: HttpRequest) -> str:
    """The `ref` of an error: the operation that answered, as the reference page names it
    ('POST /v1/spectroclusters/{uid}/upgrade/settings'). It does not carry the uid asked
    for, so another tenant's object and a missing one answer byte for byte alike."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return f"{request.method} {request.path}"
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", match.route)
    return f"{request.method} /{route}"


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    details: dict | None = None,
    headers: dict | None = None,
) -> JsonResponse:
    body = {"code": code, "message": message, "ref": reference(request), "details": details or {}}
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# The handlers, one per kind of exception that an operation may raise.


def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details, exc.headers)


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The same words for a missing object and another tenant's, whatever the helper said.
    return error_response(request, 404, "ResourceNotFound", api_message("ResourceNotFound"))


def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The reason the permissions module gave (who may change it instead).
    message = str(exc.args[0]) if exc.args and exc.args[0] else api_message("Forbidden")
    if "Nothing was changed" not in message:
        message += " Nothing was changed."
    return error_response(request, 403, "Forbidden", message)


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A body, query or header that does not fit the operation's schema."""
    errors = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
            "problem": error.get("msg", ""),
        }
        for error in exc.errors
    ]
    fields = [error["field"] for error in errors]
    if any(field.endswith("spectroComponents") for field in fields) or not any(fields):
        message = SPECTRO_COMPONENTS
    else:
        message = "Check " + ", ".join(sorted(set(fields))) + ": " + errors[0]["problem"] + "."
    return error_response(
        request,
        400,
        "InvalidRequest",
        f"{message} Nothing was changed.",
        {"errors": errors},
    )


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja wraps what the body parser raised: ours says what was wrong with the body.
    if isinstance(exc.__cause__, ApiError):
        return on_api_error(request, exc.__cause__)
    code = CODES.get(exc.status_code, "InvalidRequest")
    return error_response(request, exc.status_code, code, f"{exc} Nothing was changed.")


def on_authentication_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(request, 401, "InvalidApiKey", api_message("InvalidApiKey"))


def on_body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    most = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        request,
        400,
        "InvalidRequest",
        f"The body is larger than the {most:,} bytes the console takes. Nothing was changed.",
    )


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug: logged with its traceback, answered as JSON. (The change's transaction, if one
    # was open, has been rolled back.)
    logger.exception("API request failed: %s %s", request.method, request.path)
    return error_response(request, 500, "InternalError", api_message("InternalError"))


HANDLERS = [
    (ApiError, on_api_error),
    (Http404, on_not_found),
    (PermissionDenied, on_permission_denied),
    (ValidationError, on_validation_error),
    (HttpError, on_http_error),
    (AuthenticationError, on_authentication_error),
    (RequestDataTooBig, on_body_too_large),
    (Exception, on_unexpected),
]


class ApiAnswersMiddleware:
    """For every answer under /v1/: an error that is not already Palette's JSON (an unknown
    path, a method the path does not take, a server error Django answered) becomes one; and
    nothing the API answers is kept by a browser or a proxy. First in MIDDLEWARE, so that it
    sees what every other layer answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            response = self.as_json(request, response)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response

    def as_json(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        status = response.status_code
        code = CODES.get(status, "InternalError" if status >= 500 else "InvalidRequest")
        headers = {}
        if status == 405:
            allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",")))
            headers["Allow"] = allowed
            message = api_message("MethodNotAllowed", method=request.method, allowed=allowed)
        elif status == 404:
            message = (
                f"There is no API operation at {request.path}. The reference of every "
                f"operation is at {API_PREFIX}docs."
            )
        else:
            message = api_message(code) if code in CODES.values() else api_message("InvalidRequest")
        # The layers inside this one set the security headers (CSP, X-Frame-Options, nosniff,
        # Referrer-Policy) on the answer being replaced: the JSON keeps them.
        kept = {
            name: value
            for name, value in response.items()
            if name.lower() not in BODY_HEADERS and name not in headers
        }
        return error_response(request, status, code, message, headers=headers | kept)
