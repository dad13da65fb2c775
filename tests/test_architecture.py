"""The arrows of the design point one way: each module imports only its own layer and those below.

The layers, lowest first (docs/architecture.md#layers says what each holds):

    asl         workflows/: definitions, their model, the validator, the IAM derivation, schedules
    components  components/: the Pulumi components and the pure modules beside them
    catalogue   workflows/: the catalogue, its schema, the output contract, cost and diagrams
    settings    stack config and the stack files
    program     deployment.py and __main__.py
    tools       ops/, rehearsal/, bench/

`handlers/` imports nothing of ours but itself, and `policy/` runs with pulumi-policy alone.
A module the table below does not place fails the test: a new module gets a layer on purpose.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from rehearsal.program import PROJECT_ROOT
from tests.support import project_python_files

LAYERS = ("asl", "components", "catalogue", "settings", "program", "tools")
_ASL = {"definition", "asl_language", "model", "paths", "asl_checks", "house_rules", "validate", "integrations"}
_ASL |= {"integration_table", "iam_data", "sdk_models", "sdk_table"}
_ASL |= {"schedule", "execution_input"}
_CATALOGUE = {"spec", "field_types", "catalogue", "cost", "diagram", "outputs", "monitored"}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name, "handlers" or "policy" for those apart, None if unplaced."""
    head, _, rest = module.partition(".")
    if head in ("handlers", "policy"):
        return head
    if head == "workflows":
        leaf = rest.split(".")[0]
        return "asl" if not rest or leaf in _ASL else "catalogue" if leaf in _CATALOGUE else None
    return {
        "components": "components",
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
        found[relative[:-3].replace("/", ".").removesuffix(".__init__")] = PROJECT_ROOT / relative
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports, wherever in the module the import stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
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
    """Each import of a higher layer, or across the line around handlers/ and policy/."""
    wrong = []
    for module, targets in edges.items():
        here = layer_of(module)
        for target in sorted(targets):
            there = layer_of(target)
            apart = {here, there} & {"handlers", "policy"}
            if (apart and here != there) or (
                here in LAYERS and there in LAYERS and LAYERS.index(there) > LAYERS.index(here)
            ):
                wrong.append(f"{module} ({here}) imports {target} ({there})")
    return wrong


def cycles(edges: dict[str, set[str]], packages: frozenset[str] = frozenset()) -> list[str]:
    """Each module that its own imports lead back to, with one such way round. A package's
    __init__ is imported with each of its modules; ours are empty, so they are no link."""
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
    assert upward({"components.workflow": {"workflows.spec"}}) == [
        "components.workflow (components) imports workflows.spec (catalogue)"
    ]
    assert upward({"handlers.case": {"workflows.model"}, "workflows.cost": {"workflows.model"}}) == [
        "handlers.case (handlers) imports workflows.model (asl)"
    ]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        "a -> b -> c -> a",
        "b -> c -> a -> b",
        "c -> a -> b -> c",
    ]
    assert cycles({"a": {"p"}, "p": {"a"}}, frozenset({"p"})) == []
    assert layer_of("workflows.newthing") is None
