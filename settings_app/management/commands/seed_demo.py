"""Load the demo tenants, projects, clusters and one user per role (DESIGN.md §5)."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from guardian.shortcuts import assign_perm

from settings_app import rules
from settings_app.models import Cluster, PlatformRelease, Project, Tenant

FIRST_RELEASE = "4.7.2"
DEMO_PASSWORD = "palette-demo"
TENANTS = {
    "Acme": {"Default": ["prod-east", "prod-west", "staging"], "Edge": ["edge-01", "edge-02"]},
    "Globex": {"Default": ["globex-main"]},
}
# username, role, permission, (tenant, project, cluster) naming the object the role is held on
USERS = [
    ("tenant-admin", "Tenant Admin", "administer_tenant", ("Acme", None, None)),
    ("project-admin", "Project Admin", "administer_project", ("Acme", "Default", None)),
    ("cluster-admin", "Cluster Admin", "administer_cluster", ("Acme", "Default", "prod-east")),
    ("viewer", "Project Viewer", "view_project", ("Acme", "Default", None)),
    ("globex-admin", "Tenant Admin", "administer_tenant", ("Globex", None, None)),
]


def counted(counts: Counter) -> str:
    """'2 tenants, 3 projects and 6 clusters'."""
    parts = [
        f"{counts[kind]} {kind}{'' if counts[kind] == 1 else 's'}"
        for kind in ("tenant", "project", "cluster")
        if counts[kind]
    ]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def created_and_existing(created: Counter, existed: Counter) -> str:
    """What this run created and what was there before it, as it happened."""
    if not +existed:
        return f"Created {counted(created)}."
    if not +created:
        return f"Nothing to create: {counted(existed)} were already there."
    return f"Created {counted(created)}; {counted(existed)} were already there."


class Command(BaseCommand):
    help = (
        "Create the demo data: tenants Acme and Globex, their projects and clusters, the first "
        "platform release and one user per role. Creates only what is missing; --reset starts over."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help=f"Password for demo users created now (default: {DEMO_PASSWORD}).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo tenants, users, role groups and releases first.",
        )

    @transaction.atomic
    def handle(self, *args, password: str, reset: bool, **options):
        if reset:
            self._reset()
        release, new_release = PlatformRelease.objects.get_or_create(
            version=FIRST_RELEASE, defaults={"agent_version": FIRST_RELEASE}
        )
        created, existed = Counter(), Counter()
        for tenant_name, projects in TENANTS.items():
            tenant, new = Tenant.objects.get_or_create(name=tenant_name)
            (created if new else existed)["tenant"] += 1
            for project_name, cluster_names in projects.items():
                project, new = Project.objects.get_or_create(tenant=tenant, name=project_name)
                (created if new else existed)["project"] += 1
                existing = set(project.clusters.values_list("name", flat=True))
                for name in cluster_names:
                    if name in existing:
                        existed["cluster"] += 1
                    else:
                        rules.new_cluster(project, name, agent_version=release.agent_version)
                        created["cluster"] += 1

        state = "created" if new_release else "already there"
        self.stdout.write(
            f"Platform release {release.version} (agent {release.agent_version}): {state}."
        )
        self.stdout.write(created_and_existing(created, existed))
        self.stdout.write("Demo users:")
        for username, role, permission, path in USERS:
            user, new_user = User.objects.get_or_create(username=username)
            if new_user:
                user.set_password(password)
                user.save(update_fields=["password"])
            target = self._find(*path)
            group, _ = Group.objects.get_or_create(
                name=self._group_name((username, role, permission, path))
            )
            assign_perm(f"settings_app.{permission}", group, target)
            user.groups.add(group)
            note = f"password {password}" if new_user else "existing user, password unchanged"
            self.stdout.write(
                f"  {username:<14} {role} of {' / '.join(filter(None, path))} ({note})"
            )
        self.stdout.write(self.style.SUCCESS("Log in at /login/ with any of these users."))

    def _find(self, tenant: str, project: str | None, cluster: str | None):
        if cluster:
            return Cluster.objects.get(
                project__tenant__name=tenant, project__name=project, name=cluster
            )
        if project:
            return Project.objects.get(tenant__name=tenant, name=project)
        return Tenant.objects.get(name=tenant)

    def _reset(self) -> None:
        Tenant.objects.filter(name__in=TENANTS).delete()  # projects, clusters, grants, audit
        User.objects.filter(username__in=[u[0] for u in USERS]).delete()
        Group.objects.filter(name__in=[self._group_name(u) for u in USERS]).delete()
        PlatformRelease.objects.all().delete()
        self.stdout.write("Removed the demo tenants, users, role groups and platform releases.")

    @staticmethod
    def _group_name(user_row) -> str:
        _, role, _, path = user_row
        return f"{' / '.join(filter(None, path))} · {role}"
