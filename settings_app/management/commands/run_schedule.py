"""The scheduler: start and end freeze windows, end the pauses whose end has passed, deliver notices."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from settings_app import rules
from settings_app.rules.schedule import run_notices, run_windows
from settings_app.wording.releases import expiry_message


class Command(BaseCommand):
    help = (
        "Start and end the freeze windows that are due (each exactly once, even with two "
        "schedulers running), catch up on those missed while it was down, resume the "
        "pauses whose end has passed, then deliver the notices due. --once for cron every minute; --every SECONDS to run as "
        "a service."
    )

    def add_arguments(self, parser):
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--once", action="store_true", help="one pass, then exit (default)")
        how.add_argument(
            "--every", type=float, metavar="SECONDS", help="a pass every SECONDS, until stopped"
        )
        parser.add_argument(
            "--passes", type=int, default=0, metavar="N", help="with --every: stop after N passes"
        )

    def handle(self, *args, once=False, every=None, passes=0, **options):
        if every is not None and every <= 0:
            raise CommandError("--every takes a number of seconds above 0, such as 60.")
        done = 0
        while True:
            self.run_once()
            done += 1
            if every is None or (passes and done >= passes):
                return
            time.sleep(every)

    def run_once(self) -> None:
        run = run_windows()
        if run.started or run.ended or run.skipped:
            missed = " (missed while the scheduler was down)" if run.skipped else ""
            self.stdout.write(
                f"Freeze windows: {run.started} started, {run.ended} ended, "
                f"{run.skipped} skipped{missed}."
            )
        self.stdout.write(expiry_message(rules.resume_expired_pauses()))
        reminders, run = run_notices()
        if reminders or run.sent or run.retrying or run.failed:
            self.stdout.write(
                f"Notices: {reminders} written, {run.sent} delivered, {run.retrying} to retry, "
                f"{run.failed} failed."
            )
