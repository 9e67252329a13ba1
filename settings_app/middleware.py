"""Send a request whose session has expired to the login page (an htmx one as a full-page
navigation, not into the switch), and say there when the change it carried was not saved; keep
the browser's copies of private pages as short as they must be; and answer a missing page with
the console's own 404 in debug mode too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from .views.errors import page_not_found

# The login page's flag: the request that led there carried a change, which was not saved.
UNSAVED = "unsaved"


class HtmxLoginRedirectMiddleware:
    """`login_required` answers a redirect to the login page. Followed by htmx, that page would be
    swapped into the switch; and for a POST, `next` would point at an endpoint that only takes
    POST. So the redirect goes back to the page the user was on, as a full-page navigation.
    A change (any request but a GET) was not made: the login page is told so (`unsaved=1`) and
    asks the user to make it again, rather than let them believe it was saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        login_path = resolve_url(settings.LOGIN_URL)
        if response.status_code != 302 or urlsplit(response["Location"]).path != login_path:
            return response
        if request.method not in ("GET", "HEAD"):
            came_from = request.headers.get("HX-Current-URL") or request.headers.get("Referer")
            next_url = parse_qs(urlsplit(response["Location"]).query).get("next", [""])[0]
            if came_from and url_has_allowed_host_and_scheme(
                came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                parts = urlsplit(came_from)
                next_url = parts.path + (f"?{parts.query}" if parts.query else "")
            query = {"next": next_url} if next_url else {}
            response["Location"] = f"{login_path}?{urlencode(query | {UNSAVED: '1'})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(response["Location"])
        return response


class PrivatePagesMiddleware:
    """What a browser may keep of a logged-in user's answers. Full pages (a GET, not htmx) are
    `private, no-cache`: never in a shared cache, revalidated on every load, yet kept for Back
    and Forward so that history stays usable. Everything else (htmx fragments, the answers to
    changes, errors and redirects) is `no-store`: kept nowhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.has_header("Cache-Control") or not (user and user.is_authenticated):
            return response
        full_page = (
            request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(request, "htmx", False)
        )
        response["Cache-Control"] = "private, no-cache" if full_page else "no-store"
        return response


class NotFoundInDebugMiddleware:
    """In debug mode Django answers a missing page with its technical 404, which lists every URL
    pattern, instead of `handler404`; the console answers with its own page (or, for htmx, its
    message) whether debug is on or off. After CommonMiddleware, which still adds a missing
    slash, and after the middleware that the page needs (session, user, messages, htmx)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:  # an address that no view serves never reaches process_exception
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as missing:
                return page_not_found(request, missing)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
