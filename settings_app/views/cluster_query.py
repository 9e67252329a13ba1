"""The Clusters list's state as it travels in the address (search, filters, sort, page), the
tiles that link to its filters, and the columns it shows and exports: shared by the list, its
CSV export and its bulk acts, so that what a person sees, exports and acts on is the same set of
clusters."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from .. import rules
from ..models import Cluster, paused_now
from ..permissions.scopes import ConsoleScope
from ..sql import starts_with
from ..wording.fleet import agents_line
from .agent_links import edge_hosts_url, gateways_url
from .paging import Order, address_text

SEARCH_MAX = 63  # a cluster name's longest


@dataclass(frozen=True)
class Sort:
    label: str  # the column's name
    fields: tuple[str, ...]
    nullable: frozenset[str] = frozenset()


# The sortable columns, in the order the table shows them; the first is the default.
SORTS = {
    "name": Sort("Name", ("name", "pk")),
    "project": Sort("Project", ("project__name", "name", "pk")),
    "agent": Sort("Agent version", ("agent_version", "name", "pk")),
    "upgrades": Sort("Agent upgrades", ("agent_upgrades", "name", "pk")),
    "set": Sort("Last set", ("agent_upgrades_set_at", "pk"), frozenset({"agent_upgrades_set_at"})),
}


@dataclass(frozen=True)
class ClusterQuery:
    """Search by the start of a cluster's name, the Paused, Behind, Mixed and Frozen filters,
    and the sort (a column of SORTS, descending when it starts with '-')."""

    q: str = ""
    paused: bool = False
    behind: bool = False
    mixed: bool = False
    frozen: bool = False  # held by a freeze window that has started
    sort: str = "name"
    descending: bool = False

    @classmethod
    def from_query(cls, query: QueryDict) -> ClusterQuery:
        sort = query.get("sort", "")
        descending = sort.startswith("-")
        sort = sort.removeprefix("-")
        if sort not in SORTS:
            sort, descending = "name", False
        return cls(
            q=address_text(query, "q", SEARCH_MAX).lower(),
            paused=query.get("paused") == "1",
            behind=query.get("behind") == "1",
            mixed=query.get("mixed") == "1",
            frozen=query.get("frozen") == "1",
            sort=sort,
            descending=descending,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.paused or self.behind or self.mixed or self.frozen)

    @property
    def order(self) -> Order:
        spec = SORTS[self.sort]
        return Order(spec.fields, self.descending, spec.nullable)

    def params(self, **changes) -> dict[str, str]:
        """The state as query parameters (what the address and every link keep), with
        `changes` applied; empty ones left out."""
        state = {
            "q": self.q,
            "paused": "1" if self.paused else "",
            "behind": "1" if self.behind else "",
            "mixed": "1" if self.mixed else "",
            "frozen": "1" if self.frozen else "",
            "sort": "" if (self.sort, self.descending) == ("name", False) else self.sort_param,
        } | {name: str(value) if value else "" for name, value in changes.items()}
        return {name: value for name, value in state.items() if value}

    def link(self, **changes) -> str:
        return "?" + urlencode(self.params(**changes))

    @property
    def clear_link(self) -> str:
        """The same sort, without search or filters."""
        return self.link(q="", paused="", behind="", mixed="", frozen="")

    @property
    def by_project(self) -> bool:
        """Sorted by project: the clusters are best read through their projects."""
        return self.sort == "project"

    @property
    def sort_param(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort

    def apply(
        self, clusters: QuerySet[Cluster], platform_agent: str, counts: rules.FleetCounts
    ) -> QuerySet[Cluster]:
        if self.q:  # a range of the name index: as fast for 100 clusters as for 100,000
            clusters = clusters.filter(starts_with("name", self.q))
        if self.paused:
            clusters = clusters.filter(paused_now(timezone.now()))
        if self.behind:
            clusters = (
                clusters.exclude(agent_version=platform_agent)
                if platform_agent
                else clusters.none()
            )
        if self.mixed:
            mixed = [p.project_id for p in counts.by_project if 0 < p.paused < p.total]
            # With no mixed project nothing matches; the database is asked all the same, so that
            # the page costs the same statements whatever the fleet holds.
            clusters = clusters.filter(
                Q(project_id__in=mixed) if mixed else Q(project__isnull=True)
            )
        if self.frozen:  # a window holds its value while it runs, and lets go at its end
            clusters = clusters.filter(agent_upgrades_window__isnull=False)
        return clusters

    def known_total(self, counts: rules.FleetCounts) -> int | None:
        """How many clusters match, when the fleet counts already say it."""
        if self.q or self.frozen:
            return None
        if self.mixed:
            if self.paused or self.behind:
                return None
            return sum(p.total for p in counts.by_project if 0 < p.paused < p.total)
        if self.paused and self.behind:
            return counts.paused_behind
        if self.paused:
            return counts.paused
        if self.behind:
            return counts.behind
        return counts.total

    def chips(self) -> list[tuple[str, str]]:
        """What is applied, each with the address that removes it."""
        chips = []
        if self.q:
            chips.append((f"Name starts with “{self.q}”", self.link(q="")))
        for name, label in (
            ("paused", "Paused"),
            ("behind", "Behind"),
            ("mixed", "In mixed projects"),
            ("frozen", "Frozen"),
        ):
            if getattr(self, name):
                chips.append((label, self.link(**{name: ""})))
        return chips


@dataclass(frozen=True)
class Tile:
    """A summary tile: a figure, and the link that filters the list to it."""

    label: str
    count: int
    link: str
    current: bool


def tiles(query: ClusterQuery, counts: rules.FleetCounts, frozen: int) -> list[Tile]:
    """The tiles; `frozen` is how many of the clusters a running freeze window holds."""
    only = {"q": "", "paused": "", "behind": "", "mixed": "", "frozen": ""}
    found = [
        Tile("Clusters", counts.total, query.link(**only), not query.filtered),
        Tile(
            "Paused",
            counts.paused,
            query.link(**(only | {"paused": "1"})),
            query.params(sort="") == {"paused": "1"},
        ),
        Tile(
            "Behind",
            counts.behind,
            query.link(**(only | {"behind": "1"})),
            query.params(sort="") == {"behind": "1"},
        ),
        Tile(
            "Frozen",
            frozen,
            query.link(**(only | {"frozen": "1"})),
            query.params(sort="") == {"frozen": "1"},
        ),
    ]
    # Projects whose clusters are partly paused, counted as projects; the filter shows their
    # clusters.
    mixed = [p for p in counts.by_project if p.mixed]
    if mixed:
        found.append(
            Tile(
                "Mixed projects",
                len(mixed),
                query.link(**(only | {"mixed": "1"})),
                query.params(sort="") == {"mixed": "1"},
            )
        )
    return found


def other_agents(console: ConsoleScope, counts: rules.FleetCounts) -> list[tuple[str, str]]:
    """The summary's lines for the scope's gateways (a tenant's) and idle Edge hosts, each with
    the link to their list; none for a kind the scope has none of."""
    lines = []
    if counts.gateways.total:
        gateways = agents_line(counts.gateways, "gateway")
        lines.append((gateways, gateways_url(console.tenant.pk)))
    if counts.idle_hosts.total:
        hosts = agents_line(counts.idle_hosts, "Edge host") + " (not in a cluster)"
        lines.append((hosts, edge_hosts_url(console.ref)))
    return lines
