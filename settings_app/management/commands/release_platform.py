"""Release a platform version and roll its agent out to every cluster that is not paused."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from settings_app import rules
from settings_app.wording.releases import expiry_message


class Command(BaseCommand):
    help = (
        "Make VERSION the platform's current release and upgrade the agent of every cluster whose "
        "agent upgrades are active; paused clusters are held back. Prints what it did, by project."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", help="The new platform version, e.g. 4.8.0.")
        parser.add_argument(
            "--agent-version", default="", help="The agent version it ships (default: VERSION)."
        )

    def handle(self, *args, version: str, agent_version: str, **options):
        try:
            rollout = rules.release_platform(version, agent_version=agent_version)
        except rules.InvalidRelease as refused:
            raise CommandError(str(refused)) from refused
        release = rollout.release
        before = f" (was {rollout.previous.version})" if rollout.previous else ""
        self.stdout.write(
            f"Released platform {release.version}{before} with agent {release.agent_version}."
        )
        if rollout.resumed.clusters:
            self.stdout.write(expiry_message(rollout.resumed))
        for project in rollout.by_project:
            self.stdout.write(
                f"  {project.tenant} / {project.project}: {project.upgraded} upgraded, "
                f"{project.held_back} held back"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{rollout.upgraded} agents upgraded to {release.agent_version}, "
                f"{rollout.held_back} held back by a pause."
            )
        )
