"""HandlerFunction: a Python Lambda function from handlers/, with its own role and log group.

Children:

- `{name}-logs`: `/aws/lambda/<function name>` with retention. Declaring it here,
  before the function, means Lambda never creates it on its own, so
  `pulumi destroy` leaves no orphaned log group behind.
- `{name}-role` and `{name}-policy`: an execution role that may write only to
  that log group (and X-Ray when tracing), in place of the AWS-managed basic
  execution policy, whose resource is "*".
- `{name}-function`: the function, JSON logs to that group, explicit runtime,
  architecture, memory and timeout.

`grant_invoke(role, name)` lets another role invoke the function; a role
derives its own invoke grant from a definition that calls it (Workflow).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from serverless_workflows import iam
from serverless_workflows.aws_context import AwsContext
from serverless_workflows.defaults import (
    ARCHITECTURES,
    FUNCTION_ARCHITECTURE,
    FUNCTION_MEMORY_MB,
    FUNCTION_RUNTIME,
    FUNCTION_TIMEOUT_SECONDS,
    LOG_RETENTION_DAYS,
    RETAIN_DATA,
    SUPPORTED_RUNTIMES,
    TRACING_ENABLED,
)
from serverless_workflows.logs import check_retention
from serverless_workflows.names import handler_function_names

TYPE_TOKEN = "serverless-workflows:index:HandlerFunction"

APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")

_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


class TaskFunctionArgs(TypedDict):
    """A Lambda function a workflow's tasks invoke: what the Workflow needs of it
    (`WorkflowArgs.functions`). `HandlerFunction.for_workflow()` gives it for a function of this
    package; for one made elsewhere, write its ARN and timeout."""

    arn: pulumi.Input[str]
    """The function's ARN, put where its placeholder stands; the workflow's role may invoke it."""
    timeout_seconds: int
    """The function's own timeout, in seconds: a task invoking it must allow more."""


@dataclass(frozen=True)
class HandlerFunctionArgs:
    """A Lambda function; only the first three have no default."""

    function_name: str
    """Physical function name; include the stack so environments can share an account."""
    handler: str
    """Module path and function, e.g. `handlers.open_case.handler`."""
    code: pulumi.Archive
    """The deployment package, normally `lambda_package.handler_archive(handler)`."""
    description: str = ""
    runtime: str = FUNCTION_RUNTIME
    """One of SUPPORTED_RUNTIMES. Default: python3.14, the newest Lambda offers."""
    architecture: str = FUNCTION_ARCHITECTURE
    """arm64 or x86_64. Default: arm64 (Graviton, cheaper per GB-second)."""
    memory_mb: int = FUNCTION_MEMORY_MB
    """128 to 10240. Default: 128, ample for small handlers."""
    timeout_seconds: int = FUNCTION_TIMEOUT_SECONDS
    """1 to 900. Default: 5; a task invoking the function must allow more."""
    log_retention_days: int = LOG_RETENTION_DAYS
    """Days CloudWatch keeps the function's logs. Default: 14."""
    application_log_level: str = "INFO"
    """Lowest level of the function's own JSON logs that is kept. Default: INFO."""
    tracing_enabled: bool = TRACING_ENABLED
    """X-Ray active tracing. Default: True."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment variables. Default: none."""
    extra_statements: Sequence[pulumi.Input[dict[str, Any]]] = ()
    """IAM statements added to the function's role, e.g. reading a table. Default: none."""
    retain_data: bool = RETAIN_DATA
    """Keep the log group when the stack is destroyed or it is replaced. Default: False."""


def validate(args: HandlerFunctionArgs) -> None:
    what = f"HandlerFunction {args.function_name!r}"
    if not _FUNCTION_NAME.match(args.function_name):
        raise ValueError(f"{what}: the name must be 1 to 64 letters, digits, '-' or '_'.")
    if not _HANDLER.match(args.handler):
        raise ValueError(f"{what}: handler {args.handler!r} must look like 'package.module.function'.")
    if args.runtime not in SUPPORTED_RUNTIMES:
        raise ValueError(f"{what}: runtime {args.runtime!r} is not one of {', '.join(SUPPORTED_RUNTIMES)}.")
    if args.architecture not in ARCHITECTURES:
        raise ValueError(f"{what}: architecture {args.architecture!r} is not one of {', '.join(ARCHITECTURES)}.")
    if not 128 <= args.memory_mb <= 10_240:
        raise ValueError(f"{what}: memory_mb {args.memory_mb} is outside 128 to 10240.")
    if not 1 <= args.timeout_seconds <= 900:
        raise ValueError(f"{what}: timeout_seconds {args.timeout_seconds} is outside 1 to 900.")
    if args.application_log_level not in APPLICATION_LOG_LEVELS:
        raise ValueError(
            f"{what}: application_log_level {args.application_log_level!r} is not one of "
            f"{', '.join(APPLICATION_LOG_LEVELS)}."
        )
    check_retention(args.log_retention_days, what=what)


class HandlerFunction(pulumi.ComponentResource):
    role: aws.iam.Role
    function_arn: pulumi.Output[str]
    function_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: HandlerFunctionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate(args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws_env = AwsContext.lookup(self)
        names = handler_function_names(name, args.function_name)
        log_group_name = names.log_group.physical

        log_group = aws.cloudwatch.LogGroup(
            names.log_group.pulumi,
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=args.retain_data or None),
        )
        self.role = role = aws.iam.Role(
            names.role.pulumi,
            name=aws_env.region.apply(names.role.physical_in),
            description=f"Execution role of Lambda function {args.function_name}",
            # Lambda documents no source-account or source-ARN keys for assuming
            # an execution role; who may hand the role to a function is governed
            # by iam:PassRole on the deployer instead.
            assume_role_policy=iam.service_trust_policy("lambda.amazonaws.com"),
            opts=child,
        )
        tracing = args.tracing_enabled

        def execution_policy(resolved: list[Any]) -> str:
            partition, region, account_id, *extra = resolved
            statements = [iam.grant_log_write(iam.log_group_arn(partition, region, account_id, log_group_name))]
            if tracing:
                statements.append(iam.grant_xray_write())
            return iam.policy_document([*statements, *extra])

        policy = aws.iam.RolePolicy(
            names.role_policy.pulumi,
            role=role.id,
            policy=pulumi.Output.all(
                aws_env.partition, aws_env.region, aws_env.account_id, *args.extra_statements
            ).apply(execution_policy),
            opts=child,
        )
        function = aws.lambda_.Function(
            names.function.pulumi,
            name=names.function.physical,
            description=args.description,
            role=role.arn,
            runtime=args.runtime,
            architectures=[args.architecture],
            handler=args.handler,
            code=args.code,
            memory_size=args.memory_mb,
            timeout=args.timeout_seconds,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment))
            if args.environment
            else None,
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON",
                log_group=log_group.name,
                application_log_level=args.application_log_level,
                system_log_level="WARN",
            ),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active" if tracing else "PassThrough"),
            # Without the policy in place, the first invocations could not log.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, log_group]),
        )

        self._timeout_seconds = args.timeout_seconds
        self.function_arn = function.arn
        self.function_name = function.name
        self.role_arn = role.arn
        self.log_group_name = log_group.name
        self.register_outputs(
            {
                "function_arn": self.function_arn,
                "function_name": self.function_name,
                "role_arn": self.role_arn,
                "log_group_name": self.log_group_name,
            }
        )

    def for_workflow(self) -> TaskFunctionArgs:
        """This function as a workflow's tasks invoke it (`WorkflowArgs.functions`): its ARN, and its
        timeout as declared, so that neither is written twice."""
        return TaskFunctionArgs(arn=self.function_arn, timeout_seconds=self._timeout_seconds)

    def grant_invoke(self, grantee: aws.iam.Role, name: str) -> aws.iam.RolePolicy:
        """Let `grantee` invoke this function (a policy of its own on that role)."""
        return aws.iam.RolePolicy(
            name,
            role=grantee.id,
            policy=self.function_arn.apply(lambda arn: iam.policy_document([iam.grant_lambda_invoke([arn])])),
            opts=pulumi.ResourceOptions(parent=self),
        )
