"""Error answers that a person can act on; for htmx requests, a message and no swap."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRefresh

from ..permissions import NOT_FOUND


def error_response(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """A full error page, or for htmx the message alone, swapped out of band into the page's
    message region while the switch keeps showing the truth (`HX-Reswap: none`)."""
    if getattr(request, "htmx", False):
        html = render_to_string(
            "base.html#messages",
            {"messages": [Message(constants.ERROR, message)], "oob": True},
            request=request,
        )
        response = HttpResponse(html, status=status)
        response["HX-Reswap"] = "none"
    else:
        response = render(
            request, "error.html", {"title": title, "message": message}, status=status
        )
    patch_vary_headers(response, ["HX-Request"])
    return response


def form_errors(form) -> str:
    """What is wrong with a form that did not validate, in a sentence or few, and that nothing
    was changed."""
    errors = " ".join(error for field_errors in form.errors.values() for error in field_errors)
    return f"{errors} Nothing was changed."


def refused_form(request: HttpRequest, form) -> HttpResponse:
    return error_response(request, 400, "Bad request", form_errors(form))


def _message(exception: Exception, default: str) -> str:
    text = str(exception.args[0]) if getattr(exception, "args", None) else ""
    return text if text and not text.startswith(("<", "{")) else default


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(
        request,
        400,
        "Bad request",
        "The request could not be understood. Reload the page and try again.",
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = _message(exception, "You may not change this. Ask an administrator for a role.")
    message = f"{message} Nothing was changed."
    if getattr(request, "htmx", False) and request.user.is_authenticated:
        # The page was drawn when the user could still change this (a role taken away since):
        # reload it, so that every switch on it shows what they may do now, with the reason.
        messages.error(request, message)
        response = HttpResponseClientRefresh()
        response.status_code = 403
        patch_vary_headers(response, ["HX-Request"])
        return response
    return error_response(request, 403, "Not allowed", message)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The same words for a missing object and another tenant's: the console never confirms
    # that an object exists to someone who may not see it.
    message = NOT_FOUND
    if getattr(request, "htmx", False):
        message += " Nothing was changed; reload the page to see what you can reach."
    return error_response(request, 404, "Not found", message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(
        request,
        403,
        "Page expired",
        "This page is out of date or your session has expired. "
        "Reload the page and try again; nothing was changed.",
    )
