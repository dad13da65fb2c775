"""Pulumi mocks that answer like AWS would for this program's resources, without creating anything.

Each resource gets the ID and the ARN/URL attributes AWS would compute from
its physical name, so that ARNs flowing into policies and definitions look
real in assertions.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"


def new_resource(args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
    """Inputs back as state, plus the attributes AWS computes. A type without an entry below
    still gets an `arn` and an `id`, so that any resource the program may declare works."""
    state = dict(args.inputs)
    name = state.get("name") or args.name
    prefix = f"arn:{PARTITION}"
    service = args.typ.split(":")[1].split("/")[0] if args.typ.count(":") >= 2 else "unknown"
    computed: dict[str, dict[str, Any]] = {
        "aws:iam/role:Role": {"arn": f"{prefix}:iam::{ACCOUNT_ID}:role/{name}"},
        "aws:cloudwatch/logGroup:LogGroup": {"arn": f"{prefix}:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}"},
        "aws:sfn/stateMachine:StateMachine": {"arn": f"{prefix}:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}"},
        "aws:lambda/function:Function": {"arn": f"{prefix}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"},
        "aws:sqs/queue:Queue": {
            "arn": f"{prefix}:sqs:{REGION}:{ACCOUNT_ID}:{name}",
            "url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}",
        },
        "aws:scheduler/scheduleGroup:ScheduleGroup": {
            "arn": f"{prefix}:scheduler:{REGION}:{ACCOUNT_ID}:schedule-group/{name}"
        },
        "aws:scheduler/schedule:Schedule": {
            "arn": f"{prefix}:scheduler:{REGION}:{ACCOUNT_ID}:schedule/{state.get('groupName')}/{name}"
        },
        "aws:sns/topic:Topic": {"arn": f"{prefix}:sns:{REGION}:{ACCOUNT_ID}:{name}"},
        "aws:dynamodb/table:Table": {"arn": f"{prefix}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"},
        "aws:cloudwatch/metricAlarm:MetricAlarm": {"arn": f"{prefix}:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:{name}"},
        # Dashboards are global: their ARN has no region.
        "aws:cloudwatch/dashboard:Dashboard": {
            "dashboardArn": f"{prefix}:cloudwatch::{ACCOUNT_ID}:dashboard/{state.get('dashboardName')}"
        },
        "aws:kms/key:Key": {
            "arn": f"{prefix}:kms:{REGION}:{ACCOUNT_ID}:key/{args.name}-id",
            "keyId": f"{args.name}-id",
        },
    }
    if args.typ == "pulumi:providers:aws":
        # The provider's ID carries its region, so that region lookups through it answer it.
        return f"{_REGION_ID}{state.get('region') or REGION}", state
    state.update(computed.get(args.typ, {"arn": f"{prefix}:{service}:{REGION}:{ACCOUNT_ID}:{name}"}))
    resource_id = name if args.typ == "aws:iam/role:Role" else f"{args.name}-id"
    return resource_id, state


_REGION_ID = "provider-in-"


def _region(provider: str) -> str:
    return provider.rsplit(_REGION_ID, 1)[1] if _REGION_ID in provider else REGION


def call(args: MockCallArgs) -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = {
        "aws:index/getCallerIdentity:getCallerIdentity": {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:user/tester",
            "userId": "AIDATESTER",
        },
        "aws:index/getRegion:getRegion": {"name": _region(args.provider), "region": _region(args.provider)},
        "aws:index/getPartition:getPartition": {"partition": PARTITION, "dnsSuffix": "amazonaws.com"},
    }
    if args.token not in results:
        raise NotImplementedError(f"No mock for invoke {args.token}")
    return results[args.token]
