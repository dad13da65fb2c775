"""The Mermaid diagrams: generated from the definitions, and kept fresh in the README and docs/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support import NIGHTLY_REPORT, WITH_EXAMPLE
from workflows import diagram
from workflows.catalogue import CALL_CENTER, SCHEDULED
from workflows.definition import WorkflowDefinition


def scheduled_workflow() -> WorkflowDefinition:
    return SCHEDULED.load_definition()


def call_center() -> WorkflowDefinition:
    return CALL_CENTER.load_definition()


def test_readme_and_docs_diagrams_match_the_definition_files(capsys: pytest.CaptureFixture[str]) -> None:
    stale = diagram.main(["--check"])
    assert stale == 0, f"{capsys.readouterr().out.strip()}  (regenerate with `make diagrams`)"


def test_a_stale_readme_is_detected_and_the_fix_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    shutil.copy(diagram.README, readme)
    readme.write_text(readme.read_text().replace("$.Status == 1", "$.Status == 2"))
    monkeypatch.setattr(diagram, "README", readme)
    monkeypatch.setattr(diagram, "ROOT", tmp_path)
    monkeypatch.setattr(diagram, "DOCS", tmp_path / "docs" / "workflows.md")
    assert diagram.main(["--check"]) == 1
    printed = capsys.readouterr().out
    assert "README.md is stale; run `make diagrams`" in printed
    assert diagram.main([]) == 0
    assert diagram.main(["--check"]) == 0


def edges(chart: str) -> set[tuple[str, str, str]]:
    found = set()
    for line in chart.splitlines():
        match = re.match(r'\s*(\w+) (?:-- "(.*)" -->|-\. "(.*)" \.->|-->) (\w+)', line)
        if match:
            found.add((match[1], match[2] or match[3] or "", match[4]))
    return found


def test_call_center_diagram_has_every_transition_branch_and_retry() -> None:
    chart = diagram.mermaid(call_center())
    ids = {name: f"s{i}" for i, name in enumerate(call_center().document["States"])}
    found = edges(chart)
    assert ("start", "", ids["Open Case"]) in found
    assert (ids["Is Case Resolved"], "$.Status == 1", ids["Close Case"]) in found
    assert (ids["Is Case Resolved"], "$.Status == 0", ids["Escalate Case"]) in found
    assert (ids["Is Case Resolved"], "default", ids["Escalate Case"]) in found
    assert (ids["Escalate Case"], "", ids["Fail"]) in found
    for task in ("Open Case", "Assign Case", "Work on Case", "Close Case", "Escalate Case"):
        assert (ids[task], "retry x3: 4 transient Lambda errors", ids[task]) in found
    assert f"{ids['Close Case']} --> finish((End))" in chart
    assert 's6[["Fail<br/>Engage Tier 2 Support."]]:::failed' in chart


def test_scheduled_diagram_is_hello_then_world() -> None:
    chart = diagram.mermaid(scheduled_workflow())
    assert edges(chart) == {("start", "", "s0"), ("s0", "", "s1"), ("s1", "", "finish")}
    assert 's0("Hello")' in chart
    assert 's1("World")' in chart


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ({"Variable": "$.Status", "NumericEquals": 1}, "$.Status == 1"),
        ({"Variable": "$.name", "StringEquals": "x"}, "$.name == 'x'"),
        ({"Variable": "$.n", "NumericGreaterThanEqualsPath": "$.min"}, "$.n >= $.min"),
        ({"Variable": "$.ok", "BooleanEquals": False}, "$.ok == false"),
        ({"Variable": "$.x", "IsPresent": True}, "$.x present"),
        ({"Not": {"Variable": "$.x", "IsNull": True}}, "not ($.x null)"),
        (
            {"And": [{"Variable": "$.a", "NumericLessThan": 1}, {"Variable": "$.b", "StringMatches": "l*"}]},
            "($.a < 1) and ($.b matches 'l*')",
        ),
    ],
)
def test_choice_conditions_read_naturally(rule: dict[str, object], text: str) -> None:
    assert diagram.condition(rule) == text


def test_every_catalogue_workflow_is_drawn_without_editing_the_generator() -> None:
    section = diagram.section(WITH_EXAMPLE)
    assert "**Nightly report** (`tests/fixtures/nightly_report/workflows/nightly_report.asl.json`)" in section
    assert section.count("```mermaid") == len(WITH_EXAMPLE)
    assert diagram.mermaid(NIGHTLY_REPORT.load_definition()) in section
