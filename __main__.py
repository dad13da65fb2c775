"""serverless-workflows: two AWS Step Functions tutorials as one Pulumi program.

    settings.py        stack config, read and checked in one place
    workflows/         the state machine definitions (ASL files)
    handlers/          the call-center Lambda code (standard library only)
    components/        Workflow and HandlerFunction, the reusable building blocks

1. Scheduled workflow: the Hello World state machine, started every minute
   by EventBridge Scheduler with {"Payload": "This is a test."}.
2. Call-center workflow: five Lambda functions chained by a state machine
   that closes a resolved case or escalates it and fails.

Nothing is declared at import time: Pulumi runs this file as `__main__`, and
tests load it under another name and call `main()` under mocks.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.handler_function import HandlerFunction, HandlerFunctionArgs
from components.packaging import handler_archive
from components.workflow import ScheduleArgs, Workflow, WorkflowArgs
from settings import StackSettings
from workflows import cost, definition
from workflows.validate import validate

# Call-center task placeholder in workflows/call_center.asl.json ->
# (function name suffix, Lambda handler, description).
CALL_CENTER_FUNCTIONS: dict[str, tuple[str, str, str]] = {
    "OpenCaseFunctionArn": ("open-case", "handlers.call_center.open_case", "Opens a support case"),
    "AssignCaseFunctionArn": ("assign-case", "handlers.call_center.assign_case", "Assigns the case"),
    "WorkOnCaseFunctionArn": ("work-on-case", "handlers.call_center.work_on_case", "Works on the case"),
    "CloseCaseFunctionArn": ("close-case", "handlers.call_center.close_case", "Closes a resolved case"),
    "EscalateCaseFunctionArn": ("escalate-case", "handlers.call_center.escalate_case", "Escalates the case"),
}


def main() -> dict[str, pulumi.Output[Any]]:
    settings = StackSettings.from_pulumi()
    # Both definitions are checked before anything is declared: a broken one
    # must stop `pulumi preview`, not fail halfway through `pulumi up`.
    scheduled_definition = definition.scheduled_workflow()
    call_center_definition = definition.call_center()
    validate(scheduled_definition)
    validate(call_center_definition, supplied=CALL_CENTER_FUNCTIONS)

    # Every resource gets the project and stack tags through this provider.
    provider = aws.Provider("aws", region=settings.aws_region, default_tags={"tags": settings.tags})
    with_provider = pulumi.ResourceOptions(providers=[provider])

    scheduled = Workflow(
        "scheduled",
        WorkflowArgs(
            state_machine_name=f"{settings.name_prefix}-scheduled",
            definition=scheduled_definition,
            log_level=settings.log_level,
            log_retention_days=settings.log_retention_days,
            tracing_enabled=settings.tracing_enabled,
            schedule=ScheduleArgs(
                expression=settings.schedule_expression,
                timezone=settings.schedule_timezone,
                payload=settings.schedule_payload,
                enabled=settings.schedule_enabled,
            ),
        ),
        opts=with_provider,
    )

    code = handler_archive()
    functions = {
        placeholder: HandlerFunction(
            suffix,
            HandlerFunctionArgs(
                function_name=f"{settings.name_prefix}-{suffix}",
                handler=handler,
                code=code,
                description=description,
                log_retention_days=settings.log_retention_days,
                tracing_enabled=settings.tracing_enabled,
            ),
            opts=with_provider,
        )
        for placeholder, (suffix, handler, description) in CALL_CENTER_FUNCTIONS.items()
    }
    call_center = Workflow(
        "call-center",
        WorkflowArgs(
            state_machine_name=f"{settings.name_prefix}-call-center",
            definition=call_center_definition,
            lambda_functions={placeholder: fn.function_arn for placeholder, fn in functions.items()},
            log_level=settings.log_level,
            log_retention_days=settings.log_retention_days,
            tracing_enabled=settings.tracing_enabled,
        ),
        opts=with_provider,
    )

    # Set because the scheduled workflow is given a ScheduleArgs above.
    assert scheduled.schedule_name is not None
    assert scheduled.dead_letter_queue_url is not None
    outputs: dict[str, pulumi.Output[Any]] = {
        "scheduledStateMachineArn": scheduled.state_machine_arn,
        "scheduledStateMachineName": scheduled.state_machine_name,
        "scheduledConsoleUrl": scheduled.console_url,
        "scheduleName": scheduled.schedule_name,
        "scheduleDeadLetterQueueUrl": scheduled.dead_letter_queue_url,
        "callCenterStateMachineArn": call_center.state_machine_arn,
        "callCenterConsoleUrl": call_center.console_url,
    }
    for placeholder, fn in functions.items():
        # e.g. OpenCaseFunctionArn -> openCaseFunctionName
        key = placeholder[0].lower() + placeholder[1:].removesuffix("Arn") + "Name"
        outputs[key] = fn.function_name
    # What this stack will cost a month, from its config: see workflows/cost.py.
    outputs["monthlyCostEstimate"] = pulumi.Output.from_input(
        cost.stack_estimate(
            settings.schedule_expression,
            settings.schedule_enabled,
            scheduled_definition,
            call_center_definition,
        )
    )
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs


if __name__ == "__main__":
    main()
