"""One scheduled workflow that calls a Lambda function of yours, from the package serverless_workflows."""

import pulumi

from serverless_workflows import ScheduleArgs, TaskFunctionArgs, Workflow, WorkflowArgs

# The function's ARN, and its own timeout (Lambda's default), which the task must exceed.
hello = TaskFunctionArgs(arn=pulumi.Config().require("functionArn"), timeout_seconds=3)
definition = {
    "StartAt": "Hello",
    "TimeoutSeconds": 60,
    "States": {
        "Hello": {
            "Type": "Task",
            "Resource": "${Hello}",
            "TimeoutSeconds": 10,
            "Retry": [{"ErrorEquals": ["States.ALL"]}],
            "End": True,
        }
    },
}
args = WorkflowArgs(
    definition_document=definition, functions={"Hello": hello}, schedule=ScheduleArgs(expression="rate(1 hour)")
)
workflow = Workflow("hello", args)
pulumi.export("stateMachineArn", workflow.state_machine_arn)
