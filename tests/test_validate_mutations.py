"""Property test: however a definition is mangled, the validator names problems and never raises.

A seeded generator mutates the corpus definitions (and builds random JSON from
scratch): it replaces any value at any depth with a value of another JSON type,
deletes and adds fields, and empties containers. The seed makes a failure
reproducible; the failing mutant is printed.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from workflows.definition import DefinitionError, WorkflowDefinition
from workflows.validate import Problem, asl_problems, project_problems, validate

CORPUS = Path(__file__).resolve().parent / "fixtures" / "asl"
SEEDS = [json.loads(path.read_text()) for path in sorted(CORPUS.glob("*/*.asl.json"))]
FIELD_NAMES = [
    "Type", "Next", "End", "StartAt", "States", "Branches", "ItemProcessor", "Iterator", "ProcessorConfig", "Mode",
    "ExecutionType", "Retry", "Catch", "ErrorEquals", "Choices", "Default", "Variable", "Condition", "And", "Not",
    "Seconds", "Timestamp", "TimeoutSeconds", "HeartbeatSeconds", "Resource", "Parameters", "Arguments", "Output",
    "Assign", "QueryLanguage", "ItemReader", "ItemBatcher", "ResultWriter", "ReaderConfig", "Label", "Items",
    "ItemsPath", "Credentials", "MaxConcurrency", "ToleratedFailurePercentage", "BackoffRate", "NumericEquals",
]  # fmt: skip
ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2.5, 10**30, float("inf"), "", "x", "$", "$.a", "{% %}", "{% $x %}", "States.ALL",
    "JSONata", "JSONPath", "DISTRIBUTED", "EXPRESS", "${Name}", "arn:aws:states:::lambda:invoke", [], {}, [None],
    {"": None}, [[[]]], {"Type": "Pass"}, {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, "S" * 100,
]  # fmt: skip
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")


def _containers(node: Any) -> list[Any]:
    """Every dict and list inside `node`, itself included."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (dict, list)):
            found.append(current)
            stack.extend(current.values() if isinstance(current, dict) else current)
    return found


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.random()
    if depth > 3 or choice < 0.5:
        # A copy: a shared list or dict could end up inside itself and make the document cyclic.
        return copy.deepcopy(rng.choice(ODD_VALUES))
    if choice < 0.75:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(FIELD_NAMES): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def mutate(document: Any, rng: random.Random) -> Any:
    mutant = copy.deepcopy(document)
    for _ in range(rng.randint(1, 4)):
        target = rng.choice(_containers(mutant) or [None])
        if isinstance(target, dict) and target:
            key = rng.choice(list(target))
            action = rng.random()
            if action < 0.5:
                target[key] = _random_json(rng)
            elif action < 0.7:
                del target[key]
            else:
                target[rng.choice(FIELD_NAMES)] = _random_json(rng)
        elif isinstance(target, list) and target:
            index = rng.randrange(len(target))
            if rng.random() < 0.6:
                target[index] = _random_json(rng)
            else:
                target.clear()
        elif target is None:
            return _random_json(rng)
    return mutant


def _check_never_raises(document: Any, rng: random.Random) -> None:
    workflow_type = rng.choice(["STANDARD", "EXPRESS", "standard", ""])
    functions = {"OpenFunctionArn": rng.choice([0, 5, 10**9]), "Name": 3}
    for problem in asl_problems(document, workflow_type=workflow_type) + project_problems(
        document, functions=functions, workflow_type=workflow_type
    ):
        assert isinstance(problem, Problem)
        assert problem.message
        assert str(problem)
    text = json.dumps(document)
    definition = WorkflowDefinition(
        path=Path("mutant.asl.json"), text=text, placeholders=frozenset(_PLACEHOLDER.findall(text))
    )
    outcome = _validate_outcome(definition, rng.choice([(), ["Name"], ["OpenFunctionArn"]]), functions)
    assert outcome == "" or "problem(s) in the definition" in outcome


def _validate_outcome(definition: WorkflowDefinition, supplied: Sequence[str], functions: dict[str, int]) -> str:
    """validate's DefinitionError message, or "" when it accepts the definition; any other exception escapes."""
    try:
        validate(definition, supplied, functions=functions)
    except DefinitionError as error:
        return str(error)
    return ""


@pytest.mark.parametrize("seed", range(8))
def test_mutated_definitions_give_named_problems_never_exceptions(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        mutant = mutate(rng.choice(SEEDS), rng)
        try:
            _check_never_raises(mutant, rng)
        except Exception:
            print(json.dumps(mutant, indent=1)[:4000])
            raise


@pytest.mark.parametrize("seed", range(4))
def test_random_json_gives_named_problems_never_exceptions(seed: int) -> None:
    rng = random.Random(1000 + seed)
    for _ in range(400):
        document = _random_json(rng)
        try:
            _check_never_raises(document, rng)
        except Exception:
            print(json.dumps(document, indent=1)[:4000])
            raise


def test_the_mutator_does_break_definitions() -> None:
    """Guards the generator itself: most mutants must be refused, or the test above proves little."""
    rng = random.Random(7)
    refused = sum(bool(asl_problems(mutate(rng.choice(SEEDS), rng))) for _ in range(200))
    assert refused > 100


def test_deep_nesting_is_a_problem_not_a_recursion_error() -> None:
    machine: dict[str, Any] = {"StartAt": "Leaf", "States": {"Leaf": {"Type": "Succeed"}}}
    for level in range(200):
        machine = {
            "StartAt": f"Level {level}",
            "States": {f"Level {level}": {"Type": "Parallel", "Branches": [machine], "End": True}},
        }
    problems = [str(p) for p in asl_problems(machine)] + [str(p) for p in project_problems(machine)]
    assert any("nested more than" in p for p in problems)
