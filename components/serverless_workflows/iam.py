"""IAM policy documents as plain data, and the grants the components use.

Every document is built here, from values that are already resolved, so the
exact JSON that reaches AWS can be read in one place and asserted in tests.
Call sites ask for a grant ("this role may start that state machine") instead
of writing actions and resources by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Statement = dict[str, Any]

# Step Functions delivers logs through the CloudWatch Logs "vended logs" API.
# None of these actions supports resource-level permissions, so AWS documents
# them with Resource "*"; they grant no read of log data.
STATES_LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
)

# X-Ray's write and sampling actions likewise take no resource ARN.
XRAY_WRITE_ACTIONS = (
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
)

LAMBDA_LOG_WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def allow(
    actions: Sequence[str],
    resources: Sequence[str],
    sid: str | None = None,
    condition: Mapping[str, Mapping[str, str]] | None = None,
) -> Statement:
    statement: Statement = {"Effect": "Allow", "Action": sorted(actions), "Resource": list(resources)}
    if sid:
        statement["Sid"] = sid
    if condition:
        statement["Condition"] = {operator: dict(pairs) for operator, pairs in condition.items()}
    return statement


def policy_document(statements: Sequence[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def service_trust_policy(service: str, *, source_account: str | None = None, source_arn: str | None = None) -> str:
    """A trust policy that lets one AWS service principal assume the role.

    With `source_account` and `source_arn`, the service may assume it only on
    behalf of that account and that resource: AWS's guard against the
    cross-service confused-deputy problem.
    """
    statement: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    conditions: dict[str, dict[str, str]] = {}
    if source_account:
        conditions.setdefault("StringEquals", {})["aws:SourceAccount"] = source_account
    if source_arn:
        conditions.setdefault("ArnLike", {})["aws:SourceArn"] = source_arn
    if conditions:
        statement["Condition"] = conditions
    return policy_document([statement])


# IAM's rules for a role's name (CreateRole: 1 to 64 of letters, digits and +=,.@_-), and a role's ARN,
# whose resource part is "role/" then the role's path (without its leading '/') and its name.
_ROLE_NAME = r"[\w+=,.@-]{1,64}"
_ROLE_ARN = re.compile(rf"^arn:aws[a-z-]*:iam::\d{{12}}:role/(?:[\x21-\x7e]*/)?({_ROLE_NAME})$", re.ASCII)
ROLE_REFERENCE_RULE = (
    "a role's name (1 to 64 letters, digits or +=,.@_-) or its ARN (arn:<partition>:iam::<account>:role/[path/]name)"
)


def role_reference_problem(reference: str) -> str | None:
    """What is wrong with `reference` as a role's name or ARN, or None when it is one."""
    if re.fullmatch(_ROLE_NAME, reference, re.ASCII) or _ROLE_ARN.match(reference):
        return None
    return f"{reference!r} is not {ROLE_REFERENCE_RULE}"


def role_name_of(reference: str) -> str:
    """The name of the role `reference` names, by its name or its ARN (path and all)."""
    if problem := role_reference_problem(reference):
        raise ValueError(problem)
    found = _ROLE_ARN.match(reference)
    return found.group(1) if found else reference


def role_arn_of(reference: str, partition: str, account_id: str) -> str:
    """The ARN of the role `reference` names: itself if it is one, else that of a role of that name at
    the root path of this account (a role with a path is named by its ARN)."""
    return (
        reference if _ROLE_ARN.match(reference) else f"arn:{partition}:iam::{account_id}:role/{role_name_of(reference)}"
    )


def queue_name_of(queue_arn: str) -> str:
    """The name of the SQS queue `queue_arn` names (arn:<partition>:sqs:<region>:<account>:<name>)."""
    parts = queue_arn.split(":")
    if len(parts) != 6 or parts[2] != "sqs" or not parts[5]:
        raise ValueError(f"{queue_arn!r} is not an SQS queue's ARN (arn:<partition>:sqs:<region>:<account>:<name>)")
    return parts[5]


def state_machine_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """The ARN a state machine called `name` will have.

    The role must exist before the state machine, so its trust condition is
    written against the ARN the name determines rather than the resource's output.
    """
    return f"arn:{partition}:states:{region}:{account_id}:stateMachine:{name}"


def log_group_arn(partition: str, region: str, account_id: str, log_group_name: str) -> str:
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{log_group_name}"


# --- grants ---------------------------------------------------------------


def grant_states_log_delivery() -> Statement:
    return allow(STATES_LOG_DELIVERY_ACTIONS, ["*"], sid="DeliverExecutionLogs")


def grant_xray_write() -> Statement:
    return allow(XRAY_WRITE_ACTIONS, ["*"], sid="WriteTraces")


def grant_lambda_invoke(function_arns: Sequence[str], sid: str = "InvokeFunctions") -> Statement:
    # Unqualified ARNs only: callers invoke $LATEST, and no version or alias is
    # published, so nothing else needs to be invocable.
    return allow(["lambda:InvokeFunction"], sorted(set(function_arns)), sid=sid)


def grant_start_execution(state_machine_arn: str, sid: str = "StartThisStateMachine") -> Statement:
    return allow(["states:StartExecution"], [state_machine_arn], sid=sid)


def grant_send_message(queue_arn: str) -> Statement:
    return allow(["sqs:SendMessage"], [queue_arn], sid="DeadLetterUndeliveredTicks")


def grant_log_write(log_group_arn: str) -> Statement:
    # Log streams are children of the group: "<group arn>:log-stream:<name>",
    # which the ":*" suffix matches without reaching any other group.
    return allow(LAMBDA_LOG_WRITE_ACTIONS, [f"{log_group_arn}:*"], sid="WriteOwnLogGroup")


# What Lambda does with a function's role to reach a VPC (AWSLambdaVPCAccessExecutionRole's actions,
# Lambda's guide "Giving Lambda functions access to resources in an Amazon VPC"): describing takes no
# resource in IAM's data, so "*"; managing the function's network interfaces is kept to this account
# and region, in the ARN form the guide gives for DeleteNetworkInterface.
VPC_DESCRIBE_ACTIONS = ("ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets")
VPC_INTERFACE_ACTIONS = (
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:UnassignPrivateIpAddresses",
)


def grant_vpc_access(partition: str, region: str, account_id: str) -> list[Statement]:
    return [
        allow(VPC_DESCRIBE_ACTIONS, ["*"], sid="DescribeVpcNetwork"),
        allow(VPC_INTERFACE_ACTIONS, [f"arn:{partition}:ec2:{region}:{account_id}:*/*"], sid="ManageVpcInterfaces"),
    ]


_SID = re.compile(r"^[A-Za-z0-9]+$")


def grant_integrations(
    grants: Iterable[tuple[str, Sequence[str], Sequence[str], Mapping[str, Mapping[str, str]]]],
) -> list[Statement]:
    """One statement per (sid, actions, resources, condition) that a definition's integrations need
    (serverless_workflows/asl/integrations.py derives them); the Lambda one is `InvokeTaskFunctions`."""
    statements = []
    for sid, actions, resources, condition in grants:
        if not _SID.match(sid) or not resources:
            raise ValueError(f"grant {sid!r}: a statement id is alphanumeric and a grant names its resources")
        statements.append(allow(actions, sorted(set(resources)), sid=sid, condition=condition))
    return statements


# --- what a role may hold ---------------------------------------------------------------
# IAM's quotas, from "IAM and AWS STS quotas" in the IAM User Guide
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). IAM counts a
# policy's characters without whitespace.
ROLE_INLINE_POLICY_CHARACTERS = 10_240
"""All inline policies of one role together."""
MANAGED_POLICY_CHARACTERS = 6_144
"""One customer managed policy."""
MANAGED_POLICIES_PER_ROLE = 10
"""Managed policies attached to one role: the default quota (it can be raised to 20)."""


def policy_size(statements: Sequence[Statement]) -> int:
    """A policy document's size as IAM counts it: its JSON without whitespace."""
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return len(json.dumps(document, separators=(",", ":")))


def statement_size(statement: Statement) -> int:
    """What one statement adds to a policy's size as IAM counts it: its JSON, and the comma before the next."""
    return len(json.dumps(statement, separators=(",", ":"))) + 1


# --- alarm notifications ----------------------------------------------------

CLOUDWATCH_SERVICE = "cloudwatch.amazonaws.com"
# What CloudWatch needs on the key of an encrypted topic to publish to it: a data key
# to encrypt the message, and Decrypt to use that data key. The AWS-managed key
# alias/aws/sns grants CloudWatch neither, and its policy cannot be changed.
ALARM_PUBLISHER_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")


def alarm_topic_key_policy(*, partition: str, account_id: str) -> str:
    """The key policy of the customer managed key that encrypts the alarm topic.

    The account statement is KMS's default one: it grants nothing by itself, it lets
    IAM policies of the account decide who administers and uses the key (without it,
    a key nobody can manage is possible). In a key policy, Resource "*" means this key.
    CloudWatch may use the key only on behalf of this account; the topic policy
    narrows who may publish further, to this stack's alarms.
    """
    return policy_document(
        [
            {
                "Sid": "AccountAdministersThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchAlarmsEncryptNotifications",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH_SERVICE},
                "Action": sorted(ALARM_PUBLISHER_KEY_ACTIONS),
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            },
        ]
    )


def alarm_arn_pattern(partition: str, region: str, account_id: str, name_prefix: str) -> str:
    """The ARNs of the alarms whose names start with `name_prefix-`, in this account and region."""
    return f"arn:{partition}:cloudwatch:{region}:{account_id}:alarm:{name_prefix}-*"


def alarm_topic_policy(topic_arn: str, *, account_id: str, alarm_arns: str) -> str:
    """The topic policy: only CloudWatch, only for alarms of this account matching `alarm_arns`,
    may publish (aws:SourceAccount and aws:SourceArn guard against the confused deputy)."""
    return policy_document(
        [
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH_SERVICE},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": alarm_arns},
                },
            }
        ]
    )
