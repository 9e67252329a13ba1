"""Load the demo tenants, projects, clusters and one user per role (DESIGN.md §5); with
--fleet N, N more clusters of Acme to page through, act on in bulk and see Mixed."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from settings_app import rules
from settings_app.models import AgentUpgrades, Cluster, PlatformRelease, Project, Scope, Tenant

FIRST_RELEASE = "4.7.2"
DEMO_PASSWORD = "palette-demo"
TENANTS = {
    "Acme": {"Default": ["prod-east", "prod-west", "staging"], "Edge": ["edge-01", "edge-02"]},
    "Globex": {"Default": ["globex-main"]},
}
# Acme's Private Cloud Gateway, and its Edge hosts: (project, host, the cluster it is part of).
GATEWAYS = {"Acme": ["pcg-vsphere"]}
EDGE_HOSTS = {"Acme": [("Edge", "edge-host-01", "edge-01"), ("Edge", "edge-host-02", None)]}
# username, role, permission, (tenant, project, cluster) naming the object the role is held on
USERS = [
    ("tenant-admin", "Tenant Admin", "administer_tenant", ("Acme", None, None)),
    ("project-admin", "Project Admin", "administer_project", ("Acme", "Default", None)),
    ("cluster-admin", "Cluster Admin", "administer_cluster", ("Acme", "Default", "prod-east")),
    ("viewer", "Project Viewer", "view_project", ("Acme", "Default", None)),
    ("globex-admin", "Tenant Admin", "administer_tenant", ("Globex", None, None)),
]

# --fleet: Acme's projects that hold it, in turn (cluster i goes to project i mod 3), the name
# of their clusters and how each is set. Paused: the project is paused, so its clusters take the
# pause (rule 5), and one in four has an agent held back from before the platform's. Mixed: an
# active project where the Tenant Admin paused one cluster in five, in one bulk act, half of
# those held back. Active: nothing paused, every agent current.
FLEET_PROJECTS = [("Retail", "retail", "paused"), ("Factory", "factory", "active")]
FLEET_PROJECTS += [("Lab", "lab", "mixed")]
FLEET_REASON = "Holiday freeze: stores run unattended until January"
FLEET_MIXED_REASON = "Soak test of the current agent"
FLEET_AGENT_HELD_BACK = "4.6.3"  # older than any release; only paused agents are held back
FLEET_LARGEST = 999_999  # cluster names carry six digits


def fleet_cluster_name(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


def counted(counts: Counter) -> str:
    """'2 tenants, 3 projects and 6 clusters'."""
    parts = [
        f"{counts[kind]} {kind}{'' if counts[kind] == 1 else 's'}"
        for kind in ("tenant", "project", "cluster", "gateway", "Edge host")
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
        parser.add_argument(
            "--fleet",
            type=int,
            default=0,
            metavar="N",
            help="Also give Acme N clusters over projects Retail (paused), Factory (active) "
            "and Lab (mixed), some behind the platform's agent; creates only those missing.",
        )

    @transaction.atomic
    def handle(self, *args, password: str, reset: bool, fleet: int, **options):
        if not 0 <= fleet <= FLEET_LARGEST:
            raise CommandError(f"--fleet must be from 0 to {FLEET_LARGEST:,}, not {fleet}.")
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
            self._gateways_and_hosts(tenant, release, created, existed)

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
        if fleet:
            self._fleet(fleet)
        self.stdout.write(self.style.SUCCESS("Log in at /login/ with any of these users."))

    def _fleet(self, size: int) -> None:
        """N clusters of Acme in a fixed number of statements: created in bulk with their
        project's value (rule 5), then one bulk act pauses some of Lab's, as a click would."""
        acme = Tenant.objects.get(name="Acme")
        admin = User.objects.get(username="tenant-admin")
        created = existed = 0
        for index, (name, prefix, kind) in enumerate(FLEET_PROJECTS):
            project, new = Project.objects.get_or_create(tenant=acme, name=name)
            if new and kind == "paused":
                pause = rules.Pause(reason=FLEET_REASON)
                rules.push_project(project, AgentUpgrades.LOCK, actor=admin, pause=pause)
                project.refresh_from_db()
            numbers = range(index + 1, size + 1, len(FLEET_PROJECTS))
            there = set(project.clusters.values_list("name", flat=True))
            missing = [n for n in numbers if fleet_cluster_name(prefix, n) not in there]
            existed += len(numbers) - len(missing)
            created += len(missing)
            template = Cluster(project=project, tenant_id=acme.pk)
            rules.take_project_setting(template)  # the project's value, the platform's agent
            to_pause = [n for n in missing if kind == "mixed" and n % 5 == 0]
            held_back = {n for n in missing if n % 4 == 0} if kind == "paused" else set()
            held_back |= {n for n in to_pause if n % 2 == 0}
            clusters = []
            for number in missing:
                cluster = Cluster(
                    project=project,
                    tenant_id=acme.pk,
                    name=fleet_cluster_name(prefix, number),
                    agent_version=FLEET_AGENT_HELD_BACK
                    if number in held_back
                    else template.agent_version,
                )
                cluster.copy_setting_from(template)
                clusters.append(cluster)
            Cluster.objects.bulk_create(clusters, batch_size=2000)  # recounts the project
            if to_pause:
                names = [fleet_cluster_name(prefix, n) for n in to_pause]
                rules.set_clusters(
                    rules.Selection(
                        Cluster.objects.filter(project=project, name__in=names),
                        drawn_at=timezone.now(),
                    ),
                    AgentUpgrades.LOCK,
                    tenant=acme,
                    changeable=Cluster.objects.filter(tenant=acme),  # a Tenant Admin's
                    actor=admin,
                    pause=rules.Pause(reason=FLEET_MIXED_REASON),
                    scope=Scope.PROJECT,
                    project_id=project.pk,
                )
        if not created:
            self.stdout.write(f"Fleet: nothing to create: {existed} clusters were already there.")
        elif existed:
            self.stdout.write(f"Fleet: created {created} clusters; {existed} were already there.")
        else:
            self.stdout.write(f"Fleet: created {created} clusters in Acme.")

    def _gateways_and_hosts(self, tenant, release, created: Counter, existed: Counter) -> None:
        existing = set(tenant.gateways.values_list("name", flat=True))
        for name in GATEWAYS.get(tenant.name, []):
            if name in existing:
                existed["gateway"] += 1
            else:
                rules.new_gateway(tenant, name, agent_version=release.agent_version)
                created["gateway"] += 1
        existing = set(tenant.edge_hosts.values_list("name", flat=True))
        for project_name, name, cluster_name in EDGE_HOSTS.get(tenant.name, []):
            if name in existing:
                existed["Edge host"] += 1
                continue
            project = tenant.projects.get(name=project_name)
            cluster = project.clusters.get(name=cluster_name) if cluster_name else None
            rules.new_edge_host(project, name, cluster=cluster, agent_version=release.agent_version)
            created["Edge host"] += 1

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
