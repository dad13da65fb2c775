"""The one model of a definition (serverless_workflows.asl.model), and every tool naming states through it."""

from __future__ import annotations

import ast
import html
import json
import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ops import execution_tree
from policy import rules as pack
from rehearsal.program import PROJECT_ROOT
from serverless_workflows.asl import integrations, model
from serverless_workflows.asl.asl_checks import asl_problems
from serverless_workflows.asl.asl_language import MAX_NESTING
from serverless_workflows.asl.definition import WorkflowDefinition
from serverless_workflows.asl.house_rules import TRANSIENT_LAMBDA_ERRORS, WAITING_PATTERNS, project_problems
from serverless_workflows.asl.model import CATCH, CHOICE, DEFAULT, NEXT
from serverless_workflows.workflow import WorkflowArgs
from serverless_workflows.workflow import validate as validate_workflow
from tests.support import (
    SUITE_CATALOGUE,
    corpus_definitions,
    mutate,
    project_python_files,
    random_json,
    syntax_nodes,
)
from workflows import cost, diagram
from workflows.spec import FunctionSpec

QUOTED = 'Say "hi" to Bob\'s team'
TRICKY = "Update state X"
RETRY = [{"ErrorEquals": list(TRANSIENT_LAMBDA_ERRORS), "MaxAttempts": 2}]


def task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, **fields}


def nested(inner: dict[str, Any], quoted: dict[str, Any]) -> dict[str, Any]:
    """A Parallel whose second branch holds a Map whose processor holds `TRICKY` (`inner`),
    then `QUOTED` (`quoted`) at the top: names the old display-string parsing got wrong."""
    return {
        "StartAt": "Fan out",
        "TimeoutSeconds": 60,
        "States": {
            "Fan out": {
                "Type": "Parallel",
                "Next": QUOTED,
                "Branches": [
                    {"StartAt": "Note", "States": {"Note": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "Each order",
                        "States": {
                            "Each order": {
                                "Type": "Map",
                                "End": True,
                                "ItemProcessor": {"StartAt": TRICKY, "States": {TRICKY: {**inner, "End": True}}},
                            }
                        },
                    },
                ],
            },
            QUOTED: {**quoted, "End": True},
        },
    }


PATHS = {
    "Fan out": ("Fan out",),
    "Note": ("Fan out", 1, "Note"),
    "Each order": ("Fan out", 2, "Each order"),
    TRICKY: ("Fan out", 2, "Each order", "ItemProcessor", TRICKY),
    QUOTED: (QUOTED,),
}
WHERE = {name: model.describe(path) for name, path in PATHS.items()}


def definition_file(tmp_path: Path, document: dict[str, Any]) -> WorkflowDefinition:
    path = tmp_path / "nested.asl.json"
    path.write_text(json.dumps(document))
    return WorkflowDefinition.load(path)


# --- the model itself ----------------------------------------------------------------------


def test_states_are_read_at_every_depth_with_their_names_as_written_and_their_paths() -> None:
    read = model.read(nested(task("${Fn}"), task("${Fn}")))
    assert {state.name: state.path for state in read.states()} == PATHS
    assert [state.name for state in read.states()] == ["Fan out", "Note", "Each order", TRICKY, QUOTED]
    assert WHERE[TRICKY] == "state 'Fan out' > branch 2 > state 'Each order' > ItemProcessor > state 'Update state X'"
    assert WHERE[QUOTED] == f"state {QUOTED!r}"
    assert [m.where for m in read.machines()] == [
        "",
        "state 'Fan out' > branch 1",
        "state 'Fan out' > branch 2",
        "state 'Fan out' > branch 2 > state 'Each order' > ItemProcessor",
    ]


def test_a_state_knows_its_kind_transitions_end_language_and_call() -> None:
    document = {
        "StartAt": "Route",
        "QueryLanguage": "JSONata",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.ok %}", "Next": "Call"}],
                "Default": "Stop",
            },
            "Call": task(
                "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                QueryLanguage="JSONata",
                Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Stop"}],
                Next="Done",
            ),
            "Done": {"Type": "Succeed"},
            "Stop": {"Type": "Fail", "Error": "E"},
        },
    }
    states = model.read(document).top.states
    route, call = states["Route"], states["Call"]
    assert [(t.kind, t.target, t.label) for t in route.transitions] == [
        (CHOICE, "Call", "Choices rule 1 Next"),
        (DEFAULT, "Stop", "Default"),
    ]
    assert [(t.kind, t.target, t.label) for t in call.transitions] == [
        (NEXT, "Done", "Next"),
        (CATCH, "Stop", "Catch entry 1 Next"),
    ]
    assert [name for name, state in states.items() if state.ends] == ["Done", "Stop"]
    assert states["Stop"].fails
    assert not states["Done"].fails
    assert {state.query_language for state in states.values()} == {"JSONata"}
    assert call.call == model.Call(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "sqs", "sendMessage", ".waitForTaskToken"
    )
    assert call.call.integration == "sqs:sendMessage"
    sdk = model.read({"StartAt": "S", "States": {"S": task("arn:aws:states:::aws-sdk:s3:getObject")}})
    (s3,) = sdk.states()
    assert s3.call is not None
    assert s3.call.sdk
    assert s3.call.integration is None
    assert s3.call.service == "s3"


def test_a_branch_or_processor_sets_its_states_language_and_a_distributed_map_its_children_type() -> None:
    document = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {
                    "QueryLanguage": "JSONata",
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Pass", "End": True}},
                },
            }
        },
    }
    read = model.read(document)
    each = read.top.states["Each"]
    assert each.query_language == "JSONPath"
    assert each.distributed
    assert each.processor is not None
    assert each.processor.execution_type == "EXPRESS"
    assert read.top.states["Each"].processor.states["Work"].query_language == "JSONata"  # type: ignore[union-attr]


def test_nesting_deeper_than_the_limit_is_listed_not_read() -> None:
    document: dict[str, Any] = {"StartAt": "Leaf", "States": {"Leaf": {"Type": "Pass", "End": True}}}
    for _ in range(MAX_NESTING + 2):
        document = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [document]}}}
    read = model.read(document)
    assert len(read.too_deep) == 1
    assert len(read.too_deep[0]) == 2 * (MAX_NESTING + 1)
    assert max(len(state.path) for state in read.states()) == 2 * MAX_NESTING + 1


@pytest.mark.parametrize("seed", range(4))
def test_any_json_value_is_read_without_an_exception(seed: int) -> None:
    """The model, and the tools that read only it, take what is well formed of any input."""
    rng = random.Random(4000 + seed)
    seeds = corpus_definitions()
    for _ in range(300):
        document = mutate(rng.choice(seeds), rng) if rng.random() < 0.7 else random_json(rng)
        try:
            read = model.read(document)
            for state in read.states():
                assert state.where
                assert state.name == state.path[-1]
                _ = (state.ends, state.call, state.lambda_call({"Fn"}), state.distributed, state.processor)
                _ = [t.label for t in state.transitions]
            for machine in read.machines():
                _ = (machine.where, machine.execution_type)
            integrations.accesses(document, {"Fn"})
            execution_tree.branch_starts(document if isinstance(document, dict) else {})
            execution_tree.map_execution_types(document if isinstance(document, dict) else {})
            list(pack.states_at_every_depth(document))
        except Exception:
            print(json.dumps(document, indent=1)[:4000])
            raise


# --- every tool names the same states at the same paths (issue 18) ---------------------------


def test_every_tool_names_the_same_states_at_the_same_paths(tmp_path: Path) -> None:
    lambda_task = task("${Fn}", Retry=RETRY)  # no TimeoutSeconds: the house rules name it
    document = nested(lambda_task, lambda_task)
    read = model.read(document)
    assert {s.name: s.where for s in read.states()} == WHERE

    # The validator: AWS's checks and the house rules.
    bogus = nested({**lambda_task, "Bogus": 1}, {**lambda_task, "Bogus": 1})
    assert {p.where for p in asl_problems(bogus)} == {WHERE[TRICKY], WHERE[QUOTED]}
    assert {p.where for p in project_problems(document, functions={"Fn": 5})} == {WHERE[TRICKY], WHERE[QUOTED]}

    # The IAM derivation.
    accesses, unscoped = integrations.accesses(document, {"Fn"})
    assert unscoped == []
    assert {(a.state, a.where) for a in accesses} == {(TRICKY, WHERE[TRICKY]), (QUOTED, WHERE[QUOTED])}

    # The cost estimate runs each Lambda task as often as its path says: once, times the items of
    # each Map whose processor the path enters. Each task calls a function of its own memory, so
    # the GB-seconds tell which task was multiplied, not only how many requests there were.
    function = "arn:aws:lambda:us-east-1:123456789012:function:f"
    memory_mb = {TRICKY: 2048, QUOTED: 128}
    functions = {
        f"Fn{number}": FunctionSpec(
            name=f"fn-{number}", handler="h.f", placeholder=f"Fn{number}", memory_mb=memory_mb[name]
        )
        for number, name in enumerate((TRICKY, QUOTED))
    }
    timed = nested(
        {**lambda_task, "Resource": "${Fn0}", "TimeoutSeconds": 9},
        {**lambda_task, "Resource": "${Fn1}", "TimeoutSeconds": 9},
    )
    map_items, assumptions = 10, cost.Assumptions(lambda_architecture="arm64", retries_per_state=0)
    no_free = replace(cost.Prices(), lambda_free_requests=0, lambda_free_gb_seconds=0)
    runs = {name: map_items ** PATHS[name].count("ItemProcessor") for name in memory_mb}
    estimate = cost.estimate(
        "nested", definition_file(tmp_path, timed), 1_000_000, scheduled=False, functions=functions,
        prices=no_free, assumptions=assumptions, map_items=map_items,
    )  # fmt: skip
    assert estimate.lambda_requests_per_execution == {QUOTED: sum(runs.values())}
    gb_seconds = sum(runs[name] * assumptions.lambda_duration_ms / 1000 * memory_mb[name] / 1024 for name in runs)
    assert estimate.lambda_usd == pytest.approx(
        1_000_000 * (sum(runs.values()) * no_free.lambda_per_request + gb_seconds * no_free.lambda_per_gb_second_arm64),
        abs=1e-3,
    )
    assert cost.paths(definition_file(tmp_path, timed)) == {QUOTED: ["Fan out", QUOTED]}

    # The diagram draws each state once, by its name, at its path: inside the subgraph of its
    # container's part, a Parallel's branch by its number, a Map's items.
    chart = diagram.chart(json.loads(json.dumps(timed).replace("${Fn0}", function).replace("${Fn1}", function)))
    for name in PATHS:
        assert chart.count(f'"{diagram._label(name)}"') == 1, name
    assert drawn_at(chart) == {name: as_drawn(path) for name, path in PATHS.items()}

    # The ops tool groups a Parallel's branches by their first states, nested ones too.
    assert execution_tree.branch_starts(document) == {"Fan out": ["Note", "Each order"]}

    # The policy pack, on the deployed definition.
    deployed = json.loads(json.dumps(document).replace("${Fn}", function))
    walked = {name: path for path, name, _ in pack.states_at_every_depth(deployed)}
    assert walked == PATHS
    assert {name for _, name, state in pack.states_at_every_depth(deployed) if pack.invokes_lambda(state)} == {
        TRICKY,
        QUOTED,
    }


def as_drawn(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """A model's path as a chart shows it: a Map's processor (ItemProcessor, Iterator) as its items."""
    return tuple("items" if number % 2 and isinstance(step, str) else step for number, step in enumerate(path))


def drawn_at(chart: str) -> dict[str, tuple[str | int, ...]]:
    """Each drawn state's name -> its path as the chart nests it: for each subgraph around it, the
    container (the fork node the subgraph's id is named after) and the part, a Parallel's branch by
    its number (`<fork>_b<n>`) or a Map's items (`<fork>_items`); a container's frame holds only
    its fork and its join, which are no states."""
    names: dict[str, str] = {}
    around: list[str] = []
    found: dict[str, tuple[str | int, ...]] = {}
    for line in chart.splitlines():
        stripped = line.strip()
        if stripped.startswith("subgraph "):
            around.append(stripped.split()[1])
        elif stripped == "end":
            around.pop()
        elif (node := re.match(r'(\w+)[\[\(\{]+"([^"<]+)', stripped)) and not node[1].endswith("_join"):
            names[node[1]] = html.unescape(node[2].replace("#quot;", '"').replace("#35;", "#"))
            steps: list[str | int] = []
            for fork, _, part in (sub.rpartition("_") for sub in around):
                if part != "frame":
                    steps += [names[fork], part if part == "items" else int(part.removeprefix("b"))]
            found[names[node[1]]] = (*steps, names[node[1]])
    return found


def test_granted_states_names_states_as_written_at_any_depth(tmp_path: Path) -> None:
    unscopable = task("arn:aws:states:::aws-sdk:s3:getObject", Parameters={"Bucket": "b", "Key.$": "$.key"})
    definition = str(definition_file(tmp_path, nested(unscopable, unscopable)).source)
    statement = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    granted = WorkflowArgs(
        state_machine_name="nested",
        definition_file=definition,
        extra_statements=[statement],
        granted_states=[TRICKY, QUOTED],
    )
    validate_workflow("nested", granted)  # before: both names were refused as states "the definition does not have"
    with pytest.raises(ValueError, match="2 task") as refused:
        validate_workflow(
            "nested",
            WorkflowArgs(state_machine_name="nested", definition_file=definition, extra_statements=[statement]),
        )
    assert WHERE[TRICKY] in str(refused.value)
    assert WHERE[QUOTED] in str(refused.value)
    try:
        validate_workflow(
            "nested", WorkflowArgs(state_machine_name="nested", definition_file=definition, granted_states=[TRICKY])
        )
    except ValueError as error:
        half = str(error)
    else:
        pytest.fail(f"granted_states lists {TRICKY!r} alone, yet the unscoped task of {QUOTED!r} was let through too")
    assert "1 task(s) cannot be granted" in half
    assert WHERE[QUOTED] in half
    assert WHERE[TRICKY] not in half


# --- the policy pack's twin agrees with the model ---------------------------------------------


def _shared_definitions() -> list[Any]:
    """Valid and broken corpus definitions, those of the suite's catalogue (the catalogue's, the
    worked example's and the team-like fixtures'), and the nested one, as deployed."""
    documents = [*corpus_definitions(), *(spec.load_definition().document for spec in SUITE_CATALOGUE)]
    documents += [nested(task("${Fn}"), task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "f"}))]
    documents += [nested(task("arn:aws:states:::aws-sdk:lambda:listFunctions"), task("arn:aws:states:::sns:publish"))]
    return [as_deployed(d) for d in documents]


def as_deployed(document: Any) -> Any:
    """`document` with ARNs in place of its placeholders, since the pack sees what `pulumi up` sends."""
    lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    return json.loads(json.dumps(document).replace("${Fn}", lambda_arn).replace("${", "arn:aws:sns:x:1:"))


@pytest.mark.parametrize("document", _shared_definitions())
def test_the_policy_packs_twin_finds_the_same_states_lambda_tasks_and_waiting_tasks_as_the_model(
    document: Any,
) -> None:
    from_model = [
        (s.path, s.name, s.lambda_call() is not None, s.call is not None and s.call.pattern in WAITING_PATTERNS)
        for s in model.read(document).states()
    ]
    from_pack = [
        (path, name, pack.invokes_lambda(state), pack.waits(state))
        for path, name, state in pack.states_at_every_depth(document)
    ]
    assert from_pack == from_model


def test_the_shared_definitions_hold_every_workflow_of_the_suites_catalogue() -> None:
    """Guards the test above: a team's workflow, like the team fixtures, is compared too."""
    shared = [json.dumps(d, sort_keys=True) for d in _shared_definitions()]
    missing = [
        spec.name
        for spec in SUITE_CATALOGUE
        if json.dumps(as_deployed(spec.load_definition().document), sort_keys=True) not in shared
    ]
    assert missing == [], f"workflows whose definitions the pack's twin is not compared on: {', '.join(missing)}"


def test_the_shared_definitions_hold_lambda_tasks_and_other_tasks_at_depth() -> None:
    """Guards the test above: it would prove little over definitions without nested Lambda tasks."""
    states = [s for d in _shared_definitions() for s in model.read(d).states()]
    assert any(s.lambda_call() is not None and len(s.path) > 1 for s in states)
    assert any(s.type == "Task" and s.lambda_call() is None for s in states)
    assert any(s.call is not None and s.call.pattern in WAITING_PATTERNS for s in states)


# --- one reader of the nesting keys -------------------------------------------------------------

NESTING_KEYS = {"Branches", "ItemProcessor", "Iterator"}
# The model reads them; the validator reads them to say what is malformed (its checks and its
# tables of allowed fields); the policy pack's twin of the model, pinned above, runs without it.
READERS = {
    "components/serverless_workflows/asl/model.py",
    "components/serverless_workflows/asl/asl_checks.py",
    "components/serverless_workflows/asl/asl_language.py",
    "policy/rules.py",
}


# --- a Task's arguments: the one reader the IAM derivation and the parameter check share ----------


def test_a_tasks_arguments_are_its_arguments_or_its_parameters() -> None:
    assert model.arguments_of({"Arguments": {"A": 1}, "Parameters": {"P": 1}}) == {"A": 1}
    assert model.arguments_of({"Parameters": {"P": 1}}) == {"P": 1}
    assert model.arguments_of({}) is None


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("Bucket", (model.GIVEN, "reports")),
        ("LogGroupName", (model.GIVEN, "audit")),  # written as botocore spells it, first letter in lower case
        ("Entries.1.EventBusName", (model.GIVEN, "audit")),
        ("Entries.2.EventBusName", (model.ABSENT, None)),  # past the end of the list
        ("Entries.0.EventBusName", (model.ABSENT, None)),
        ("Count", (model.GIVEN, 3)),  # not a string: given all the same; a caller decides what it takes
        ("Key", (model.COMPUTED, None)),  # "Key.$"
        ("Image.S3Object.Name", (model.COMPUTED, None)),  # a step computed: the whole path is
        ("Prefix", (model.COMPUTED, None)),  # a JSONata expression
        ("Bucket.Name", (model.ABSENT, None)),  # into a string
    ],
)
def test_an_argument_path_finds_a_value_written_computed_or_nothing(path: str, found: tuple[str, Any]) -> None:
    written = {
        "Bucket": "reports", "logGroupName": "audit", "Key.$": "$.key", "Count": 3,
        "Entries": [{"Source": "a"}, {"EventBusName": "audit"}],
        "Image": "{% $states.input.image %}", "Prefix": " {% $states.input.prefix %}",
    }  # fmt: skip
    assert model.argument(written, path) == found


def test_only_the_model_and_the_validator_read_the_nesting_keys() -> None:
    found = []
    for relative in project_python_files():
        if relative.startswith("tests/") or relative in READERS:
            continue
        for node in syntax_nodes(relative):
            if isinstance(node, ast.Constant) and node.value in NESTING_KEYS:
                found.append(f"{relative}:{node.lineno} {node.value!r}")
    assert found == [], "read the nesting through components/serverless_workflows/asl/model.py instead"


def test_the_nesting_key_scan_finds_a_reader() -> None:
    """Guards the scan: the model itself would be caught were it not listed."""
    text = (PROJECT_ROOT / "components/serverless_workflows/asl/model.py").read_text()
    assert {n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant)} & NESTING_KEYS
