"""What a validation run leaves behind: the summary table, and JUnit XML for CI systems."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from .procedures import Outcome

SUITE = "Pause Agent Upgrades validation"


def summary(outcomes: list[Outcome]) -> str:
    """The table a person reads at the end: scope, mode, expected, seen, result."""
    header = ["scope", "mode", "expected", "seen", "result"]
    rows = [
        [
            str(o.target),
            o.mode,
            o.expected,
            o.seen + (f" (freeze window {o.held_by})" if o.held_by else ""),
            "ok" if o.held else f"FAILED at “{o.failed_step or 'See the toggle'}”",
        ]
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, ["-" * w for w in widths], *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def failure_message(outcome: Outcome) -> str:
    if outcome.failure:
        return f"{outcome.failed_step}: {outcome.failure}"
    return f"expected the toggle {outcome.expected}, saw it {outcome.seen}"


def write_junit(outcomes: list[Outcome], path: Path, *, base_url: str) -> None:
    """One test case per scope and procedure; a failure names the step and what was missing."""
    failures = sum(not o.held for o in outcomes)
    suite = ET.Element(
        "testsuite",
        name=SUITE,
        tests=str(len(outcomes)),
        failures=str(failures),
        errors="0",
        time=f"{sum(o.seconds for o in outcomes):.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="base_url", value=base_url)
    for outcome in outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"validation.{outcome.mode}",
            name=f"{outcome.target} is {outcome.expected}",
            time=f"{outcome.seconds:.3f}",
        )
        if not outcome.held:
            failure = ET.SubElement(case, "failure", message=failure_message(outcome))
            failure.text = "\n".join(
                f"{s.phase} · {s.name} · {'FAILED: ' + s.failure if s.failure else 'ok'}"
                for s in outcome.steps
            )
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(f"{s.phase} · {s.name} ({s.seconds:.1f} s)" for s in outcome.steps)
        if outcome.held_by:
            out.text += f"\nheld by freeze window {outcome.held_by}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(ET.Element("testsuites", name=SUITE))
    tree.getroot().append(suite)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
