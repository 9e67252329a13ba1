"""The console's one Django app."""

import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def use_write_ahead_log(sender, connection, **kwargs):
    """Switch a SQLite file to WAL the first time it is opened; the mode stays in the file.

    Only when it is not WAL yet: changing the journal mode takes a lock that does not wait its
    turn, so asking for it on every connection failed when several opened at once. When a new
    file is opened by several connections at once, one of them switches it; the others find it
    locked and go on (the next connection finds it in WAL, or switches it).
    """
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    (mode,) = connection.connection.execute("PRAGMA journal_mode").fetchone()
    if mode.lower() != "wal":
        try:
            connection.connection.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise


class SettingsAppConfig(AppConfig):
    name = "settings_app"
    verbose_name = "Agent upgrade settings"

    def ready(self):
        connection_created.connect(use_write_ahead_log, dispatch_uid="settings_app.wal")
