"""The operations tool against the program deployed into moto, healthy and broken.

Tests share one deployment (`shared_cloud`); a test that breaks something
(a function's code, the schedule) restores it before it ends.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from ops import execution_tree, executions, render
from ops import verify as verify_module
from ops.__main__ import main as ops_main
from ops.runs import StandardRuns, Summary
from ops.verify import Report, check_schedule, check_smoke_test, fill, verify
from serverless_workflows.lambda_package import archive_zip, handler_archive
from tests.support import NIGHTLY_REPORT, TUTORIALS, CloudStack, seed_for
from workflows.catalogue import CALL_CENTER, CATALOGUE, SCHEDULED
from workflows.outputs import minimal_entry, read_entry, read_workflows
from workflows.spec import Outcome, WorkflowSpec


def ticked(stack: CloudStack, workflow: str = SCHEDULED.name) -> None:
    """One tick of one workflow's schedule, its executions waited for. One workflow only: the
    example's schedule starts a run that waits a second."""
    sfn = stack.client("stepfunctions")
    for arn in stack.tick(workflow):
        executions.wait(sfn, arn)


def runs(stack: CloudStack, workflow: str) -> StandardRuns:
    return StandardRuns(stack.client("stepfunctions"), stack.workflow(workflow)["stateMachineArn"])


def schedule_report(stack: CloudStack, spec: WorkflowSpec = SCHEDULED, now: datetime | None = None) -> Report:
    report = Report()
    check_schedule(runs(stack, spec.name), stack.client("scheduler"), spec, stack.deployed(spec.name), report, now=now)
    return report


@contextmanager
def schedule_changed(stack: CloudStack, **changes: Any) -> Iterator[None]:
    scheduler = stack.client("scheduler")
    planned = stack.workflow("scheduled")["schedule"]
    schedule = scheduler.get_schedule(Name=planned["name"], GroupName=planned["group"])
    keep = {
        k: schedule[k] for k in ("Name", "GroupName", "ScheduleExpression", "FlexibleTimeWindow", "State", "Target")
    }
    scheduler.update_schedule(**{**keep, **changes})
    try:
        yield
    finally:
        scheduler.update_schedule(**keep)


def test_schedule_check_passes_after_a_tick_with_the_schedules_input(shared_cloud: CloudStack) -> None:
    ticked(shared_cloud)
    report = schedule_report(shared_cloud)
    assert [(c.name, c.ok) for c in report.checks] == [
        ("scheduled schedule", True),
        ("scheduled scheduled executions", True),
    ]
    assert "recent execution(s) checked, each output {'Payload': 'This is a test.', 'taskresult': 'World'}" in (
        report.checks[1].detail
    )


def test_executions_older_than_the_window_are_not_recent(shared_cloud: CloudStack) -> None:
    ticked(shared_cloud)
    later = datetime.now(UTC) + timedelta(minutes=10)
    report = schedule_report(shared_cloud, now=later)
    assert not report.ok
    assert f"no execution started since {later - timedelta(minutes=5):%H:%M:%S} UTC" in report.render()


def test_schedule_check_fails_when_the_schedule_input_changed(shared_cloud: CloudStack) -> None:
    ticked(shared_cloud)
    target = shared_cloud.client("scheduler").get_schedule(
        Name=shared_cloud.workflow("scheduled")["schedule"]["name"],
        GroupName=shared_cloud.workflow("scheduled")["schedule"]["group"],
    )["Target"]
    with schedule_changed(shared_cloud, Target={**target, "Input": json.dumps({"Payload": "something else"})}):
        report = schedule_report(shared_cloud)
    assert not report.ok
    assert 'expected {"Payload": "something else", "taskresult": "World"}' in report.render()


def test_schedule_check_fails_on_a_disabled_schedule(shared_cloud: CloudStack) -> None:
    ticked(shared_cloud)
    with schedule_changed(shared_cloud, State="DISABLED"):
        report = schedule_report(shared_cloud)
    assert [(c.name, c.ok, c.detail) for c in report.checks] == [
        ("scheduled schedule", False, "the schedule is DISABLED; it starts nothing")
    ]


def test_a_cron_schedule_that_has_not_fired_yet_is_not_a_failure_but_says_so(shared_cloud: CloudStack) -> None:
    report = schedule_report(shared_cloud, NIGHTLY_REPORT)
    names = [(c.name, c.ok) for c in report.checks]
    example = NIGHTLY_REPORT.name
    assert names == [(f"{example} schedule", True), (f"{example} scheduled executions", True)]
    assert "cron(0 2 * * ? *)" in report.checks[0].detail


def test_smoke_test_of_the_call_center_sees_both_outcomes(shared_cloud: CloudStack) -> None:
    report = Report()
    check_smoke_test(runs(shared_cloud, "call-center"), CALL_CENTER, report, max_runs=25)
    assert report.ok, report.render()
    assert report.checks[0].detail.startswith("resolved and escalated all seen in ")


def test_smoke_test_reports_a_broken_function(shared_cloud: CloudStack) -> None:
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as bundle:
        bundle.writestr("handlers/__init__.py", "")
        bundle.writestr("handlers/call_center.py", "def open_case(event, context):\n    raise RuntimeError('down')\n")
    lambda_client = shared_cloud.client("lambda")
    function = shared_cloud.workflow("call-center")["functions"]["open-case"]["functionName"]
    lambda_client.update_function_code(FunctionName=function, ZipFile=broken.getvalue())
    try:
        report = Report()
        check_smoke_test(runs(shared_cloud, "call-center"), CALL_CENTER, report)
    finally:
        original = archive_zip(handler_archive("handlers.call_center.open_case"))
        lambda_client.update_function_code(FunctionName=function, ZipFile=original)
    assert not report.ok
    text = report.render()
    assert "FAIL  call-center run: run 001 ended FAILED with error 'RuntimeError'" in text
    assert "expected one of resolved, escalated (path: Open Case)" in text


def execution(status: str, *, output: Any = None, error: str | None = None, cause: str | None = None,
              steps: list[execution_tree.Step] | None = None) -> execution_tree.Execution:  # fmt: skip
    return execution_tree.Execution(
        "arn:aws:states:us-east-1:1:execution:m:e", status, {}, output, error, cause, steps or []
    )


def test_an_outcome_matches_only_its_status_cause_and_state_outputs() -> None:
    assert CALL_CENTER.smoke_test is not None
    resolved, escalated = CALL_CENTER.smoke_test.outcomes
    message = "Case verify-007: opened...assigned...unresolved...escalating."
    escalation = [
        execution_tree.Step("Escalate Case", "Task", output={"Case": "verify-007", "Status": 0, "Message": message})
    ]
    assert verify_module._matches(
        escalated, execution("FAILED", cause="Engage Tier 2 Support.", steps=escalation), "007"
    )
    # Any other cause, or another run's case, is not the escalation path.
    assert not verify_module._matches(escalated, execution("FAILED", cause="Something else.", steps=escalation), "007")
    another_case = execution("FAILED", cause="Engage Tier 2 Support.", steps=escalation)
    assert not verify_module._matches(escalated, another_case, "008")
    assert not verify_module._matches(resolved, execution("FAILED", cause="Engage Tier 2 Support."), "007")


def test_fill_puts_the_run_number_into_every_string() -> None:
    assert fill({"a": ["x-{run}", 1, {"b": "{run}"}]}, "004") == {"a": ["x-004", 1, {"b": "004"}]}


def test_a_report_that_checked_nothing_does_not_pass(shared_cloud: CloudStack) -> None:
    assert not Report().ok
    quiet = dataclasses.replace(CALL_CENTER, smoke_test=None)
    report = verify(
        (quiet,),
        read_workflows(shared_cloud.outputs),
        scheduler=shared_cloud.client("scheduler"),
        runs_of=lambda entry: StandardRuns(shared_cloud.client("stepfunctions"), entry.state_machine_arn),
    )
    assert not report.ok
    assert "verify: nothing was checked" in report.render()


def test_a_workflow_nothing_checks_is_shown_as_skipped_and_is_not_a_check() -> None:
    quiet = dataclasses.replace(CALL_CENTER, smoke_test=None)
    machine = "arn:aws:states:us-east-1:1:stateMachine:m"
    unused = StandardRuns(None, machine)  # nothing is read: nothing checks it
    report = verify((quiet,), {"call-center": minimal_entry(machine)}, scheduler=None, runs_of=lambda entry: unused)
    assert not report.ok  # skipping is not checking
    report.add("scheduled schedule", True, "ENABLED")
    assert report.ok
    rendered = report.render().splitlines()
    assert rendered[1].startswith("SKIP  call-center: no schedule and no smoke test in its catalogue entry")
    assert rendered[-1] == "verify: all checks passed; 1 workflow(s) not checked"


def test_a_scheduled_workflow_deployed_without_its_schedule_fails_verify() -> None:
    machine = "arn:aws:states:us-east-1:1:stateMachine:m"
    unused = StandardRuns(None, machine)
    report = verify((SCHEDULED,), {"scheduled": minimal_entry(machine)}, scheduler=None, runs_of=lambda entry: unused)
    assert [(c.name, c.ok) for c in report.checks] == [("scheduled schedule", False)]
    assert "the catalogue gives it a schedule, but the stack outputs name none" in report.render()
    assert not report.unchecked


def test_verify_stops_reading_executions_at_the_first_old_one() -> None:
    sfn = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:m"

    def summary(name: str, minutes_ago: int) -> dict[str, Any]:
        return {"executionArn": f"{arn.replace('stateMachine', 'execution')}:{name}", "stateMachineArn": arn,
                "name": name, "status": "SUCCEEDED", "startDate": now - timedelta(minutes=minutes_ago)}  # fmt: skip

    with Stubber(sfn) as stub:
        # Newest first, as the API lists them; a second page must never be asked for.
        stub.add_response(
            "list_executions",
            {"executions": [summary("new", 1), summary("newer-than-window", 4), summary("old", 9)], "nextToken": "p2"},
            {"stateMachineArn": arn},
        )
        found = [e.name for e in StandardRuns(sfn, arn).recent(now - timedelta(minutes=5))]
        stub.assert_no_pending_responses()
    assert found == ["new", "newer-than-window"]


@pytest.mark.parametrize(
    ("expression", "listings", "detail"),
    [
        # A rate schedule with no recent run failed, whenever it last ran: nothing more is read.
        ("rate(1 minute)", 1, "no execution started since 11:55:00 UTC"),
        # A cron schedule's report names its last run: the newest one, and no page after it.
        ("cron(0 2 * * ? *)", 2, "the last run started 2026-11-20 11:50 UTC; cron(0 2 * * ? *) should have fired"),
    ],
)
def test_verify_reads_no_page_it_does_not_need_when_no_run_is_recent(
    expression: str, listings: int, detail: str
) -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
    sfn = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    scheduler = boto3.client("scheduler", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    target = {"Arn": machine, "RoleArn": "arn:aws:iam::123456789012:role/r", "Input": "{}"}
    old = {"executionArn": f"{machine.replace('stateMachine', 'execution')}:old", "stateMachineArn": machine,
           "name": "old", "status": "SUCCEEDED", "startDate": now - timedelta(days=2, minutes=10)}  # fmt: skip
    with Stubber(sfn) as listing, Stubber(scheduler) as schedules:
        schedules.add_response("get_schedule", {"Name": "s", "GroupName": "g", "State": "ENABLED", "Target": target,
                                                "ScheduleExpression": expression,
                                                "FlexibleTimeWindow": {"Mode": "OFF"}})  # fmt: skip
        # A year of per-minute runs is 500,000 executions, a thousand pages: each read gets page 1 only.
        for _ in range(listings):
            listing.add_response(
                "list_executions", {"executions": [old], "nextToken": "page-2"}, {"stateMachineArn": machine}
            )
        report = Report()
        entry = read_entry("scheduled", {"stateMachineArn": machine, "schedule": {"name": "s", "group": "g"}})
        check_schedule(StandardRuns(sfn, machine), scheduler, SCHEDULED, entry, report, now=now)
        listing.assert_no_pending_responses()
    assert (report.checks[1].ok, report.checks[1].detail[: len(detail)]) == (False, detail)


def test_a_one_time_schedule_reads_only_its_latest_run() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    listed: list[str] = []

    class Listing:
        """Runs newest first, read lazily as a paginated listing is: records what was taken."""

        def recent(self, since: datetime) -> Iterator[Summary]:
            for n in range(1, 1000):
                listed.append(f"tick-{n}")
                yield Summary(f"arn:aws:states:us-east-1:1:execution:m:tick-{n}", f"tick-{n}", "SUCCEEDED",
                              now - timedelta(hours=n))  # fmt: skip

        def read(self, execution_arn: str, since: datetime | None = None) -> execution_tree.Execution:
            return execution("SUCCEEDED", output={"Payload": "This is a test.", "taskresult": "World"})

    scheduler = boto3.client("scheduler", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
    target = {"Arn": machine, "RoleArn": "arn:aws:iam::123456789012:role/r",
              "Input": json.dumps({"Payload": "This is a test."})}  # fmt: skip
    with Stubber(scheduler) as schedules:
        schedules.add_response("get_schedule", {"Name": "s", "GroupName": "g", "State": "ENABLED", "Target": target,
                                                "ScheduleExpression": "at(2026-11-22T11:00:00)",
                                                "FlexibleTimeWindow": {"Mode": "OFF"}})  # fmt: skip
        report = Report()
        entry = read_entry("scheduled", {"stateMachineArn": machine, "schedule": {"name": "s", "group": "g"}})
        check_schedule(Listing(), scheduler, SCHEDULED, entry, report, now=now)  # type: ignore[arg-type]
    assert report.ok, report.render()
    assert report.checks[1].detail.startswith("1 latest execution checked")
    assert listed == ["tick-1"]


# --- the command line -------------------------------------------------------------------


@pytest.fixture
def outputs(shared_cloud: CloudStack, tmp_path: Path) -> Path:
    """The stack outputs saved as `pulumi stack output --json` would print them."""
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps(shared_cloud.outputs))
    return saved


def test_cli_verify_exit_status_follows_the_report(
    shared_cloud: CloudStack,
    outputs: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ops.__main__ as ops_cli

    # The tutorials alone: a team's workflow may have a schedule this test does not tick.
    monkeypatch.setattr(ops_cli, "CATALOGUE", TUTORIALS)
    ticked(shared_cloud)
    assert ops_main(["--outputs", str(outputs), "verify", "--runs", "25"]) == 0, capsys.readouterr().out
    printed = capsys.readouterr().out
    assert "verify: all checks passed" in printed
    assert "PASS  call-center outcomes" in printed
    # The call center's outputs pointing at the Hello World machine: its runs match no outcome.
    broken = json.loads(outputs.read_text())
    broken["workflows"]["call-center"]["stateMachineArn"] = broken["workflows"]["scheduled"]["stateMachineArn"]
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(broken))
    assert ops_main(["--outputs", str(wrong), "verify"]) == 1
    assert "FAIL  call-center run: run 001 ended SUCCEEDED" in capsys.readouterr().out


def test_cli_run_uses_the_catalogue_names_and_sample_inputs(outputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = ops_main(["--outputs", str(outputs), "run", "call-center", "--input", '{"inputCaseID": 7}'])
    assert code == 1
    assert "error InvalidCaseInput" in capsys.readouterr().out
    assert ops_main(["--outputs", str(outputs), "run", "scheduled"]) == 0
    assert '"Payload": "This is a test.", "taskresult": "World"' in capsys.readouterr().out


def test_cli_history_lists_the_events(shared_cloud: CloudStack, capsys: pytest.CaptureFixture[str]) -> None:
    arn = shared_cloud.workflow("scheduled")["stateMachineArn"]
    done = executions.run(shared_cloud.client("stepfunctions"), arn, SCHEDULED.default_input())
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
        (["--outputs", "{file}", "run", "call-center", "--input", "NaN"], "--input: the execution input is not JSON"),
        (["--outputs", "{file}", "run", "call-center", "--input", "1e999"], "--input: the execution input is not JSON"),
        (
            ["--outputs", "{file}", "run", "call-center", "--input", '"\\ud800"'],
            "--input: the execution input holds a lone UTF-16 surrogate",
        ),
        (
            ["--outputs", "{file}", "verify"],
            "the stack outputs have no 'workflows'; is this version of the program deployed?",
        ),
        (["--outputs", "{latin1}", "verify"], "cannot read stack outputs from "),
        (["--outputs", "{deep}", "verify"], "JSON nested too deeply"),
        (["--outputs", "{file}", "verify", "--runs", "0"], "--runs 0: give at least 1"),
        (
            ["--stack", "staging", "cost"],
            "There is no stack 'staging' here (no Pulumi.staging.yaml); stacks: dev, prod",
        ),
    ],
)
def test_cli_usage_errors_exit_2_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"callCenterStateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:x"}))
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(b'{"caf\xe9": 1}')
    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' * 100_000 + "1" + "}" * 100_000)
    files = {"{file}": outputs, "{latin1}": latin1, "{deep}": deep}
    argv = [files[a].as_posix() if a in files else a for a in argv]
    assert ops_main(argv) == 2
    assert message in capsys.readouterr().err


def test_the_command_line_offers_every_catalogue_workflow() -> None:
    from ops.__main__ import workflows

    assert list(workflows()) == [spec.name for spec in CATALOGUE]


def test_render_shows_a_states_input_only_where_it_is_not_the_previous_output() -> None:
    run = execution_tree.Execution(
        arn="arn:aws:states:us-east-1:1:execution:m:e1",
        status="SUCCEEDED",
        input={"a": 1},
        output={"c": 3},
        steps=[
            execution_tree.Step("First", "Pass", input={"a": 1}, output={"b": 2}),
            execution_tree.Step("Second", "Pass", input={"other": 0}, output={"c": 3}),
        ],
    )
    text = render.execution(run)
    assert '<- {"a": 1}' not in text
    assert '<- {"other": 0}' in text
    assert '-> {"b": 2}' in text


def test_render_shows_each_states_duration_and_marks_where_it_failed() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    run = execution_tree.Execution(
        arn="arn:aws:states:us-east-1:1:execution:m:e2",
        status="FAILED",
        input={"inputCaseID": "1"},
        error="MalformedCase",
        cause='{"errorMessage": "no Status"}',
        steps=[
            execution_tree.Step("Open Case", "Task", output={"Case": "1"},
                            entered=t0, left=t0 + timedelta(milliseconds=42)),
            execution_tree.Step("Close Case", "Task", error="MalformedCase", cause='{"errorMessage": "no Status"}',
                            entered=t0 + timedelta(milliseconds=50), left=t0 + timedelta(milliseconds=57)),
        ],
    )  # fmt: skip
    lines = render.execution(run).splitlines()
    assert "  1. [ok] Open Case (Task)  42 ms" in lines
    assert "  2. [ x] Close Case (Task)  7 ms   <-- failed here" in lines
    assert "         error MalformedCase: no Status" in lines
    assert "  error   MalformedCase: no Status" in lines


def test_the_fail_state_of_the_escalation_path_is_shown_failed_with_its_cause(
    shared_cloud: CloudStack, seeded: Callable[[int | None], None]
) -> None:
    seeded(seed_for(0))
    escalated = executions.run(
        shared_cloud.client("stepfunctions"),
        shared_cloud.workflow("call-center")["stateMachineArn"],
        {"inputCaseID": "9"},
    )
    lines = render.execution(escalated).splitlines()
    assert "  6. [ x] Fail (Fail)  0 ms   <-- failed here" in [re.sub(r"  \d+ ms", "  0 ms", line) for line in lines]
    assert "         cause Engage Tier 2 Support." in lines
    assert "  status  FAILED" in lines


def test_a_schedule_disabled_by_the_stacks_config_is_not_a_failure(shared_cloud: CloudStack) -> None:
    written = {**shared_cloud.workflow("scheduled")}
    written["schedule"] = {**written["schedule"], "enabled": False}
    entry = read_entry("scheduled", written)
    with schedule_changed(shared_cloud, State="DISABLED"):
        report = Report()
        check_schedule(runs(shared_cloud, "scheduled"), shared_cloud.client("scheduler"), SCHEDULED, entry, report)
    assert [(c.name, c.ok, c.detail) for c in report.checks] == [
        ("scheduled schedule", True, "DISABLED, as this stack configures it; its runs are not checked")
    ]


def test_runs_started_by_ops_are_not_taken_for_the_schedules(shared_cloud: CloudStack) -> None:
    ticked(shared_cloud)
    # A manual run with another input: its output differs, and it is not the schedule's doing.
    runs(shared_cloud, "scheduled").start({"Payload": "by hand"})
    report = schedule_report(shared_cloud)
    assert report.ok, report.render()


def test_a_cron_schedule_whose_last_run_is_older_than_two_intervals_fails(shared_cloud: CloudStack) -> None:
    ticked(shared_cloud, NIGHTLY_REPORT.name)
    report = schedule_report(shared_cloud, NIGHTLY_REPORT, now=datetime.now(UTC) + timedelta(days=3))
    assert not report.ok
    assert "cron(0 2 * * ? *) should have fired since" in report.render()
    assert schedule_report(shared_cloud, NIGHTLY_REPORT).ok


def reaching(outcome: Outcome, run: str) -> execution_tree.Execution:
    """An execution of run number `run` that ends as `outcome` says."""
    steps = [
        execution_tree.Step(state, "Task", output=fill(output, run)) for state, output in outcome.state_outputs.items()
    ]
    return execution(
        outcome.status, output=fill(outcome.output, run), error=outcome.error, cause=outcome.cause, steps=steps
    )


class Scripted:
    """Runs that end, one after another, as the outcomes named in `script` (by name) say."""

    def __init__(self, spec: WorkflowSpec, *script: str) -> None:
        assert spec.smoke_test is not None
        self.outcomes = {outcome.name: outcome for outcome in spec.smoke_test.outcomes}
        self.script = iter(script)
        self.started = 0

    def start(self, payload: Any, *, timeout_seconds: float = 60) -> execution_tree.Execution:
        self.started += 1
        return reaching(self.outcomes[next(self.script)], f"{self.started:03d}")


def test_the_smoke_test_passes_only_once_every_outcome_was_seen() -> None:
    report = Report()
    runs = Scripted(CALL_CENTER, "resolved", "resolved", "escalated", "resolved")
    check_smoke_test(runs, CALL_CENTER, report, max_runs=4)  # type: ignore[arg-type]
    (check,) = report.checks
    assert runs.started == 3, f"verify stopped after run {runs.started}, before escalated was seen: {check.detail}"
    assert (check.ok, check.detail) == (True, "resolved and escalated all seen in 3 run(s)")


def test_a_smoke_test_that_never_sees_an_outcome_fails_naming_it() -> None:
    report = Report()
    check_smoke_test(Scripted(CALL_CENTER, *["resolved"] * 4), CALL_CENTER, report, max_runs=4)  # type: ignore[arg-type]
    assert [(check.ok, check.detail) for check in report.checks] == [
        (False, "escalated not seen in 4 run(s); expected every one of resolved, escalated")
    ], "the smoke test passed with the escalated outcome never seen"


def test_a_smoke_test_run_that_does_not_end_is_a_failed_check_not_a_crash() -> None:
    class Stuck:
        def start(self, payload: Any, *, timeout_seconds: float = 60) -> execution_tree.Execution:
            raise TimeoutError("arn:aws:states:us-east-1:1:execution:m:run-1 still RUNNING after 60 s")

    report = Report()
    check_smoke_test(Stuck(), CALL_CENTER, report)  # type: ignore[arg-type]
    assert [(c.name, c.ok) for c in report.checks] == [("call-center run", False)]
    assert "run 001 did not end in time" in report.checks[0].detail


def test_every_command_names_a_catalogue_entry_the_program_would_refuse(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ops.__main__ as ops_cli

    broken = dataclasses.replace(CALL_CENTER, functions=("open-case",))  # type: ignore[arg-type]  # the mistake under test
    for catalogue, named in [
        ((SCHEDULED, broken), "workflow 'call-center': functions[0] must be FunctionSpec; got 'open-case' (str)"),
        ((SCHEDULED, "call-center"), "'call-center'"),  # not an entry at all: the command line lists names
    ]:
        monkeypatch.setattr(ops_cli, "CATALOGUE", catalogue)
        for argv in (["--outputs", "missing.json", "run", "scheduled"], ["cost"]):
            assert ops_main(argv) == 2
            err = capsys.readouterr().err
            assert named in err
            assert "Traceback" not in err


def test_a_failing_pulumi_cli_is_reported_with_the_stacks_that_have_a_file_here(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    def fails(command: list[str], **_: Any) -> None:
        raise subprocess.CalledProcessError(255, command, stderr="error: no stack named 'prdo' found\n")

    monkeypatch.setattr(subprocess, "run", fails)
    assert ops_main(["--stack", "prdo", "verify"]) == 2
    assert capsys.readouterr().err == (
        "ops: pulumi stack output --stack prdo failed (stacks with a file here: dev, prod): "
        "error: no stack named 'prdo' found\n"
    )
    assert ops_main(["--stack", "dev", "verify"]) == 2
    assert "failed: error: no stack named" in capsys.readouterr().err  # a stack with a file: no hint
