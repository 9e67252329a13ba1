"""Root URLs: the console, the login pages, the Django admin and the API (/v1/)."""

from django.contrib import admin
from django.urls import include, path

from settings_app.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("v1/", api.urls),
    path("", include("settings_app.urls")),
]

handler403 = "settings_app.views.errors.permission_denied"
handler404 = "settings_app.views.errors.page_not_found"
handler400 = "settings_app.views.errors.bad_request"
