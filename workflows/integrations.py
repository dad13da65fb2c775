"""What a definition's Task states call, and the least IAM access each call needs.

Step Functions calls other services with the state machine's role, so the
role needs exactly the actions of the integrations the definition uses, on
exactly the resources it names. This module reads that off the definition,
at any depth (Parallel branches, Map processors), before any ARN exists:
targets stay as written, `${Name}` placeholders included, and are turned into
resource ARNs by `resource_arns` once the values are known.

A call whose target cannot be known from the definition (taken from the
execution data), or a service this module does not know, is reported as
`Unscoped`: the component refuses it unless the caller grants it explicitly.
Never a silent `*`.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from workflows.definition import PLACEHOLDER

_OPTIMISED = re.compile(
    r"^arn:[a-z-]+:states:::(?P<service>[A-Za-z0-9-]+):(?P<action>[A-Za-z0-9]+)(?P<pattern>\.sync(:2)?|\.waitForTaskToken)?$"
)
_LAMBDA_ARN = re.compile(r"^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$")
_ACTIVITY_ARN = re.compile(r"^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:activity:.+$")
# The optimised integration and the AWS SDK's Invoke both call the function their FunctionName names,
# with the role's lambda:InvokeFunction; .sync does not exist for either.
_LAMBDA_INVOKE = re.compile(r"^arn:[a-z-]+:states:::(aws-sdk:)?lambda:invoke(\.waitForTaskToken)?$")

# Step Functions runs `.sync` nested executions through this managed EventBridge rule (AWS documents
# the rule name in "IAM policies for nested workflows").
NESTED_EXECUTION_RULE = "StepFunctionsGetEventsForStepFunctionsExecutionRule"


@dataclass(frozen=True)
class Access:
    """One Task's need: `actions` on the resource that `target` names."""

    where: str
    sid: str
    """The statement it belongs to; one statement per sid, so unrelated grants never merge."""
    actions: tuple[str, ...]
    target: str
    """As written in the definition (may hold `${Name}`)."""
    kind: str
    """How `target` becomes an ARN: arn, function, queue-url, table, event-bus, executions-of, events-rule."""


@dataclass(frozen=True)
class Unscoped:
    where: str
    resource: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where} calls {self.resource}: {self.reason}"


@dataclass(frozen=True)
class _Integration:
    sid: str
    actions: tuple[str, ...]
    parameter: str
    kind: str


# service:action (as in arn:aws:states:::service:action) -> the access it needs.
_INTEGRATIONS: dict[str, _Integration] = {
    "lambda:invoke": _Integration("InvokeTaskFunctions", ("lambda:InvokeFunction",), "FunctionName", "function"),
    "sns:publish": _Integration("PublishToTopics", ("sns:Publish",), "TopicArn", "arn"),
    "sqs:sendMessage": _Integration("SendToQueues", ("sqs:SendMessage",), "QueueUrl", "queue-url"),
    "dynamodb:getItem": _Integration("ReadTableItems", ("dynamodb:GetItem",), "TableName", "table"),
    "dynamodb:putItem": _Integration("PutTableItems", ("dynamodb:PutItem",), "TableName", "table"),
    "dynamodb:updateItem": _Integration("UpdateTableItems", ("dynamodb:UpdateItem",), "TableName", "table"),
    "dynamodb:deleteItem": _Integration("DeleteTableItems", ("dynamodb:DeleteItem",), "TableName", "table"),
    "states:startExecution": _Integration("StartNestedWorkflows", ("states:StartExecution",), "StateMachineArn", "arn"),
}
SUPPORTED = (
    "Lambda functions (plain ARN, or arn:aws:states:::lambda:invoke or aws-sdk:lambda:invoke with FunctionName)",
    "sns:publish with TopicArn",
    "sqs:sendMessage with QueueUrl",
    "dynamodb:getItem/putItem/updateItem/deleteItem with TableName",
    "events:putEvents with EventBusName (or the default bus)",
    "states:startExecution with StateMachineArn (also .sync, .sync:2)",
)


def all_states(document: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, state) for every state of a definition, nested Parallel branches and Map processors included."""
    states = document.get("States") if isinstance(document, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = f"{where} > state {name!r}" if where else f"state {name!r}"
        yield here, state
        branches = state.get("Branches")
        if isinstance(branches, list):
            for number, branch in enumerate(branches, start=1):
                yield from all_states(branch, f"{here} > branch {number}")
        for key in ("ItemProcessor", "Iterator"):
            yield from all_states(state.get(key), f"{here} > item processor")


def task_states(document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, state) for every Task of a definition, at any depth."""
    return ((where, state) for where, state in all_states(document) if state.get("Type") == "Task")


def _is_distributed_map(state: dict[str, Any]) -> bool:
    processor = state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
    return state.get("Type") == "Map" and isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"


def _is_dynamic(key: str, value: Any) -> bool:
    return key.endswith(".$") or (isinstance(value, str) and value.strip().startswith("{%"))


def _arguments(state: dict[str, Any]) -> Any:
    # JSONata states pass Arguments; JSONPath states pass Parameters.
    return state.get("Arguments", state.get("Parameters"))


def _parameter(state: dict[str, Any], name: str) -> tuple[str | None, str | None]:
    """(value, None) for a fixed string parameter, or (None, why it cannot be scoped)."""
    arguments = _arguments(state)
    if isinstance(arguments, str):
        return None, "its arguments are computed at run time"
    if not isinstance(arguments, dict):
        return None, f"it has no {name}"
    if f"{name}.$" in arguments or _is_dynamic(name, arguments.get(name)):
        return None, f"{name} is taken from the execution data, so the target is unknown until it runs"
    value = arguments.get(name)
    if not isinstance(value, str) or not value:
        return None, f"it has no {name}"
    return value, None


def accesses(document: Any, functions: frozenset[str] | set[str] = frozenset()) -> tuple[list[Access], list[Unscoped]]:
    """What every Task of `document` needs, and the Tasks whose needs cannot be scoped.

    `functions` are the placeholders known to hold Lambda function ARNs: a Task
    whose Resource is `${Name}` with Name among them invokes that function.
    """
    found: list[Access] = []
    unscoped: list[Unscoped] = []
    for where, state in task_states(document):
        needs, problem = _task_accesses(where, state, functions)
        found.extend(needs)
        if problem is not None:
            unscoped.append(problem)
    for where in (where for where, state in all_states(document) if _is_distributed_map(state)):
        unscoped.append(
            Unscoped(where, "a Distributed Map", "its child executions and item reader/writer need grants this "
                     "component does not derive (states:StartExecution on the state machine itself, S3)")
        )  # fmt: skip
    return found, unscoped


Needs = tuple[list[Access], Unscoped | None]
_UNKNOWN_PLACEHOLDER = (
    "this placeholder is not one of the workflow's functions, so what it calls is unknown; "
    "declare the function, or grant it explicitly"
)


def _task_accesses(where: str, state: dict[str, Any], functions: frozenset[str] | set[str]) -> Needs:
    resource = state.get("Resource")
    if not isinstance(resource, str):
        return [], None  # the validator reports it
    call = lambda_call(state, functions)
    if call is not None and not call.by_name:
        lambda_invoke = _INTEGRATIONS["lambda:invoke"]
        return [Access(where, lambda_invoke.sid, lambda_invoke.actions, resource, "arn")], None
    placeholder = PLACEHOLDER.fullmatch(resource)
    if _ACTIVITY_ARN.match(resource):
        return [], None  # workers poll activities with their own credentials
    reason = None
    if placeholder:
        reason = _UNKNOWN_PLACEHOLDER
    elif state.get("Credentials") is not None:
        reason = "it runs with other credentials (Credentials), which need sts:AssumeRole"
    if reason is None and call is not None:
        return _service_accesses(where, state, resource, "lambda:invoke", "")
    optimised = _OPTIMISED.match(resource)
    if reason is None and optimised is None:
        reason = "this is not a service integration this component knows"
    if reason is not None or optimised is None:
        return [], Unscoped(where, resource, reason or "")
    return _service_accesses(where, state, resource, f"{optimised['service']}:{optimised['action']}",
                             optimised["pattern"] or "")  # fmt: skip


def _service_accesses(where: str, state: dict[str, Any], resource: str, key: str, pattern: str) -> Needs:
    if key == "events:putEvents":
        return _put_events(where, state, resource)
    integration = _INTEGRATIONS.get(key)
    if integration is None:
        return [], Unscoped(where, resource, "this service integration is not one this component scopes")
    if pattern.startswith(".sync") and key != "states:startExecution":
        return [], Unscoped(where, resource, f"the {pattern} pattern of {key} is not one this component scopes")
    target, why = _parameter(state, integration.parameter)
    if target is None:
        return [], Unscoped(where, resource, why or "")
    needs = [Access(where, integration.sid, integration.actions, target, integration.kind)]
    if key == "states:startExecution" and pattern.startswith(".sync"):
        # Waiting for a nested execution: Step Functions describes and may stop it,
        # and follows it through a managed EventBridge rule.
        follow = ("states:DescribeExecution", "states:StopExecution")
        rule = ("events:DescribeRule", "events:PutRule", "events:PutTargets")
        needs.append(Access(where, "FollowNestedExecutions", follow, target, "executions-of"))
        needs.append(Access(where, "ManageNestedExecutionRule", rule, NESTED_EXECUTION_RULE, "events-rule"))
    return needs, None


def _put_events(where: str, state: dict[str, Any], resource: str) -> Needs:
    arguments = _arguments(state)
    entries = arguments.get("Entries") if isinstance(arguments, dict) else None
    if not isinstance(entries, list) or (isinstance(arguments, dict) and "Entries.$" in arguments):
        return [], Unscoped(where, resource, "its Entries are computed at run time, so the event buses are unknown")
    needs = []
    for entry in entries:
        if not isinstance(entry, dict):
            return [], Unscoped(where, resource, "an entry is computed at run time")
        if "EventBusName.$" in entry or _is_dynamic("EventBusName", entry.get("EventBusName")):
            return [], Unscoped(where, resource, "EventBusName is taken from the execution data")
        bus = entry.get("EventBusName", "default")
        needs.append(Access(where, "PutEventsOnBuses", ("events:PutEvents",), str(bus), "event-bus"))
    return needs, None


@dataclass(frozen=True)
class LambdaCall:
    """A Task that invokes a Lambda function: each run of it is a Lambda request."""

    function: str | None
    """The placeholder, one of the workflow's functions, that names the function; None for a literal or computed one."""
    by_name: bool
    """Whether the function is named by FunctionName (an invoke integration) rather than by Resource."""


def lambda_call(state: Any, functions: Container[str] = frozenset()) -> LambdaCall | None:
    """What Lambda function a state invokes, or None when it invokes none.

    The one definition of a Lambda task, for the project's rules, the role's grants and the
    cost estimate: a function ARN or one of `functions` (placeholder names) as Resource, or
    `lambda:invoke` (also `.waitForTaskToken`, and the AWS SDK's `aws-sdk:lambda:invoke`)
    with FunctionName in Parameters or Arguments."""
    if not isinstance(state, dict) or state.get("Type") != "Task" or not isinstance(state.get("Resource"), str):
        return None
    resource: str = state["Resource"]
    placeholder = PLACEHOLDER.fullmatch(resource)
    if placeholder:
        return LambdaCall(placeholder[1], by_name=False) if placeholder[1] in functions else None
    if _LAMBDA_ARN.match(resource):
        return LambdaCall(None, by_name=False)
    if not _LAMBDA_INVOKE.match(resource):
        return None
    for key in ("Parameters", "Arguments"):
        arguments = state.get(key)
        target = arguments.get("FunctionName") if isinstance(arguments, dict) else None
        named = PLACEHOLDER.fullmatch(target) if isinstance(target, str) else None
        if named and named[1] in functions:
            return LambdaCall(named[1], by_name=True)
    return LambdaCall(None, by_name=True)


# --- from targets to ARNs, once the values are known ---------------------------------


@dataclass(frozen=True)
class Environment:
    partition: str
    region: str
    account_id: str


class IntegrationError(ValueError):
    """A target that, once its placeholders are filled, does not name a resource of its kind."""


# Targets written as names, and the ARN each names.
_ARN_OF_NAME = {
    "function": "arn:{partition}:lambda:{region}:{account}:function:{name}",
    "table": "arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    "event-bus": "arn:{partition}:events:{region}:{account}:event-bus/{name}",
    "events-rule": "arn:{partition}:events:{region}:{account}:rule/{name}",
}


def resource_arns(access: Access, target: str, env: Environment) -> list[str]:
    """The ARN(s) `access` needs, with `target` its placeholders filled in."""
    if access.kind == "queue-url":
        return [_queue_arn(access, target, env)]
    if access.kind == "executions-of":
        if ":stateMachine:" not in target:
            raise IntegrationError(f"{access.where}: {target!r} is not a state machine ARN")
        return [target.replace(":stateMachine:", ":execution:") + ":*"]
    if target.startswith("arn:"):
        return [target]
    if access.kind == "function" and ":function:" in target:  # "123456789012:function:name", a partial ARN
        return [f"arn:{env.partition}:lambda:{env.region}:{target}"]
    template = _ARN_OF_NAME.get(access.kind)
    if template is None:
        raise IntegrationError(f"{access.where}: {target!r} is not an ARN")
    return [template.format(partition=env.partition, region=env.region, account=env.account_id, name=target)]


def _queue_arn(access: Access, url: str, env: Environment) -> str:
    parsed = urlparse(url)
    parts = parsed.path.strip("/").split("/")
    host = parsed.hostname or ""
    if parsed.scheme != "https" or len(parts) != 2 or not parts[0].isdigit():
        raise IntegrationError(
            f"{access.where}: {url!r} is not an SQS queue URL (https://sqs.<region>.../<account>/<name>)"
        )
    labels = host.split(".")
    # sqs.<region>.amazonaws.com[.cn], or the legacy <region>.queue.amazonaws.com
    region = labels[1] if labels[0] == "sqs" else labels[0]
    return f"arn:{env.partition}:sqs:{region}:{parts[0]}:{parts[1]}"


Grouped = Mapping[str, tuple[tuple[str, ...], set[str]]]


def statements_by_sid(resolved: Grouped) -> list[tuple[str, tuple[str, ...], list[str]]]:
    """(sid, actions, sorted resources) in a stable order: Lambda first, as it always was."""
    order = [integration.sid for integration in _INTEGRATIONS.values()]
    order += ["PutEventsOnBuses", "FollowNestedExecutions", "ManageNestedExecutionRule"]
    return [(sid, resolved[sid][0], sorted(resolved[sid][1])) for sid in sorted(resolved, key=order.index)]
