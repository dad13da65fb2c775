"""Executions as text a person can read at a glance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ops import execution_tree
from ops.aws import explain
from ops.execution_tree import Block, Event, Execution, MapRun, Step, execution_name
from serverless_workflows.asl.asl_language import WORKFLOW_TYPES

MAX_ITERATIONS = 20
"""Map iterations shown per Map; failed ones are always shown."""

MAP_RUN_NOTE = (
    "its items ran as child executions, not shown here: `aws stepfunctions list-executions --map-run-arn` lists them"
)
EXPRESS_CHILD_NOTE = "an Express child execution: its states are in the Map's CloudWatch Logs group, not shown here"

_STEP_INDENT = 7
"""From a step's number to its detail lines: "1. [ok] " less the step's pad."""


def _text(value: Any) -> str:
    # Text as written: non-ASCII stays itself rather than \u escapes.
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False) if not isinstance(value, str) else value


def _compact(value: Any, limit: int = 160) -> str:
    text = _text(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cause(cause: str | None) -> str:
    """A Lambda error's cause is its JSON error report; its message is what a person needs."""
    if not cause:
        return "-"
    try:
        report = json.loads(cause)
    except json.JSONDecodeError:
        return _compact(cause)
    return _compact(report.get("errorMessage", cause) if isinstance(report, dict) else cause)


def _error(error: str | None, cause: str | None, *, as_written: bool = False) -> str:
    """`Error: cause`, or whichever of the two was given: a Fail state may name only one."""
    # A Fail state's cause is the workflow author's message, written for this reader: all of it.
    message = _text(cause) if as_written and cause else (_cause(cause) if cause else None)
    if error and message:
        return f"{error}: {message}"
    return error or message or "-"


def _error_label(error: str | None, cause: str | None) -> str:
    # A Fail state may give only a Cause (the call center's "Engage Tier 2 Support."): it is not an error name.
    return "cause" if cause and not error else "error"


def _mark(step: Step) -> str:
    if step.failed:
        return "x"
    return ".." if step.open else "ok"


def _block_mark(block: Block) -> str:
    return "x" if block.failed else ("ok" if block.status == "SUCCEEDED" else "..")


def _where_failed(steps: list[Step]) -> list[Step]:
    """The failed states with no failed state inside them: where a failure began."""
    found: list[Step] = []
    for step in steps:
        inner = [s for b in step.blocks for s in _where_failed(b.steps)]
        found += inner or ([step] if step.failed else [])
    return found


def _where_stopped(steps: list[Step]) -> list[Step]:
    """The open states with no open state inside them: where a timeout or an abort, which no
    state's own event records, found the execution."""
    found: list[Step] = []
    for step in steps:
        inner = [s for b in step.blocks for s in _where_stopped(b.steps)]
        found += inner or ([step] if step.open else [])
    return found


def _steps(lines: list[str], steps: list[Step], pad: str, previous: Any, *, show_data: bool, command: str) -> None:
    for number, step in enumerate(steps, start=1):
        took = f"  {step.duration_ms} ms" if step.duration_ms is not None else ""
        retried = f"  (retried {step.retries}x)" if step.retries else ""
        here = ""
        if step.failed and number < len(steps):
            here = "   <-- failed, caught"  # the sequence went on: a Catch took the failure
        elif step.failed and not any(b.failed for b in step.blocks):
            here = "   <-- failed here"
        lines.append(f"{pad}{number}. [{_mark(step):>2}] {step.name} ({step.type}){took}{retried}{here}")
        detail = pad + " " * _STEP_INDENT
        # A state's input is usually the previous output; show it only where the data changed hands differently.
        if show_data and step.input is not None and step.input != previous:
            lines.append(f"{detail}<- {_compact(step.input)}")
        previous = step.output
        # A caught Fail state's error and cause reach no event of the history: nothing to show.
        if step.error or step.cause:
            shown = _error(step.error, step.cause, as_written=step.type == "Fail")
            lines.append(f"{detail}{_error_label(step.error, step.cause)} {shown}")
        elif show_data and step.output is not None:
            lines.append(f"{detail}-> {_compact(step.output)}")
        if step.map_run_arn:
            # A Distributed Map's items run as child executions, each with a history of its own.
            lines.append(f"{detail}map run {step.map_run_arn}")
            if step.map_run is None:
                lines.append(f"{detail}{MAP_RUN_NOTE}")
            else:
                _children(lines, step.map_run, detail, step.input, show_data=show_data, command=command)
        _blocks(lines, step, detail, show_data=show_data, command=command)


def _children(lines: list[str], run: MapRun, pad: str, previous: Any, *, show_data: bool, command: str) -> None:
    """A Map Run's child executions, each as a block like an inline Map's iteration, named as AWS lists it."""
    for child in run.children:
        took = f"  {child.duration_ms} ms" if child.duration_ms is not None else ""
        lines.append(f"{pad}[{_block_mark(child):>2}] {child.label}  {child.status}{took}")
        if run.express:
            lines.append(f"{pad}  {EXPRESS_CHILD_NOTE}")
        _steps(lines, child.steps, pad + "  ", previous, show_data=show_data, command=command)
    if run.more:
        lines.append(
            f"{pad}... and {run.more} more (list them with: aws stepfunctions list-executions --map-run-arn {run.arn})"
        )
    if run.problem is not None:
        lines.append(f"{pad}child executions not read: {explain(run.problem, command)}")


def _blocks(lines: list[str], step: Step, pad: str, *, show_data: bool, command: str) -> None:
    shown = step.blocks
    if step.type == "Map" and len(shown) > MAX_ITERATIONS:
        first = {id(b) for b in shown[:MAX_ITERATIONS]}
        shown = [b for b in shown if id(b) in first or b.failed]
    for block in shown:
        took = f"  {block.duration_ms} ms" if block.duration_ms is not None else ""
        lines.append(f"{pad}[{_block_mark(block):>2}] {block.label}{took}")
        _steps(lines, block.steps, pad + "  ", step.input, show_data=show_data, command=command)
    if len(shown) < len(step.blocks):
        lines.append(f"{pad}... {len(step.blocks) - len(shown)} more iterations not shown, none failed")


def execution(run: Execution, *, show_data: bool = True, command: str = "run") -> str:
    """The path state by state; a Parallel's branches, a Map's iterations and a Distributed Map's
    child executions nest under it. `command` is what an AWS error reading children names."""
    lines = [f"execution {execution_name(run.arn)}", f"  input   {_compact(run.input)}"]
    _steps(lines, run.steps, "  ", run.input, show_data=show_data, command=command)
    lines.append(f"  status  {run.status}")
    if run.status == "SUCCEEDED":
        lines.append(f"  output  {_compact(run.output)}")
    elif run.status in execution_tree.TERMINAL:
        began = _where_failed(run.steps)
        as_written = bool(began) and all(step.type == "Fail" for step in began)
        lines.append(f"  {_error_label(run.error, run.cause):<7} {_error(run.error, run.cause, as_written=as_written)}")
    return "\n".join(lines)


_HISTORY_FIELDS = ("name", "index", "length", "input", "output", "error", "cause", "mapRunArn")


def _event_line(event: Event, depth: int) -> str:
    shown = []
    for key, value in event.details.items():
        if key not in _HISTORY_FIELDS:
            continue
        # Input and output are JSON text as the service wrote it; show what they say.
        said = execution_tree.parse(value) if key in ("input", "output") and isinstance(value, str) else value
        # An ARN is for copying: whole or useless.
        shown.append(f"{key}={_text(said) if key.endswith('Arn') else _compact(said, 100)}")
    summary = "  " + ", ".join(shown) if shown else ""
    at = f"{event.timestamp:%H:%M:%S}" if event.timestamp else "--:--:--"
    return f"{event.id:>3} {at} {'  ' * depth}{event.type}{summary}"


def _history_block(lines: list[str], block: Block, depth: int) -> None:
    opens_after: dict[int, list[Block]] = {}
    for step in block.steps:
        for child in step.blocks:
            opens_after.setdefault(child.after_event, []).append(child)
    for event in sorted(block.events, key=lambda e: e.id):
        lines.append(_event_line(event, depth))
        for child in opens_after.pop(event.id, []):
            lines.append(f"{'':3} {'':8} {'  ' * depth}{child.label}")
            _history_block(lines, child, depth + 1)
    for children in opens_after.values():  # their opening event is missing, as in a log at level ERROR
        for child in children:
            lines.append(f"{'':3} {'':8} {'  ' * depth}{child.label}")
            _history_block(lines, child, depth + 1)


def history(
    events: Sequence[dict[str, Any]] | Sequence[Event], *, definition: str | dict[str, Any] | None = None
) -> str:
    """One line per event, each branch's and iteration's events together under it.

    Takes GetExecutionHistory events, or `Event`s from any source; with the
    definition, branches are numbered as in `ops run`. Ids keep the order in
    which things happened; concurrent branches interleave in it."""
    normalised = [e for e in events if isinstance(e, Event)] or execution_tree.from_history(
        [e for e in events if not isinstance(e, Event)]
    )
    lines: list[str] = []
    _history_block(lines, execution_tree.build(normalised, definition), 0)
    return "\n".join(lines)


_TYPE_NAMES = {"STANDARD": "Standard", "EXPRESS": "Express"}


def cost(stack: str, estimate: dict[str, Any]) -> str:
    """The estimate as a table: each workflow's Step Functions charge under both types and its
    Lambda charge, then its type and its whole month as deployed (its type, Lambda, scheduler)."""
    lines = [f"Monthly estimate for stack {stack!r} ({estimate['month_days']}-day month, USD, prices of "
             f"{estimate['prices_as_of']}):", ""]  # fmt: skip
    workflows: dict[str, Any] = estimate["workflows"]
    width = max([12, *(len(name) for name in workflows)])
    header = (
        f"  {'workflow':<{width}} {'runs/month':>11} {'transitions':>12} {'Standard':>9} {'Express':>8} {'Lambda':>7}"
        f"  {'type':<8} {'deployed':>8}"
    )
    lines += [header, "  " + "-" * (len(header) - 2)]
    for name, workflow in workflows.items():
        transitions = "/".join(str(n) for n in workflow["transitions_per_execution"].values())
        once = workflow.get("one_time_executions", 0) and not workflow["executions_per_month"]
        runs = "once" if once else f"{workflow['executions_per_month']:,.0f}"
        kind = _TYPE_NAMES.get(workflow.get("type", "STANDARD"), workflow.get("type"))
        lines.append(
            f"  {name:<{width}} {runs:>11} {transitions:>12} "
            f"{workflow['standard_usd']:>9.2f} {workflow['express_usd']:>8.2f} {workflow['lambda_usd']:>7.2f}"
            f"  {kind:<8} {workflow.get('deployed_usd', 0):>8.2f}"
        )
    watching = estimate.get("monitoring")
    if watching is not None:
        pages = watching["dashboards"]
        alarms = f"{watching['alarms']} alarms ${watching['alarms_usd']:.2f}"
        dashboards = f"{pages} dashboard page{'s' if pages != 1 else ''} ${watching['dashboards_usd']:.2f}"
        lines += ["", f"  CloudWatch: {alarms}, {dashboards} (in every total below)"]
    lines += ["", *_totals(estimate)]
    one_time = [(name, w) for name, w in workflows.items() if w.get("one_time_executions")]
    if one_time:
        lines.append("  One-time runs (at(...) schedules), not in the month's totals:")
        lines += [f"    {name}: ${w['one_time_usd']:.2f} once" for name, w in one_time]
    notes = [(name, note) for name, w in workflows.items() for note in w.get("notes", [])]
    if notes:
        lines += ["  Notes:", *(f"    {name}: {note}" for name, note in notes)]
    lines.append(
        "  Free tiers applied once per account and month; Lambda priced at "
        f"{estimate['assumptions']['lambda_duration_ms']} ms per call."
    )
    return "\n".join(lines)


def _totals(estimate: dict[str, Any]) -> list[str]:
    kinds = [w.get("type", "STANDARD") for w in estimate["workflows"].values()]
    counts = {kind: kinds.count(kind) for kind in WORKFLOW_TYPES if kind in kinds}
    if len(counts) == 1:
        (only,) = counts
        deployed = _TYPE_NAMES[only]
        other, key = ("Express", "total_express_usd") if only == "STANDARD" else ("Standard", "total_standard_usd")
        label = f"Total as deployed ({deployed}):"
        return [f"  {label} ${estimate.get('total_as_deployed_usd', estimate['total_standard_usd']):.2f}",
                f"  {f'Total if all were {other}:':<{len(label)}} ${estimate[key]:.2f}"]  # fmt: skip
    shown = ", ".join(f"{count} {_TYPE_NAMES[kind]}" for kind, count in counts.items())
    label = f"Total as deployed ({shown}):"
    return [
        f"  {label} ${estimate['total_as_deployed_usd']:.2f}",
        f"  {'Total if all were Standard:':<{len(label)}} ${estimate['total_standard_usd']:.2f}",
        f"  {'Total if all were Express:':<{len(label)}} ${estimate['total_express_usd']:.2f}",
    ]


_STOPPED = {"TIMED_OUT": "timed out", "ABORTED": "aborted"}


def failure(workflow: str, started: Any, run: Execution) -> str:
    """One failed execution in two lines: when, which, where it failed, and why."""
    where = [step for step in run.every_step() if step.failed]
    step = where[-1] if where else None
    if step is not None:
        failed_at = f"at state {step.name!r} ({step.type})"
    elif stopped := _where_stopped(run.steps):
        # A timeout or an abort ends the execution, not a state: the states it cut off stay open.
        states = ", ".join(f"{s.name!r} ({s.type})" for s in stopped)
        failed_at = f"{_STOPPED.get(run.status, 'stopped')} in state{'s' if len(stopped) > 1 else ''} {states}"
    else:
        failed_at = "before any state"
    error = _error(
        (step.error if step and step.error else None) or run.error,
        (step.cause if step and step.cause else None) or run.cause,
    )
    when = f"{started:%Y-%m-%d %H:%M:%S}" if hasattr(started, "strftime") else str(started)
    why = f": {error}" if error != "-" else ""
    return f"{workflow}  {when}  {run.status}  {execution_name(run.arn)}\n    {failed_at}{why}"
