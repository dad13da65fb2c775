"""Monthly cost estimate of the workflows, from their definitions and the stack config.

What one execution uses is read off the definition, at every depth:

- State transitions (what a Standard workflow is billed for): one per state
  run. Every branch of a Parallel runs, so all of them count; a Map runs its
  item processor once per item (`WorkflowSpec.map_items`, or the length of a
  literal `Items` list), and nested Maps multiply. A Distributed Map adds one
  transition per child execution it starts; STANDARD children add their own
  transitions, EXPRESS children are billed as Express executions.
- Lambda requests and GB-seconds: every Task that invokes a function
  (`model.State.lambda_call`), inside branches and item processors too.
- Express duration and memory (what an Express workflow is billed for):
  wall-clock time from assumed state durations (branches and items run
  concurrently), rounded up to 100 ms, times the memory AWS's pricing page
  says an execution uses (50 MB + the definition + the payload for each
  Parallel branch and Map iteration), rounded up to 64 MB steps.

A Choice's rules and its Default are all walked; each way the workflow can end
is a path, and the month is priced on the most expensive one. A loop is not
cut: its states are counted `Assumptions.loop_iterations` times. Runs are
assumed to succeed: Catch edges are walked only where no end can be reached
without one, and retries are counted only if `Assumptions.retries_per_state`
says so.

Executions per month come from the schedule expression (an `at(...)` runs
once, and is priced as a one-time cost, not a monthly one), else from the
catalogue's on-demand assumption. Prices are constants with their source and
date and can be overridden; free tiers are applied once per month (they are
per account, so a shared account sees less of them), to the workflows in
catalogue order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Protocol

from serverless_workflows.asl import model
from serverless_workflows.asl.asl_checks import asl_findings
from serverless_workflows.asl.asl_language import MAX_NESTING, WORKFLOW_TYPES
from serverless_workflows.asl.definition import WorkflowDefinition
from serverless_workflows.asl.model import Machine, State
from serverless_workflows.asl.paths import Route, heaviest_routes
from serverless_workflows.asl.schedule import parse, runs_per_month
from serverless_workflows.asl.validate import check_asl
from serverless_workflows.defaults import ARCHITECTURES, FUNCTION_ARCHITECTURE, FUNCTION_MEMORY_MB
from serverless_workflows.monitoring_plan import MonitoringPlan, alarm_specs, dashboard_body, dashboard_pages
from workflows.monitored import monitored
from workflows.spec import (
    ON_DEMAND_EXECUTIONS_PER_MONTH,
    FunctionSpec,
    WorkflowSpec,
)

DAYS_IN_MONTH = 30
MINUTES_IN_MONTH = DAYS_IN_MONTH * 24 * 60

# AWS Step Functions pricing page, Express pricing examples: "Workflow memory utilized =
# 50 MB + state machine definition size + execution data size x Number of Parallel or Map Steps".
EXPRESS_BASE_MEMORY_MB = 50
# An Inline Map runs at most 40 iterations at once; a Distributed Map without MaxConcurrency
# runs up to 10,000 child executions at once (Step Functions developer guide, Map state).
INLINE_MAP_CONCURRENCY = 40
DISTRIBUTED_MAP_CONCURRENCY = 10_000


# When the prices were last read (the CloudWatch ones on 2026-12-07, the others on 2026-11-21).
PRICES_AS_OF = "2026-12-07"


class CostError(ValueError):
    """An assumption, price or count that cannot be priced: negative, not a number, or too large."""


@dataclass(frozen=True)
class Prices:
    """US East (N. Virginia) list prices, from the AWS pricing pages for Step Functions,
    Lambda and EventBridge Scheduler, as read on 2026-11-21, and CloudWatch's (below). Override
    any of them with `dataclasses.replace` or `ops cost --price NAME=VALUE`."""

    standard_per_transition: float = 0.000025
    standard_free_transitions: int = 4_000
    express_per_request: float = 0.000001
    express_per_gb_second: float = 0.00001667
    """The first tier ($0.06 a GB-hour, up to 1,000 GB-hours a month); larger use costs less per GB-second."""
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
    alarm_per_month: float = 0.10
    """A standard-resolution alarm, per alarm metric and month (each alarm here watches one metric).
    The free tier's count is from aws.amazon.com/cloudwatch/pricing, read 2026-12-07; the price
    from AWS's own statements of it, the pricing page's paid tier being unreadable offline."""
    free_alarms: int = 10
    dashboard_per_month: float = 3.00
    """A custom dashboard (each page of this stack's is one), per month; source as alarm_per_month."""
    free_dashboards: int = 3
    """Dashboards free each month, if each references at most `free_dashboard_metrics` metrics."""
    free_dashboard_metrics: int = 50


@dataclass(frozen=True)
class Assumptions:
    """What the definition does not say. Each is a number of at least 0 unless stated."""

    lambda_duration_ms: float = 100
    """Billed duration of one handler invocation."""
    lambda_memory_mb: float | None = None
    """None: each function's own `FunctionSpec.memory_mb`, 128 MB for a function not in the
    catalogue (a literal ARN). A number prices every function at that memory."""
    lambda_architecture: str | None = None
    """None: each function's own `FunctionSpec.architecture`, arm64 for a literal ARN.
    arm64 or x86_64 prices every function as that architecture."""
    express_duration_ms_per_state: float = 50
    """Express workflows bill duration; a Pass or Choice state takes milliseconds. Every state
    takes this, and a Task or Wait its own time on top."""
    task_duration_ms: float = 100
    """A Task that does not invoke a Lambda function (an SNS publish, a DynamoDB write...)."""
    wait_seconds: float = 60
    """A Wait whose time is not a literal `Seconds` (SecondsPath, Timestamp, a JSONata expression)."""
    loop_iterations: float = 3
    """A loop (states that lead back to themselves) goes round this many times: each of its
    states is counted this many times. At least 1."""
    retries_per_state: float = 0
    """Retries of each state that has a Retry; each one runs the state again (a transition, a
    Lambda request, its duration). Default: runs succeed first time."""
    express_payload_kb: float = 32
    """Execution data per Parallel branch or Map iteration, for an Express execution's memory
    (AWS's pricing example uses 32 KB)."""
    executions_per_month: Mapping[str, float] = field(default_factory=dict)
    """Workflow name -> on-demand runs a month, over the catalogue's assumption (`ops cost --executions`)."""


@dataclass(frozen=True)
class WorkflowCost:
    name: str
    executions_per_month: float
    transitions_per_execution: dict[str, float]
    """Path (named by the state it ends at) -> transitions of one execution along it."""
    lambda_requests_per_execution: dict[str, float]
    standard_usd: float
    """Step Functions' charge for the month were the workflow Standard."""
    express_usd: float
    """Step Functions' charge for the month were the workflow Express."""
    lambda_usd: float
    scheduler_usd: float
    notes: list[str] = field(default_factory=list)
    type: str = "STANDARD"
    """As deployed: STANDARD or EXPRESS."""
    deployed_usd: float = 0.0
    """The month as deployed: the charge of its type, Lambda and the scheduler."""
    one_time_executions: float = 0
    """Runs of a one-time `at(...)` schedule: not in the month's figures."""
    one_time_usd: float = 0.0
    """Those runs as deployed, at list prices (the month's free tiers may be used up)."""
    express_billed_ms: float = 0
    """Duration of one execution as Express bills it (the most expensive path)."""
    express_billed_memory_mb: float = 0
    express_possible: bool = True
    """False when Step Functions would refuse the definition as an Express workflow."""
    map_items: float = 10
    """Items each Map state is assumed to process per run (when its items are not listed)."""


# --- executions per month ------------------------------------------------------


def executions_per_month(expression: str, enabled: bool = True) -> float:
    """How often a schedule fires in a 30-day month (0 when disabled). An `at(...)` fires
    once in all: `stack_estimate` prices that run as a one-time cost."""
    if not enabled:
        return 0
    return runs_per_month(parse(expression), DAYS_IN_MONTH)


# --- checking the numbers ---------------------------------------------------------


def _number(what: str, value: object, least: float = 0) -> float:
    """`value` as a float, or CostError naming `what`: never an exception from the arithmetic later."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CostError(f"{what} must be a number, not {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise CostError(f"{what} is too large: {value!r}") from None
    if not math.isfinite(number) or number < least:
        raise CostError(f"{what} must be a number of at least {least:g}, not {value!r}")
    return number


def _check_prices(prices: Prices) -> None:
    for item in fields(prices):
        _number(f"price {item.name}", getattr(prices, item.name))
    for divisor in ("express_billing_ms", "express_min_memory_gb"):
        if getattr(prices, divisor) == 0:
            raise CostError(f"price {divisor} must be more than 0")


def _check_assumptions(assumptions: Assumptions) -> None:
    for name in ("lambda_duration_ms", "express_duration_ms_per_state", "task_duration_ms", "wait_seconds",
                 "retries_per_state", "express_payload_kb"):  # fmt: skip
        _number(f"assumption {name}", getattr(assumptions, name))
    _number("assumption loop_iterations", assumptions.loop_iterations, least=1)
    if assumptions.lambda_memory_mb is not None:
        _number("assumption lambda_memory_mb", assumptions.lambda_memory_mb)
    if assumptions.lambda_architecture not in (None, *ARCHITECTURES):
        raise CostError(
            f"assumption lambda_architecture must be arm64 or x86_64, not {assumptions.lambda_architecture!r}"
        )
    if not isinstance(assumptions.executions_per_month, Mapping):
        raise CostError("assumption executions_per_month must map workflow names to numbers")
    for name, runs in assumptions.executions_per_month.items():
        _number(f"executions_per_month of {name!r}", runs)


def _ceil(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise CostError(f"{what} is too large to estimate")
    # A float again: a Python int has no upper bound, and one too large for a float raises later.
    return float(math.ceil(value))


def _whole(value: float) -> float:
    """An integral count as an int, so that reports and JSON show 2, not 2.0."""
    if isinstance(value, int):
        return value
    return int(value) if math.isfinite(value) and value.is_integer() else value


# --- what one execution uses --------------------------------------------------------


@dataclass(frozen=True)
class _Use:
    """What running some states uses. Everything adds up along a path, except duration
    inside a Parallel or Map, where branches and items run at the same time."""

    transitions: float = 0
    lambda_requests: float = 0
    lambda_gb_seconds_arm64: float = 0
    lambda_gb_seconds_x86_64: float = 0
    duration_ms: float = 0
    steps: float = 0
    """Parallel branches and Map iterations: what an Express execution's memory grows with."""
    child_requests: float = 0
    """Express child executions started by Distributed Maps."""
    child_gb_seconds: float = 0

    def __add__(self, other: _Use) -> _Use:
        return _Use(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def times(self, factor: float) -> _Use:
        return _Use(*(value * factor for value in self._values()))

    def most(self, other: _Use) -> _Use:
        """Each quantity at its larger: the most expensive of two ways, whichever it is billed by."""
        return _Use(*(max(a, b) for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[float, ...]:
        return tuple(getattr(self, item.name) for item in fields(self))


class _Reader:
    """Reads what one execution of a definition uses; `routes` is its entry point."""

    def __init__(
        self,
        functions: Mapping[str, FunctionSpec],
        assumptions: Assumptions,
        map_items: float,
        prices: Prices,
        definition_kb: float,
    ) -> None:
        self.functions = functions
        self.assumptions = assumptions
        self.map_items = map_items
        self.prices = prices
        self.definition_kb = definition_kb
        self.loops = False
        self.listed_items_only = True
        self.through_catch = False

    # A machine: its paths ------------------------------------------------------------

    def routes(self, machine: Machine, depth: int = 0) -> dict[str, Route[_Use]]:
        """End state -> the most a path to it uses."""
        walk = heaviest_routes(machine, lambda state: self.state(state, depth), self.assumptions.loop_iterations)
        self.loops = self.loops or walk.loops
        self.through_catch = self.through_catch or walk.through_catch
        return walk.routes

    def worst(self, machine: Machine, depth: int) -> _Use:
        most = _Use()
        for route in self.routes(machine, depth).values():
            most = most.most(route.weight)
        return most

    # A state -----------------------------------------------------------------------

    def state(self, state: State, depth: int) -> _Use:
        kind = state.type
        use = _Use(transitions=1, duration_ms=self.assumptions.express_duration_ms_per_state)
        if kind == "Task":
            use += self.task(state)
        elif kind == "Wait":
            use += _Use(duration_ms=self.wait_ms(state.fields))
        elif kind == "Parallel":
            use += self.parallel(state, depth)
        elif kind == "Map":
            use += self.map(state, depth)
        retry = state.fields.get("Retry")
        if isinstance(retry, list) and retry:
            use = use.times(1 + self.assumptions.retries_per_state)
        return use

    def task(self, state: State) -> _Use:
        a = self.assumptions
        call = state.lambda_call(self.functions)
        if call is None:
            return _Use(duration_ms=a.task_duration_ms)
        function = self.functions[call.function] if call.function else None
        memory = a.lambda_memory_mb
        if memory is None:
            memory = (
                _number(f"function {function.name!r} memory_mb", function.memory_mb) if function else FUNCTION_MEMORY_MB
            )
        architecture = a.lambda_architecture or (function.architecture if function else FUNCTION_ARCHITECTURE)
        gb_seconds = a.lambda_duration_ms / 1000 * memory / 1024
        if architecture == "arm64":
            return _Use(lambda_requests=1, lambda_gb_seconds_arm64=gb_seconds, duration_ms=a.lambda_duration_ms)
        return _Use(lambda_requests=1, lambda_gb_seconds_x86_64=gb_seconds, duration_ms=a.lambda_duration_ms)

    def wait_ms(self, state: Mapping[str, Any]) -> float:
        seconds = state.get("Seconds")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and 0 <= seconds < math.inf:
            return float(seconds) * 1000
        return self.assumptions.wait_seconds * 1000

    def parallel(self, state: State, depth: int) -> _Use:
        branches = [self.worst(branch, depth + 1) for branch in state.machines]
        total = _Use(steps=len(branches))
        for branch in branches:
            total += replace(branch, duration_ms=0)
        # Branches run at the same time: the state lasts as long as its slowest branch.
        return replace(total, duration_ms=max((b.duration_ms for b in branches), default=0))

    def map(self, map_state: State, depth: int) -> _Use:
        processor = map_state.processor
        if processor is None:
            return _Use()
        state = map_state.fields
        if isinstance(state.get("Items"), list):
            items = float(len(state["Items"]))
        else:
            items = self.map_items
            self.listed_items_only = False
            reader = state.get("ItemReader")
            config = reader.get("ReaderConfig") if isinstance(reader, dict) else None
            most = _positive_int(config.get("MaxItems")) if isinstance(config, dict) else None
            items = min(items, most) if most else items
        distributed = processor.distributed
        each = self.worst(processor, depth + 1)
        limit = _positive_int(state.get("MaxConcurrency"))
        at_once = (
            (limit or DISTRIBUTED_MAP_CONCURRENCY)
            if distributed
            else min(limit or INLINE_MAP_CONCURRENCY, INLINE_MAP_CONCURRENCY)
        )
        if not distributed:
            # Items run `at_once` at a time: the Map lasts as many item durations as it takes waves.
            waves = _ceil(items / at_once, "the number of Map items")
            return replace(each.times(items), duration_ms=waves * each.duration_ms, steps=items * (1 + each.steps))
        batcher = state.get("ItemBatcher")
        batch = _positive_int(batcher.get("MaxItemsPerBatch")) if isinstance(batcher, dict) else None
        children = _ceil(items / batch, "the number of Map items") if batch else items
        # Each child execution has its own memory: the parent's does not grow with them.
        use = replace(
            each.times(children),
            transitions=children * (1 + each.transitions),
            duration_ms=_ceil(children / at_once, "the number of Map items") * each.duration_ms,
            steps=0,
        )
        if processor.execution_type == "EXPRESS":
            # Each child is an Express execution of its own: billed by request and duration, not transitions.
            billed = self.express_gb_seconds(each)
            use = replace(
                use,
                transitions=children,
                child_requests=children * (1 + each.child_requests),
                child_gb_seconds=children * (billed + each.child_gb_seconds),
            )
        return use

    def express_billed(self, use: _Use) -> tuple[float, float]:
        """(billed milliseconds, billed MB) of one Express execution that uses `use`."""
        step_ms = self.prices.express_billing_ms
        billed_ms = _ceil(use.duration_ms / step_ms, "an Express execution's duration") * step_ms
        memory_mb = (
            EXPRESS_BASE_MEMORY_MB
            + (self.definition_kb + self.assumptions.express_payload_kb * max(1.0, use.steps)) / 1024
        )
        step_mb = self.prices.express_min_memory_gb * 1024
        billed_mb = max(1, _ceil(memory_mb / step_mb, "an Express execution's memory")) * step_mb
        return float(billed_ms), billed_mb

    def express_gb_seconds(self, use: _Use) -> float:
        billed_ms, billed_mb = self.express_billed(use)
        return billed_ms / 1000 * billed_mb / 1024


def _as_express_too(document: object) -> bool:
    """Whether the ASL checks find nothing more in `document` as an Express workflow than as a Standard one."""
    standard = {str(problem) for problem in asl_findings(document, workflow_type="STANDARD")}
    return all(str(problem) in standard for problem in asl_findings(document, workflow_type="EXPRESS"))


def _positive_int(value: object) -> int | None:
    """A literal positive whole number; a path or JSONata expression is known only at run time."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def paths(definition: WorkflowDefinition) -> dict[str, list[str]]:
    """Every way the workflow can end, named by its last state: the states of the path to it
    with the most transitions (a loop's states once each, in the order they are listed).
    DefinitionError for a definition AWS would refuse."""
    # The walk follows every transition: a definition AWS would refuse is named, not walked.
    check_asl(definition)
    reader = _Reader({}, Assumptions(), 10, Prices(), 0)
    return {end: route.states for end, route in reader.routes(_model(definition)).items()}


def _model(definition: WorkflowDefinition) -> Machine:
    """The top-level machine of a definition the validator accepted."""
    read = model.read(definition.document)
    if read.too_deep:
        raise CostError(f"states are nested more than {MAX_NESTING} levels deep")
    return read.top


# --- the estimate -------------------------------------------------------------------


@dataclass(frozen=True)
class _Workflow:
    """One workflow's use, before prices: per execution (`use`, on its most expensive path) and runs."""

    name: str
    type: str
    monthly: float
    once: float
    scheduled: bool
    use: _Use
    routes: dict[str, Route[_Use]]
    express_billed: tuple[float, float]
    express_possible: bool
    map_items: float
    notes: list[str]


def _read(
    name: str,
    definition: WorkflowDefinition,
    *,
    workflow_type: str,
    monthly: float,
    once: float,
    scheduled: bool,
    functions: Mapping[str, FunctionSpec],
    prices: Prices,
    assumptions: Assumptions,
    map_items: object,
) -> _Workflow:
    if workflow_type not in WORKFLOW_TYPES:
        raise CostError(f"workflow {name!r}: type {workflow_type!r} is not STANDARD or EXPRESS")
    items = _number(f"map_items of workflow {name!r}", map_items)
    # Pricing walks the transitions: a definition AWS would refuse (as this type) is named, not walked.
    check_asl(definition, workflow_type=workflow_type)
    document = definition.document
    reader = _Reader(functions, assumptions, items, prices, len(definition.text.encode()) / 1024)
    routes = reader.routes(_model(definition))
    if not routes:
        raise CostError(f"workflow {name!r}: no path from StartAt reaches an end")
    use = _Use()
    for route in routes.values():
        use = use.most(route.weight)
    # An Express workflow's definition was just checked as Express. Any more as Express than as
    # Standard, a warning too (a Distributed Map), says it is no Express workflow.
    express_possible = workflow_type == "EXPRESS" or _as_express_too(document)
    notes = []
    if len(routes) > 1:
        notes.append(f"priced on the longest path ({_whole(use.transitions)} transitions)")
    if reader.loops:
        notes.append(f"each loop counted {_whole(assumptions.loop_iterations)} times round")
    if not reader.listed_items_only:
        notes.append(f"each Map assumed to process {_whole(items)} items")
    if reader.through_catch:
        notes.append("priced through a Catch: no end is reached without a failure")
    if not express_possible:
        notes.append("Express would refuse this definition; its Express price is hypothetical")
    if once:
        notes.append(f"one-time schedule: {_whole(once)} run priced once, not monthly")
    return _Workflow(
        name=name,
        type=workflow_type,
        monthly=monthly,
        once=once,
        scheduled=scheduled,
        use=use,
        routes=routes,
        express_billed=reader.express_billed(use),
        express_possible=express_possible,
        map_items=items,
        notes=notes,
    )


class _FreeTiers:
    """What is left of the month's free tiers: the workflows earlier in the catalogue use them first."""

    def __init__(self, prices: Prices) -> None:
        self.left = {
            "transitions": float(prices.standard_free_transitions),
            "lambda_requests": float(prices.lambda_free_requests),
            "lambda_gb_seconds": float(prices.lambda_free_gb_seconds),
            "scheduler": float(prices.scheduler_free_invocations),
        }

    def take(self, kind: str, amount: float) -> float:
        """The part of `amount` not covered by the free tier `kind`, using up what covers it."""
        covered = min(self.left[kind], amount)
        self.left[kind] -= covered
        return amount - covered


def _standard(workflow: _Workflow, runs: float, prices: Prices, free: _FreeTiers | None) -> float:
    transitions = runs * workflow.use.transitions
    billable = free.take("transitions", transitions) if free else transitions
    return billable * prices.standard_per_transition + runs * _children(workflow.use, prices)


def _express(workflow: _Workflow, runs: float, prices: Prices) -> float:
    billed_ms, billed_mb = workflow.express_billed
    gb_seconds = billed_ms / 1000 * billed_mb / 1024
    per_run = prices.express_per_request + gb_seconds * prices.express_per_gb_second
    return runs * (per_run + _children(workflow.use, prices))


def _children(use: _Use, prices: Prices) -> float:
    return use.child_requests * prices.express_per_request + use.child_gb_seconds * prices.express_per_gb_second


def _lambda(workflow: _Workflow, runs: float, prices: Prices, free: _FreeTiers | None) -> float:
    use = workflow.use
    requests = runs * use.lambda_requests
    x86, arm = runs * use.lambda_gb_seconds_x86_64, runs * use.lambda_gb_seconds_arm64
    if free:
        requests = free.take("lambda_requests", requests)
        # The free GB-seconds go to the dearer architecture first: the lower bound of the bill.
        x86 = free.take("lambda_gb_seconds", x86)
        arm = free.take("lambda_gb_seconds", arm)
    return (
        requests * prices.lambda_per_request
        + x86 * prices.lambda_per_gb_second_x86_64
        + arm * prices.lambda_per_gb_second_arm64
    )


def _scheduler(workflow: _Workflow, runs: float, prices: Prices, free: _FreeTiers | None) -> float:
    if not workflow.scheduled:
        return 0.0
    return (free.take("scheduler", runs) if free else runs) * prices.scheduler_per_invocation


def _money(what: str, value: float) -> float:
    if not math.isfinite(value):
        raise CostError(f"{what} is too large to estimate; check the assumptions (map_items, loop_iterations)")
    return round(value, 4)


def _price(workflows: list[_Workflow], prices: Prices) -> list[WorkflowCost]:
    """Each workflow priced three ways: all Standard, all Express, and as deployed; the free tiers
    of each way are shared in catalogue order. Lambda and the scheduler cost the same in all three."""
    all_standard, as_deployed, shared = _FreeTiers(prices), _FreeTiers(prices), _FreeTiers(prices)
    priced = []
    for w in workflows:
        standard = _standard(w, w.monthly, prices, all_standard)
        express = _express(w, w.monthly, prices)
        deployed = _standard(w, w.monthly, prices, as_deployed) if w.type == "STANDARD" else express
        lambda_usd = _lambda(w, w.monthly, prices, shared)
        scheduler = _scheduler(w, w.monthly, prices, shared)
        # A one-time run may fall in any month, after the free tiers are gone: list prices.
        once = w.once and (
            (_standard(w, w.once, prices, None) if w.type == "STANDARD" else _express(w, w.once, prices))
            + _lambda(w, w.once, prices, None)
            + _scheduler(w, w.once, prices, None)
        )
        where = f"workflow {w.name!r}"
        priced.append(
            WorkflowCost(
                name=w.name,
                executions_per_month=_whole(w.monthly),
                transitions_per_execution={end: _whole(r.weight.transitions) for end, r in w.routes.items()},
                lambda_requests_per_execution={end: _whole(r.weight.lambda_requests) for end, r in w.routes.items()},
                standard_usd=_money(where, standard),
                express_usd=_money(where, express),
                lambda_usd=_money(where, lambda_usd),
                scheduler_usd=_money(where, scheduler),
                notes=w.notes,
                type=w.type,
                deployed_usd=_money(where, deployed + lambda_usd + scheduler),
                one_time_executions=_whole(w.once),
                one_time_usd=_money(where, once),
                express_billed_ms=_whole(w.express_billed[0]),
                express_billed_memory_mb=_whole(w.express_billed[1]),
                express_possible=w.express_possible,
                map_items=_whole(w.map_items),
            )
        )
    return priced


def estimate(
    name: str,
    definition: WorkflowDefinition,
    executions: float,
    *,
    scheduled: bool,
    functions: Mapping[str, FunctionSpec] | None = None,
    prices: Prices = Prices(),
    assumptions: Assumptions = Assumptions(),
    workflow_type: str = "STANDARD",
    map_items: float = 10,
    one_time_executions: float = 0,
) -> WorkflowCost:
    """One workflow's month, with the whole of each free tier; priced on its most expensive path.
    `functions` maps the definition's function placeholders to their specs."""
    _check_prices(prices)
    _check_assumptions(assumptions)
    workflow = _read(
        name,
        definition,
        workflow_type=workflow_type,
        monthly=_number(f"executions of workflow {name!r}", executions),
        once=_number(f"one-time executions of workflow {name!r}", one_time_executions),
        scheduled=scheduled,
        functions=functions or {},
        prices=prices,
        assumptions=assumptions,
        map_items=map_items,
    )
    return _price([workflow], prices)[0]


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

    @property
    def alarms_enabled(self) -> bool: ...
    @property
    def dashboard_enabled(self) -> bool: ...
    def workflow(self, spec: WorkflowSpec, /) -> _Configured: ...


@dataclass(frozen=True)
class MonitoringCost:
    """What the stack's alarms and dashboard cost a month, on top of its workflows."""

    alarms: int
    dashboards: int
    """Pages of the dashboard: each is a dashboard to CloudWatch."""
    alarms_usd: float
    dashboards_usd: float

    @property
    def usd(self) -> float:
        return self.alarms_usd + self.dashboards_usd


def monitoring_cost(
    catalogue: tuple[WorkflowSpec, ...], settings: StackSettingsLike, prices: Prices = Prices()
) -> MonitoringCost:
    """The alarms and dashboard pages Monitoring declares for `catalogue` (counted from what it
    declares, components/serverless_workflows/monitoring_plan.py), priced past the month's free tiers."""
    if not settings.alarms_enabled:
        return MonitoringCost(0, 0, 0.0, 0.0)
    watched = [monitored(spec, lambda name: name) for spec in catalogue]
    alarms = len(alarm_specs(MonitoringPlan("estimate", watched)))
    pages = dashboard_pages(watched) if settings.dashboard_enabled else []
    metrics = [sum(len(w["properties"]["metrics"]) for w in dashboard_body(page, "")["widgets"]) for page in pages]
    free = min(prices.free_dashboards, sum(count <= prices.free_dashboard_metrics for count in metrics))
    return MonitoringCost(
        alarms=alarms,
        dashboards=len(pages),
        alarms_usd=_money("the alarms", max(0, alarms - prices.free_alarms) * prices.alarm_per_month),
        dashboards_usd=_money("the dashboards", (len(pages) - free) * prices.dashboard_per_month),
    )


def runs_of(
    spec: WorkflowSpec, configured: _Configured, assumptions: Assumptions = Assumptions()
) -> tuple[float, float]:
    """(runs a month, one-time runs): the user's on-demand number, else the schedule's (an
    `at(...)` runs once), else the catalogue's on-demand assumption, else the default."""
    if spec.name in assumptions.executions_per_month:
        return _number(f"executions_per_month of {spec.name!r}", assumptions.executions_per_month[spec.name]), 0.0
    schedule = configured.schedule
    if schedule is not None:
        if parse(schedule.expression).kind == "at":
            return 0.0, 1.0 if schedule.enabled else 0.0
        return executions_per_month(schedule.expression, schedule.enabled), 0.0
    on_demand = spec.executions_per_month if spec.executions_per_month is not None else ON_DEMAND_EXECUTIONS_PER_MONTH
    return _number(f"executions_per_month of workflow {spec.name!r}", on_demand), 0.0


def executions_of(spec: WorkflowSpec, configured: _Configured, assumptions: Assumptions = Assumptions()) -> float:
    """Runs a month (see `runs_of`; a one-time schedule runs 0 times a month)."""
    return runs_of(spec, configured, assumptions)[0]


def stack_estimate(
    catalogue: tuple[WorkflowSpec, ...],
    settings: StackSettingsLike,
    *,
    prices: Prices = Prices(),
    assumptions: Assumptions = Assumptions(),
    definitions: Mapping[str, WorkflowDefinition] | None = None,
) -> dict[str, Any]:
    """Every workflow of a stack, as plain data (a stack output and `ops cost`): each priced by its
    deployed type, and the totals as deployed and were every workflow Standard, or Express.
    `definitions` (workflow name -> definition) are those already loaded; others are read."""
    _check_prices(prices)
    _check_assumptions(assumptions)
    read = []
    for spec in catalogue:
        configured = settings.workflow(spec)
        monthly, once = runs_of(spec, configured, assumptions)
        read.append(
            _read(
                spec.name,
                (definitions or {}).get(spec.name) or spec.load_definition(),
                workflow_type=configured.type,
                monthly=monthly,
                once=once,
                scheduled=configured.schedule is not None,
                functions=spec.function_placeholders,
                prices=prices,
                assumptions=assumptions,
                map_items=spec.map_items,
            )
        )
    workflows = _price(read, prices)
    watching = monitoring_cost(catalogue, settings, prices)
    return {
        "currency": "USD",
        "month_days": DAYS_IN_MONTH,
        "workflows": {w.name: asdict(w) for w in workflows},
        "monitoring": asdict(watching),
        "total_standard_usd": _total(
            [*(w.standard_usd + w.lambda_usd + w.scheduler_usd for w in workflows), watching.usd]
        ),
        "total_express_usd": _total(
            [*(w.express_usd + w.lambda_usd + w.scheduler_usd for w in workflows), watching.usd]
        ),
        "total_as_deployed_usd": _total([*(w.deployed_usd for w in workflows), watching.usd]),
        "one_time_usd": _total(w.one_time_usd for w in workflows),
        "assumptions": asdict(assumptions) | {"executions_per_month": dict(assumptions.executions_per_month)},
        "prices_as_of": PRICES_AS_OF,
    }


def _total(values: Iterable[float]) -> float:
    return _money("the total", sum(values))
