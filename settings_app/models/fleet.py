"""Each project's clusters counted, kept true by the model layer on every write of clusters.

Summaries read one `ProjectFleet` row per project instead of counting clusters, so a page costs
the same for a hundred clusters or a hundred thousand. Nobody has to remember to update the rows:
`Cluster.save()` and `delete()`, and the cluster queryset's `update()` (and so
`bulk_update()`), `delete()` and `bulk_create()` recount the projects they touched in the same transaction; a platform release
(which changes what "behind" means) recounts every project.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.db import models, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from ..sql import insert_select, where_mentions
from .setting import AgentUpgrades, Via

# What a row counts, in the order readers sum them.
FLEET_COUNTS = (
    "clusters",
    "paused",
    "behind",
    "paused_behind",
    "paused_with_end",
    "set_on_cluster",
    "set_on_project",
)
# Inside `recounting_every_project()`: the writes leave the counting to its end.
_recount_at_end: ContextVar[bool] = ContextVar("recount_at_end", default=False)


class ProjectFleet(models.Model):
    """A project's clusters counted. `paused` counts stored pauses; readers subtract those whose
    end has passed. `behind` is against the platform's agent version named in `agent_version`."""

    project = models.OneToOneField(
        "settings_app.Project", on_delete=models.CASCADE, primary_key=True, related_name="fleet"
    )
    clusters = models.PositiveIntegerField(default=0)
    paused = models.PositiveIntegerField(default=0)
    behind = models.PositiveIntegerField(default=0)
    paused_behind = models.PositiveIntegerField(default=0)
    paused_with_end = models.PositiveIntegerField(default=0)  # pauses that may end by themselves
    set_on_cluster = models.PositiveIntegerField(default=0)
    set_on_project = models.PositiveIntegerField(default=0)
    agent_version = models.CharField(max_length=32, blank=True)  # the platform's, when counted

    def __str__(self) -> str:
        return f"{self.project}: {self.clusters} clusters"


def current_agent_subquery() -> Subquery:
    """The platform's current agent version, as SQL (NULL before the first release)."""
    release = apps.get_model("settings_app", "PlatformRelease")
    return Subquery(release.objects.order_by("-released_at", "-id").values("agent_version")[:1])


def recount(
    projects: QuerySet | Iterable[int] | None = None, *, prune: bool = False, using: str = "default"
) -> list[dict]:
    """Rewrite the fleet rows of these projects (a queryset of ids, or ids; every project when
    None) from their clusters: one upsert, whatever their number. `prune` also drops the rows
    of those projects that have no cluster left. Returns the rows written, as dicts."""
    if _recount_at_end.get() or (isinstance(projects, (set, list, tuple)) and not projects):
        return []
    cluster = apps.get_model("settings_app", "Cluster")
    clusters = cluster.objects.using(using).filter(project__isnull=False)
    rows = ProjectFleet.objects.using(using).all()
    if projects is not None:
        clusters = clusters.filter(project__in=projects)
        rows = rows.filter(project__in=projects)
    if prune:
        rows.exclude(project__in=clusters.values("project_id")).delete()
    agent = current_agent_subquery()
    return insert_select(
        ProjectFleet,
        clusters.values("project_id"),
        project_id=F("project_id"),
        **count_columns(behind=~Q(agent_version=agent)),  # NULL before a release: never behind
        agent_version=Coalesce(agent, Value("")),
        on_conflict="project_id",
        returning=("project_id", *FLEET_COUNTS),
    )


def count_columns(behind: Q) -> dict:
    """What a fleet row counts, as aggregates over a project's clusters; `behind` says which
    agents are behind the platform's."""
    lock = Q(agent_upgrades=AgentUpgrades.LOCK)
    return {
        "clusters": Count("pk"),
        "paused": Count("pk", filter=lock),
        "behind": Count("pk", filter=behind),
        "paused_behind": Count("pk", filter=lock & behind),
        "paused_with_end": Count("pk", filter=lock & Q(agent_upgrades_until__isnull=False)),
        "set_on_cluster": Count("pk", filter=Q(agent_upgrades_set_via=Via.CLUSTER)),
        "set_on_project": Count("pk", filter=Q(agent_upgrades_set_via=Via.PROJECT)),
    }


# What a cluster's row counts for in its project's fleet row.
COUNTED = ("agent_upgrades", "agent_upgrades_until", "agent_upgrades_set_via", "agent_version")


def _moved(before: dict, after: dict) -> dict:
    """The fleet row's columns, as expressions, once one cluster counts as in `after` instead of
    as in `before`. Whether its agent is behind is the row's question: against the agent
    version the row was counted with (none before the first release: never behind)."""

    def paused(state: dict) -> bool:
        return state["agent_upgrades"] == AgentUpgrades.LOCK

    def plain(state: dict) -> dict[str, int]:
        return {
            "paused": int(paused(state)),
            "paused_with_end": int(paused(state) and state["agent_upgrades_until"] is not None),
            "set_on_cluster": int(state["agent_upgrades_set_via"] == Via.CLUSTER),
            "set_on_project": int(state["agent_upgrades_set_via"] == Via.PROJECT),
        }

    def behind(state: dict) -> Case:
        version = state["agent_version"]
        never = Q(agent_version="") | Q(agent_version=version)
        return Case(When(never, then=Value(0)), default=Value(1))

    was, will = plain(before), plain(after)
    moved = {
        name: F(name) + Value(will[name] - was[name]) for name in was if will[name] != was[name]
    }
    if before["agent_version"] != after["agent_version"]:
        moved["behind"] = F("behind") + behind(after) - behind(before)
    if "behind" in moved or paused(before) != paused(after):
        then, now = (behind(state) if paused(state) else Value(0) for state in (before, after))
        moved["paused_behind"] = F("paused_behind") + now - then
    return moved


@contextmanager
def recounting_every_project(using: str = "default") -> Iterator[None]:
    """For a write that changes many projects' counts (a release): the writes inside leave the
    counting to the end, where every project is recounted once, in the same transaction."""
    if _recount_at_end.get():  # already inside one: its end recounts
        yield
        return
    with transaction.atomic(using=using, savepoint=False):
        token = _recount_at_end.set(True)
        try:
            yield
        finally:
            _recount_at_end.reset(token)
        recount(using=using)


class ClusterQuerySet(QuerySet):
    """Cluster writes that keep their projects' fleet rows true, in the same transaction."""

    def update(self, **values) -> int:
        return self.update_and_recount(**values)[0]

    def update_and_recount(self, **values) -> tuple[int, list[dict]]:
        """`update()`, and the fleet rows it rewrote (what a push reports without a re-read)."""
        if _recount_at_end.get():
            return super().update(**values), []
        with transaction.atomic(using=self.db, savepoint=False):
            moves = "project" in values or "project_id" in values
            columns = [self.model._meta.get_field(name).column for name in values]
            if moves or where_mentions(self, columns):
                # The filter may not find the same rows after the update: note them before.
                touched = set(self.values_list("project_id", flat=True).order_by().distinct())
                written = super().update(**values)
                if moves:  # the projects they went to: named, or wherever an expression sent them
                    to = values.get("project_id", values.get("project"))
                    if isinstance(to, int | models.Model):
                        touched.add(getattr(to, "pk", to))
                    touched |= set(self.values_list("project_id", flat=True).order_by().distinct())
                return written, recount(touched, prune=moves, using=self.db)
            written = super().update(**values)
            return written, recount(self.values("project_id"), using=self.db)

    def update_in_hand(self, cluster: models.Model, after: dict, **values) -> int:
        """`update()` of one cluster, read afresh in this transaction and in hand: its project's
        fleet row moves by the difference between what the cluster counted for and what it will
        (`after`: its COUNTED fields once written), rather than being recounted."""
        with transaction.atomic(using=self.db, savepoint=False):
            written = super().update(**values)
            if written and not _recount_at_end.get() and cluster.project_id is not None:
                before = {name: getattr(cluster, name) for name in COUNTED}
                moved = _moved(before, after)
                if moved:
                    rows = ProjectFleet.objects.using(self.db).filter(project_id=cluster.project_id)
                    rows.update(**moved)
            return written

    def delete(self):
        with transaction.atomic(using=self.db, savepoint=False):
            touched = set(self.values_list("project_id", flat=True).order_by().distinct())
            deleted = super().delete()
            recount(touched, prune=True, using=self.db)
        return deleted

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            recount({obj.project_id for obj in objs}, using=self.db)
        return created

    # bulk_update() writes through update(), filtered by primary key: nothing to add.
