"""python -m ops: run, inspect and verify the deployed workflows.

    python -m ops run call-center --input '{"inputCaseID": "001"}'
    python -m ops history EXECUTION_ARN
    python -m ops verify [--wait]
    python -m ops cost [--price NAME=VALUE] [--call-center-executions N]

ARNs come from the stack outputs: `pulumi stack output --json` for --stack
(default dev), or a JSON file of those outputs (--outputs FILE) where the CLI
is absent. Region and credentials come the standard boto3 way;
--endpoint-url points every client at an emulator.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from ops import executions, render
from ops.verify import StackTargets, verify
from rehearsal.stack_files import stack_config
from workflows import cost, definition
from workflows.schedule import ScheduleExpressionError

WORKFLOW_OUTPUTS = {"call-center": "callCenterStateMachineArn", "scheduled": "scheduledStateMachineArn"}


class UsageError(Exception):
    pass


def stack_outputs(args: argparse.Namespace) -> dict[str, Any]:
    if args.outputs:
        try:
            loaded: dict[str, Any] = json.loads(Path(args.outputs).read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise UsageError(f"cannot read stack outputs from {args.outputs}: {error}") from error
        return loaded
    try:
        printed = subprocess.run(
            ["pulumi", "stack", "output", "--json", "--stack", args.stack],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except FileNotFoundError:
        raise UsageError("the Pulumi CLI is not installed; pass --outputs FILE (pulumi stack output --json)") from None
    except subprocess.CalledProcessError as error:
        raise UsageError(f"pulumi stack output failed: {error.stderr.strip()}") from None
    parsed: dict[str, Any] = json.loads(printed)
    return parsed


def require(outputs: dict[str, Any], key: str) -> str:
    if not outputs.get(key):
        raise UsageError(f"the stack outputs have no {key!r}; is the stack deployed? (keys: {sorted(outputs)})")
    return str(outputs[key])


def client(args: argparse.Namespace, service: str) -> Any:
    return boto3.client(service, region_name=args.region, endpoint_url=args.endpoint_url)


def command_run(args: argparse.Namespace) -> int:
    arn = args.arn or require(stack_outputs(args), WORKFLOW_OUTPUTS[args.workflow])
    try:
        payload = json.loads(args.input)
    except json.JSONDecodeError as error:
        raise UsageError(f"--input is not JSON: {error}") from None
    finished = executions.run(client(args, "stepfunctions"), arn, payload, timeout_seconds=args.timeout)
    print(render.execution(finished))
    return 0 if finished.status == "SUCCEEDED" else 1


def command_history(args: argparse.Namespace) -> int:
    print(render.history(executions.history(client(args, "stepfunctions"), args.execution_arn)))
    return 0


def command_verify(args: argparse.Namespace) -> int:
    outputs = stack_outputs(args)
    schedule = require(outputs, "scheduleName")
    targets = StackTargets(
        call_center_arn=require(outputs, "callCenterStateMachineArn"),
        scheduled_arn=require(outputs, "scheduledStateMachineArn"),
        schedule_name=schedule,
        schedule_group=schedule,
    )
    report = verify(
        client(args, "stepfunctions"),
        client(args, "scheduler"),
        targets,
        max_runs=args.runs,
        wait_seconds=90 if args.wait else 0,
    )
    print(report.render())
    return 0 if report.ok else 1


def command_cost(args: argparse.Namespace) -> int:
    # Read from the stack's files, so that it works before the first deploy.
    config = stack_config(args.stack)
    prices = cost.Prices()
    for override in args.price:
        name, _, value = override.partition("=")
        if name not in cost.Prices.__dataclass_fields__:
            raise UsageError(
                f"--price {override}: unknown price {name!r}; known: {', '.join(cost.Prices.__dataclass_fields__)}"
            )
        try:
            prices = dataclasses.replace(prices, **{name: type(getattr(prices, name))(value)})
        except ValueError:
            raise UsageError(f"--price {override}: {value!r} is not a number") from None
    # stack_config already holds Pulumi.yaml's declared defaults for both keys.
    try:
        estimate = cost.stack_estimate(
            config["serverless-workflows:scheduleExpression"],
            config["serverless-workflows:scheduleEnabled"] == "true",
            definition.scheduled_workflow(),
            definition.call_center(),
            prices=prices,
            assumptions=cost.Assumptions(call_center_executions_per_month=args.call_center_executions),
        )
    except ScheduleExpressionError as error:
        raise UsageError(f"stack {args.stack}: scheduleExpression {error}") from None
    print(render.cost(args.stack, estimate))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m ops", description=__doc__.split("\n\n")[0])
    top.add_argument("--stack", default="dev", help="stack whose outputs to read (default: dev)")
    top.add_argument("--outputs", help="JSON file of the stack outputs, instead of asking the Pulumi CLI")
    top.add_argument("--region", help="AWS region (default: the boto3 configuration)")
    top.add_argument("--endpoint-url", help="send every AWS call here, e.g. an emulator")
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start an execution, wait, and print its path")
    run.add_argument("workflow", choices=sorted(WORKFLOW_OUTPUTS))
    run.add_argument("--input", default='{"inputCaseID": "001"}', help="execution input, JSON")
    run.add_argument("--arn", help="state machine ARN, instead of the stack outputs")
    run.add_argument("--timeout", type=float, default=120, help="seconds to wait (default: 120)")
    run.set_defaults(handler=command_run)

    history = commands.add_parser("history", help="print an execution's event history")
    history.add_argument("execution_arn")
    history.set_defaults(handler=command_history)

    check = commands.add_parser("verify", help="smoke-test the deployed stack; exit 0 only if all holds")
    check.add_argument("--runs", type=int, default=10, help="call-center runs allowed to see both outcomes")
    check.add_argument("--wait", action="store_true", help="wait up to 90 s for the next scheduled execution")
    check.set_defaults(handler=command_verify)

    costs = commands.add_parser("cost", help="monthly cost estimate of the stack, from its config files")
    costs.add_argument("--price", action="append", default=[], metavar="NAME=VALUE", help="override a price")
    costs.add_argument("--call-center-executions", type=int, default=1_000, help="call-center runs a month")
    costs.set_defaults(handler=command_cost)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as error:
        print(f"ops: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
