"""The console's one Django app."""

from django.apps import AppConfig


class SettingsAppConfig(AppConfig):
    name = "settings_app"
    verbose_name = "Agent upgrade settings"
