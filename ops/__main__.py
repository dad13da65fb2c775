"""python -m ops: run, inspect, verify and price the deployed workflows.

    python -m ops run WORKFLOW [--input JSON]
    python -m ops history EXECUTION_ARN
    python -m ops verify [--wait]
    python -m ops cost [--price NAME=VALUE] [--executions WORKFLOW=N]

The workflows are the catalogue's (workflows/catalogue.py). Their ARNs come
from the stack outputs: `pulumi stack output --json` for --stack (default
dev), or a JSON file of those outputs (--outputs FILE) where the CLI is
absent. Region and credentials come the standard boto3 way; --endpoint-url
points every client at an emulator.
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
from ops.verify import verify
from settings import ConfigError, StackSettings
from workflows import cost
from workflows.catalogue import CATALOGUE
from workflows.schedule import ScheduleExpressionError
from workflows.spec import WorkflowSpec

WORKFLOWS = {spec.name: spec for spec in CATALOGUE}


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


def deployed_workflows(outputs: dict[str, Any]) -> dict[str, Any]:
    entries = outputs.get("workflows")
    if not isinstance(entries, dict):
        raise UsageError(
            f"the stack outputs have no 'workflows'; is this version of the program deployed? (keys: {sorted(outputs)})"
        )
    return entries


def state_machine_arn(outputs: dict[str, Any], workflow: str) -> str:
    entry = deployed_workflows(outputs).get(workflow)
    if not isinstance(entry, dict) or not entry.get("stateMachineArn"):
        raise UsageError(f"the stack outputs have no workflow {workflow!r}; is it deployed?")
    return str(entry["stateMachineArn"])


def client(args: argparse.Namespace, service: str) -> Any:
    return boto3.client(service, region_name=args.region, endpoint_url=args.endpoint_url)


def command_run(args: argparse.Namespace) -> int:
    spec: WorkflowSpec = WORKFLOWS[args.workflow]
    try:
        payload = json.loads(args.input) if args.input is not None else spec.default_input()
    except json.JSONDecodeError as error:
        raise UsageError(f"--input is not JSON: {error}") from None
    arn = args.arn or state_machine_arn(stack_outputs(args), args.workflow)
    finished = executions.run(client(args, "stepfunctions"), arn, payload, timeout_seconds=args.timeout)
    print(render.execution(finished))
    return 0 if finished.status == "SUCCEEDED" else 1


def command_history(args: argparse.Namespace) -> int:
    print(render.history(executions.history(client(args, "stepfunctions"), args.execution_arn)))
    return 0


def command_verify(args: argparse.Namespace) -> int:
    if args.runs is not None and args.runs < 1:
        raise UsageError(f"--runs {args.runs}: give at least 1")
    deployed = deployed_workflows(stack_outputs(args))
    report = verify(
        client(args, "stepfunctions"),
        client(args, "scheduler"),
        CATALOGUE,
        deployed,
        max_runs=args.runs,
        wait_seconds=90 if args.wait else 0,
    )
    print(report.render())
    return 0 if report.ok else 1


def _assignments(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for assignment in values:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise UsageError(f"{flag} {assignment}: write NAME=VALUE")
        pairs[name] = value
    return pairs


def command_cost(args: argparse.Namespace) -> int:
    # Read from the stack's files, so that it works before the first deploy.
    settings = StackSettings.from_stack_file(args.stack)
    prices = cost.Prices()
    for name, value in _assignments(args.price, "--price").items():
        if name not in cost.Prices.__dataclass_fields__:
            raise UsageError(f"--price {name}: unknown price; known: {', '.join(cost.Prices.__dataclass_fields__)}")
        number = _non_negative(f"--price {name}", value)
        if isinstance(getattr(prices, name), int) and not number.is_integer():
            raise UsageError(f"--price {name}: {value!r} must be a whole number")
        prices = dataclasses.replace(prices, **{name: type(getattr(prices, name))(number)})
    executions_per_month = {}
    for name, value in _assignments(args.executions, "--executions").items():
        if name not in WORKFLOWS:
            raise UsageError(f"--executions {name}: unknown workflow; workflows: {', '.join(WORKFLOWS)}")
        executions_per_month[name] = _non_negative(f"--executions {name}", value)
    try:
        estimate = cost.stack_estimate(
            CATALOGUE,
            settings,
            prices=prices,
            assumptions=cost.Assumptions(executions_per_month=executions_per_month),
        )
    except ScheduleExpressionError as error:
        raise UsageError(f"stack {args.stack}: schedule expression {error}") from None
    print(render.cost(args.stack, estimate))
    return 0


def _non_negative(what: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise UsageError(f"{what}: {text!r} must be a number of at least 0")
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m ops", description=(__doc__ or "").split("\n\n")[0])
    top.add_argument("--stack", default="dev", help="stack whose outputs to read (default: dev)")
    top.add_argument("--outputs", help="JSON file of the stack outputs, instead of asking the Pulumi CLI")
    top.add_argument("--region", help="AWS region (default: the boto3 configuration)")
    top.add_argument("--endpoint-url", help="send every AWS call here, e.g. an emulator")
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start an execution, wait, and print its path")
    run.add_argument("workflow", choices=list(WORKFLOWS))
    run.add_argument("--input", help="execution input, JSON (default: the workflow's sample input)")
    run.add_argument("--arn", help="state machine ARN, instead of the stack outputs")
    run.add_argument("--timeout", type=float, default=120, help="seconds to wait (default: 120)")
    run.set_defaults(handler=command_run)

    history = commands.add_parser("history", help="print an execution's event history")
    history.add_argument("execution_arn")
    history.set_defaults(handler=command_history)

    check = commands.add_parser("verify", help="smoke-test the deployed stack; exit 0 only if all holds")
    check.add_argument("--runs", type=int, help="runs allowed per smoke test (default: the catalogue's)")
    check.add_argument("--wait", action="store_true", help="wait up to 90 s for the next scheduled execution")
    check.set_defaults(handler=command_verify)

    costs = commands.add_parser("cost", help="monthly cost estimate of the stack, from its config files")
    costs.add_argument("--price", action="append", default=[], metavar="NAME=VALUE", help="override a price")
    costs.add_argument("--executions", action="append", default=[], metavar="WORKFLOW=N", help="on-demand runs a month")
    costs.set_defaults(handler=command_cost)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (UsageError, ConfigError) as error:
        print(f"ops: {error}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
