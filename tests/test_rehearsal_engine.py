"""moto's Step Functions engine as the rehearsal runs it (rehearsal/moto_patches.py): JSONata,
virtual time and mocked responses, on state machines created directly in the in-memory AWS.

Each test creates its own small state machine; none deploys the program.
"""

from __future__ import annotations

import io
import itertools
import json
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from ops import execution_tree, executions, render
from ops.runs import StandardRuns
from rehearsal import jsonata_engine, mock_config, moto_patches, virtual_time
from rehearsal.moto_aws import InMemoryAws, LambdaSandbox

# The whole module is the rehearsal layer's: `-m unit` and `-m program` do not even import it
# (tests/conftest.py), since loading moto and its engine takes a second or two a process.
pytestmark = pytest.mark.rehearsal

HOUR = 3600
_names = itertools.count()
Machine = Callable[..., str]


@pytest.fixture
def machine(moto: InMemoryAws) -> Machine:
    """`machine(states, start_at=None, **top)`: a state machine of `states`, its ARN."""
    role = moto.client("iam").create_role(RoleName=f"engine-{next(_names)}", AssumeRolePolicyDocument="{}")
    arn: str = role["Role"]["Arn"]

    def _machine(states: dict[str, Any], start_at: str | None = None, **top: Any) -> str:
        definition = {"StartAt": start_at or next(iter(states)), "States": states, **top}
        created = moto.client("stepfunctions").create_state_machine(
            name=f"engine-{next(_names)}", definition=json.dumps(definition), roleArn=arn
        )
        return str(created["stateMachineArn"])

    return _machine


def run(moto: InMemoryAws, arn: str, payload: Any = None, case: mock_config.TestCase | None = None) -> Any:
    sfn = moto.client("stepfunctions")
    name = f"engine-run-{next(_names)}"
    if case is not None:
        moto_patches.expect_test_case(arn, name, case)
    started = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload or {}))
    executions.wait(sfn, started["executionArn"], timeout_seconds=20)
    return executions.read(sfn, started["executionArn"])


def events(moto: InMemoryAws, execution: execution_tree.Execution) -> list[dict[str, Any]]:
    return executions.history(moto.client("stepfunctions"), execution.arn)


def at(history: list[dict[str, Any]], kind: str, nth: int = 0) -> datetime:
    stamp: datetime = [event["timestamp"] for event in history if event["type"] == kind][nth]
    return stamp


def seconds_between(history: list[dict[str, Any]], first: str, last: str) -> float:
    return (at(history, last) - at(history, first)).total_seconds()


# --- JSONata ----------------------------------------------------------------------------------


def test_a_choice_on_a_jsonata_condition_takes_each_way(moto: InMemoryAws, machine: Machine) -> None:
    arn = machine(
        {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.quantity <= 10 %}", "Next": "Release"}],
                "Default": "Refuse",
            },
            "Release": {"Type": "Succeed", "Output": {"released": "{% $states.input.order %}"}},
            "Refuse": {
                "Type": "Fail",
                "Error": "NotEnoughStock",
                "Cause": "{% 'only 10 for ' & $states.input.order %}",
            },
        },
        QueryLanguage="JSONata",
    )
    released = run(moto, arn, {"order": "A-1", "quantity": 3})
    assert (released.status, released.output, released.path) == ("SUCCEEDED", {"released": "A-1"}, ["Check", "Release"])
    refused = run(moto, arn, {"order": "A-2", "quantity": 50})
    assert (refused.status, refused.error, refused.cause) == ("FAILED", "NotEnoughStock", "only 10 for A-2")
    assert refused.path == ["Check", "Refuse"]


def test_variables_carry_across_states_and_into_branches(moto: InMemoryAws, machine: Machine) -> None:
    arn = machine(
        {
            "Remember": {
                "Type": "Pass",
                "Assign": {"customer": "{% $states.input.customer %}", "total": "{% $sum($states.input.lines) %}"},
                "Output": {"step": 1},
                "Next": "Elsewhere",
            },
            "Elsewhere": {"Type": "Pass", "Output": {"step": 2}, "Next": "Both"},
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Greet", "States": {"Greet": {"Type": "Pass", "Output": "{% 'Dear ' & $customer %}",
                                                              "End": True}}},
                    {"StartAt": "Bill", "States": {"Bill": {"Type": "Pass", "Output": "{% $total * 2 %}",
                                                            "End": True}}},
                ],
                "Output": {"greeting": "{% $states.result[0] %}", "doubled": "{% $states.result[1] %}",
                           "customer": "{% $customer %}"},
                "End": True,
            },
        },
        QueryLanguage="JSONata",
    )  # fmt: skip
    # A quote and a newline in a string variable: moto wrote it into the expression unescaped.
    customer = 'O"Brien\nand Co'
    execution = run(moto, arn, {"customer": customer, "lines": [1.5, 2.5]})
    assert execution.status == "SUCCEEDED", execution
    assert execution.output == {"greeting": f"Dear {customer}", "doubled": 8, "customer": customer}


def test_a_failing_expression_fails_the_state_with_a_query_evaluation_error(
    moto: InMemoryAws, machine: Machine
) -> None:
    failing = {"Type": "Pass", "Output": "{% $states.input.count + 'a' %}", "End": True}
    uncaught = run(moto, machine({"Add": failing}, QueryLanguage="JSONata"), {"count": 1})
    assert (uncaught.status, uncaught.error) == ("FAILED", "States.QueryEvaluationError")
    assert "The JSONata expression '$states.input.count + 'a'' threw an error during evaluation. T2002" in (
        uncaught.cause or ""
    )
    assert "EvaluationFailed" in [event["type"] for event in events(moto, uncaught)]
    # As on AWS, a Catch takes it.
    topic = moto.client("sns").create_topic(Name="engine-evaluation")["TopicArn"]
    guarded = {
        "Publish": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Arguments": {"TopicArn": topic, "Message": "{% $states.input.count + 'a' %}"},
            "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Fallback",
                       "Output": {"caught": "{% $states.errorOutput.Error %}"}}],
            "End": True,
        },
        "Fallback": {"Type": "Succeed"},
    }  # fmt: skip
    caught = run(moto, machine(guarded, QueryLanguage="JSONata"), {"count": 1})
    assert (caught.status, caught.output, caught.path) == (
        "SUCCEEDED",
        {"caught": "States.QueryEvaluationError"},
        ["Publish", "Fallback"],
    )


def test_an_expression_returning_nothing_fails_as_on_aws(moto: InMemoryAws, machine: Machine) -> None:
    execution = run(moto, machine({"Read": {"Type": "Pass", "Output": "{% $states.input.missing %}", "End": True}},
                                  QueryLanguage="JSONata"))  # fmt: skip
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")


# AWS's documented examples (the Step Functions developer guide, "Transforming data with JSONata"
# and the intrinsic functions JSONata's replace), with the results it documents.
CUSTOMER_ORDER = {"customer": {"firstName": "Martha", "lastName": "Rivera"}, "order": {"items": 7, "total": 27.91}}
PRODUCTS = [
    {"calories": 140, "flavour": "Cola", "name": "Product-1"},
    {"calories": 0, "flavour": "Cola", "name": "Product-2"},
    {"calories": 160, "flavour": "Orange", "name": "Product-3"},
    {"calories": 100, "flavour": "Orange", "name": "Product-4"},
    {"calories": 0, "flavour": "Lime", "name": "Product-5"},
]
DOCUMENTED: list[tuple[Any, dict[str, Any], Any]] = [
    (
        {
            "lastName": "{% 'Last=>' & $states.input.customer.lastName %}",
            "orderValue": "{% $states.input.order.total %}",
        },
        CUSTOMER_ORDER,
        {"lastName": "Last=>Rivera", "orderValue": 27.91},
    ),
    ({"dietProducts": "{% $states.input.products[calories=0] %}"}, {"products": PRODUCTS},
     {"dietProducts": [PRODUCTS[1], PRODUCTS[4]]}),
    ("{% $partition($states.input.inputArray, 4) %}", {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
     [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("{% $range(1, 9, 2) %}", {}, [1, 3, 5, 7, 9]),
    ("{% $hash('input data', 'SHA-1') %}", {}, "aaff4a450a104cd177d28d18d74485e8cae074b7"),
    ("{% $parse($states.input.json_string) %}", {"json_string": '{"foo": "bar"}'}, {"foo": "bar"}),
]  # fmt: skip


@pytest.mark.parametrize(("output", "payload", "documented"), DOCUMENTED)
def test_documented_jsonata_examples_give_the_documented_results(
    moto: InMemoryAws, machine: Machine, output: Any, payload: dict[str, Any], documented: Any
) -> None:
    execution = run(moto, machine({"Example": {"Type": "Pass", "Output": output, "End": True}},
                                  QueryLanguage="JSONata"), payload)  # fmt: skip
    assert (execution.status, execution.output) == ("SUCCEEDED", documented)


def test_the_functions_step_functions_adds_are_there() -> None:
    assert jsonata_engine.evaluate("$uuid()") != jsonata_engine.evaluate("$uuid()")
    assert len(jsonata_engine.evaluate("$uuid()")) == 36
    # With a seed the same number each time (not the number AWS gives: unknown here).
    assert jsonata_engine.evaluate("$random(7)") == jsonata_engine.evaluate("$random(7)")
    assert 0 <= jsonata_engine.evaluate("$random()") < 1
    with pytest.raises(jsonata_engine.QueryEvaluationFailed, match="one of MD5, SHA-1"):
        jsonata_engine.evaluate("$hash('x', 'SHA-3')")
    # jsonata-java's catalogue says "Object" where JSONata says "function".
    with pytest.raises(jsonata_engine.QueryEvaluationFailed, match=r"^T0410: Argument 1 of function abs"):
        jsonata_engine.evaluate("$abs('x')")


# --- virtual time -----------------------------------------------------------------------------


def test_an_hour_long_wait_takes_no_real_time_and_the_history_shows_the_hour(
    moto: InMemoryAws, machine: Machine
) -> None:
    arn = machine({"Hold": {"Type": "Wait", "Seconds": HOUR, "End": True}}, TimeoutSeconds=2 * HOUR)
    began = time.monotonic()
    execution = run(moto, arn)
    assert time.monotonic() - began < 2
    assert execution.status == "SUCCEEDED"
    history = events(moto, execution)
    assert seconds_between(history, "WaitStateEntered", "WaitStateExited") == pytest.approx(HOUR, abs=1)
    assert execution.steps[0].duration_ms == pytest.approx(HOUR * 1000, abs=1000)
    assert "Hold (Wait)  360" in render.execution(execution)
    # The start is the real one: windows that look back from now (ops failures, verify) still see it.
    started = moto.client("stepfunctions").describe_execution(executionArn=execution.arn)["startDate"]
    assert abs((datetime.now(UTC) - started).total_seconds()) < 10


@pytest.mark.parametrize(
    ("wait", "payload"),
    [
        ({"Seconds": 900}, {}),
        ({"SecondsPath": "$.delay"}, {"delay": 900}),
        ({"Timestamp": "AT"}, {}),
        ({"TimestampPath": "$.until"}, {"until": "AT"}),
    ],
)
def test_every_kind_of_wait_is_virtual(
    moto: InMemoryAws, machine: Machine, wait: dict[str, Any], payload: dict[str, Any]
) -> None:
    until = (datetime.now(UTC) + timedelta(seconds=900)).strftime("%Y-%m-%dT%H:%M:%SZ")
    wait = {key: until if value == "AT" else value for key, value in wait.items()}
    payload = {key: until if value == "AT" else value for key, value in payload.items()}
    execution = run(moto, machine({"Hold": {"Type": "Wait", **wait, "End": True}}), payload)
    assert execution.status == "SUCCEEDED"
    assert seconds_between(events(moto, execution), "WaitStateEntered", "WaitStateExited") == pytest.approx(900, abs=2)


@pytest.mark.parametrize("field", ["Seconds", "Timestamp"])
def test_jsonata_waits_are_virtual(moto: InMemoryAws, machine: Machine, field: str) -> None:
    until = (datetime.now(UTC) + timedelta(seconds=900)).strftime("%Y-%m-%dT%H:%M:%SZ")
    value = "{% $states.input.delay %}" if field == "Seconds" else "{% $states.input.until %}"
    arn = machine({"Hold": {"Type": "Wait", field: value, "End": True}}, QueryLanguage="JSONata")
    execution = run(moto, arn, {"delay": 900, "until": until})
    assert execution.status == "SUCCEEDED"
    assert seconds_between(events(moto, execution), "WaitStateEntered", "WaitStateExited") == pytest.approx(900, abs=2)


def test_the_execution_timeout_follows_the_virtual_clock(moto: InMemoryAws, machine: Machine) -> None:
    """A real-time join would let the instant hour outlive a 600-second timeout."""
    arn = machine(
        {"Hold": {"Type": "Wait", "Seconds": HOUR, "Next": "After"}, "After": {"Type": "Succeed"}},
        TimeoutSeconds=600,
    )
    execution = run(moto, arn)
    assert execution.status == "TIMED_OUT"
    assert execution.path == ["Hold"]
    history = events(moto, execution)
    assert seconds_between(history, "ExecutionStarted", "ExecutionTimedOut") == pytest.approx(600, abs=1)
    line = render.failure("hold", datetime.now(UTC), execution)
    assert "timed out in state 'Hold' (Wait)" in line


def test_parallel_branches_that_each_wait_an_hour_take_one_hour(moto: InMemoryAws, machine: Machine) -> None:
    def branch(name: str, seconds: int) -> dict[str, Any]:
        return {"StartAt": name, "States": {name: {"Type": "Wait", "Seconds": seconds, "End": True}}}

    arn = machine(
        {
            "Both": {"Type": "Parallel", "Branches": [branch("A", HOUR), branch("B", HOUR), branch("C", 60)],
                     "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
        TimeoutSeconds=2 * HOUR,
    )  # fmt: skip
    execution = run(moto, arn)
    assert execution.status == "SUCCEEDED"
    history = events(moto, execution)
    assert seconds_between(history, "ExecutionStarted", "ExecutionSucceeded") == pytest.approx(HOUR, abs=2)
    # Every branch started when the Parallel did, whatever its siblings had waited by then.
    entered = [event["timestamp"] for event in history if event["type"] == "WaitStateEntered"]
    assert max(entered) - min(entered) < timedelta(seconds=1)
    assert [block.duration_ms for block in execution.steps[0].blocks] == [
        pytest.approx(HOUR * 1000, abs=1000), pytest.approx(HOUR * 1000, abs=1000), pytest.approx(60_000, abs=1000)
    ]  # fmt: skip


@pytest.mark.parametrize(("concurrency", "hours"), [({}, 1), ({"MaxConcurrency": 2}, 2), ({"MaxConcurrency": 1}, 4)])
def test_a_map_of_hour_long_waits_takes_the_hours_its_concurrency_needs(
    moto: InMemoryAws, machine: Machine, concurrency: dict[str, int], hours: int
) -> None:
    arn = machine(
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                **concurrency,
                "ItemProcessor": {
                    "StartAt": "Hold",
                    "States": {"Hold": {"Type": "Wait", "Seconds": HOUR, "End": True}},
                },
                "End": True,
            }
        },
        TimeoutSeconds=5 * HOUR,
    )
    execution = run(moto, arn, {"items": [1, 2, 3, 4]})
    assert execution.status == "SUCCEEDED"
    total = seconds_between(events(moto, execution), "ExecutionStarted", "ExecutionSucceeded")
    assert total == pytest.approx(hours * HOUR, abs=2)


def test_executions_keep_their_own_clocks(moto: InMemoryAws, machine: Machine) -> None:
    long = machine({"Hold": {"Type": "Wait", "Seconds": HOUR, "End": True}}, TimeoutSeconds=2 * HOUR)
    short = machine({"Go": {"Type": "Pass", "End": True}})
    results: dict[str, Any] = {}
    threads = [
        threading.Thread(target=lambda: results.update(long=run(moto, long))),
        threading.Thread(target=lambda: results.update(short=run(moto, short))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    short_history = events(moto, results["short"])
    assert seconds_between(short_history, "ExecutionStarted", "ExecutionSucceeded") < 5
    # Outside an execution, the clock is the real one.
    assert abs((virtual_time.now() - datetime.now(UTC)).total_seconds()) < 1


def mocks(states: dict[str, str], responses: dict[str, Any], machine_name: str = "any") -> mock_config.TestCase:
    document = {"StateMachines": {machine_name: {"TestCases": {"case": states}}}, "MockedResponses": responses}
    return mock_config.load(document).test_case([machine_name], "case")


def test_retry_backoff_takes_no_real_time_and_the_history_shows_it(moto: InMemoryAws, machine: Machine) -> None:
    topic = moto.client("sns").create_topic(Name="engine-backoff")["TopicArn"]
    arn = machine(
        {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message": "hello"},
                "Retry": [{"ErrorEquals": ["SNS.ThrottledException"], "IntervalSeconds": 300, "BackoffRate": 2,
                           "MaxAttempts": 3}],
                "End": True,
            }
        }
    )  # fmt: skip
    throttled = {"Throw": {"Error": "SNS.ThrottledException", "Cause": "slow down"}}
    case = mocks({"Publish": "Flaky"}, {"Flaky": {"0-1": throttled, "2": {"Return": {"MessageId": "m-1"}}}})
    began = time.monotonic()
    execution = run(moto, arn, case=case)
    assert time.monotonic() - began < 3
    assert (execution.status, execution.output, execution.steps[0].retries) == ("SUCCEEDED", {"MessageId": "m-1"}, 2)
    history = events(moto, execution)
    failed = [event["timestamp"] for event in history if event["type"] == "TaskFailed"]
    scheduled = [event["timestamp"] for event in history if event["type"] == "TaskScheduled"]
    assert (scheduled[1] - failed[0]).total_seconds() == pytest.approx(300, abs=1)
    assert (scheduled[2] - failed[1]).total_seconds() == pytest.approx(600, abs=1)


def test_ops_failures_of_the_last_hour_list_an_execution_that_ran_a_virtual_hour(
    moto: InMemoryAws, machine: Machine
) -> None:
    arn = machine(
        {"Hold": {"Type": "Wait", "Seconds": HOUR, "Next": "Give up"}, "Give up": {"Type": "Fail", "Error": "Late"}},
        TimeoutSeconds=2 * HOUR,
    )
    execution = run(moto, arn)
    runs = StandardRuns(moto.client("stepfunctions"), arn)
    listed = list(runs.failures(datetime.now(UTC) - timedelta(hours=1)))
    assert [summary.arn for summary in listed] == [execution.arn]


# --- mocked responses -------------------------------------------------------------------------


def test_a_mocked_throw_is_caught_and_unmocked_states_run_for_real(moto: InMemoryAws, machine: Machine) -> None:
    topic = moto.client("sns").create_topic(Name="engine-catch")["TopicArn"]
    publish = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
               "Parameters": {"TopicArn": topic, "Message": "hello"}}  # fmt: skip
    arn = machine(
        {
            "Charge": {**publish, "Catch": [{"ErrorEquals": ["Payment.Declined"], "ResultPath": "$.declined",
                                             "Next": "Tell"}], "Next": "Done"},
            "Tell": {**publish, "ResultPath": "$.told", "End": True},
            "Done": {"Type": "Succeed"},
        }
    )  # fmt: skip
    declined = {"0": {"Throw": {"Error": "Payment.Declined", "Cause": "card expired"}}}
    execution = run(moto, arn, {"order": 1}, case=mocks({"Charge": "Declined"}, {"Declined": declined}))
    assert execution.status == "SUCCEEDED", execution
    assert execution.path == ["Charge", "Tell"]
    assert execution.output["declined"] == {"Error": "Payment.Declined", "Cause": "card expired"}
    assert "MessageId" in execution.output["told"]  # Tell was not mocked: moto's SNS answered


def test_an_execution_that_does_not_end_is_one_line_naming_its_state(moto: InMemoryAws, machine: Machine) -> None:
    from rehearsal.run import StillRunning, run_workflow
    from workflows.outputs import minimal_entry

    sfn = moto.client("stepfunctions")
    topic = moto.client("sns").create_topic(Name="engine-nobody")["TopicArn"]
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
        "Parameters": {"TopicArn": topic, "Message": {"token.$": "$$.Task.Token"}},
        "End": True,
    }
    arn = machine({"Hold": {"Type": "Wait", "Seconds": 60, "Next": "Ask"}, "Ask": ask})  # fmt: skip
    with pytest.raises(StillRunning) as raised:
        run_workflow(moto, minimal_entry(arn), {}, real_time_limit=0.5)
    message = str(raised.value)
    assert message.endswith("still RUNNING after 0.5 s of real time, in 'Ask' (Task)")
    assert "\n" not in message
    running = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    for listed in running:
        sfn.stop_execution(executionArn=listed["executionArn"])


def test_the_demo_says_in_one_line_where_an_execution_that_does_not_end_is(
    moto: InMemoryAws, machine: Machine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rehearsal import demo

    sfn = moto.client("stepfunctions")
    topic = moto.client("sns").create_topic(Name="engine-nobody-demo")["TopicArn"]
    ask = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
        "Parameters": {"TopicArn": topic, "Message": {"token.$": "$$.Task.Token"}},
        "End": True,
    }
    arn = machine({"Hold": {"Type": "Wait", "Seconds": HOUR, "Next": "Ask"}, "Ask": ask})
    monkeypatch.setattr(demo, "REAL_TIME_LIMIT_SECONDS", 0.5)
    started = sfn.start_execution(stateMachineArn=arn, name=f"engine-run-{next(_names)}", input="{}")
    try:
        assert demo.wait_or_report(sfn, started["executionArn"]) is None
    finally:
        sfn.stop_execution(executionArn=started["executionArn"])
    printed = capsys.readouterr()
    assert printed.err == ""
    assert printed.out.count("\n") == 1
    assert printed.out.strip().endswith("still RUNNING after 0.5 s of real time, in 'Ask' (Task)")
    assert "Traceback" not in printed.out


def test_a_state_that_starts_another_workflow_starts_it_with_its_input_as_on_aws(
    moto: InMemoryAws, machine: Machine
) -> None:
    from rehearsal import runnable

    child = machine({"Done": {"Type": "Succeed"}})
    name = f"child-{next(_names)}"
    start = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
             "Parameters": {"StateMachineArn": child, "Name": name,
                            "Input": {"order": 1, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}},
             "End": True}  # fmt: skip
    execution = run(moto, machine({"Start": start}))
    # moto's engine handed StateMachineArn to a client that takes stateMachineArn: States.Runtime.
    assert execution.status == "SUCCEEDED", execution
    sfn = moto.client("stepfunctions")
    (started,) = sfn.list_executions(stateMachineArn=child)["executions"]
    assert started["name"] == name
    # The child got the input as an object, the parent's execution ARN in it.
    given = json.loads(sfn.describe_execution(executionArn=started["executionArn"])["input"])
    assert given == {"order": 1, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": execution.arn}
    # The state's result is named as Step Functions names it, its date as text JSON can hold.
    assert sorted(execution.output) == ["ExecutionArn", "StartDate"]
    assert execution.output["ExecutionArn"] == started["executionArn"]
    assert datetime.fromisoformat(execution.output["StartDate"]).tzinfo is not None
    assert "states:startExecution" in runnable.RUN_HERE


def test_an_execution_started_without_a_name_is_named_by_a_uuid_as_on_aws(moto: InMemoryAws, machine: Machine) -> None:
    # Name is optional: moto's engine named such an execution None, its ARN ending ':None', and
    # `ops verify` then failed reading the workflow's runs (a KeyError on 'name').
    child = machine({"Done": {"Type": "Succeed"}})
    start = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
             "Parameters": {"StateMachineArn": child}, "End": True}  # fmt: skip
    execution = run(moto, machine({"Start": start}))
    assert execution.status == "SUCCEEDED", execution
    sfn = moto.client("stepfunctions")
    (started,) = sfn.list_executions(stateMachineArn=child)["executions"]
    assert str(uuid.UUID(started["name"])) == started["name"]
    assert started["executionArn"].endswith(f":{started['name']}")
    assert sfn.describe_execution(executionArn=started["executionArn"])["name"] == started["name"]


def test_the_lambda_sandbox_runs_one_function_from_several_threads_at_once() -> None:
    # A Map's iterations invoke one function side by side: each must find the package unpacked once.
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as bundle:
        bundle.writestr("handlers/__init__.py", "")
        bundle.writestr("handlers/echo.py", "def handle(event, context):\n    return event\n")
    function: Any = SimpleNamespace(function_name="echo", handler="handlers.echo.handle", timeout=30,
                                    code_bytes=package.getvalue())  # fmt: skip
    sandbox = LambdaSandbox()
    results: list[tuple[str, bool, str]] = []

    def invoke(number: int) -> None:
        results.append(sandbox.invoke(function, {"n": number}))

    workers = [threading.Thread(target=invoke, args=(n,)) for n in range(4)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sandbox.close()
    assert sorted(json.loads(payload)["n"] for payload, errored, _ in results if not errored) == [0, 1, 2, 3]
