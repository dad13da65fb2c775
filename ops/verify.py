"""Post-deploy smoke test: do both workflows behave as the tutorials say they should?"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ops import executions

ESCALATED = re.compile(r"^Case (?P<id>.+): opened\.\.\.assigned\.\.\.unresolved\.\.\.escalating\.$")
ESCALATION_CAUSE = "Engage Tier 2 Support."


@dataclass(frozen=True)
class StackTargets:
    """What `verify` checks, as found in the stack outputs."""

    call_center_arn: str
    scheduled_arn: str
    schedule_name: str
    schedule_group: str


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def render(self) -> str:
        lines = [f"{'PASS' if c.ok else 'FAIL'}  {c.name}: {c.detail}" for c in self.checks]
        failed = sum(not c.ok for c in self.checks)
        lines.append("verify: all checks passed" if self.ok else f"verify: {failed} check(s) failed")
        return "\n".join(lines)


def check_call_center(sfn: Any, state_machine_arn: str, report: Report, *, max_runs: int = 10) -> None:
    """Run cases until both outcomes were seen (or `max_runs`), checking every result's shape."""
    seen: set[str] = set()
    for attempt in range(1, max_runs + 1):
        case_id = f"verify-{attempt:03d}"
        execution = executions.run(sfn, state_machine_arn, {"inputCaseID": case_id})
        message = _case_message(execution)
        if execution.status == "SUCCEEDED" and execution.output == {
            "Case": case_id,
            "Status": 1,
            "Message": f"Case {case_id}: opened...assigned...resolved...closed.",
        }:
            seen.add("resolved")
        elif (
            execution.status == "FAILED"
            and execution.cause == ESCALATION_CAUSE
            and message is not None
            and ESCALATED.match(message)
        ):
            seen.add("escalated")
        else:
            detail = f"case {case_id} ended {execution.status}"
            detail += f" with error {execution.error!r}: {execution.cause}" if execution.error else ""
            detail += f", output {json.dumps(execution.output)}" if execution.output is not None else ""
            report.add("call-center run", False, f"{detail} (path: {' > '.join(execution.path)})")
            return
        if seen == {"resolved", "escalated"}:
            report.add("call-center outcomes", True, f"both resolved and escalated cases seen in {attempt} runs")
            return
    report.add("call-center outcomes", False, f"only {sorted(seen)} seen in {max_runs} runs; expected both")


def _case_message(execution: executions.Execution) -> str | None:
    # On the escalation path the last message is the Escalate Case output.
    for step in reversed(execution.steps):
        if isinstance(step.output, dict) and isinstance(step.output.get("Message"), str):
            return str(step.output["Message"])
    return None


def check_schedule(
    sfn: Any,
    scheduler: Any,
    targets: StackTargets,
    report: Report,
    *,
    window: timedelta = timedelta(minutes=5),
    wait_seconds: float = 0,
    now: datetime | None = None,
) -> None:
    """Executions the scheduler started recently succeeded with the schedule's input plus taskresult."""
    schedule = scheduler.get_schedule(Name=targets.schedule_name, GroupName=targets.schedule_group)
    target = schedule["Target"]
    if target["Arn"] != targets.scheduled_arn:
        report.add("schedule target", False, f"the schedule targets {target['Arn']}, not {targets.scheduled_arn}")
        return
    if schedule.get("State") != "ENABLED":
        report.add("schedule state", False, f"the schedule is {schedule.get('State')}; it starts nothing")
        return
    expected_input = json.loads(target.get("Input") or "{}")
    since = (now or datetime.now(UTC)) - window
    recent = _recent_executions(sfn, targets.scheduled_arn, since)
    deadline = time.monotonic() + wait_seconds
    while not recent and time.monotonic() < deadline:
        time.sleep(2)
        recent = _recent_executions(sfn, targets.scheduled_arn, since)
    if not recent:
        report.add("scheduled executions", False, f"no execution started since {since:%H:%M:%S} UTC")
        return
    expected_output = {**expected_input, "taskresult": "World"}
    for summary in recent:
        execution = executions.read(sfn, summary["executionArn"])
        if execution.status == "RUNNING":
            continue
        if execution.status != "SUCCEEDED" or execution.output != expected_output:
            report.add(
                "scheduled executions",
                False,
                f"{summary['name']} ended {execution.status} with output {json.dumps(execution.output)}; "
                f"expected {json.dumps(expected_output)}",
            )
            return
    report.add("scheduled executions", True, f"{len(recent)} recent execution(s), each output {expected_output}")


def _recent_executions(sfn: Any, state_machine_arn: str, since: datetime) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn):
        found.extend(e for e in page["executions"] if e["startDate"] >= since)
    return found


def verify(sfn: Any, scheduler: Any, targets: StackTargets, *, max_runs: int = 10, wait_seconds: float = 0) -> Report:
    report = Report()
    check_schedule(sfn, scheduler, targets, report, wait_seconds=wait_seconds)
    check_call_center(sfn, targets.call_center_arn, report, max_runs=max_runs)
    return report
