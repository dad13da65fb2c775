"""Executions as text a person can read at a glance."""

from __future__ import annotations

import json
from typing import Any

from ops.executions import Execution


def _compact(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, separators=(", ", ": ")) if not isinstance(value, str) else value
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


def execution(run: Execution, *, show_data: bool = True) -> str:
    lines = [f"execution {run.arn.rsplit(':', 1)[-1]}", f"  input   {_compact(run.input)}"]
    previous_output = run.input
    for number, step in enumerate(run.steps, start=1):
        mark = "x" if step.failed else "ok"
        took = f"  {step.duration_ms} ms" if step.duration_ms is not None else ""
        here = "   <-- failed here" if step.failed else ""
        lines.append(f"  {number}. [{mark:>2}] {step.name} ({step.type}){took}{here}")
        # A state's input is usually the previous output; show it only where the data changed hands differently.
        if show_data and step.input is not None and step.input != previous_output:
            lines.append(f"         <- {_compact(step.input)}")
        previous_output = step.output
        if step.error:
            lines.append(f"         error {step.error}: {_cause(step.cause)}")
        elif show_data and step.output is not None:
            lines.append(f"         -> {_compact(step.output)}")
    lines.append(f"  status  {run.status}")
    if run.status == "SUCCEEDED":
        lines.append(f"  output  {_compact(run.output)}")
    else:
        lines.append(f"  error   {run.error or '-'}: {_cause(run.cause)}")
    return "\n".join(lines)


_HISTORY_FIELDS = ("name", "input", "output", "error", "cause")


def history(events: list[dict[str, Any]]) -> str:
    lines = []
    for event in events:
        details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        shown = [f"{k}={_compact(v, 100)}" for k, v in details.items() if k in _HISTORY_FIELDS]
        summary = "  " + ", ".join(shown) if shown else ""
        lines.append(f"{event['id']:>3} {event['timestamp']:%H:%M:%S} {event['type']}{summary}")
    return "\n".join(lines)


def cost(stack: str, estimate: dict[str, Any]) -> str:
    lines = [f"Monthly estimate for stack {stack!r} ({estimate['month_days']}-day month, USD, prices of "
             f"{estimate['prices_as_of']}):", ""]  # fmt: skip
    header = f"  {'workflow':<12} {'runs/month':>11} {'transitions':>12} {'Standard':>9} {'Express':>8} {'Lambda':>7}"
    lines += [header, "  " + "-" * (len(header) - 2)]
    for name, workflow in estimate["workflows"].items():
        transitions = "/".join(str(n) for n in workflow["transitions_per_execution"].values())
        lines.append(
            f"  {name:<12} {workflow['executions_per_month']:>11,.0f} {transitions:>12} "
            f"{workflow['standard_usd']:>9.2f} {workflow['express_usd']:>8.2f} {workflow['lambda_usd']:>7.2f}"
        )
    lines += [
        "",
        f"  Total as deployed (Standard): ${estimate['total_standard_usd']:.2f}",
        f"  Total if both were Express:   ${estimate['total_express_usd']:.2f}",
        "  Free tiers applied once per account and month; Lambda priced at "
        f"{estimate['assumptions']['lambda_duration_ms']} ms per call.",
    ]
    return "\n".join(lines)
