"""The Mermaid diagrams: generated from the definitions, and kept fresh in the README and docs/."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from serverless_workflows.asl.asl_checks import asl_problems
from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
from tests.support import NIGHTLY_REPORT, SUITE_CATALOGUE, corpus_definitions, definition_of, mutate, random_json
from workflows import diagram
from workflows.catalogue import CALL_CENTER, SCHEDULED


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


def edge_list(chart: str) -> list[tuple[str, str, str]]:
    found = []
    for line in chart.splitlines():
        match = re.match(r'\s*(\w+) (?:-- "(.*)" -->|-\. "(.*)" \.->|-->) (\w+)', line)
        if match:
            found.append((match[1], match[2] or match[3] or "", match[4]))
    return found


def edges(chart: str) -> set[tuple[str, str, str]]:
    return set(edge_list(chart))


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
    assert diagram._condition(rule) == text


def test_every_catalogue_workflow_is_drawn_without_editing_the_generator() -> None:
    section = diagram.section(SUITE_CATALOGUE)
    assert "**Nightly report** (`tests/fixtures/nightly_report/workflows/nightly_report.asl.json`)" in section
    assert section.count("```mermaid") == len(SUITE_CATALOGUE)
    assert diagram.mermaid(NIGHTLY_REPORT.load_definition()) in section


# --- any definition the validator accepts ---------------------------------------------

VALID = sorted((Path(__file__).resolve().parent / "fixtures" / "asl" / "valid").glob("*.asl.json"))
_DECLARED = re.compile(r'^\s*(\w+)(?:\(\[|\[\[|\(|\[|\{\{|\{)"(.*)"(?:\]\)|\]\]|\)|\]|\}\}|\})(?::::\w+)?$')
_SUBGRAPH = re.compile(r'^\s*subgraph (\w+) \["(.*)"\]$')


def unescaped(label: str) -> str:
    for entity, char in (("#quot;", '"'), ("#lt;", "<"), ("#gt;", ">"), ("#96;", "`"), ("#amp;", "&"), ("#35;", "#")):
        label = label.replace(entity, char)
    return label


class Drawn:
    """A chart read back: each id's label and the subgraphs it sits in, and its edges."""

    def __init__(self, chart: str) -> None:
        self.labels: dict[str, str] = {}
        self.inside: dict[str, tuple[str, ...]] = {}
        self.declared: list[str] = []
        self.edges = edge_list(chart)
        open_subgraphs: list[str] = []
        for line in chart.splitlines()[1:]:
            if line.strip() == "end":
                open_subgraphs.pop()
            elif subgraph := _SUBGRAPH.match(line):
                self.declared.append(subgraph[1])
                open_subgraphs.append(subgraph[1])
            elif declared := _DECLARED.match(line):
                self.declared.append(declared[1])
                self.labels[declared[1]] = unescaped(declared[2])
                self.inside[declared[1]] = tuple(open_subgraphs)
            else:
                assert re.match(r"\s*(\w+ (--|-\.)|classDef |start\(\(Start\)\)$)", line), f"unread line {line!r}"
        assert not open_subgraphs, "a subgraph is never closed"

    def state_ids(self, names: list[str]) -> dict[str, str]:
        """Each name's node; fails unless every state is drawn exactly once."""
        found: dict[str, str] = {}
        by_name: dict[str, list[str]] = {}  # a node's first label line -> the nodes that show it
        for i, label in self.labels.items():
            by_name.setdefault(label.split("<br/>")[0], []).append(i)
        for name in names:
            shown = re.sub(r"[\r\n]+", " ", name)
            matching = by_name.get(shown, [])
            assert len(matching) == 1, f"state {name!r} is drawn {len(matching)} times"
            found[name] = matching[0]
        return found


def processor_of(state: dict[str, Any]) -> dict[str, Any] | None:
    """A Map's item processor, read here without the model, so that the chart is checked against the JSON."""
    found = state.get("ItemProcessor", state.get("Iterator"))
    return found if isinstance(found, dict) else None


def all_states(machine: dict[str, object]) -> list[str]:
    names: list[str] = []
    for name, state in machine["States"].items():  # type: ignore[attr-defined]
        names.append(name)
        for branch in state.get("Branches", []):
            names += all_states(branch)
        if processor_of(state) is not None:
            names += all_states(processor_of(state))  # type: ignore[arg-type]
    return names


def expected_edges(
    machine: dict[str, object], ids: dict[str, str], start: str, finish: str
) -> Counter[tuple[str, str, str]]:
    """Every transition of `machine` (and of the machines inside it), as the edge the chart must have."""
    found = Counter([(start, "", ids[machine["StartAt"]])])  # type: ignore[index]
    for name, state in machine["States"].items():  # type: ignore[attr-defined]
        here = ids[name]
        container = state["Type"] in ("Parallel", "Map")
        leaving = f"{here}_join" if container else here
        for retrier in state.get("Retry", []):
            found.update([(leaving, f"retry x{retrier.get('MaxAttempts', 3)}: {diagram._errors(retrier)}", here)])
        for catcher in state.get("Catch", []):
            found.update([(leaving, f"catch: {diagram._errors(catcher)}", ids[catcher["Next"]])])
        for rule in state.get("Choices", []):
            found.update([(here, re.sub(r"[\r\n]+", " ", diagram._condition(rule)), ids[rule["Next"]])])
        if "Default" in state:
            found.update([(here, "default", ids[state["Default"]])])
        if "Next" in state:
            found.update([(leaving, "", ids[state["Next"]])])
        if state.get("End") is True or state["Type"] == "Succeed":
            found.update([(leaving, "", finish)])
        inner = list(state.get("Branches", []))
        if processor_of(state) is not None:
            inner.append(processor_of(state))
        for branch in inner:
            found += expected_edges(branch, ids, here, f"{here}_join")
    return found


def assert_drawn_faithfully(document: dict[str, object]) -> None:
    chart = diagram.chart(document)
    drawn = Drawn(chart)
    duplicates = {i for i in drawn.declared if drawn.declared.count(i) > 1}
    assert not duplicates, f"ids declared twice: {duplicates}"
    ids = drawn.state_ids(all_states(document))
    assert_nested_inside(document, ids, drawn)
    expected = expected_edges(document, ids, "start", "finish")
    found = Counter((a, unescaped(label), b) for a, label, b in drawn.edges)
    assert found == expected


def assert_nested_inside(machine: dict[str, object], ids: dict[str, str], drawn: Drawn) -> None:
    for name, state in machine["States"].items():  # type: ignore[attr-defined]
        parts = [(f"{ids[name]}_b{n}", b) for n, b in enumerate(state.get("Branches", []), start=1)]
        if processor_of(state) is not None:
            parts.append((f"{ids[name]}_items", processor_of(state)))
        for subgraph, inner in parts:
            for inner_name in inner["States"]:
                assert subgraph in drawn.inside[ids[inner_name]], f"{inner_name!r} is drawn outside {subgraph}"
            assert_nested_inside(inner, ids, drawn)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_valid_definition_is_drawn_state_by_state_and_edge_by_edge(path: Path) -> None:
    document = json.loads(path.read_text())
    assert asl_problems(document) == []
    assert_drawn_faithfully(document)


def test_the_checker_notices_a_missing_edge() -> None:
    """Guards the structural check above: it must fail on a chart that drops a transition."""
    document = json.loads((VALID[0].parent / "parallel_map_parallel.asl.json").read_text())
    chart = diagram.chart(document)
    broken = "\n".join(line for line in chart.splitlines() if "-->" not in line or "_join" not in line)
    drawn = Drawn(broken)
    ids = drawn.state_ids(all_states(document))
    assert Counter((a, unescaped(x), b) for a, x, b in drawn.edges) != expected_edges(document, ids, "start", "finish")


def test_a_parallel_forks_into_side_by_side_branches_and_joins() -> None:
    chart = diagram.mermaid(NIGHTLY_REPORT.load_definition())
    # Top-level states keep s0, s1; nested ones follow in the order they are met.
    assert chart.splitlines()[2:8] == [
        '    subgraph s0_frame ["Parallel: 2 branches"]',
        '        s0{{"Gather"}}',
        '        subgraph s0_b1 ["Branch 1"]',
        '            s2["Build report"]',
        '            subgraph s3_frame ["Map: for each item"]',
        '                s3{{"Summarise regions"}}',
    ]
    found = edges(chart)
    assert ("s0", "", "s2") in found  # into branch 1
    assert ("s0", "", "s5") in found  # into branch 2
    assert ("s3_join", "", "s0_join") in found  # the Map ends branch 1
    assert ("s6", "", "s0_join") in found  # Stamp ends branch 2
    assert ("s0_join", "", "s1") in found  # then Announce
    assert ("s2", "retry x3: 4 transient Lambda errors", "s2") in found


def test_a_container_is_retried_from_its_fork_and_caught_from_its_join() -> None:
    document = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Pass", "End": True}},
                },
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
                "End": True,
            },
            "Oops": {"Type": "Fail", "Error": "Failed"},
        },
    }
    assert asl_problems(document) == []
    chart = diagram.chart(document)
    assert '    subgraph s0_frame ["Distributed Map: each item a child execution"]' in chart
    assert {
        ("s0_join", "retry x2: States.ALL", "s0"),
        ("s0_join", "catch: States.ALL", "s1"),
        ("s0_join", "", "finish"),
        ("s2", "", "s0_join"),
    } <= edges(chart)


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        ("{% $states.input.total > 100 %}", "$states.input.total > 100"),
        ("{%$x%}", "$x"),
        (True, "true"),
        ("{% $a\n   and $b %}", "$a and $b"),
        ("{% " + "$x + " * 30 + "1 %}", ("$x + " * 30)[:77] + "..."),
    ],
)
def test_jsonata_conditions_read_as_their_expression(condition: object, text: str) -> None:
    assert diagram._condition({"Condition": condition, "Next": "x"}) == text


def test_names_are_escaped_so_that_no_name_breaks_the_chart() -> None:
    name = 'Say "hi" <now> #1 & `x`\nend'
    chart = diagram.chart({"StartAt": name, "States": {name: {"Type": "Succeed"}}})
    assert '    s0("Say #quot;hi#quot; #lt;now#gt; #35;1 #amp; #96;x#96; end")' in chart
    assert Drawn(chart).labels["s0"] == 'Say "hi" <now> #1 & `x` end'


# --- generated and mutated definitions -----------------------------------------------

# Names that would break a chart drawn carelessly: Mermaid syntax, entities, keywords, the chart's own ids.
AWKWARD_NAMES = [
    'Say "hi"',
    "a < b > c",
    "#quot; #35;",
    "end",
    "End",
    "subgraph",
    "s0",
    "s1_join",
    "start",
    "finish",
    "classDef x",
    "100% %% done",
    "`tick`",
    "{curly}",
    "[square]",
    "(round)",
    "a|b",
    "semi;colon",
    "x --> y",
    "amp & lt &lt;",
    "ünïcødé ✓",
    "S" * 80,
    "tab\there",
    "two\nlines",
    "-. dotted .->",
    ":::failed",
]
ERRORS = [["States.ALL"], ["Lambda.ServiceException", "Lambda.SdkClientException"], ["Custom.Error"]]


class Generator:
    """Random state machines of every state type, nested, with loops, Retry and Catch."""

    def __init__(self, rng: random.Random, jsonata: bool) -> None:
        self.rng = rng
        self.jsonata = jsonata
        self.used: set[str] = set()

    def name(self) -> str:
        base = self.rng.choice(AWKWARD_NAMES) if self.rng.random() < 0.6 else f"State {len(self.used)}"
        name, n = base, 1
        while name in self.used:
            n += 1
            name = f"{base[:75]} {n}"
        self.used.add(name)
        return name

    def machine(self, depth: int) -> dict[str, object]:
        names = [self.name() for _ in range(self.rng.randint(1, 5))]
        states = {}
        for index, name in enumerate(names):
            last = index == len(names) - 1
            states[name] = self.state(depth, names, index, last)
        return {"StartAt": names[0], "States": states}

    def state(self, depth: int, names: list[str], index: int, last: bool) -> dict[str, Any]:
        rng = self.rng
        kinds = ["Pass", "Wait", "Task", "Choice", "Succeed", "Fail"] + (["Parallel", "Map"] * 2 if depth < 3 else [])
        # Only the last state may end the machine, so that every state stays reachable.
        kind = rng.choice([k for k in kinds if k not in (("Choice",) if last else ("Succeed", "Fail"))])
        state = self.fields(kind, depth)
        if kind in ("Task", "Parallel", "Map"):
            if rng.random() < 0.5:
                state["Retry"] = [{"ErrorEquals": rng.choice(ERRORS), "MaxAttempts": rng.randint(0, 5)}]
            if rng.random() < 0.4:
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": rng.choice(names)}]
        if kind == "Choice":
            state["Choices"] = [self.rule(rng.choice(names)) for _ in range(rng.randint(1, 3))]
            state["Default"] = names[index + 1]
        elif kind not in ("Succeed", "Fail"):
            state.update({"End": True} if last else {"Next": names[index + 1]})
        return state

    def fields(self, kind: str, depth: int) -> dict[str, Any]:
        rng = self.rng
        state: dict[str, Any] = {"Type": kind}
        if kind == "Wait":
            state["Seconds"] = rng.randint(0, 5)
        elif kind == "Task":
            state["Resource"] = "arn:aws:states:::lambda:invoke"
            function = {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f"}
            state["Arguments" if self.jsonata else "Parameters"] = function
        elif kind == "Fail":
            state["Error"] = "Failed"
            if rng.random() < 0.5:
                state["Cause"] = rng.choice(AWKWARD_NAMES)
        elif kind == "Parallel":
            state["Branches"] = [self.machine(depth + 1) for _ in range(rng.randint(1, 3))]
        elif kind == "Map":
            key = rng.choice(["ItemProcessor", "ItemProcessor", "Iterator"]) if not self.jsonata else "ItemProcessor"
            processor = self.machine(depth + 1)
            if key == "ItemProcessor" and rng.random() < 0.3:
                mode = rng.choice(["STANDARD", "EXPRESS"])
                processor["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": mode}
            state[key] = processor
        return state

    def rule(self, target: str) -> dict[str, Any]:
        if self.jsonata:
            return {
                "Condition": self.rng.choice(["{% $states.input.n > 1 %}", True, "{% $x = 'a\"b' %}"]),
                "Next": target,
            }
        return self.rng.choice(
            [
                {"Variable": "$.n", "NumericGreaterThan": 1, "Next": target},
                {
                    "And": [{"Variable": "$.s", "StringEquals": '<"x">'}, {"Not": {"Variable": "$.b", "IsNull": True}}],
                    "Next": target,
                },
                {"Variable": "$.t", "TimestampLessThanEqualsPath": "$.u", "Next": target},
            ]
        )


def generated(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    jsonata = rng.random() < 0.3
    document: dict[str, Any] = Generator(rng, jsonata).machine(0)
    if jsonata:
        document["QueryLanguage"] = "JSONata"
    return document


def renamed(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A valid definition with every state renamed to an awkward name, transitions following."""
    pool = iter(rng.sample(AWKWARD_NAMES, len(AWKWARD_NAMES)) + [f"n{i}" for i in range(1000)])
    names: dict[str, str] = {}

    def new(name: str) -> str:
        return names.setdefault(name, next(pool))

    def walk(machine: dict[str, Any]) -> None:
        machine["StartAt"] = new(machine["StartAt"])
        machine["States"] = {new(name): state for name, state in machine["States"].items()}
        for state in machine["States"].values():
            for key in ("Next", "Default"):
                if key in state:
                    state[key] = new(state[key])
            for entry in state.get("Choices", []) + state.get("Catch", []):
                entry["Next"] = new(entry["Next"])
            for branch in state.get("Branches", []):
                walk(branch)
            for key in ("ItemProcessor", "Iterator"):
                if key in state:
                    walk(state[key])

    mutant = copy.deepcopy(document)
    walk(mutant)
    return mutant


def wrapped(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The definition as a branch of a Parallel or the item processor of a Map, with a Catch on it."""
    inner = {"StartAt": document["StartAt"], "States": document["States"]}
    container: dict[str, Any] = (
        {
            "Type": "Parallel",
            "Branches": [inner, {"StartAt": "Beside", "States": {"Beside": {"Type": "Pass", "End": True}}}],
        }
        if rng.random() < 0.5
        else {"Type": "Map", "ItemProcessor": inner}
    )
    container.update(Next="After", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "After"}])
    outer = {"StartAt": "Wrapper", "States": {"Wrapper": container, "After": {"Type": "Succeed"}}}
    if "QueryLanguage" in document:
        outer["QueryLanguage"] = document["QueryLanguage"]
    return outer


def test_generated_definitions_are_drawn_faithfully() -> None:
    accepted = 0
    for seed in range(300):
        document = generated(seed)
        if asl_problems(document):
            continue
        accepted += 1
        try:
            assert_drawn_faithfully(document)
        except Exception:
            print(f"seed {seed}:", json.dumps(document, indent=1)[:4000])
            raise
    assert accepted > 200, f"only {accepted} of 300 generated definitions were valid: the generator proves little"


def test_renamed_and_nested_corpus_definitions_are_drawn_faithfully() -> None:
    rng = random.Random(11)
    accepted = 0
    for path in VALID:
        for _ in range(3):
            mutant = renamed(json.loads(path.read_text()), rng)
            if rng.random() < 0.7:
                mutant = wrapped(mutant, rng)
            if asl_problems(mutant):
                continue
            accepted += 1
            try:
                assert_drawn_faithfully(mutant)
            except Exception:
                print(path.name, json.dumps(mutant, indent=1)[:4000])
                raise
    assert accepted > 2 * len(VALID)


def drawn_or_refused(document: Any) -> str:
    """The chart of any JSON value, or "refused" when DefinitionError names its problems; the
    file-based entry point must agree. Any other exception escapes."""
    draws: list[Callable[[], str]] = [lambda: diagram.chart(document), lambda: diagram.mermaid(definition_of(document))]
    outcomes = []
    for draw in draws:
        try:
            outcomes.append(draw())
        except DefinitionError as error:
            outcomes.append("refused" if "problem(s) in the definition" in str(error) else str(error))
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


def test_the_issue_s_crashing_input_is_refused_by_name() -> None:
    document = {"StartAt": "A", "States": {"A": "not a state", "B": {"Type": "Succeed"}}}
    with pytest.raises(DefinitionError, match="state 'A': a state must be a JSON object, got 'not a state'"):
        diagram.chart(document)
    nested = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [document]}}}
    with pytest.raises(DefinitionError, match=r"(?s)^mutant.asl.json: .*state 'P' > branch 1 > state 'A'"):
        diagram.mermaid(definition_of(nested))


@pytest.mark.parametrize("seed", range(2))
def test_mangled_definitions_are_drawn_or_refused_by_name_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    # Near-valid definitions are where a drawing could go wrong: mutate the valid ones.
    seeds = [document for document in corpus_definitions() if not asl_problems(document)]
    outcomes = Counter[str]()
    for number in range(300):
        document = mutate(rng.choice(seeds), rng) if number % 4 else random_json(rng)
        try:
            chart = drawn_or_refused(document)
            if chart != "refused":
                assert asl_problems(document) == []
                Drawn(chart)  # every line reads back; every subgraph is closed
        except Exception:
            print(json.dumps(document, indent=1)[:4000])
            raise
        outcomes["refused" if chart == "refused" else "drawn"] += 1
    # Guards the generator: both kinds must be common, or the test proves little.
    assert outcomes["refused"] > 200, outcomes
    assert outcomes["drawn"] > 10, outcomes


def _with_definition(tmp_path: Path, text: str | None) -> tuple[Any, ...]:
    """The tutorials, the call center's definition replaced by `text` (None: a missing file)."""
    path = tmp_path / "call_center.asl.json"
    if text is not None:
        path.write_text(text)
    return (SCHEDULED, dataclasses.replace(CALL_CENTER, definition=str(path)))


def _dangling() -> str:
    document = json.loads(CALL_CENTER.definition_path.read_text())
    document["States"]["Open Case"]["Next"] = "Anounce"
    return json.dumps(document)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (None, "cannot read the definition file"),
        ('{"StartAt": "A",', "invalid JSON"),
        (_dangling(), "Next names 'Anounce', which is not a state"),
    ],
    ids=["missing", "syntax", "dangling-next"],
)
def test_make_diagrams_names_a_definition_it_cannot_draw_in_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, named: str
) -> None:
    assert diagram.main([], _with_definition(tmp_path, text)) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"make diagrams: {tmp_path / 'call_center.asl.json'}")
    assert named in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""  # nothing was rewritten


def test_make_diagrams_refuses_a_catalogue_entry_the_program_would_refuse(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = dataclasses.replace(CALL_CENTER, name="Call_Center")
    assert diagram.main(["--check"], (SCHEDULED, bad)) == 2
    assert "Call_Center" in capsys.readouterr().err
