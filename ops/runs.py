"""A workflow's executions, for either type: start one, list recent ones, read one, find failures.

Standard workflows have an API for all of it (StartExecution, ListExecutions,
DescribeExecution, GetExecutionHistory). Express workflows do not: they are
started synchronously (StartSyncExecution, which returns the result), and
their executions exist afterwards only as the execution log records Step
Functions writes to the workflow's CloudWatch Logs log group; `ExpressRuns`
reads those (ops.execution_tree.from_execution_log builds the same tree from them).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from ops import execution_tree, executions
from serverless_workflows.asl.execution_input import encoded_input
from workflows.outputs import WorkflowOutput

# Log records may reach CloudWatch Logs a few seconds after a synchronous run returns.
LOG_DELAY_SECONDS = 15.0
# The furthest back ops reads runs (a leap year): a yearly cron schedule runs once in it, and
# no run worth reading is older (Step Functions keeps a Standard execution's history 90 days).
LONGEST_LOOK_BACK = timedelta(days=366)
FAILED = execution_tree.FAILED
OPS_RUN_PREFIX = executions.RUN_PREFIX
EXECUTION_ENDS = execution_tree.EXECUTION_ENDS


@dataclass(frozen=True)
class Summary:
    """One execution as a listing shows it, newest first."""

    arn: str
    name: str
    status: str
    started: datetime


class Runs(Protocol):
    def start(self, payload: Any, *, timeout_seconds: float = 60) -> execution_tree.Execution: ...
    def recent(self, since: datetime) -> Iterator[Summary]: ...
    def read(self, execution_arn: str, since: datetime | None = None) -> execution_tree.Execution: ...
    def failures(self, since: datetime) -> Iterator[Summary]: ...


@dataclass(frozen=True)
class StandardRuns:
    sfn: Any
    state_machine_arn: str

    def start(self, payload: Any, *, timeout_seconds: float = 60) -> execution_tree.Execution:
        return executions.run(self.sfn, self.state_machine_arn, payload, timeout_seconds=timeout_seconds)

    def _listed(self, since: datetime, status: str | None = None) -> Iterator[Summary]:
        # The API lists newest first, so reading stops at the first older execution.
        extra = {"statusFilter": status} if status else {}
        for page in self.sfn.get_paginator("list_executions").paginate(stateMachineArn=self.state_machine_arn, **extra):
            for listed in page["executions"]:
                if listed["startDate"] < since:
                    return
                yield Summary(listed["executionArn"], listed["name"], listed["status"], listed["startDate"])

    def recent(self, since: datetime) -> Iterator[Summary]:
        return self._listed(since)

    def read(self, execution_arn: str, since: datetime | None = None) -> execution_tree.Execution:
        # Failures and checks look at the execution's own states: a Map Run's children would cost reads.
        return executions.read(self.sfn, execution_arn, map_runs=False)

    def failures(self, since: datetime) -> Iterator[Summary]:
        found = [summary for status in FAILED for summary in self._listed(since, status)]
        return iter(sorted(found, key=lambda summary: summary.started, reverse=True))


# Records of executions starting and ending, and no others: enough to list executions.
_EXECUTION_RECORDS = "{ " + " || ".join(f'$.type = "{kind}"' for kind in ("ExecutionStarted", *EXECUTION_ENDS)) + " }"
# A log event's timestamp and its record's event_timestamp may differ a little: read from a bit earlier.
LOG_CLOCK_MARGIN = timedelta(seconds=5)


class ExecutionNotLogged(ValueError):  # noqa: N818 - reads as the condition it names
    pass


def log_pages(logs: Any, log_group: str, since: datetime, pattern: str) -> Iterator[list[dict[str, Any]]]:
    """The execution log records in `log_group` from `since` on that CloudWatch Logs' filter `pattern`
    matches, a page at a time; lines that are not records are skipped."""
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=log_group, startTime=int(since.timestamp() * 1000), filterPattern=pattern
    )
    for page in pages:
        found = []
        for event in page.get("events", []):
            try:
                record = json.loads(event.get("message", ""))
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and {"id", "type", "execution_arn"} <= set(record):
                found.append(record)
        yield found


def one_execution(execution_arn: str) -> str:
    """The filter pattern that keeps one execution's records: the others are not sent at all."""
    return f'{{ $.execution_arn = "{execution_arn}" }}'


@dataclass(frozen=True)
class ExpressRuns:
    sfn: Any
    logs: Any
    state_machine_arn: str
    log_group: str

    def start(self, payload: Any, *, timeout_seconds: float = 60) -> execution_tree.Execution:
        started = datetime.now(UTC)
        result = self.sfn.start_sync_execution(
            stateMachineArn=self.state_machine_arn, name=f"{OPS_RUN_PREFIX}{uuid.uuid4()}", input=encoded_input(payload)
        )
        execution = execution_tree.Execution(
            arn=result["executionArn"],
            status=result["status"],
            input=execution_tree.parse(result.get("input")),
            output=execution_tree.parse(result.get("output")),
            error=result.get("error"),
            cause=result.get("cause"),
        )
        # The response has the result; the path is in the log records, which follow.
        deadline = time.monotonic() + min(timeout_seconds, LOG_DELAY_SECONDS)
        while True:
            logged = self._records(execution.arn, started)
            if any(record["type"] in EXECUTION_ENDS for record in logged):
                execution.steps = execution_tree.from_events(
                    execution.arn, execution_tree.from_execution_log(logged)
                ).steps
                return execution
            if time.monotonic() > deadline:
                return execution
            time.sleep(1)

    def _records(self, execution_arn: str, since: datetime) -> list[dict[str, Any]]:
        """One execution's records; reading stops at the page that holds its end."""
        found: list[dict[str, Any]] = []
        for page in log_pages(self.logs, self.log_group, since - LOG_CLOCK_MARGIN, one_execution(execution_arn)):
            # The pattern filters where it is understood (CloudWatch Logs); this, wherever it is not.
            found += [record for record in page if record["execution_arn"] == execution_arn]
            if any(record["type"] in EXECUTION_ENDS for record in found):
                break
        return found

    def _summaries(self, since: datetime) -> list[Summary]:
        started: dict[str, datetime] = {}
        status: dict[str, str] = {}
        for page in log_pages(self.logs, self.log_group, since, _EXECUTION_RECORDS):
            for record in page:
                arn = str(record["execution_arn"])
                if record["type"] == "ExecutionStarted":
                    started[arn] = datetime.fromtimestamp(int(record.get("event_timestamp") or 0) / 1000, tz=UTC)
                elif record["type"] in EXECUTION_ENDS:
                    status[arn] = EXECUTION_ENDS[record["type"]]
        listed = [
            Summary(arn, execution_tree.execution_name(arn), status.get(arn, "RUNNING"), at)
            for arn, at in started.items()
        ]
        return sorted(listed, key=lambda summary: summary.started, reverse=True)

    def recent(self, since: datetime) -> Iterator[Summary]:
        return iter(self._summaries(since))

    def events(self, execution_arn: str, since: datetime) -> list[execution_tree.Event]:
        """The events of an execution that started after `since` (the ARN does not say when it ran).
        Refused when its start is not among the records read: it started earlier, its records are
        past the log group's retention, or it is not this workflow's."""
        records = self._records(execution_arn, since)
        if not any(record["type"] == "ExecutionStarted" for record in records):
            raise ExecutionNotLogged(
                f"{execution_arn}: its start is not in {self.log_group} since {since:%Y-%m-%d %H:%M} UTC"
            )
        return execution_tree.from_execution_log(records)

    def read(self, execution_arn: str, since: datetime | None = None) -> execution_tree.Execution:
        """The execution, from its records since `since` (default: a day ago; give the listed start
        when known, so that less is read)."""
        start = since or datetime.now(UTC) - timedelta(days=1)
        return execution_tree.from_events(execution_arn, self.events(execution_arn, start))

    def failures(self, since: datetime) -> Iterator[Summary]:
        return (summary for summary in self._summaries(since) if summary.status in FAILED)


def express_runs(entry: WorkflowOutput[str], sfn: Any, logs: Any) -> ExpressRuns:
    """The reader for an Express workflow's entry of the `workflows` stack output; `sfn` must be fit
    for StartSyncExecution (ops.aws.Clients.sync_sfn) to start runs."""
    if not entry.log_group:
        machine = entry.state_machine_name or entry.state_machine_arn
        raise ValueError(
            f"{machine} is an Express workflow whose stack outputs name no log group: its executions "
            "cannot be seen without one (logLevel OFF gives none); set logLevel ALL and redeploy"
        )
    return ExpressRuns(sfn, logs, entry.state_machine_arn, entry.log_group)


def runs_for(entry: WorkflowOutput[str], sfn: Any, logs: Any, sync_sfn: Any = None) -> Runs:
    """The reader for one workflow's entry of the `workflows` stack output; `sync_sfn`, a client
    fit for StartSyncExecution (ops.aws.Clients.sync_sfn), starts Express runs."""
    if entry.type == "EXPRESS":
        return express_runs(entry, sync_sfn or sfn, logs)
    return StandardRuns(sfn, entry.state_machine_arn)
