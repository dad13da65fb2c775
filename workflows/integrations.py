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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from workflows.definition import PLACEHOLDER
from workflows.model import Call, State, read

_ACTIVITY_ARN = re.compile(r"^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:activity:.+$")

# Step Functions runs `.sync` nested executions through this managed EventBridge rule (AWS documents
# the rule name in "IAM policies for nested workflows").
NESTED_EXECUTION_RULE = "StepFunctionsGetEventsForStepFunctionsExecutionRule"


@dataclass(frozen=True)
class Access:
    """One Task's need: `actions` on the resource that `target` names."""

    state: str
    """The Task's name, as written."""
    where: str
    """Its path, as messages show it (`model.describe`)."""
    sid: str
    """The statement it belongs to; one statement per sid, so unrelated grants never merge."""
    actions: tuple[str, ...]
    target: str
    """As written in the definition (may hold `${Name}`)."""
    kind: str
    """How `target` becomes an ARN: arn, function, queue-url, table, event-bus, executions-of, events-rule."""


@dataclass(frozen=True)
class Unscoped:
    state: str
    """The state's name, as written: what `granted_states` lists to grant it by hand."""
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


def _is_dynamic(key: str, value: Any) -> bool:
    return key.endswith(".$") or (isinstance(value, str) and value.strip().startswith("{%"))


def _arguments(state: Mapping[str, Any]) -> Any:
    # JSONata states pass Arguments; JSONPath states pass Parameters.
    return state.get("Arguments", state.get("Parameters"))


def _parameter(state: Mapping[str, Any], name: str) -> tuple[str | None, str | None]:
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
    definition = read(document)
    for state in definition.tasks():
        needs, problem = _task_accesses(state, functions)
        found.extend(needs)
        if problem is not None:
            unscoped.append(problem)
    for state in definition.states():
        if state.distributed:
            unscoped.append(
                _unscoped(state, "a Distributed Map", "its child executions and item reader/writer need grants "
                          "this component does not derive (states:StartExecution on the state machine itself, S3)")
            )  # fmt: skip
    return found, unscoped


Needs = tuple[list[Access], Unscoped | None]
_UNKNOWN_PLACEHOLDER = (
    "this placeholder is not one of the workflow's functions, so what it calls is unknown; "
    "declare the function, or grant it explicitly"
)


def _task_accesses(state: State, functions: frozenset[str] | set[str]) -> Needs:
    call = state.call
    if call is None:
        return [], None  # the validator reports it
    resource = call.resource
    invoked = state.lambda_call(functions)
    if invoked is not None and not invoked.by_name:
        lambda_invoke = _INTEGRATIONS["lambda:invoke"]
        return [_access(state, lambda_invoke.sid, lambda_invoke.actions, resource, "arn")], None
    if _ACTIVITY_ARN.match(resource):
        return [], None  # workers poll activities with their own credentials
    reason = None
    if PLACEHOLDER.fullmatch(resource):
        reason = _UNKNOWN_PLACEHOLDER
    elif state.fields.get("Credentials") is not None:
        reason = "it runs with other credentials (Credentials), which need sts:AssumeRole"
    if reason is None and invoked is not None:
        return _service_accesses(state, Call(resource, "lambda", "invoke"))
    if reason is None and call.integration is None:
        reason = "this is not a service integration this component knows"
    if reason is not None:
        return [], _unscoped(state, resource, reason)
    return _service_accesses(state, call)


def _service_accesses(state: State, call: Call) -> Needs:
    key, pattern, resource = f"{call.service}:{call.action}", call.pattern, call.resource
    if key == "events:putEvents":
        return _put_events(state, resource)
    integration = _INTEGRATIONS.get(key)
    if integration is None:
        return [], _unscoped(state, resource, "this service integration is not one this component scopes")
    if pattern.startswith(".sync") and key != "states:startExecution":
        return [], _unscoped(state, resource, f"the {pattern} pattern of {key} is not one this component scopes")
    target, why = _parameter(state.fields, integration.parameter)
    if target is None:
        return [], _unscoped(state, resource, why or "")
    needs = [_access(state, integration.sid, integration.actions, target, integration.kind)]
    if key == "states:startExecution" and pattern.startswith(".sync"):
        # Waiting for a nested execution: Step Functions describes and may stop it,
        # and follows it through a managed EventBridge rule.
        follow = ("states:DescribeExecution", "states:StopExecution")
        rule = ("events:DescribeRule", "events:PutRule", "events:PutTargets")
        needs.append(_access(state, "FollowNestedExecutions", follow, target, "executions-of"))
        needs.append(_access(state, "ManageNestedExecutionRule", rule, NESTED_EXECUTION_RULE, "events-rule"))
    return needs, None


def _put_events(state: State, resource: str) -> Needs:
    arguments = _arguments(state.fields)
    entries = arguments.get("Entries") if isinstance(arguments, dict) else None
    if not isinstance(entries, list) or (isinstance(arguments, dict) and "Entries.$" in arguments):
        return [], _unscoped(state, resource, "its Entries are computed at run time, so the event buses are unknown")
    needs = []
    for entry in entries:
        if not isinstance(entry, dict):
            return [], _unscoped(state, resource, "an entry is computed at run time")
        if "EventBusName.$" in entry or _is_dynamic("EventBusName", entry.get("EventBusName")):
            return [], _unscoped(state, resource, "EventBusName is taken from the execution data")
        bus = entry.get("EventBusName", "default")
        needs.append(_access(state, "PutEventsOnBuses", ("events:PutEvents",), str(bus), "event-bus"))
    return needs, None


def _access(state: State, sid: str, actions: tuple[str, ...], target: str, kind: str) -> Access:
    return Access(state.name, state.where, sid, actions, target, kind)


def _unscoped(state: State, resource: str, reason: str) -> Unscoped:
    return Unscoped(state.name, state.where, resource, reason)


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
