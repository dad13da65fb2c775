"""The operations tool against the program deployed into moto, healthy and broken."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ops import executions, render
from ops.__main__ import main as ops_main
from ops.verify import Report, StackTargets, check_call_center, check_schedule
from rehearsal.moto_aws import InMemoryAws
from rehearsal.program import ProgramRun, run_program


@pytest.fixture
def stack() -> Iterator[tuple[InMemoryAws, ProgramRun]]:
    with InMemoryAws.running() as cloud:
        yield cloud, run_program(cloud.new_resource, cloud.call, stack="dev")


def targets(run: ProgramRun) -> StackTargets:
    return StackTargets(
        call_center_arn=run.outputs["callCenterStateMachineArn"],
        scheduled_arn=run.outputs["scheduledStateMachineArn"],
        schedule_name=run.outputs["scheduleName"],
        schedule_group=run.outputs["scheduleName"],
    )


def ticked(cloud: InMemoryAws, times: int = 2) -> None:
    sfn = cloud.client("stepfunctions")
    for _ in range(times):
        for arn in cloud.tick_schedules():
            executions.wait(sfn, arn)


def test_schedule_check_passes_after_ticks_with_the_schedules_input(stack: tuple[InMemoryAws, ProgramRun]) -> None:
    cloud, run = stack
    ticked(cloud)
    report = Report()
    check_schedule(cloud.client("stepfunctions"), cloud.client("scheduler"), targets(run), report)
    assert [(c.name, c.ok) for c in report.checks] == [("scheduled executions", True)]
    assert "2 recent execution(s)" in report.checks[0].detail


def test_schedule_check_fails_without_recent_executions(stack: tuple[InMemoryAws, ProgramRun]) -> None:
    cloud, run = stack
    report = Report()
    check_schedule(cloud.client("stepfunctions"), cloud.client("scheduler"), targets(run), report)
    assert not report.ok
    assert "no execution started since" in report.render()


def test_schedule_check_fails_when_the_schedule_input_changed(stack: tuple[InMemoryAws, ProgramRun]) -> None:
    cloud, run = stack
    ticked(cloud)
    scheduler = cloud.client("scheduler")
    schedule = scheduler.get_schedule(Name=run.outputs["scheduleName"], GroupName=run.outputs["scheduleName"])
    scheduler.update_schedule(
        Name=schedule["Name"],
        GroupName=schedule["GroupName"],
        ScheduleExpression=schedule["ScheduleExpression"],
        FlexibleTimeWindow=schedule["FlexibleTimeWindow"],
        State=schedule["State"],
        Target={**schedule["Target"], "Input": json.dumps({"Payload": "something else"})},
    )
    report = Report()
    check_schedule(cloud.client("stepfunctions"), scheduler, targets(run), report)
    assert not report.ok
    assert 'expected {"Payload": "something else", "taskresult": "World"}' in report.render()


def test_call_center_check_sees_both_outcomes(stack: tuple[InMemoryAws, ProgramRun]) -> None:
    cloud, run = stack
    report = Report()
    check_call_center(cloud.client("stepfunctions"), run.outputs["callCenterStateMachineArn"], report, max_runs=25)
    assert report.ok, report.render()


def test_call_center_check_reports_a_broken_function(stack: tuple[InMemoryAws, ProgramRun]) -> None:
    cloud, run = stack
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as bundle:
        bundle.writestr("handlers/__init__.py", "")
        bundle.writestr("handlers/call_center.py", "def open_case(event, context):\n    raise RuntimeError('down')\n")
    cloud.client("lambda").update_function_code(
        FunctionName=run.outputs["openCaseFunctionName"], ZipFile=broken.getvalue()
    )
    report = Report()
    check_call_center(cloud.client("stepfunctions"), run.outputs["callCenterStateMachineArn"], report)
    assert not report.ok
    text = report.render()
    assert "case verify-001 ended FAILED with error 'RuntimeError'" in text
    assert "(path: Open Case)" in text


def test_render_makes_the_failing_state_obvious(stack: tuple[InMemoryAws, ProgramRun]) -> None:
    cloud, run = stack
    failed = executions.run(cloud.client("stepfunctions"), run.outputs["callCenterStateMachineArn"], {})
    text = render.execution(failed)
    assert "1. [ x] Open Case (Task)" in text
    assert "error InvalidCaseInput: The event has no 'inputCaseID'; expected a non-empty string." in text
    assert "status  FAILED" in text


@pytest.fixture
def outputs(stack: tuple[InMemoryAws, ProgramRun], tmp_path: Path) -> Path:
    """The stack outputs saved as `pulumi stack output --json` would print them."""
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps(stack[1].outputs))
    return saved


def test_cli_verify_exit_status_follows_the_report(
    stack: tuple[InMemoryAws, ProgramRun], outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud, _ = stack
    assert ops_main(["--outputs", str(outputs), "verify", "--runs", "25"]) == 1  # no tick yet
    assert "FAIL  scheduled executions" in capsys.readouterr().out
    ticked(cloud, times=1)
    assert ops_main(["--outputs", str(outputs), "verify", "--runs", "25"]) == 0
    assert "verify: all checks passed" in capsys.readouterr().out


def test_cli_run_prints_the_path_and_fails_on_a_failed_execution(
    outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = ops_main(["--outputs", str(outputs), "run", "call-center", "--input", '{"inputCaseID": 7}'])
    assert code == 1
    assert "error InvalidCaseInput" in capsys.readouterr().out
    assert ops_main(["--outputs", str(outputs), "run", "scheduled", "--input", '{"Payload": "x"}']) == 0
    assert '"taskresult": "World"' in capsys.readouterr().out


def test_cli_history_lists_the_events(
    stack: tuple[InMemoryAws, ProgramRun], capsys: pytest.CaptureFixture[str]
) -> None:
    cloud, run = stack
    done = executions.run(cloud.client("stepfunctions"), run.outputs["scheduledStateMachineArn"], {"Payload": "p"})
    assert ops_main(["history", done.arn]) == 0
    printed = capsys.readouterr().out
    assert "ExecutionStarted" in printed
    assert "PassStateEntered" in printed
    assert "ExecutionSucceeded" in printed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--outputs", "/nonexistent.json", "verify"], "cannot read stack outputs from /nonexistent.json"),
        (["--outputs", "{file}", "run", "call-center", "--input", "{bad"], "--input is not JSON"),
        (["--outputs", "{file}", "verify"], "the stack outputs have no 'scheduleName'"),
    ],
)
def test_cli_usage_errors_exit_2_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"callCenterStateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:x"}))
    argv = [outputs.as_posix() if a == "{file}" else a for a in argv]
    assert ops_main(argv) == 2
    assert message in capsys.readouterr().err


def _unused(_: Any) -> None: ...


def test_render_shows_a_states_input_only_where_it_is_not_the_previous_output() -> None:
    run = executions.Execution(
        arn="arn:aws:states:us-east-1:1:execution:m:e1",
        status="SUCCEEDED",
        input={"a": 1},
        output={"c": 3},
        steps=[
            executions.Step("First", "Pass", input={"a": 1}, output={"b": 2}),
            executions.Step("Second", "Pass", input={"other": 0}, output={"c": 3}),
        ],
    )
    text = render.execution(run)
    assert '<- {"a": 1}' not in text
    assert '<- {"other": 0}' in text
    assert '-> {"b": 2}' in text


def test_render_shows_each_states_duration_and_marks_where_it_failed() -> None:
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    run = executions.Execution(
        arn="arn:aws:states:us-east-1:1:execution:m:e2",
        status="FAILED",
        input={"inputCaseID": "1"},
        error="MalformedCase",
        cause='{"errorMessage": "no Status"}',
        steps=[
            executions.Step("Open Case", "Task", output={"Case": "1"},
                            entered=t0, left=t0 + timedelta(milliseconds=42)),
            executions.Step("Close Case", "Task", error="MalformedCase", cause='{"errorMessage": "no Status"}',
                            entered=t0 + timedelta(milliseconds=50), left=t0 + timedelta(milliseconds=57)),
        ],
    )  # fmt: skip
    lines = render.execution(run).splitlines()
    assert "  1. [ok] Open Case (Task)  42 ms" in lines
    assert "  2. [ x] Close Case (Task)  7 ms   <-- failed here" in lines
    assert "         error MalformedCase: no Status" in lines
    assert "  error   MalformedCase: no Status" in lines
