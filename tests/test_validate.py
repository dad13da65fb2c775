"""Definition validation: a set of broken definitions, each refused with a message that says how to fix it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from serverless_workflows.asl.asl_checks import Problem, asl_findings, asl_problems, asl_warnings
from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
from serverless_workflows.asl.house_rules import (
    LAMBDA_TASK_RETRIES,
    LAMBDA_TASK_TIMEOUT,
    TRANSIENT_LAMBDA_ERRORS,
    project_problems,
)
from serverless_workflows.asl.validate import validate
from workflows.spec import DEFINITIONS_DIR

CALL_CENTER = WorkflowDefinition.load(DEFINITIONS_DIR / "call_center.asl.json")
SCHEDULED = WorkflowDefinition.load(DEFINITIONS_DIR / "scheduled_workflow.asl.json")
PLACEHOLDERS = sorted(CALL_CENTER.placeholders)
# The call-center functions time out after 5 s (components/serverless_workflows/handler_function.py's default).
FUNCTIONS = dict.fromkeys(PLACEHOLDERS, 5)
Mutation = Callable[[dict[str, Any]], object]


def broken(tmp_path: Path, mutate: Mutation) -> WorkflowDefinition:
    document = copy.deepcopy(CALL_CENTER.document)
    mutate(document)
    path = tmp_path / "call_center.asl.json"
    path.write_text(json.dumps(document, indent=2))
    return WorkflowDefinition.load(path)


def states(document: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = document["States"]
    return result


def test_the_shipped_definitions_are_valid() -> None:
    validate(SCHEDULED)
    validate(CALL_CENTER, PLACEHOLDERS, functions=FUNCTIONS)
    validate(CALL_CENTER, PLACEHOLDERS, functions=FUNCTIONS, workflow_type="EXPRESS")


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
        "state 'Close Case': this state has both Next and End",
    ),
    (
        "neither Next nor End",
        lambda d: states(d)["Assign Case"].pop("Next"),
        "state 'Assign Case': this state has neither Next nor \"End\": true",
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
        validate(definition, PLACEHOLDERS, functions=FUNCTIONS)
    assert message in str(error.value)
    assert definition.source in str(error.value)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    def two_mistakes(document: dict[str, Any]) -> None:
        document.update(StartAt="Begin")
        states(document)["Close Case"].update(Next="Fail")

    with pytest.raises(DefinitionError, match=r"2 problem\(s\)"):
        validate(broken(tmp_path, two_mistakes), PLACEHOLDERS, functions=FUNCTIONS)


def test_a_problem_reads_with_its_path_and_project_rules_say_so() -> None:
    assert (
        str(Problem("state 'Fan out' > branch 2", "Next names 'X'.")) == "state 'Fan out' > branch 2: Next names 'X'."
    )
    assert str(Problem("", "StartAt is missing.")) == "StartAt is missing."
    assert (
        str(Problem("state 'A'", "needs a timeout.", project_rule=True)) == "project rule: state 'A': needs a timeout."
    )


def test_the_project_timeout_rule_is_not_an_asl_problem() -> None:
    document = copy.deepcopy(CALL_CENTER.document)
    del document["TimeoutSeconds"]
    assert asl_problems(document) == []
    (problem,) = project_problems(document, functions=FUNCTIONS)
    assert problem.project_rule
    assert "top-level TimeoutSeconds is missing or not a positive integer" in problem.message


@pytest.mark.parametrize("timeout", [0, -1, 1.5, "60", True, None])
def test_a_top_level_timeout_that_is_not_a_positive_whole_number_breaks_the_timeout_rule(timeout: object) -> None:
    # AWS takes TimeoutSeconds 0; this project does not: a stuck run would not be stopped.
    document = copy.deepcopy(CALL_CENTER.document)
    document["TimeoutSeconds"] = timeout
    rules = [problem.message for problem in project_problems(document, functions=FUNCTIONS)]
    assert any("top-level TimeoutSeconds is missing or not a positive integer" in rule for rule in rules), (
        f"a top-level TimeoutSeconds of {timeout!r} passed the project's timeout rule"
    )
    document["TimeoutSeconds"] = 1
    assert project_problems(document, functions=FUNCTIONS) == []


def test_an_express_workflow_may_run_at_most_five_minutes() -> None:
    document = copy.deepcopy(CALL_CENTER.document)
    document["TimeoutSeconds"] = 301
    assert project_problems(document, functions=FUNCTIONS) == []
    (problem,) = project_problems(document, functions=FUNCTIONS, workflow_type="EXPRESS")
    assert "at most 300" in problem.message


def _lambda_task(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "Call", "TimeoutSeconds": 60, "States": {"Call": {"Type": "Task", "End": True, **fields}}}


TRANSIENT_RETRY = [{"ErrorEquals": list(TRANSIENT_LAMBDA_ERRORS)}]


@pytest.mark.parametrize(
    ("resource", "payload"),
    [
        ("arn:aws:lambda:eu-west-1:123456789012:function:open-case", None),
        ("arn:aws:lambda:eu-west-1:123456789012:function:open-case:live", None),
        ("arn:aws:states:::lambda:invoke", {"FunctionName": "open-case"}),
        ("arn:aws:states:::lambda:invoke.waitForTaskToken", {"FunctionName": "open-case"}),
        # The AWS SDK's Invoke calls the function as lambda:invoke does, so the same rules hold.
        ("arn:aws:states:::aws-sdk:lambda:invoke", {"FunctionName": "${OpenCaseFunctionArn}", "Payload.$": "$"}),
        ("arn:aws-cn:states:::aws-sdk:lambda:invoke", {"FunctionName": "open-case"}),
        ("${OpenCaseFunctionArn}", None),
    ],
)
def test_every_lambda_task_needs_a_timeout_and_the_transient_retries(resource: str, payload: object) -> None:
    fields: dict[str, Any] = {"Resource": resource}
    if payload is not None:
        fields["Parameters"] = payload
    problems = project_problems(_lambda_task(**fields), functions=FUNCTIONS)
    messages = [p.message for p in problems if p.rule in (LAMBDA_TASK_TIMEOUT, LAMBDA_TASK_RETRIES)]
    assert len(messages) == 2
    assert "every Lambda task to set TimeoutSeconds" in messages[0]
    assert "not retried: Lambda.ServiceException, Lambda.AWSLambdaException" in messages[1]
    assert project_problems(_lambda_task(TimeoutSeconds=30, Retry=TRANSIENT_RETRY, **fields), functions=FUNCTIONS) == []


def test_a_retrier_that_never_retries_does_not_cover_the_transient_errors() -> None:
    retry = [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 0}, {"ErrorEquals": ["States.ALL"]}]
    (problem,) = project_problems(
        _lambda_task(Resource="${OpenCaseFunctionArn}", TimeoutSeconds=30, Retry=retry), functions=FUNCTIONS
    )
    assert problem.message.endswith("not retried: Lambda.ServiceException.")
    all_errors = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]
    state = _lambda_task(Resource="${OpenCaseFunctionArn}", TimeoutSeconds=30, Retry=all_errors)
    assert project_problems(state, functions=FUNCTIONS) == []


def test_a_lambda_task_must_outlast_its_function() -> None:
    state = _lambda_task(Resource="${OpenCaseFunctionArn}", TimeoutSeconds=5, Retry=TRANSIENT_RETRY)
    (problem,) = project_problems(state, functions=FUNCTIONS)
    assert "TimeoutSeconds is 5, and ${OpenCaseFunctionArn} may run for 5 s" in problem.message
    assert "make it at least 6" in problem.message
    invoke = _lambda_task(
        Resource="arn:aws:states:::lambda:invoke",
        Arguments={"FunctionName": "${OpenCaseFunctionArn}"},
        TimeoutSeconds=3,
        Retry=TRANSIENT_RETRY,
    )
    assert len(project_problems(invoke, functions=FUNCTIONS)) == 1
    sdk = _lambda_task(
        Resource="arn:aws:states:::aws-sdk:lambda:invoke",
        Parameters={"FunctionName": "${OpenCaseFunctionArn}"},
        TimeoutSeconds=3,
        Retry=TRANSIENT_RETRY,
    )
    (problem,) = project_problems(sdk, functions=FUNCTIONS)
    assert "TimeoutSeconds is 3, and ${OpenCaseFunctionArn} may run for 5 s" in problem.message


def test_an_unknown_placeholder_and_other_services_are_not_lambda_tasks() -> None:
    assert project_problems(_lambda_task(Resource="${SomeQueueArn}"), functions=FUNCTIONS) == []
    assert project_problems(_lambda_task(Resource="arn:aws:states:::sqs:sendMessage"), functions=FUNCTIONS) == []


def test_lambda_tasks_are_found_at_every_depth() -> None:
    inner = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "${OpenCaseFunctionArn}", "End": True}}}
    document = {
        "StartAt": "Fan out",
        "TimeoutSeconds": 60,
        "States": {
            "Fan out": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 1, "End": True}}},
                    {
                        "StartAt": "Each",
                        "States": {"Each": {"Type": "Map", "End": True, "ItemProcessor": inner}},
                    },
                ],
            }
        },
    }
    wheres = {p.where for p in project_problems(document, functions=FUNCTIONS)}
    assert wheres == {"state 'Fan out' > branch 2 > state 'Each' > ItemProcessor > state 'Call'"}


def test_validate_lists_asl_then_placeholder_then_project_problems(tmp_path: Path) -> None:
    def three_kinds(document: dict[str, Any]) -> None:
        document.pop("TimeoutSeconds")
        states(document)["Close Case"]["Resource"] = "${CloseCaseFunctionARN}"
        states(document)["Fail"]["Next"] = "Open Case"

    with pytest.raises(DefinitionError) as error:
        validate(broken(tmp_path, three_kinds), PLACEHOLDERS, functions=FUNCTIONS)
    lines = str(error.value).splitlines()
    assert lines[0].endswith("3 problem(s) in the definition:")
    assert lines[1].startswith("  - state 'Fail': a Fail state ends the execution")
    assert lines[2].startswith("  - no value for placeholder(s) ${CloseCaseFunctionARN}")
    assert lines[3].startswith("  - project rule: this project requires a top-level TimeoutSeconds")


def _machine(**states: Any) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def test_a_catch_target_counts_as_reachable() -> None:
    document = _machine(
        Try={
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
            "End": True,
        },
        Handle={"Type": "Fail"},
    )
    assert asl_problems(document) == []


def test_a_branch_state_cannot_go_to_a_state_outside_its_branch() -> None:
    branch = _machine(Inner={"Type": "Pass", "Next": "After"})
    document = _machine(
        **{"Fan out": {"Type": "Parallel", "Branches": [branch], "Next": "After"}, "After": {"Type": "Succeed"}}
    )
    messages = [str(p) for p in asl_problems(document)]
    assert messages[0] == (
        "state 'Fan out' > branch 1 > state 'Inner': Next names 'After', which is a state outside this branch; "
        "states inside a Parallel branch or Map item processor can only go to states of their own; "
        "the states here are 'Inner'."
    )


def test_a_heartbeat_needs_room_under_the_default_timeout() -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True}
    assert asl_problems(_machine(Call={**task, "HeartbeatSeconds": 99_999_998})) == []
    (problem,) = asl_problems(_machine(Call={**task, "HeartbeatSeconds": 99_999_999}))
    assert problem.message == "HeartbeatSeconds (99999999) must be less than the default TimeoutSeconds (99999999)."


def test_known_and_unknown_states_errors() -> None:
    def retry(*names: str) -> dict[str, Any]:
        task = {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "End": True}
        return _machine(Call={**task, "Retry": [{"ErrorEquals": list(names)}]})

    assert asl_findings(retry("States.Http.Socket", "States.Http.StatusCode.503", "States.TaskFailed")) == []
    # A typo of a States.* name is a warning: AWS's own definitions use names of their own with the prefix.
    assert asl_problems(retry("States.Timout")) == []
    (problem,) = asl_warnings(retry("States.Timout"))
    assert problem.message.startswith("Retry entry 1: 'States.Timout' is not an error Step Functions defines;")


def test_validate_refuses_what_an_express_workflow_cannot_run(tmp_path: Path) -> None:
    def callback(document: dict[str, Any]) -> None:
        states(document)["Escalate Case"]["Resource"] = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"

    definition = broken(tmp_path, callback)
    validate(definition, sorted(definition.placeholders), functions=FUNCTIONS)
    with pytest.raises(DefinitionError, match=r"Wait for Callback \(\.waitForTaskToken\) integration pattern"):
        validate(definition, sorted(definition.placeholders), functions=FUNCTIONS, workflow_type="EXPRESS")
