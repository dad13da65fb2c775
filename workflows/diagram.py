"""Mermaid flowcharts of the workflow definitions, for the README and docs/.

python -m workflows.diagram           rewrite docs/workflows.md and the README's diagram section
python -m workflows.diagram --check   exit 1 if either is stale (what the tests assert)
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from serverless_workflows.asl import house_rules, model
from serverless_workflows.asl.definition import WorkflowDefinition
from serverless_workflows.asl.model import CATCH, CHOICE, DEFAULT, NEXT, Machine, State
from serverless_workflows.asl.validate import check_asl, check_document, tool_warnings
from workflows.catalogue import CATALOGUE
from workflows.spec import WorkflowSpec, check_catalogue

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


def _label(text: object) -> str:
    """Text for a label in double quotes. Mermaid reads #name; as an entity, so `#` goes first;
    a quote, angle bracket or backtick would end the label or turn it into HTML or Markdown."""
    escaped = str(text).replace("#", "#35;").replace("&", "#amp;")
    escaped = escaped.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;").replace("`", "#96;")
    # A label is one line of the chart: a line break in a name would end the statement.
    return re.sub(r"[\r\n]+", " ", escaped)


JSONATA_SHOWN = 80
"""Characters of a JSONata condition shown on its edge; the rest is cut to `...`."""


def _condition(rule: Mapping[str, Any]) -> str:
    """A Choice rule as a short readable condition, e.g. `$.Status == 1` or `$states.input.total > 100`."""
    if "Condition" in rule:
        return _jsonata(rule["Condition"])
    if "And" in rule:
        return " and ".join(f"({_condition(r)})" for r in rule["And"])
    if "Or" in rule:
        return " or ".join(f"({_condition(r)})" for r in rule["Or"])
    if "Not" in rule:
        return f"not ({_condition(rule['Not'])})"
    return _comparison(rule)


def _comparison(rule: Mapping[str, Any]) -> str:
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


def _jsonata(value: Any) -> str:
    """A JSONata condition as its expression: `{% $x > 1 %}` reads `$x > 1`; a literal `true` reads `true`."""
    if not isinstance(value, str):
        return json.dumps(value)
    text = value.strip()
    if text.startswith("{%") and text.endswith("%}"):
        text = text[2:-2]
    # An expression may span lines; an edge label is one short line.
    text = " ".join(text.split())
    return text if len(text) <= JSONATA_SHOWN else text[: JSONATA_SHOWN - 3] + "..."


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _errors(entry: Mapping[str, Any]) -> str:
    names = [str(n) for n in entry.get("ErrorEquals", [])]
    shared = "Lambda."
    if len(names) > 1 and all(n.startswith(shared) for n in names):
        return f"{len(names)} transient Lambda errors"
    return ", ".join(names)


def mermaid(definition: WorkflowDefinition) -> str:
    """The flowchart of a definition file; DefinitionError, naming the file, for one AWS would refuse."""
    # Drawing follows every transition: a definition AWS would refuse is named, not drawn.
    check_asl(definition)
    return _flowchart(definition.document)


def chart(document: object) -> str:
    """The flowchart of a parsed definition, nested states included; DefinitionError for any
    value that is not a definition AWS would accept.

    A Parallel or Map state is a hexagon that forks into its branches (or its item
    processor), each a subgraph, and a join where they meet again; the state's own
    Next, Catch and Retry leave from the join, since they apply once all have run."""
    return _flowchart(check_document(document))


def _flowchart(document: dict[str, Any]) -> str:
    """The chart of a definition the validator accepted: every lookup below can rely on that."""
    drawing = _Drawing()
    top = model.read(document).top
    # Top-level states are numbered first, so that nesting never renumbers them.
    ids = drawing.number(top)
    nodes, edges = drawing.machine(top, ids, "    ", "start", "finish((End))")
    lines = ["flowchart TD", "    start((Start))", *nodes, *(f"    {edge}" for edge in edges)]
    lines.append("    classDef failed fill:#fde2e1,stroke:#c0392b")
    lines.append("    classDef choice fill:#fff4d6,stroke:#b7950b")
    return "\n".join(lines)


class _Drawing:
    """Node ids of one chart: `s<n>` for every state, at every depth; a container's frame,
    branches and join take its id with a suffix, so no two ids are ever the same."""

    def __init__(self) -> None:
        self.count = 0

    def number(self, machine: Machine) -> dict[str, str]:
        ids = {}
        for name in machine.states:
            ids[name] = f"s{self.count}"
            self.count += 1
        return ids

    def machine(
        self, machine: Machine, ids: dict[str, str], indent: str, start: str | None, finish: str
    ) -> tuple[list[str], list[str]]:
        """(node lines, edges) of a state machine, branch or item processor whose states have `ids`;
        `start` leads to its StartAt (None: the container's fork does), `finish` is where it ends."""
        nodes: list[str] = []
        inner: dict[str, list[str]] = {}
        for name, state in machine.states.items():
            if state.is_container:
                lines, inner[name] = self.container(ids[name], state, indent)
                nodes += lines
            else:
                nodes.append(f"{indent}{_node(ids[name], state)}")
        edges = [f"{start} --> {ids[str(machine.start_at)]}"] if start is not None else []
        for name, state in machine.states.items():
            edges += _edges(ids, state, finish)
            edges += inner.get(name, [])
        return nodes, edges

    def container(self, fork: str, state: State, indent: str) -> tuple[list[str], list[str]]:
        inner = indent + "    "
        join = f"{fork}_join"
        if state.type == "Parallel":
            parts = [(f"{fork}_b{n}", f"Branch {n}", branch) for n, branch in enumerate(state.machines, start=1)]
            title, joined = f"Parallel: {len(parts)} branches", "all branches done"
        else:
            items = state.processor
            parts = [(f"{fork}_items", "Each item", items)] if items is not None else []
            title = "Distributed Map: each item a child execution" if state.distributed else "Map: for each item"
            joined = "all items done"
        lines = [f'{indent}subgraph {fork}_frame ["{title}"]', f'{inner}{fork}{{{{"{_label(state.name)}"}}}}']
        edges: list[str] = []
        for sub, heading, machine in parts:
            lines.append(f'{inner}subgraph {sub} ["{heading}"]')
            ids = self.number(machine)
            nodes, inner_edges = self.machine(machine, ids, inner + "    ", None, join)
            lines += [*nodes, f"{inner}end"]
            edges += [f"{fork} --> {ids[str(machine.start_at)]}", *inner_edges]
        lines += [f'{inner}{join}(["{joined}"])', f"{indent}end"]
        return lines, edges


def _node(node_id: str, state: State) -> str:
    text = _label(state.name)
    if state.type == "Choice":
        return f'{node_id}{{"{text}"}}:::choice'
    if state.fails:
        cause = f"<br/>{_label(state.fields['Cause'])}" if state.fields.get("Cause") else ""
        return f'{node_id}[["{text}{cause}"]]:::failed'
    if state.type in ("Pass", "Succeed", "Wait"):
        return f'{node_id}("{text}")'
    return f'{node_id}["{text}"]'


def _edges(ids: dict[str, str], state: State, finish: str) -> Iterator[str]:
    here = ids[state.name]
    # A container is left from its join: its Retry runs it again from the fork.
    leaving = f"{here}_join" if state.is_container else here
    for retrier in state.fields.get("Retry", []):
        attempts = retrier.get("MaxAttempts", 3)
        yield f'{leaving} -. "retry x{attempts}: {_label(_errors(retrier))}" .-> {here}'
    ways = {kind: [way for way in state.transitions if way.kind == kind] for kind in (CATCH, CHOICE, DEFAULT, NEXT)}
    for catch in ways[CATCH]:
        yield f'{leaving} -. "catch: {_label(_errors(catch.rule))}" .-> {ids[catch.target]}'
    for rule in ways[CHOICE]:
        yield f'{here} -- "{_label(_condition(rule.rule))}" --> {ids[rule.target]}'
    for default in ways[DEFAULT]:
        yield f'{here} -- "default" --> {ids[default.target]}'
    for following in ways[NEXT]:
        yield f"{leaving} --> {ids[following.target]}"
    # A Fail state ends the run too, but in failure: it is drawn red, without an edge to the end.
    if state.ends and not state.fails:
        yield f"{leaving} --> {finish}"


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def section(catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> str:
    """Every workflow of the catalogue, in its order."""
    parts = [BEGIN]
    for spec in catalogue:
        drawn = mermaid(spec.load_definition())
        parts.append(f"\n**{spec.title}** (`{_shown(spec.definition_path)}`)\n\n```mermaid\n{drawn}\n```\n")
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
    """0 done (with --check: nothing stale), 1 stale (with --check), 2 a catalogue entry or a
    definition that cannot be drawn, named on stderr."""
    try:
        check_catalogue(catalogue)
        wanted = {README: readme_with_diagrams(README.read_text(), catalogue), DOCS: docs_page(catalogue)}
        # Each definition's warnings, once (both pages draw every definition, and say nothing).
        # No stack is read here, so the project's rules are at their entries' levels (a stack's
        # houseRules may relax them further: `python -m ops cost` reads those).
        warnings = [
            f"{spec.definition_path.name}: {warning}"
            for spec in catalogue
            for warning in tool_warnings(
                spec.load_definition(),
                functions={function.placeholder: function.timeout_seconds for function in spec.functions},
                house_rules=house_rules.combined(spec.house_rules),
            )
        ]
    except ValueError as error:  # CatalogueError and DefinitionError among them
        print(f"make diagrams: {error}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"make diagrams: warning: {warning}", file=sys.stderr)
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
