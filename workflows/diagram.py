"""Mermaid flowcharts of the workflow definitions, for the README and docs/.

python -m workflows.diagram           rewrite docs/workflows.md and the README's diagram section
python -m workflows.diagram --check   exit 1 if either is stale (what the tests assert)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workflows.catalogue import CATALOGUE
from workflows.definition import WorkflowDefinition
from workflows.spec import WorkflowSpec

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs" / "workflows.md"
BEGIN, END = "<!-- diagrams:begin (make diagrams) -->", "<!-- diagrams:end -->"
REGENERATE = "make diagrams"

_OPERATORS = {
    "Equals": "==",
    "LessThan": "<",
    "GreaterThan": ">",
    "LessThanEquals": "<=",
    "GreaterThanEquals": ">=",
    "Matches": "matches",
}


def _label(text: str) -> str:
    # Mermaid labels sit in double quotes; these characters would end or break them.
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def condition(rule: dict[str, Any]) -> str:
    """A Choice rule as a short readable condition, e.g. `$.Status == 1`."""
    if "And" in rule:
        return " and ".join(f"({condition(r)})" for r in rule["And"])
    if "Or" in rule:
        return " or ".join(f"({condition(r)})" for r in rule["Or"])
    if "Not" in rule:
        return f"not ({condition(rule['Not'])})"
    variable = rule.get("Variable", "?")
    for key, value in rule.items():
        if key in ("Variable", "Next"):
            continue
        if key.startswith("Is"):
            return f"{variable} {key[2:].lower()}" if value else f"{variable} not {key[2:].lower()}"
        base = key.removesuffix("Path")
        for kind in ("String", "Numeric", "Boolean", "Timestamp"):
            if base.startswith(kind) and base[len(kind) :] in _OPERATORS:
                shown = value if key.endswith("Path") else _literal(value)
                return f"{variable} {_OPERATORS[base[len(kind) :]]} {shown}"
    return "?"


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _errors(entry: dict[str, Any]) -> str:
    names = entry.get("ErrorEquals", [])
    shared = "Lambda."
    if len(names) > 1 and all(n.startswith(shared) for n in names):
        return f"{len(names)} transient Lambda errors"
    return ", ".join(names)


def mermaid(definition: WorkflowDefinition) -> str:
    states: dict[str, Any] = definition.document["States"]
    ids = {name: f"s{index}" for index, name in enumerate(states)}
    lines = ["flowchart TD", "    start((Start))"]
    for name, state in states.items():
        lines.append(f"    {_node(ids[name], name, state)}")
    lines.append(f"    start --> {ids[definition.document['StartAt']]}")
    for name, state in states.items():
        lines.extend(f"    {edge}" for edge in _edges(ids, name, state))
    lines.append("    classDef failed fill:#fde2e1,stroke:#c0392b")
    lines.append("    classDef choice fill:#fff4d6,stroke:#b7950b")
    return "\n".join(lines)


def _node(node_id: str, name: str, state: dict[str, Any]) -> str:
    kind = state.get("Type")
    text = _label(name)
    if kind == "Choice":
        return f'{node_id}{{"{text}"}}:::choice'
    if kind == "Fail":
        cause = f"<br/>{_label(state['Cause'])}" if state.get("Cause") else ""
        return f'{node_id}[["{text}{cause}"]]:::failed'
    if kind in ("Pass", "Succeed", "Wait"):
        return f'{node_id}("{text}")'
    return f'{node_id}["{text}"]'


def _edges(ids: dict[str, str], name: str, state: dict[str, Any]) -> Iterator[str]:
    here = ids[name]
    for retrier in state.get("Retry", []):
        attempts = retrier.get("MaxAttempts", 3)
        yield f'{here} -. "retry x{attempts}: {_label(_errors(retrier))}" .-> {here}'
    for catcher in state.get("Catch", []):
        yield f'{here} -. "catch: {_label(_errors(catcher))}" .-> {ids[catcher["Next"]]}'
    for rule in state.get("Choices", []):
        yield f'{here} -- "{_label(condition(rule))}" --> {ids[rule["Next"]]}'
    if "Default" in state:
        yield f'{here} -- "default" --> {ids[state["Default"]]}'
    if "Next" in state:
        yield f"{here} --> {ids[state['Next']]}"
    if state.get("End") is True or state.get("Type") == "Succeed":
        yield f"{here} --> finish((End))"


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def section(catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> str:
    """Every workflow of the catalogue, in its order."""
    parts = [BEGIN]
    for spec in catalogue:
        definition = spec.load_definition()
        parts.append(f"\n**{spec.title}** (`{_shown(definition.path)}`)\n\n```mermaid\n{mermaid(definition)}\n```\n")
    parts.append(END)
    return "\n".join(parts)


def docs_page(catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> str:
    return (
        "# Workflow diagrams\n\n"
        f"Generated from the definition files by `{REGENERATE}`; do not edit by hand.\n\n" + section(catalogue) + "\n"
    )


def readme_with_diagrams(readme: str, catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> str:
    if BEGIN not in readme or END not in readme:
        raise ValueError(f"README.md has no {BEGIN} ... {END} section to fill")
    before, rest = readme.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    return before + section(catalogue) + after


def main(argv: list[str], catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> int:
    wanted = {README: readme_with_diagrams(README.read_text(), catalogue), DOCS: docs_page(catalogue)}
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale; run `{REGENERATE}`")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted[path])
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
