"""Keyset paging (views/paging.py): walking a list page by page, forwards and backwards, in any
order, gives exactly the rows of the list in that order; the last page comes from the end."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from settings_app import rules
from settings_app.models import Cluster
from settings_app.views.paging import Order, decode_key, encode_key, keyset_page

ORDERS = {
    "name": Order(("name", "pk")),
    "name, down": Order(("name", "pk"), descending=True),
    "project": Order(("project__name", "name", "pk")),
    "agent": Order(("agent_version", "name", "pk"), descending=True),
    "last set": Order(
        ("agent_upgrades_set_at", "pk"), nullable=frozenset({"agent_upgrades_set_at"})
    ),
    "last set, down": Order(
        ("agent_upgrades_set_at", "pk"),
        descending=True,
        nullable=frozenset({"agent_upgrades_set_at"}),
    ),
}


@pytest.fixture
def many(demo, user):
    """31 clusters with ties in every sort column, some never set."""
    admin = user("tenant-admin")
    for n in range(26):
        project = demo.default if n % 2 else demo.edge
        cluster = rules.new_cluster(project, f"c-{n % 7:02d}-{n}", agent_version=f"4.7.{n % 3}")
        if n % 3 == 0:
            rules.set_cluster(cluster, "lock", actor=admin)
    Cluster.objects.filter(name__startswith="c-00").update(
        agent_upgrades_set_at=timezone.now() - timedelta(days=1)
    )
    return Cluster.objects.filter(tenant=demo.acme)


def walk(queryset, order, per_page, total=None):
    params, seen, numbers = {}, [], []
    while True:
        page = keyset_page(queryset, order, params, per_page, total=total)
        seen += [c.pk for c in page.object_list]
        numbers.append(page.number)
        if not page.has_next:
            return seen, numbers, page
        params = {"page": str(page.number + 1), "after": page.last_key}


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_walking_forwards_gives_the_list_in_order(many, order):
    expected = list(many.order_by(*order.order_by()).values_list("pk", flat=True))

    seen, numbers, last = walk(many, order, per_page=4)

    assert seen == expected
    assert numbers == list(range(1, len(numbers) + 1))
    assert last.total == len(expected) == 31


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_walking_backwards_from_the_last_page_gives_the_same_pages(many, order):
    expected = list(many.order_by(*order.order_by()).values_list("pk", flat=True))
    page = keyset_page(many, order, {"page": "last"}, 4)
    pages = [[c.pk for c in page.object_list]]
    assert page.number == 8
    while page.has_previous:
        page = keyset_page(many, order, {"page": str(page.number - 1), "before": page.first_key}, 4)
        pages.insert(0, [c.pk for c in page.object_list])

    assert [pk for chunk in pages for pk in chunk] == expected
    assert [len(chunk) for chunk in pages] == [4] * 7 + [3]


def test_a_page_number_without_a_key_skips_rows_and_agrees(many):
    order = ORDERS["project"]
    expected = list(many.order_by(*order.order_by()).values_list("pk", flat=True))

    page = keyset_page(many, order, {"page": "3"}, 4)

    assert [c.pk for c in page.object_list] == expected[8:12]
    assert (page.start, page.end, page.last_page_number) == (9, 12, 8)


@pytest.mark.parametrize("wanted", ["0", "-3", "abc", "", "99", "184467440737095518", "9" * 40])
def test_any_page_number_answers_a_page(many, wanted):
    page = keyset_page(many, ORDERS["name"], {"page": wanted}, 4)

    assert page.object_list
    assert page.number in (1, 8)


@pytest.mark.parametrize("key", ["", "!!", "bm90IGpzb24", encode_key([1]), encode_key([{}, 1])])
def test_a_key_that_is_not_one_is_ignored(many, key):
    page = keyset_page(many, ORDERS["name"], {"page": "2", "after": key}, 4)

    expected = list(many.order_by("name", "pk").values_list("pk", flat=True))
    assert [c.pk for c in page.object_list] == expected[4:8]


DEEP = base64.urlsafe_b64encode(b"[" * 1200).decode()  # JSON nested past Python's stack


@pytest.mark.parametrize("where", ["after", "before"])
@pytest.mark.parametrize(
    "key", [DEEP, encode_key(["z" * 5000, 1])], ids=["too deep", "longer than any sort needs"]
)
def test_a_key_nested_too_deep_or_longer_than_any_sort_needs_is_ignored(many, where, key):
    page = keyset_page(many, ORDERS["name"], {"page": "2", where: key}, 4)

    expected = list(many.order_by("name", "pk").values_list("pk", flat=True))
    assert [c.pk for c in page.object_list] == expected[4:8]


def test_the_longest_key_a_sort_can_need_is_read():
    names = ["\U0001f600" * 100, "\U0001f600" * 100, 2**62]

    assert decode_key(encode_key(names), ORDERS["project"], Cluster) == names


def raw_key(values: list) -> str:
    """A key as someone could write it into the address by hand."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("order", "key"),
    [
        ("name", ["c-01", "abc"]),  # not a number where the id goes
        ("name", ["c-01", True]),
        ("name", ["c-01", 2**70]),  # beyond any id the database holds
        ("name", [5, 1]),  # a number where a name goes
        ("name", ["\u0000", 1]),  # a NUL, which PostgreSQL refuses
        ("name", ["\ud800", 1]),  # half of a character
        ("name", [None, 1]),  # a name is never missing
        ("last set", ["x", 1]),
        ("last set", [5, 1]),
        ("last set", [{"t": "2020-01-01T00:00:00"}, 1]),  # a time without its zone
        ("last set", [{"t": "9999-12-31T23:59:59-14:00"}, 1]),  # past the last time there is
        ("last set", [{"t": "0001-01-01T00:00:00+14:00"}, 1]),  # before the first
        ("project", [["x"], "c-01", 1]),
    ],
)
def test_a_key_written_by_hand_that_does_not_fit_the_sort_is_ignored(many, order, key):
    expected = list(many.order_by(*ORDERS[order].order_by()).values_list("pk", flat=True))

    for where in ("after", "before"):
        page = keyset_page(many, ORDERS[order], {"page": "2", where: raw_key(key)}, 4)

        assert [c.pk for c in page.object_list] == expected[4:8]


def test_keys_survive_the_address(many):
    cluster = many.order_by("-agent_upgrades_set_at").first()
    key = ORDERS["last set"].key_of(cluster)

    assert decode_key(encode_key(key), ORDERS["last set"], Cluster) == key


def test_a_list_longer_than_the_count_cap_says_so(many, monkeypatch):
    monkeypatch.setattr("settings_app.views.paging.COUNT_CAP", 10)

    first = keyset_page(many, ORDERS["name"], {}, 4)
    last = keyset_page(many, ORDERS["name"], {"page": "last"}, 4)

    assert (first.total, first.total_is_lower_bound, first.last_page_number) == (10, True, None)
    expected = list(many.order_by("name", "pk").values_list("pk", flat=True))
    assert [c.pk for c in last.object_list] == expected[-4:]


def test_the_last_set_sort_index_keeps_nulls_first_as_the_sort_does():
    """Never-set clusters come first going up (paging.Order): PostgreSQL's index must say so,
    SQLite's already does and takes no NULLS clause."""
    (index,) = [i for i in Cluster._meta.indexes if i.name == "cluster_tenant_set"]
    sql = str(index.create_sql(Cluster, connection.schema_editor(collect_sql=True)))

    if connection.vendor == "postgresql":
        assert '"agent_upgrades_set_at" NULLS FIRST, "id")' in sql, sql
    else:
        assert "NULLS" not in sql and '"agent_upgrades_set_at", "id")' in sql, sql
