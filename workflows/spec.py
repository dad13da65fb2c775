"""The catalogue's vocabulary: what one workflow is made of, as plain data.

A `WorkflowSpec` names everything the program, the cost estimate, the
diagrams, the ops tool and the rehearsal need to know about a workflow: its
definition file, the Lambda functions it invokes, the other resources it
integrates with, its schedule, and how to check that it works. Every tool
iterates over the catalogue (`workflows/catalogue.py`); nothing else names a
workflow.

Values known only at deploy time reach the definition as `${Name}`
placeholders: each function and integration below says which placeholder it
fills. This module imports neither Pulumi nor boto3.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from serverless_workflows.asl.asl_language import WORKFLOW_TYPES
from serverless_workflows.asl.definition import WorkflowDefinition, is_placeholder_name, placeholders_in
from serverless_workflows.asl.execution_input import input_problem
from serverless_workflows.asl.house_rules import level_problems
from serverless_workflows.defaults import (
    FUNCTION_ARCHITECTURE,
    FUNCTION_MEMORY_MB,
    FUNCTION_RUNTIME,
    FUNCTION_TIMEOUT_SECONDS,
    SCHEDULE_ENABLED,
    SCHEDULE_TIMEZONE,
    STATE_MACHINE_TYPE,
)
from workflows.field_types import field_problems, shown
from workflows.outputs import (
    ENTRY_FIELDS,
    STACK_OUTPUTS,
    FunctionOutput,
    QueueOutput,
    ScheduleOutput,
    TableOutput,
    TopicOutput,
    json_keys,
)

# The catalogue's definition files (and mock configurations) are kept beside it, in this folder.
DEFINITIONS_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = DEFINITIONS_DIR.parent

# How a Step Functions execution can end: what an Outcome may expect.
OUTCOME_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
# What an on-demand workflow (no schedule) is assumed to run a month, for the cost estimate.
ON_DEMAND_EXECUTIONS_PER_MONTH = 1_000

_NAME = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")


class CatalogueError(ValueError):
    """A catalogue entry that cannot be deployed as written."""


@dataclass(frozen=True)
class FunctionSpec:
    """A Python Lambda function the workflow invokes."""

    name: str
    """Lowercase letters, digits and '-'; unique in the catalogue. The component's
    name and the suffix of the physical name (`<stack prefix>-<name>`)."""
    handler: str
    """Lambda's handler string, `package.module.function` (`handlers.call_center.open_case`)."""
    placeholder: str
    """The `${Name}` in the definition that receives the function's ARN."""
    description: str = ""
    memory_mb: int = FUNCTION_MEMORY_MB
    timeout_seconds: int = FUNCTION_TIMEOUT_SECONDS
    """The function's own timeout; a task invoking it must allow more (see serverless_workflows.asl.house_rules)."""
    runtime: str = FUNCTION_RUNTIME
    architecture: str = FUNCTION_ARCHITECTURE
    environment: Mapping[str, str] = field(default_factory=dict)
    """Environment variables; values may use the workflow's `${Name}` placeholders (a table's name)."""
    statements: tuple[Mapping[str, Any], ...] = ()
    """Extra IAM statements for the function's role, e.g. reading a table; strings may use the
    workflow's `${Name}` placeholders (`"Resource": ["${ReportsTableArn}"]`). Default: none."""
    source_root: Path = PROJECT_ROOT
    """The folder holding the handler's top-level package. Default: the project root (`handlers/`)."""


@dataclass(frozen=True)
class Topic:
    """An SNS topic the stack creates (encrypted with the AWS-managed key)."""

    name: str
    placeholder: str
    """Receives the topic ARN."""


@dataclass(frozen=True)
class Queue:
    """An SQS queue the stack creates (SQS-managed encryption)."""

    name: str
    placeholder: str
    """Receives the queue URL, which is what `sqs:sendMessage` tasks take."""
    arn_placeholder: str | None = None
    """Receives the queue ARN, for a function's statements. Default: none."""


@dataclass(frozen=True)
class Table:
    """A DynamoDB table the stack creates (on-demand billing, encrypted, point-in-time recovery)."""

    name: str
    placeholder: str
    """Receives the table name, which is what `dynamodb:*Item` tasks take."""
    partition_key: str = "id"
    """A string attribute. Default: `id`."""
    sort_key: str | None = None
    """A string attribute, or none. Default: none."""
    arn_placeholder: str | None = None
    """Receives the table ARN, for a function's statements. Default: none."""


@dataclass(frozen=True)
class WorkflowRef:
    """Another workflow of the catalogue, started by this one (`states:startExecution`)."""

    workflow: str
    placeholder: str
    """Receives that workflow's state machine ARN."""


@dataclass(frozen=True)
class Value:
    """A value the stack does not create, such as an existing event bus or topic ARN."""

    placeholder: str
    value: str


Integration = Topic | Queue | Table | WorkflowRef | Value


@dataclass(frozen=True)
class ScheduleSpec:
    """When EventBridge Scheduler starts the workflow; stack config may override each value."""

    expression: str
    """`rate(...)`, `cron(...)` or `at(...)`."""
    payload: Mapping[str, Any] = field(default_factory=dict)
    """The execution input, a JSON object of at most 256 KiB encoded (no NaN or Infinity). Default: `{}`."""
    timezone: str = SCHEDULE_TIMEZONE
    enabled: bool = SCHEDULE_ENABLED
    stack_keys: bool = False
    """The stack's top-level keys `scheduleExpression`, `scheduleTimezone`, `scheduleEnabled`
    and `schedulePayload` configure this schedule (at most one workflow may claim them).
    Default: False; every schedule can be configured under `workflows.<name>`."""
    expected_output: Mapping[str, Any] | None = None
    """What `ops verify` expects a scheduled run to add to its input; None checks only that
    the runs succeeded. Default: None."""


@dataclass(frozen=True)
class Outcome:
    """One way an on-demand run may end, for `ops verify`. Strings may hold `{run}`,
    replaced by the run's number (`001`)."""

    name: str
    status: str
    """SUCCEEDED, FAILED, TIMED_OUT or ABORTED (OUTCOME_STATUSES)."""
    output: Any = None
    """The execution's exact output, when it succeeds. Default: not checked."""
    error: str | None = None
    cause: str | None = None
    state_outputs: Mapping[str, Any] = field(default_factory=dict)
    """State name -> its exact output. Default: none checked."""


@dataclass(frozen=True)
class SmokeTest:
    """How `ops verify` exercises an on-demand workflow: run it until every outcome was seen."""

    input: Any
    """The execution input; strings may hold `{run}`."""
    outcomes: tuple[Outcome, ...]
    """At least one."""
    max_runs: int = 10


@dataclass(frozen=True)
class OfflineMocks:
    """A test case of a mock configuration file (AWS Step Functions Local's format) that the offline
    rehearsal runs the workflow with: the Task states it mocks return or throw as configured instead
    of calling their service (docs/testing-offline.md)."""

    config: str | Path
    """The mock configuration file; a relative path is read from `workflows/`."""
    test_case: str
    """The test case of that file, under the workflow's name in its `StateMachines`."""

    @property
    def path(self) -> Path:
        path = Path(self.config)
        return path if path.is_absolute() else DEFINITIONS_DIR / path


@dataclass(frozen=True)
class WorkflowSpec:
    """One workflow of the catalogue."""

    name: str
    """Lowercase letters, digits and '-'. Names the component, the stack outputs and the
    physical names (`<stack prefix>-<name>`); `python -m ops run <name>` uses it."""
    title: str
    """A human title, for diagrams and reports."""
    definition: str | Path
    """The ASL file; a relative path is read from `workflows/`."""
    functions: tuple[FunctionSpec, ...] = ()
    integrations: tuple[Integration, ...] = ()
    schedule: ScheduleSpec | None = None
    type: str = STATE_MACHINE_TYPE
    """STANDARD or EXPRESS; stack config may override it. Default: STANDARD."""
    sample_input: Any = None
    """The input `python -m ops run <name>` uses by default. Default: the schedule's payload, else {}."""
    refused_input: Any = None
    """An input the workflow refuses with a named error; `make demo` runs it to show what a
    user then sees. Default: none."""
    refused_error: str | None = None
    """The error `refused_input` fails with; the rehearsal's tests check it. Default: none (any failure)."""
    executions_per_month: float | None = None
    """On-demand runs a month, for the cost estimate. Default: none for a scheduled workflow
    (the schedule decides), ON_DEMAND_EXECUTIONS_PER_MONTH otherwise."""
    map_items: int = 10
    """Items a Map state is assumed to process per run, for the cost estimate. Default: 10."""
    smoke_test: SmokeTest | None = None
    """How `ops verify` runs it on demand. Default: not run."""
    statements: tuple[Mapping[str, Any], ...] = ()
    """Escape hatch: extra IAM statements for the state machine's role (strings may use
    placeholders). Default: none."""
    granted_states: frozenset[str] = frozenset()
    """States whose permissions `statements` provide, for integrations the component cannot
    scope on its own (it refuses them otherwise); each a state of the definition, at any depth.
    Default: none."""
    passable_roles: tuple[str, ...] = ()
    """IAM roles the workflow may pass to ECS, whose `runTask` takes them from a task definition
    the definition only names (its task role and execution role): role ARNs or `${Name}`
    placeholders. The role gets `iam:PassRole` on exactly these, only to ECS tasks. Default: none."""
    offline_mocks: OfflineMocks | None = None
    """The mocked responses the offline rehearsal runs it with, for Task states whose services the
    in-memory AWS does not run. Default: none (such a workflow is listed as not rehearsed)."""
    shortcut_outputs: Mapping[str, str] = field(default_factory=dict)
    """Flat stack outputs: output name -> a dotted path in this workflow's entry of the
    `workflows` output (`stateMachineArn`, `schedule.name`, `functions.<name>.functionName`).
    A name is unique in the stack: no other entry's shortcut, and none of STACK_OUTPUTS."""
    house_rules: Mapping[str, str] = field(default_factory=dict)
    """This workflow's enforcement level of a project rule, over the stack's `houseRules`: rule
    name (`serverless_workflows.asl.house_rules.HOUSE_RULES`) -> `mandatory`, `advisory` or `disabled`, e.g.
    `{"top-level-timeout": "advisory"}` for a definition brought as it is. Default: none (the
    stack's levels)."""

    def load_definition(self) -> WorkflowDefinition:
        return WorkflowDefinition.load(self.definition_path)

    @property
    def definition_path(self) -> Path:
        path = Path(self.definition)
        return path if path.is_absolute() else DEFINITIONS_DIR / path

    @property
    def function_placeholders(self) -> dict[str, FunctionSpec]:
        return {function.placeholder: function for function in self.functions}

    @property
    def placeholders(self) -> list[str]:
        """Every placeholder this entry fills, functions first."""
        names = [function.placeholder for function in self.functions]
        for integration in self.integrations:
            names.append(integration.placeholder)
            arn_placeholder = getattr(integration, "arn_placeholder", None)
            if arn_placeholder:
                names.append(arn_placeholder)
        return names

    def default_input(self) -> Any:
        if self.sample_input is not None:
            return self.sample_input
        return dict(self.schedule.payload) if self.schedule else {}


def check_catalogue(catalogue: tuple[WorkflowSpec, ...]) -> None:
    """Raise CatalogueError listing every problem of the entries: fields of the wrong type
    (alone, since every other check reads the fields), then values and inconsistencies
    between entries. Reads no files."""
    # Two identical entries would otherwise list each of their problems twice.
    problems = list(dict.fromkeys(_catalogue_problems(catalogue)))
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise CatalogueError(f"workflows/catalogue.py: {len(problems)} problem(s):\n{listed}")


def _catalogue_problems(catalogue: tuple[WorkflowSpec, ...]) -> Iterator[str]:
    # Every other check reads the fields as their types declare them, so a wrong type is
    # reported alone: checked further, it would fail with a traceback instead.
    wrong_types = list(_type_problems(catalogue))
    if wrong_types:
        yield from wrong_types
        return
    if not catalogue:
        yield "the catalogue is empty; it needs at least one WorkflowSpec."
        return
    names = [spec.name for spec in catalogue]
    function_owners: dict[str, str] = {}
    for spec in catalogue:
        where = f"workflow {spec.name!r}"
        if names.count(spec.name) > 1 and names.index(spec.name) == catalogue.index(spec):
            yield f"{where} is declared {names.count(spec.name)} times; workflow names are unique."
        yield from _entry_problems(where, spec)
        for function in spec.functions:
            owner = function_owners.setdefault(function.name, spec.name)
            if owner != spec.name or [f.name for f in spec.functions].count(function.name) > 1:
                yield (
                    f"{where}: function {function.name!r} is also declared by workflow {owner!r}; "
                    "function names are unique in the catalogue."
                )
        yield from _integration_problems(where, spec, names)
    yield from _shortcut_problems(catalogue)
    # Named once each: an entry declared twice is a problem of its own, reported above.
    claiming = list(
        dict.fromkeys(spec.name for spec in catalogue if spec.schedule is not None and spec.schedule.stack_keys)
    )
    if len(claiming) > 1:
        yield f"workflows {', '.join(claiming)} all claim the stack's top-level schedule keys; only one may."
    yield from _cycles(catalogue)


def _type_problems(catalogue: object) -> Iterator[str]:
    if not isinstance(catalogue, tuple):
        yield f"the catalogue must be a tuple of WorkflowSpec; got {shown(catalogue)} ({type(catalogue).__name__})."
        return
    for number, spec in enumerate(catalogue, start=1):
        if not isinstance(spec, WorkflowSpec):
            yield f"catalogue entry {number} must be a WorkflowSpec; got {shown(spec)} ({type(spec).__name__})."
            continue
        # An entry without a usable name is named by its place in the catalogue.
        where = f"workflow {spec.name!r}" if isinstance(spec.name, str) else f"catalogue entry {number}"
        for problem in field_problems(spec):
            yield f"{where}: {problem}."


def _passable_role_problems(where: str, spec: WorkflowSpec) -> Iterator[str]:
    for role in spec.passable_roles:
        if not (role.startswith("arn:") or placeholders_in(role)):
            yield f"{where}: passable_roles holds {role!r}; each is a role ARN or a ${{Name}} placeholder."
        for unknown in sorted(placeholders_in(role) - set(spec.placeholders)):
            yield f"{where}: passable_roles use ${{{unknown}}}, which no function or integration fills."


def _entry_problems(where: str, spec: WorkflowSpec) -> Iterator[str]:
    if not _NAME.match(spec.name):
        yield f"{where}: the name must be lowercase letters, digits and '-' (starting with a letter)."
    if spec.type not in WORKFLOW_TYPES:
        yield f"{where}: type {spec.type!r} is not one of {', '.join(WORKFLOW_TYPES)}."
    placeholders = spec.placeholders
    for duplicate in sorted({p for p in placeholders if placeholders.count(p) > 1}):
        yield f"{where}: placeholder {duplicate!r} is filled twice."
    for placeholder in placeholders:
        if not is_placeholder_name(placeholder):
            yield f"{where}: placeholder {placeholder!r} must be a letter then letters, digits or '_'."
    yield from _function_problems(where, spec)
    if spec.schedule is not None and (problem := input_problem(dict(spec.schedule.payload))):
        yield f"{where}: schedule.payload {problem}."
    for unknown in sorted(placeholders_in(spec.statements) - set(placeholders)):
        yield f"{where}: statements use ${{{unknown}}}, which no function or integration fills."
    yield from _passable_role_problems(where, spec)
    if spec.smoke_test is not None:
        yield from _smoke_test_problems(where, spec.smoke_test)
    for problem in level_problems(spec.house_rules):
        yield f"{where}: house_rules: {problem}."
    yield from _rehearsal_problems(where, spec)
    for output, path in spec.shortcut_outputs.items():
        if not _valid_output_path(spec, path):
            yield f"{where}: shortcut output {output!r} points at {path!r}, which this workflow's output does not have."


def _rehearsal_problems(where: str, spec: WorkflowSpec) -> Iterator[str]:
    """What the offline rehearsal reads of an entry: the refused input's error, the mocks it runs with."""
    if spec.refused_error is not None and spec.refused_input is None:
        yield f"{where}: refused_error names the error of a refused_input, and there is none; give both or neither."
    if spec.offline_mocks is not None and not (spec.offline_mocks.config and spec.offline_mocks.test_case):
        yield f"{where}: offline_mocks needs a mock configuration file and the name of one of its test cases."


def _shortcut_problems(catalogue: tuple[WorkflowSpec, ...]) -> Iterator[str]:
    """Shortcut outputs share one namespace with the stack's own outputs: a clash would silently
    replace one output with another."""
    owners: dict[str, str] = {}
    for spec in catalogue:
        for output in spec.shortcut_outputs:
            if output in STACK_OUTPUTS:
                yield (
                    f"workflow {spec.name!r}: shortcut output {output!r} has the name of a stack output "
                    f"({', '.join(STACK_OUTPUTS)}); choose another name."
                )
            elif owners.setdefault(output, spec.name) != spec.name:
                yield (
                    f"workflow {spec.name!r}: shortcut output {output!r} is also declared by workflow "
                    f"{owners[output]!r}; shortcut output names are unique in the stack."
                )


def _smoke_test_problems(where: str, smoke_test: SmokeTest) -> Iterator[str]:
    if smoke_test.max_runs < 1:
        yield f"{where}: smoke_test.max_runs must be at least 1."
    if not smoke_test.outcomes:
        # ops verify matches each run against the outcomes: with none, its first run fails, expecting nothing.
        yield f"{where}: smoke_test.outcomes is empty; list at least one Outcome, or set smoke_test=None."
    for number, outcome in enumerate(smoke_test.outcomes):
        if outcome.status not in OUTCOME_STATUSES:
            yield (
                f"{where}: smoke_test.outcomes[{number}].status {outcome.status!r} is not one of "
                f"{', '.join(OUTCOME_STATUSES)}."
            )


def _function_problems(where: str, spec: WorkflowSpec) -> Iterator[str]:
    integration_values = set(spec.placeholders) - set(spec.function_placeholders)
    for function in spec.functions:
        if not _NAME.match(function.name):
            yield f"{where}: function name {function.name!r} must be lowercase letters, digits and '-'."
        for unknown in sorted(placeholders_in(dict(function.environment)) | placeholders_in(function.statements)):
            if unknown not in integration_values:
                yield f"{where}: function {function.name!r} uses ${{{unknown}}}, which no integration fills."


def _integration_problems(where: str, spec: WorkflowSpec, names: list[str]) -> Iterator[str]:
    created = [i.name for i in spec.integrations if isinstance(i, Topic | Queue | Table)]
    for duplicate in sorted({name for name in created if created.count(name) > 1}):
        yield f"{where}: integration name {duplicate!r} is used twice."
    for integration in spec.integrations:
        if isinstance(integration, WorkflowRef):
            if integration.workflow not in names:
                yield f"{where}: WorkflowRef to {integration.workflow!r}, which is not in the catalogue."
            elif integration.workflow == spec.name:
                yield f"{where}: a workflow cannot start itself through a WorkflowRef."
        elif isinstance(integration, Topic | Queue | Table) and not _NAME.match(integration.name):
            kind = type(integration).__name__.lower()
            yield f"{where}: {kind} name {integration.name!r} must be lowercase letters, digits and '-'."


# What a shortcut output may point at in a workflow's entry of the `workflows` stack output
# (workflows/outputs.py), as dotted paths.
OUTPUT_FIELDS = ENTRY_FIELDS
SCHEDULE_FIELDS = json_keys(ScheduleOutput)
FUNCTION_FIELDS = json_keys(FunctionOutput)
RESOURCE_FIELDS = {Topic: json_keys(TopicOutput), Queue: json_keys(QueueOutput), Table: json_keys(TableOutput)}


def _valid_output_path(spec: WorkflowSpec, path: str) -> bool:
    head, _, rest = path.partition(".")
    if not rest:
        return head in OUTPUT_FIELDS
    if head == "schedule":
        return spec.schedule is not None and rest in SCHEDULE_FIELDS
    item, _, field_name = rest.partition(".")
    if head == "functions":
        return item in {f.name for f in spec.functions} and field_name in FUNCTION_FIELDS
    if head == "resources":
        fields = {i.name: RESOURCE_FIELDS[type(i)] for i in spec.integrations if isinstance(i, Topic | Queue | Table)}
        return field_name in fields.get(item, ())
    return False


def _cycles(catalogue: tuple[WorkflowSpec, ...]) -> Iterator[str]:
    try:
        in_dependency_order(catalogue)
    except CatalogueError as error:
        yield str(error)


def in_dependency_order(catalogue: tuple[WorkflowSpec, ...]) -> list[WorkflowSpec]:
    """The entries with every workflow after the ones it starts (WorkflowRef), else as listed."""
    by_name = {spec.name: spec for spec in catalogue}
    ordered: list[WorkflowSpec] = []
    visiting: list[str] = []

    def visit(spec: WorkflowSpec) -> None:
        if spec in ordered:
            return
        if spec.name in visiting:
            cycle = " -> ".join([*visiting[visiting.index(spec.name) :], spec.name])
            raise CatalogueError(f"workflows start each other in a cycle ({cycle}); break it.")
        visiting.append(spec.name)
        for integration in spec.integrations:
            if isinstance(integration, WorkflowRef) and integration.workflow in by_name:
                visit(by_name[integration.workflow])
        visiting.pop()
        ordered.append(spec)

    for spec in catalogue:
        visit(spec)
    return ordered
