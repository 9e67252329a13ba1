"""One owner of a change: nothing but `settings_app/rules/change/` writes the setting's
columns, the audit trail or the agent upgrades. Every other writer declares what it changes and
calls it; this test reads the source to keep it so."""

from __future__ import annotations

import ast
from pathlib import Path

from settings_app.models import SETTING_FIELDS, SETTING_VERSION

SOURCE = Path(__file__).resolve().parents[2] / "settings_app"
OWNER = SOURCE / "rules" / "change"  # the protocol, and the trail's rows (`trail`)
TRAIL = {"AuditEvent", "AgentUpgrade"}
COLUMNS = {*SETTING_FIELDS, SETTING_VERSION} | {
    f"{name}_id" for name in SETTING_FIELDS if name.endswith("_by")
}
UPDATES = {"update", "update_and_recount", "bulk_update"}
CREATES = {"create", "bulk_create", "get_or_create", "update_or_create"}


def writes_in(tree: ast.AST) -> list[str]:
    """Each write of the setting or the trail in a module's syntax tree, as "line: what"."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, receiver = node.func.attr, node.func.value
            model = getattr(getattr(receiver, "value", None), "id", None)
            if name in CREATES and model in TRAIL:
                found.append(f"{node.lineno}: {model}.objects.{name}")
            if name in UPDATES and {kw.arg for kw in node.keywords} & COLUMNS:
                found.append(f"{node.lineno}: .{name}() of the setting's columns")
            elif name in UPDATES and any(
                kw.arg is None and _names_the_setting(kw.value) for kw in node.keywords
            ):
                found.append(f"{node.lineno}: .{name}(**…) of the setting's columns")
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "insert_select":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Name) and first.id in TRAIL:
                found.append(f"{node.lineno}: insert_select({first.id}, …)")
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in COLUMNS:
                    found.append(f"{node.lineno}: … .{target.attr} = …")
    return found


def _names_the_setting(expression: ast.AST) -> bool:
    """Whether a `**` spread is built from the setting's definition (or names its columns)."""
    for node in ast.walk(expression):
        if isinstance(node, ast.Name) and node.id in ("SETTING_FIELDS", "SETTING_VERSION"):
            return True
        if isinstance(node, ast.Constant) and node.value in COLUMNS:
            return True
    return False


def test_nothing_but_the_change_owner_writes_the_setting_or_the_trail():
    offenders = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts or OWNER in path.parents:
            continue
        writes = writes_in(ast.parse(path.read_text(), filename=str(path)))
        if writes:
            offenders[str(path.relative_to(SOURCE))] = writes
    assert offenders == {}


def test_the_owner_is_where_the_writes_are():
    for part in ("__init__.py", "trail.py"):
        assert writes_in(ast.parse((OWNER / part).read_text())), part


def test_the_search_finds_each_kind_of_write():
    snippet = """
AuditEvent.objects.create(actor=None)
AgentUpgrade.objects.bulk_create([])
insert_select(AuditEvent, rows)
Cluster.objects.filter(pk=1).update(agent_upgrades="lock")
rows.update_and_recount(agent_upgrades_version=F("agent_upgrades_version") + 1)
cluster.agent_upgrades_reason = "typed by hand"
clusters.update(**{field: F(field) for field in SETTING_FIELDS})
"""
    assert sorted(int(line.split(":")[0]) for line in writes_in(ast.parse(snippet))) == [
        2,
        3,
        4,
        5,
        6,
        7,
        8,
    ]
