"""Make an API key for a user in a tenant, for scripts and tests; the key alone on the last line."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from settings_app.models import ApiKey
from settings_app.permissions import key_tenants

LONGEST_DAYS = 365


class Command(BaseCommand):
    help = (
        "Create an API key for USERNAME in the tenant --tenant, where the user must hold a role, "
        "and print it (alone on the last line: it is shown only this once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--tenant", required=True, help="The tenant's name.")
        parser.add_argument("--name", default="command-line", help="The key's name.")
        parser.add_argument(
            "--days", type=int, default=30, help=f"Days until it expires (1 to {LONGEST_DAYS})."
        )

    def handle(self, *args, username: str, tenant: str, name: str, days: int, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user {username!r}.")
        if not 1 <= days <= LONGEST_DAYS:
            raise CommandError(f"--days must be from 1 to {LONGEST_DAYS}, not {days}.")
        allowed = key_tenants(user)
        found = allowed.filter(name=tenant).first()
        if found is None:
            choices = ", ".join(t.name for t in allowed) or "none"
            raise CommandError(
                f"{username} holds no role in a tenant named {tenant!r} (theirs: {choices})."
            )
        # Audited as made on the command line (no actor): the act of whoever runs manage.py.
        row, key = ApiKey.issue(
            user, found, name.strip() or "command-line", timezone.now() + timedelta(days=days)
        )
        self.stdout.write(
            f"API key {row.name} ({row.prefix}…) for {username} in tenant {found.name}, "
            f"expires {row.expires_at:%Y-%m-%d %H:%M} UTC. It is shown only now:"
        )
        self.stdout.write(key)
