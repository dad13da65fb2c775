"""Monthly cost estimate of the workflows, from their definitions and the stack config.

Counts executions per month from the schedule expression, state transitions
per execution from the definition (every path for a Choice), and Lambda
requests and GB-seconds from memory, architecture and a stated duration.
Prices are constants with their source and date and can be overridden;
free tiers are applied once per month (they are per account, so a shared
account sees less of them).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from workflows.definition import WorkflowDefinition
from workflows.integrations import is_lambda_task
from workflows.schedule import parse, runs_per_month
from workflows.spec import (
    FUNCTION_ARCHITECTURE,
    FUNCTION_MEMORY_MB,
    ON_DEMAND_EXECUTIONS_PER_MONTH,
    FunctionSpec,
    WorkflowSpec,
)

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
    lambda_memory_mb: int = FUNCTION_MEMORY_MB
    """For a Lambda task whose function is not in the catalogue (a literal ARN)."""
    lambda_architecture: str = FUNCTION_ARCHITECTURE
    express_duration_ms_per_state: int = 50
    """Express workflows bill duration; a Pass or Choice state takes milliseconds."""
    executions_per_month: Mapping[str, float] = field(default_factory=dict)
    """Workflow name -> on-demand runs a month, over the catalogue's assumption (`ops cost --executions`)."""


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
    return runs_per_month(parse(expression), DAYS_IN_MONTH)


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


def _lambda_tasks(states: dict[str, Any], path: list[str], functions: Mapping[str, FunctionSpec]) -> int:
    return sum(1 for name in path if is_lambda_task(states[name], set(functions)))


# --- the estimate -------------------------------------------------------------------


def estimate(
    name: str,
    definition: WorkflowDefinition,
    executions: float,
    *,
    scheduled: bool,
    functions: Mapping[str, FunctionSpec] | None = None,
    prices: Prices = Prices(),
    assumptions: Assumptions = Assumptions(),
) -> WorkflowCost:
    """One workflow's month; a workflow with several paths is priced on its longest.
    `functions` maps the definition's function placeholders to their specs."""
    functions = functions or {}
    routes = paths(definition)
    transitions = {end: len(path) for end, path in routes.items()}
    states = definition.document["States"]
    lambdas = {end: _lambda_tasks(states, path, functions) for end, path in routes.items()}
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


class _Schedule(Protocol):
    @property
    def expression(self) -> str: ...
    @property
    def enabled(self) -> bool: ...


class _Configured(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def schedule(self) -> _Schedule | None: ...


class StackSettingsLike(Protocol):
    """What the estimate reads of a stack's settings (settings.StackSettings)."""

    def workflow(self, spec: WorkflowSpec, /) -> _Configured: ...


def executions_of(spec: WorkflowSpec, configured: _Configured, assumptions: Assumptions = Assumptions()) -> float:
    """Runs a month: the schedule's, else the on-demand assumption (the user's, the catalogue's, the default)."""
    if spec.name in assumptions.executions_per_month:
        return assumptions.executions_per_month[spec.name]
    if configured.schedule is not None:
        return executions_per_month(configured.schedule.expression, configured.schedule.enabled)
    return spec.executions_per_month if spec.executions_per_month is not None else ON_DEMAND_EXECUTIONS_PER_MONTH


def stack_estimate(
    catalogue: tuple[WorkflowSpec, ...],
    settings: StackSettingsLike,
    *,
    prices: Prices = Prices(),
    assumptions: Assumptions = Assumptions(),
) -> dict[str, Any]:
    """Every workflow of a stack, as plain data (a stack output and `ops cost`)."""
    workflows = []
    remaining = prices
    for spec in catalogue:
        configured = settings.workflow(spec)
        priced = estimate(
            spec.name,
            spec.load_definition(),
            executions_of(spec, configured, assumptions),
            scheduled=configured.schedule is not None,
            functions=spec.function_placeholders,
            prices=remaining,
            assumptions=assumptions,
        )
        workflows.append(priced)
        # The free tiers are per account and month: workflows earlier in the catalogue use them first.
        used = priced.executions_per_month * max(priced.transitions_per_execution.values())
        remaining = replace(
            remaining, standard_free_transitions=max(0, remaining.standard_free_transitions - int(used))
        )
    return {
        "currency": "USD",
        "month_days": DAYS_IN_MONTH,
        "workflows": {w.name: asdict(w) for w in workflows},
        "total_standard_usd": round(sum(w.standard_usd + w.lambda_usd + w.scheduler_usd for w in workflows), 4),
        "total_express_usd": round(sum(w.express_usd + w.lambda_usd + w.scheduler_usd for w in workflows), 4),
        "assumptions": asdict(assumptions),
        "prices_as_of": "2026-11-21",
    }
