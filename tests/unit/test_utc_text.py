"""`sql.UtcText`: a moment written as text in SQL must read exactly as Python (or Django's JSON
encoder) would write it, on SQLite and on PostgreSQL alike, with the moment as a column or as a
parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import DateTimeField, Value

from settings_app.models import Cluster
from settings_app.sql import UtcText

MOMENTS = [
    datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
    datetime(2026, 11, 30, 9, 15, 0, 400, tzinfo=UTC),
    datetime(2026, 11, 30, 9, 15, 0, 250_000, tzinfo=UTC),
    datetime(2026, 11, 30, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(2026, 12, 1, 1, 30, 5, 123_456, tzinfo=timezone(timedelta(hours=2))),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def json_text(moment: datetime) -> str:
    return DjangoJSONEncoder().default(moment.astimezone(UTC))


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_a_stored_moment_reads_as_python_and_as_the_json_encoder_write_it(demo, moment):
    Cluster.objects.filter(pk=demo.staging.pk).update(created_at=moment)
    row = Cluster.objects.filter(pk=demo.staging.pk).annotate(
        iso=UtcText("created_at"), json=UtcText("created_at", digits=3)
    )

    assert row.values_list("iso", "json").get() == (iso(moment), json_text(moment))


@pytest.mark.parametrize("moment", MOMENTS[:5], ids=str)
def test_a_moment_passed_as_a_parameter_reads_the_same(demo, moment):
    value = Value(moment, output_field=DateTimeField())
    row = Cluster.objects.filter(pk=demo.staging.pk).annotate(
        iso=UtcText(value), json=UtcText(value, digits=3)
    )

    assert row.values_list("iso", "json").get() == (iso(moment), json_text(moment))


def test_no_moment_stays_no_moment(demo):
    row = Cluster.objects.filter(pk=demo.staging.pk).annotate(text=UtcText("agent_upgrades_until"))

    assert row.values_list("text", flat=True).get() is None


def test_a_fraction_is_written_to_three_or_six_digits_only():
    with pytest.raises(ValueError, match="3 or 6"):
        UtcText("created_at", digits=4)
