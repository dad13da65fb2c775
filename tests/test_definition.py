"""The definition files and the `${Name}` placeholder substitution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
from workflows.catalogue import CALL_CENTER, SCHEDULED


def scheduled_workflow() -> WorkflowDefinition:
    return SCHEDULED.load_definition()


def call_center() -> WorkflowDefinition:
    return CALL_CENTER.load_definition()


LAMBDA_TRANSIENT_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "definition.asl.json"
    path.write_text(text)
    return path


def test_scheduled_workflow_is_the_tutorials_step_4_definition() -> None:
    document = scheduled_workflow().document
    assert document["StartAt"] == "Hello"
    assert document["States"] == {
        "Hello": {"Type": "Pass", "Result": "Hello", "ResultPath": "$.taskresult", "Next": "World"},
        "World": {"Type": "Pass", "Result": "World", "ResultPath": "$.taskresult", "End": True},
    }
    # A minute: Hello World takes milliseconds, and a stuck run must not pile up behind the next tick.
    assert document["TimeoutSeconds"] == 60
    assert scheduled_workflow().placeholders == frozenset()


def test_call_center_follows_the_tutorials_flow() -> None:
    states = call_center().document["States"]
    assert call_center().document["StartAt"] == "Open Case"
    assert states["Open Case"]["Next"] == "Assign Case"
    assert states["Assign Case"]["Next"] == "Work on Case"
    assert states["Work on Case"]["Next"] == "Is Case Resolved"
    choice = states["Is Case Resolved"]
    assert choice["Type"] == "Choice"
    assert [(c["Variable"], c["NumericEquals"], c["Next"]) for c in choice["Choices"]] == [
        ("$.Status", 1, "Close Case"),
        ("$.Status", 0, "Escalate Case"),
    ]
    assert choice["Default"] == "Escalate Case"
    assert states["Close Case"]["End"] is True
    assert states["Escalate Case"]["Next"] == "Fail"
    assert states["Fail"] == {"Type": "Fail", "Cause": "Engage Tier 2 Support."}
    # Five minutes: five tasks of at most 10 s each, with retries, fit well inside it.
    assert call_center().document["TimeoutSeconds"] == 300


def test_every_call_center_task_retries_only_transient_lambda_errors_with_bounded_backoff() -> None:
    tasks = {name: s for name, s in call_center().document["States"].items() if s["Type"] == "Task"}
    assert len(tasks) == 5
    for name, task in tasks.items():
        assert task["TimeoutSeconds"] > 0, name
        (retrier,) = task["Retry"]
        assert set(retrier["ErrorEquals"]) == LAMBDA_TRANSIENT_ERRORS, name
        assert retrier["MaxAttempts"] <= 5, name
        assert retrier["BackoffRate"] > 1, name
        assert "MaxDelaySeconds" in retrier, name
        # Validation errors must fail at once, not be retried.
        assert "States.ALL" not in retrier["ErrorEquals"], name


def test_call_center_placeholders_are_the_five_function_arns() -> None:
    assert call_center().placeholders == {
        "OpenCaseFunctionArn",
        "AssignCaseFunctionArn",
        "WorkOnCaseFunctionArn",
        "CloseCaseFunctionArn",
        "EscalateCaseFunctionArn",
    }


def test_render_substitutes_placeholders_and_leaves_json_paths_alone(tmp_path: Path) -> None:
    definition = WorkflowDefinition.load(
        write(
            tmp_path,
            '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", '
            '"InputPath": "$.detail", "ResultPath": "$$.Execution.Id", "Parameters": {"x.$": "$.y"}, "End": true}}}',
        )
    )
    rendered = json.loads(definition.render({"Fn": "arn:aws:lambda:us-east-1:1:function:f"}))
    state = rendered["States"]["A"]
    assert state["Resource"] == "arn:aws:lambda:us-east-1:1:function:f"
    assert state["InputPath"] == "$.detail"
    assert state["ResultPath"] == "$$.Execution.Id"
    assert state["Parameters"] == {"x.$": "$.y"}


def test_render_escapes_values_so_the_result_stays_json(tmp_path: Path) -> None:
    definition = WorkflowDefinition.load(write(tmp_path, '{"States": {}, "Comment": "${Text}"}'))
    assert json.loads(definition.render({"Text": 'say "hi"\\'}))["Comment"] == 'say "hi"\\'


def test_a_placeholder_without_a_value_is_named(tmp_path: Path) -> None:
    definition = WorkflowDefinition.load(write(tmp_path, '{"States": {"A": {"Resource": "${Fn}"}}}'))
    with pytest.raises(DefinitionError, match=r"no value for placeholder\(s\) \$\{Fn\}"):
        definition.render({})


def test_a_value_without_a_placeholder_is_named(tmp_path: Path) -> None:
    definition = WorkflowDefinition.load(write(tmp_path, '{"States": {"A": {"Resource": "${Fn}"}}}'))
    with pytest.raises(DefinitionError, match="value\\(s\\) given for Extra, which the definition does not use"):
        definition.render({"Fn": "arn", "Extra": "arn"})


def test_invalid_json_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "States": {\n    "A": {"Type": "Pass",}\n  }\n}')
    with pytest.raises(DefinitionError, match=rf"{path.name}: line 3, column \d+: invalid JSON"):
        WorkflowDefinition.load(path)


def test_a_document_without_states_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="'States' object"):
        WorkflowDefinition.load(write(tmp_path, "[1, 2]"))
