"""A change that came through an API key records the key's name next to the user, on every audit
event the change writes and on every setting it writes; the pages then say so ("… · via API
key ci-freeze"), and the next click says nothing of a key."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.urls import reverse

from settings_app import rules
from settings_app.models import AuditEvent, Cluster
from settings_app.permissions.scopes import ScopeRef
from settings_app.wording import source
from tests.html import parse


def test_a_push_through_a_key_records_the_user_and_the_keys_name_on_every_event(demo):
    admin = User.objects.get(username="tenant-admin")

    rules.push_tenant(demo.acme, "lock", actor=admin, api_key_name="ci-freeze")

    events = AuditEvent.objects.all()
    assert events.count() == 8  # the tenant, its 2 projects and 5 clusters
    assert set(events.values_list("actor_name", "api_key_name")) == {("tenant-admin", "ci-freeze")}
    assert set(
        Cluster.objects.filter(tenant=demo.acme).values_list(
            "agent_upgrades_set_with_key", flat=True
        )
    ) == {"ci-freeze"}


def test_where_a_value_came_from_names_the_key(demo):
    admin = User.objects.get(username="tenant-admin")

    change = rules.set_cluster(demo.prod_east, "lock", actor=admin, api_key_name="ci-freeze")

    assert (
        source(change.target)
        == "set on this cluster · tenant-admin · just now · via API key ci-freeze"
    )


def test_a_click_after_a_change_through_a_key_names_no_key(demo):
    admin = User.objects.get(username="tenant-admin")
    rules.set_cluster(demo.prod_east, "lock", actor=admin, api_key_name="ci-freeze")

    change = rules.set_cluster(demo.prod_east, "unlock", actor=admin)

    assert "via API key" not in source(change.target)
    assert change.event.api_key_name == ""


def test_a_new_cluster_takes_its_projects_value_with_the_key_it_came_through(demo):
    admin = User.objects.get(username="project-admin")
    change = rules.push_project(demo.default, "lock", actor=admin, api_key_name="ci-freeze")

    cluster = rules.new_cluster(change.target, "prod-north")

    assert source(cluster).endswith("· via API key ci-freeze")


def test_the_pages_show_a_change_through_a_key_with_its_provenance(demo, client_for):
    admin = User.objects.get(username="tenant-admin")
    rules.set_cluster(demo.prod_east, "lock", actor=admin, api_key_name="ci-freeze")
    project = ScopeRef("projects", demo.default.pk)

    details = parse(
        client_for("viewer").get(reverse("cluster_settings", args=[project, demo.prod_east.pk]))
    )
    audit = parse(client_for("viewer").get(reverse("audit_log", args=[project])))

    assert details.find("p", class_="provenance").text.endswith("· via API key ci-freeze")
    history = [item.text for item in details.find("ul", class_="history").find_all("li")]
    assert "tenant-admin · via API key ci-freeze" in history[0]
    who = audit.find("tbody").find("tr").find_all("td")[1].text
    assert who == "tenant-admin · via API key ci-freeze"
