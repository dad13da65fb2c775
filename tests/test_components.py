"""The components on their own: validation before any resource, and optional parts."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, cast

import pulumi
import pytest

from rehearsal.program import ProgramRun
from serverless_workflows.asl.definition import DefinitionError
from serverless_workflows.handler_function import HandlerFunction, HandlerFunctionArgs, ResolvedFunction
from serverless_workflows.lambda_package import handler_archive
from serverless_workflows.monitoring_plan import MonitoringPlan
from serverless_workflows.workflow import ResolvedSchedule, ResolvedWorkflow, ScheduleArgs, Workflow, WorkflowArgs
from settings import StackSettings
from tests.support import Declare
from workflows.catalogue import CALL_CENTER, SCHEDULED
from workflows.spec import FunctionSpec, ScheduleSpec, WorkflowSpec

SCHEDULED_FILE = str(SCHEDULED.definition_path)
CALL_CENTER_FILE = str(CALL_CENTER.definition_path)


def scheduled(state_machine_name: str, **fields: Any) -> WorkflowArgs:
    """The scheduled tutorial's definition, under `state_machine_name`, with `fields`."""
    return cast(WorkflowArgs, {"state_machine_name": state_machine_name, "definition_file": SCHEDULED_FILE, **fields})


def expect_refusal(declare: Declare, build: object, error: type[Exception], match: str) -> None:
    declared = ProgramRun()
    with pytest.raises(error, match=match):
        declare(build, into=declared)
    assert declared.resources == [], "nothing may be declared before validation fails"


def test_a_workflow_without_a_schedule_has_no_scheduler_resources(declare: Declare) -> None:
    holder: list[Workflow] = []
    run = declare(lambda: holder.append(Workflow("plain", scheduled("plain-flow"))))
    types = {r.type for r in run}
    assert "aws:scheduler/schedule:Schedule" not in types
    assert "aws:sqs/queue:Queue" not in types
    assert holder[0].schedule_name is None
    assert holder[0].dead_letter_queue_url is None


def test_schedule_options_reach_the_schedule(declare: Declare) -> None:
    schedule = ScheduleArgs(
        expression="cron(0 8 * * ? *)", timezone="Europe/Paris", retry_attempts=0, max_event_age_seconds=60
    )
    run = declare(lambda: Workflow("timed", scheduled("timed-flow", schedule=schedule)))
    created = run.named("timed-schedule").inputs
    assert created["scheduleExpressionTimezone"] == "Europe/Paris"
    assert created["target"].get("retryPolicy") == {"maximumRetryAttempts": 0, "maximumEventAgeInSeconds": 60}, (
        "the schedule's target lacks the retry policy given"
    )


def test_a_definition_without_timeout_is_refused(declare: Declare, tmp_path: Path) -> None:
    endless = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    expect_refusal(
        declare,
        lambda: Workflow("endless", WorkflowArgs(state_machine_name="endless", definition_document=endless)),
        DefinitionError,
        "top-level TimeoutSeconds is missing or not a positive integer",
    )


def test_missing_function_arns_are_refused_before_anything_is_declared(declare: Declare) -> None:
    expect_refusal(
        declare,
        lambda: Workflow(
            "cc", WorkflowArgs(definition_file=CALL_CENTER_FILE, substitutions={"OpenCaseFunctionArn": "arn"})
        ),
        DefinitionError,
        r"no value for placeholder\(s\) \$\{AssignCaseFunctionArn\}",
    )


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (scheduled("x" * 81), "the name must be 1 to 80 .* it has 81 characters"),
        (
            scheduled("x" * 65, schedule=ScheduleArgs(expression="rate(1 day)")),
            r"1 to 64 .* \(its schedule and schedule group take the same name\)",
        ),
        (scheduled("flow", type="FAST"), "type 'FAST' is not one of STANDARD, EXPRESS"),
        (
            scheduled("flow", type="EXPRESS", log_level="ERROR"),
            "an Express workflow's results are only in its execution logs, so it must log level ALL",
        ),
        (scheduled("bad name"), "letters, digits"),
        (scheduled("flow", log_level="DEBUG"), "log level 'DEBUG' is not one of"),
        (scheduled("flow", log_retention_days=10), "10 days is not one CloudWatch allows"),
        (
            scheduled("flow", schedule=ScheduleArgs(expression="every minute")),
            "schedule expression 'every minute' is not a rate",
        ),
        (
            scheduled("flow", schedule=ScheduleArgs(expression="rate(1 day)", retry_attempts=200)),
            "retry_attempts must be 0 to 185",
        ),
        (
            scheduled("flow", schedule=ScheduleArgs(expression="rate(1 day)", max_event_age_seconds=30)),
            "max_event_age_seconds must be 60 to 86400",
        ),
    ],
)
def test_bad_workflow_args_are_refused(declare: Declare, args: WorkflowArgs, match: str) -> None:
    expect_refusal(declare, lambda: Workflow("flow", args), ValueError, match)


def function_args(**overrides: object) -> HandlerFunctionArgs:
    values: dict[str, object] = {
        "function_name": "fn",
        "handler": "handlers.call_center.open_case",
        "code": handler_archive("handlers.call_center.open_case"),
    }
    values.update(overrides)
    return cast(HandlerFunctionArgs, values)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"runtime": "python3.9"}, "runtime 'python3.9' is not one of python3.12, python3.13, python3.14"),
        ({"architecture": "sparc"}, "architecture 'sparc'"),
        ({"memory_mb": 64}, "memory_mb 64 is outside 128 to 10240"),
        ({"timeout_seconds": 0}, "timeout_seconds 0 is outside 1 to 900"),
        ({"handler": "open_case"}, "must look like 'package.module.function'"),
        ({"application_log_level": "LOUD"}, "application_log_level 'LOUD'"),
        ({"log_retention_days": 2}, "2 days is not one CloudWatch allows"),
        ({"function_name": "f" * 65}, "1 to 64 letters"),
    ],
)
def test_bad_function_args_are_refused(declare: Declare, overrides: dict[str, object], match: str) -> None:
    expect_refusal(declare, lambda: HandlerFunction("fn", function_args(**overrides)), ValueError, match)


def test_function_environment_is_passed_when_given(declare: Declare) -> None:
    run = declare(lambda: HandlerFunction("fn", function_args(environment={"STAGE": "test"})))
    assert run.named("fn-function").inputs["environment"] == {"variables": {"STAGE": "test"}}
    assert "environment" not in declare(lambda: HandlerFunction("fn", function_args())).named("fn-function").inputs


def test_component_outputs_are_registered(declare: Declare) -> None:
    def build() -> dict[str, pulumi.Output[str]]:
        fn = HandlerFunction("fn", function_args())
        return {"arn": fn.function_arn, "logs": fn.log_group_name, "role": fn.role_arn}

    outputs = declare(build).outputs
    assert outputs == {
        "arn": "arn:aws:lambda:us-east-1:123456789012:function:fn",
        "logs": "/aws/lambda/fn",
        "role": "arn:aws:iam::123456789012:role/fn-fn-use1",
    }


def test_grants_give_another_role_exactly_invoke_or_start_execution(declare: Declare) -> None:
    import pulumi_aws as aws

    def build() -> None:
        caller = aws.iam.Role("caller", name="caller", assume_role_policy="{}")
        function = HandlerFunction("fn", function_args())
        flow = Workflow("plain", scheduled("plain-flow"))
        function.grant_invoke(caller, "caller-may-invoke")
        flow.grant_start_execution(caller, "caller-may-start")

    run = declare(build)
    invoke = json.loads(run.named("caller-may-invoke").inputs["policy"])["Statement"]
    start = json.loads(run.named("caller-may-start").inputs["policy"])["Statement"]
    assert invoke == [{"Sid": "InvokeFunctions", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                       "Resource": ["arn:aws:lambda:us-east-1:123456789012:function:fn"]}]  # fmt: skip
    assert start == [{"Sid": "StartWorkflow", "Effect": "Allow", "Action": ["states:StartExecution"],
                      "Resource": ["arn:aws:states:us-east-1:123456789012:stateMachine:plain-flow"]}]  # fmt: skip
    assert run.named("caller-may-invoke").inputs["role"] == run.named("caller-may-start").inputs["role"] == "caller"


def test_both_components_expose_their_roles_for_grants_of_your_own(declare: Declare) -> None:
    holder: list[tuple[HandlerFunction, Workflow]] = []
    declare(lambda: holder.append((HandlerFunction("fn", function_args()), Workflow("w", scheduled("w")))))
    function, flow = holder[0]
    assert function.role is not None
    assert flow.role is not None


def test_extra_statements_reach_the_function_role(declare: Declare) -> None:
    read = {"Sid": "ReadOrders", "Effect": "Allow", "Action": ["dynamodb:GetItem"],
            "Resource": ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"]}  # fmt: skip
    run = declare(lambda: HandlerFunction("fn", function_args(extra_statements=[read])))
    assert json.loads(run.named("fn-policy").inputs["policy"])["Statement"][-1] == read


# --- defaults: one constant each (components/serverless_workflows/defaults.py), shared by everything that defaults ----


def _defaults_of(cls: Any, *names: str) -> dict[str, object]:
    by_name = {item.name: item.default for item in dataclasses.fields(cls)}
    return {name: by_name[name] for name in names}


def test_the_components_the_catalogue_and_the_settings_default_alike() -> None:
    # Where a literal once stood in each, a changed default reached some of them and not others.
    function = ("runtime", "architecture", "memory_mb", "timeout_seconds")
    assert _defaults_of(ResolvedFunction, *function) == _defaults_of(FunctionSpec, *function)
    kept = ("log_retention_days", "tracing_enabled", "retain_data")
    stack = _defaults_of(StackSettings, "log_level", *kept)
    assert _defaults_of(ResolvedWorkflow, "log_level", *kept) == stack
    assert _defaults_of(ResolvedFunction, *kept) == {key: stack[key] for key in kept}
    assert _defaults_of(MonitoringPlan, "retain_data") == {"retain_data": stack["retain_data"]}
    assert _defaults_of(ResolvedSchedule, "timezone", "enabled") == _defaults_of(ScheduleSpec, "timezone", "enabled")
    assert _defaults_of(ResolvedWorkflow, "type") == _defaults_of(WorkflowSpec, "type")


@pytest.mark.program
def test_components_given_one_provider_look_it_up_once() -> None:
    """Each component needs the account, region and partition; looked up per component, a stack
    of 200 workflows of five functions asked the AWS provider 3,600 times."""
    from rehearsal import fake_aws
    from rehearsal.program import run_program

    asked: list[str] = []

    def counting(args: Any) -> dict[str, Any]:
        asked.append(args.token)
        return fake_aws.call(args)

    run = run_program(fake_aws.new_resource, counting, catalogue=(SCHEDULED, CALL_CENTER))
    components = [r for r in run if r.type.startswith("serverless-workflows:")]
    assert len(components) == 8  # 2 workflows, 5 functions, the monitoring
    assert sorted(asked) == [
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getPartition:getPartition",
        "aws:index/getRegion:getRegion",
    ]
