"""Definition validation: a set of broken definitions, each refused with a message that says how to fix it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from workflows.definition import DEFINITIONS_DIR, DefinitionError, WorkflowDefinition
from workflows.validate import validate


def scheduled_workflow() -> WorkflowDefinition:
    return WorkflowDefinition.load(DEFINITIONS_DIR / "scheduled_workflow.asl.json")


def call_center() -> WorkflowDefinition:
    return WorkflowDefinition.load(DEFINITIONS_DIR / "call_center.asl.json")


PLACEHOLDERS = sorted(call_center().placeholders)
Mutation = Callable[[dict[str, Any]], object]


def broken(tmp_path: Path, mutate: Mutation) -> WorkflowDefinition:
    document = copy.deepcopy(call_center().document)
    mutate(document)
    path = tmp_path / "call_center.asl.json"
    path.write_text(json.dumps(document, indent=2))
    return WorkflowDefinition.load(path)


def states(document: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = document["States"]
    return result


def test_the_shipped_definitions_are_valid() -> None:
    validate(scheduled_workflow())
    validate(call_center(), PLACEHOLDERS)


CASES: list[tuple[str, Mutation, str]] = [
    ("unknown StartAt", lambda d: d.update(StartAt="Begin"), "StartAt is 'Begin', which is not a state"),
    (
        "Next to nowhere",
        lambda d: states(d)["Assign Case"].update(Next="Work On Case"),
        "state 'Assign Case': Next names 'Work On Case', which is not a state; the states are",
    ),
    (
        "Default to nowhere",
        lambda d: states(d)["Is Case Resolved"].update(Default="Escalate"),
        "state 'Is Case Resolved': Default names 'Escalate', which is not a state",
    ),
    (
        "Choice Next to nowhere",
        lambda d: states(d)["Is Case Resolved"]["Choices"][0].update(Next="Close"),
        "Choices rule 1 Next names 'Close', which is not a state",
    ),
    (
        "unreachable state",
        lambda d: states(d).update(Orphan={"Type": "Pass", "End": True}),
        "state 'Orphan' cannot be reached from StartAt 'Open Case'",
    ),
    (
        "no terminal state",
        lambda d: (
            states(d)["Close Case"].pop("End"),
            states(d)["Close Case"].update(Next="Open Case"),
            states(d).pop("Fail"),
            states(d)["Escalate Case"].update(Next="Open Case"),
        ),
        "no state ends the execution",
    ),
    (
        "Next and End",
        lambda d: states(d)["Close Case"].update(Next="Fail"),
        "state 'Close Case' has both Next and End",
    ),
    (
        "neither Next nor End",
        lambda d: states(d)["Assign Case"].pop("Next"),
        "state 'Assign Case' has neither Next nor \"End\": true",
    ),
    ("unknown type", lambda d: states(d)["Fail"].update(Type="Failure"), "Type 'Failure' is not one of"),
    (
        "Choice rule without comparison",
        lambda d: states(d)["Is Case Resolved"]["Choices"][0].pop("NumericEquals"),
        "Choices rule 1: needs exactly one comparison",
    ),
    (
        "Choice rule without Variable",
        lambda d: states(d)["Is Case Resolved"]["Choices"][1].pop("Variable"),
        "Choices rule 2: a NumericEquals rule needs a Variable that is a path starting with '$'",
    ),
    (
        "empty Choices",
        lambda d: states(d)["Is Case Resolved"].update(Choices=[]),
        "Choices must be a non-empty list of rules",
    ),
    (
        "Next inside And",
        lambda d: states(d)["Is Case Resolved"]["Choices"].insert(
            0, {"And": [{"Variable": "$.Status", "IsPresent": True, "Next": "Close Case"}], "Next": "Close Case"}
        ),
        "a rule inside And must not have Next",
    ),
    (
        "States.ALL not alone",
        lambda d: states(d)["Open Case"]["Retry"][0]["ErrorEquals"].append("States.ALL"),
        "Retry entry 1: States.ALL must appear alone in ErrorEquals",
    ),
    (
        "States.ALL not last",
        lambda d: states(d)["Open Case"]["Retry"].insert(0, {"ErrorEquals": ["States.ALL"]}),
        "Retry entry 1: the States.ALL entry must be the last in Retry",
    ),
    (
        "Catch to nowhere",
        lambda d: states(d)["Open Case"].update(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]),
        "Catch entry 1 Next names 'Handler', which is not a state",
    ),
    (
        "Catch without Next",
        lambda d: states(d)["Open Case"].update(Catch=[{"ErrorEquals": ["InvalidCaseInput"]}]),
        "Catch entry 1 has no Next",
    ),
    (
        "empty ErrorEquals",
        lambda d: states(d)["Open Case"]["Retry"][0].update(ErrorEquals=[]),
        "ErrorEquals must be a non-empty list of error names",
    ),
    (
        "BackoffRate below 1",
        lambda d: states(d)["Open Case"]["Retry"][0].update(BackoffRate=0.5),
        "BackoffRate must be a number of at least 1.0, got 0.5",
    ),
    (
        "negative MaxAttempts",
        lambda d: states(d)["Open Case"]["Retry"][0].update(MaxAttempts=-1),
        "MaxAttempts must be a whole number of at least 0, got -1",
    ),
    (
        "no timeout",
        lambda d: d.pop("TimeoutSeconds"),
        "top-level TimeoutSeconds is missing or not a positive integer",
    ),
    (
        "placeholder typo",
        lambda d: states(d)["Close Case"].update(Resource="${CloseCaseFunctionARN}"),
        "no value for placeholder(s) ${CloseCaseFunctionARN}; value(s) given for CloseCaseFunctionArn",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_broken_definition_is_refused_with_a_fix(tmp_path: Path, mutate: Mutation, message: str) -> None:
    definition = broken(tmp_path, mutate)
    with pytest.raises(DefinitionError) as error:
        validate(definition, PLACEHOLDERS)
    assert message in str(error.value)
    assert str(definition.path) in str(error.value)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    def two_mistakes(document: dict[str, Any]) -> None:
        document.update(StartAt="Begin")
        states(document)["Close Case"].update(Next="Fail")

    with pytest.raises(DefinitionError, match=r"2 problem\(s\)"):
        validate(broken(tmp_path, two_mistakes), PLACEHOLDERS)
