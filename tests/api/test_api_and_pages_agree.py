"""The API and the pages are two ways into the same rules: rule 2 holds through the API exactly
as through the pages, and a change made on either side shows on the other with where it came
from ("… · via API key ci-freeze" on the pages; setBy and the audit trail in the API)."""

from __future__ import annotations

from django.urls import reverse

from settings_app.models import AgentUpgrades, Cluster
from settings_app.permissions.scopes import ScopeRef
from tests.html import parse

from .conftest import body_of

LOCK, UNLOCK = AgentUpgrades.LOCK, AgentUpgrades.UNLOCK
SETTINGS = "/v1/spectroclusters/upgrade/settings"


def value(cluster) -> str:
    return Cluster.objects.get(pk=cluster.pk).agent_upgrades


def test_rule_2_through_the_api_a_push_again_removes_the_override(demo, key_for, palette):
    client = palette(key_for("tenant-admin"))
    cluster_url = f"/v1/spectroclusters/{demo.prod_east.uid}/upgrade/settings"

    client.post(SETTINGS, {"spectroComponents": "lock"})
    client.post(cluster_url, {"spectroComponents": "unlock"})
    assert value(demo.prod_east) == UNLOCK  # the override
    assert value(demo.prod_west) == LOCK
    client.post(SETTINGS, {"spectroComponents": "lock"})

    assert value(demo.prod_east) == LOCK  # the override is gone
    assert body_of(client.get(cluster_url))["setVia"] == "tenant"


def test_rule_2_through_the_pages_gives_the_same_values(demo, key_for, palette, client_for):
    page = client_for("tenant-admin")
    project = ScopeRef("projects", demo.default.pk)

    page.post(reverse("change_tenant_agent_upgrades", args=[demo.acme.pk]), {"value": "lock"})
    page.post(
        reverse("change_cluster_agent_upgrades", args=[project, demo.prod_east.pk]),
        {"value": "unlock"},
    )
    page.post(reverse("change_tenant_agent_upgrades", args=[demo.acme.pk]), {"value": "lock"})

    assert set(
        Cluster.objects.filter(tenant=demo.acme).values_list("agent_upgrades", flat=True)
    ) == {LOCK}


def test_a_change_through_the_api_shows_on_the_pages_with_the_key(
    demo, key_for, palette, client_for
):
    palette(key_for("tenant-admin", name="ci-freeze")).post(SETTINGS, {"spectroComponents": "lock"})

    platform = parse(
        client_for("tenant-admin").get(reverse("tenant_platform_settings", args=[demo.acme.pk]))
    )
    details = parse(
        client_for("viewer").get(
            reverse(
                "cluster_settings", args=[ScopeRef("projects", demo.default.pk), demo.prod_east.pk]
            )
        )
    )
    clusters = parse(
        client_for("tenant-admin").get(
            reverse("cluster_list", args=[ScopeRef("tenants", demo.acme.pk)])
        )
    )

    provenance = platform.find("p", class_="provenance").text
    assert provenance.startswith("Paused · set on this tenant · tenant-admin")
    assert provenance.endswith("· via API key ci-freeze")
    assert details.find("p", class_="provenance").text.endswith(
        "pushed by tenant Acme · tenant-admin · just now · via API key ci-freeze"
    )
    rows = {
        row.find("a").text: row.text
        for row in clusters.find("table", id="cluster-table").find("tbody").find_all("tr")
        if row.find_all("a")
    }
    assert "Paused" in rows["prod-east"]


def test_a_change_on_the_pages_shows_in_the_api(demo, key_for, palette, client_for):
    project = ScopeRef("projects", demo.default.pk)
    client_for("cluster-admin").post(
        reverse("change_cluster_agent_upgrades", args=[project, demo.prod_east.pk]),
        {"value": "lock", "reason": "maintenance"},
    )
    api = palette(key_for("viewer"))

    detail = body_of(api.get(f"/v1/spectroclusters/{demo.prod_east.uid}/upgrade/settings"))
    cluster = body_of(api.get(f"/v1/spectroclusters/{demo.prod_east.uid}"))
    newest = body_of(api.get("/v1/audits?limit=1"))["items"][0]

    assert (detail["spectroComponents"], detail["setVia"], detail["setBy"], detail["reason"]) == (
        "lock",
        "cluster",
        "cluster-admin",
        "maintenance",
    )
    assert cluster["metadata"]["annotations"]["spectroComponentsUpgradeForbidden"] == "true"
    assert newest["spec"]["actor"]["username"] == "cluster-admin"
    assert "apiKeyName" not in newest["spec"]["actor"]
