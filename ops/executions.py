"""Start an execution, wait for it, and read it from AWS: its description, its history and
a Distributed Map's child executions. What the events say is turned into a tree of states by
`execution_tree`, which calls no AWS API."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ops.execution_tree import (
    MAX_CHILD_EXECUTIONS,
    TERMINAL,
    Block,
    Execution,
    MapRun,
    from_events,
    from_history,
    map_execution_types,
    parse,
)
from serverless_workflows.asl.execution_input import encoded_input

# The names of the executions ops starts, so that a check of a schedule's runs can tell them apart.
RUN_PREFIX = "run-"

MAX_POLL_SECONDS = 2.0


def wait(sfn: Any, execution_arn: str, *, timeout_seconds: float = 60, poll_seconds: float = 0.05) -> dict[str, Any]:
    """Poll until the execution ends. The sleep matters: an in-memory engine
    runs the execution on a worker thread that a busy loop would starve."""
    started = time.monotonic()
    deadline = started + timeout_seconds
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] in TERMINAL:
            return described
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"{execution_arn} still {described['status']} after {timeout_seconds:g} s")
        # A tenth of the time waited so far: a short run is seen ending within 10 % of its length.
        time.sleep(min(MAX_POLL_SECONDS, max(poll_seconds, (now - started) / 10)))


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    """Every event of the execution's history, oldest first, across pages."""
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        events.extend(page["events"])
    return events


def definition_of(sfn: Any, described: Mapping[str, Any]) -> str | None:
    """The definition an execution (as DescribeExecution describes it) ran, or None without
    states:DescribeStateMachine: branches are then numbered as they started."""
    machine = described.get("stateMachineVersionArn") or described["stateMachineArn"]
    try:
        definition: str = sfn.describe_state_machine(stateMachineArn=machine)["definition"]
    except ClientError:
        return None
    return definition


def read_map_run(sfn: Any, map_run_arn: str, *, express: bool, definition: str | None = None) -> MapRun:
    """The Map Run's first child executions with their states; an AWS error is kept, not raised,
    so that the rest of the execution can still be shown."""
    run = MapRun(map_run_arn, express=express)
    try:
        listed = [
            child
            for page in sfn.get_paginator("list_executions").paginate(mapRunArn=map_run_arn)
            for child in page["executions"]
        ]
        listed.sort(key=lambda child: child["startDate"])
        run.more = max(0, len(listed) - MAX_CHILD_EXECUTIONS)
        for number, child in enumerate(listed[:MAX_CHILD_EXECUTIONS]):
            block = Block("child", number, status=child["status"], started=child["startDate"],
                          ended=child.get("stopDate"), name=child["name"])  # fmt: skip
            arn = child["executionArn"]
            run.express = run.express or ":express:" in arn
            if not run.express:
                block.steps = from_events(arn, from_history(history(sfn, arn)), definition).steps
            run.children.append(block)
    except (ClientError, BotoCoreError) as error:
        run.problem = error
    return run


def read_map_runs(sfn: Any, execution: Execution, definition: str | None = None) -> None:
    """Read the child executions of each Distributed Map the execution ran (`Step.map_run`)."""
    types = map_execution_types(definition)
    for step in execution.every_step():
        if step.map_run_arn:
            express = types.get(step.name) == "EXPRESS"
            step.map_run = read_map_run(sfn, step.map_run_arn, express=express, definition=definition)


def read(sfn: Any, execution_arn: str, *, map_runs: bool = True) -> Execution:
    """The execution's status, output and path, from DescribeExecution and its history; with
    `map_runs`, each Distributed Map's first child executions too."""
    described = sfn.describe_execution(executionArn=execution_arn)
    definition = definition_of(sfn, described)
    execution = from_events(execution_arn, from_history(history(sfn, execution_arn)), definition)
    if map_runs:
        read_map_runs(sfn, execution, definition)
    # DescribeExecution is the authority on where the execution stands now.
    execution.status = described["status"]
    execution.input = parse(described.get("input"))
    execution.output = parse(described.get("output"))
    execution.error, execution.cause = described.get("error"), described.get("cause")
    return execution


def run(sfn: Any, state_machine_arn: str, payload: Any, *, timeout_seconds: float = 60) -> Execution:
    """Start an execution with `payload` as input, wait for it, and read it."""
    started = sfn.start_execution(
        stateMachineArn=state_machine_arn,
        name=f"{RUN_PREFIX}{uuid.uuid4()}",
        input=encoded_input(payload),
    )
    wait(sfn, started["executionArn"], timeout_seconds=timeout_seconds)
    return read(sfn, started["executionArn"])
