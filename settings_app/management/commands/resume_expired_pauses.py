"""Resume the pauses whose end has passed (meant for cron): their agents catch up."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from settings_app import rules
from settings_app.wording.releases import expiry_message


class Command(BaseCommand):
    help = (
        "Resume every tenant, project and cluster whose 'pause until' has passed, and upgrade the "
        "agents those pauses held back. Safe to run as often as you like (e.g. every minute)."
    )

    def handle(self, *args, **options):
        expiry = rules.resume_expired_pauses()
        for kind, names in (
            ("Tenant", expiry.tenants),
            ("Project", expiry.projects),
            ("Cluster", expiry.clusters),
        ):
            for name in names:
                self.stdout.write(f"  {kind} {name}: pause ended, resumed")
        self.stdout.write(expiry_message(expiry))
