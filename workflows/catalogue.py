"""The workflows this project deploys: one entry each, and nothing else names them.

The program (`__main__.py`), the cost estimate, `make diagrams`,
`python -m ops` and `make demo` all iterate over `CATALOGUE`. To add a
workflow: write its ASL file in this folder, its handler module(s) in
`handlers/`, and one entry below (docs/adding-a-workflow.md#the-recipe).
"""

from __future__ import annotations

from workflows.spec import FunctionSpec, Outcome, ScheduleSpec, SmokeTest, WorkflowSpec

# The tutorial "Schedule a Serverless Workflow with AWS Step Functions and
# Amazon EventBridge Scheduler": Hello World, started every minute.
SCHEDULED = WorkflowSpec(
    name="scheduled",
    title="Scheduled workflow",
    definition="scheduled_workflow.asl.json",
    schedule=ScheduleSpec(
        expression="rate(1 minute)",
        payload={"Payload": "This is a test."},
        stack_keys=True,
        expected_output={"taskresult": "World"},
    ),
    shortcut_outputs={
        "scheduledStateMachineArn": "stateMachineArn",
        "scheduledStateMachineName": "stateMachineName",
        "scheduledConsoleUrl": "consoleUrl",
        "scheduleName": "schedule.name",
        "scheduleDeadLetterQueueUrl": "schedule.deadLetterQueueUrl",
    },
)


def _call_center_step(name: str, placeholder: str, description: str) -> FunctionSpec:
    return FunctionSpec(
        name=name,
        handler=f"handlers.call_center.{name.replace('-', '_')}",
        placeholder=placeholder,
        description=description,
    )


# The tutorial "Create a Serverless Workflow with AWS Step Functions and AWS
# Lambda": five functions, a Choice on $.Status, and a Fail state.
CALL_CENTER = WorkflowSpec(
    name="call-center",
    title="Call-center workflow",
    definition="call_center.asl.json",
    functions=(
        _call_center_step("open-case", "OpenCaseFunctionArn", "Opens a support case"),
        _call_center_step("assign-case", "AssignCaseFunctionArn", "Assigns the case"),
        _call_center_step("work-on-case", "WorkOnCaseFunctionArn", "Works on the case"),
        _call_center_step("close-case", "CloseCaseFunctionArn", "Closes a resolved case"),
        _call_center_step("escalate-case", "EscalateCaseFunctionArn", "Escalates the case"),
    ),
    sample_input={"inputCaseID": "001"},
    refused_input={"inputCaseID": ""},
    refused_error="InvalidCaseInput",
    executions_per_month=1_000,
    smoke_test=SmokeTest(
        input={"inputCaseID": "verify-{run}"},
        outcomes=(
            Outcome(
                "resolved",
                status="SUCCEEDED",
                output={
                    "Case": "verify-{run}",
                    "Status": 1,
                    "Message": "Case verify-{run}: opened...assigned...resolved...closed.",
                },
            ),
            Outcome(
                "escalated",
                status="FAILED",
                cause="Engage Tier 2 Support.",
                state_outputs={
                    "Escalate Case": {
                        "Case": "verify-{run}",
                        "Status": 0,
                        "Message": "Case verify-{run}: opened...assigned...unresolved...escalating.",
                    }
                },
            ),
        ),
    ),
    shortcut_outputs={
        "callCenterStateMachineArn": "stateMachineArn",
        "callCenterConsoleUrl": "consoleUrl",
        "openCaseFunctionName": "functions.open-case.functionName",
        "assignCaseFunctionName": "functions.assign-case.functionName",
        "workOnCaseFunctionName": "functions.work-on-case.functionName",
        "closeCaseFunctionName": "functions.close-case.functionName",
        "escalateCaseFunctionName": "functions.escalate-case.functionName",
    },
)

CATALOGUE: tuple[WorkflowSpec, ...] = (SCHEDULED, CALL_CENTER)
