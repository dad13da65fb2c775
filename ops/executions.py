"""Start an execution, wait for it, and read its path from the event history."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass
class Step:
    """One state the execution entered, as the console's event history shows it."""

    name: str
    type: str
    input: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    entered: datetime | None = None
    left: datetime | None = None
    """When the state was exited, or failed."""

    @property
    def failed(self) -> bool:
        return self.error is not None or self.type == "Fail"

    @property
    def duration_ms(self) -> int | None:
        if self.entered is None or self.left is None:
            return None
        return round((self.left - self.entered).total_seconds() * 1000)


@dataclass
class Execution:
    arn: str
    status: str
    input: Any
    output: Any = None
    error: str | None = None
    cause: str | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def path(self) -> list[str]:
        return [step.name for step in self.steps]


def _parse(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def wait(sfn: Any, execution_arn: str, *, timeout_seconds: float = 60, poll_seconds: float = 0.05) -> dict[str, Any]:
    """Poll until the execution ends. The sleep matters: an in-memory engine
    runs the execution on a worker thread that a busy loop would starve."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] in TERMINAL:
            return described
        if time.monotonic() > deadline:
            raise TimeoutError(f"{execution_arn} still {described['status']} after {timeout_seconds}s")
        time.sleep(poll_seconds)


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    """Every event of the execution's history, oldest first, across pages."""
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        events.extend(page["events"])
    return events


def read(sfn: Any, execution_arn: str) -> Execution:
    """The execution's status, output and path, from DescribeExecution and its history."""
    described = sfn.describe_execution(executionArn=execution_arn)
    execution = Execution(
        arn=execution_arn,
        status=described["status"],
        input=_parse(described.get("input")),
        output=_parse(described.get("output")),
        error=described.get("error"),
        cause=described.get("cause"),
    )
    for event in history(sfn, execution_arn):
        kind: str = event["type"]
        if kind.endswith("StateEntered"):
            entered = event["stateEnteredEventDetails"]
            execution.steps.append(
                Step(
                    name=entered["name"],
                    type=kind.removesuffix("StateEntered"),
                    input=_parse(entered.get("input")),
                    entered=event.get("timestamp"),
                )
            )
        elif kind.endswith("StateExited") and execution.steps:
            execution.steps[-1].output = _parse(event["stateExitedEventDetails"].get("output"))
            execution.steps[-1].left = event.get("timestamp")
        elif kind.endswith("Failed") and kind != "ExecutionFailed" and execution.steps:
            failure: dict[str, Any] = next((v for k, v in event.items() if k.endswith("FailedEventDetails")), {})
            execution.steps[-1].error = failure.get("error")
            execution.steps[-1].cause = failure.get("cause")
            execution.steps[-1].left = event.get("timestamp")
    return execution


def run(sfn: Any, state_machine_arn: str, payload: Any, *, timeout_seconds: float = 60) -> Execution:
    """Start an execution with `payload` as input, wait for it, and read it."""
    started = sfn.start_execution(
        stateMachineArn=state_machine_arn, name=f"run-{uuid.uuid4()}", input=json.dumps(payload)
    )
    wait(sfn, started["executionArn"], timeout_seconds=timeout_seconds)
    return read(sfn, started["executionArn"])
