"""The recipe of docs/adding-a-workflow.md (in short in the README's "Add your own workflow"),
followed literally in a copy of the project.

The worked example (tests/fixtures/nightly_report) is added the way the recipe
tells a newcomer to: its definition into workflows/, its handler into
handlers/, its entry into workflows/catalogue.py. Then every tool is run as a
user runs it, unedited, and each must show the new workflow.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rehearsal.program import PROJECT_ROOT
from tests.support import EXAMPLE_DIR, NIGHTLY_REPORT, tool_environment
from workflows.catalogue import CATALOGUE

# The adopted copy's tools evaluate the program, in a process of their own.
pytestmark = pytest.mark.program

_NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "node_modules", "__pycache__", ".*_cache", ".build", "tests"
)


RECIPE_PAGE = PROJECT_ROOT / "docs" / "adding-a-workflow.md"


def section(path: Path, heading: str) -> str:
    """The `## heading` section of a Markdown file, up to the next `## ` heading."""
    text = path.read_text()
    assert f"\n## {heading}\n" in text, f"{path.name} has no section {heading!r}"
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def recipe_section() -> str:
    return section(RECIPE_PAGE, "The recipe")


def numbered_steps(text: str) -> list[str]:
    return [line for line in text.splitlines() if line[:3] in ("1. ", "2. ", "3. ", "4. ")]


def recipe_steps() -> list[str]:
    """The recipe's numbered steps, as written."""
    return numbered_steps(recipe_section())


def test_the_recipe_shows_the_worked_examples_entry_as_the_fixture_writes_it() -> None:
    (block,) = [b for b in recipe_section().split("```python\n")[1:] if b.startswith("NIGHTLY_REPORT = ")]
    shown, _, rest = block.split("```", 1)[0].partition("\n\nCATALOGUE")
    entry = (EXAMPLE_DIR / "entry.py").read_text()
    assert shown.strip() == entry[entry.index("NIGHTLY_REPORT = ") :].strip()
    assert rest.rstrip().endswith("NIGHTLY_REPORT)")


def test_make_demo_names_a_mistyped_entry_in_one_message_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from rehearsal import demo

    # The stack's settings read the schedule (its payload) before the program would check the entry.
    mistyped = dataclasses.replace(NIGHTLY_REPORT, schedule="rate(1 minute)")  # type: ignore[arg-type]
    assert demo.main("dev", catalogue=(*CATALOGUE, mistyped)) == 2
    assert capsys.readouterr().err == (
        "make demo: workflows/catalogue.py: 1 problem(s):\n"
        f"  - workflow '{NIGHTLY_REPORT.name}': schedule must be ScheduleSpec | None; got 'rate(1 minute)' (str).\n"
    )


def test_the_recipe_names_the_three_places_this_test_uses() -> None:
    # In full on its page, and in short in the README, which links to the page.
    readme = section(PROJECT_ROOT / "README.md", "Add your own workflow")
    assert "(docs/adding-a-workflow.md)" in readme
    for steps in ("\n".join(recipe_steps()), "\n".join(numbered_steps(readme))):
        assert "workflows/<name>.asl.json" in steps
        assert "handlers/<module>.py" in steps
        assert "workflows/catalogue.py" in steps


# What the example adds, under the names it is written with, or free ones where the team's catalogue
# (or its folders) already use them: a team may have followed the recipe to the letter.
EXAMPLE_NAME, EXAMPLE_FUNCTION = NIGHTLY_REPORT.name, NIGHTLY_REPORT.functions[0].name


def _free_file(folder: Path, name: str) -> str:
    stem, dot, suffix = name.partition(".")
    chosen, number = name, 1
    while (folder / chosen).exists():
        number += 1
        chosen = f"{stem}_{number}{dot}{suffix}"
    return chosen


@pytest.fixture(scope="module")
def project_with_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("adopted") / "project"
    shutil.copytree(PROJECT_ROOT, copy, ignore=_NOT_COPIED)
    # 1. the definition file; 2. the handler module; 3. one catalogue entry.
    definition = _free_file(copy / "workflows", "nightly_report.asl.json")
    handler = _free_file(copy / "handlers", "nightly_report.py")
    shutil.copy(EXAMPLE_DIR / "workflows" / "nightly_report.asl.json", copy / "workflows" / definition)
    shutil.copy(EXAMPLE_DIR / "handlers" / "nightly_report.py", copy / "handlers" / handler)
    entry = (EXAMPLE_DIR / "entry.py").read_text()
    _, _, body = entry.partition("from workflows.spec import")
    for written, adopted in (
        ('name="nightly-report"', f'name="{EXAMPLE_NAME}"'),
        ('name="build-report"', f'name="{EXAMPLE_FUNCTION}"'),
        ('"nightly_report.asl.json"', f'"{definition}"'),
        ('"handlers.nightly_report.', f'"handlers.{handler.removesuffix(".py")}.'),
    ):
        assert written in body, f"the example's entry no longer holds {written}"
        body = body.replace(written, adopted)
    catalogue = copy / "workflows" / "catalogue.py"
    catalogue.write_text(
        catalogue.read_text() + "\nfrom workflows.spec import" + body + "\nCATALOGUE = (*CATALOGUE, NIGHTLY_REPORT)\n"
    )
    return copy


# One interpreter runs every tool of the adopted copy as a user would (each import once).
_TOOLS = """
import contextlib, io, json, sys
from rehearsal import fake_aws
from rehearsal.program import run_program
from workflows import diagram
from ops.__main__ import main as ops_main, parser

run = run_program(fake_aws.new_resource, fake_aws.call)
costed = io.StringIO()
with contextlib.redirect_stdout(costed):
    cost_code = ops_main(["--stack", "dev", "cost"])
with contextlib.redirect_stdout(io.StringIO()):
    stale = diagram.main(["--check"])
    regenerated = diagram.main([])
run_choices = [a for a in parser()._subparsers._group_actions[0].choices["run"]._actions if a.dest == "workflow"]
print(json.dumps({
    "workflows": sorted(run.outputs["workflows"]),
    "resources": sorted(r.name for r in run),
    "cost_code": cost_code, "cost": costed.getvalue(),
    "stale": stale, "regenerated": regenerated,
    "run_choices": list(run_choices[0].choices),
}))
"""


@pytest.fixture(scope="module")
def tools(project_with_example: Path) -> dict[str, Any]:
    finished = subprocess.run(
        [sys.executable, "-c", _TOOLS],
        cwd=project_with_example,
        env=tool_environment(root=project_with_example),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    result: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    return result


def test_the_program_deploys_the_new_workflow(tools: dict[str, Any]) -> None:
    assert tools["workflows"] == sorted([*(spec.name for spec in CATALOGUE), EXAMPLE_NAME])
    assert f"{EXAMPLE_NAME}-state-machine" in tools["resources"]
    assert f"{EXAMPLE_NAME}-ready" in tools["resources"]
    # Its function is named as the entry names it, not after the workflow.
    assert EXAMPLE_FUNCTION in tools["resources"]
    assert f"{EXAMPLE_NAME}-{EXAMPLE_FUNCTION}" not in tools["resources"]


def test_cost_diagrams_and_ops_show_it_unedited(tools: dict[str, Any], project_with_example: Path) -> None:
    assert tools["cost_code"] == 0
    assert EXAMPLE_NAME in tools["cost"]
    assert (tools["stale"], tools["regenerated"]) == (1, 0)
    # The example's entry is the last one the catalogue file declares.
    declared = (project_with_example / "workflows" / "catalogue.py").read_text().splitlines()
    definition = [line.split('"')[1] for line in declared if line.strip().startswith("definition=")][-1]
    readme = (project_with_example / "README.md").read_text()
    assert f"**Nightly report** (`workflows/{definition}`)" in readme
    assert tools["run_choices"] == [*(spec.name for spec in CATALOGUE), EXAMPLE_NAME]
