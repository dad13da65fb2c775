"""make demo: deploy the program into an in-memory AWS and watch both workflows work.

No AWS account, no Pulumi CLI, no Docker: the same __main__.py runs under
Pulumi mocks whose resources are created in moto, scheduler ticks are
simulated, and the operations tool's `verify` and `run` check the result.
"""

from __future__ import annotations

import sys
from collections import Counter

from ops import executions, render
from ops.verify import StackTargets, verify
from rehearsal.moto_aws import InMemoryAws
from rehearsal.program import run_program


def main(stack: str = "dev") -> int:
    with InMemoryAws.running() as cloud:
        print(f"== Deploying stack {stack!r} into an in-memory AWS (moto)")
        program = run_program(cloud.new_resource, cloud.call, stack=stack)
        for resource_type, count in sorted(Counter(t for t, _ in cloud.created).items()):
            print(f"   {count:>2} x {resource_type}")
        outputs = program.outputs
        sfn, scheduler = cloud.client("stepfunctions"), cloud.client("scheduler")

        print("\n== Two scheduler ticks (the schedule's own role and input)")
        for arn in [cloud.tick_schedules()[0], cloud.tick_schedules()[0]]:
            executions.wait(sfn, arn)
            print(render.execution(executions.read(sfn, arn)))

        print('\n== python -m ops run call-center --input \'{"inputCaseID": "001"}\'')
        print(render.execution(executions.run(sfn, outputs["callCenterStateMachineArn"], {"inputCaseID": "001"})))
        print('\n== The same with a bad input: {"inputCaseID": ""}')
        print(render.execution(executions.run(sfn, outputs["callCenterStateMachineArn"], {"inputCaseID": ""})))

        print("\n== python -m ops verify")
        report = verify(
            sfn,
            scheduler,
            StackTargets(
                call_center_arn=outputs["callCenterStateMachineArn"],
                scheduled_arn=outputs["scheduledStateMachineArn"],
                schedule_name=outputs["scheduleName"],
                schedule_group=outputs["scheduleName"],
            ),
            max_runs=20,
        )
        print(report.render())
        print("\nVerdict:", "both workflows work." if report.ok else "something is broken (see FAIL above).")
        return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
