"""HandlerFunction: a Lambda function of Python handler code, with its own role and log group.

The handler is packaged (`handler_archive`) for the function's runtime and architecture, by the
component or beforehand, and the package then says which they are: they are given once. Lambda's
other settings pass through: a VPC, layers, reserved concurrency, /tmp's size, and any other
argument of `aws.lambda_.Function` the component does not set itself (`function_overrides`).

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

import inspect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from serverless_workflows import iam
from serverless_workflows.arguments import check_roles, checked, refused_at, role_name
from serverless_workflows.aws_context import AwsContext
from serverless_workflows.defaults import (
    ARCHITECTURES,
    FUNCTION_APPLICATION_LOG_LEVEL,
    FUNCTION_ARCHITECTURE,
    FUNCTION_MEMORY_MB,
    FUNCTION_RUNTIME,
    FUNCTION_TIMEOUT_SECONDS,
    LOG_RETENTION_DAYS,
    RETAIN_DATA,
    SUPPORTED_RUNTIMES,
    TRACING_ENABLED,
)
from serverless_workflows.lambda_package import HandlerArchive, handler_archive
from serverless_workflows.logs import check_retention
from serverless_workflows.names import MAX_FUNCTION_NAME, derived_name, handler_function_names
from serverless_workflows.refusals import ArgumentError, Key

TYPE_TOKEN = "serverless-workflows:index:HandlerFunction"

APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")

_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


class VpcConfigArgs(TypedDict):
    """The VPC a function runs in: Lambda gives it a network interface in the subnets, behind the
    security groups."""

    subnet_ids: Sequence[pulumi.Input[str]]
    """The subnets' IDs."""
    security_group_ids: Sequence[pulumi.Input[str]]
    """The security groups' IDs."""
    ipv6_allowed_for_dual_stack: NotRequired[bool]
    """Let the function send IPv6 traffic in dual-stack subnets. Default: False."""


class HandlerFunctionArgs(TypedDict):
    """A Lambda function of Python handler code; only `handler` has no default.

    The runtime and the architecture are given once: to the component, which then packages the
    handler itself, or to `handler_archive`, whose package (`code`) carries them. What the component
    checks or packages from before declaring anything (the handler, names, sizes) is a plain value;
    what may come from another resource (environment values, statements, layers, VPC IDs, invoking
    roles) takes a `pulumi.Input`.
    """

    handler: str
    """Module path and function, e.g. `handlers.open_case.handler`."""
    function_name: NotRequired[str]
    """Physical function name. Default: the component's name and the stack's, `<name>-<stack>`
    (any character a name may not hold made '-'), shortened with a hash past 64 characters."""
    code: NotRequired[pulumi.Archive]
    """The deployment package. One from `handler_archive` carries the runtime and architecture its
    dependencies were installed for: the function runs on those, and a `runtime` or `architecture`
    given here that differs is refused. Default: the component packages the handler itself
    (`handler_archive`), for the function's runtime and architecture."""
    source_root: NotRequired[str]
    """Where the component reads the handler's sources from when it packages them (not with
    `code`). Default: the folder on the import path that holds the handler's top-level package,
    else the working directory."""
    description: NotRequired[str]
    """The function's description. Default: none."""
    runtime: NotRequired[str]
    """One of SUPPORTED_RUNTIMES. Default: the runtime `code` was packaged for, else python3.14,
    the newest Lambda offers."""
    architecture: NotRequired[str]
    """arm64 or x86_64. Default: the architecture `code` was packaged for, else arm64 (Graviton,
    cheaper per GB-second)."""
    memory_mb: NotRequired[int]
    """128 to 10240. Default: 128, ample for small handlers."""
    timeout_seconds: NotRequired[int]
    """1 to 900. Default: 5; a task invoking the function must allow more."""
    log_retention_days: NotRequired[int]
    """Days CloudWatch keeps the function's logs. Default: 14."""
    application_log_level: NotRequired[str]
    """Lowest level of the function's own JSON logs that is kept. Default: INFO."""
    tracing_enabled: NotRequired[bool]
    """X-Ray active tracing. Default: True."""
    environment: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Environment variables. The map is plain; its values may be outputs. Default: none."""
    extra_statements: NotRequired[Sequence[pulumi.Input[Mapping[str, Any]]]]
    """IAM statements added to the function's role, e.g. reading a table. Default: none."""
    retain_data: NotRequired[bool]
    """Keep the log group when the stack is destroyed or it is replaced. Default: False."""
    vpc_config: NotRequired[VpcConfigArgs]
    """Run the function in a VPC. Its role may then manage the network interfaces Lambda creates
    for it, in this account and region (the actions of AWS's AWSLambdaVPCAccessExecutionRole).
    Default: no VPC."""
    layers: NotRequired[Sequence[pulumi.Input[str]]]
    """Lambda layers' version ARNs, at most 5, in the order Lambda extracts them. Default: none."""
    reserved_concurrency: NotRequired[int]
    """Concurrent executions reserved for the function, which are also its most; 0 keeps it from
    running. Default: unreserved (it shares the account's pool)."""
    ephemeral_storage_mb: NotRequired[int]
    """Size of the function's /tmp, 512 to 10240. Default: 512, Lambda's own."""
    invokers: NotRequired[Sequence[pulumi.Input[str]]]
    """IAM roles, by name or ARN, that may invoke the function: each gets a policy of its own allowing
    `lambda:InvokeFunction` on it (`<name>-invoker-<n>`, in the list's order), as `grant_invoke`
    gives from Python. A workflow's role needs none: it is granted what its definition calls.
    Default: none."""
    function_overrides: NotRequired[Mapping[str, Any]]
    """Escape hatch: more arguments of `aws.lambda_.Function`, by their Python names (e.g.
    `kms_key_arn`, `dead_letter_config`, `snap_start`, `tags`) or as Pulumi's other languages spell
    the Function's inputs (`kmsKeyArn`, `deadLetterConfig`), passed on as they are; a nested
    object's keys may be spelt either way. One the component sets itself, or that contradicts the
    zip package it deploys, is refused (OWNED_FUNCTION_ARGUMENTS): give it through the fields above.
    Default: none."""


# What the component sets on the aws.lambda_.Function itself, or what contradicts the zip package it
# deploys from `code` (another package type, or a package in S3); `function_overrides` may not hold them.
OWNED_FUNCTION_ARGUMENTS = frozenset(
    {
        "name", "role", "handler", "runtime", "architectures", "code", "package_type", "image_uri", "image_config",
        "s3_bucket", "s3_key", "s3_object_version", "memory_size", "timeout", "environment", "logging_config",
        "tracing_config", "description", "layers", "vpc_config", "reserved_concurrent_executions",
        "ephemeral_storage",
        # The log group and the role's grants are in the provider's region: the function must be too.
        "region",
    }
)  # fmt: skip
# Lambda's limits (Lambda quotas: layers per function, /tmp storage).
MAX_LAYERS = 5
EPHEMERAL_STORAGE_MB = (512, 10_240)


class TaskFunctionArgs(TypedDict):
    """A Lambda function a workflow's tasks invoke: what the Workflow needs of it
    (`WorkflowArgs.functions`). `HandlerFunction.for_workflow()` gives it for a function of this
    package; for one made elsewhere, write its ARN and timeout."""

    arn: pulumi.Input[str]
    """The function's ARN, put where its placeholder stands; the workflow's role may invoke it."""
    timeout_seconds: int
    """The function's own timeout, in seconds: a task invoking it must allow more."""


@dataclass(frozen=True)
class ResolvedFunction:
    """A HandlerFunctionArgs read (`resolve`): the name derived when not given, the runtime and the
    architecture taken from `code` when it carries them, every default filled in."""

    function_name: str
    handler: str
    code: pulumi.Archive | None = None
    """None until the component packages the handler (`package`)."""
    source_root: str | None = None
    description: str = ""
    runtime: str = FUNCTION_RUNTIME
    architecture: str = FUNCTION_ARCHITECTURE
    memory_mb: int = FUNCTION_MEMORY_MB
    timeout_seconds: int = FUNCTION_TIMEOUT_SECONDS
    log_retention_days: int = LOG_RETENTION_DAYS
    application_log_level: str = FUNCTION_APPLICATION_LOG_LEVEL
    tracing_enabled: bool = TRACING_ENABLED
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    extra_statements: Sequence[pulumi.Input[Mapping[str, Any]]] = ()
    retain_data: bool = RETAIN_DATA
    vpc_config: Mapping[str, Any] | None = None
    layers: Sequence[pulumi.Input[str]] = ()
    reserved_concurrency: int | None = None
    ephemeral_storage_mb: int | None = None
    function_overrides: Mapping[str, Any] = field(default_factory=dict)
    invokers: Sequence[pulumi.Input[str]] = ()


def resolve(name: str, args: HandlerFunctionArgs) -> ResolvedFunction:
    """`args` of `HandlerFunction(name, args)` read into one shape, the runtime and architecture taken
    from a package that carries them, or a one-line refusal of what is wrong with their form: a field
    of another type, `source_root` beside `code`. What the values mean is checked next (`_checked`)."""
    what = f"HandlerFunction {name!r}"
    given = checked(args, HandlerFunctionArgs, what)
    code = given.get("code")
    if code is not None and "source_root" in given:
        raise ArgumentError(
            f"{what}: source_root is where the component reads the handler's sources to package them; "
            "with code given it packages nothing. Give one of them.",
            ("source_root",),
        )
    if "function_overrides" in given:
        given["function_overrides"] = _by_python_name(what, given["function_overrides"])
    if isinstance(code, HandlerArchive):
        # Given once: on the package, which was built for them.
        given.setdefault("runtime", code.runtime)
        given.setdefault("architecture", code.architecture)
    function_name = given.pop("function_name", None) or derived_name(name, pulumi.get_stack(), MAX_FUNCTION_NAME)
    return ResolvedFunction(function_name=function_name, **given)


def validate(name: str, args: HandlerFunctionArgs) -> None:
    """Reject arguments AWS would reject, and a handler that cannot be packaged, before any
    resource is declared."""
    package(_checked(resolve(name, args)))


def package(args: ResolvedFunction) -> pulumi.Archive:
    """The function's deployment package: `code`, or the handler packaged for the function's
    runtime and architecture."""
    if args.code is not None:
        return args.code
    return handler_archive(
        args.handler,
        source_root=Path(args.source_root) if args.source_root is not None else None,
        runtime=args.runtime,
        architecture=args.architecture,
    )


def _checked(args: ResolvedFunction) -> ResolvedFunction:
    what = f"HandlerFunction {args.function_name!r}"
    if not _FUNCTION_NAME.match(args.function_name):
        raise ArgumentError(f"{what}: the name must be 1 to 64 letters, digits, '-' or '_'.", ("function_name",))
    if not _HANDLER.match(args.handler):
        raise ArgumentError(f"{what}: handler {args.handler!r} must look like 'package.module.function'.", ("handler",))
    if args.runtime not in SUPPORTED_RUNTIMES:
        raise ArgumentError(
            f"{what}: runtime {args.runtime!r} is not one of {', '.join(SUPPORTED_RUNTIMES)}.", ("runtime",)
        )
    if args.architecture not in ARCHITECTURES:
        raise ArgumentError(
            f"{what}: architecture {args.architecture!r} is not one of {', '.join(ARCHITECTURES)}.", ("architecture",)
        )
    if not 128 <= args.memory_mb <= 10_240:
        raise ArgumentError(f"{what}: memory_mb {args.memory_mb} is outside 128 to 10240.", ("memory_mb",))
    if not 1 <= args.timeout_seconds <= 900:
        raise ArgumentError(
            f"{what}: timeout_seconds {args.timeout_seconds} is outside 1 to 900.", ("timeout_seconds",)
        )
    if args.application_log_level not in APPLICATION_LOG_LEVELS:
        raise ArgumentError(
            f"{what}: application_log_level {args.application_log_level!r} is not one of "
            f"{', '.join(APPLICATION_LOG_LEVELS)}.",
            ("application_log_level",),
        )
    with refused_at("log_retention_days"):
        check_retention(args.log_retention_days, what=what)
    check_roles(args.invokers, "invokers", what)
    _check_package(what, args)
    _check_lambda_settings(what, args)
    return args


def _check_package(what: str, args: ResolvedFunction) -> None:
    """A package built for another runtime or architecture would not load its dependencies there."""
    code = args.code
    if not isinstance(code, HandlerArchive):
        return
    for field_name, wanted, packaged_for in (
        ("runtime", args.runtime, code.runtime),
        ("architecture", args.architecture, code.architecture),
    ):
        if wanted != packaged_for:
            raise ArgumentError(
                f"{what}: {field_name} is {wanted}, but code was packaged for {packaged_for} (handler_archive's "
                f"{field_name}), whose dependencies would not load there; leave code out (the component then "
                f"packages the handler for {wanted}), or give handler_archive {field_name}={wanted!r} and leave "
                f"{field_name} out here.",
                (field_name,),
            )


def _check_lambda_settings(what: str, args: ResolvedFunction) -> None:
    if len(args.layers) > MAX_LAYERS:
        raise ArgumentError(
            f"{what}: {len(args.layers)} layers; Lambda takes at most {MAX_LAYERS} per function.", ("layers",)
        )
    if args.reserved_concurrency is not None and args.reserved_concurrency < 0:
        raise ArgumentError(
            f"{what}: reserved_concurrency {args.reserved_concurrency} is below 0; reserve 0 or more "
            "executions, or leave it out to share the account's pool.",
            ("reserved_concurrency",),
        )
    low, high = EPHEMERAL_STORAGE_MB
    if args.ephemeral_storage_mb is not None and not low <= args.ephemeral_storage_mb <= high:
        raise ArgumentError(
            f"{what}: ephemeral_storage_mb {args.ephemeral_storage_mb} is outside {low} to {high}.",
            ("ephemeral_storage_mb",),
        )
    if owned := sorted(set(args.function_overrides) & OWNED_FUNCTION_ARGUMENTS):
        raise ArgumentError(
            f"{what}: function_overrides sets {', '.join(owned)}, which the component sets itself; use "
            "HandlerFunctionArgs' own fields (function_name, handler, code, runtime, architecture, memory_mb, "
            "timeout_seconds, environment, vpc_config, layers, reserved_concurrency, ephemeral_storage_mb...).",
            ("function_overrides",),
        )
    if unknown := sorted(set(args.function_overrides) - _FUNCTION_ARGUMENTS):
        raise ArgumentError(
            f"{what}: function_overrides sets {', '.join(unknown)}, which aws.lambda_.Function does not take; "
            f"it takes {', '.join(sorted(_FUNCTION_ARGUMENTS - OWNED_FUNCTION_ARGUMENTS))}.",
            ("function_overrides",),
        )


# Every argument of the installed pulumi-aws's Function, by its Python name.
_FUNCTION_ARGUMENTS = frozenset(inspect.signature(aws.lambda_.FunctionArgs.__init__).parameters) - {"__self__"}


def python_name(input_name: str) -> str:
    """A Function input as Pulumi's schema spells it (kmsKeyArn), by its Python name (kms_key_arn):
    Pulumi's Python SDKs name each input so (tests/test_plugin.py checks the Function's)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", input_name).lower()


def _by_python_name(what: str, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`function_overrides` keyed by Python names, as `aws.lambda_.Function` takes them: a YAML or
    TypeScript program writes the Function's inputs as its schema spells them. A key that names no
    argument either way stays as written, for the check that refuses it to name it so."""
    named: dict[str, Any] = {}
    for key, value in overrides.items():
        name = key if key in _FUNCTION_ARGUMENTS else python_name(key)
        name = name if name in _FUNCTION_ARGUMENTS else key
        if name in named:
            raise ArgumentError(
                f"{what}: function_overrides sets {name} twice, in two spellings; give it once.",
                ("function_overrides", Key(key)),
            )
        named[name] = value
    return named


def _lambda_settings(args: ResolvedFunction) -> dict[str, Any]:
    """The aws.lambda_.Function arguments of the settings passed through, only those given: a
    function without them is declared as before they existed."""
    settings: dict[str, Any] = dict(args.function_overrides)
    if args.vpc_config is not None:
        settings["vpc_config"] = aws.lambda_.FunctionVpcConfigArgs(
            subnet_ids=list(args.vpc_config["subnet_ids"]),
            security_group_ids=list(args.vpc_config["security_group_ids"]),
            ipv6_allowed_for_dual_stack=args.vpc_config.get("ipv6_allowed_for_dual_stack"),
        )
    if args.layers:
        settings["layers"] = list(args.layers)
    if args.reserved_concurrency is not None:
        settings["reserved_concurrent_executions"] = args.reserved_concurrency
    if args.ephemeral_storage_mb is not None:
        settings["ephemeral_storage"] = aws.lambda_.FunctionEphemeralStorageArgs(size=args.ephemeral_storage_mb)
    return settings


class HandlerFunction(pulumi.ComponentResource):
    """A Lambda function of Python handler code, with its own least-privilege role and log group."""

    function: aws.lambda_.Function
    """The Lambda function."""
    role: aws.iam.Role
    """Its execution role."""
    log_group: aws.cloudwatch.LogGroup
    """The log group it logs to."""
    function_arn: pulumi.Output[str]
    """The function's ARN."""
    function_name: pulumi.Output[str]
    """The function's name."""
    role_arn: pulumi.Output[str]
    """Its execution role's ARN."""
    log_group_name: pulumi.Output[str]
    """The name of the log group it logs to."""

    def __init__(self, name: str, args: HandlerFunctionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        resolved = _checked(resolve(name, args))
        code = package(resolved)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws_env = AwsContext.lookup(self)
        names = handler_function_names(name, resolved.function_name)
        log_group_name = names.log_group.physical

        self.log_group = log_group = aws.cloudwatch.LogGroup(
            names.log_group.pulumi,
            name=log_group_name,
            retention_in_days=resolved.log_retention_days,
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=resolved.retain_data or None),
        )
        self.role = role = aws.iam.Role(
            names.role.pulumi,
            name=aws_env.region.apply(names.role.physical_in),
            description=f"Execution role of Lambda function {resolved.function_name}",
            # Lambda documents no source-account or source-ARN keys for assuming
            # an execution role; who may hand the role to a function is governed
            # by iam:PassRole on the deployer instead.
            assume_role_policy=iam.service_trust_policy("lambda.amazonaws.com"),
            opts=child,
        )
        tracing = resolved.tracing_enabled
        in_vpc = resolved.vpc_config is not None

        def execution_policy(values: list[Any]) -> str:
            partition, region, account_id, *extra = values
            statements = [iam.grant_log_write(iam.log_group_arn(partition, region, account_id, log_group_name))]
            if tracing:
                statements.append(iam.grant_xray_write())
            if in_vpc:
                statements += iam.grant_vpc_access(partition, region, account_id)
            return iam.policy_document([*statements, *extra])

        policy = aws.iam.RolePolicy(
            names.role_policy.pulumi,
            role=role.id,
            policy=pulumi.Output.all(
                aws_env.partition, aws_env.region, aws_env.account_id, *resolved.extra_statements
            ).apply(execution_policy),
            opts=child,
        )
        self.function = function = aws.lambda_.Function(
            names.function.pulumi,
            name=names.function.physical,
            description=resolved.description,
            role=role.arn,
            runtime=resolved.runtime,
            architectures=[resolved.architecture],
            handler=resolved.handler,
            code=code,
            memory_size=resolved.memory_mb,
            timeout=resolved.timeout_seconds,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(resolved.environment))
            if resolved.environment
            else None,
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON",
                log_group=log_group.name,
                application_log_level=resolved.application_log_level,
                system_log_level="WARN",
            ),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active" if tracing else "PassThrough"),
            **_lambda_settings(resolved),
            # Without the policy in place, the first invocations could not log (nor, in a VPC, start).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, log_group]),
        )

        self._timeout_seconds = resolved.timeout_seconds
        self.function_arn = function.arn
        self.function_name = function.name
        self.role_arn = role.arn
        self.log_group_name = log_group.name
        for number, invoker in enumerate(resolved.invokers, start=1):
            self._grant(names.invoker_policy(number).pulumi, invoker)
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

    def grant_invoke(self, grantee: aws.iam.Role | pulumi.Input[str], name: str) -> aws.iam.RolePolicy:
        """Let `grantee` invoke this function: a role object, or a role's name or ARN; the grant is a
        policy of its own on that role, named `name` in Pulumi."""
        return self._grant(name, grantee)

    def _grant(self, name: str, grantee: aws.iam.Role | pulumi.Input[str]) -> aws.iam.RolePolicy:
        return aws.iam.RolePolicy(
            name,
            role=role_name(grantee),
            policy=self.function_arn.apply(lambda arn: iam.policy_document([iam.grant_lambda_invoke([arn])])),
            opts=pulumi.ResourceOptions(parent=self),
        )
