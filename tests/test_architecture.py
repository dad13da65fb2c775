"""The arrows of the design point one way: each module imports only its own layer and those below.

The layers, lowest first (docs/architecture.md#layers says what each holds):

    asl         serverless_workflows.asl: definitions, their model, the validator, the IAM derivation,
                schedules
    components  serverless_workflows: the Pulumi components and the pure modules beside them
    catalogue   workflows/: the catalogue, its schema, the output contract, cost and diagrams
    settings    stack config and the stack files
    program     deployment.py and __main__.py
    tools       ops/, rehearsal/, bench/

The first two are the installable package `serverless_workflows`, whose sources are
`components/serverless_workflows/` (`asl/` the lower layer): it imports nothing of the project
outside itself, only the standard library and its declared dependencies.
`handlers/` imports nothing of ours but itself, and `policy/` runs with pulumi-policy alone.
Above the package, apart from the program: `components/plugin/` (the component package's entry, for
Pulumi's other languages) and `examples/` (programs of their own) import the package only, as a
program outside this repository would, and nothing imports them.
A module the table below does not place fails the test: a new module gets a layer on purpose (the
package's modules take theirs from their folder).
"""

from __future__ import annotations

import ast
import functools
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from rehearsal.program import PROJECT_ROOT
from tests.support import project_python_files, syntax_nodes

LAYERS = ("asl", "components", "catalogue", "settings", "program", "tools")
# Users of the package, apart from the program: what they may import of ours.
PACKAGE_USERS = {"plugin": ("asl", "components"), "examples": ("asl", "components")}
PACKAGE = "serverless_workflows"
# The package's source root: its modules are named from there (`components/serverless_workflows/x.py`
# is `serverless_workflows.x`), as pytest, mypy and an install put that folder on the import path.
SOURCE_ROOT = "components/"
_CATALOGUE = {"spec", "field_types", "catalogue", "cost", "diagram", "outputs", "monitored"}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name, "handlers" or "policy" for those apart, None if unplaced."""
    head, _, rest = module.partition(".")
    if head in ("handlers", "policy", *PACKAGE_USERS):
        return head
    if head == PACKAGE:
        return "asl" if rest == "asl" or rest.startswith("asl.") else "components"
    if head == "workflows":
        return "catalogue" if not rest or rest.split(".")[0] in _CATALOGUE else None
    return {
        "settings": "settings",
        "stack_files": "settings",
        "deployment": "program",
        "preflight": "program",
        "__main__": "program",
        "ops": "tools",
        "rehearsal": "tools",
        "bench": "tools",
    }.get(head)


def modules() -> dict[str, Path]:
    """Every module of the project (tests and scripts aside), by dotted name."""
    found = {}
    for relative in project_python_files():
        if relative.startswith(("tests/", "scripts/")):
            continue
        found[module_name(relative)] = PROJECT_ROOT / relative
    return found


def module_name(relative: str) -> str:
    """The dotted name a project file is imported by: from the root, or from the package's source root."""
    return relative.removeprefix(SOURCE_ROOT)[:-3].replace("/", ".").removesuffix(".__init__")


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports, wherever in the module the import stands."""
    found = set()
    for node in syntax_nodes(path.relative_to(PROJECT_ROOT).as_posix()):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known}
    return found


def graph() -> dict[str, set[str]]:
    return {name: set(targets) for name, targets in _graph().items()}


@functools.cache
def _graph() -> dict[str, frozenset[str]]:
    # Parsed once for the tests that read it; each gets a copy of its own.
    known = modules()
    return {name: frozenset(imports(path, known) - {name}) for name, path in known.items()}


def test_every_module_has_a_layer() -> None:
    assert [name for name in modules() if layer_of(name) is None] == []


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Each import of a higher layer, across the line around handlers/ and policy/, or by a user of the
    package (the plugin, an example) of anything but the package, or of such a user."""
    wrong = []
    for module, targets in edges.items():
        here = layer_of(module)
        for target in sorted(targets):
            there = layer_of(target)
            apart = {here, there} & {"handlers", "policy"}
            using = here in PACKAGE_USERS and there != here and there not in PACKAGE_USERS[here]
            if (
                (apart and here != there)
                or using
                or (there in PACKAGE_USERS and here != there)
                or (here in LAYERS and there in LAYERS and LAYERS.index(there) > LAYERS.index(here))
            ):
                wrong.append(f"{module} ({here}) imports {target} ({there})")
    return wrong


def cycles(edges: dict[str, set[str]], packages: frozenset[str] = frozenset()) -> list[str]:
    """Each module that its own imports lead back to, with one such way round. A package's
    __init__ is imported with each of its modules, so it is no link: ours are empty, but for the
    package's, which loads its public names' modules only when a name is first used."""
    found = []
    for start in edges:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for following in sorted(edges.get(node, ())):
                if following in packages:
                    continue
                if following == start:
                    found.append(" -> ".join([*trail, start]))
                elif following not in seen:
                    seen.add(following)
                    stack.append((following, [*trail, following]))
    return found


def test_no_module_imports_a_higher_layer() -> None:
    assert upward(graph()) == []


def test_the_ops_tool_imports_neither_the_program_nor_the_rehearsal() -> None:
    """ops works on a deployed stack, with boto3: it never needs the program, and production code
    never imports rehearsal or test tooling."""
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        if module.startswith("ops")
        for target in targets
        if target in ("deployment", "__main__") or target.startswith("rehearsal")
    ]
    assert wrong == []


def test_no_import_cycles() -> None:
    packages = frozenset(name for name, path in modules().items() if path.name == "__init__.py")
    assert cycles(graph(), packages) == []


def test_the_checks_see_a_wrong_arrow_and_a_cycle() -> None:
    """Guards the tests above on made-up imports."""
    assert upward({"serverless_workflows.workflow": {"workflows.spec"}}) == [
        "serverless_workflows.workflow (components) imports workflows.spec (catalogue)"
    ]
    model = "serverless_workflows.asl.model"
    assert upward({"handlers.case": {model}, "workflows.cost": {model}, "serverless_workflows.iam": {model}}) == [
        "handlers.case (handlers) imports serverless_workflows.asl.model (asl)"
    ]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        "a -> b -> c -> a",
        "b -> c -> a -> b",
        "c -> a -> b -> c",
    ]
    assert cycles({"a": {"p"}, "p": {"a"}}, frozenset({"p"})) == []
    assert upward(
        {
            "plugin.__main__": {"serverless_workflows.provider", "workflows.spec"},
            "examples.python.__main__": {"serverless_workflows", "deployment"},
            "deployment": {"plugin.__main__"},
        }
    ) == [
        "plugin.__main__ (plugin) imports workflows.spec (catalogue)",
        "examples.python.__main__ (examples) imports deployment (program)",
        "deployment (program) imports plugin.__main__ (plugin)",
    ]
    assert module_name("components/plugin/__main__.py") == "plugin.__main__"
    assert layer_of("workflows.newthing") is None
    assert layer_of("workflows.model") is None
    assert module_name("components/serverless_workflows/asl/__init__.py") == "serverless_workflows.asl"
    assert layer_of("serverless_workflows.asl") == "asl"
    assert layer_of("serverless_workflows") == layer_of("serverless_workflows.aslx") == "components"


def imported_names(path: Path) -> set[str]:
    """Every module name `path` imports from, absolute imports only, wherever the import stands."""
    nodes = syntax_nodes(path.relative_to(PROJECT_ROOT).as_posix())
    found = {alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names}
    found |= {node.module for node in nodes if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    return found


def test_nothing_imports_the_components_by_their_folder() -> None:
    """The package is imported as serverless_workflows only; `components` is a folder, not a package
    (its package refuses to load under the name `components.serverless_workflows`)."""
    wrong = [
        f"{relative} imports {name}"
        for relative in project_python_files()
        for name in sorted(imported_names(PROJECT_ROOT / relative))
        if name.split(".")[0] == "components"
    ]
    assert wrong == []


def dependencies() -> set[str]:
    """The import names of the package's declared dependencies (pyproject.toml), by their distributions'
    names: each of ours imports as its distribution is named (pulumi-aws as pulumi_aws)."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(Requirement(line).name).replace("-", "_") for line in project["dependencies"]}


def outside_the_package(relative: str, names: set[str], allowed: set[str]) -> list[str]:
    """What a module of the package imports that an install of it would not have."""
    return [
        f"{relative} imports {name}"
        for name in sorted(names)
        if (head := name.split(".")[0]) != PACKAGE and head not in sys.stdlib_module_names and head not in allowed
    ]


def test_the_package_imports_only_itself_the_standard_library_and_its_dependencies() -> None:
    """An installed package has nothing of the repository beside it: no catalogue, settings or tools."""
    allowed = dependencies()
    assert {"pulumi", "pulumi_aws"} <= allowed
    wrong = [
        problem
        for relative in project_python_files()
        if relative.startswith(f"{SOURCE_ROOT}{PACKAGE}/")
        for problem in outside_the_package(relative, imported_names(PROJECT_ROOT / relative), allowed)
    ]
    assert wrong == []


def test_the_package_check_sees_an_import_of_the_catalogue_or_an_undeclared_library() -> None:
    names = {"workflows.spec", "yaml", "json", "pulumi", "serverless_workflows.asl.model", "settings"}
    assert outside_the_package("x.py", names, {"pulumi"}) == [
        "x.py imports settings",
        "x.py imports workflows.spec",
        "x.py imports yaml",
    ]
