"""Root URLs: the console, the login pages and the Django admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("settings_app.urls")),
]

handler403 = "settings_app.views.errors.permission_denied"
handler404 = "settings_app.views.errors.page_not_found"
handler400 = "settings_app.views.errors.bad_request"
