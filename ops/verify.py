"""Post-deploy smoke test: does every workflow of the catalogue behave as its entry says?

For each workflow, from its entry in the `workflows` stack output:
- with a schedule: the schedule is ENABLED and targets the state machine, and
  the executions it started recently succeeded (with the output the catalogue
  expects, when it says one);
- with a smoke test: on-demand runs reach every outcome the catalogue lists.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ops import execution_tree
from ops.runs import LONGEST_LOOK_BACK, OPS_RUN_PREFIX, Runs, Summary
from serverless_workflows.asl.schedule import ScheduleExpressionError, runs_per_month
from serverless_workflows.asl.schedule import parse as parse_schedule
from workflows.outputs import WorkflowOutput
from workflows.spec import Outcome, WorkflowSpec

# A rate schedule's runs are recent when they started within this, or two intervals if longer.
RECENT = timedelta(minutes=5)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    unchecked: list[Check] = field(default_factory=list)
    """Workflows that nothing could check: shown, so that a pass is not read as covering them."""

    @property
    def ok(self) -> bool:
        # A report that checked nothing proves nothing.
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def skip(self, name: str, detail: str) -> None:
        self.unchecked.append(Check(name, True, detail))

    def render(self) -> str:
        lines = [f"{'PASS' if c.ok else 'FAIL'}  {c.name}: {c.detail}" for c in self.checks]
        lines += [f"SKIP  {c.name}: {c.detail}" for c in self.unchecked]
        if not self.checks:
            lines.append("verify: nothing was checked (no workflow has a schedule or a smoke test)")
            return "\n".join(lines)
        failed = sum(not c.ok for c in self.checks)
        verdict = "all checks passed" if self.ok else f"{failed} check(s) failed"
        if self.unchecked:
            verdict += f"; {len(self.unchecked)} workflow(s) not checked"
        lines.append(f"verify: {verdict}")
        return "\n".join(lines)


def fill(value: Any, run: str) -> Any:
    """`value` with every `{run}` in its strings replaced by the run's number."""
    if isinstance(value, str):
        return value.replace("{run}", run)
    if isinstance(value, Mapping):
        return {key: fill(item, run) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [fill(item, run) for item in value]
    return value


def _matches(outcome: Outcome, execution: execution_tree.Execution, run: str) -> bool:
    if execution.status != outcome.status:
        return False
    if outcome.output is not None and execution.output != fill(outcome.output, run):
        return False
    if outcome.error is not None and execution.error != outcome.error:
        return False
    if outcome.cause is not None and execution.cause != outcome.cause:
        return False
    outputs = {step.name: step.output for step in execution.every_step()}
    return all(
        state in outputs and outputs[state] == fill(expected, run) for state, expected in outcome.state_outputs.items()
    )


def check_smoke_test(runs: Runs, spec: WorkflowSpec, report: Report, *, max_runs: int | None = None) -> None:
    """Run the workflow until every outcome of its smoke test was seen (or the runs run out)."""
    test = spec.smoke_test
    assert test is not None
    allowed = max_runs or test.max_runs
    wanted = [outcome.name for outcome in test.outcomes]
    seen: set[str] = set()
    for attempt in range(1, allowed + 1):
        run = f"{attempt:03d}"
        try:
            execution = runs.start(fill(test.input, run))
        except TimeoutError as error:
            report.add(f"{spec.name} run", False, f"run {run} did not end in time: {error}")
            return
        matched = [outcome.name for outcome in test.outcomes if _matches(outcome, execution, run)]
        if not matched:
            detail = f"run {run} ended {execution.status}"
            detail += f" with error {execution.error!r}: {execution.cause}" if execution.error else ""
            detail += f" with cause {execution.cause!r}" if execution.cause and not execution.error else ""
            detail += f", output {json.dumps(execution.output)}" if execution.output is not None else ""
            path = " > ".join(execution.path)
            report.add(f"{spec.name} run", False, f"{detail}; expected one of {', '.join(wanted)} (path: {path})")
            return
        seen.update(matched)
        if seen >= set(wanted):
            report.add(f"{spec.name} outcomes", True, f"{' and '.join(wanted)} all seen in {attempt} run(s)")
            return
    missing = [name for name in wanted if name not in seen]
    report.add(
        f"{spec.name} outcomes",
        False,
        f"{', '.join(missing)} not seen in {allowed} run(s); expected every one of {', '.join(wanted)}",
    )


def _window(expression: str) -> tuple[str, timedelta | None]:
    """(kind, how far back the last run must lie) for a working schedule: two intervals, at
    least RECENT; None for a one-time schedule."""
    try:
        parsed = parse_schedule(expression)
    except ScheduleExpressionError:
        return "unknown", None
    if parsed.kind == "rate" and parsed.rate_seconds is not None:
        return "rate", max(RECENT, 2 * timedelta(seconds=parsed.rate_seconds))
    if parsed.kind == "cron":
        runs = runs_per_month(parsed)
        if runs > 0:
            return "cron", min(max(RECENT, 2 * timedelta(days=30) / runs), LONGEST_LOOK_BACK)
    return parsed.kind, None


def check_schedule(
    runs: Runs,
    scheduler: Any,
    spec: WorkflowSpec,
    entry: WorkflowOutput[str],
    report: Report,
    *,
    wait_seconds: float = 0,
    now: datetime | None = None,
) -> None:
    """The schedule is enabled (or disabled, as configured) and targets the state machine; the runs
    it started lately succeeded. Runs `ops` started itself (named run-...) are not the schedule's."""
    name, arn, planned = spec.name, entry.state_machine_arn, entry.schedule
    if planned is None:
        raise ValueError(f"{name}: its entry of the stack outputs names no schedule to check")
    schedule = scheduler.get_schedule(Name=planned.name, GroupName=planned.group)
    target = schedule["Target"]
    if target["Arn"] != arn:
        report.add(f"{name} schedule", False, f"the schedule targets {target['Arn']}, not {arn}")
        return
    state = schedule.get("State")
    if state != "ENABLED":
        configured_off = not planned.enabled
        detail = "DISABLED, as this stack configures it; its runs are not checked" if configured_off else (
            f"the schedule is {state}; it starts nothing"
        )  # fmt: skip
        report.add(f"{name} schedule", configured_off and state == "DISABLED", detail)
        return
    expression = schedule.get("ScheduleExpression", "")
    report.add(f"{name} schedule", True, f"ENABLED, {expression}, targets {arn.rsplit(':', 1)[-1]}")
    expected_input = json.loads(target.get("Input") or "{}")
    expected = spec.schedule.expected_output if spec.schedule else None
    expected_output = {**expected_input, **expected} if expected is not None else None
    kind, window = _window(expression)
    now = now or datetime.now(UTC)
    since = now - (window or LONGEST_LOOK_BACK)

    def scheduled(after: datetime, most: int | None = None) -> list[Summary]:
        # The listing is newest first and read lazily: taking `most` stops the reading there.
        theirs = (summary for summary in runs.recent(after) if not summary.name.startswith(OPS_RUN_PREFIX))
        return list(itertools.islice(theirs, most))

    # Without a window (a one-time schedule) only the latest run matters.
    most = None if window is not None else 1
    recent = scheduled(since, most)
    deadline = time.monotonic() + wait_seconds
    while not recent and time.monotonic() < deadline:
        time.sleep(2)
        recent = scheduled(since, most)
    if not recent:
        _no_recent_run(
            report,
            name,
            kind,
            expression,
            since=since,
            last=lambda: next(iter(scheduled(now - LONGEST_LOOK_BACK, 1)), None),
        )
        return
    checked = running = 0
    for summary in recent:
        execution = runs.read(summary.arn, summary.started)
        if execution.status == "RUNNING":
            running += 1
            continue
        checked += 1
        if execution.status != "SUCCEEDED" or (expected_output is not None and execution.output != expected_output):
            wanted = f"; expected {json.dumps(expected_output)}" if expected_output is not None else ""
            report.add(
                f"{name} scheduled executions",
                False,
                f"{summary.name} ended {execution.status} with output {json.dumps(execution.output)}{wanted}",
            )
            return
    if not checked:
        report.add(f"{name} scheduled executions", False, f"{running} recent execution(s), all still running")
        return
    what = f"each output {expected_output}" if expected_output is not None else "each SUCCEEDED"
    skipped = f" ({running} still running, not checked)" if running else ""
    scope = "recent execution(s)" if window is not None else "latest execution"
    report.add(f"{name} scheduled executions", True, f"{checked} {scope} checked, {what}{skipped}")


def _no_recent_run(
    report: Report, name: str, kind: str, expression: str, *, since: datetime, last: Callable[[], Summary | None]
) -> None:
    """`last` reads the latest run before `since`, only where the report needs it: a rate schedule
    with no recent run has failed whenever it last ran."""
    check = f"{name} scheduled executions"
    if kind == "rate":
        report.add(check, False, f"no execution started since {since:%H:%M:%S} UTC")
    elif (previous := last()) is not None:
        report.add(
            check,
            False,
            f"the last run started {previous.started:%Y-%m-%d %H:%M} UTC; {expression} should have fired since",
        )
    else:
        report.add(check, True, f"none yet; {expression} may not have fired")


def verify(
    catalogue: tuple[WorkflowSpec, ...],
    deployed: Mapping[str, WorkflowOutput[str]],
    *,
    scheduler: Any,
    runs_of: Callable[[WorkflowOutput[str]], Runs],
    max_runs: int | None = None,
    wait_seconds: float = 0,
) -> Report:
    """Every workflow of `catalogue`, as the `workflows` stack output (`deployed`) names it;
    `runs_of` gives the executions of one entry (ops.runs.runs_for)."""
    report = Report()
    for spec in catalogue:
        entry = deployed.get(spec.name)
        if entry is None:
            report.add(spec.name, False, "not in the stack outputs; deploy this version of the program first")
            continue
        runs = runs_of(entry)
        if entry.schedule is not None:
            check_schedule(runs, scheduler, spec, entry, report, wait_seconds=wait_seconds)
        elif spec.schedule is not None:
            report.add(
                f"{spec.name} schedule",
                False,
                "the catalogue gives it a schedule, but the stack outputs name none; "
                "deploy this version of the program first",
            )
        if spec.smoke_test is not None:
            check_smoke_test(runs, spec, report, max_runs=max_runs)
        elif spec.schedule is None and entry.schedule is None:
            report.skip(
                spec.name,
                "no schedule and no smoke test in its catalogue entry, so nothing runs it here; "
                "give its entry in workflows/catalogue.py a smoke_test to have verify run it",
            )
    return report
