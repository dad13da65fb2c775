"""One parsed model of an ASL definition: every state at every depth, read once.

Every tool that follows a definition reads it through this model: the IAM derivation
(`integrations.py`), the house rules, the validator's structural checks (names,
reachability, an end), the cost estimate, the diagrams, the ops tool's execution view and
the policy pack's twin of it (`policy/rules.py`, pinned to this module by a test). So a
state is found, named and placed the same way by all of them, and what makes a state a
Lambda task, or an end, is written once.

A state keeps its name as written and its path, `("Fan out", 2, "Each", "ItemProcessor",
"Count")`: state names alternate with what leads into a nested machine (a Parallel's
branch number, or the Map's `ItemProcessor` or `Iterator` key). `describe(path)` renders
it the way every message does: `state 'Fan out' > branch 2 > state 'Each' > ItemProcessor >
state 'Count'`. A name is never recovered from that text.

Reading is lenient: it accepts any value, keeps what is well formed and skips the rest,
and never raises. What it skipped is the validator's to report (`asl_checks.py`, which
reads the raw JSON to say what is malformed); tools that need a definition AWS would
accept (cost, diagrams) run the validator first. Nesting deeper than `MAX_NESTING` is not
read, and is listed in `Definition.too_deep`.

This module imports neither Pulumi nor boto3; only this module and the validator read the
keys that nest machines (`Branches`, `ItemProcessor`, `Iterator`), and a test keeps it so.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from serverless_workflows.asl.asl_language import MAX_NESTING, QUERY_LANGUAGES
from serverless_workflows.asl.definition import PLACEHOLDER

Path = tuple[str | int, ...]
"""State names at even positions; between them, what leads into a nested machine: a
Parallel's branch number (from 1) or a Map's processor key (`ItemProcessor`, `Iterator`)."""

TOP, BRANCH, PROCESSOR = "top", "branch", "processor"
PROCESSOR_KEYS = ("ItemProcessor", "Iterator")
"""A Map's item processor, under its name and under its older one; the first present is read."""
DEFAULT_QUERY_LANGUAGE = "JSONPath"

# How one state leads to another: a Choice rule, a Choice's Default, Next, and a Catch entry.
CHOICE, DEFAULT, NEXT, CATCH = "choice", "default", "next", "catch"

_OPTIMISED = re.compile(
    r"^arn:[a-z-]+:states:::(?P<sdk>aws-sdk:)?(?P<service>[A-Za-z0-9-]+):(?P<action>[A-Za-z0-9]+)"
    r"(?P<pattern>\.sync(:2)?|\.waitForTaskToken)?$"
)
_LAMBDA_ARN = re.compile(r"^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$")
# The optimised integration and the AWS SDK's Invoke both call the function their FunctionName names.
_LAMBDA_INVOKE = re.compile(r"^arn:[a-z-]+:states:::(aws-sdk:)?lambda:invoke(\.waitForTaskToken)?$")


def describe(path: Path) -> str:
    """The path as messages show it; "" for the top-level machine."""
    parts = []
    for position, step in enumerate(path):
        if position % 2 == 0:
            parts.append(f"state {step!r}")
        elif isinstance(step, int):
            parts.append(f"branch {step}")
        else:
            parts.append(step)
    return " > ".join(parts)


@dataclass(frozen=True)
class Transition:
    """One way out of a state, to `target` (a name as written; it may name no state)."""

    kind: str
    """CHOICE, DEFAULT, NEXT or CATCH."""
    target: str
    number: int = 0
    """The Choice rule's or Catch entry's number, from 1; 0 for Next and Default."""
    rule: Mapping[str, Any] = field(default_factory=dict)
    """The Choice rule or Catch entry as written; empty for Next and Default."""

    @property
    def label(self) -> str:
        """The field that holds the target, as messages name it."""
        if self.kind == CHOICE:
            return f"Choices rule {self.number} Next"
        if self.kind == CATCH:
            return f"Catch entry {self.number} Next"
        return "Default" if self.kind == DEFAULT else "Next"

    @property
    def on_error(self) -> bool:
        return self.kind == CATCH


@dataclass(frozen=True)
class Call:
    """What a Task's Resource names."""

    resource: str
    service: str | None = None
    """For an integration (`arn:aws:states:::sqs:sendMessage`, `...:::aws-sdk:s3:getObject`): the service."""
    action: str | None = None
    pattern: str = ""
    """"" (request-response), ".sync", ".sync:2" or ".waitForTaskToken"."""
    sdk: bool = False
    """True for an AWS SDK integration (`aws-sdk:SERVICE:action`)."""

    @property
    def integration(self) -> str | None:
        """`service:action` of an optimised integration, e.g. `sqs:sendMessage`; None otherwise."""
        return f"{self.service}:{self.action}" if self.service and not self.sdk else None


@dataclass(frozen=True)
class LambdaCall:
    """A Task that invokes a Lambda function: each run of it is a Lambda request."""

    function: str | None
    """The placeholder, one of the workflow's functions, that names the function; None for a literal or computed one."""
    by_name: bool
    """Whether the function is named by FunctionName (an invoke integration) rather than by Resource."""


@dataclass(frozen=True)
class State:
    name: str
    """As written in the definition."""
    path: Path
    type: str | None
    """The Type as written, when it is a string."""
    fields: Mapping[str, Any]
    """The state's JSON object, as written."""
    query_language: str
    """The language its fields are written in: its own QueryLanguage, else its machine's."""
    transitions: tuple[Transition, ...]
    """Choice rules, Default, Next, then Catch entries, as written (targets that are strings)."""
    machines: tuple[Machine, ...] = ()
    """A Parallel's branches, or a Map's item processor."""

    @property
    def where(self) -> str:
        return describe(self.path)

    @property
    def ends(self) -> bool:
        """Whether the state ends its machine (the execution, a branch or an iteration)."""
        return self.type in ("Succeed", "Fail") or self.fields.get("End") is True

    @property
    def fails(self) -> bool:
        return self.type == "Fail"

    @property
    def is_container(self) -> bool:
        return self.type in ("Parallel", "Map")

    @property
    def processor(self) -> Machine | None:
        """A Map's item processor."""
        return self.machines[0] if self.type == "Map" and self.machines else None

    @property
    def distributed(self) -> bool:
        """A Map in DISTRIBUTED mode: each item (or batch) a child execution."""
        return self.processor is not None and self.processor.distributed

    @property
    def call(self) -> Call | None:
        """What a Task calls; None for any other state, or a Task whose Resource is not a string."""
        resource = self.fields.get("Resource")
        if self.type != "Task" or not isinstance(resource, str):
            return None
        found = _OPTIMISED.match(resource)
        if found is None:
            return Call(resource)
        return Call(resource, found["service"], found["action"], found["pattern"] or "", sdk=bool(found["sdk"]))

    def lambda_call(self, functions: Container[str] = frozenset()) -> LambdaCall | None:
        """The Lambda function this state invokes, or None when it invokes none.

        The one definition of a Lambda task, for the house rules, the role's grants, the cost
        estimate and (through its pinned twin) the policy pack: a function ARN, or one of
        `functions` (placeholder names) as Resource; or `lambda:invoke` (also
        `.waitForTaskToken`, and the AWS SDK's `aws-sdk:lambda:invoke`) with FunctionName in
        Parameters or Arguments."""
        call = self.call
        if call is None:
            return None
        placeholder = PLACEHOLDER.fullmatch(call.resource)
        if placeholder:
            return LambdaCall(placeholder[1], by_name=False) if placeholder[1] in functions else None
        if _LAMBDA_ARN.match(call.resource):
            return LambdaCall(None, by_name=False)
        if not _LAMBDA_INVOKE.match(call.resource):
            return None
        for key in ("Parameters", "Arguments"):
            arguments = self.fields.get(key)
            target = arguments.get("FunctionName") if isinstance(arguments, dict) else None
            named = PLACEHOLDER.fullmatch(target) if isinstance(target, str) else None
            if named and named[1] in functions:
                return LambdaCall(named[1], by_name=True)
        return LambdaCall(None, by_name=True)


@dataclass(frozen=True)
class Machine:
    """The state machine, a Parallel branch or a Map's item processor."""

    path: Path
    """() for the top; the path of the state holding it, then its branch number or processor key."""
    kind: str
    """TOP, BRANCH or PROCESSOR."""
    start_at: str | None
    """StartAt as written, when it is a string."""
    states: Mapping[str, State]
    """Its states, in the order written (those that are JSON objects)."""
    query_language: str
    """The language its states use unless they say otherwise."""
    fields: Mapping[str, Any]

    @property
    def where(self) -> str:
        return describe(self.path)

    @property
    def distributed(self) -> bool:
        config = self.fields.get("ProcessorConfig")
        return self.kind == PROCESSOR and isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"

    @property
    def execution_type(self) -> str | None:
        """A Distributed Map's children's type, STANDARD unless its ProcessorConfig says EXPRESS."""
        if not self.distributed:
            return None
        kind = self.fields["ProcessorConfig"].get("ExecutionType", "STANDARD")
        return kind if isinstance(kind, str) else "STANDARD"

    def states_everywhere(self) -> Iterator[State]:
        """Its states and, after each, the states nested in it, at every depth."""
        for state in self.states.values():
            yield state
            for machine in state.machines:
                yield from machine.states_everywhere()


@dataclass(frozen=True)
class Definition:
    top: Machine
    too_deep: tuple[Path, ...] = ()
    """Machines nested deeper than MAX_NESTING, which were not read."""

    def states(self) -> Iterator[State]:
        """Every state, at every depth, in the order written: each container before what it holds."""
        return self.top.states_everywhere()

    def machines(self) -> Iterator[Machine]:
        """The top-level machine, then every branch and item processor, in the order written."""
        yield self.top
        for state in self.states():
            yield from state.machines

    def tasks(self) -> Iterator[State]:
        return (state for state in self.states() if state.type == "Task")

    @property
    def state_names(self) -> frozenset[str]:
        return frozenset(state.name for state in self.states())


# --- a Task's arguments, as written ------------------------------------------------------------

ABSENT, GIVEN, COMPUTED = "absent", "given", "computed"
"""What an argument path finds: nothing, a value written in the definition, or a value known only at run time."""


def arguments_of(fields: Mapping[str, Any]) -> Any:
    """What a Task (or a Distributed Map's ItemReader or ResultWriter) passes: JSONata's Arguments,
    JSONPath's Parameters; None when it passes neither (its input is its request)."""
    return fields.get("Arguments", fields.get("Parameters"))


def computed(key: str, value: Any) -> bool:
    """Whether a field is known only at run time: a JSONPath `.$` key, or a JSONata `{% %}` value."""
    return key.endswith(".$") or _jsonata(value)


def _jsonata(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith("{%")


def argument(written: Any, path: str) -> tuple[str, Any]:
    """(GIVEN, value), (COMPUTED, None) or (ABSENT, None) for a dotted path into `arguments_of(...)`.

    A number steps into a list (past its end: ABSENT); a name also matches with its first letter
    in lower case, as botocore spells the member (`logGroupName` for `LogGroupName`). Any step
    computed at run time makes the whole path COMPUTED."""
    current = written
    for step in path.split("."):
        if _jsonata(current):
            return COMPUTED, None
        if isinstance(current, list) and step.isdigit():
            if int(step) >= len(current):
                return ABSENT, None
            current = current[int(step)]
            continue
        if not isinstance(current, dict):
            return ABSENT, None
        spelled = next((k for k in (step, step[:1].lower() + step[1:]) if k in current or f"{k}.$" in current), None)
        if spelled is None:
            return ABSENT, None
        if f"{spelled}.$" in current:
            return COMPUTED, None
        current = current[spelled]
    return (COMPUTED, None) if _jsonata(current) else (GIVEN, current)


def read(document: Any) -> Definition:
    """The model of `document`, any value: a definition's parsed JSON, or anything else."""
    fields = document if isinstance(document, dict) else {}
    reader = _Reader()
    top = reader.machine(fields, (), TOP, _language(fields, DEFAULT_QUERY_LANGUAGE), 0)
    return Definition(top, tuple(reader.too_deep))


def _language(fields: Mapping[str, Any], outer: str) -> str:
    chosen = fields.get("QueryLanguage")
    return chosen if isinstance(chosen, str) and chosen in QUERY_LANGUAGES else outer


class _Reader:
    def __init__(self) -> None:
        self.too_deep: list[Path] = []

    def machine(self, fields: Mapping[str, Any], path: Path, kind: str, language: str, depth: int) -> Machine:
        written = fields.get("States")
        states: dict[str, State] = {}
        for name, value in written.items() if isinstance(written, dict) else ():
            if isinstance(name, str) and isinstance(value, dict):
                states[name] = self.state(value, (*path, name), language, depth)
        start = fields.get("StartAt")
        return Machine(path, kind, start if isinstance(start, str) else None, states, language, fields)

    def state(self, fields: dict[str, Any], path: Path, outer: str, depth: int) -> State:
        kind = fields.get("Type")
        nested: list[tuple[Path, str, Any]] = []
        if kind == "Parallel" and isinstance(fields.get("Branches"), list):
            nested = [((*path, number), BRANCH, branch) for number, branch in enumerate(fields["Branches"], start=1)]
        elif kind == "Map":
            key = next((key for key in PROCESSOR_KEYS if key in fields), None)
            if key is not None:
                nested = [((*path, key), PROCESSOR, fields[key])]
        machines = []
        for inner_path, inner_kind, inner in nested:
            if not isinstance(inner, dict):
                continue
            if depth + 1 > MAX_NESTING:
                self.too_deep.append(inner_path)
                continue
            # A branch or item processor is a machine of its own: its QueryLanguage is its states'
            # default, else the language of the machine around the state that holds it.
            machines.append(self.machine(inner, inner_path, inner_kind, _language(inner, outer), depth + 1))
        return State(
            name=str(path[-1]),
            path=path,
            type=kind if isinstance(kind, str) else None,
            fields=fields,
            query_language=_language(fields, outer),
            transitions=tuple(_transitions(fields)),
            machines=tuple(machines),
        )


def _transitions(fields: Mapping[str, Any]) -> Iterator[Transition]:
    choices = fields.get("Choices")
    for number, rule in enumerate(choices if isinstance(choices, list) else (), start=1):
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            yield Transition(CHOICE, rule["Next"], number, rule)
    for key, kind in (("Default", DEFAULT), ("Next", NEXT)):
        if isinstance(fields.get(key), str):
            yield Transition(kind, fields[key])
    catchers = fields.get("Catch")
    for number, catcher in enumerate(catchers if isinstance(catchers, list) else (), start=1):
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            yield Transition(CATCH, catcher["Next"], number, catcher)
