"""The installable package serverless_workflows: its public names, its one import path, its metadata,
and the modules Pulumi's component analyzer will read."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import serverless_workflows
from rehearsal.program import PROJECT_ROOT
from tests.support import args_types

PACKAGE_DIR = PROJECT_ROOT / "components" / "serverless_workflows"
PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_public_names_are_listed_and_each_is_defined_where_the_package_says() -> None:
    assert sorted(serverless_workflows.__all__) == sorted(["__version__", *serverless_workflows._PUBLIC])
    for name, module in serverless_workflows._PUBLIC.items():
        value = getattr(serverless_workflows, name)
        assert value is getattr(importlib.import_module(module), name), name
        assert value.__module__ == module, f"{name} is defined in {value.__module__}, not {module}"
    with pytest.raises(AttributeError, match="has no attribute 'Nothing'"):
        _ = serverless_workflows.Nothing


def test_the_package_refuses_to_load_under_a_second_name() -> None:
    """From a checkout's root, `components` is a namespace package: components.serverless_workflows
    would be a second copy of every module, with a second Workflow class."""
    assert str(PROJECT_ROOT) in sys.path
    try:
        with pytest.raises(ImportError, match=r"imported as components\.serverless_workflows: import it as"):
            importlib.import_module("components.serverless_workflows")
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == "components"]:
            del sys.modules[name]


def _pins(path: Path) -> dict[str, Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    requirements = [Requirement(line) for line in lines if line and not line.startswith("-")]
    return {canonicalize_name(requirement.name): requirement for requirement in requirements}


def test_requirements_txt_pins_each_dependency_of_the_package_within_its_range() -> None:
    pins = _pins(PROJECT_ROOT / "requirements.txt")
    for line in PYPROJECT["project"]["dependencies"]:
        dependency = Requirement(line)
        pin = pins.get(canonicalize_name(dependency.name))
        assert pin is not None, f"requirements.txt does not pin {dependency.name}, a dependency of the package"
        (exact,) = pin.specifier
        assert exact.operator == "==", pin
        assert dependency.specifier.contains(exact.version), f"requirements.txt pins {pin}, outside {dependency}"


def test_the_build_backend_is_the_setuptools_the_dev_requirements_pin() -> None:
    # The same version builds in an isolated build and, offline, with --no-build-isolation.
    (backend,) = PYPROJECT["build-system"]["requires"]
    assert _pins(PROJECT_ROOT / "requirements-dev.txt")["setuptools"] == Requirement(backend)


def test_the_version_is_written_once_in_the_package_and_the_changelog_has_an_entry_for_it() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "serverless_workflows.__version__"}
    version = str(Version(serverless_workflows.__version__))
    headings = [line for line in (PROJECT_ROOT / "CHANGELOG.md").read_text().splitlines() if line.startswith("## ")]
    assert any(heading.split()[1] == version for heading in headings), headings


def stable_lists(changelog: str, version: str) -> dict[str, list[str]]:
    """The names the changelog's "Stable from <version>" section lists, by what they are of: an Args
    type's fields (`- `WorkflowArgs`: ...`) or a component's outputs (`- `Workflow` outputs: ...`)."""
    section = changelog.split(f"### Stable from {version}\n", 1)[1].split("\n### ", 1)[0]
    found = re.findall(r"^ *- `(\w+)`( outputs)?: (.+)$", section, re.MULTILINE)
    return {f"{name}{kind}": re.findall(r"`(\w+)`", names) for name, kind, names in found}


def test_the_changelog_says_what_is_stable_as_the_code_has_it() -> None:
    from serverless_workflows.provider import COMPONENTS

    listed = stable_lists((PROJECT_ROOT / "CHANGELOG.md").read_text(), serverless_workflows.__version__)
    expected = {name: list(args.__annotations__) for name, args in args_types(COMPONENTS).items()}
    for component in COMPONENTS:
        outputs = inspect.get_annotations(component)
        expected[f"{component.__name__} outputs"] = [name for name in outputs if not name.startswith("_")]
        assert (
            f"`{importlib.import_module(component.__module__).TYPE_TOKEN}`"
            in (PROJECT_ROOT / "CHANGELOG.md").read_text()
        )
    assert listed == expected


def test_the_stable_lists_are_read_from_their_section_alone() -> None:
    text = "### Stable from 9.9\n\n- `AArgs`: `x`, `y`\n  - `B` outputs: `z`\n\n### Not stable\n\n- `C`: `w`\n"
    assert stable_lists(text, "9.9") == {"AArgs": ["x", "y"], "B outputs": ["z"]}


def test_every_data_file_of_the_package_is_declared_package_data() -> None:
    """An installed package holds only what pyproject.toml declares: a data file left out would be
    missing from the wheel and its install, not from the checkout."""
    declared = PYPROJECT["tool"]["setuptools"]["package-data"]
    data = sorted(
        path
        for path in PACKAGE_DIR.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    )
    assert PACKAGE_DIR / "py.typed" in data
    assert PACKAGE_DIR / "asl" / "iam_data.json" in data
    for path in data:
        package = ".".join(("serverless_workflows", *path.parent.relative_to(PACKAGE_DIR).parts))
        assert any(path.match(pattern) for pattern in declared.get(package, [])), f"{path} is no package data"


# --- what Pulumi's component analyzer will read -------------------------------------------------------

# pulumi.provider.experimental's analyzer reads the annotations of a component's __init__, of its args
# and of their nested types with inspect.get_annotations, without evaluating strings: with
# `from __future__ import annotations` every annotation is a string, and the analyzer fails with
# "'str' object has no attribute '__mro__'", which names no module. A name imported only under
# TYPE_CHECKING does not exist when the module runs, so an annotation naming it cannot either.
# The components' modules and those of the types in their arguments:
ANALYZED = (
    "serverless_workflows.workflow",
    "serverless_workflows.handler_function",
    "serverless_workflows.monitoring",
    "serverless_workflows.alarm_thresholds",
    "serverless_workflows.asl.definition",
)
# serverless_workflows.monitoring_plan holds MonitoringPlan and MonitoredWorkflow, what Monitoring's arguments
# are read into, and imports the Pulumi SDK only under TYPE_CHECKING: the cost estimate reads them, and
# `ops cost` must not load the SDK (tests/test_config_input.py). The arguments the analyzer reads,
# MonitoringArgs and MonitoredWorkflowArgs, are in monitoring.py.


def test_analyzed_names_the_module_of_every_class_the_analyzer_reads() -> None:
    from serverless_workflows.provider import COMPONENTS

    read = {component.__module__ for component in COMPONENTS}
    read |= {args.__module__ for args in args_types(COMPONENTS).values()}
    assert sorted(read - set(ANALYZED)) == []


def analyzer_problems(source: str) -> list[str]:
    """What in a module's source would keep the analyzer from reading its annotations."""
    problems = []
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "__future__"
            and any(alias.name == "annotations" for alias in node.names)
        ):
            problems.append(
                f"line {node.lineno}: `from __future__ import annotations` turns every annotation into a string, "
                "which Pulumi's component analyzer cannot read"
            )
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            problems.append(
                f"line {node.lineno}: a name imported under TYPE_CHECKING only does not exist at run time, where "
                "Pulumi's component analyzer reads the annotations: import it plainly"
            )
    return problems


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@pytest.mark.parametrize("module", ANALYZED)
def test_the_modules_the_component_analyzer_reads_keep_their_annotations_readable(module: str) -> None:
    path = PROJECT_ROOT / "components" / Path(*module.split(".")).with_suffix(".py")
    assert analyzer_problems(path.read_text(encoding="utf-8")) == []


def test_the_analyzer_check_sees_the_future_import_and_type_checking_imports() -> None:
    source = (
        "from __future__ import annotations\n"
        "import typing\n"
        "if typing.TYPE_CHECKING:\n    import pulumi\n"
        "if TYPE_CHECKING:\n    import pulumi_aws\n"
        "if DEBUG:\n    import json\n"
    )
    assert [problem.split(":")[0] for problem in analyzer_problems(source)] == ["line 1", "line 3", "line 5"]
