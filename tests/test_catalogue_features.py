"""What a catalogue entry can declare beyond the tutorials and the worked example, deployed under
mocks: a queue and a table (with their ARN placeholders), another workflow it starts, a fixed
value, a function's environment and statements filled from placeholders, and the escape hatch of
a workflow's own statements for a state listed in granted_states."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from rehearsal import fake_aws
from rehearsal.fake_aws import ACCOUNT_ID, REGION
from rehearsal.program import ProgramRun, run_program
from serverless_workflows.asl.house_rules import TRANSIENT_LAMBDA_ERRORS
from tests.support import PREFIX, definition_file, document
from workflows.catalogue import SCHEDULED
from workflows.outputs import QueueOutput, TableOutput, read_workflows
from workflows.spec import FunctionSpec, Queue, Table, Value, WorkflowRef, WorkflowSpec

# One evaluation of the program, module-scoped, serves every test here (see `run`).
pytestmark = pytest.mark.program

LAMBDA_RETRY = {"ErrorEquals": list(TRANSIENT_LAMBDA_ERRORS), "MaxAttempts": 3}
ORDERS_STATES: dict[str, Any] = {
    "Record": {"Type": "Task", "Resource": "${RecordFunctionArn}", "TimeoutSeconds": 10, "Retry": [LAMBDA_RETRY]},
    "Queue": {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "${OutboxUrl}", "MessageBody.$": "$"},
        "ResultPath": None,
    },
    "Store": {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:putItem",
        "Parameters": {"TableName": "${OrdersTable}", "Item": {"id": {"S.$": "$.id"}, "placed": {"S": "now"}}},
        "ResultPath": None,
    },
    "Announce": {
        "Type": "Task",
        "Resource": "arn:aws:states:::events:putEvents",
        "Parameters": {
            "Entries": [{"EventBusName": "${Bus}", "Source": "orders", "DetailType": "placed", "Detail": {}}]
        },
        "ResultPath": None,
    },
    "Ship": {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution",
        "Parameters": {"StateMachineArn": "${ShippingArn}", "Input.$": "$"},
        "ResultPath": None,
    },
    "Audit": {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
        "Parameters": {"Bucket": "audit", "Key.$": "$.id", "Body": "placed"},
        "End": True,
    },
}


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory) -> tuple[WorkflowSpec, ...]:
    folder = tmp_path_factory.mktemp("orders")
    names = list(ORDERS_STATES)
    states = {name: {**ORDERS_STATES[name], "Next": following} for name, following in itertools.pairwise(names)}
    states[names[-1]] = ORDERS_STATES[names[-1]]
    shipping = WorkflowSpec(
        name="shipping",
        title="Shipping",
        definition=definition_file(folder, "shipping", {"Ship": {"Type": "Pass", "End": True}}),
    )
    entry = WorkflowSpec(
        name="orders",
        title="Orders",
        definition=definition_file(folder, "orders", states),
        functions=(
            FunctionSpec(
                name="record-order",
                handler="handlers.call_center.open_case",
                placeholder="RecordFunctionArn",
                environment={"TABLE": "${OrdersTable}", "OUTBOX": "${OutboxUrl}", "BUS": "${Bus}"},
                statements=(
                    {"Sid": "ReadOrders", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "${OrdersArn}"},
                    {
                        "Sid": "ReadOutbox",
                        "Effect": "Allow",
                        "Action": "sqs:ReceiveMessage",
                        "Resource": "${OutboxArn}",
                    },
                ),
            ),
        ),
        integrations=(
            Queue(name="outbox", placeholder="OutboxUrl", arn_placeholder="OutboxArn"),
            Table(name="orders", placeholder="OrdersTable", sort_key="placed", arn_placeholder="OrdersArn"),
            WorkflowRef(workflow="shipping", placeholder="ShippingArn"),
            Value(placeholder="Bus", value="orders-bus"),
        ),
        statements=(
            {"Sid": "AuditWrites", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::audit/*"},
            {"Sid": "AuditTable", "Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": "${OrdersArn}"},
        ),
        granted_states=frozenset({"Audit"}),
        shortcut_outputs={"outboxUrl": "resources.outbox.url"},
    )
    # The entry first: `declare` must still create the workflow it starts before it.
    return (SCHEDULED, entry, shipping)


@pytest.fixture(scope="module")
def run(orders: tuple[WorkflowSpec, ...]) -> ProgramRun:
    # Module-scoped, so not the function-scoped `deploy` fixture: one evaluation serves every test here.
    return run_program(fake_aws.new_resource, fake_aws.call, catalogue=orders)


ARN = f"{REGION}:{ACCOUNT_ID}"
OUTBOX = f"{PREFIX}-orders-outbox"
TABLE = f"{PREFIX}-orders-orders"
OUTBOX_ARN = f"arn:aws:sqs:{ARN}:{OUTBOX}"
OUTBOX_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{OUTBOX}"
TABLE_ARN = f"arn:aws:dynamodb:{ARN}:table/{TABLE}"
SHIPPING_ARN = f"arn:aws:states:{ARN}:stateMachine:{PREFIX}-shipping"


def allowed(sid: str, action: str, resource: str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": [action], "Resource": [resource]}


def test_the_workflow_role_gets_each_integrations_least_access_and_the_entrys_own_statements(run: ProgramRun) -> None:
    statements = document(run, "orders-policy", "policy")["Statement"]
    assert [statement["Sid"] for statement in statements[:2]] == ["DeliverExecutionLogs", "WriteTraces"]
    assert statements[2:] == [
        allowed("InvokeTaskFunctions", "lambda:InvokeFunction", f"arn:aws:lambda:{ARN}:function:{PREFIX}-record-order"),
        allowed("SendToQueues", "sqs:SendMessage", OUTBOX_ARN),
        allowed("PutTableItems", "dynamodb:PutItem", TABLE_ARN),
        allowed("StartNestedWorkflows", "states:StartExecution", SHIPPING_ARN),
        allowed("PutEventsOnBuses", "events:PutEvents", f"arn:aws:events:{ARN}:event-bus/orders-bus"),
        # The entry's statements as written, their placeholders filled: they grant the Audit state.
        {"Sid": "AuditWrites", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::audit/*"},
        {"Sid": "AuditTable", "Effect": "Allow", "Action": "dynamodb:DescribeTable", "Resource": TABLE_ARN},
    ]


def test_the_functions_environment_and_statements_are_filled_from_the_placeholders(run: ProgramRun) -> None:
    assert run.named("record-order-function").inputs["environment"] == {
        "variables": {"TABLE": TABLE, "OUTBOX": OUTBOX_URL, "BUS": "orders-bus"}
    }
    statements = document(run, "record-order-policy", "policy")["Statement"]
    assert [statement["Sid"] for statement in statements[:2]] == ["WriteOwnLogGroup", "WriteTraces"]
    assert statements[2:] == [
        {"Sid": "ReadOrders", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE_ARN},
        {"Sid": "ReadOutbox", "Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": OUTBOX_ARN},
    ]


def test_the_definition_gets_the_values_and_the_outputs_name_the_resources(run: ProgramRun) -> None:
    states = document(run, "orders-state-machine", "definition")["States"]
    assert states["Queue"]["Parameters"]["QueueUrl"] == OUTBOX_URL
    assert states["Store"]["Parameters"]["TableName"] == TABLE
    assert states["Ship"]["Parameters"]["StateMachineArn"] == SHIPPING_ARN
    assert states["Announce"]["Parameters"]["Entries"][0]["EventBusName"] == "orders-bus"
    table = run.named("orders-orders").inputs
    assert (table["name"], table["hashKey"], table["rangeKey"]) == (TABLE, "id", "placed")
    assert table["attributes"] == [{"name": "id", "type": "S"}, {"name": "placed", "type": "S"}]
    entry = run.outputs["workflows"]["orders"]
    assert entry["resources"] == {
        "outbox": {"arn": OUTBOX_ARN, "url": OUTBOX_URL},
        "orders": {"arn": TABLE_ARN, "name": TABLE},
    }
    assert run.outputs["outboxUrl"] == OUTBOX_URL
    # Listed after it, the workflow it starts is declared first.
    names = [resource.name for resource in run]
    assert names.index("shipping-state-machine") < names.index("orders-state-machine")


def test_the_tools_read_each_resource_as_the_kind_the_program_wrote(run: ProgramRun) -> None:
    assert read_workflows(run.outputs)["orders"].resources == {
        "outbox": QueueOutput(arn=OUTBOX_ARN, url=OUTBOX_URL),
        "orders": TableOutput(arn=TABLE_ARN, name=TABLE),
    }
