"""Landing, the Scope switcher, and what every full page shows around its content."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from ..permissions import landing_scope, scope_choices, scope_for_user
from ..permissions.roles import roles_for
from ..permissions.scopes import ConsoleScope, ScopeConverter
from ..wording import LOGGED_OUT


def page_context(request: HttpRequest, console: ConsoleScope | None, current: str) -> dict:
    """The Main Menu and the Scope switcher; fragments don't need them. A page outside any
    scope (Platform Upgrades) has the switcher and no Main Menu."""
    if console is None:
        return {"current_page": current, "scope_choices": scope_choices(roles_for(request.user))}
    return {
        "console": console,
        "main_menu": console.main_menu(),
        "current_page": current,
        "scope_choices": scope_choices(console.roles),
    }


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Land in the widest scope the user holds."""
    ref = landing_scope(roles_for(request.user))
    if ref is None:
        return render(request, "settings_app/no_roles.html")
    return redirect("cluster_list", ref)


@login_required
@require_GET
def switch_scope(request: HttpRequest) -> HttpResponse:
    """The Scope switcher's form: go to the Clusters page of the chosen scope."""
    try:
        ref = ScopeConverter().to_python(request.GET.get("scope", ""))
    except ValueError:
        return redirect("home")
    scope_for_user(request.user, ref)  # 404 for a scope the user may not open
    url = reverse("cluster_list", args=[ref])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


class LoginForm(AuthenticationForm):
    """Django's login form, holding the user name to the length a user name has (Django sets
    only the field's maxlength, which a browser keeps and a script need not): a longer one is
    refused before anyone is asked, or counted among failed logins."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LogoutView(auth_views.LogoutView):
    """Log out, and say so on the login page that follows."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, LOGGED_OUT)  # kept in a cookie: the session is gone
        return response
