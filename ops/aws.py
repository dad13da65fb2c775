"""AWS clients for the ops tool, and AWS errors turned into one line a person can act on.

The region comes from the ARN the command works on when there is one (an
execution or state machine lives in exactly one region), else from --region,
else the standard boto3 configuration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from serverless_workflows.asl.execution_input import INPUT_RULE

# What each command calls, so that "access denied" can say what to ask for (docs/operations.md#permissions
# lists the same; a test holds them together).
PERMISSIONS = {
    "run": "states:StartExecution (states:StartSyncExecution for Express), states:DescribeExecution, "
    "states:GetExecutionHistory, states:DescribeStateMachine, states:ListExecutions (a Distributed Map's children); "
    "for Express, logs:FilterLogEvents on its log group",
    "history": "states:GetExecutionHistory, states:DescribeExecution, states:DescribeStateMachine; "
    "for Express, logs:FilterLogEvents on its log group",
    "verify": "scheduler:GetSchedule, states:ListExecutions, states:DescribeExecution, states:GetExecutionHistory, "
    "states:DescribeStateMachine, states:StartExecution (states:StartSyncExecution for Express); "
    "for Express, logs:FilterLogEvents on its log group",
    "failures": "states:ListExecutions, states:DescribeExecution, states:GetExecutionHistory, "
    "states:DescribeStateMachine; for Express, logs:FilterLogEvents on its log group",
    "redrive": "states:DescribeExecution, states:RedriveExecution, states:GetExecutionHistory, "
    "states:DescribeStateMachine, states:ListExecutions (a Distributed Map's children)",
}
_ARN_REGION = re.compile(r"^arn:[a-z-]+:[a-z0-9-]+:(?P<region>[a-z0-9-]+):")
_NOT_FOUND = ("ExecutionDoesNotExist", "StateMachineDoesNotExist", "ResourceNotFoundException", "NotFoundException")
_DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException")
_THROTTLED = ("ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded")


class AwsError(Exception):
    """An AWS call failed; the message says why and what to do."""


def region_of(arn: str | None) -> str | None:
    match = _ARN_REGION.match(arn or "")
    return match["region"] if match else None


@dataclass(frozen=True)
class Clients:
    region: str | None
    endpoint_url: str | None

    def client(self, service: str) -> Any:
        # An emulator at --endpoint-url has no "sync-" host for StartSyncExecution.
        config = Config(inject_host_prefix=False) if self.endpoint_url else None
        return boto3.client(service, region_name=self.region, endpoint_url=self.endpoint_url, config=config)

    def sync_sfn(self, timeout_seconds: float) -> Any:
        """A client for StartSyncExecution: it waits up to the run's own end (an Express run may take
        five minutes) and never retries, since a retry would start the run again."""
        config = Config(
            read_timeout=max(timeout_seconds, 60) + 10,
            retries={"total_max_attempts": 1, "mode": "standard"},
            inject_host_prefix=not self.endpoint_url,
        )
        return boto3.client("stepfunctions", region_name=self.region, endpoint_url=self.endpoint_url, config=config)

    @property
    def sfn(self) -> Any:
        return self.client("stepfunctions")

    @property
    def scheduler(self) -> Any:
        return self.client("scheduler")

    @property
    def logs(self) -> Any:
        return self.client("logs")


def clients(region: str | None, endpoint_url: str | None, arn: str | None = None) -> Clients:
    """Clients for the region of `arn` when given (it must agree with --region), else --region."""
    from_arn = region_of(arn)
    if from_arn and region and region != from_arn:
        raise AwsError(f"--region {region} does not match {arn}, which is in {from_arn}; drop --region")
    return Clients(from_arn or region, endpoint_url)


# SDK errors raised before any request reaches AWS, and what fixes them.
_SDK_ERRORS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], str], ...] = (
    (NoRegionError, "no AWS region is configured: pass --region, set AWS_REGION, or run `aws configure`"),
    (
        (NoCredentialsError, PartialCredentialsError),
        "no AWS credentials found: run `aws configure` or `aws sso login`, or set AWS_PROFILE",
    ),
    (EndpointConnectionError, "cannot reach AWS ({error}); check the network, the region and --endpoint-url"),
)


def explain(error: Exception, command: str) -> str:
    """One line for an AWS error: what went wrong and the fix."""
    if isinstance(error, ClientError):
        return _refused(error, command)
    for kinds, text in _SDK_ERRORS:
        if isinstance(error, kinds):
            return text.format(error=error)
    return f"the AWS SDK failed: {error}" if isinstance(error, BotoCoreError) else str(error)


def _refused(error: ClientError, command: str) -> str:
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = str(error.response.get("Error", {}).get("Message", "")).strip()
    if code in _DENIED or code.startswith("AccessDenied"):
        return f"access denied ({message}); `ops {command}` needs {PERMISSIONS.get(command, 'read access')}"
    if code in _NOT_FOUND:
        return f"not found: {message or code}; check the ARN, the region and --stack"
    if code in _THROTTLED:
        return f"AWS is throttling these calls ({code}); wait a moment and run it again"
    if code == "InvalidExecutionInput" or ("input" in message.lower() and "length" in message):
        return f"the execution input was refused: {message}; {INPUT_RULE}"
    return f"AWS refused the call: {code}: {message}"
