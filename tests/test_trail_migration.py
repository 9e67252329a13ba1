"""The audit trail's migrations keep every answer: a trail made by the code before them
(tests/fixtures/trail, built by `python -m tests.trail_pages build`) is migrated to the
schema in the tree, and every page, API answer and CSV that reads it is compared byte for byte
with what the earlier code answered from the same trail."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection

from tests.trail_pages import BASE_DIR, DATABASE, PAGES

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the trail is kept as a SQLite database; once is enough"
)


def test_a_trail_from_before_answers_byte_for_byte_the_same_after_the_migrations(tmp_path):
    out = tmp_path / "pages"
    subprocess.run(
        [sys.executable, "-m", "tests.trail_pages", "render", str(DATABASE), str(out)],
        cwd=BASE_DIR,
        check=True,
        timeout=300,
    )
    expected = sorted(path.name for path in PAGES.iterdir())
    assert sorted(path.name for path in out.iterdir()) == expected
    for name in expected:
        assert (out / name).read_bytes() == (PAGES / name).read_bytes(), name


def test_the_kept_trail_has_every_kind_of_change():
    """So that the comparison covers each: pushes, an undo, bulk acts, a window's start and end,
    a release, a move, a key, a change through a key."""
    csv = (PAGES / "audit_tenant.csv").read_text()
    for said in (
        "pushed by tenant",
        "change undone",
        "clusters changed together",
        "Started; holds until",
        "Ended; put",
        "platform released",
        "moved to another project",
        "API key changed",
        ",ci,",
    ):
        assert said in csv, said
