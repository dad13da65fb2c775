"""The ops tool in production: Express workflows, failures, redrive, and every AWS error as one line.

moto has no StartSyncExecution and no redrive, and writes no execution logs:
those calls are tested against botocore's Stubber, which checks each request
and response against the service model; execution log records are written
into the in-memory CloudWatch Logs in the shape AWS documents, and read back.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

import ops.__main__
import ops.aws
import ops.execution_tree
import ops.executions
import ops.render
import ops.runs
import ops.verify
from ops.__main__ import main as ops_main
from ops.runs import ExpressRuns, StandardRuns
from ops.verify import Report, check_schedule, check_smoke_test
from rehearsal.program import PROJECT_ROOT
from serverless_workflows.asl.execution_input import InputNotJson, encoded_input
from tests.support import CloudStack, Declare, tool_environment
from workflows.catalogue import CALL_CENTER, SCHEDULED
from workflows.outputs import read_entry

if TYPE_CHECKING:
    # Annotations only: the rehearsal layer's fixtures import moto, which takes a second or two.
    from rehearsal.moto_aws import InMemoryAws

ACCOUNT = "123456789012"
MACHINE = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:serverless-workflows-dev-scheduled"
LOG_GROUP = "/aws/vendedlogs/states/serverless-workflows-dev-scheduled"


def express_arn(name: str) -> str:
    return f"arn:aws:states:us-east-1:{ACCOUNT}:express:serverless-workflows-dev-scheduled:{name}:0a1b2c3d-aaaa-bbbb-cccc-000000000000"  # noqa: E501


def records(arn: str, at: datetime, payload: dict[str, Any], *, fail: bool = False) -> list[dict[str, Any]]:
    """An Express execution of the Hello World machine as its execution log records, shaped as AWS documents them."""
    ms = int(at.timestamp() * 1000)
    text = json.dumps(payload)
    hello = json.dumps({**payload, "taskresult": "Hello"})
    world = json.dumps({**payload, "taskresult": "World"})

    def record(number: int, previous: int, kind: str, details: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(number), "type": kind, "details": details, "previous_event_id": str(previous),
                "event_timestamp": str(ms + number), "execution_arn": arn, "redrive_count": "0"}  # fmt: skip

    started = [
        record(1, 0, "ExecutionStarted", {"input": text, "inputDetails": {"truncated": False}, "roleArn": "r"}),
        record(2, 0, "PassStateEntered", {"input": text, "inputDetails": {"truncated": False}, "name": "Hello"}),
        record(3, 2, "PassStateExited", {"name": "Hello", "output": hello, "outputDetails": {"truncated": False}}),
    ]
    if fail:
        return [*started, record(4, 3, "ExecutionFailed", {"error": "Boom", "cause": "The world ended."})]
    return [
        *started,
        record(4, 3, "PassStateEntered", {"input": hello, "inputDetails": {"truncated": False}, "name": "World"}),
        record(5, 4, "PassStateExited", {"name": "World", "output": world, "outputDetails": {"truncated": False}}),
        record(6, 5, "ExecutionSucceeded", {"output": world, "outputDetails": {"truncated": False}}),
    ]


@pytest.fixture
def express_logs(moto: InMemoryAws) -> Iterator[Any]:
    """A log group of the in-memory CloudWatch Logs to write execution records into."""
    logs = moto.client("logs")
    group = f"{LOG_GROUP}-{datetime.now(UTC).timestamp()}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="states/express")
    yield logs, group
    logs.delete_log_group(logGroupName=group)


def write(logs: Any, group: str, *batches: list[dict[str, Any]]) -> None:
    logged = sorted((int(r["event_timestamp"]), json.dumps(r)) for batch in batches for r in batch)
    events = [{"timestamp": timestamp, "message": message} for timestamp, message in logged]
    logs.put_log_events(logGroupName=group, logStreamName="states/express", logEvents=events)


def stubbed_sfn() -> tuple[Any, Stubber]:
    sfn = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    return sfn, Stubber(sfn)


# --- Express ------------------------------------------------------------------------------


def test_an_express_run_is_synchronous_and_its_path_comes_from_the_logs(express_logs: tuple[Any, str]) -> None:
    logs, group = express_logs
    sfn, stub = stubbed_sfn()
    arn = express_arn("run-1")
    now = datetime.now(UTC)
    output = {"Payload": "This is a test.", "taskresult": "World"}
    stub.add_response(
        "start_sync_execution",
        {"executionArn": arn, "stateMachineArn": MACHINE, "name": "run-1", "startDate": now, "stopDate": now,
         "status": "SUCCEEDED", "input": json.dumps({"Payload": "This is a test."}), "output": json.dumps(output)},
        {"stateMachineArn": MACHINE, "name": ANY, "input": json.dumps({"Payload": "This is a test."})},
    )  # fmt: skip
    write(logs, group, records(arn, now, {"Payload": "This is a test."}))
    with stub:
        execution = ExpressRuns(sfn, logs, MACHINE, group).start({"Payload": "This is a test."})
    assert (execution.status, execution.output) == ("SUCCEEDED", output)
    assert execution.path == ["Hello", "World"]
    assert execution.steps[-1].output == output


def test_verify_reads_an_express_schedule_from_its_log_records(
    moto: InMemoryAws, express_logs: tuple[Any, str]
) -> None:
    logs, group = express_logs
    now = datetime.now(UTC)
    schedule_input = {"Payload": "This is a test."}
    write(logs, group, records(express_arn("tick-1"), now - timedelta(seconds=90), schedule_input),
          records(express_arn("tick-2"), now - timedelta(seconds=30), schedule_input))  # fmt: skip
    runs = ExpressRuns(object(), logs, MACHINE, group)
    assert [summary.name for summary in runs.recent(now - timedelta(minutes=5))] == ["tick-2", "tick-1"]

    scheduler = boto3.client("scheduler", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    entry = read_entry("scheduled", {"stateMachineArn": MACHINE, "type": "EXPRESS", "logGroup": group,
                                     "schedule": {"name": "s", "group": "g", "deadLetterQueueUrl": "u"}})  # fmt: skip
    with Stubber(scheduler) as stub:
        target = {"Arn": MACHINE, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/r", "Input": json.dumps(schedule_input)}
        schedule = {"Name": "s", "GroupName": "g", "State": "ENABLED", "ScheduleExpression": "rate(1 minute)",
                    "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": target}  # fmt: skip
        stub.add_response("get_schedule", schedule, {"Name": "s", "GroupName": "g"})
        report = Report()
        check_schedule(runs, scheduler, SCHEDULED, entry, report, now=now)
    assert report.ok, report.render()
    assert "2 recent execution(s) checked, each output" in report.checks[1].detail


def test_a_failed_express_run_is_named_by_its_log_records(express_logs: tuple[Any, str]) -> None:
    logs, group = express_logs
    now = datetime.now(UTC)
    write(logs, group, records(express_arn("bad"), now - timedelta(seconds=10), {"Payload": "x"}, fail=True))
    runs = ExpressRuns(object(), logs, MACHINE, group)
    (failed,) = list(runs.failures(now - timedelta(hours=1)))
    execution = runs.read(failed.arn)
    assert (failed.name, failed.status) == ("bad", "FAILED")
    assert (execution.error, execution.cause, execution.path) == ("Boom", "The world ended.", ["Hello"])


def test_a_smoke_test_of_an_express_workflow_reads_state_outputs_from_the_logs(
    express_logs: tuple[Any, str],
) -> None:
    logs, group = express_logs
    sfn, stub = stubbed_sfn()
    assert CALL_CENTER.smoke_test is not None
    escalated = CALL_CENTER.smoke_test.outcomes[1]
    only_escalation = dataclasses.replace(
        CALL_CENTER, smoke_test=dataclasses.replace(CALL_CENTER.smoke_test, outcomes=(escalated,), max_runs=1)
    )
    now = datetime.now(UTC)
    arn = express_arn("smoke")
    stub.add_response("start_sync_execution", {"executionArn": arn, "startDate": now, "stopDate": now,
                                               "status": "FAILED", "cause": "Engage Tier 2 Support."})  # fmt: skip
    case = {
        "Case": "verify-001",
        "Status": 0,
        "Message": "Case verify-001: opened...assigned...unresolved...escalating.",
    }
    ms = int(now.timestamp() * 1000)
    escalation = [
        ("ExecutionStarted", {"input": "{}"}),
        ("TaskStateEntered", {"name": "Escalate Case", "input": "{}"}),
        ("TaskStateExited", {"name": "Escalate Case", "output": json.dumps(case)}),
        ("FailStateEntered", {"name": "Fail", "input": json.dumps(case)}),
        ("ExecutionFailed", {"cause": "Engage Tier 2 Support."}),
    ]
    logged = [
        {"id": str(n), "previous_event_id": str(n - 1), "type": kind, "details": details,
         "event_timestamp": str(ms + n), "execution_arn": arn}
        for n, (kind, details) in enumerate(escalation, start=1)
    ]  # fmt: skip
    write(logs, group, logged)
    report = Report()
    with stub:
        check_smoke_test(ExpressRuns(sfn, logs, MACHINE, group), only_escalation, report)
    assert report.ok, report.render()
    assert report.checks[0].detail == "escalated all seen in 1 run(s)"


# --- Express through the command line (StartSyncExecution and FilterLogEvents, stubbed) ---------------

ONE_EXECUTION = '{{ $.execution_arn = "{}" }}'
EXECUTION_RECORDS = (
    '{ $.type = "ExecutionStarted" || $.type = "ExecutionSucceeded" || $.type = "ExecutionFailed" '
    '|| $.type = "ExecutionTimedOut" || $.type = "ExecutionAborted" }'
)


def logged(*batches: list[dict[str, Any]], more: bool = False) -> dict[str, Any]:
    """A FilterLogEvents page holding these records; `more`: AWS says there is another page."""
    rows = sorted((int(r["event_timestamp"]), json.dumps(r)) for batch in batches for r in batch)
    page: dict[str, Any] = {"events": [
        {"logStreamName": "states/express", "timestamp": at, "message": message, "ingestionTime": at,
         "eventId": str(n)} for n, (at, message) in enumerate(rows)
    ]}  # fmt: skip
    return {**page, "nextToken": "more"} if more else page


def reading(pattern: str) -> dict[str, Any]:
    return {"logGroupName": LOG_GROUP, "startTime": ANY, "filterPattern": pattern}


@pytest.fixture
def express_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stubber, Stubber]]:
    """Every client the ops tool makes is one of these: Step Functions (StartSyncExecution's
    too) and CloudWatch Logs, each stubbed."""
    sfn, sfn_stub = stubbed_sfn()
    logs = boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    made = {"stepfunctions": sfn, "logs": logs}
    monkeypatch.setattr(ops.aws.Clients, "client", lambda self, service: made[service])
    monkeypatch.setattr(ops.aws.Clients, "sync_sfn", lambda self, timeout_seconds: sfn)
    with sfn_stub, Stubber(logs) as logs_stub:
        yield sfn_stub, logs_stub
        sfn_stub.assert_no_pending_responses()
        logs_stub.assert_no_pending_responses()


@pytest.fixture
def express_outputs(tmp_path: Path) -> Path:
    """The stack outputs of a stack whose scheduled workflow is Express."""
    entry = {"stateMachineArn": MACHINE, "stateMachineName": "serverless-workflows-dev-scheduled",
             "type": "EXPRESS", "logGroup": LOG_GROUP, "schedule": None}  # fmt: skip
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps({"workflows": {"scheduled": entry}}))
    return saved


def test_run_starts_an_express_workflow_synchronously_with_an_input_from_a_file(
    express_cli: tuple[Stubber, Stubber], express_outputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sfn, logs = express_cli
    # More than Linux takes as one command-line argument (128 KiB), less than Step Functions takes.
    payload = {"Payload": "x" * (200 * 1024)}
    given = tmp_path / "input.json"
    given.write_text(json.dumps(payload, indent=2))
    arn, now = express_arn("run-1"), datetime.now(UTC)
    output = {**payload, "taskresult": "World"}
    sfn.add_response(
        "start_sync_execution",
        {"executionArn": arn, "startDate": now, "stopDate": now, "status": "SUCCEEDED", "output": json.dumps(output)},
        {"stateMachineArn": MACHINE, "name": ANY, "input": json.dumps(payload)},
    )
    logs.add_response("filter_log_events", logged(records(arn, now, payload)), reading(ONE_EXECUTION.format(arn)))
    assert ops_main(["--outputs", str(express_outputs), "run", "scheduled", "--input-file", str(given)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "execution run-1"
    assert [line for line in printed if "(Pass)" in line] == [
        "  1. [ok] Hello (Pass)  1 ms",
        "  2. [ok] World (Pass)  1 ms",
    ]
    assert printed[-2] == "  status  SUCCEEDED"


def test_run_of_an_express_workflow_waits_on_the_client_made_to_outlast_the_run(
    express_outputs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # StartSyncExecution answers when the run ends: on a client with botocore's default 60 s read
    # timeout, a run of a few minutes is cut off. `ops run` must ask for the synchronous client.
    plain, plain_stub = stubbed_sfn()
    synchronous, sync_stub = stubbed_sfn()
    logs = boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    asked: list[float] = []

    def sync_sfn(_: ops.aws.Clients, timeout_seconds: float) -> Any:
        asked.append(timeout_seconds)
        return synchronous

    monkeypatch.setattr(
        ops.aws.Clients, "client", lambda self, service: {"stepfunctions": plain, "logs": logs}[service]
    )
    monkeypatch.setattr(ops.aws.Clients, "sync_sfn", sync_sfn)
    arn, now = express_arn("long-run"), datetime.now(UTC)
    sync_stub.add_response(
        "start_sync_execution",
        {"executionArn": arn, "startDate": now, "stopDate": now, "status": "SUCCEEDED", "output": "{}"},
        {"stateMachineArn": MACHINE, "name": ANY, "input": '{"Payload": "x"}'},
    )
    with plain_stub, sync_stub, Stubber(logs) as logs_stub:
        logs_stub.add_response(
            "filter_log_events", logged(records(arn, now, {"Payload": "x"})), reading(ONE_EXECUTION.format(arn))
        )
        code = ops_main(
            ["--outputs", str(express_outputs), "run", "scheduled", "--input", '{"Payload": "x"}', "--timeout", "240"]
        )
    said = capsys.readouterr().err.strip()
    assert (asked, code) == ([240], 0), (
        "ops run of an Express workflow did not start it on the client made for StartSyncExecution "
        f"(one for {asked} s; ops said {said!r}): the default client's 60 s read timeout cuts off a longer run"
    )
    sync_stub.assert_no_pending_responses()


def test_the_synchronous_client_outlasts_the_run_and_never_starts_it_twice() -> None:
    config = ops.aws.Clients("us-east-1", None).sync_sfn(240).meta.config
    assert config.read_timeout > 240, f"read timeout {config.read_timeout} s cuts off a run of 240 s"
    # A retry of StartSyncExecution would start the run again.
    assert config.retries["total_max_attempts"] == 1, f"StartSyncExecution is retried: {config.retries}"
    assert ops.aws.Clients("us-east-1", None).sync_sfn(10).meta.config.read_timeout >= 60


def test_run_with_the_arn_of_an_express_machine_learns_its_type_and_log_group(
    express_cli: tuple[Stubber, Stubber], capsys: pytest.CaptureFixture[str]
) -> None:
    sfn, logs = express_cli
    now = datetime.now(UTC)
    group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{LOG_GROUP}:*"
    sfn.add_response(
        "describe_state_machine",
        {"stateMachineArn": MACHINE, "name": "m", "definition": "{}", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
         "type": "EXPRESS", "creationDate": now, "loggingConfiguration": {
             "level": "ALL", "includeExecutionData": True,
             "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}]}},
        {"stateMachineArn": MACHINE},
    )  # fmt: skip
    arn = express_arn("run-2")
    failed = {"executionArn": arn, "startDate": now, "stopDate": now, "status": "FAILED", "error": "Boom",
              "cause": "The world ended."}  # fmt: skip
    sfn.add_response("start_sync_execution", failed)
    logs.add_response(
        "filter_log_events", logged(records(arn, now, {"Payload": "x"}, fail=True)), reading(ONE_EXECUTION.format(arn))
    )
    assert ops_main(["run", "scheduled", "--arn", MACHINE, "--input", '{"Payload": "x"}']) == 1
    assert "  error   Boom: The world ended." in capsys.readouterr().out.splitlines()


def test_history_of_an_express_execution_lists_the_events_of_its_log_records_only(
    express_cli: tuple[Stubber, Stubber], express_outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, logs = express_cli
    arn = express_arn("tick-1")
    # CloudWatch Logs sends this execution's records alone; once its end is read, no page more is asked for.
    logs.add_response(
        "filter_log_events",
        logged(records(arn, datetime.now(UTC) - timedelta(minutes=3), {"Payload": "x"}), more=True),
        reading(ONE_EXECUTION.format(arn)),
    )
    assert ops_main(["--outputs", str(express_outputs), "history", arn]) == 0
    kinds = [line.split()[2] for line in capsys.readouterr().out.splitlines()]
    assert kinds == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered",
                     "PassStateExited", "ExecutionSucceeded"]  # fmt: skip


def test_history_of_an_express_execution_not_in_the_logs_read_is_refused_not_shown_running(
    express_cli: tuple[Stubber, Stubber], express_outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, logs = express_cli
    arn = express_arn("long-ago")
    logs.add_response("filter_log_events", {"events": []}, reading(ONE_EXECUTION.format(arn)))
    assert ops_main(["--outputs", str(express_outputs), "history", arn, "--hours", "2"]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.startswith(f"ops: {arn}: its start is not in {LOG_GROUP} since ")
    assert "it started more than 2 hour(s) ago (pass --hours, up to the log group's retention, logRetentionDays)" in (
        printed.err
    )
    assert printed.err.count("\n") == 1


def test_failures_of_an_express_workflow_reads_each_failure_alone_and_names_where_it_timed_out(
    express_cli: tuple[Stubber, Stubber], express_outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, logs = express_cli
    at = datetime.now(UTC) - timedelta(minutes=10)
    ms = int(at.timestamp() * 1000)
    slow, fine = express_arn("tick-slow"), express_arn("tick-fine")

    def record(arn: str, number: int, kind: str, **details: Any) -> dict[str, Any]:
        return {"id": str(number), "previous_event_id": str(number - 1), "type": kind, "details": details,
                "event_timestamp": str(ms + number), "execution_arn": arn}  # fmt: skip

    started, timed_out = (
        record(slow, 1, "ExecutionStarted", input="{}"),
        record(slow, 3, "ExecutionTimedOut", error="States.Timeout", cause="The execution timed out"),
    )
    # Listing: only the records of executions starting and ending.
    logs.add_response(
        "filter_log_events",
        logged([record(fine, 1, "ExecutionStarted", input="{}"), record(fine, 2, "ExecutionSucceeded", output="{}"),
                started, timed_out]),
        reading(EXECUTION_RECORDS),
    )  # fmt: skip
    # The failure: its own records, from its start on.
    logs.add_response(
        "filter_log_events",
        logged([started, record(slow, 2, "TaskStateEntered", name="Slow Task", input="{}"), timed_out], more=True),
        {**reading(ONE_EXECUTION.format(slow)), "startTime": ms + 1 - 5000},
    )
    assert ops_main(["--outputs", str(express_outputs), "failures", "scheduled"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"scheduled  {datetime.fromtimestamp((ms + 1) / 1000, tz=UTC):%Y-%m-%d %H:%M:%S}  TIMED_OUT  tick-slow",
        "    timed out in state 'Slow Task' (Task): States.Timeout: The execution timed out",
    ]


def test_an_express_workflow_may_run_unobserved_and_ops_then_says_why_it_cannot_see_it(
    declare: Declare, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from serverless_workflows.workflow import Workflow, WorkflowArgs

    args = WorkflowArgs(
        state_machine_name="blind", definition_file=str(SCHEDULED.definition_path), type="EXPRESS", log_level="OFF"
    )
    with pytest.raises(ValueError, match="must log level ALL with execution data"):
        declare(lambda: Workflow("blind", args))
    run = declare(lambda: Workflow("blind", {**args, "express_without_execution_logs": True}))
    (machine,) = run.of_type("aws:sfn/stateMachine:StateMachine")
    assert machine.inputs["type"] == "EXPRESS"
    assert not run.of_type("aws:cloudwatch/logGroup:LogGroup")
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"workflows": {"scheduled": {
        "stateMachineArn": MACHINE, "stateMachineName": "blind", "type": "EXPRESS", "logGroup": None}}}))  # fmt: skip
    assert ops_main(["--outputs", str(outputs), "failures", "scheduled"]) == 2
    assert capsys.readouterr().err == (
        "ops: blind is an Express workflow whose stack outputs name no log group: its executions cannot be seen "
        "without one (logLevel OFF gives none); set logLevel ALL and redeploy\n"
    )


def test_an_input_over_256_kib_is_refused_before_any_call(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    big = json.dumps({"inputCaseID": "x" * (300 * 1024)})
    assert ops_main(["--outputs", str(tmp_path / "none.json"), "run", "call-center", "--input", big]) == 2
    size = len(json.dumps(json.loads(big)).encode())
    assert f"the execution input is {size:,} bytes; Step Functions takes at most 262,144" in capsys.readouterr().err
    assert len(encoded_input({"a": "é"}).encode()) == len('{"a": "é"}'.encode())


class _NoCalls:
    """A client that fails any call made to it."""

    def __getattr__(self, name: str) -> Any:
        def call(**_: Any) -> None:
            raise AssertionError(f"{name} was called")

        return call


@pytest.mark.parametrize("payload", [{"x": float("nan")}, [float("inf")]])
def test_a_run_refuses_nan_or_infinity_before_starting_an_execution(payload: Any) -> None:
    # executions.run (the rehearsal's and StandardRuns' way in) once sent Python's `NaN` as it was.
    with pytest.raises(InputNotJson, match=r"^the execution input is not JSON: Out of range float values"):
        ops.executions.run(_NoCalls(), MACHINE, payload)


# --- failures and redrive -------------------------------------------------------------------


class ListedExecutions:
    """A Step Functions client whose ListExecutions lists `listed` as AWS does: newest first, and
    only those of the status asked for (statusFilter), if one is."""

    def __init__(self, *listed: tuple[str, str, datetime]) -> None:
        self.listed = sorted(listed, key=lambda execution: execution[2], reverse=True)

    def get_paginator(self, operation: str) -> ListedExecutions:
        assert operation == "list_executions"
        return self

    def paginate(self, *, stateMachineArn: str, statusFilter: str | None = None) -> Iterator[dict[str, Any]]:  # noqa: N803
        yield {
            "executions": [
                {"executionArn": f"{stateMachineArn}:{name}", "name": name, "status": status, "startDate": started}
                for name, status, started in self.listed
                if statusFilter in (None, status)
            ]
        }


def test_failures_of_a_standard_workflow_are_its_failed_timed_out_and_aborted_runs() -> None:
    now = datetime.now(UTC)
    sfn = ListedExecutions(
        ("failed", "FAILED", now - timedelta(minutes=4)),
        ("slow", "TIMED_OUT", now - timedelta(minutes=3)),
        ("stopped", "ABORTED", now - timedelta(minutes=2)),
        ("fine", "SUCCEEDED", now - timedelta(minutes=1)),
        ("old", "FAILED", now - timedelta(days=2)),
    )
    found = [(run.name, run.status) for run in StandardRuns(sfn, MACHINE).failures(now - timedelta(hours=1))]
    missed = sorted({"FAILED", "TIMED_OUT", "ABORTED"} - {status for _, status in found})
    assert not missed, f"ops failures of a Standard workflow missed its {', '.join(missed)} run(s); it found {found}"
    assert found == [("stopped", "ABORTED"), ("slow", "TIMED_OUT"), ("failed", "FAILED")]


def test_ops_failures_lists_where_and_why_recent_runs_failed(
    shared_cloud: CloudStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    StandardRuns(shared_cloud.client("stepfunctions"), shared_cloud.workflow("call-center")["stateMachineArn"]).start(
        {}
    )
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(shared_cloud.outputs))
    assert ops_main(["--outputs", str(outputs), "failures", "call-center", "--limit", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("call-center  ")
    assert "  FAILED  run-" in lines[0]
    why = "InvalidCaseInput: The event has no 'inputCaseID'; expected a non-empty string."
    assert lines[1] == f"    at state 'Open Case' (Task): {why}"
    assert ops_main(["--outputs", str(outputs), "failures", "scheduled"]) == 0
    assert "no failed, timed-out or aborted executions in the last 24 hour(s) of scheduled" in capsys.readouterr().out


def describe(status: str, stopped_ago: timedelta, **extra: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"executionArn": EXECUTION, "stateMachineArn": MACHINE, "name": "e1", "status": status,
            "startDate": now - stopped_ago - timedelta(seconds=5), "stopDate": now - stopped_ago, **extra}  # fmt: skip


EXECUTION = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:serverless-workflows-dev-scheduled:e1"


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    """Every Step Functions client the ops tool makes is this stubbed one."""
    sfn, stub = stubbed_sfn()
    monkeypatch.setattr(ops.aws.Clients, "client", lambda self, service: sfn)
    with stub:
        yield stub


@pytest.mark.parametrize(
    ("described", "message"),
    [
        (describe("RUNNING", timedelta(0)), "e1 is RUNNING; only failed, timed-out or aborted executions redrive"),
        (describe("FAILED", timedelta(days=15)), "more than 14 days ago: AWS no longer redrives it"),
        (describe("FAILED", timedelta(hours=1), redriveStatus="NOT_REDRIVABLE", redriveStatusReason="Execution is"
                  " FAILED because of a Map Run"), "e1 cannot be redriven: Execution is FAILED because of a Map Run"),
    ],
)  # fmt: skip
def test_redrive_refuses_what_aws_would_refuse(
    stubbed: Stubber, described: dict[str, Any], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stubbed.add_response("describe_execution", described, {"executionArn": EXECUTION})
    assert ops_main(["redrive", EXECUTION]) == 2
    assert message in capsys.readouterr().err


def test_the_redrive_refusal_names_the_window_it_applies(
    stubbed: Stubber, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The message is built from REDRIVE_WINDOW: were AWS to change it, one edit keeps both in step.
    monkeypatch.setattr(ops.__main__, "REDRIVE_WINDOW", timedelta(days=30))
    stubbed.add_response("describe_execution", describe("FAILED", timedelta(days=31)), {"executionArn": EXECUTION})
    assert ops_main(["redrive", EXECUTION]) == 2
    assert "more than 30 days ago: AWS no longer redrives it" in capsys.readouterr().err


def test_hours_are_bounded_by_the_look_back_verify_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # One "year" for ops: --hours and a schedule's last run look back as far as each other.
    assert (
        vars(ops.__main__)["LONGEST_LOOK_BACK"] is vars(ops.verify)["LONGEST_LOOK_BACK"] is ops.runs.LONGEST_LOOK_BACK
    )
    monkeypatch.setattr(ops.__main__, "LONGEST_LOOK_BACK", timedelta(days=2))
    outputs = tmp_path / "outputs.json"
    outputs.write_text("{}")
    assert ops_main(["--outputs", str(outputs), "failures", "--hours", "49"]) == 2
    assert "--hours 49: give a number of hours above 0 and at most 48 (2 days)" in capsys.readouterr().err


def test_redrive_refuses_express_executions_without_calling_aws(capsys: pytest.CaptureFixture[str]) -> None:
    assert ops_main(["redrive", express_arn("e2")]) == 2
    assert "Express executions cannot be redriven; start a new one with `ops run`" in capsys.readouterr().err


def test_redrive_redrives_a_failed_execution_and_follows_it(
    stubbed: Stubber, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    now = datetime.now(UTC)
    stubbed.add_response("describe_execution", describe("FAILED", timedelta(hours=2), redriveStatus="REDRIVABLE"))
    stubbed.add_response("redrive_execution", {"redriveDate": now}, {"executionArn": EXECUTION})
    # Just after the call AWS may still describe the old failure; ops waits until the redrive shows.
    stubbed.add_response("describe_execution", describe("FAILED", timedelta(hours=2), redriveCount=0))
    stubbed.add_response("describe_execution", describe("RUNNING", timedelta(0), redriveCount=1))
    done = describe("SUCCEEDED", timedelta(0), output=json.dumps({"taskresult": "World"}), input="{}", redriveCount=1)
    stubbed.add_response("describe_execution", done)  # wait
    stubbed.add_response("describe_execution", done)  # read
    stubbed.add_response("describe_state_machine", {"stateMachineArn": MACHINE, "name": "m", "definition": "{}",
                                                    "roleArn": "arn:aws:iam::1:role/r", "type": "STANDARD",
                                                    "creationDate": now})  # fmt: skip
    stubbed.add_response("get_execution_history", {"events": [
        {"id": 1, "previousEventId": 0, "timestamp": now, "type": "ExecutionStarted",
         "executionStartedEventDetails": {"input": "{}"}},
        {"id": 2, "previousEventId": 1, "timestamp": now, "type": "ExecutionSucceeded",
         "executionSucceededEventDetails": {"output": json.dumps({"taskresult": "World"})}},
    ]})  # fmt: skip
    assert ops_main(["redrive", EXECUTION]) == 0
    assert slept == [1], "ops waits a second before it asks again whether the redrive shows"
    printed = capsys.readouterr().out
    assert "status  SUCCEEDED" in printed
    assert '"taskresult": "World"' in printed


# --- every AWS error is one line with the fix, exit 2 -------------------------------------


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (
            "AccessDeniedException",
            "User is not authorized",
            "access denied (User is not authorized); `ops history` needs states:GetExecutionHistory",
        ),
        (
            "ExecutionDoesNotExist",
            "Execution Does Not Exist: 'arn'",
            "not found: Execution Does Not Exist: 'arn'; check the ARN, the region and --stack",
        ),
        ("ThrottlingException", "Rate exceeded", "AWS is throttling these calls (ThrottlingException); wait a moment"),
    ],
)
def test_aws_errors_become_one_line_naming_the_fix(
    stubbed: Stubber, code: str, message: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stubbed.add_client_error("get_execution_history", service_error_code=code, service_message=message)
    assert ops_main(["history", EXECUTION]) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.program
def test_no_credentials_is_explained(tmp_path: Path) -> None:
    # A process of its own: the in-memory AWS of this test session answers with credentials of its own.
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    finished = subprocess.run(
        [sys.executable, "-m", "ops", "history", EXECUTION],
        cwd=PROJECT_ROOT, env=tool_environment(environment), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert finished.returncode == 2
    assert finished.stderr == (
        "ops history: no AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE\n"
    )


def test_no_region_is_explained(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No ARN to take it from (a stack with no workflows), none given, none configured.
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a session made earlier may have read a region
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"workflows": {}}))
    assert ops_main(["--outputs", str(outputs), "verify"]) == 2
    assert capsys.readouterr().err == (
        "ops verify: no AWS region is configured: pass --region, set AWS_REGION, or run `aws configure`\n"
    )


def test_an_input_aws_refuses_is_one_line_naming_the_limit_and_the_fix(
    stubbed: Stubber, capsys: pytest.CaptureFixture[str]
) -> None:
    stubbed.add_response("describe_state_machine", {"stateMachineArn": MACHINE, "name": "m", "definition": "{}",
                                                    "roleArn": f"arn:aws:iam::{ACCOUNT}:role/r", "type": "STANDARD",
                                                    "creationDate": datetime.now(UTC)})  # fmt: skip
    refusal = "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length "
    refusal += "less than or equal to 262144"
    stubbed.add_client_error("start_execution", service_error_code="ValidationException", service_message=refusal)
    assert ops_main(["run", "scheduled", "--arn", MACHINE]) == 2
    assert capsys.readouterr().err == (
        f"ops run: the execution input was refused: {refusal}; Step Functions takes at most 262,144 bytes of JSON, "
        "as UTF-8 (pass a reference, such as an S3 key, instead of the data)\n"
    )


def test_an_input_is_given_one_way_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        ops_main(["run", "scheduled", "--input", "{}", "--input-file", "input.json"])
    assert stopped.value.code == 2
    assert "argument --input-file: not allowed with argument --input" in capsys.readouterr().err


def test_the_docs_list_the_permissions_each_command_asks_for_on_access_denied() -> None:
    page = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    # The page's "Permissions" section: its table has a row per command.
    table = page.split("\n## Permissions\n", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+) \|$", table, flags=re.MULTILINE))
    actions = re.compile(r"\b(?:states|logs|scheduler):[A-Za-z]+")
    for command, needed in ops.aws.PERMISSIONS.items():
        assert set(actions.findall(rows[command])) == set(actions.findall(needed)), command
    assert set(rows) == {*ops.aws.PERMISSIONS, "cost"}


def test_the_region_comes_from_the_arn_and_a_conflicting_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    made: list[str | None] = []

    def client(self: ops.aws.Clients, service: str) -> Any:
        made.append(self.region)
        return _failing()

    monkeypatch.setattr(ops.aws.Clients, "client", client)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    ops_main(["history", EXECUTION.replace("us-east-1", "eu-west-3")])
    assert made == ["eu-west-3"]
    capsys.readouterr()
    assert ops_main(["--region", "us-west-2", "history", EXECUTION]) == 2
    assert "--region us-west-2 does not match" in capsys.readouterr().err


def _failing() -> Any:
    class Failing:
        def get_paginator(self, name: str) -> Any:
            raise ops.aws.AwsError("stopped here")

    return Failing()


@pytest.mark.parametrize(
    ("argv", "content", "message"),
    [
        (["verify"], "[1, 2]", "holds a JSON list, not the object `pulumi stack output --json` prints"),
        (
            ["verify"],
            '{"workflows": {"scheduled": {"stateMachineArn": 7}}}',
            "workflows.scheduled has no stateMachineArn",
        ),
        (["history", "not-an-arn"], "{}", "'not-an-arn' is not an execution ARN"),
        (["failures", "--hours", "-5"], "{}", "--hours -5: give a number of hours above 0 and at most 8784 (366 days)"),
        (["failures", "--hours", "inf"], "{}", "--hours inf: give a number of hours above 0 and at most 8784"),
        (["failures", "--hours", "1e12"], "{}", "--hours 1e+12: give a number of hours above 0 and at most 8784"),
        (["run", "call-center", "--timeout", "nan"], "{}", "--timeout nan: give seconds above 0 and at most 86400"),
        (
            ["verify"],
            json.dumps({"workflows": {"s": {"stateMachineArn": MACHINE, "schedule": {"x": 1}}}}),
            "workflows.s.schedule has no name and group",
        ),
        (["failures", "--limit", "0"], "{}", "--limit 0: give at least 1"),
        (["history", EXECUTION, "--hours", "0"], "{}", "--hours 0: give a number of hours above 0 and at most 8784"),
        # A malformed ARN is named as such, not met later as "no AWS region".
        (
            ["failures"],
            '{"workflows": {"scheduled": {"stateMachineArn": "a"}}}',
            "the stack outputs' workflows.scheduled.stateMachineArn 'a' is not a state machine ARN "
            "(arn:aws:states:<region>:<account>:stateMachine:<name>); redeploy the stack, or fix the file",
        ),
        (
            ["run", "call-center", "--arn", "nonsense"],
            "{}",
            "ops: --arn 'nonsense' is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)",
        ),
        (
            ["verify"],
            json.dumps({"workflows": {"scheduled": {"stateMachineArn": MACHINE, "type": "express"}}}),
            "workflows.scheduled.type 'express' is not one of STANDARD, EXPRESS",
        ),
        (["run", "call-center", "--input", "[" * 100_000], "{}", "ops: --input: JSON nested too deeply"),
        (
            ["run", "call-center", "--input-file", "/nonexistent.json"],
            "{}",
            "ops: cannot read --input-file /nonexistent",
        ),
        (["run", "call-center", "--input-file", "{outputs}"], "not json", "ops: --input-file {outputs} is not JSON"),
    ],
)
def test_bad_outputs_files_and_arguments_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], content: str, message: str
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(content)
    argv = [str(outputs) if arg == "{outputs}" else arg for arg in argv]
    assert ops_main(["--outputs", str(outputs), *argv]) == 2
    err = capsys.readouterr().err
    assert message.replace("{outputs}", str(outputs)) in err
    assert err.count("\n") == 1


# --- Distributed Map child executions -----------------------------------------------------

DMAP_PARENT = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:dmap:parent"
DMAP_MACHINE = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:dmap"
MAP_RUN = f"arn:aws:states:us-east-1:{ACCOUNT}:mapRun:dmap/Each:7c1e7b0a-6b1e-4a0d-9a55-3f0f0e7d2c11"
T = datetime(2026, 1, 1, tzinfo=UTC)


def dmap_definition(execution_type: str) -> str:
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
                 "StartAt": "Double", "States": {"Double": {"Type": "Pass", "End": True}}}  # fmt: skip
    return json.dumps({"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemProcessor": processor, "End": True}}})


def event(number: int, kind: str, details_key: str | None = None, **details: Any) -> dict[str, Any]:
    shaped: dict[str, Any] = {"id": number, "previousEventId": number - 1, "type": kind,
                              "timestamp": T + timedelta(milliseconds=number)}  # fmt: skip
    if details_key:
        shaped[details_key] = details
    return shaped


PARENT_EVENTS = [
    event(1, "ExecutionStarted", "executionStartedEventDetails", input="[1, 2]", roleArn="r"),
    event(2, "MapStateEntered", "stateEnteredEventDetails", name="Each", input="[1, 2]"),
    event(3, "MapRunStarted", "mapRunStartedEventDetails", mapRunArn=MAP_RUN),
    event(4, "MapRunSucceeded"),
    event(5, "MapStateExited", "stateExitedEventDetails", name="Each", output="[2, 4]"),
    event(6, "ExecutionSucceeded", "executionSucceededEventDetails", output="[2, 4]"),
]


def child_arn(number: int) -> str:
    return f"arn:aws:states:us-east-1:{ACCOUNT}:execution:dmap/Each:child-{number}"


def child_events(number: int) -> list[dict[str, Any]]:
    return [
        event(1, "ExecutionStarted", "executionStartedEventDetails", input=str(number), roleArn="r"),
        event(2, "PassStateEntered", "stateEnteredEventDetails", name="Double", input=str(number)),
        event(3, "PassStateExited", "stateExitedEventDetails", name="Double", output=str(2 * number)),
        event(4, "ExecutionSucceeded", "executionSucceededEventDetails", output=str(2 * number)),
    ]


def listed_child(number: int, arn: str | None = None) -> dict[str, Any]:
    return {"executionArn": arn or child_arn(number), "stateMachineArn": DMAP_MACHINE, "name": f"child-{number}",
            "status": "SUCCEEDED", "startDate": T + timedelta(seconds=number),
            "stopDate": T + timedelta(seconds=number, milliseconds=4), "mapRunArn": MAP_RUN}  # fmt: skip


def stub_parent(stub: Stubber, execution_type: str = "STANDARD") -> None:
    described = {"executionArn": DMAP_PARENT, "stateMachineArn": DMAP_MACHINE, "status": "SUCCEEDED",
                 "startDate": T, "input": "[1, 2]", "output": "[2, 4]"}  # fmt: skip
    stub.add_response("describe_execution", described, {"executionArn": DMAP_PARENT})
    machine = {"stateMachineArn": DMAP_MACHINE, "name": "dmap", "definition": dmap_definition(execution_type),
               "roleArn": "arn:aws:iam::123456789012:role/r", "type": "STANDARD", "creationDate": T}  # fmt: skip
    stub.add_response("describe_state_machine", machine, {"stateMachineArn": DMAP_MACHINE})
    stub.add_response("get_execution_history", {"events": PARENT_EVENTS}, {"executionArn": DMAP_PARENT})


def test_a_distributed_maps_child_executions_nest_under_it_with_their_states() -> None:
    sfn, stub = stubbed_sfn()
    stub_parent(stub)
    # Listed newest first, as AWS lists them: shown by start time.
    stub.add_response("list_executions", {"executions": [listed_child(2), listed_child(1)]}, {"mapRunArn": MAP_RUN})
    for number in (1, 2):
        stub.add_response(
            "get_execution_history", {"events": child_events(number)}, {"executionArn": child_arn(number)}
        )
    with stub:
        shown = ops.render.execution(ops.executions.read(sfn, DMAP_PARENT)).splitlines()
    stub.assert_no_pending_responses()
    assert shown[2:] == [
        "  1. [ok] Each (Map)  3 ms",
        "         -> [2, 4]",
        f"         map run {MAP_RUN}",
        "         [ok] child-1  SUCCEEDED  4 ms",
        "           1. [ok] Double (Pass)  1 ms",
        "                  <- 1",
        "                  -> 2",
        "         [ok] child-2  SUCCEEDED  4 ms",
        "           1. [ok] Double (Pass)  1 ms",
        "                  <- 2",
        "                  -> 4",
        "  status  SUCCEEDED",
        "  output  [2, 4]",
    ]


def test_only_the_first_child_executions_are_read_and_the_rest_are_counted() -> None:
    sfn, stub = stubbed_sfn()
    stub_parent(stub)
    total = ops.execution_tree.MAX_CHILD_EXECUTIONS + 3
    newest_first = [listed_child(n) for n in range(total, 0, -1)]
    stub.add_response("list_executions", {"executions": newest_first[:5], "nextToken": "t"}, {"mapRunArn": MAP_RUN})
    stub.add_response("list_executions", {"executions": newest_first[5:]}, {"mapRunArn": MAP_RUN, "nextToken": "t"})
    for number in range(1, ops.execution_tree.MAX_CHILD_EXECUTIONS + 1):
        stub.add_response(
            "get_execution_history", {"events": child_events(number)}, {"executionArn": child_arn(number)}
        )
    with stub:
        shown = ops.render.execution(ops.executions.read(sfn, DMAP_PARENT))
    stub.assert_no_pending_responses()
    assert [f"child-{n}" for n in range(1, total + 1) if f"] child-{n} " in shown] == [
        f"child-{n}" for n in range(1, ops.execution_tree.MAX_CHILD_EXECUTIONS + 1)
    ]
    assert f"         ... and 3 more (list them with: aws stepfunctions list-executions --map-run-arn {MAP_RUN})" in (
        shown.splitlines()
    )


def test_an_express_map_runs_children_show_their_status_without_a_history_read() -> None:
    sfn, stub = stubbed_sfn()
    stub_parent(stub, "EXPRESS")
    stub.add_response("list_executions", {"executions": [listed_child(1)]}, {"mapRunArn": MAP_RUN})
    with stub:  # a get_execution_history for the child would find no stubbed response and fail
        shown = ops.render.execution(ops.executions.read(sfn, DMAP_PARENT)).splitlines()
    assert shown[5:7] == ["         [ok] child-1  SUCCEEDED  4 ms", f"           {ops.render.EXPRESS_CHILD_NOTE}"]
    assert ops.render.EXPRESS_CHILD_NOTE.startswith(
        "an Express child execution: its states are in the Map's CloudWatch"
    )


def test_children_that_cannot_be_read_are_one_line_and_the_view_goes_on() -> None:
    sfn, stub = stubbed_sfn()
    stub_parent(stub)
    stub.add_client_error(
        "list_executions", "AccessDeniedException", "not allowed", expected_params={"mapRunArn": MAP_RUN}
    )
    with stub:
        shown = ops.render.execution(ops.executions.read(sfn, DMAP_PARENT)).splitlines()
    assert shown[5:] == [
        "         child executions not read: access denied (not allowed); "
        f"`ops run` needs {ops.aws.PERMISSIONS['run']}",
        "  status  SUCCEEDED",
        "  output  [2, 4]",
    ]
    assert "states:ListExecutions" in ops.aws.PERMISSIONS["run"]
