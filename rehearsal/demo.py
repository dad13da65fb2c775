"""make demo: deploy the program into an in-memory AWS and watch every workflow work.

No AWS account, no Pulumi CLI, no Docker: the same __main__.py runs under
Pulumi mocks whose resources are created in moto, scheduler ticks are
simulated, and the operations tool's `run` and `verify` check the result.
Every workflow of the catalogue takes part: each schedule ticks twice, each
workflow runs with its sample input (and the input it refuses, if it names
one), and `verify` checks them all.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ops import executions, render
from ops.runs import Runs, StandardRuns
from ops.verify import verify
from rehearsal.moto_aws import InMemoryAws, RehearsalError
from settings import ConfigError, StackSettings
from workflows.catalogue import CATALOGUE
from workflows.spec import WorkflowSpec


def rehearse(cloud: InMemoryAws, stack: str, catalogue: tuple[WorkflowSpec, ...] = CATALOGUE) -> bool:
    """Deploy `catalogue` as `stack` into `cloud`, exercise it, print what happens; True if all works."""
    print(f"== Deploying stack {stack!r} into an in-memory AWS (moto)")
    program = cloud.deploy(stack=stack, catalogue=catalogue)
    for resource_type, count in sorted(Counter(t for t, _ in cloud.created).items()):
        print(f"   {count:>2} x {resource_type}")
    prefix = f"serverless-workflows-{stack}-"
    alarms = cloud.client("cloudwatch").describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]
    if alarms:
        print(f"\n== {len(alarms)} alarms notify {program.outputs.get('alarmTopicArn')}:")
        for alarm in sorted(alarms, key=lambda alarm: alarm["AlarmName"]):
            print(f"   {alarm['AlarmName']}  ({alarm['Namespace']} {alarm['MetricName']})")
        print(f"   dashboard: {program.outputs.get('dashboardUrl')}")
        name = str(program.outputs.get("dashboardUrl", "")).rsplit("name=", 1)[-1]
        body = json.loads(cloud.client("cloudwatch").get_dashboard(DashboardName=name)["DashboardBody"])
        titles = [widget["properties"]["title"] for widget in body["widgets"] if "title" in widget["properties"]]
        print(f"   it charts: {'; '.join(titles)}")
    return exercise(cloud, stack, catalogue, program.outputs["workflows"])


def exercise(cloud: InMemoryAws, stack: str, catalogue: tuple[WorkflowSpec, ...], deployed: Mapping[str, Any]) -> bool:
    """Tick every schedule twice, run every workflow, verify them all; True if all works."""
    sfn, scheduler = cloud.client("stepfunctions"), cloud.client("scheduler")

    scheduled = [spec.name for spec in catalogue if deployed[spec.name]["schedule"]]
    if scheduled:
        print(f"\n== Two scheduler ticks of {', '.join(scheduled)} (each schedule's own role and input)")
        # Both ticks start before any run is waited for, so runs that wait overlap as they would.
        started = [arn for _ in range(2) for arn in cloud.tick_schedules(f"serverless-workflows-{stack}-")]
        for arn in started:
            executions.wait(sfn, arn)
            print(render.execution(executions.read(sfn, arn)))

    for spec in catalogue:
        arn = deployed[spec.name]["stateMachineArn"]
        if spec.schedule is None or spec.sample_input is not None:
            sample = spec.default_input()
            print(f"\n== python -m ops run {spec.name} --input '{json.dumps(sample)}'")
            print(render.execution(executions.run(sfn, arn, sample)))
        if spec.refused_input is not None:
            print(f"\n== The same with an input it refuses: {json.dumps(spec.refused_input)}")
            print(render.execution(executions.run(sfn, arn, spec.refused_input)))

    def runs_of(entry: Mapping[str, Any]) -> Runs:
        # moto runs Express workflows like Standard ones and has no StartSyncExecution, so the
        # rehearsal reads every workflow through the Standard API (ops.runs.ExpressRuns is
        # tested against the service model instead).
        return StandardRuns(sfn, str(entry["stateMachineArn"]))

    print("\n== python -m ops failures (the last hour)")
    since = datetime.now(UTC) - timedelta(hours=1)
    shown = 0
    for spec in catalogue:
        runs = runs_of(deployed[spec.name])
        for summary in list(runs.failures(since))[:1]:
            print(render.failure(spec.name, summary.started, runs.read(summary.arn, since)))
            shown += 1
    if not shown:
        print("no failed, timed-out or aborted executions")

    print("\n== python -m ops verify")
    report = verify(catalogue, deployed, scheduler=scheduler, runs_of=runs_of, max_runs=20)
    print(report.render())
    print("\nVerdict:", "every workflow works." if report.ok else "something is broken (see FAIL above).")
    return report.ok


def main(stack: str = "dev") -> int:
    try:
        # The stack's files are read first: a typo in STACK or a bad value is one line, before moto starts.
        StackSettings.from_stack_file(stack)
        with InMemoryAws.running() as cloud:
            return 0 if rehearse(cloud, stack) else 1
    except (ConfigError, RehearsalError, ValueError) as error:
        print(f"make demo: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
