"""The scheduled Hello World workflow, as the program declares it under mocks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi.runtime.mocks import MockResourceArgs

from rehearsal.fake_aws import ACCOUNT_ID, REGION
from rehearsal.program import ProgramRun
from serverless_workflows.aws_context import console_url
from tests.support import PREFIX, Deploy, role_arn
from workflows.catalogue import SCHEDULED

STATE_MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{PREFIX}-scheduled"
GROUP_ARN = f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule-group/{PREFIX}-scheduled"
DLQ_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{PREFIX}-scheduled-schedule-dlq"


def policy(run: ProgramRun, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run.named(name).inputs["policy"])
    return document


def trust(run: ProgramRun, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run.named(name).inputs["assumeRolePolicy"])
    return document


def test_the_component_owns_every_scheduled_resource(deploy: Deploy) -> None:
    run = deploy()
    component = run.named("scheduled")
    assert component.type == "serverless-workflows:index:Workflow"
    children = {r.name: r.type for r in run.children_of(component)}
    assert children == {
        "scheduled-logs": "aws:cloudwatch/logGroup:LogGroup",
        "scheduled-role": "aws:iam/role:Role",
        "scheduled-policy": "aws:iam/rolePolicy:RolePolicy",
        "scheduled-state-machine": "aws:sfn/stateMachine:StateMachine",
        "scheduled-schedule-group": "aws:scheduler/scheduleGroup:ScheduleGroup",
        "scheduled-dlq": "aws:sqs/queue:Queue",
        "scheduled-scheduler-role": "aws:iam/role:Role",
        "scheduled-scheduler-policy": "aws:iam/rolePolicy:RolePolicy",
        "scheduled-schedule": "aws:scheduler/schedule:Schedule",
    }


def test_state_machine_runs_the_definition_file_with_logs_and_tracing(deploy: Deploy) -> None:
    run = deploy()
    machine = run.named("scheduled-state-machine").inputs
    assert machine["name"] == f"{PREFIX}-scheduled"
    assert machine["type"] == "STANDARD"
    assert json.loads(machine["definition"])["States"]["World"]["ResultPath"] == "$.taskresult"
    assert machine["roleArn"] == role_arn(f"{PREFIX}-scheduled", "sfn")
    log_group = run.named("scheduled-logs").inputs
    assert log_group["name"] == f"/aws/vendedlogs/states/{PREFIX}-scheduled"
    assert log_group.get("retentionInDays") == 14, "the state machine's log group does not keep its logs 14 days"
    assert machine["loggingConfiguration"] == {
        "level": "ALL",
        "includeExecutionData": True,
        "logDestination": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:/aws/vendedlogs/states/{PREFIX}-scheduled:*",
    }
    assert machine["tracingConfiguration"] == {"enabled": True}


def test_state_machine_role_trusts_step_functions_for_this_state_machine_only(deploy: Deploy) -> None:
    assert trust(deploy(), "scheduled-role") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "states.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": STATE_MACHINE_ARN},
                },
            }
        ],
    }


def test_state_machine_role_holds_only_log_delivery_and_xray(deploy: Deploy) -> None:
    statements = policy(deploy(), "scheduled-policy")["Statement"]
    assert {s["Sid"]: (tuple(s["Action"]), tuple(s["Resource"])) for s in statements} == {
        "DeliverExecutionLogs": (
            (
                "logs:CreateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:DescribeLogGroups",
                "logs:DescribeResourcePolicies",
                "logs:GetLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:UpdateLogDelivery",
            ),
            ("*",),
        ),
        "WriteTraces": (
            ("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"),
            ("*",),
        ),
    }


def test_scheduler_role_trusts_the_scheduler_for_this_group_only(deploy: Deploy) -> None:
    (statement,) = trust(deploy(), "scheduled-scheduler-role")["Statement"]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": GROUP_ARN},
    }


def test_scheduler_role_may_only_start_this_state_machine_and_dead_letter(deploy: Deploy) -> None:
    statements = policy(deploy(), "scheduled-scheduler-policy")["Statement"]
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (["states:StartExecution"], [STATE_MACHINE_ARN]),
        (["sqs:SendMessage"], [DLQ_ARN]),
    ]


def test_schedule_starts_the_state_machine_every_minute_with_the_tutorial_input(deploy: Deploy) -> None:
    run = deploy()
    schedule = run.named("scheduled-schedule").inputs
    assert schedule["scheduleExpression"] == "rate(1 minute)"
    assert schedule["flexibleTimeWindow"] == {"mode": "OFF"}
    assert schedule["state"] == "ENABLED"
    assert schedule["groupName"] == f"{PREFIX}-scheduled"
    target = schedule["target"]
    assert target["arn"] == STATE_MACHINE_ARN
    assert target["roleArn"] == role_arn(f"{PREFIX}-scheduled", "scheduler")
    assert json.loads(target["input"]) == {"Payload": "This is a test."}
    # Without them EventBridge retries 185 times over a day, and a tick that fails for good is lost.
    assert target.get("retryPolicy") == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 300}, (
        "the schedule's target has no retry policy of its own"
    )
    assert target.get("deadLetterConfig") == {"arn": DLQ_ARN}, "the schedule's target has no dead-letter queue"


def test_dead_letter_queue_is_encrypted_and_keeps_messages_two_weeks(deploy: Deploy) -> None:
    queue = deploy().named("scheduled-dlq").inputs
    assert queue["sqsManagedSseEnabled"] is True
    assert queue["messageRetentionSeconds"] == 14 * 24 * 3600


def test_schedule_and_state_machine_wait_for_their_role_policies(deploy: Deploy) -> None:
    # A role without its policy would fail the first tick and the log-delivery check.
    run = deploy()
    assert run.named("scheduled-scheduler-policy").urn in run.named("scheduled-schedule").dependencies
    assert run.named("scheduled-policy").urn in run.named("scheduled-state-machine").dependencies


def test_stack_outputs_name_what_a_user_needs(deploy: Deploy) -> None:
    outputs = deploy().outputs
    assert outputs["workflows"]["scheduled"] == {
        "type": "STANDARD",
        "stateMachineArn": STATE_MACHINE_ARN,
        "stateMachineName": f"{PREFIX}-scheduled",
        "consoleUrl": outputs["scheduledConsoleUrl"],
        "roleArn": role_arn(f"{PREFIX}-scheduled", "sfn"),
        "logGroup": f"/aws/vendedlogs/states/{PREFIX}-scheduled",
        "schedule": {
            "name": f"{PREFIX}-scheduled",
            "group": f"{PREFIX}-scheduled",
            "deadLetterQueueUrl": outputs["scheduleDeadLetterQueueUrl"],
            "enabled": True,
        },
        "functions": {},
        "resources": {},
    }
    assert outputs["scheduledStateMachineArn"] == STATE_MACHINE_ARN
    assert outputs["scheduledStateMachineName"] == f"{PREFIX}-scheduled"
    assert outputs["scheduleName"] == f"{PREFIX}-scheduled"
    assert outputs["scheduleDeadLetterQueueUrl"] == (
        f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{PREFIX}-scheduled-schedule-dlq"
    )
    assert outputs["scheduledConsoleUrl"] == (
        f"https://{REGION}.console.aws.amazon.com/states/home?region={REGION}#/statemachines/view/{STATE_MACHINE_ARN}"
    )


@pytest.mark.program
def test_the_schedule_outputs_come_from_the_schedule_not_the_state_machine() -> None:
    # Both carry the same name, so the mock gives the schedule's own name a mark of its own.
    from rehearsal import fake_aws
    from rehearsal.program import run_program

    def marked(args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id, state = fake_aws.new_resource(args)
        if args.typ == "aws:scheduler/schedule:Schedule":
            state = {**state, "name": state["name"] + "-from-the-schedule"}
        return resource_id, state

    # The scheduled workflow alone: the outputs read are its own.
    outputs = run_program(marked, fake_aws.call, catalogue=(SCHEDULED,)).outputs
    assert outputs["scheduleName"] == f"{PREFIX}-scheduled-from-the-schedule"
    assert outputs["workflows"]["scheduled"]["schedule"]["name"] == f"{PREFIX}-scheduled-from-the-schedule"
    assert outputs["scheduledStateMachineName"] == f"{PREFIX}-scheduled"


@pytest.mark.parametrize(
    ("partition", "region", "host"),
    [
        ("aws", "eu-west-3", "eu-west-3.console.aws.amazon.com"),
        ("aws-cn", "cn-north-1", "cn-north-1.console.amazonaws.cn"),
        ("aws-us-gov", "us-gov-west-1", "us-gov-west-1.console.amazonaws-us-gov.com"),
    ],
)
def test_console_urls_use_the_partitions_own_console(partition: str, region: str, host: str) -> None:
    arn = f"arn:{partition}:states:{region}:{ACCOUNT_ID}:stateMachine:m"
    assert console_url(arn) == f"https://{host}/states/home?region={region}#/statemachines/view/{arn}"
