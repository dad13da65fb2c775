"""Workflow: a Step Functions state machine with everything it needs to run safely.

One component serves both tutorials. It always creates:

- `{name}-role`: the execution role, trusted by `states.amazonaws.com` only for
  this account and this state machine, allowed only what the definition needs
  (log delivery when logging is on, X-Ray when tracing is on, and
  `lambda:InvokeFunction` on exactly the functions given in `lambda_functions`);
- `{name}-logs`: a log group under `/aws/vendedlogs/states/` with retention
  (unless the log level is OFF);
- `{name}-state-machine`: the state machine, from a definition file whose
  `${Name}` placeholders are filled with the given function ARNs.

Given a `ScheduleArgs`, it also creates the EventBridge Scheduler side:
a schedule group, the schedule, the scheduler's role (trusted only for that
group, allowed only to start this state machine and to dead-letter), and an
encrypted SQS dead-letter queue for ticks that could not be delivered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.aws_context import AwsContext, console_url
from components.logs import check_retention, check_states_log_level
from workflows.definition import WorkflowDefinition
from workflows.schedule import EXAMPLES as SCHEDULE_EXAMPLES
from workflows.schedule import ScheduleExpressionError
from workflows.schedule import parse as parse_schedule_expression
from workflows.validate import validate as validate_definition

TYPE_TOKEN = "serverless-workflows:index:Workflow"

# EventBridge Scheduler's documented bounds for a target's retry policy.
MAX_SCHEDULE_RETRY_ATTEMPTS = 185
SCHEDULE_EVENT_AGE_SECONDS = (60, 86_400)

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
# The shortest AWS limit among the names derived from `state_machine_name`
# (IAM role and schedule names, with the suffixes added below).
_MAX_STATE_MACHINE_NAME = 64 - len("-scheduler")


def _default_payload() -> dict[str, Any]:
    return {"Payload": "This is a test."}


@dataclass(frozen=True)
class ScheduleArgs:
    """When and with what input EventBridge Scheduler starts the workflow."""

    expression: str = "rate(1 minute)"
    """`rate(...)`, `cron(...)` or `at(...)`. Default: every minute, as in the tutorial."""
    payload: Mapping[str, Any] = field(default_factory=_default_payload)
    """The execution input, a JSON object. Default: `{"Payload": "This is a test."}`."""
    enabled: bool = True
    """False deploys the schedule DISABLED: it exists but starts nothing. Default: True."""
    timezone: str = "UTC"
    """IANA time zone for cron and at expressions. Default: UTC."""
    description: str = "Starts the state machine on schedule."
    retry_attempts: int = 3
    """How often Scheduler retries a failed StartExecution (0 to 185). Default: 3."""
    max_event_age_seconds: int = 300
    """How long a tick stays worth delivering (60 to 86400). Default: 300, since a
    per-minute workflow gains nothing from a tick retried hours later."""
    dead_letter_retention_seconds: int = 1_209_600
    """How long undeliverable ticks stay in the DLQ. Default: 14 days, SQS's maximum."""


@dataclass(frozen=True)
class WorkflowArgs:
    """Everything a Workflow is built from; only the first two have no default."""

    state_machine_name: str
    """Physical name of the state machine; also the stem of its role, log group,
    schedule and queue names. Include the stack so environments can share an account."""
    definition: WorkflowDefinition
    """The ASL definition file; checked by `workflows.validate` (it must also set a
    top-level `TimeoutSeconds`)."""
    lambda_functions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Placeholder name -> Lambda function ARN. Each ARN replaces `${Name}` in the
    definition, and the execution role may invoke exactly these functions. Default: none."""
    log_level: str = "ALL"
    """ALL, ERROR, FATAL or OFF. Default: ALL."""
    log_retention_days: int = 14
    """Days CloudWatch keeps execution logs; one of CloudWatch's allowed values. Default: 14."""
    include_execution_data: bool = True
    """Log each state's input and output (needed to see the data flow). Default: True."""
    tracing_enabled: bool = True
    """X-Ray tracing of executions. Default: True."""
    schedule: ScheduleArgs | None = None
    """Start the workflow on a schedule. Default: no schedule."""


def validate(args: WorkflowArgs) -> None:
    """Reject arguments AWS would reject, before any resource is declared."""
    what = f"Workflow {args.state_machine_name!r}"
    if not _NAME.match(args.state_machine_name) or len(args.state_machine_name) > _MAX_STATE_MACHINE_NAME:
        raise ValueError(
            f"{what}: the name must be 1 to {_MAX_STATE_MACHINE_NAME} letters, digits, '-' or '_' "
            "(the role and schedule names derived from it are limited to 64 characters)."
        )
    check_states_log_level(args.log_level, what=what)
    check_retention(args.log_retention_days, what=what)
    validate_definition(args.definition, args.lambda_functions)
    schedule = args.schedule
    if schedule is not None:
        try:
            parse_schedule_expression(schedule.expression)
        except ScheduleExpressionError as error:
            raise ValueError(f"{what}: schedule expression {error}; examples: {SCHEDULE_EXAMPLES}.") from None
        if not 0 <= schedule.retry_attempts <= MAX_SCHEDULE_RETRY_ATTEMPTS:
            raise ValueError(f"{what}: schedule retry_attempts must be 0 to {MAX_SCHEDULE_RETRY_ATTEMPTS}.")
        low, high = SCHEDULE_EVENT_AGE_SECONDS
        if not low <= schedule.max_event_age_seconds <= high:
            raise ValueError(f"{what}: schedule max_event_age_seconds must be {low} to {high}.")
        if not isinstance(schedule.payload, Mapping):
            raise ValueError(f"{what}: the schedule payload must be a JSON object, got {schedule.payload!r}.")


def _resolved_list(values: list[pulumi.Input[str]]) -> pulumi.Output[list[str]]:
    # Output.all() of nothing never resolves, so an empty list is wrapped instead.
    return pulumi.Output.all(*values) if values else pulumi.Output.from_input([])


def _resolved_dict(values: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[dict[str, str]]:
    return pulumi.Output.all(**values) if values else pulumi.Output.from_input({})


class Workflow(pulumi.ComponentResource):
    state_machine_arn: pulumi.Output[str]
    state_machine_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    console_url: pulumi.Output[str]
    log_group_name: pulumi.Output[str] | None
    schedule_name: pulumi.Output[str] | None
    dead_letter_queue_url: pulumi.Output[str] | None

    def __init__(self, name: str, args: WorkflowArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate(args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws_env = AwsContext.lookup(self)
        physical = args.state_machine_name
        logging_on = args.log_level != "OFF"

        log_group = None
        if logging_on:
            log_group = aws.cloudwatch.LogGroup(
                f"{name}-logs",
                name=f"/aws/vendedlogs/states/{physical}",
                retention_in_days=args.log_retention_days,
                opts=child,
            )

        expected_arn = pulumi.Output.all(aws_env.partition, aws_env.region, aws_env.account_id).apply(
            lambda env: iam.state_machine_arn(env[0], env[1], env[2], physical)
        )
        role = aws.iam.Role(
            f"{name}-role",
            name=f"{physical}-sfn",
            description=f"Execution role of state machine {physical}",
            assume_role_policy=pulumi.Output.all(aws_env.account_id, expected_arn).apply(
                lambda v: iam.service_trust_policy("states.amazonaws.com", source_account=v[0], source_arn=v[1])
            ),
            opts=child,
        )

        function_arns = list(args.lambda_functions.values())

        def execution_policy(arns: list[str]) -> str | None:
            statements = []
            if logging_on:
                statements.append(iam.grant_states_log_delivery())
            if args.tracing_enabled:
                statements.append(iam.grant_xray_write())
            if arns:
                statements.append(iam.grant_lambda_invoke(arns))
            return iam.policy_document(statements) if statements else None

        depends_on: list[pulumi.Resource] = []
        if logging_on or args.tracing_enabled or function_arns:
            depends_on.append(
                aws.iam.RolePolicy(
                    f"{name}-policy",
                    role=role.id,
                    policy=_resolved_list(function_arns).apply(execution_policy),
                    opts=child,
                )
            )

        definition = args.definition
        rendered = _resolved_dict(args.lambda_functions).apply(definition.render)
        state_machine = aws.sfn.StateMachine(
            f"{name}-state-machine",
            name=physical,
            type="STANDARD",
            role_arn=role.arn,
            definition=rendered,
            logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(
                level=args.log_level,
                include_execution_data=args.include_execution_data if logging_on else False,
                # Step Functions requires the ":*" form of the log group ARN.
                log_destination=log_group.arn.apply(lambda arn: f"{arn}:*") if log_group else None,
            ),
            tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=args.tracing_enabled),
            # Step Functions checks at creation that the role can deliver logs.
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )

        self.state_machine_arn = state_machine.arn
        self.state_machine_name = state_machine.name
        self.role_arn = role.arn
        self.console_url = state_machine.arn.apply(console_url)
        self.log_group_name = log_group.name if log_group else None
        self.schedule_name = None
        self.dead_letter_queue_url = None
        if args.schedule is not None:
            self._add_schedule(name, physical, args.schedule, state_machine, aws_env)

        self.register_outputs(
            {
                "state_machine_arn": self.state_machine_arn,
                "state_machine_name": self.state_machine_name,
                "role_arn": self.role_arn,
                "console_url": self.console_url,
                "log_group_name": self.log_group_name,
                "schedule_name": self.schedule_name,
                "dead_letter_queue_url": self.dead_letter_queue_url,
            }
        )

    def _add_schedule(
        self,
        name: str,
        physical: str,
        schedule: ScheduleArgs,
        state_machine: aws.sfn.StateMachine,
        aws_env: AwsContext,
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        # A group of its own gives the scheduler role's trust condition a
        # source ARN that no other schedule in the account shares.
        group = aws.scheduler.ScheduleGroup(f"{name}-schedule-group", name=physical, opts=child)
        dead_letters = aws.sqs.Queue(
            f"{name}-dlq",
            name=f"{physical}-schedule-dlq",
            sqs_managed_sse_enabled=True,
            message_retention_seconds=schedule.dead_letter_retention_seconds,
            opts=child,
        )
        scheduler_role = aws.iam.Role(
            f"{name}-scheduler-role",
            name=f"{physical}-scheduler",
            description=f"Lets EventBridge Scheduler start state machine {physical}",
            assume_role_policy=pulumi.Output.all(aws_env.account_id, group.arn).apply(
                lambda v: iam.service_trust_policy("scheduler.amazonaws.com", source_account=v[0], source_arn=v[1])
            ),
            opts=child,
        )
        scheduler_policy = aws.iam.RolePolicy(
            f"{name}-scheduler-policy",
            role=scheduler_role.id,
            policy=pulumi.Output.all(state_machine.arn, dead_letters.arn).apply(
                lambda v: iam.policy_document([iam.grant_start_execution(v[0]), iam.grant_send_message(v[1])])
            ),
            opts=child,
        )
        created = aws.scheduler.Schedule(
            f"{name}-schedule",
            name=physical,
            group_name=group.name,
            description=schedule.description,
            schedule_expression=schedule.expression,
            schedule_expression_timezone=schedule.timezone,
            state="ENABLED" if schedule.enabled else "DISABLED",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=state_machine.arn,
                role_arn=scheduler_role.arn,
                input=json.dumps(dict(schedule.payload), sort_keys=True),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=schedule.retry_attempts,
                    maximum_event_age_in_seconds=schedule.max_event_age_seconds,
                ),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=dead_letters.arn),
            ),
            # The first tick may come within a minute; the role must work by then.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[scheduler_policy]),
        )
        self.schedule_name = created.name
        self.dead_letter_queue_url = dead_letters.url
