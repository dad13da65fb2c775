"""Workflow: a Step Functions state machine with everything it needs to run safely.

It always creates:

- `{name}-role` (and `{name}-policy`): the execution role, trusted by
  `states.amazonaws.com` only for this account and this state machine, allowed
  only what the definition needs: log delivery when logging is on, X-Ray when
  tracing is on, and least-privilege access to each service the definition's
  Task states call (the optimised integrations and the AWS SDK's; see
  `serverless_workflows/asl/integrations.py`), plus `extra_statements`;
- `{name}-logs`: a log group under `/aws/vendedlogs/states/` with retention
  (unless the log level is OFF);
- `{name}-state-machine`: the state machine, from a definition (a file, a dict
  or JSON text) whose `${Name}` placeholders are filled from `substitutions` and
  `functions`; named `<name>-<stack>` unless given a name.

Given a `ScheduleArgs`, it also creates the EventBridge Scheduler side:
a schedule group, the schedule, the scheduler's role (trusted only for that
group, allowed only to start this state machine and to dead-letter), and an
encrypted SQS dead-letter queue for ticks that could not be delivered.

Substitutions are values, not permissions: an ARN put into the definition
grants nothing by itself; the role gets what the Task states using it need.
"""

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from serverless_workflows import iam
from serverless_workflows.arguments import check_roles, checked, one_of, refused_at, role_name
from serverless_workflows.asl import integrations, model
from serverless_workflows.asl.asl_language import WORKFLOW_TYPES
from serverless_workflows.asl.definition import PLACEHOLDER, WorkflowDefinition, placeholders_in, substitute
from serverless_workflows.asl.execution_input import input_problem, schedule_input
from serverless_workflows.asl.house_rules import DEFAULT_LEVELS, level_problems
from serverless_workflows.asl.schedule import EXAMPLES as SCHEDULE_EXAMPLES
from serverless_workflows.asl.schedule import ScheduleExpressionError
from serverless_workflows.asl.schedule import parse as parse_schedule_expression
from serverless_workflows.asl.validate import validate as validate_definition
from serverless_workflows.aws_context import AwsContext, console_url
from serverless_workflows.defaults import (
    DEAD_LETTER_RETENTION_SECONDS,
    EXECUTION_LOG_LEVEL,
    INCLUDE_EXECUTION_DATA,
    LOG_RETENTION_DAYS,
    RETAIN_DATA,
    SCHEDULE_DESCRIPTION,
    SCHEDULE_ENABLED,
    SCHEDULE_MAX_EVENT_AGE_SECONDS,
    SCHEDULE_RETRY_ATTEMPTS,
    SCHEDULE_TIMEZONE,
    STATE_MACHINE_TYPE,
    TRACING_ENABLED,
)
from serverless_workflows.handler_function import TaskFunctionArgs
from serverless_workflows.logs import check_retention, check_states_log_level, express_results_logged
from serverless_workflows.names import (
    MAX_SCHEDULED_STATE_MACHINE_NAME,
    MAX_STATE_MACHINE_NAME,
    ScheduleNames,
    WorkflowNames,
    derived_name,
    workflow_names,
)
from serverless_workflows.refusals import ArgumentError, Key, RefusalError

TYPE_TOKEN = "serverless-workflows:index:Workflow"

# EventBridge Scheduler's documented bounds for a target's retry policy.
MAX_SCHEDULE_RETRY_ATTEMPTS = 185
SCHEDULE_EVENT_AGE_SECONDS = (60, 86_400)

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
# The three forms a definition may take; exactly one is given.
DEFINITION_FIELDS = ("definition_file", "definition_document", "definition_json")

Statement = dict[str, Any]


class ScheduleArgs(TypedDict):
    """When and with what input EventBridge Scheduler starts the workflow."""

    expression: str
    """`rate(...)`, `cron(...)` or `at(...)`, checked as EventBridge Scheduler checks them."""
    payload: NotRequired[Mapping[str, Any]]
    """The execution input, a JSON object. Default: {}."""
    enabled: NotRequired[bool]
    """False deploys the schedule DISABLED: it exists but starts nothing. Default: True."""
    timezone: NotRequired[str]
    """IANA time zone for cron and at expressions. Default: UTC."""
    description: NotRequired[str]
    """The schedule's description. Default: Starts the state machine on schedule."""
    retry_attempts: NotRequired[int]
    """How often Scheduler retries a failed StartExecution (0 to 185). Default: 3."""
    max_event_age_seconds: NotRequired[int]
    """How long a tick stays worth delivering (60 to 86400). Default: 300, since a
    per-minute workflow gains nothing from a tick retried hours later."""
    dead_letter_retention_seconds: NotRequired[int]
    """How long undeliverable ticks stay in the dead-letter queue the component creates (not with
    an existing one, which keeps its own). Default: 1209600 (14 days, SQS's maximum)."""
    existing_dead_letter_queue_arn: NotRequired[pulumi.Input[str]]
    """An SQS queue of your own for the ticks Scheduler could not deliver, by ARN, given with
    `existing_dead_letter_queue_url`: no queue is created, and the scheduler's role may send to it
    (a queue encrypted with a customer managed key must also let that role use the key).
    Default: a queue of the component's own, encrypted by SQS."""
    existing_dead_letter_queue_url: NotRequired[pulumi.Input[str]]
    """That queue's URL, given with `existing_dead_letter_queue_arn` (the component's
    `dead_letter_queue_url`). Default: the URL of the component's own queue."""


class WorkflowArgs(TypedDict):
    """Everything a Workflow is built from: one form of the definition, and what it needs.

    Fields the component checks before declaring anything are plain values, known when the
    program runs: the definition, the names, the schedule, the levels. Values that may come from
    another resource (ARNs, URLs, names of what the stack creates) take a `pulumi.Input`.
    """

    state_machine_name: NotRequired[str]
    """Physical name of the state machine; also the stem of its role, log group, schedule and
    queue names. Plain: the role's trust policy names the state machine's ARN before it exists.
    Default: the component's name and the stack's, `<name>-<stack>` (any character a name may not
    hold made '-'), shortened with a hash past 80 characters, or 64 with a schedule."""
    definition_file: NotRequired[str]
    """The ASL definition in a file: its path, relative to the working directory (where Pulumi runs
    a program). Give exactly one of definition_file, definition_document and definition_json; each is
    checked (`serverless_workflows.asl.validate`) before anything is declared. Default: none."""
    definition_document: NotRequired[Mapping[str, Any]]
    """The ASL definition as a dict (parsed JSON), `${Name}` placeholders in its strings.
    Default: none (see definition_file)."""
    definition_json: NotRequired[str]
    """The ASL definition as JSON text, such as a Workflow Studio export the program has read.
    Default: none (see definition_file)."""
    type: NotRequired[str]
    """STANDARD or EXPRESS. Express workflows need a definition TimeoutSeconds of at most
    300 and logging of execution data (see `express_without_execution_logs`). Default: STANDARD."""
    substitutions: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Placeholder -> value (an ARN, URL or name) put wherever `${Name}` stands in the definition,
    `extra_statements` and `passable_roles`. Every placeholder of the three needs a value (here or,
    for a Lambda function, in `functions`) and every value is used by one of them. The map is plain;
    its values may be outputs. Default: none."""
    value_lengths: NotRequired[Mapping[str, int]]
    """Placeholder -> the most characters its value can have, for each value not known before
    deploy time (an Output: the ARN of a resource the stack creates). The role's policies are laid
    out from these lengths before anything is declared, so no value can make them exceed IAM's
    limits at `pulumi up`. A value without one counts as MAX_VALUE_CHARACTERS. Default: none."""
    functions: NotRequired[Mapping[str, TaskFunctionArgs]]
    """The Lambda functions the definition's tasks invoke: placeholder -> the function, as
    `HandlerFunction.for_workflow()` gives it, or the ARN and timeout of a function made elsewhere.
    Its ARN is put where `${Name}` stands (so it is no substitution too), the role may invoke it,
    and a task invoking it must allow more than its timeout. Default: none."""
    extra_statements: NotRequired[Sequence[Mapping[str, Any]]]
    """Escape hatch: IAM statements added to the execution role, their `${Name}` placeholders
    filled from `substitutions`. Default: none."""
    granted_states: NotRequired[Sequence[str]]
    """Task states whose permissions `extra_statements` provide. A state calling a service
    this component cannot scope is refused unless it is listed here. Default: none."""
    passable_roles: NotRequired[Sequence[str]]
    """IAM roles (ARNs or `${Name}` placeholders) the workflow may pass to a service that takes
    them from a task definition the definition only names (ECS `runTask`): `iam:PassRole` on
    exactly these, only to that service. Default: none."""
    target_keys: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Placeholder -> the ARN of the customer managed KMS key that encrypts the resource it names
    (a topic, queue or table the stack creates): the role may use that key through that service
    only. A name that is no such target of a task is refused. Default: none."""
    log_level: NotRequired[str]
    """ALL, ERROR, FATAL or OFF. Default: ALL."""
    log_retention_days: NotRequired[int]
    """Days CloudWatch keeps execution logs; one of CloudWatch's allowed values. Default: 14."""
    include_execution_data: NotRequired[bool]
    """Log each state's input and output (needed to see the data flow). Default: True."""
    express_without_execution_logs: NotRequired[bool]
    """An Express workflow's results exist only in its logs; it is refused unless it logs
    ALL with execution data, or this says to run it unobserved. Default: False."""
    tracing_enabled: NotRequired[bool]
    """X-Ray tracing of executions. Default: True."""
    retain_data: NotRequired[bool]
    """Keep the log group and the dead-letter queue when the stack is destroyed or they are
    replaced (`retain_on_delete`); delete them by hand afterwards. Default: False."""
    schedule: NotRequired[ScheduleArgs]
    """Start the workflow on a schedule. Default: no schedule."""
    existing_role: NotRequired[pulumi.Input[str]]
    """An IAM role of your own to run the state machine as, by name or ARN (a role with a path: its
    ARN). No role is created: the policy the component derives is attached to that role as an inline
    policy of its own (and past IAM's inline limit, managed policies, as on the component's role).
    Its trust policy must let `states.amazonaws.com` assume it, best only for this account
    (`aws:SourceAccount`) and this state machine (`aws:SourceArn`, its ARN from its name), as the
    component's own role's does. Default: a role of the component's own."""
    starters: NotRequired[Sequence[pulumi.Input[str]]]
    """IAM roles, by name or ARN, that may start executions of the state machine: each gets a policy
    of its own allowing `states:StartExecution` on it (`<name>-starter-<n>`, in the list's order),
    as `grant_start_execution` gives from Python. Default: none."""
    existing_log_group_name: NotRequired[pulumi.Input[str]]
    """A CloudWatch log group of your own for the execution logs, by name: none is created, and
    the logging configuration points at it (the role's log delivery grant covers any group). Not with
    log_level OFF, nor with log_retention_days: the group keeps its own retention. Default: a log
    group of the component's own, `/aws/vendedlogs/states/<state machine name>`."""
    house_rules: NotRequired[Mapping[str, str]]
    """Each project rule's enforcement level (`serverless_workflows/asl/house_rules.py` HOUSE_RULES),
    with the level names a stack's `houseRules` takes: `mandatory` refuses the definition, `advisory`
    deploys it with a warning naming the rule, `disabled` skips the rule. A rule left out is
    mandatory; so a definition exported from Workflow Studio as it is deploys with its rules advisory
    or disabled. No level touches what AWS itself refuses. Default: every rule mandatory."""


@dataclass(frozen=True)
class ResolvedSchedule:
    """A ScheduleArgs with every default filled in: what the component declares."""

    expression: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    enabled: bool = SCHEDULE_ENABLED
    timezone: str = SCHEDULE_TIMEZONE
    description: str = SCHEDULE_DESCRIPTION
    retry_attempts: int = SCHEDULE_RETRY_ATTEMPTS
    max_event_age_seconds: int = SCHEDULE_MAX_EVENT_AGE_SECONDS
    dead_letter_retention_seconds: int = DEAD_LETTER_RETENTION_SECONDS
    existing_dead_letter_queue_arn: pulumi.Input[str] | None = None
    existing_dead_letter_queue_url: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class ResolvedWorkflow:
    """A WorkflowArgs read (`resolve`): the name derived when not given, the definition loaded,
    every default filled in, and each function's ARN among the substitutions, its timeout in
    `functions`. What every check and every declaration of the component reads."""

    state_machine_name: str
    definition: WorkflowDefinition
    type: str = STATE_MACHINE_TYPE
    substitutions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    value_lengths: Mapping[str, int] = field(default_factory=dict)
    functions: Mapping[str, int] = field(default_factory=dict)
    """Placeholder -> the timeout of the function whose ARN fills it."""
    extra_statements: Sequence[Statement] = ()
    granted_states: frozenset[str] = frozenset()
    passable_roles: tuple[str, ...] = ()
    target_keys: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    log_level: str = EXECUTION_LOG_LEVEL
    log_retention_days: int = LOG_RETENTION_DAYS
    include_execution_data: bool = INCLUDE_EXECUTION_DATA
    express_without_execution_logs: bool = False
    tracing_enabled: bool = TRACING_ENABLED
    retain_data: bool = RETAIN_DATA
    schedule: ResolvedSchedule | None = None
    house_rules: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_LEVELS))
    existing_role: pulumi.Input[str] | None = None
    existing_log_group_name: pulumi.Input[str] | None = None
    starters: Sequence[pulumi.Input[str]] = ()


def resolve(name: str, args: WorkflowArgs) -> ResolvedWorkflow:
    """`args` of `Workflow(name, args)` read into one shape, or a one-line refusal of what is
    wrong with their form: a field of another type, or not exactly one form of the definition."""
    what = f"Workflow {name!r}"
    given = checked(args, WorkflowArgs, what)
    definition = _definition(what, given)
    functions: dict[str, Any] = given.pop("functions", {})
    substitutions: dict[str, Any] = given.pop("substitutions", {})
    if twice := sorted(set(functions) & set(substitutions)):
        raise ArgumentError(
            f"{what}: {', '.join(twice)} is given in both functions and substitutions; a function's ARN "
            "comes from functions alone.",
            ("substitutions", Key(twice[0])),
        )
    _check_existing(what, given)
    schedule = ResolvedSchedule(**given.pop("schedule")) if "schedule" in given else None
    limit = MAX_SCHEDULED_STATE_MACHINE_NAME if schedule is not None else MAX_STATE_MACHINE_NAME
    state_machine_name = given.pop("state_machine_name", None) or derived_name(name, pulumi.get_stack(), limit)
    return ResolvedWorkflow(
        state_machine_name=state_machine_name,
        definition=definition,
        substitutions={**substitutions, **{placeholder: f["arn"] for placeholder, f in functions.items()}},
        functions={placeholder: f["timeout_seconds"] for placeholder, f in functions.items()},
        granted_states=frozenset(given.pop("granted_states", ())),
        passable_roles=tuple(given.pop("passable_roles", ())),
        extra_statements=[dict(statement) for statement in given.pop("extra_statements", ())],
        schedule=schedule,
        **given,
    )


def _check_existing(what: str, given: Mapping[str, Any]) -> None:
    """Resources of the caller's own stand in for the component's whole: the settings of the one it
    would create are refused beside them, and a plain name or ARN must be one."""
    role = given.get("existing_role")
    if isinstance(role, str) and (problem := iam.role_reference_problem(role)):
        raise ArgumentError(f"{what}: existing_role {problem}.", ("existing_role",))
    check_roles(given.get("starters", ()), "starters", what)
    if "existing_log_group_name" in given:
        if given.get("log_level") == "OFF":
            raise ArgumentError(
                f"{what}: existing_log_group_name is for execution logs, and log_level is OFF; drop one.",
                ("existing_log_group_name",),
            )
        if "log_retention_days" in given:
            raise ArgumentError(
                f"{what}: log_retention_days is the retention of the log group the component creates; "
                "existing_log_group_name's group keeps its own. Drop log_retention_days.",
                ("log_retention_days",),
            )
    schedule = given.get("schedule", {})
    queue = [key for key in ("existing_dead_letter_queue_arn", "existing_dead_letter_queue_url") if key in schedule]
    if len(queue) == 1:
        raise ArgumentError(
            f"{what}: schedule.{queue[0]} is given alone; give the queue's ARN and URL together "
            "(existing_dead_letter_queue_arn, existing_dead_letter_queue_url).",
            ("schedule", queue[0]),
        )
    if queue and "dead_letter_retention_seconds" in schedule:
        raise ArgumentError(
            f"{what}: schedule.dead_letter_retention_seconds is the retention of the queue the component "
            "creates; an existing dead-letter queue keeps its own. Drop dead_letter_retention_seconds.",
            ("schedule", "dead_letter_retention_seconds"),
        )
    arn = schedule.get("existing_dead_letter_queue_arn")
    if isinstance(arn, str):
        try:
            iam.queue_name_of(arn)
        except ValueError as error:
            raise ArgumentError(
                f"{what}: schedule.existing_dead_letter_queue_arn: {error}.",
                ("schedule", "existing_dead_letter_queue_arn"),
            ) from None


def _definition(what: str, given: dict[str, Any]) -> WorkflowDefinition:
    """The one form of the definition `given` holds, loaded and taken out of `given`."""
    form = one_of(given, DEFINITION_FIELDS, what)
    value = given.pop(form)
    with refused_at(form):
        if form == "definition_file":
            return WorkflowDefinition.load(value)
        source = f"{what} {form}"
        if form == "definition_json":
            return WorkflowDefinition.from_json(value, source)
        return WorkflowDefinition.from_document(value, source)


def validate(name: str, args: WorkflowArgs) -> list[str]:
    """Reject arguments AWS would reject (and definitions the mandatory project rules refuse),
    before any resource is declared. Return the warnings, one line each, for the caller to show:
    the component shows them when it is declared, so a check made earlier shows nothing twice."""
    return _checked(resolve(name, args))


def _checked(args: ResolvedWorkflow) -> list[str]:
    """`validate`, of arguments already read."""
    what = f"Workflow {args.state_machine_name!r}"
    limit = MAX_SCHEDULED_STATE_MACHINE_NAME if args.schedule is not None else MAX_STATE_MACHINE_NAME
    if not _NAME.match(args.state_machine_name) or len(args.state_machine_name) > limit:
        because = " (its schedule and schedule group take the same name)" if args.schedule is not None else ""
        raise ArgumentError(
            f"{what}: the name must be 1 to {limit} letters, digits, '-' or '_'{because}; "
            f"it has {len(args.state_machine_name)} characters.",
            ("state_machine_name",),
        )
    if args.type not in WORKFLOW_TYPES:
        raise ArgumentError(f"{what}: type {args.type!r} is not one of {', '.join(WORKFLOW_TYPES)}.", ("type",))
    with refused_at("log_level"):
        check_states_log_level(args.log_level, what=what)
    with refused_at("log_retention_days"):
        check_retention(args.log_retention_days, what=what)
    observed = express_results_logged(args.log_level, include_execution_data=args.include_execution_data)
    if args.type == "EXPRESS" and not args.express_without_execution_logs and not observed:
        raise ArgumentError(
            f"{what}: an Express workflow's results are only in its execution logs, so it must log "
            f"level ALL with execution data (log level is {args.log_level}, execution data "
            f"{'on' if args.include_execution_data else 'off'}); or set express_without_execution_logs.",
            ("log_level",),
        )
    if problems := level_problems(args.house_rules):
        raise ArgumentError(f"{what}: house_rules: {'; '.join(problems)}.", ("house_rules",))
    warnings = validate_definition(
        args.definition,
        _definition_values(args),
        functions=dict(args.functions),
        workflow_type=args.type,
        house_rules=args.house_rules,
    )
    _check_granted_states(what, args)
    _check_integrations(what, args)
    _check_target_keys(what, args)
    _check_policy_size(what, args)
    schedule = args.schedule
    if schedule is not None:
        try:
            parse_schedule_expression(schedule.expression)
        except ScheduleExpressionError as error:
            raise ArgumentError(
                f"{what}: schedule expression {error}; examples: {SCHEDULE_EXAMPLES}.", ("schedule", "expression")
            ) from None
        if not 0 <= schedule.retry_attempts <= MAX_SCHEDULE_RETRY_ATTEMPTS:
            raise ArgumentError(
                f"{what}: schedule retry_attempts must be 0 to {MAX_SCHEDULE_RETRY_ATTEMPTS}.",
                ("schedule", "retry_attempts"),
            )
        low, high = SCHEDULE_EVENT_AGE_SECONDS
        if not low <= schedule.max_event_age_seconds <= high:
            raise ArgumentError(
                f"{what}: schedule max_event_age_seconds must be {low} to {high}.",
                ("schedule", "max_event_age_seconds"),
            )
        if not isinstance(schedule.payload, Mapping):
            raise ArgumentError(
                f"{what}: the schedule payload must be a JSON object, got {schedule.payload!r}.",
                ("schedule", "payload"),
            )
        # The catalogue and stack config are checked for this earlier; a program using the component is not.
        if problem := input_problem(dict(schedule.payload)):
            raise ArgumentError(f"{what}: the schedule payload {problem}.", ("schedule", "payload"))
    return [f"{what}: {warning}" for warning in warnings]


def _static_document(args: ResolvedWorkflow) -> Any:
    """The definition with the substitutions already known (plain strings) filled in, so that
    a literal ARN passed as a value is judged like one written in the file."""
    known = {name: value for name, value in args.substitutions.items() if isinstance(value, str)}
    document = args.definition.document
    return substitute(document, _KeepUnknown(known)) if known else document


class _KeepUnknown(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "${" + key + "}"


def _definition_values(args: ResolvedWorkflow) -> dict[str, pulumi.Input[str]]:
    """The substitutions the definition takes: a value that only extra_statements or passable_roles
    use stays out of it (the definition's check refuses a value it does not use)."""
    elsewhere = placeholders_in(list(args.extra_statements)) | placeholders_in(list(args.passable_roles))
    only_elsewhere = elsewhere - args.definition.placeholders
    return {name: value for name, value in args.substitutions.items() if name not in only_elsewhere}


def _check_granted_states(what: str, args: ResolvedWorkflow) -> None:
    # Otherwise a name that is no state is ignored without a word: a misspelling, or a state
    # renamed or removed since, whose statements then stay in the role.
    states = model.read(args.definition.document).state_names
    unknown = sorted(args.granted_states - states)
    if unknown:
        raise ArgumentError(
            f"{what}: granted_states names {', '.join(map(repr, unknown))}, which the definition does not have; "
            f"its states: {', '.join(sorted(states))}.",
            ("granted_states",),
        )


def _check_integrations(what: str, args: ResolvedWorkflow) -> None:
    for number, role in enumerate(args.passable_roles):
        names = PLACEHOLDER.findall(role)
        unknown = [name for name in names if name not in args.substitutions]
        if unknown or not (names or role.startswith("arn:")):
            raise ArgumentError(
                f"{what}: passable_roles holds {role!r}; each is a role ARN or a ${{Name}} placeholder with a value.",
                ("passable_roles", number),
            )
    for number, statement in enumerate(args.extra_statements):
        if not isinstance(statement, Mapping):
            raise ArgumentError(
                f"{what}: extra_statements[{number}] is not a statement (a mapping): {statement!r}.",
                ("extra_statements", number),
            )
    if unfilled := sorted(placeholders_in(list(args.extra_statements)) - set(args.substitutions)):
        raise ArgumentError(
            f"{what}: extra_statements use ${{{unfilled[0]}}}, which substitutions do not fill.", ("extra_statements",)
        )
    accesses, unscoped = _accesses(args)
    # A target already known (written in the file, or a plain-string value) must name a resource
    # of its kind now: at `pulumi up` it would fail only once resources exist.
    anywhere = integrations.Environment("aws", "us-east-1", "123456789012", args.state_machine_name)
    for access in accesses:
        if not any("${" in piece.text for template in access.resources for piece in template):
            try:
                integrations.resource_arns(access, anywhere)
            except integrations.IntegrationError as error:
                raise RefusalError(f"{what}: {error}") from None
    refused = [u for u in unscoped if u.state not in args.granted_states]
    if refused:
        listed = "\n".join(f"  - {problem}" for problem in refused)
        raise RefusalError(
            f"{what}: {len(refused)} task(s) cannot be granted least privilege automatically:\n{listed}\n"
            "Write the target in the definition (or a ${Name} placeholder with a value); or grant each with "
            "extra_statements and list its state in granted_states "
            "(in the catalogue: WorkflowSpec.statements and granted_states). Scoped automatically: "
            + "; ".join(integrations.SUPPORTED)
            + "."
        )


def _keyed_targets(args: ResolvedWorkflow, keys: Mapping[str, str]) -> dict[str, str]:
    """Each target as the accesses write it -> its key: `${Name}`, or the plain-string value
    already put in its place (`_static_document`)."""
    keyed = {f"${{{name}}}": key for name, key in keys.items()}
    for name, key in keys.items():
        value = args.substitutions.get(name)
        if isinstance(value, str):
            keyed[value] = key
    return keyed


def _check_target_keys(what: str, args: ResolvedWorkflow) -> None:
    # A key for what no task writes to would be left out of the role without a word: a
    # misspelt placeholder, or a target since removed.
    encrypted = integrations.accesses(args.definition.document, set(args.functions), args.passable_roles)[0]
    targets = sorted({a.target[2:-1] for a in encrypted if a.encrypted_with and PLACEHOLDER.fullmatch(a.target)})
    if unknown := sorted(set(args.target_keys) - set(targets)):
        raise ArgumentError(
            f"{what}: target_keys names {', '.join(unknown)}, which no task publishes, sends or writes to; "
            f"a key applies to the ${{Name}} target of a task of {', '.join(integrations.KEYED_SERVICES)}; "
            f"such targets here: {', '.join(targets) or 'none'}.",
            ("target_keys", Key(unknown[0])),
        )


def _accesses(args: ResolvedWorkflow) -> tuple[list[integrations.Access], list[integrations.Unscoped]]:
    return integrations.accesses(_static_document(args), set(args.functions), args.passable_roles)


# --- the role's policies, laid out before any value is known ------------------------------------

MAX_VALUE_CHARACTERS = 2048
"""What a value known only at deploy time counts as when `value_lengths` gives it no length: IAM's
longest ARN."""
# Longer than any partition (aws-us-gov), any region name (ap-southeast-5) and the ARN of any
# customer managed key (arn:<partition>:kms:<region>:<account>:key/<36-character id>).
_LONGEST_PARTITION, _LONGEST_REGION, _KEY_ARN_CHARACTERS = "x" * 16, "x" * 24, 120


class _Estimate:
    """The role's grants with every value not known yet at its most characters: an upper bound of
    each statement's size, and so of each policy's, once the values are known."""

    def __init__(self, args: ResolvedWorkflow) -> None:
        self.args = args
        # A stand-in names its placeholder, so that two never merge into one resource where the values would not.
        self.values = {
            name: value
            if isinstance(value, str) and value != f"${{{name}}}"  # `deployment.plan` stands a value in by its name
            else f"{name}:" + "x" * args.value_lengths.get(name, MAX_VALUE_CHARACTERS)
            for name, value in args.substitutions.items()
        }
        self.keys = _keyed_targets(
            args,
            {
                name: key if isinstance(key, str) else f"{name}:" + "x" * _KEY_ARN_CHARACTERS
                for name, key in args.target_keys.items()
            },
        )
        self.env = integrations.Environment(
            _LONGEST_PARTITION, _LONGEST_REGION, "123456789012", args.state_machine_name
        )

    def fixed(self) -> list[Statement]:
        return _fixed_statements(self.args, [substitute(s, self.values) for s in self.args.extra_statements])

    def grants(self, accesses: Sequence[integrations.Access]) -> list[Statement]:
        fill = functools.partial(substitute, values=self.values)
        return iam.grant_integrations(integrations.statements(accesses, self.env, fill, self.keys, lenient=True))


def _layout(args: ResolvedWorkflow) -> tuple[tuple[integrations.Access, ...], ...] | None:
    """None when the integrations' statements stay in the inline policy; else, past IAM's inline
    limit, the accesses (one resource each) that each customer managed policy holds.

    Both come from upper bounds (`_Estimate`): a part's size is at most the sum of its accesses'
    statements, each as long as it can be, since statements of one grant only merge once known.
    So the policies can only be smaller once the values are known, and never exceed IAM's limits."""
    accesses, _ = _accesses(args)
    estimate = _Estimate(args)
    if iam.policy_size([*estimate.fixed(), *estimate.grants(accesses)]) <= iam.ROLE_INLINE_POLICY_CHARACTERS:
        return None
    room_per_part = iam.MANAGED_POLICY_CHARACTERS - iam.policy_size([])
    parts: list[tuple[integrations.Access, ...]] = []
    part: list[integrations.Access] = []
    room = room_per_part
    for unit in (dataclasses.replace(a, resources=(template,)) for a in accesses for template in a.resources):
        size = sum(iam.statement_size(statement) for statement in estimate.grants([unit]))
        if size > room_per_part:
            raise RefusalError(
                f"Workflow {args.state_machine_name!r}: {unit.where} needs a statement of up to {size} characters, "
                f"more than IAM's {iam.MANAGED_POLICY_CHARACTERS} for a policy; shorten the names it calls."
            )
        if size > room:
            parts.append(tuple(part))
            part, room = [], room_per_part
        part.append(unit)
        room -= size
    parts.append(tuple(part))
    return tuple(parts)


def _policies(
    args: ResolvedWorkflow,
    layout: tuple[tuple[integrations.Access, ...], ...] | None,
    values: Mapping[str, str],
    target_keys: Mapping[str, str],
    env: integrations.Environment,
) -> tuple[list[Statement], list[list[Statement]]]:
    """The role's inline policy and its managed ones, once every value is known, as `layout` says."""
    fill = functools.partial(substitute, values=values)

    def grants(found: Sequence[integrations.Access]) -> list[Statement]:
        return iam.grant_integrations(integrations.statements(found, env, fill, target_keys))

    extra = [substitute(statement, values) for statement in args.extra_statements]
    # As always: log delivery and X-Ray, the integrations, then the caller's own statements.
    inline = [*_fixed_statements(args, []), *(grants(_accesses(args)[0]) if layout is None else []), *extra]
    managed = [grants(part) for part in layout or ()]
    if iam.policy_size(inline) > iam.ROLE_INLINE_POLICY_CHARACTERS or any(
        iam.policy_size(part) > iam.MANAGED_POLICY_CHARACTERS for part in managed
    ):
        # Only a value longer than its `value_lengths` gets here: the layout is an upper bound.
        raise RefusalError(
            f"Workflow {args.state_machine_name!r}: a value is longer than its value_lengths said, and its role's "
            f"policies exceed IAM's limits ({iam.ROLE_INLINE_POLICY_CHARACTERS} characters inline, "
            f"{iam.MANAGED_POLICY_CHARACTERS} per managed policy)."
        )
    return inline, managed


def _fixed_statements(args: ResolvedWorkflow, extra: Sequence[Statement]) -> list[Statement]:
    """The statements that always stay inline: log delivery, X-Ray, and the caller's own."""
    fixed: list[Statement] = []
    if args.log_level != "OFF":
        fixed.append(iam.grant_states_log_delivery())
    if args.tracing_enabled:
        fixed.append(iam.grant_xray_write())
    return fixed + list(extra)


def _check_policy_size(what: str, args: ResolvedWorkflow) -> None:
    fixed = iam.policy_size(_Estimate(args).fixed())
    if fixed > iam.ROLE_INLINE_POLICY_CHARACTERS:
        raise ArgumentError(
            f"{what}: its extra_statements and logging grants take up to {fixed} characters, over IAM's "
            f"{iam.ROLE_INLINE_POLICY_CHARACTERS} for a role's inline policies; shorten extra_statements.",
            ("extra_statements",),
        )
    parts = len(_layout(args) or ())
    if parts > iam.MANAGED_POLICIES_PER_ROLE:
        raise RefusalError(
            f"{what}: its role needs {parts} customer managed policies beside its inline policy "
            f"(IAM allows {iam.ROLE_INLINE_POLICY_CHARACTERS} characters of inline policy per role, "
            f"{iam.MANAGED_POLICY_CHARACTERS} per managed policy and {iam.MANAGED_POLICIES_PER_ROLE} managed "
            "policies per role by default); split the workflow, or call fewer distinct resources."
        )


def _part(number: int, documents: list[str | None]) -> str | None:
    return documents[number]


def _resolved_dict(values: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[dict[str, str]]:
    return pulumi.Output.all(**values) if values else pulumi.Output.from_input({})


class Workflow(pulumi.ComponentResource):
    """A Step Functions state machine with its least-privilege role and its log group, and, given a
    schedule, an EventBridge Scheduler schedule with its own role and dead-letter queue."""

    state_machine: aws.sfn.StateMachine
    """The state machine."""
    role: aws.iam.Role | None
    """The execution role the component created; None when it runs as `existing_role`."""
    log_group: aws.cloudwatch.LogGroup | None
    """The log group the component created; None with `existing_log_group_name`, or when nothing is logged."""
    schedule: aws.scheduler.Schedule | None
    """The schedule; None without one."""
    dead_letter_queue: aws.sqs.Queue | None
    """The schedule's dead-letter queue the component created; None without a schedule, or with
    `existing_dead_letter_queue_arn`."""
    state_machine_arn: pulumi.Output[str]
    """The state machine's ARN."""
    state_machine_name: pulumi.Output[str]
    """The state machine's name."""
    role_arn: pulumi.Output[str]
    """The ARN of the role the state machine runs as: the component's, or `existing_role`."""
    console_url: pulumi.Output[str]
    """The state machine's page in the Step Functions console."""
    log_group_name: pulumi.Output[str] | None
    """The log group the executions log to; None when nothing is logged."""
    schedule_name: pulumi.Output[str] | None
    """The schedule's name; None without one."""
    schedule_group_name: pulumi.Output[str] | None
    """The schedule group's name; None without a schedule."""
    dead_letter_queue_url: pulumi.Output[str] | None
    """The URL of the queue undeliverable ticks go to; None without a schedule."""
    dead_letter_queue_name: pulumi.Output[str] | None
    """The name of that queue; None without a schedule."""

    def __init__(self, name: str, args: WorkflowArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        resolved = resolve(name, args)
        warnings = _checked(resolved)
        super().__init__(TYPE_TOKEN, name, None, opts)
        # Once per component, so once per run: `deployment.plan` checks the same arguments silently.
        # Without a resource the engine prints it at once; with one it would wait for the URN.
        for warning in warnings:
            pulumi.log.warn(warning)
        self._name = name
        names = workflow_names(name, resolved.state_machine_name)
        child = pulumi.ResourceOptions(parent=self)
        keep = pulumi.ResourceOptions(parent=self, retain_on_delete=resolved.retain_data or None)
        aws_env = AwsContext.lookup(self)
        physical = resolved.state_machine_name
        logging_on = resolved.log_level != "OFF"

        self.log_group = None
        log_destination: pulumi.Output[str] | None = None
        if resolved.existing_log_group_name is not None:
            self.log_group_name = pulumi.Output.from_input(resolved.existing_log_group_name)
            log_destination = pulumi.Output.all(
                aws_env.partition, aws_env.region, aws_env.account_id, self.log_group_name
            ).apply(lambda v: iam.log_group_arn(v[0], v[1], v[2], v[3]) + ":*")
        elif logging_on:
            self.log_group = aws.cloudwatch.LogGroup(
                names.log_group.pulumi,
                name=names.log_group.physical,
                retention_in_days=resolved.log_retention_days,
                opts=keep,
            )
            self.log_group_name = self.log_group.name
            # Step Functions requires the ":*" form of the log group ARN.
            log_destination = self.log_group.arn.apply(lambda arn: f"{arn}:*")
        else:
            self.log_group_name = None

        self.role = None
        role_for_policies: pulumi.Input[str]
        if resolved.existing_role is not None:
            own = pulumi.Output.from_input(resolved.existing_role)
            role_for_policies = own.apply(iam.role_name_of)
            self.role_arn = pulumi.Output.all(own, aws_env.partition, aws_env.account_id).apply(
                lambda v: iam.role_arn_of(v[0], v[1], v[2])
            )
        else:
            expected_arn = pulumi.Output.all(aws_env.partition, aws_env.region, aws_env.account_id).apply(
                lambda env: iam.state_machine_arn(env[0], env[1], env[2], physical)
            )
            self.role = aws.iam.Role(
                names.role.pulumi,
                name=aws_env.region.apply(names.role.physical_in),
                description=f"Execution role of state machine {physical}",
                assume_role_policy=pulumi.Output.all(aws_env.account_id, expected_arn).apply(
                    lambda v: iam.service_trust_policy("states.amazonaws.com", source_account=v[0], source_arn=v[1])
                ),
                opts=child,
            )
            role_for_policies = self.role.id
            self.role_arn = self.role.arn

        depends_on = self._declare_policies(resolved, names, aws_env, role_for_policies, logging_on=logging_on)

        definition = resolved.definition
        rendered = _resolved_dict(_definition_values(resolved)).apply(definition.render)
        self.state_machine = aws.sfn.StateMachine(
            names.state_machine.pulumi,
            name=names.state_machine.physical,
            type=resolved.type,
            role_arn=self.role_arn,
            definition=rendered,
            logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(
                level=resolved.log_level,
                include_execution_data=resolved.include_execution_data if logging_on else False,
                log_destination=log_destination,
            ),
            tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=resolved.tracing_enabled),
            # Step Functions checks at creation that the role can deliver logs.
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )

        self.state_machine_arn = self.state_machine.arn
        self.state_machine_name = self.state_machine.name
        self.console_url = self.state_machine.arn.apply(console_url)
        self.schedule = None
        self.dead_letter_queue = None
        self.schedule_name = None
        self.schedule_group_name = None
        self.dead_letter_queue_url = None
        self.dead_letter_queue_name = None
        if resolved.schedule is not None:
            self._add_schedule(
                names=names.schedule,
                physical=physical,
                args=resolved,
                schedule=resolved.schedule,
                aws_env=aws_env,
            )

        for number, starter in enumerate(resolved.starters, start=1):
            self._grant(names.starter_policy(number).pulumi, starter)

        self.register_outputs(
            {
                "state_machine_arn": self.state_machine_arn,
                "state_machine_name": self.state_machine_name,
                "role_arn": self.role_arn,
                "console_url": self.console_url,
                "log_group_name": self.log_group_name,
                "schedule_name": self.schedule_name,
                "schedule_group_name": self.schedule_group_name,
                "dead_letter_queue_url": self.dead_letter_queue_url,
                "dead_letter_queue_name": self.dead_letter_queue_name,
            }
        )

    def _declare_policies(
        self,
        args: ResolvedWorkflow,
        names: WorkflowNames,
        aws_env: AwsContext,
        role: pulumi.Input[str],
        *,
        logging_on: bool,
    ) -> list[pulumi.Resource]:
        """The execution role's policies, on `role` (by name): inline, and past IAM's limit customer
        managed ones too. On a role of the caller's own (`existing_role`) they are the same, attached
        to it."""
        child = pulumi.ResourceOptions(parent=self)
        physical = args.state_machine_name
        accesses, _ = _accesses(args)
        # Pulumi must know every resource before any value is known: the managed policies are laid
        # out from upper bounds of the statements (`_layout`), which the known values only shrink.
        layout = _layout(args)

        def role_policies(resolved: list[Any]) -> list[str | None]:
            values, keys, partition, region, account_id = resolved
            env = integrations.Environment(partition, region, account_id, physical)
            inline, managed = _policies(args, layout, values, _keyed_targets(args, keys), env)
            documents = [iam.policy_document(inline) if inline else None]
            return documents + [iam.policy_document(part) for part in managed]

        policies = pulumi.Output.all(
            _resolved_dict(args.substitutions),
            _resolved_dict(args.target_keys),
            aws_env.partition,
            aws_env.region,
            aws_env.account_id,
        ).apply(role_policies)

        depends_on: list[pulumi.Resource] = []
        if logging_on or args.tracing_enabled or (accesses and layout is None) or args.extra_statements:
            depends_on.append(
                aws.iam.RolePolicy(
                    names.role_policy.pulumi,
                    role=role,
                    policy=policies.apply(lambda documents: documents[0]),
                    opts=child,
                )
            )
        for number in range(1, len(layout or ()) + 1):
            policy_name, attachment_name = names.managed_policy(number)
            managed_policy = aws.iam.Policy(
                policy_name.pulumi,
                description=f"Part {number} of the execution role's grants of state machine {physical}",
                policy=policies.apply(functools.partial(_part, number)),
                opts=child,
            )
            depends_on.append(
                aws.iam.RolePolicyAttachment(
                    attachment_name.pulumi, role=role, policy_arn=managed_policy.arn, opts=child
                )
            )
        return depends_on

    def grant_start_execution(self, grantee: aws.iam.Role | pulumi.Input[str], name: str) -> aws.iam.RolePolicy:
        """Let `grantee` start executions of this state machine: a role object, or a role's name or
        ARN; the grant is a policy of its own on that role, named `name` in Pulumi."""
        return self._grant(name, grantee)

    def _grant(self, name: str, grantee: aws.iam.Role | pulumi.Input[str]) -> aws.iam.RolePolicy:
        return aws.iam.RolePolicy(
            name,
            role=role_name(grantee),
            policy=self.state_machine_arn.apply(
                lambda arn: iam.policy_document([iam.grant_start_execution(arn, sid="StartWorkflow")])
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _add_schedule(
        self,
        *,
        names: ScheduleNames,
        physical: str,
        args: ResolvedWorkflow,
        schedule: ResolvedSchedule,
        aws_env: AwsContext,
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        # A group of its own gives the scheduler role's trust condition a
        # source ARN that no other schedule in the account shares.
        group = aws.scheduler.ScheduleGroup(names.group.pulumi, name=names.group.physical, opts=child)
        if schedule.existing_dead_letter_queue_arn is not None and schedule.existing_dead_letter_queue_url is not None:
            dead_letter_arn = pulumi.Output.from_input(schedule.existing_dead_letter_queue_arn)
            self.dead_letter_queue_url = pulumi.Output.from_input(schedule.existing_dead_letter_queue_url)
            self.dead_letter_queue_name = dead_letter_arn.apply(iam.queue_name_of)
        else:
            self.dead_letter_queue = aws.sqs.Queue(
                names.dead_letter_queue.pulumi,
                name=names.dead_letter_queue.physical,
                sqs_managed_sse_enabled=True,
                message_retention_seconds=schedule.dead_letter_retention_seconds,
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_data or None),
            )
            dead_letter_arn = self.dead_letter_queue.arn
            self.dead_letter_queue_url = self.dead_letter_queue.url
            self.dead_letter_queue_name = self.dead_letter_queue.name
        scheduler_role = aws.iam.Role(
            names.scheduler_role.pulumi,
            name=aws_env.region.apply(names.scheduler_role.physical_in),
            description=f"Lets EventBridge Scheduler start state machine {physical}",
            assume_role_policy=pulumi.Output.all(aws_env.account_id, group.arn).apply(
                lambda v: iam.service_trust_policy("scheduler.amazonaws.com", source_account=v[0], source_arn=v[1])
            ),
            opts=child,
        )
        scheduler_policy = aws.iam.RolePolicy(
            names.scheduler_policy.pulumi,
            role=scheduler_role.id,
            policy=pulumi.Output.all(self.state_machine.arn, dead_letter_arn).apply(
                lambda v: iam.policy_document([iam.grant_start_execution(v[0]), iam.grant_send_message(v[1])])
            ),
            opts=child,
        )
        self.schedule = aws.scheduler.Schedule(
            names.schedule.pulumi,
            name=names.schedule.physical,
            group_name=group.name,
            description=schedule.description,
            schedule_expression=parse_schedule_expression(schedule.expression).text,
            schedule_expression_timezone=schedule.timezone,
            state="ENABLED" if schedule.enabled else "DISABLED",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=self.state_machine.arn,
                role_arn=scheduler_role.arn,
                input=schedule_input(dict(schedule.payload)),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=schedule.retry_attempts,
                    maximum_event_age_in_seconds=schedule.max_event_age_seconds,
                ),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=dead_letter_arn),
            ),
            # The first tick may come within a minute; the role must work by then.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[scheduler_policy]),
        )
        self.schedule_name = self.schedule.name
        self.schedule_group_name = self.schedule.group_name
