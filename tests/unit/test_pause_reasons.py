"""What a pause's reason may hold (rules.pause_for): plain visible text on one line. Anything
else is refused with a message naming the character, never silently changed, so that what the
next reader sees is what was written. Every way in (the dialog, the API, bulk acts) calls it."""

from __future__ import annotations

import re

import pytest

from settings_app import rules
from settings_app.models import AgentUpgrades

LOCK = AgentUpgrades.LOCK


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("lock\n", "a line break (U+000A)"),
        ("lock\r\n", "a line break (U+000D)"),
        ("\nlock", "a line break (U+000A)"),
        ("two\u2028lines", "a line break (U+2028)"),
        ("two\u2029paragraphs", "a line break (U+2029)"),
        ("freeze\t", "a control character (U+0009)"),
        ("\U0010ffff", "a noncharacter (U+10FFFF)"),
        ("freeze\ufffe", "a noncharacter (U+FFFE)"),
        ("freeze\U0001ffff", "a noncharacter (U+1FFFF)"),
        ("freeze\ufdd0", "a noncharacter (U+FDD0)"),
        ("freeze\ufdef", "a noncharacter (U+FDEF)"),
    ],
)
def test_a_reason_with_a_character_that_is_no_plain_text_on_one_line_is_refused(reason, says):
    with pytest.raises(rules.InvalidPause, match=re.escape(f"contains {says}")):
        rules.pause_for(LOCK, reason)


@pytest.mark.parametrize(
    "reason",
    ["  change freeze  ", "Change freeze · Ünïcode ✓ 変更凍結", "release 🚀 on \ufdcf\ufdf0"],
)
def test_a_reason_of_plain_text_keeps_its_text_without_surrounding_spaces(reason):
    assert rules.pause_for(LOCK, reason).reason == reason.strip()
