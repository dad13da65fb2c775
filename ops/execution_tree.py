"""An execution's path, as a tree of states, read from its events (no AWS calls here).

A Standard workflow's events come from GetExecutionHistory; an Express workflow
has no history API, and its events exist only as the execution log records Step
Functions writes to CloudWatch Logs. Both are first normalised to `Event`
(`from_history`, `from_execution_log`), so that one builder (`build`) and one
view serve both.

The tree follows the events' own links, never their order: branches of a
Parallel and iterations of a Map run concurrently, so their events interleave in
the history. Each event names the event it follows (`previousEventId`); the
first state of a Parallel branch follows the `ParallelStateStarted` event, the
first state of a Map iteration follows its `MapIterationStarted` event, and
each later event of a branch or iteration follows an event of the same branch
or iteration.

Links that cross from one iteration or branch to another are legitimate too,
and an engine chooses them as its threads happen to finish: a
`MapIterationStarted` may follow an event of another iteration of its Map (the
worker that ran it), and the event ending a Parallel or a Map, and its
`...StateExited`, may follow the last event of any of its branches or
iterations, which may be a nested Map's or Parallel's own end. So such an event
is given to the nearest enclosing state that fits it and is still open, and
nothing is concluded from which of several finished threads it names.
Iterations may also go on after their Map, or the execution, has failed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from serverless_workflows.asl import model
from serverless_workflows.asl.model import State
from workflows.spec import OUTCOME_STATUSES

TERMINAL = OUTCOME_STATUSES
# The names of the executions ops starts, so that a check of a schedule's runs can tell them apart.
FAILED = ("FAILED", "TIMED_OUT", "ABORTED")

EXECUTION_ENDS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}
# Events that end a Parallel, a Map or a Map Run carry no state name; they close
# the nearest enclosing state of that type.
_CONTAINER_ENDS = {
    "ParallelStateSucceeded": ("Parallel", "SUCCEEDED"),
    "ParallelStateFailed": ("Parallel", "FAILED"),
    "ParallelStateAborted": ("Parallel", "ABORTED"),
    "MapStateSucceeded": ("Map", "SUCCEEDED"),
    "MapStateFailed": ("Map", "FAILED"),
    "MapStateAborted": ("Map", "ABORTED"),
    "MapRunSucceeded": ("Map", None),
    "MapRunFailed": ("Map", "FAILED"),
    "MapRunAborted": ("Map", "ABORTED"),
}
_ITERATION_ENDS = {
    "MapIterationSucceeded": "SUCCEEDED",
    "MapIterationFailed": "FAILED",
    "MapIterationAborted": "ABORTED",
}
# A state's own work starting again after it failed means its Retry fired.
_ATTEMPT_STARTS = ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled")


@dataclass(frozen=True)
class Event:
    """One execution event, in the same shape whichever source it came from.

    `details` is the event's details object as the service wrote it: input and
    output stay JSON text, as in both sources.
    """

    id: int
    previous_id: int
    type: str
    timestamp: datetime | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


def from_history(events: Iterable[Mapping[str, Any]]) -> list[Event]:
    """Events as GetExecutionHistory returns them (boto3 shape)."""
    normalised = []
    for event in events:
        # A HistoryEvent holds at most one `...EventDetails` member, named after its type.
        details: Mapping[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
        normalised.append(
            Event(
                id=int(event["id"]),
                previous_id=int(event.get("previousEventId") or 0),
                type=str(event["type"]),
                timestamp=event.get("timestamp"),
                details=details,
            )
        )
    return normalised


def from_execution_log(records: Iterable[str | Mapping[str, Any]], execution_arn: str | None = None) -> list[Event]:
    """Events from the execution log records Step Functions writes to CloudWatch Logs.

    Each record is a JSON object with `id`, `previous_event_id`, `type`,
    `event_timestamp` (milliseconds since the epoch), `execution_arn` and
    `details`; ids and timestamps are written as strings. A record may be
    given as its JSON text, parsed, or as the CloudWatch Logs event holding it
    in `message` (what FilterLogEvents and GetLogEvents return). One log group
    holds every execution of a state machine: pass `execution_arn` to keep one.
    """
    normalised = []
    for given in records:
        record: Mapping[str, Any] = json.loads(given) if isinstance(given, str) else given
        if "type" not in record and isinstance(record.get("message"), str):
            record = json.loads(record["message"])
        if execution_arn is not None and record.get("execution_arn") != execution_arn:
            continue
        stamp = record.get("event_timestamp")
        normalised.append(
            Event(
                id=int(record["id"]),
                previous_id=int(record.get("previous_event_id") or 0),
                type=str(record["type"]),
                timestamp=datetime.fromtimestamp(int(stamp) / 1000, tz=UTC) if stamp not in (None, "") else None,
                details=record.get("details") or {},
            )
        )
    return normalised


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
    blocks: list[Block] = field(default_factory=list)
    """A Parallel's branches or a Map's iterations, each with its own states."""
    status: str | None = None
    """SUCCEEDED once exited, FAILED, ABORTED; None while it runs (or when built by hand)."""
    retries: int = 0
    map_run_arn: str | None = None
    """A distributed Map's Map Run: its iterations are child executions, not in this history."""
    map_run: MapRun | None = None
    """Its child executions, once read (`read_map_runs`)."""

    @property
    def failed(self) -> bool:
        return self.error is not None or self.type == "Fail" or self.status in FAILED

    @property
    def open(self) -> bool:
        """Entered and not yet left: running, or where a timeout or an abort found the execution.
        Built from events, a state still running has no status yet and no exit."""
        return self.status is None and self.left is None and self.output is None and self.entered is not None

    @property
    def duration_ms(self) -> int | None:
        return _duration_ms(self.entered, self.left)


@dataclass
class Block:
    """A Parallel branch (numbered from 1; see `build`) or a Map iteration (its
    index in the items, from 0), with the states it ran in order."""

    kind: str
    index: int
    steps: list[Step] = field(default_factory=list)
    status: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    events: list[Event] = field(default_factory=list, repr=False, compare=False)
    """The events listed under this block by `ops history`."""
    after_event: int = 0
    """The id of the event (ParallelStateStarted, MapStateStarted) the block opens after."""
    name: str | None = None
    """A Map Run's child execution is known by its name."""

    @property
    def label(self) -> str:
        return self.name or f"{self.kind} {self.index}"

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    @property
    def output(self) -> Any:
        return self.steps[-1].output if self.steps else None

    @property
    def duration_ms(self) -> int | None:
        return _duration_ms(self.started, self.ended)


MAX_CHILD_EXECUTIONS = 10
"""A Distributed Map's child executions read and shown per Map Run, the first by start time:
each costs a history read."""


@dataclass
class MapRun:
    """A Distributed Map's child executions, as far as they could be read."""

    arn: str
    children: list[Block] = field(default_factory=list)
    """The first `MAX_CHILD_EXECUTIONS` by start time, each with its states (none for Express)."""
    more: int = 0
    """Children listed but not read."""
    express: bool = False
    """Express children have no execution history: their states are only in the CloudWatch logs."""
    problem: Exception | None = None
    """Why the children (or some of them) could not be read."""


@dataclass
class Execution:
    arn: str
    status: str
    input: Any
    output: Any = None
    error: str | None = None
    cause: str | None = None
    steps: list[Step] = field(default_factory=list)
    """The top-level states, in the order entered; nested ones are in each step's `blocks`."""

    @property
    def path(self) -> list[str]:
        """Names of the top-level states, in the order entered (see `every_step` for all)."""
        return [step.name for step in self.steps]

    def every_step(self) -> Iterator[Step]:
        """Every state entered at any depth: each state, then its branches' or iterations' states."""
        yield from _walk(self.steps)


def _walk(steps: list[Step]) -> Iterator[Step]:
    for step in steps:
        yield step
        for block in step.blocks:
            yield from _walk(block.steps)


def _duration_ms(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() * 1000)


def execution_name(arn: str) -> str:
    """The execution's name: the part after the state machine's (an Express ARN adds an id after it)."""
    parts = arn.split(":")
    return parts[7] if len(parts) > 7 else parts[-1]


def parse(text: str | None) -> Any:
    """JSON text as a value; text that is not JSON stays text."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


class _Builder:
    """Places each event in the tree through the event it follows."""

    def __init__(self, branch_starts: Mapping[str, list[str]]) -> None:
        self.branch_starts = branch_starts
        self.root = Block("execution", 0)
        self.parent_of: dict[int, Step] = {}  # id(block) -> the Parallel or Map holding it
        self.block_of: dict[int, Block] = {}  # id(step) -> the block holding it
        # Where the thread of execution stands after each event: the block it runs
        # in, and the state it is in (None between states).
        self.at: dict[int, tuple[Block, Step | None]] = {}
        self.branches_of: dict[int, Step] = {}  # ParallelStateStarted id -> its Parallel
        self.started_at: dict[int, int] = {}  # id(Map step) -> its MapStateStarted id
        # id(step) of each Parallel or Map whose end (succeeded, failed, aborted) was
        # seen, and of each state that exited: a later end or exit is not theirs.
        self.ended: set[int] = set()
        self.exited: set[int] = set()
        self.next_events: dict[int, list[Event]] = {}
        self.fail_states: list[tuple[Step, Event]] = []
        self.outcome: Event | None = None  # ExecutionFailed, ...Succeeded, ...TimedOut, ...Aborted

    def build(self, events: Iterable[Event]) -> Block:
        for event in sorted(events, key=lambda e: e.id):
            self.next_events.setdefault(event.previous_id, []).append(event)
            self.add(event)
        for step, entered in self.fail_states:
            self.explain_fail(step, entered)
        self.finish(self.root)
        return self.root

    def place(self, event: Event, block: Block, step: Step | None, *, listed_in: Block | None = None) -> None:
        self.at[event.id] = (block, step)
        (listed_in or block).events.append(event)

    def enclosing(self, event: Event) -> Iterator[tuple[Block, Step]]:
        """The state the previous event belongs to, then each state around it, outwards."""
        block, step = self.at.get(event.previous_id, (self.root, None))
        if step is not None:
            yield block, step
        while block is not self.root:
            parent = self.parent_of[id(block)]
            block = self.block_of[id(parent)]
            yield block, parent

    def owner(
        self, event: Event, kind: str, name: str | None = None, *, unless: set[int] | None = None
    ) -> tuple[Block, Step] | None:
        """The nearest enclosing state of that type (and name); the nearest one not
        in `unless` first, since the event may follow the end of a nested state of
        the same type."""
        found = [(b, s) for b, s in self.enclosing(event) if s.type == kind and (name is None or s.name == name)]
        return next((f for f in found if id(f[1]) not in (unless or set())), found[0] if found else None)

    def adopt(self, parent: Step, block: Block) -> None:
        parent.blocks.append(block)
        self.parent_of[id(block)] = parent

    def add(self, event: Event) -> None:
        kind = event.type
        if kind.startswith("Execution") or kind == "MapRunRedriven":
            self.place(event, self.root, None)
            if kind in EXECUTION_ENDS:
                self.outcome = event
        elif kind.endswith("StateEntered"):
            self.entered(event)
        elif kind.endswith("StateExited"):
            self.exited_state(event)
        elif kind in ("ParallelStateStarted", "MapStateStarted"):
            self.container_started(event)
        elif kind == "MapIterationStarted":
            self.iteration_started(event)
        elif kind in _ITERATION_ENDS:
            self.iteration_ended(event)
        elif kind in _CONTAINER_ENDS or kind == "MapRunStarted" or kind.endswith("StateAborted"):
            self.container_event(event)
        else:
            self.inside_state(event)

    def stay(self, event: Event) -> None:
        """An event whose state cannot be found stays where the previous one was."""
        self.place(event, *self.at.get(event.previous_id, (self.root, None)))

    def entered(self, event: Event) -> None:
        details = event.details
        block, _ = self.at.get(event.previous_id, (self.root, None))
        parallel = self.branches_of.get(event.previous_id)
        if parallel is not None:
            block = Block("branch", len(parallel.blocks) + 1, started=event.timestamp, after_event=event.previous_id)
            self.adopt(parallel, block)
        step = Step(str(details.get("name")), event.type.removesuffix("StateEntered"), parse(details.get("input")))
        step.entered = event.timestamp
        block.steps.append(step)
        self.block_of[id(step)] = block
        self.place(event, block, step)
        if step.type == "Fail":
            step.status = "FAILED"
            self.fail_states.append((step, event))

    def exited_state(self, event: Event) -> None:
        found = self.owner(event, event.type.removesuffix("StateExited"), event.details.get("name"), unless=self.exited)
        if found is None:
            self.stay(event)
            return
        block, step = found
        self.exited.add(id(step))
        step.output, step.left = parse(event.details.get("output")), event.timestamp
        # A caught failure is still a failure; the state exits to its Catch.
        step.status = step.status if step.failed else "SUCCEEDED"
        self.place(event, block, step)

    def container_started(self, event: Event) -> None:
        found = self.owner(event, event.type.removesuffix("StateStarted"))
        if found is None:
            self.stay(event)
            return
        block, step = found
        if step.blocks or step.failed:  # started again: its Retry fired
            step.retries += 1
            step.blocks, step.error, step.cause, step.status = [], None, None, None
        self.ended.discard(id(step))
        if event.type == "ParallelStateStarted":
            self.branches_of[event.id] = step
        else:
            self.started_at[id(step)] = event.id
        self.place(event, block, step)

    def maps_named(self, event: Event) -> list[tuple[Block, Step]]:
        name = event.details.get("name")
        return [(b, s) for b, s in self.enclosing(event) if s.type == "Map" and (name is None or s.name == name)]

    def iteration_started(self, event: Event) -> None:
        index = _index(event)
        maps = self.maps_named(event)
        # It may follow an event of another iteration, even one inside a nested Map of the same name.
        found = next((m for m in maps if all(b.index != index for b in m[1].blocks)), maps[0] if maps else None)
        if found is None:
            self.stay(event)
            return
        _, step = found
        iteration = Block(
            "iteration",
            index if index is not None else len(step.blocks),
            started=event.timestamp,
            after_event=self.started_at.get(id(step), 0),
        )
        self.adopt(step, iteration)
        self.place(event, iteration, None)

    def iteration_ended(self, event: Event) -> None:
        index = _index(event)
        found = [
            (b, s, iteration) for b, s in self.maps_named(event) for iteration in s.blocks if iteration.index == index
        ]
        running = next((f for f in found if f[2].status is None), found[0] if found else None)
        if running is None:
            self.stay(event)
            return
        block, step, iteration = running
        iteration.status, iteration.ended = _ITERATION_ENDS[event.type], event.timestamp
        # Listed with its iteration; the thread of execution is back in the Map.
        self.place(event, block, step, listed_in=iteration)

    def container_event(self, event: Event) -> None:
        if event.type == "MapRunStarted":
            state_type, status = "Map", None
        else:
            state_type, status = _CONTAINER_ENDS.get(event.type, (event.type.removesuffix("StateAborted"), "ABORTED"))
        ends_state = event.type.endswith(("StateSucceeded", "StateFailed", "StateAborted"))
        found = self.owner(event, state_type, unless=self.ended)
        if found is None:
            self.stay(event)
            return
        block, step = found
        if ends_state:
            self.ended.add(id(step))
        if event.type == "MapRunStarted":
            step.map_run_arn = event.details.get("mapRunArn")
        if status is not None and not step.failed:
            step.status = status
        if status in FAILED:
            step.left = event.timestamp
            step.error = step.error or event.details.get("error")
            step.cause = step.cause or event.details.get("cause")
        self.place(event, block, step)

    def inside_state(self, event: Event) -> None:
        """The work inside a state: Task, Lambda and activity events, EvaluationFailed."""
        block, step = self.at.get(event.previous_id, (self.root, None))
        details = event.details
        if step is not None and ("error" in details or "cause" in details):
            step.error, step.cause = details.get("error"), details.get("cause")
            step.left, step.status = event.timestamp, "FAILED"
        elif step is not None and event.type in _ATTEMPT_STARTS and step.failed:
            step.retries += 1
            step.error, step.cause, step.left, step.status = None, None, None, None
        self.place(event, block, step)

    def number_branches(self, step: Step) -> None:
        if step.type != "Parallel" or not all(branch.steps for branch in step.blocks):
            return
        starts = self.branch_starts.get(step.name, [])
        firsts = [branch.steps[0].name for branch in step.blocks]
        # Only when every branch is recognised, once: a changed definition must not mislabel them.
        if firsts and len(set(firsts)) == len(firsts) and all(first in starts for first in firsts):
            for branch, first in zip(step.blocks, firsts, strict=True):
                branch.index = starts.index(first) + 1

    def explain_fail(self, step: Step, entered: Event) -> None:
        """A Fail state's error and cause are not on its own event: they travel
        with the failure it causes, up through the enclosing iterations, branches,
        Maps and Parallels, to the first of them, or the execution, that records them.

        Which events carry the failure up, and what each links to, depends on
        which of the engine's threads finished first; so the way up is taken
        through the tree, not the links. It stops at a failed state after which a
        later state ran (a Catch took the failure over, and the error reached no
        event) and where the failure has not (yet) arrived. An error found that is
        a failed task's own came from there, not from this Fail state."""
        here = self.block_of[id(step)]
        following = self.next_events.get(entered.id)
        if following:
            step.left = following[0].timestamp
        elif here is not self.root:
            step.left = here.ended or self.parent_of[id(here)].left
        top = step
        while True:
            block = self.block_of[id(top)]
            if block.steps[-1] is not top:
                return
            if block is self.root:
                if self.outcome is None:
                    return
                error, cause = self.outcome.details.get("error"), self.outcome.details.get("cause")
                scope = [self.root]
                break
            top = self.parent_of[id(block)]
            if not top.failed:
                return
            if top.error or top.cause:
                error, cause, scope = top.error, top.cause, top.blocks
                break
        origins = [s for b in scope for s in _uncaught_origins(b.steps)]
        if (error or cause) and not any(s.type != "Fail" and (s.error, s.cause) == (error, cause) for s in origins):
            step.error, step.cause = error, cause

    def finish(self, block: Block) -> None:
        for step in block.steps:
            self.number_branches(step)
            step.blocks.sort(key=lambda b: b.index)
            for child in step.blocks:
                self.finish(child)
                if child.kind == "branch" and child.steps:
                    last = child.steps[-1]
                    child.ended, child.status = last.left, last.status


def _index(event: Event) -> int | None:
    """A Map iteration's index; a log record may write it as text."""
    try:
        return int(event.details["index"])
    except (KeyError, TypeError, ValueError):
        return None


def _uncaught_origins(steps: list[Step]) -> Iterator[Step]:
    """Where the failure that ended these states began: the last state, if it failed,
    or the failed states inside it that ended their own blocks."""
    if steps and steps[-1].failed:
        inner = [s for b in steps[-1].blocks for s in _uncaught_origins(b.steps)]
        yield from inner or [steps[-1]]


def branch_starts(definition: str | Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Each Parallel state's name -> the StartAt of each of its branches, in the
    definition's order, at any depth. A name used by two Parallels is left out:
    it would not say which is which."""
    found: dict[str, list[str]] = {}
    twice: set[str] = set()
    for state in _states(definition):
        if state.type == "Parallel":
            twice.update({state.name} & found.keys())
            found[state.name] = [branch.start_at or "" for branch in state.machines]
    return {name: starts for name, starts in found.items() if name not in twice}


def map_execution_types(definition: str | Mapping[str, Any] | None) -> dict[str, str]:
    """Each Distributed Map's name -> its ItemProcessor's ExecutionType (STANDARD or EXPRESS), at any
    depth. A name used by two Maps of different types is left out."""
    found: dict[str, str] = {}
    twice: set[str] = set()
    for state in _states(definition):
        processor = state.processor
        if processor is not None and processor.execution_type is not None:
            kind = processor.execution_type
            if found.get(state.name, kind) != kind:
                twice.add(state.name)
            found[state.name] = kind
    return {name: kind for name, kind in found.items() if name not in twice}


def _states(definition: str | Mapping[str, Any] | None) -> list[State]:
    """The states of a definition as a state machine describes it (JSON text), at every depth."""
    if definition is None:
        return []
    return list(model.read(json.loads(definition) if isinstance(definition, str) else definition).states())


def build(events: Iterable[Event], definition: str | Mapping[str, Any] | None = None) -> Block:
    """The execution's states as a tree; the returned block's `steps` are the top-level ones.

    The history does not say which branch of a Parallel a branch is, and
    branches start in no set order; given the state machine's definition,
    branches are numbered as the definition lists them (by their first state),
    else in the order they started."""
    return _Builder(branch_starts(definition)).build(events)


def from_events(
    execution_arn: str, events: Iterable[Event], definition: str | Mapping[str, Any] | None = None
) -> Execution:
    """The execution as its events alone tell it: what an Express workflow's log records give."""
    events = list(events)
    execution = Execution(arn=execution_arn, status="RUNNING", input=None, steps=build(events, definition).steps)
    for event in events:
        if event.type == "ExecutionStarted":
            execution.input = parse(event.details.get("input"))
        elif event.type in EXECUTION_ENDS:
            execution.status = EXECUTION_ENDS[event.type]
            execution.output = parse(event.details.get("output"))
            execution.error, execution.cause = event.details.get("error"), event.details.get("cause")
    return execution


# Polls start fast (an in-memory engine ends in milliseconds) and back off to this, so that
# following a long run does not spend the account's DescribeExecution rate.
