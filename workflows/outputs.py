"""The stack's outputs: their names, and the `workflows` output as typed records.

One contract for the program that writes the `workflows` output and the tools that read it.
The program (deployment.py) builds a `WorkflowOutput` per workflow, with Pulumi Outputs as
values, and writes it with `entry_output`; the ops tool and the rehearsal read a deployed
stack's outputs with `read_workflows`, which gives the same records with strings. A JSON key
is its attribute's name in camelCase (`state_machine_arn` is `stateMachineArn`), so the writer
and the reader cannot disagree on one.

A stack deployed by an earlier version may lack a field added since: it reads as that field's
default (below), never as a KeyError. What the tools act on (the state machine's ARN and type,
its log group, its schedule's name and group) is checked, and a value no version wrote is an
OutputError that says to redeploy. This module imports neither Pulumi nor boto3.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

from serverless_workflows.asl.asl_language import WORKFLOW_TYPES

# The stack's own outputs (deployment.stack_outputs; __main__.py adds the cost estimate). A
# shortcut output of the catalogue taking one of these names would replace it, or be replaced by it.
WORKFLOWS_OUTPUT = "workflows"
ALARM_TOPIC_OUTPUT = "alarmTopicArn"
DASHBOARD_OUTPUT = "dashboardUrl"
COST_OUTPUT = "monthlyCostEstimate"
STACK_OUTPUTS = (WORKFLOWS_OUTPUT, ALARM_TOPIC_OUTPUT, DASHBOARD_OUTPUT, COST_OUTPUT)

# A state machine, or one of its versions or aliases (arn:...:stateMachine:NAME:QUALIFIER).
STATE_MACHINE_ARN = re.compile(r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:\s]+(:[^:\s]+)?$")
STATE_MACHINE_ARN_FORM = "arn:aws:states:<region>:<account>:stateMachine:<name>"

# What a field an entry lacks reads as.
DEFAULT_TYPE = "STANDARD"
"""`type`: every workflow was a Standard one before a workflow could be Express."""
DEFAULT_SCHEDULE_ENABLED = True
"""`schedule.enabled`: every schedule was enabled before a stack could deploy one disabled."""
NOT_RECORDED = ""
"""Any other name, ARN or URL (`consoleUrl`, `roleArn`, a function's `logGroup`...): no real one
is empty, so nothing is found by it. A missing `logGroup` reads as this too, which `ops` takes
for no log group, as it takes `null` (logging OFF)."""

T = TypeVar("T")


@dataclass(frozen=True)
class ScheduleOutput(Generic[T]):
    """A workflow's EventBridge Scheduler schedule."""

    name: T
    group: T
    dead_letter_queue_url: T
    enabled: bool
    """As the stack configures it: `ops verify` then expects the schedule ENABLED or DISABLED."""


@dataclass(frozen=True)
class FunctionOutput(Generic[T]):
    """One of the workflow's Lambda functions."""

    function_name: T
    function_arn: T
    log_group: T


@dataclass(frozen=True)
class TopicOutput(Generic[T]):
    arn: T


@dataclass(frozen=True)
class QueueOutput(Generic[T]):
    arn: T
    url: T


@dataclass(frozen=True)
class TableOutput(Generic[T]):
    arn: T
    name: T


ResourceOutput: TypeAlias = TopicOutput[T] | QueueOutput[T] | TableOutput[T]
# An entry does not say which kind a resource is: it reads as the first of these whose every
# key it has, the ones with most keys first.
RESOURCE_RECORDS: tuple[type[Any], ...] = (QueueOutput, TableOutput, TopicOutput)


@dataclass(frozen=True)
class WorkflowOutput(Generic[T]):
    """One workflow's entry of the `workflows` output."""

    type: str
    """STANDARD or EXPRESS, as deployed."""
    state_machine_arn: T
    state_machine_name: T
    console_url: T
    role_arn: T
    log_group: T | None
    """The execution log group; None when the log level is OFF."""
    schedule: ScheduleOutput[T] | None
    functions: Mapping[str, FunctionOutput[T]]
    """Catalogue function name -> the function."""
    resources: Mapping[str, ResourceOutput[T]]
    """Catalogue integration name -> the topic, queue or table the stack created for it."""


def json_key(attribute: str) -> str:
    """The JSON key of a record's attribute: its name in camelCase."""
    first, *rest = attribute.split("_")
    return first + "".join(word.capitalize() for word in rest)


def json_keys(record: type[Any]) -> tuple[str, ...]:
    """The JSON keys of a record type's fields, in order."""
    return tuple(json_key(f.name) for f in dataclasses.fields(record))


_NESTED = ("schedule", "functions", "resources")
# The keys a shortcut output may name at the top of an entry: those holding one value.
ENTRY_FIELDS = tuple(json_key(f.name) for f in dataclasses.fields(WorkflowOutput) if f.name not in _NESTED)


def entry_output(entry: WorkflowOutput[T]) -> dict[str, Any]:
    """The entry as the `workflows` output holds it: a JSON object, keys in field order."""
    written: dict[str, Any] = _as_json(entry)
    return written


def _as_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {json_key(f.name): _as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: _as_json(item) for key, item in value.items()}
    return value


class OutputError(ValueError):
    """Stack outputs that no version of the program wrote: the stack must be redeployed, or the file fixed."""


def read_workflows(outputs: Mapping[str, Any]) -> dict[str, WorkflowOutput[str]]:
    """The `workflows` output of a stack's outputs (`pulumi stack output --json`), each entry read."""
    entries = outputs.get(WORKFLOWS_OUTPUT)
    if not isinstance(entries, dict):
        found = (
            f"no '{WORKFLOWS_OUTPUT}'"
            if entries is None
            else f"a '{WORKFLOWS_OUTPUT}' that is not an object ({type(entries).__name__})"
        )
        raise OutputError(
            f"the stack outputs have {found}; is this version of the program deployed? (keys: {sorted(outputs)})"
        )
    return {name: read_entry(name, entry) for name, entry in entries.items()}


def minimal_entry(state_machine_arn: str) -> WorkflowOutput[str]:
    """An entry that records a state machine's ARN and nothing else, every other field at its
    default: what `ops run --arn` knows before it asks AWS."""
    return WorkflowOutput(
        type=DEFAULT_TYPE,
        state_machine_arn=state_machine_arn,
        state_machine_name=NOT_RECORDED,
        console_url=NOT_RECORDED,
        role_arn=NOT_RECORDED,
        log_group=NOT_RECORDED,
        schedule=None,
        functions={},
        resources={},
    )


def read_entry(name: str, entry: object) -> WorkflowOutput[str]:
    """Workflow `name`'s entry of a deployed `workflows` output. A missing field reads as its
    default; a missing schedule, functions or resources as none."""
    where = f"the stack outputs' {WORKFLOWS_OUTPUT}.{name}"
    arn = _field(entry, "state_machine_arn") if isinstance(entry, dict) else None
    if not isinstance(entry, dict) or not isinstance(arn, str):
        raise OutputError(f"{where} has no stateMachineArn; redeploy the stack")
    if not STATE_MACHINE_ARN.match(arn):
        raise OutputError(
            f"{where}.stateMachineArn {arn!r} is not a state machine ARN ({STATE_MACHINE_ARN_FORM}); "
            "redeploy the stack, or fix the file"
        )
    kind = _field(entry, "type", DEFAULT_TYPE)
    if kind not in WORKFLOW_TYPES:
        raise OutputError(
            f"{where}.type {kind!r} is not one of {', '.join(WORKFLOW_TYPES)}; redeploy the stack, or fix the file"
        )
    log_group = _field(entry, "log_group", NOT_RECORDED)
    if not isinstance(log_group, str | None):
        raise OutputError(f"{where}.logGroup is not a name; redeploy the stack")
    schedule = _field(entry, "schedule")
    if schedule is not None and not (
        isinstance(schedule, dict) and all(isinstance(_field(schedule, key), str) for key in ("name", "group"))
    ):
        raise OutputError(f"{where}.schedule has no name and group; redeploy the stack")
    return WorkflowOutput(
        type=kind,
        state_machine_arn=arn,
        state_machine_name=_text(entry, "state_machine_name"),
        console_url=_text(entry, "console_url"),
        role_arn=_text(entry, "role_arn"),
        log_group=log_group,
        schedule=_schedule(schedule) if schedule is not None else None,
        functions=_functions(entry),
        resources=_resources(entry),
    )


def _field(entry: Mapping[str, Any], attribute: str, default: Any = None) -> Any:
    return entry.get(json_key(attribute), default)


def _text(entry: Mapping[str, Any], attribute: str) -> str:
    # The tools only show or link these: a value of the wrong type is no reason to refuse a command.
    value = _field(entry, attribute, NOT_RECORDED)
    return value if isinstance(value, str) else NOT_RECORDED


def _schedule(schedule: Mapping[str, Any]) -> ScheduleOutput[str]:
    enabled = _field(schedule, "enabled", DEFAULT_SCHEDULE_ENABLED)
    return ScheduleOutput(
        name=_text(schedule, "name"),
        group=_text(schedule, "group"),
        dead_letter_queue_url=_text(schedule, "dead_letter_queue_url"),
        enabled=enabled if isinstance(enabled, bool) else DEFAULT_SCHEDULE_ENABLED,
    )


def _functions(entry: Mapping[str, Any]) -> dict[str, FunctionOutput[str]]:
    return {
        name: FunctionOutput(
            function_name=_text(item, "function_name"),
            function_arn=_text(item, "function_arn"),
            log_group=_text(item, "log_group"),
        )
        for name, item in _items(entry, "functions")
    }


def _resources(entry: Mapping[str, Any]) -> dict[str, ResourceOutput[str]]:
    found: dict[str, ResourceOutput[str]] = {}
    for name, item in _items(entry, "resources"):
        kind = next((kind for kind in RESOURCE_RECORDS if set(json_keys(kind)) <= set(item)), None)
        if kind is not None:
            found[name] = kind(**{f.name: _text(item, f.name) for f in dataclasses.fields(kind)})
    return found


def _items(entry: Mapping[str, Any], attribute: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The objects under `attribute`. The tools read neither functions nor resources, so an item
    of another shape is left out, not refused."""
    items = _field(entry, attribute, {})
    return [(name, item) for name, item in (items if isinstance(items, dict) else {}).items() if isinstance(item, dict)]
