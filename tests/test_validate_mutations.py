"""Property test: however a definition is mangled, the validator names problems and never raises.

A seeded generator mutates the corpus definitions (and builds random JSON from
scratch): it replaces any value at any depth with a value of another JSON type,
deletes and adds fields, and empties containers. The seed makes a failure
reproducible; the failing mutant is printed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import pytest

from serverless_workflows.asl.asl_checks import Problem, asl_problems
from serverless_workflows.asl.asl_language import MAX_NESTING
from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
from serverless_workflows.asl.house_rules import project_problems
from serverless_workflows.asl.validate import validate
from tests.support import corpus_definitions, definition_of, mutate, random_json

SEEDS = corpus_definitions()


def _check_never_raises(document: Any, rng: random.Random) -> None:
    workflow_type = rng.choice(["STANDARD", "EXPRESS", "standard", ""])
    functions = {"OpenFunctionArn": rng.choice([0, 5, 10**9]), "Name": 3}
    for problem in asl_problems(document, workflow_type=workflow_type) + project_problems(
        document, functions=functions, workflow_type=workflow_type
    ):
        assert isinstance(problem, Problem)
        assert problem.message
        assert str(problem)
    definition = definition_of(document)
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
        document = random_json(rng)
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


def test_deeply_nested_choice_rules_are_a_problem_not_a_recursion_error() -> None:
    # 900 levels still parse as JSON, and once overflowed the validator's recursion.
    rule: dict[str, Any] = {"Variable": "$.x", "IsNull": True}
    for _ in range(900):
        rule = {"Not": rule}
    rule["Next"] = "Done"
    choice = {"Type": "Choice", "Choices": [rule], "Default": "Done"}
    document = json.loads(json.dumps({"StartAt": "Route", "States": {"Route": choice, "Done": {"Type": "Succeed"}}}))
    assert [str(p) for p in asl_problems(document)] == [
        f"state 'Route': Choices rule 1: rules are nested in And, Or and Not more than {MAX_NESTING} levels deep."
    ]
