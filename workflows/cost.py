"""Monthly cost estimate of the workflows, from their definitions and the stack config.

Counts executions per month from the schedule expression, state transitions
per execution from the definition (every path for a Choice), and Lambda
requests and GB-seconds from memory, architecture and a stated duration.
Prices are constants with their source and date and can be overridden;
free tiers are applied once per month (they are per account, so a shared
account sees less of them).
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from workflows.definition import WorkflowDefinition
from workflows.schedule import ScheduleExpression, parse

DAYS_IN_MONTH = 30
MINUTES_IN_MONTH = DAYS_IN_MONTH * 24 * 60


@dataclass(frozen=True)
class Prices:
    """US East (N. Virginia) list prices, from the AWS pricing pages for Step Functions,
    Lambda and EventBridge Scheduler, as read on 2026-11-21. Override any of them
    with `dataclasses.replace` or `ops cost --price NAME=VALUE`."""

    standard_per_transition: float = 0.000025
    standard_free_transitions: int = 4_000
    express_per_request: float = 0.000001
    express_per_gb_second: float = 0.00001667
    express_min_memory_gb: float = 0.0625
    """Express bills memory in 64 MB steps, at least one."""
    express_billing_ms: int = 100
    lambda_per_request: float = 0.0000002
    lambda_free_requests: int = 1_000_000
    lambda_per_gb_second_arm64: float = 0.0000133334
    lambda_per_gb_second_x86_64: float = 0.0000166667
    lambda_free_gb_seconds: int = 400_000
    scheduler_per_invocation: float = 0.000001
    scheduler_free_invocations: int = 14_000_000


@dataclass(frozen=True)
class Assumptions:
    lambda_duration_ms: int = 100
    """Billed duration of one handler invocation."""
    lambda_memory_mb: int = 128
    lambda_architecture: str = "arm64"
    express_duration_ms_per_state: int = 50
    """Express workflows bill duration; a Pass or Choice state takes milliseconds."""
    call_center_executions_per_month: int = 1_000
    """The call center runs on demand; this is the volume priced."""


@dataclass(frozen=True)
class WorkflowCost:
    name: str
    executions_per_month: float
    transitions_per_execution: dict[str, int]
    lambda_requests_per_execution: dict[str, int]
    standard_usd: float
    express_usd: float
    lambda_usd: float
    scheduler_usd: float
    notes: list[str] = field(default_factory=list)


# --- executions per month ------------------------------------------------------


def executions_per_month(expression: str, enabled: bool = True) -> float:
    """How often a schedule fires in a 30-day month (0 when disabled)."""
    if not enabled:
        return 0
    parsed = parse(expression)
    if parsed.kind == "rate":
        assert parsed.rate_seconds is not None
        return MINUTES_IN_MONTH * 60 / parsed.rate_seconds
    if parsed.kind == "at":
        return 1
    return _cron_per_month(parsed)


_DAY_NAMES = {name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
_MONTH_NAMES = {name.upper(): n for n, name in enumerate(calendar.month_abbr) if name}


def _expand(field_text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    """The values a numeric cron field matches; `?` and `*` match all."""
    values: set[int] = set()
    for item in field_text.split(","):
        part = item.upper()
        for name, number in (names or {}).items():
            part = re.sub(rf"\b{name}\b", str(number), part)
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            start, end = (int(p) for p in part.split("-", 1))
        elif part.isdigit():
            start, end = int(part), int(part) if step == 1 else high
        else:
            # L, W and # pick about one day a month (or week); counted as one.
            return {low}
        values.update(range(start, end + 1, step))
    return values


def _cron_per_month(parsed: ScheduleExpression) -> float:
    minutes, hours, day_of_month, month, day_of_week, _year = parsed.cron_fields
    per_day = len(_expand(minutes, 0, 59)) * len(_expand(hours, 0, 23))
    months_a_year = len(_expand(month, 1, 12, _MONTH_NAMES))
    if day_of_month != "?":
        days = len(_expand(day_of_month, 1, 31)) * DAYS_IN_MONTH / 31 if day_of_month not in ("*",) else DAYS_IN_MONTH
    else:
        days = len(_expand(day_of_week, 1, 7, _DAY_NAMES)) * DAYS_IN_MONTH / 7
    return per_day * days * months_a_year / 12


# --- transitions from the definition ---------------------------------------------


def paths(definition: WorkflowDefinition) -> dict[str, list[str]]:
    """Every path from StartAt to an end, named by its last state; loops are cut."""
    document = definition.document
    states: dict[str, Any] = document["States"]
    found: dict[str, list[str]] = {}

    def walk(name: str, taken: list[str]) -> Iterator[list[str]]:
        if name in taken:
            return
        path = [*taken, name]
        state = states[name]
        following = [rule["Next"] for rule in state.get("Choices", [])]
        following += [state[key] for key in ("Next", "Default") if key in state]
        if not following:
            yield path
        for nxt in dict.fromkeys(following):
            yield from walk(nxt, path)

    for path in walk(document["StartAt"], []):
        found.setdefault(path[-1], path)
    return found


def _is_lambda_task(state: dict[str, Any]) -> bool:
    # A Lambda ARN, the lambda:invoke integration, or a `${...FunctionArn}` placeholder.
    resource = str(state.get("Resource", "")).lower()
    return state.get("Type") == "Task" and ("lambda" in resource or "functionarn" in resource)


def _lambda_tasks(states: dict[str, Any], path: list[str]) -> int:
    return sum(1 for name in path if _is_lambda_task(states[name]))


# --- the estimate -------------------------------------------------------------------


def estimate(
    name: str,
    definition: WorkflowDefinition,
    executions: float,
    *,
    scheduled: bool,
    prices: Prices = Prices(),
    assumptions: Assumptions = Assumptions(),
) -> WorkflowCost:
    """One workflow's month; a workflow with several paths is priced on its longest."""
    routes = paths(definition)
    transitions = {end: len(path) for end, path in routes.items()}
    states = definition.document["States"]
    lambdas = {end: _lambda_tasks(states, path) for end, path in routes.items()}
    worst = max(transitions.values())
    lambda_calls = max(lambdas.values())

    billable = max(0.0, executions * worst - prices.standard_free_transitions)
    standard = billable * prices.standard_per_transition

    lambda_ms = lambda_calls * assumptions.lambda_duration_ms
    express_ms = worst * assumptions.express_duration_ms_per_state + lambda_ms
    billed_seconds = math.ceil(express_ms / prices.express_billing_ms) * prices.express_billing_ms / 1000
    express = executions * (
        prices.express_per_request + billed_seconds * prices.express_min_memory_gb * prices.express_per_gb_second
    )

    requests = executions * lambda_calls
    gb_seconds = requests * assumptions.lambda_duration_ms / 1000 * assumptions.lambda_memory_mb / 1024
    per_gb_second = (
        prices.lambda_per_gb_second_arm64
        if assumptions.lambda_architecture == "arm64"
        else prices.lambda_per_gb_second_x86_64
    )
    lambda_usd = (
        max(0.0, requests - prices.lambda_free_requests) * prices.lambda_per_request
        + max(0.0, gb_seconds - prices.lambda_free_gb_seconds) * per_gb_second
    )

    scheduler = (
        max(0.0, executions - prices.scheduler_free_invocations) * prices.scheduler_per_invocation if scheduled else 0.0
    )
    notes = [f"priced on the longest path ({worst} transitions)"] if len(routes) > 1 else []
    return WorkflowCost(
        name=name,
        executions_per_month=executions,
        transitions_per_execution=transitions,
        lambda_requests_per_execution=lambdas,
        standard_usd=round(standard, 4),
        express_usd=round(express, 4),
        lambda_usd=round(lambda_usd, 4),
        scheduler_usd=round(scheduler, 4),
        notes=notes,
    )


def stack_estimate(
    schedule_expression: str,
    schedule_enabled: bool,
    scheduled_definition: WorkflowDefinition,
    call_center_definition: WorkflowDefinition,
    *,
    prices: Prices = Prices(),
    assumptions: Assumptions = Assumptions(),
) -> dict[str, Any]:
    """Both workflows of a stack, as plain data (a stack output and `ops cost`)."""
    scheduled = estimate(
        "scheduled",
        scheduled_definition,
        executions_per_month(schedule_expression, schedule_enabled),
        scheduled=True,
        prices=prices,
        assumptions=assumptions,
    )
    # The free tiers are per account and month: the scheduled workflow uses them first.
    used = scheduled.executions_per_month * max(scheduled.transitions_per_execution.values())
    remaining = replace(prices, standard_free_transitions=max(0, prices.standard_free_transitions - int(used)))
    call_center = estimate(
        "call-center",
        call_center_definition,
        assumptions.call_center_executions_per_month,
        scheduled=False,
        prices=remaining,
        assumptions=assumptions,
    )
    workflows = [scheduled, call_center]
    return {
        "currency": "USD",
        "month_days": DAYS_IN_MONTH,
        "workflows": {w.name: asdict(w) for w in workflows},
        "total_standard_usd": round(sum(w.standard_usd + w.lambda_usd + w.scheduler_usd for w in workflows), 4),
        "total_express_usd": round(sum(w.express_usd + w.lambda_usd + w.scheduler_usd for w in workflows), 4),
        "assumptions": asdict(assumptions),
        "prices_as_of": "2026-11-21",
    }
