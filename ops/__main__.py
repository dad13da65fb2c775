"""python -m ops: run, inspect, verify and price the deployed workflows.

    python -m ops run WORKFLOW [--input JSON | --input-file PATH] [--arn STATE_MACHINE_ARN]
    python -m ops history EXECUTION_ARN [--hours N]
    python -m ops verify [--wait]
    python -m ops failures [WORKFLOW] [--hours N]
    python -m ops redrive EXECUTION_ARN
    python -m ops cost [--price NAME=VALUE] [--executions WORKFLOW=N]

The workflows are the catalogue's (workflows/catalogue.py). Their ARNs come
from the stack outputs: `pulumi stack output --json` for --stack (default
dev), or a JSON file of those outputs (--outputs FILE) where the CLI is
absent. Credentials come the standard boto3 way; the region from the ARN a
command works on, else --region, else boto3's configuration.

Exit status: 0 done (verify: every check passed), 1 a check or the execution
failed, 2 a usage, config or AWS error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ops import executions, render
from ops.aws import AwsError, Clients, clients, explain
from ops.runs import (
    LONGEST_LOOK_BACK,
    ExecutionNotLogged,
    express_runs,
    runs_for,
)
from ops.verify import verify
from serverless_workflows.asl import house_rules
from serverless_workflows.asl.execution_input import InputNotJson, InputTooLarge, encoded_input
from serverless_workflows.asl.schedule import ScheduleExpressionError
from serverless_workflows.asl.validate import tool_warnings
from settings import StackSettings
from stack_files import ConfigError, stack_names
from workflows import cost
from workflows.catalogue import CATALOGUE
from workflows.outputs import (
    STATE_MACHINE_ARN,
    STATE_MACHINE_ARN_FORM,
    WorkflowOutput,
    minimal_entry,
    read_workflows,
)
from workflows.spec import ON_DEMAND_EXECUTIONS_PER_MONTH, WorkflowSpec, check_catalogue


def workflows() -> dict[str, WorkflowSpec]:
    """The catalogue by name. Built when a command runs, after check_catalogue: a hand-written
    entry of the wrong shape must be named there, not crash this module's import."""
    return {spec.name: spec for spec in CATALOGUE}


_EXECUTION_ARN = re.compile(r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:]+:[^:]+(:[^:]+)?$")
# AWS keeps a failed Standard execution redrivable for 14 days after it stopped.
REDRIVE_WINDOW = timedelta(days=14)
# A Standard execution may run a year; no one waits that long at a terminal.
MAX_WAIT_SECONDS = 24 * 3600
# More runs a month than this is a typo, not a plan.
MAX_EXECUTIONS_PER_MONTH = 1e10
PRICE_OVERRIDE_FACTOR = 1_000


class UsageError(Exception):
    pass


# --- the stack outputs ------------------------------------------------------------------


def stack_outputs(args: argparse.Namespace) -> dict[str, Any]:
    if args.outputs:
        try:
            loaded = json.loads(Path(args.outputs).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:  # ValueError: not UTF-8, not JSON
            raise UsageError(f"cannot read stack outputs from {args.outputs}: {error}") from None
        except RecursionError:
            raise UsageError(f"cannot read stack outputs from {args.outputs}: JSON nested too deeply") from None
        if not isinstance(loaded, dict):
            kind = type(loaded).__name__
            raise UsageError(f"{args.outputs} holds a JSON {kind}, not the object `pulumi stack output --json` prints")
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
        # The backend may hold stacks with no file here (acme/prod): the file list is a hint, not a rule.
        known = stack_names()
        hint = "" if args.stack in known else f" (stacks with a file here: {', '.join(known) or 'none'})"
        raise UsageError(f"pulumi stack output --stack {args.stack} failed{hint}: {error.stderr.strip()}") from None
    parsed: dict[str, Any] = json.loads(printed)
    return parsed


def deployed_entry(deployed: Mapping[str, WorkflowOutput[str]], workflow: str) -> WorkflowOutput[str]:
    entry = deployed.get(workflow)
    if entry is None:
        raise UsageError(f"the stack outputs have no workflow {workflow!r}; is it deployed?")
    return entry


def entry_of_execution(args: argparse.Namespace, execution_arn: str) -> WorkflowOutput[str] | None:
    """The deployed entry an Express execution belongs to (its log group is there), or None."""
    machine = execution_arn.split(":")[6] if execution_arn.count(":") >= 7 else ""
    for entry in read_workflows(stack_outputs(args)).values():
        if entry.state_machine_name == machine:
            return entry
    return None


def aws(args: argparse.Namespace, arn: str | None = None) -> Clients:
    return clients(args.region, args.endpoint_url, arn)


def execution_arn(text: str) -> str:
    if not _EXECUTION_ARN.match(text):
        raise UsageError(
            f"{text!r} is not an execution ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>); "
            "`ops failures` and the console list them"
        )
    return text


def state_machine_arn(text: str) -> str:
    if not STATE_MACHINE_ARN.match(text):
        raise UsageError(f"--arn {text!r} is not a state machine ARN ({STATE_MACHINE_ARN_FORM})")
    return text


def machine_entry(sfn: Any, arn: str) -> WorkflowOutput[str]:
    """What the stack outputs would say of the state machine `arn` (--arn): its type, and for an
    Express one, where its runs are logged, from DescribeStateMachine."""
    # Versions and aliases have their machine's type; DescribeStateMachine takes the machine.
    described = sfn.describe_state_machine(stateMachineArn=":".join(arn.split(":")[:7]))
    destinations = (described.get("loggingConfiguration") or {}).get("destinations") or []
    groups = [str(d.get("cloudWatchLogsLogGroup", {}).get("logGroupArn", "")) for d in destinations]
    # arn:aws:logs:<region>:<account>:log-group:<name>:*
    names = [group.split(":log-group:", 1)[1].removesuffix(":*") for group in groups if ":log-group:" in group]
    return dataclasses.replace(
        minimal_entry(arn), type=described.get("type", "STANDARD"), log_group=next(iter(names), None)
    )


def execution_input(args: argparse.Namespace, spec: WorkflowSpec) -> Any:
    """--input, or --input-file (an input too long for a command line), or the sample input; checked
    as Step Functions checks it, before anything starts."""
    where, text = "--input", args.input
    if args.input_file is not None:
        where = f"--input-file {args.input_file}"
        try:
            text = Path(args.input_file).read_text(encoding="utf-8")
        except (OSError, ValueError) as error:  # ValueError: not UTF-8
            raise UsageError(f"cannot read {where}: {error}") from None
    try:
        payload = json.loads(text) if text is not None else spec.default_input()
        encoded_input(payload)
    except json.JSONDecodeError as error:
        raise UsageError(f"{where} is not JSON: {error}") from None
    except RecursionError:
        raise UsageError(f"{where}: JSON nested too deeply") from None
    except (InputTooLarge, InputNotJson) as error:
        raise UsageError(f"{where}: {error}") from None
    return payload


def _hours(args: argparse.Namespace) -> float:
    hours: float = args.hours
    most = LONGEST_LOOK_BACK / timedelta(hours=1)
    if not 0 < hours <= most:
        raise UsageError(
            f"--hours {hours:g}: give a number of hours above 0 and at most {most:g} ({LONGEST_LOOK_BACK.days} days)"
        )
    return hours


# --- commands ---------------------------------------------------------------------------


def command_run(args: argparse.Namespace) -> int:
    payload = execution_input(args, workflows()[args.workflow])
    if args.arn:
        connected = aws(args, state_machine_arn(args.arn))
        entry = machine_entry(connected.sfn, args.arn)
    else:
        entry = deployed_entry(read_workflows(stack_outputs(args)), args.workflow)
        connected = aws(args, entry.state_machine_arn)
    runs = runs_for(entry, connected.sfn, connected.logs, connected.sync_sfn(args.timeout))
    finished = runs.start(payload, timeout_seconds=args.timeout)
    print(render.execution(finished))
    return 0 if finished.status == "SUCCEEDED" else 1


def command_history(args: argparse.Namespace) -> int:
    hours = _hours(args)
    connected = aws(args, execution_arn(args.execution_arn))
    if ":express:" in args.execution_arn:
        entry = entry_of_execution(args, args.execution_arn)
        if entry is None:
            raise UsageError(f"{args.execution_arn} is an Express execution of no workflow in the stack outputs")
        runs = express_runs(entry, connected.sfn, connected.logs)
        try:
            logged = runs.events(args.execution_arn, datetime.now(UTC) - timedelta(hours=hours))
        except ExecutionNotLogged as error:
            raise UsageError(
                f"{error}: it started more than {hours:g} hour(s) ago (pass --hours, up to the log group's "
                "retention, logRetentionDays), its records are past that retention, or it is no run of "
                f"{entry.state_machine_name or entry.state_machine_arn}"
            ) from None
        print(render.history(logged))
        return 0
    events = executions.history(connected.sfn, args.execution_arn)
    print(render.history(events, definition=_definition(connected.sfn, args.execution_arn)))
    return 0


def _definition(sfn: Any, execution_arn: str) -> str | None:
    """The definition the execution ran, to number Parallel branches as it lists them."""
    try:
        described = sfn.describe_execution(executionArn=execution_arn)
    except ClientError:
        return None
    return executions.definition_of(sfn, described)


def command_verify(args: argparse.Namespace) -> int:
    if args.runs is not None and args.runs < 1:
        raise UsageError(f"--runs {args.runs}: give at least 1")
    deployed = read_workflows(stack_outputs(args))
    # Every workflow of a stack lives in one region: the first state machine's.
    first = next((entry.state_machine_arn for entry in deployed.values()), None)
    connected = aws(args, first)
    # An Express run takes at most five minutes.
    express = connected.sync_sfn(300)
    report = verify(
        CATALOGUE,
        deployed,
        scheduler=connected.scheduler,
        runs_of=lambda entry: runs_for(entry, connected.sfn, connected.logs, express),
        max_runs=args.runs,
        wait_seconds=90 if args.wait else 0,
    )
    print(report.render())
    return 0 if report.ok else 1


def command_failures(args: argparse.Namespace) -> int:
    _hours(args)
    if args.limit < 1:
        raise UsageError(f"--limit {args.limit}: give at least 1")
    deployed = read_workflows(stack_outputs(args))
    chosen = [args.workflow] if args.workflow else [name for name in workflows() if name in deployed]
    since = datetime.now(UTC) - timedelta(hours=args.hours)
    found = 0
    for name in chosen:
        entry = deployed_entry(deployed, name)
        connected = aws(args, entry.state_machine_arn)
        runs = runs_for(entry, connected.sfn, connected.logs)
        for summary in runs.failures(since):
            if found == args.limit:
                break
            found += 1
            print(render.failure(name, summary.started, runs.read(summary.arn, summary.started)))
    if not found:
        print(f"no failed, timed-out or aborted executions in the last {args.hours:g} hour(s) of {', '.join(chosen)}")
    return 0


def command_redrive(args: argparse.Namespace) -> int:
    arn = execution_arn(args.execution_arn)
    if ":express:" in arn:
        raise UsageError("Express executions cannot be redriven; start a new one with `ops run`")
    sfn = aws(args, arn).sfn
    described = sfn.describe_execution(executionArn=arn)
    if described["status"] not in ("FAILED", "TIMED_OUT", "ABORTED"):
        raise UsageError(
            f"{described['name']} is {described['status']}; only failed, timed-out or aborted executions redrive"
        )
    stopped = described.get("stopDate")
    if stopped is not None and datetime.now(UTC) - stopped > REDRIVE_WINDOW:
        raise UsageError(
            f"{described['name']} stopped on {stopped:%Y-%m-%d}, more than {REDRIVE_WINDOW.days} days ago: "
            "AWS no longer redrives it; "
            "start a new execution with `ops run`"
        )
    if described.get("redriveStatus", "REDRIVABLE") == "NOT_REDRIVABLE":
        reason = described.get("redriveStatusReason") or "AWS says it cannot be redriven"
        raise UsageError(f"{described['name']} cannot be redriven: {reason}")
    before = int(described.get("redriveCount") or 0)
    sfn.redrive_execution(executionArn=arn)
    # Right after the call the execution may still read FAILED: wait until it says it was redriven.
    deadline = time.monotonic() + args.timeout
    while int(sfn.describe_execution(executionArn=arn).get("redriveCount") or 0) <= before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{arn} was not redriven within {args.timeout:g} s")
        time.sleep(1)
    executions.wait(sfn, arn, timeout_seconds=args.timeout)
    finished = executions.read(sfn, arn)
    print(render.execution(finished, command="redrive"))
    return 0 if finished.status == "SUCCEEDED" else 1


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
        listed = getattr(prices, name)
        # A price a thousand times the list price is a typo (a misplaced decimal point), not a
        # forecast. Only prices (USD per unit, `_per_` in the name): free tiers and billing
        # increments are counts a user may raise freely.
        if "_per_" in name and listed and number > PRICE_OVERRIDE_FACTOR * listed:
            raise UsageError(
                f"--price {name}: {value!r} is more than {PRICE_OVERRIDE_FACTOR:,} times the list price "
                f"({listed:g}); give the price in USD per unit, as the list price is"
            )
        if isinstance(getattr(prices, name), int) and not number.is_integer():
            raise UsageError(f"--price {name}: {value!r} must be a whole number")
        prices = dataclasses.replace(prices, **{name: type(getattr(prices, name))(number)})
    executions_per_month = {}
    for name, value in _assignments(args.executions, "--executions").items():
        if name not in workflows():
            raise UsageError(f"--executions {name}: unknown workflow; workflows: {', '.join(workflows())}")
        runs = _non_negative(f"--executions {name}", value)
        if runs > MAX_EXECUTIONS_PER_MONTH:
            raise UsageError(
                f"--executions {name}: {value!r} is more than {MAX_EXECUTIONS_PER_MONTH:,.0f} runs a month"
            )
        executions_per_month[name] = runs
    try:
        estimate = cost.stack_estimate(
            CATALOGUE,
            settings,
            prices=prices,
            assumptions=cost.Assumptions(executions_per_month=executions_per_month),
        )
    except ScheduleExpressionError as error:
        raise UsageError(f"stack {args.stack}: schedule expression {error}") from None
    except cost.CostError as error:
        raise UsageError(f"stack {args.stack}: {error}") from None
    # Each definition's warnings, once, at this stack's levels of the project's rules: the
    # estimate checks the definitions without showing them.
    for spec in CATALOGUE:
        for warning in tool_warnings(
            spec.load_definition(),
            workflow_type=settings.workflow(spec).type,
            functions={function.placeholder: function.timeout_seconds for function in spec.functions},
            house_rules=house_rules.combined(settings.house_rules, spec.house_rules),
        ):
            print(f"ops cost: warning: workflow {spec.name!r}: {warning}", file=sys.stderr)
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


# Options of every command: (flag, default, help).
_STACK_OPTIONS: tuple[tuple[str, str | None, str], ...] = (
    ("--stack", "dev", "stack whose outputs to read (default: dev)"),
    ("--outputs", None, "JSON file of the stack outputs, instead of asking the Pulumi CLI"),
    ("--region", None, "AWS region (default: the ARN's, else the boto3 configuration)"),
    ("--endpoint-url", None, "send every AWS call here, e.g. an emulator"),
)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m ops", description=(__doc__ or "").split("\n\n")[0])
    for flag, default, text in _STACK_OPTIONS:
        top.add_argument(flag, default=default, help=text)
    commands = top.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start an execution, wait, and print its path")
    run.add_argument("workflow", choices=list(workflows()))
    given = run.add_mutually_exclusive_group()
    given.add_argument("--input", help="execution input, JSON (default: the workflow's sample input)")
    given.add_argument(
        "--input-file", metavar="PATH", help="execution input, JSON, from a file (for inputs too long for --input)"
    )
    run.add_argument("--arn", help="state machine ARN, instead of the stack outputs")
    run.add_argument("--timeout", type=float, default=120, help="seconds to wait (default: 120)")
    run.set_defaults(handler=command_run)

    history = commands.add_parser("history", help="print an execution's events")
    history.add_argument("execution_arn")
    history.add_argument(
        "--hours", type=float, default=24, help="Express: how far back it may have started (default: 24)"
    )
    history.set_defaults(handler=command_history)

    check = commands.add_parser("verify", help="smoke-test the deployed stack; exit 0 only if all holds")
    check.add_argument("--runs", type=int, help="runs allowed per smoke test (default: the catalogue's)")
    check.add_argument("--wait", action="store_true", help="wait up to 90 s for the next scheduled execution")
    check.set_defaults(handler=command_verify)

    failures = commands.add_parser("failures", help="recent failed, timed-out and aborted executions")
    failures.add_argument("workflow", nargs="?", choices=list(workflows()), help="one workflow (default: all)")
    failures.add_argument("--hours", type=float, default=24, help="how far back to look (default: 24)")
    failures.add_argument("--limit", type=int, default=20, help="at most this many (default: 20)")
    failures.set_defaults(handler=command_failures)

    redrive = commands.add_parser("redrive", help="redrive a failed Standard execution and follow it")
    redrive.add_argument("execution_arn")
    redrive.add_argument("--timeout", type=float, default=120, help="seconds to wait (default: 120)")
    redrive.set_defaults(handler=command_redrive)

    costs = commands.add_parser("cost", help="monthly cost estimate of the stack, from its config files")
    costs.add_argument("--price", action="append", default=[], metavar="NAME=VALUE", help="override a price")
    costs.add_argument(
        "--executions",
        action="append",
        default=[],
        metavar="WORKFLOW=N",
        help=(
            "runs a month of a workflow, scheduled or not "
            f"(default: its schedule's, else {ON_DEMAND_EXECUTIONS_PER_MONTH:,})"
        ),
    )
    costs.set_defaults(handler=command_cost)

    # `ops cost --stack prod` works as `ops --stack prod cost` does: where a user puts the option
    # is no reason to refuse it. SUPPRESS keeps the top level's value when it is not repeated.
    for command in commands.choices.values():
        for flag, _, text in _STACK_OPTIONS:
            command.add_argument(flag, default=argparse.SUPPRESS, help=text)
    return top


def main(argv: list[str] | None = None) -> int:
    try:
        # The program's first check, made before the command line offers the catalogue's names:
        # an entry the program would refuse is named here too, not met as a crash.
        check_catalogue(CATALOGUE)
    except ValueError as error:
        print(f"ops: {error}", file=sys.stderr)
        return 2
    args = parser().parse_args(argv)
    timeout = getattr(args, "timeout", None)
    if timeout is not None and not 0 < timeout <= MAX_WAIT_SECONDS:
        print(f"ops: --timeout {timeout:g}: give seconds above 0 and at most {MAX_WAIT_SECONDS}", file=sys.stderr)
        return 2
    # A malformed stack output is a ValueError too (workflows.outputs.OutputError): one line, exit 2.
    try:
        code: int = args.handler(args)
    except (UsageError, ConfigError, AwsError, ValueError) as error:
        print(f"ops: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"ops {args.command}: {explain(error, args.command)}", file=sys.stderr)
        return 2
    except TimeoutError as error:
        print(f"ops {args.command}: {error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
