"""make demo: deploy the program into an in-memory AWS and watch every workflow work.

No AWS account, no Pulumi CLI, no Docker: the same __main__.py runs under
Pulumi mocks whose resources are created in moto, scheduler ticks are
simulated, and the operations tool's `run` and `verify` check the result.
Every workflow of the catalogue takes part: each schedule ticks twice, each
workflow runs with its sample input (and the input it refuses, if it names
one), and `verify` checks them all. Executions run in virtual time: a Wait
or a retry's backoff takes no real time (rehearsal/virtual_time.py).
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from ops import executions, render
from ops.execution_tree import Execution
from ops.runs import Runs, StandardRuns
from ops.verify import Report, verify
from rehearsal import moto_patches
from rehearsal.moto_aws import InMemoryAws, RehearsalError
from rehearsal.run import REAL_TIME_LIMIT_SECONDS, still_running
from rehearsal.runnable import not_rehearsable, offline_test_case
from serverless_workflows.asl.execution_input import encoded_input
from settings import StackSettings
from stack_files import ConfigError
from workflows.catalogue import CATALOGUE
from workflows.outputs import ALARM_TOPIC_OUTPUT, DASHBOARD_OUTPUT, WorkflowOutput, read_workflows
from workflows.spec import WorkflowSpec, check_catalogue

__all__ = ["exercise", "main", "not_rehearsable", "rehearse", "verdict"]


@contextmanager
def offline_mocks(
    runnable: tuple[WorkflowSpec, ...], deployed: Mapping[str, WorkflowOutput[str]]
) -> Iterator[dict[str, str]]:
    """Every execution of a workflow whose entry names `offline_mocks` runs with them meanwhile;
    yields workflow -> what the verdict says of its mocked states."""
    mocked: dict[str, str] = {}
    with ExitStack() as stack:
        for spec in runnable:
            case = offline_test_case(spec, deployed[spec.name].state_machine_name)
            if case is not None:
                stack.enter_context(moto_patches.mocking(deployed[spec.name].state_machine_arn, case))
                states = ", ".join(repr(state) for state in case.states)
                mocked[spec.name] = f"its states {states} ran on mocked responses ({case.name})"
        yield mocked


def wait_or_report(sfn: Any, execution_arn: str) -> Execution | None:
    """The execution once ended, or None after one line saying where one that does not end is."""
    try:
        executions.wait(sfn, execution_arn, timeout_seconds=REAL_TIME_LIMIT_SECONDS)
    except TimeoutError:
        print(f"   {still_running(sfn, execution_arn, REAL_TIME_LIMIT_SECONDS)}")
        return None
    return executions.read(sfn, execution_arn)


def run_or_report(sfn: Any, state_machine_arn: str, payload: Any) -> Execution | None:
    """What `ops run` does (its execution names, too), with `wait_or_report`."""
    name = f"{executions.RUN_PREFIX}{uuid.uuid4()}"
    started = sfn.start_execution(stateMachineArn=state_machine_arn, name=name, input=encoded_input(payload))
    return wait_or_report(sfn, started["executionArn"])


def verdict(report: Report, not_run: Mapping[str, str], sample_runs: Mapping[str, str] | None = None) -> str:
    """The last line of the demo: what was shown to work, and what was not tried. `sample_runs`
    (workflow -> status of its run with the sample input) tells on a workflow nothing checks."""

    def unchecked(name: str) -> str:
        status = (sample_runs or {}).get(name)
        ran = f"; its sample run ended {status}" if status not in (None, "SUCCEEDED") else ""
        return f"nothing checks it{ran}"

    if not report.ok:
        return "Verdict: something is broken (see FAIL above)."
    unverified = dict(not_run)
    for check in report.unchecked:
        # A workflow both run on mocked responses and checked by nothing: both are said.
        unverified[check.name] = "; ".join(filter(None, (unverified.get(check.name), unchecked(check.name))))
    if not unverified:
        return "Verdict: every workflow works."
    listed = "; ".join(f"{name} ({reason})" for name, reason in unverified.items())
    return f"Verdict: every workflow checked works; not verified here: {listed}."


def rehearse(cloud: InMemoryAws, stack: str, catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> bool:
    """Deploy `catalogue` as `stack` into `cloud`, exercise it, print what happens; True if all works."""
    print(f"== Deploying stack {stack!r} into an in-memory AWS (moto)")
    program = cloud.deploy(stack=stack, catalogue=catalogue)
    # As `pulumi up` shows them: one line each (an advisory project rule, or an ASL warning).
    for warning in program.warnings:
        print(f"make demo: warning: {warning}", file=sys.stderr)
    for resource_type, count in sorted(Counter(t for t, _ in cloud.created).items()):
        print(f"   {count:>2} x {resource_type}")
    show_monitoring(cloud, stack, program.outputs)
    return exercise(cloud, stack, catalogue, read_workflows(program.outputs))


def show_monitoring(cloud: InMemoryAws, stack: str, outputs: Mapping[str, Any]) -> None:
    """The alarms the stack created in `cloud`, the topic they notify, and what its dashboard charts."""
    cloudwatch = cloud.client("cloudwatch")
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"serverless-workflows-{stack}-")
    alarms = [alarm for page in pages for alarm in page["MetricAlarms"]]
    if not alarms:
        return
    print(f"\n== {len(alarms)} alarms notify {outputs.get(ALARM_TOPIC_OUTPUT)}:")
    for alarm in sorted(alarms, key=lambda alarm: alarm["AlarmName"]):
        print(f"   {alarm['AlarmName']}  ({alarm['Namespace']} {alarm['MetricName']})")
    # The stack's dashboard pages, as the in-memory AWS holds them: none when dashboardEnabled is
    # false; past 500 widgets, more than one, the first being the one the output points at.
    listed = cloudwatch.list_dashboards(DashboardNamePrefix=f"serverless-workflows-{stack}-")["DashboardEntries"]
    names = sorted((entry["DashboardName"] for entry in listed), key=lambda name: (len(name), name))
    if not names:
        print("   no dashboard (dashboardEnabled is false)")
    for number, name in enumerate(names, start=1):
        shown = outputs.get(DASHBOARD_OUTPUT) if number == 1 else name
        print(f"   dashboard: {shown}" if number == 1 else f"   dashboard page {number}: {shown}")
        body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
        titles = [widget["properties"]["title"] for widget in body["widgets"] if "title" in widget["properties"]]
        print(f"   it charts: {'; '.join(titles)}")


def exercise(
    cloud: InMemoryAws, stack: str, catalogue: tuple[WorkflowSpec, ...], deployed: Mapping[str, WorkflowOutput[str]]
) -> bool:
    """Tick every schedule twice, run every workflow, verify them all; True if all works. A workflow
    calling what the in-memory AWS does not run is deployed but not run, unless its entry's
    `offline_mocks` answer those calls."""
    not_run = not_rehearsable(catalogue)
    for name, reason in not_run.items():
        print(f"\n== {name} is deployed but not run or verified: {reason}")
    runnable = tuple(spec for spec in catalogue if spec.name not in not_run)
    with offline_mocks(runnable, deployed) as mocked:
        report, sample_runs = _exercise(cloud, runnable, deployed)
    print(f"\n{verdict(report, {**not_run, **mocked}, sample_runs)}")
    return report.ok


def _exercise(
    cloud: InMemoryAws, runnable: tuple[WorkflowSpec, ...], deployed: Mapping[str, WorkflowOutput[str]]
) -> tuple[Report, dict[str, str]]:
    sfn, scheduler = cloud.client("stepfunctions"), cloud.client("scheduler")
    sample_runs: dict[str, str] = {}

    schedules = {spec.name: schedule for spec in runnable if (schedule := deployed[spec.name].schedule) is not None}
    if schedules:
        print(f"\n== Two scheduler ticks of {', '.join(schedules)} (each schedule's own role and input)")
        groups = [schedule.group for schedule in schedules.values()]
        # Both ticks start before any run is waited for, so runs that wait overlap as they would.
        started = [arn for _ in range(2) for arn in cloud.tick_schedules(groups=groups)]
        for arn in started:
            ended = wait_or_report(sfn, arn)
            if ended is not None:
                print(render.execution(ended))

    for spec in runnable:
        arn = deployed[spec.name].state_machine_arn
        if spec.schedule is None or spec.sample_input is not None:
            sample = spec.default_input()
            print(f"\n== python -m ops run {spec.name} --input '{json.dumps(sample)}'")
            ran = run_or_report(sfn, arn, sample)
            sample_runs[spec.name] = ran.status if ran is not None else "RUNNING"
            if ran is not None:
                print(render.execution(ran))
        if spec.refused_input is not None:
            print(f"\n== The same with an input it refuses: {json.dumps(spec.refused_input)}")
            refused = run_or_report(sfn, arn, spec.refused_input)
            if refused is not None:
                print(render.execution(refused))

    def runs_of(entry: WorkflowOutput[str]) -> Runs:
        # moto runs Express workflows like Standard ones and has no StartSyncExecution, so the
        # rehearsal reads every workflow through the Standard API (ops.runs.ExpressRuns is
        # tested against the service model instead).
        return StandardRuns(sfn, entry.state_machine_arn)

    print("\n== python -m ops failures (the last hour)")
    since = datetime.now(UTC) - timedelta(hours=1)
    shown = 0
    for spec in runnable:
        runs = runs_of(deployed[spec.name])
        for summary in list(runs.failures(since))[:1]:
            print(render.failure(spec.name, summary.started, runs.read(summary.arn, since)))
            shown += 1
    if not shown:
        print("no failed, timed-out or aborted executions")

    print("\n== python -m ops verify")
    report = verify(runnable, deployed, scheduler=scheduler, runs_of=runs_of, max_runs=20)
    print(report.render())
    return report, sample_runs


def main(stack: str = "dev", *, catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> int:
    try:
        # The catalogue first, as the program checks it: reading the stack's settings already uses its
        # entries, and one of the wrong type (schedule="rate(1 minute)") would fail there with a traceback.
        check_catalogue(catalogue)
        # Then the stack's files: a typo in STACK or a bad value is one line, before moto starts.
        StackSettings.from_stack_file(stack, catalogue)
        with InMemoryAws.running() as cloud:
            return 0 if rehearse(cloud, stack, catalogue) else 1
    except (ConfigError, RehearsalError, ValueError) as error:
        print(f"make demo: {error}", file=sys.stderr)
        return 2


def cli(argv: list[str]) -> int:
    """`python -m rehearsal.demo [STACK]`, as `make demo STACK=...` runs it."""
    if len(argv) > 1:
        print(f"make demo: give one stack name at most (make demo STACK=prod), not {' '.join(argv)}", file=sys.stderr)
        return 2
    return main(*argv)


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
