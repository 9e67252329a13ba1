"""The Clusters list's Frozen tile, filter and badge: the clusters whose value a running freeze
window holds, named on each row, and the same set in the CSV export."""

# ruff: noqa: F811 (the `window` fixture, imported, is each test's argument)
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from settings_app import rules
from settings_app.models import AgentUpgrades
from settings_app.rules.schedule import run_windows
from tests.html import parse
from tests.unit.test_freeze_windows import window  # noqa: F401 (a fixture)
from tests.views.test_cluster_list import names, tenant_clusters, tiles
from tests.views.test_csv_export import rows_of


def figures(page) -> dict[str, str]:
    stats = page.find("dl", class_="stats")
    return {div.find("dt").text: div.find("dd").text for div in stats.find_all("div")}


def freeze_default(window, clock, demo):
    held = window(demo.default, name="Launch")
    clock.advance(hours=1)
    run_windows()
    return held


def test_the_frozen_tile_counts_the_clusters_a_running_window_holds(
    demo,
    window,
    clock,
    client_for,
):
    freeze_default(window, clock, demo)

    page = parse(client_for("tenant-admin").get(tenant_clusters(demo)))

    assert figures(page)["Frozen"] == "3"  # Default's three; Edge's two are not held
    assert "frozen=1" in tiles(page)["Frozen"]


def test_the_frozen_filter_lists_only_held_clusters_each_badged_with_its_window(
    demo,
    window,
    clock,
    client_for,
):
    freeze_default(window, clock, demo)

    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"frozen": "1"}))

    assert sorted(names(page)) == ["prod-east", "prod-west", "staging"]
    badges = page.find_all("span", class_="badge badge-frozen")
    assert len(badges) == 3
    assert all(b.text == "Frozen by freeze window Launch" for b in badges)
    assert page.find("a", aria_current="true").text == "Frozen"


def test_a_cluster_a_person_resumed_during_the_window_is_no_longer_frozen(
    demo,
    window,
    clock,
    client_for,
    admin,
):
    freeze_default(window, clock, demo)
    rules.set_cluster(demo.prod_east, AgentUpgrades.UNLOCK, actor=admin)

    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"frozen": "1"}))

    assert sorted(names(page)) == ["prod-west", "staging"]
    assert figures(page)["Frozen"] == "2"


def test_nothing_is_frozen_after_the_window_ends(demo, window, clock, client_for):
    freeze_default(window, clock, demo)
    clock.advance(hours=2)
    run_windows()

    page = parse(client_for("tenant-admin").get(tenant_clusters(demo), {"frozen": "1"}))

    assert names(page) == []
    assert figures(page)["Frozen"] == "0"
    assert not page.find_all("span", class_="badge badge-frozen")


def test_the_csv_export_holds_the_same_frozen_clusters_as_the_page(
    demo,
    window,
    clock,
    client_for,
):
    from django.urls import reverse

    from settings_app.permissions.scopes import ScopeRef

    freeze_default(window, clock, demo)
    url = reverse("cluster_list_csv", args=[ScopeRef("tenants", demo.acme.pk)])

    rows = rows_of(client_for("tenant-admin").get(url, {"frozen": "1"}))

    assert sorted(row["name"] for row in rows) == ["prod-east", "prod-west", "staging"]


def test_the_frozen_list_costs_the_same_statements_for_three_or_forty_three_held_clusters(
    demo,
    window,
    clock,
    client_for,
):
    freeze_default(window, clock, demo)
    client = client_for("tenant-admin")

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(tenant_clusters(demo), {"frozen": "1"}).status_code == 200
        return len(queries)

    few = cost()
    for number in range(40):  # added to the held project: they take its paused value
        rules.new_cluster(demo.default, f"worker-{number:02d}")
    assert cost() == few
