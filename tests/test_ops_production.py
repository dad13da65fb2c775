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
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

import ops.aws
from ops.__main__ import main as ops_main
from ops.runs import ExpressRuns, StandardRuns, encoded_input
from ops.verify import Report, check_schedule, check_smoke_test
from rehearsal.moto_aws import InMemoryAws
from rehearsal.program import PROJECT_ROOT
from tests.support import CloudStack
from workflows.catalogue import CALL_CENTER, SCHEDULED

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
    entry = {"stateMachineArn": MACHINE, "type": "EXPRESS", "logGroup": group,
             "schedule": {"name": "s", "group": "g", "deadLetterQueueUrl": "u"}}  # fmt: skip
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


def test_an_input_over_256_kib_is_refused_before_any_call(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    big = json.dumps({"inputCaseID": "x" * (300 * 1024)})
    assert ops_main(["--outputs", str(tmp_path / "none.json"), "run", "call-center", "--input", big]) == 2
    size = len(json.dumps(json.loads(big)).encode())
    assert f"the execution input is {size:,} bytes; Step Functions takes at most 262,144" in capsys.readouterr().err
    assert len(encoded_input({"a": "é"}).encode()) == len('{"a": "é"}'.encode())


# --- failures and redrive -------------------------------------------------------------------


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


def test_redrive_refuses_express_executions_without_calling_aws(capsys: pytest.CaptureFixture[str]) -> None:
    assert ops_main(["redrive", express_arn("e2")]) == 2
    assert "Express executions cannot be redriven; start a new one with `ops run`" in capsys.readouterr().err


def test_redrive_redrives_a_failed_execution_and_follows_it(
    stubbed: Stubber, capsys: pytest.CaptureFixture[str]
) -> None:
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
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert finished.returncode == 2
    assert finished.stderr == (
        "ops history: no AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE\n"
    )


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
        (["failures", "--hours", "-5"], "{}", "--hours -5: give a number of hours above 0 and at most 8784 (a year)"),
        (["failures", "--hours", "inf"], "{}", "--hours inf: give a number of hours above 0 and at most 8784"),
        (["failures", "--hours", "1e12"], "{}", "--hours 1e+12: give a number of hours above 0 and at most 8784"),
        (["run", "call-center", "--timeout", "nan"], "{}", "--timeout nan: give seconds above 0 and at most 86400"),
        (
            ["verify"],
            '{"workflows": {"s": {"stateMachineArn": "a", "schedule": {"x": 1}}}}',
            "workflows.s.schedule has no name and group",
        ),
        (["failures", "--limit", "0"], "{}", "--limit 0: give at least 1"),
    ],
)
def test_bad_outputs_files_and_arguments_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], content: str, message: str
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(content)
    assert ops_main(["--outputs", str(outputs), *argv]) == 2
    assert message in capsys.readouterr().err
