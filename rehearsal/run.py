"""Rehearse one workflow offline: deploy its stack into the in-memory AWS, run it, read its path.

From the command line (docs/testing-offline.md#the-command):

    python -m rehearsal run NAME [--stack STACK] [--input JSON | --input-file PATH]
                                 [--mock-config FILE --test-case CASE]

From a test, `rehearse(NAME, input=..., mocks=..., case=...)` returns a `Rehearsal`: the status,
the output and the path of states. Executions run in virtual time (`rehearsal.virtual_time`):
an hour's Wait takes no real time.
"""

from __future__ import annotations

import argparse
import atexit
import json
import sys
import uuid
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ops import executions, render
from ops.execution_tree import Execution, Step
from rehearsal import moto_patches
from rehearsal.mock_config import MockConfigError, TestCase, load
from rehearsal.moto_aws import InMemoryAws, RehearsalError
from rehearsal.runnable import offline_test_case, unrunnable_states
from serverless_workflows.asl import model
from serverless_workflows.asl.execution_input import input_problem
from settings import StackSettings
from stack_files import ConfigError, stack_config
from workflows.catalogue import CATALOGUE
from workflows.outputs import WorkflowOutput, read_workflows
from workflows.spec import WorkflowSpec, check_catalogue

# How long an execution may take in real time: its Waits take none, so only its functions count.
REAL_TIME_LIMIT_SECONDS = 60.0
EXECUTION_PREFIX = "rehearsal-"


class UsageError(ValueError):
    """A request the rehearsal cannot carry out as given: a workflow, an input, a mock config."""


class StillRunning(RuntimeError):  # noqa: N818 - reads as the condition it names
    """An execution that had not ended when the rehearsal stopped waiting for it."""


@dataclass(frozen=True)
class Rehearsal:
    """How a rehearsed execution ended, and the way it went."""

    status: str
    """SUCCEEDED, FAILED, TIMED_OUT or ABORTED."""
    output: Any
    error: str | None
    cause: str | None
    path: list[str]
    """The top-level states entered, in order (a retried state once)."""
    execution: Execution
    """Everything `ops run` shows: each state's input, output, error, retries, nested states."""

    @property
    def states(self) -> list[str]:
        """Every state entered, at any depth, in order."""
        return [step.name for step in self.execution.every_step()]

    def step(self, name: str) -> Step:
        """The (first) state entered named `name`, at any depth."""
        found = next((step for step in self.execution.every_step() if step.name == name), None)
        if found is None:
            raise KeyError(f"the execution did not enter {name!r}; it entered {', '.join(self.states)}")
        return found

    def show(self) -> str:
        """The path as `python -m ops run` prints it."""
        return render.execution(self.execution)


def _shared_cloud() -> InMemoryAws:
    """The in-memory AWS a test's `rehearse` runs in: the one running, else one kept for the process."""
    if InMemoryAws._active is not None:
        return InMemoryAws._active
    stack = ExitStack()
    cloud = stack.enter_context(InMemoryAws.running())
    atexit.register(stack.close)
    return cloud


def deployment(cloud: InMemoryAws, stack: str, catalogue: tuple[WorkflowSpec, ...]) -> dict[str, WorkflowOutput[str]]:
    """`catalogue` deployed with `stack`'s config into `cloud`, once per cloud."""
    key = (stack, tuple(id(spec) for spec in catalogue))
    if key not in cloud.deployments:
        # Physical names come from the stack's name: another catalogue deployed with the same
        # stack's config gets names of its own.
        others = sum(1 for deployed_stack, _ in cloud.deployments if deployed_stack == stack)
        physical = f"{stack}{others + 1}" if others else stack
        run = cloud.deploy(stack=physical, config=stack_config(stack), catalogue=catalogue)
        cloud.deployments[key] = (run, catalogue)
    return read_workflows(cloud.deployments[key][0].outputs)


def _entry(name: str, catalogue: tuple[WorkflowSpec, ...]) -> WorkflowSpec:
    found = next((spec for spec in catalogue if spec.name == name), None)
    if found is None:
        raise UsageError(f"there is no workflow {name!r}; the catalogue has {', '.join(s.name for s in catalogue)}")
    return found


def mocks_for(
    spec: WorkflowSpec, deployed: WorkflowOutput[str], mocks: str | Path | Mapping[str, Any] | None, case: str | None
) -> TestCase | None:
    """The test case to run `spec` with: `case` of `mocks` if given, else its entry's `offline_mocks`;
    refused when states it cannot run for real are left unmocked."""
    if (mocks is None) != (case is None):
        raise UsageError("give a mock config and one of its test cases together (--mock-config FILE --test-case CASE)")
    if mocks is not None and case is not None:
        chosen: TestCase | None = load(mocks).test_case([spec.name, deployed.state_machine_name], case)
        definition = model.read(spec.load_definition().document)
        assert chosen is not None
        chosen.check_against(definition, set(spec.function_placeholders))
    else:
        chosen = offline_test_case(spec, deployed.state_machine_name)
    left = {name: why for name, why in unrunnable_states(spec).items() if chosen is None or name not in chosen.states}
    if left:
        listed = "; ".join(f"state {name!r}: {why}" for name, why in left.items())
        raise UsageError(f"{spec.name} cannot be rehearsed unless these states are mocked: {listed}")
    return chosen


def run_workflow(
    cloud: InMemoryAws,
    deployed: WorkflowOutput[str],
    payload: Any,
    test_case: TestCase | None = None,
    *,
    real_time_limit: float = REAL_TIME_LIMIT_SECONDS,
) -> Rehearsal:
    """Run an execution of a deployed workflow with `payload` (and `test_case`'s mocked responses)."""
    problem = input_problem(payload)
    if problem:
        raise UsageError(f"the input {problem}")
    sfn = cloud.client("stepfunctions")
    name = f"{EXECUTION_PREFIX}{uuid.uuid4()}"
    if test_case is not None:
        moto_patches.expect_test_case(deployed.state_machine_arn, name, test_case)
    arn = sfn.start_execution(
        stateMachineArn=deployed.state_machine_arn, name=name, input=json.dumps(payload, allow_nan=False)
    )["executionArn"]
    try:
        executions.wait(sfn, arn, timeout_seconds=real_time_limit)
    except TimeoutError:
        raise StillRunning(still_running(sfn, arn, real_time_limit)) from None
    execution = executions.read(sfn, arn)
    return Rehearsal(execution.status, execution.output, execution.error, execution.cause, execution.path, execution)


def still_running(sfn: Any, execution_arn: str, waited: float) -> str:
    """One line: the execution has not ended, and the state(s) it is in."""
    execution = executions.read(sfn, execution_arn, map_runs=False)
    open_steps = [step for step in execution.every_step() if step.open and not any(b.steps for b in step.blocks)]
    where = ", ".join(f"{step.name!r} ({step.type})" for step in open_steps) or "no state yet"
    return f"{execution_arn.rsplit(':', 1)[-1]} still {execution.status} after {waited:g} s of real time, in {where}"


def rehearse(
    name: str,
    *,
    input: Any = None,
    mocks: str | Path | Mapping[str, Any] | None = None,
    case: str | None = None,
    stack: str = "dev",
    catalogue: tuple[WorkflowSpec, ...] = CATALOGUE,
    cloud: InMemoryAws | None = None,
) -> Rehearsal:
    """Run workflow `name` of `catalogue`, deployed as `stack` into the in-memory AWS (`cloud`, else
    the one running, else one kept for the process), with `input` (default: its sample input) and
    test case `case` of the mock configuration `mocks` (a file, or its parsed JSON).

    Raises UsageError (or another ValueError: a catalogue, config or mock config error) for a
    request that cannot run, and StillRunning for an execution that does not end."""
    check_catalogue(catalogue)
    spec = _entry(name, catalogue)
    StackSettings.from_stack_file(stack, catalogue)
    cloud = cloud or _shared_cloud()
    deployed = deployment(cloud, stack, catalogue)[name]
    test_case = mocks_for(spec, deployed, mocks, case)
    return run_workflow(cloud, deployed, spec.default_input() if input is None else input, test_case)


# --- the command line -------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="python -m rehearsal run",
        description="Deploy the stack into an in-memory AWS, run one workflow and print its path "
        "(exit 0 if it succeeds, 1 if it fails, 2 for a usage or config error).",
    )
    command.add_argument("name", help="the workflow's catalogue name")
    command.add_argument("--stack", default="dev", help="the stack whose config is deployed (default: dev)")
    given = command.add_mutually_exclusive_group()
    given.add_argument("--input", help="the execution input, as JSON (default: the workflow's sample input)")
    given.add_argument("--input-file", type=Path, help="a file holding the execution input as JSON")
    command.add_argument("--mock-config", type=Path, help="a Step Functions Local mock configuration file")
    command.add_argument("--test-case", help="the test case of --mock-config to run with")
    return command


def _payload(args: argparse.Namespace) -> Any:
    if args.input is not None:
        text, source = args.input, "--input"
    elif args.input_file is not None:
        source = f"--input-file {args.input_file}"
        try:
            text = args.input_file.read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"{source}: cannot be read ({error.strerror or error})") from None
    else:
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise UsageError(f"{source} is not JSON ({error})") from None


def main(argv: Sequence[str]) -> int:
    try:
        args = parser().parse_args(list(argv))
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2
    try:
        result = rehearse(
            args.name,
            input=_payload(args),
            mocks=args.mock_config,
            case=args.test_case,
            stack=args.stack,
        )
    except (UsageError, MockConfigError, ConfigError, RehearsalError, ValueError) as error:
        print(f"rehearsal run: {error}", file=sys.stderr)
        return 2
    except StillRunning as error:
        print(f"rehearsal run: {error}", file=sys.stderr)
        return 1
    print(result.show())
    return 0 if result.status == "SUCCEEDED" else 1
