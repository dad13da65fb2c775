"""Least privilege from the definition: which Task calls need what, on which resources."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from rehearsal.program import ProgramRun
from serverless_workflows import iam, workflow
from serverless_workflows.asl import integrations, model
from serverless_workflows.asl.house_rules import TRANSIENT_LAMBDA_ERRORS
from serverless_workflows.asl.model import LambdaCall
from serverless_workflows.handler_function import TaskFunctionArgs
from serverless_workflows.workflow import Workflow, WorkflowArgs
from tests.support import Declare

ACCOUNT = "123456789012"
ENV = integrations.Environment("aws", "us-east-1", ACCOUNT)
TRANSIENT = list(TRANSIENT_LAMBDA_ERRORS)


def task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, "TimeoutSeconds": 30, **fields}


def machine(**states: dict[str, Any]) -> dict[str, Any]:
    names = list(states)
    for name, following in zip(names, [*names[1:], None], strict=True):
        if states[name]["Type"] not in ("Succeed", "Fail", "Choice"):
            states[name] = {**states[name], **({"Next": following} if following else {"End": True})}
    return {"StartAt": names[0], "TimeoutSeconds": 300, "States": states}


def needs(document: dict[str, Any], functions: frozenset[str] = frozenset()) -> list[tuple[str, tuple[str, ...], str]]:
    found, unscoped = integrations.accesses(document, functions)
    assert unscoped == []
    return [(a.sid, a.actions, a.target) for a in found]


def test_lambda_tasks_in_every_form_need_invoke_on_the_function() -> None:
    fn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:worker"
    document = machine(
        Plain=task(fn),
        Placeholder=task("${WorkerArn}"),
        Optimised=task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": fn, "Payload.$": "$"}),
        Callback=task("arn:aws:states:::lambda:invoke.waitForTaskToken",
                      Parameters={"FunctionName": "worker", "Payload": {"token.$": "$$.Task.Token"}}),
        Jsonata=task("arn:aws:states:::lambda:invoke", QueryLanguage="JSONata",
                     Arguments={"FunctionName": "${WorkerArn}", "Payload": "{% $states.input %}"}),
        Sdk=task("arn:aws:states:::aws-sdk:lambda:invoke", Parameters={"FunctionName": "${WorkerArn}"}),
    )  # fmt: skip
    found = needs(document, frozenset({"WorkerArn"}))
    assert {sid for sid, _, _ in found} == {"InvokeTaskFunctions"}
    assert [target for _, _, target in found] == [fn, "${WorkerArn}", fn, "worker", "${WorkerArn}", "${WorkerArn}"]
    access = integrations.accesses(document, frozenset({"WorkerArn"}))[0][3]
    assert integrations.resource_arns(access, ENV) == [fn]  # the name "worker", in this account and region


def test_each_service_integration_needs_its_own_action_on_its_own_resource() -> None:
    document = machine(
        Publish=task("arn:aws:states:::sns:publish", Parameters={"TopicArn": "${Topic}", "Message.$": "$"}),
        Send=task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                  Parameters={"QueueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/jobs", "MessageBody.$": "$"}),
        Get=task("arn:aws:states:::dynamodb:getItem", Parameters={"TableName": "orders", "Key": {}}),
        Put=task("arn:aws:states:::dynamodb:putItem", Parameters={"TableName": "orders", "Item": {}}),
        Update=task("arn:aws:states:::dynamodb:updateItem", Parameters={"TableName": "audit", "Key": {}}),
        Delete=task("arn:aws:states:::dynamodb:deleteItem", Parameters={"TableName": "audit", "Key": {}}),
        Events=task("arn:aws:states:::events:putEvents",
                    Parameters={"Entries": [{"Detail": {}, "DetailType": "x", "Source": "y"},
                                            {"EventBusName": "orders-bus", "Detail": {}, "Source": "y"}]}),
    )  # fmt: skip
    found, _ = integrations.accesses(document)
    topic = "arn:aws:sns:us-east-1:1:t"
    resolved = [
        (a.sid, a.actions, integrations.resource_arns(a, ENV, lambda text: text.replace("${Topic}", topic)))
        for a in found
    ]
    assert resolved == [
        ("PublishToTopics", ("sns:Publish",), ["arn:aws:sns:us-east-1:1:t"]),
        ("SendToQueues", ("sqs:SendMessage",), [f"arn:aws:sqs:eu-west-1:{ACCOUNT}:jobs"]),
        ("ReadTableItems", ("dynamodb:GetItem",), [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"]),
        ("PutTableItems", ("dynamodb:PutItem",), [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"]),
        ("UpdateTableItems", ("dynamodb:UpdateItem",), [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/audit"]),
        ("DeleteTableItems", ("dynamodb:DeleteItem",), [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/audit"]),
        ("PutEventsOnBuses", ("events:PutEvents",), [f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"]),
        ("PutEventsOnBuses", ("events:PutEvents",), [f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/orders-bus"]),
    ]


def test_waiting_for_a_nested_workflow_needs_describe_stop_and_the_managed_rule() -> None:
    child = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:child"
    for pattern in (".sync", ".sync:2"):
        found, _ = integrations.accesses(
            machine(
                Nest=task(f"arn:aws:states:::states:startExecution{pattern}", Parameters={"StateMachineArn": child})
            )
        )
        assert [(a.sid, a.actions, integrations.resource_arns(a, ENV)) for a in found] == [
            ("StartNestedWorkflows", ("states:StartExecution",), [child]),
            ("FollowNestedExecutions", ("states:DescribeExecution", "states:StopExecution"),
             [f"arn:aws:states:us-east-1:{ACCOUNT}:execution:child:*"]),
            ("ManageNestedExecutionRule", ("events:DescribeRule", "events:PutRule", "events:PutTargets"),
             [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"]),
        ], pattern  # fmt: skip
    fire_and_forget, _ = integrations.accesses(
        machine(Nest=task("arn:aws:states:::states:startExecution", Parameters={"StateMachineArn": child}))
    )
    assert [a.sid for a in fire_and_forget] == ["StartNestedWorkflows"]


def test_tasks_inside_parallel_branches_and_map_processors_are_found() -> None:
    inner = {"StartAt": "Notify", "States": {"Notify": task("arn:aws:states:::sns:publish",
             Parameters={"TopicArn": "arn:aws:sns:us-east-1:1:deep", "Message": "m"}, End=True)}}  # fmt: skip
    document = machine(
        Fan={"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                                               {"StartAt": "Each", "States": {"Each": {
                                                   "Type": "Map", "ItemProcessor": inner, "End": True}}}]},
    )  # fmt: skip
    (access,), _ = integrations.accesses(document)
    # The path every tool and message gives the state (components/serverless_workflows/asl/model.py).
    assert access.where == "state 'Fan' > branch 2 > state 'Each' > ItemProcessor > state 'Notify'"
    assert access.state == "Notify"
    assert access.target == "arn:aws:sns:us-east-1:1:deep"


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (task("arn:aws:states:::sns:publish", Parameters={"TopicArn.$": "$.topic", "Message": "m"}),
         "TopicArn is taken from the execution data"),
        (task("arn:aws:states:::sns:publish", QueryLanguage="JSONata",
              Arguments={"TopicArn": "{% $states.input.topic %}", "Message": "m"}),
         "TopicArn is taken from the execution data"),
        (task("arn:aws:states:::aws-sdk:s3:getObject", Parameters={"Bucket": "b", "Key.$": "$.key"}),
         "Key is taken from the execution data"),
        (task("arn:aws:states:::aws-sdk:nosuchservice:doThings", Parameters={}),
         "botocore knows no AWS SDK service 'nosuchservice'"),
        (task("arn:aws:states:::aws-sdk:ec2:runInstances", Parameters={"ImageId": "ami-1", "MinCount": 1}),
         "it names no instance"),
        (task("arn:aws:states:::aws-sdk:s3:getObject.sync", Parameters={"Bucket": "b", "Key": "k"}),
         "an AWS SDK integration has no .sync pattern"),
        (task("arn:aws:states:::mediaconvert:describeEndpoints", Parameters={}), "not one this component scopes"),
        (task("arn:aws:states:::ecs:runTask.sync:2", Parameters={}), "not one this component scopes"),
        (task("${Unknown}"), "this placeholder is not one of the workflow's functions"),
        (task("arn:aws:states:::events:putEvents", Parameters={"Entries.$": "$.events"}), "Entries are computed"),
        (task("arn:aws:states:::sns:publish", Parameters={"PhoneNumber": "+33600000000", "Message": "m"}),
         "it has no TopicArn"),
    ],
)  # fmt: skip
def test_calls_that_cannot_be_scoped_are_named_never_granted_star(state: dict[str, Any], reason: str) -> None:
    found, (unscoped,) = integrations.accesses(machine(Call=state))
    assert found == []
    assert unscoped.where == "state 'Call'"
    assert reason in unscoped.reason


def test_activities_need_no_grant() -> None:
    activity = f"arn:aws:states:us-east-1:{ACCOUNT}:activity:review"
    assert integrations.accesses(machine(Review=task(activity))) == ([], [])


@pytest.mark.parametrize(
    ("state", "call"),
    [
        (task("${Fn}"), LambdaCall("Fn", by_name=False)),
        (task(f"arn:aws-us-gov:lambda:us-gov-west-1:{ACCOUNT}:function:f:live"), LambdaCall(None, False)),
        (task("arn:aws:states:::lambda:invoke"), LambdaCall(None, by_name=True)),
        (task("arn:aws:states:::lambda:invoke.waitForTaskToken", Arguments={"FunctionName": "${Fn}"}),
         LambdaCall("Fn", by_name=True)),
        (task("arn:aws:states:::aws-sdk:lambda:invoke", Parameters={"FunctionName": "${Fn}"}),
         LambdaCall("Fn", by_name=True)),
        (task("arn:aws:states:::aws-sdk:lambda:invoke", Parameters={"FunctionName": "${Topic}"}),
         LambdaCall(None, by_name=True)),
        (task("${Topic}"), None),
        (task("arn:aws:states:::sns:publish"), None),
        (task("arn:aws:states:::lambda:invoke.sync"), None),
        (task("arn:aws:states:::aws-sdk:lambda:listFunctions"), None),
        ({"Type": "Pass", "Resource": "${Fn}"}, None),
    ],
)  # fmt: skip
def test_one_detector_tells_which_tasks_invoke_which_function(state: dict[str, Any], call: LambdaCall | None) -> None:
    (read_state,) = model.read(machine(Call=state)).states()
    assert read_state.lambda_call({"Fn"}) == call


# --- the component grants exactly that ------------------------------------------------


def definition_file(tmp_path: Path, document: dict[str, Any]) -> str:
    path = tmp_path / "flow.asl.json"
    path.write_text(json.dumps(document))
    return str(path)


def worker(arn: pulumi.Input[str]) -> dict[str, TaskFunctionArgs]:
    """The function of the `${WorkerArn}` tasks, timing out after 5 seconds."""
    return {"WorkerArn": TaskFunctionArgs(arn=arn, timeout_seconds=5)}


def policy_of(run: ProgramRun, name: str = "flow-policy") -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(run.named(name).inputs["policy"])
    return parsed


def test_a_workflow_role_gets_a_statement_per_integration_and_nothing_else(declare: Declare, tmp_path: Path) -> None:
    document = machine(
        Work=task("${WorkerArn}", Retry=[{"ErrorEquals": TRANSIENT}]),
        Notify=task("arn:aws:states:::sns:publish", Parameters={"TopicArn": "${TopicArn}", "Message.$": "$"}),
        Save=task("arn:aws:states:::dynamodb:putItem", Parameters={"TableName": "${Table}", "Item": {}}),
    )
    topic = pulumi.Output.from_input(f"arn:aws:sns:us-east-1:{ACCOUNT}:reports")
    args = WorkflowArgs(
        state_machine_name="flow",
        definition_file=definition_file(tmp_path, document),
        substitutions={"TopicArn": topic, "Table": "t"},
        functions=worker(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:w"),
        tracing_enabled=False,
        log_level="OFF",
    )
    statements = policy_of(declare(lambda: Workflow("flow", args)))["Statement"]
    assert statements == [
        {"Sid": "InvokeTaskFunctions", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
         "Resource": [f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:w"]},
        {"Sid": "PublishToTopics", "Effect": "Allow", "Action": ["sns:Publish"],
         "Resource": [f"arn:aws:sns:us-east-1:{ACCOUNT}:reports"]},
        {"Sid": "PutTableItems", "Effect": "Allow", "Action": ["dynamodb:PutItem"],
         "Resource": [f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t"]},
    ]  # fmt: skip


def test_dynamodb_calls_on_several_tables_get_each_table_once_its_value_is_known(
    declare: Declare, tmp_path: Path
) -> None:
    # DynamoDB Developer Guide: "DynamoDB API permissions: Actions, resources, and conditions reference"
    # (BatchWriteItem on each table) and "Using IAM with DynamoDB transactions" (each item's own action, on its
    # table): https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
    document = machine(
        Record=task("arn:aws:states:::aws-sdk:dynamodb:batchWriteItem",
                    Parameters={"RequestItems": {"${Orders}": [], "audit": []}}),
        Settle=task("arn:aws:states:::aws-sdk:dynamodb:transactWriteItems", Parameters={"TransactItems": [
            {"Put": {"TableName": "${Orders}", "Item": {}}},
            {"Update": {"TableName": "customers", "Key": {}, "UpdateExpression": "SET n = :n"}}]}),
    )  # fmt: skip
    orders = pulumi.Output.from_input(f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders")
    args = WorkflowArgs(state_machine_name="flow", definition_file=definition_file(tmp_path, document),
                        substitutions={"Orders": orders}, tracing_enabled=False, log_level="OFF")  # fmt: skip
    statements = policy_of(declare(lambda: Workflow("flow", args)))["Statement"]
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/"
    assert statements == [
        {"Sid": "DynamodbBatchWriteItem", "Effect": "Allow", "Action": ["dynamodb:BatchWriteItem"],
         "Resource": [f"{table}audit", f"{table}orders"]},
        {"Sid": "DynamodbPutItem", "Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [f"{table}orders"]},
        {"Sid": "DynamodbUpdateItem", "Effect": "Allow", "Action": ["dynamodb:UpdateItem"],
         "Resource": [f"{table}customers"]},
    ]  # fmt: skip


def test_an_unscoped_call_is_refused_before_anything_unless_granted_explicitly(
    declare: Declare, tmp_path: Path
) -> None:
    document = machine(Read=task("arn:aws:states:::aws-sdk:s3:getObject", Parameters={"Bucket": "b", "Key.$": "$.k"}))
    definition = definition_file(tmp_path, document)
    declared = ProgramRun()
    with pytest.raises(ValueError, match=r"1 task\(s\) cannot be granted least privilege automatically") as error:
        declare(
            lambda: Workflow("flow", WorkflowArgs(state_machine_name="flow", definition_file=definition)), into=declared
        )
    assert "state 'Read' calls arn:aws:states:::aws-sdk:s3:getObject" in str(error.value)
    assert "extra_statements and list its state in granted_states" in str(error.value)
    assert declared.resources == []

    grant = {"Sid": "ReadReports", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"]}
    args = WorkflowArgs(state_machine_name="flow", definition_file=definition, extra_statements=[grant],
                        granted_states=["Read"])  # fmt: skip
    assert policy_of(declare(lambda: Workflow("flow", args)))["Statement"][-1] == grant


def test_a_value_passed_as_a_plain_string_is_judged_like_one_written_in_the_file(
    declare: Declare, tmp_path: Path
) -> None:
    # An existing function's ARN passed as a value is a Lambda task, even though the file says ${Existing}.
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:existing"
    document = machine(Call=task("${Existing}", Retry=[{"ErrorEquals": TRANSIENT}]))
    args = WorkflowArgs(state_machine_name="flow", definition_file=definition_file(tmp_path, document),
                        substitutions={"Existing": arn}, log_level="OFF", tracing_enabled=False)  # fmt: skip
    assert policy_of(declare(lambda: Workflow("flow", args)))["Statement"][0]["Resource"] == [arn]


def test_a_known_target_that_is_not_a_resource_of_its_kind_is_refused_before_anything(
    declare: Declare, tmp_path: Path
) -> None:
    document = machine(
        Send=task("arn:aws:states:::sqs:sendMessage", Parameters={"QueueUrl": "${Jobs}", "MessageBody": "m"})
    )
    args = WorkflowArgs(
        state_machine_name="flow",
        definition_file=definition_file(tmp_path, document),
        substitutions={"Jobs": "my-queue"},
    )
    declared = ProgramRun()
    with pytest.raises(ValueError, match=r"state 'Send': 'my-queue' is not an SQS queue URL"):
        declare(lambda: Workflow("flow", args), into=declared)
    assert declared.resources == []


# --- the Distributed Map, and a role past IAM's inline limit -------------------------------------


def distributed_csv_map() -> dict[str, Any]:
    """A Distributed Map that reads a CSV from S3, writes its results to S3 and runs Express children."""
    child = {"StartAt": "Score", "States": {"Score": task(
        "arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "${ScoreArn}", "Payload.$": "$"},
        Retry=[{"ErrorEquals": TRANSIENT}], End=True)}}  # fmt: skip
    child["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}
    return machine(
        Rows={"Type": "Map", "ItemProcessor": child, "MaxConcurrency": 10,
              "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                             "Parameters": {"Bucket": "uploads", "Key": "orders/today.csv"}},
              "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                               "Parameters": {"Bucket": "results", "Prefix": "scored/"}}},
    )  # fmt: skip


def test_a_distributed_map_over_s3_is_granted_without_granted_states(declare: Declare, tmp_path: Path) -> None:
    score = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:score"
    # The catalogue's example (docs/adding-a-workflow.md) is this definition, written out.
    example = Path(__file__).parent / "fixtures" / "distributed_map" / "score_orders.asl.json"
    assert {**json.loads(example.read_text()), "Comment": None} == {**distributed_csv_map(), "Comment": None}
    args = WorkflowArgs(state_machine_name="flow", definition_file=str(example),
                        functions={"ScoreArn": TaskFunctionArgs(arn=score, timeout_seconds=5)},
                        log_level="OFF", tracing_enabled=False)  # fmt: skip
    statements = policy_of(declare(lambda: Workflow("flow", args)))["Statement"]
    # https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html ("Example of IAM policy for
    # running a Distributed Map state", as the page reads now): StartExecution on the state machine itself and
    # DescribeExecution on "execution:<name>:*". Read in full as cited at reader_statements below: GetObject on the
    # CSV the ItemReader names; the ResultWriter's AbortMultipartUpload, GetObject, ListMultipartUploadParts and
    # PutObject under its prefix; RedriveExecution on the Map Run's children, "execution:<name>/<Map Run label>:*"
    # (any label here). The state machine's own ARN comes from its name, so the role's policy never waits for the
    # state machine.
    here = f"us-east-1:{ACCOUNT}"
    assert statements == [
        {"Sid": "InvokeTaskFunctions", "Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": [score]},
        {"Sid": "ReadItemObjects", "Effect": "Allow", "Action": ["s3:GetObject"],
         "Resource": ["arn:aws:s3:::uploads/orders/today.csv"]},
        {"Sid": "WriteMapResults", "Effect": "Allow",
         "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
         "Resource": ["arn:aws:s3:::results/scored/*"]},
        {"Sid": "StartMapRunChildren", "Effect": "Allow", "Action": ["states:StartExecution"],
         "Resource": [f"arn:aws:states:{here}:stateMachine:flow"]},
        {"Sid": "DescribeOwnExecutions", "Effect": "Allow", "Action": ["states:DescribeExecution"],
         "Resource": [f"arn:aws:states:{here}:execution:flow:*"]},
        {"Sid": "RedriveMapRunChildren", "Effect": "Allow", "Action": ["states:RedriveExecution"],
         "Resource": [f"arn:aws:states:{here}:execution:flow/*"]},
    ]  # fmt: skip


def test_a_listing_reader_lists_only_under_its_prefix() -> None:
    document = distributed_csv_map()
    document["States"]["Rows"]["ItemReader"] = {"Resource": "arn:aws:states:::s3:listObjectsV2",
                                                "Parameters": {"Bucket": "archive", "Prefix": "2026/"}}  # fmt: skip
    found, unscoped = integrations.accesses(document, {"ScoreArn"})
    assert unscoped == []
    listing = [s for s in integrations.statements(found, ENV) if s[0] == "ListItemObjects"]
    # https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html ("Example using ListObjectsV2
    # to restrict to a folder prefix", read as cited at reader_statements below): ListBucket on the bucket, with an
    # s3:prefix condition. The page's condition names the prefix alone; the table's also matches longer prefixes
    # under it ("2026/*"). The page also shows GetObject on the objects under the prefix: not granted here, since the
    # listing reader this project accepts only lists them (its items are their keys and metadata); a child task
    # that reads one gets its own grant.
    assert listing == [("ListItemObjects", ("s3:ListBucket",), ["arn:aws:s3:::archive"],
                        {"StringLike": {"s3:prefix": "2026/*"}})]  # fmt: skip


# https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html ("IAM policies for using
# Distributed Map states"), "Examples of IAM policies for reading data from Amazon S3 datasets", read in full through
# a verbatim copy of the current page kept in a public repository (the search corpus holds only its beginning; the
# RFC for AWS CDK's Distributed Map construct, aws/aws-cdk-rfcs issue #487, quotes the same policies). For a file
# (the page's is a CSV), GetObject on that object; for an S3 Inventory manifest, GetObject on the manifest and on
# ".../<config ID>/data/*", where S3 publishes the data files it lists (S3 User Guide, "Locating your inventory
# list": https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html).
MANIFEST = "inventories/uploads/daily/2026-12-07T01-00Z/manifest.json"


def reader_statements(reader: dict[str, Any]) -> list[Any]:
    document = distributed_csv_map()
    document["States"]["Rows"]["ItemReader"] = reader
    found, unscoped = integrations.accesses(document, {"ScoreArn"})
    assert unscoped == []
    return [s for s in integrations.statements(found, ENV) if s[0] in {"ReadItemObjects", "ReadInventoryFiles"}]


def test_a_json_reader_reads_only_the_object_it_names() -> None:
    json_reader = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                   "Parameters": {"Bucket": "uploads", "Key": "orders/today.json"}}  # fmt: skip
    assert reader_statements(json_reader) == [
        ("ReadItemObjects", ("s3:GetObject",), ["arn:aws:s3:::uploads/orders/today.json"], {}),
    ]


def test_a_manifest_reader_reads_the_manifest_and_the_inventory_files_it_lists() -> None:
    manifest_reader: dict[str, Any] = {"Resource": "arn:aws:states:::s3:getObject",
                                       "ReaderConfig": {"InputType": "MANIFEST"},
                                       "Parameters": {"Bucket": "inventory", "Key": MANIFEST}}  # fmt: skip
    assert reader_statements(manifest_reader) == [
        ("ReadItemObjects", ("s3:GetObject",), [f"arn:aws:s3:::inventory/{MANIFEST}"], {}),
        ("ReadInventoryFiles", ("s3:GetObject",), ["arn:aws:s3:::inventory/inventories/uploads/daily/data/*"], {}),
    ]
    # Without a destination prefix, the manifest's key starts at the source bucket.
    manifest_reader["Parameters"]["Key"] = "uploads/daily/2026-12-07T01-00Z/manifest.json"
    assert reader_statements(manifest_reader)[1][2] == ["arn:aws:s3:::inventory/uploads/daily/data/*"]


@pytest.mark.parametrize(
    ("config", "key", "named"),
    [
        ({"InputType": "MANIFEST"}, "manifest.json", "is not where S3 Inventory publishes a manifest"),
        # Four folders deep, but no inventory's publication folder (YYYY-MM-DDTHH-MMZ) above it.
        ({"InputType": "MANIFEST"}, "exports/2024/01/manifest.json", "is not where S3 Inventory publishes a manifest"),
        ({"InputType": "MANIFEST", "ManifestType": "ATHENA_DATA"}, MANIFEST, "an Athena manifest names its data"),
    ],
)
def test_a_manifest_whose_data_files_cannot_be_placed_names_the_state(config: Any, key: str, named: str) -> None:
    document = distributed_csv_map()
    document["States"]["Rows"]["ItemReader"] = {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
                                                "Parameters": {"Bucket": "inventory", "Key": key}}  # fmt: skip
    found, (unscoped,) = integrations.accesses(document, {"ScoreArn"})
    assert "ReadInventoryFiles" not in {a.sid for a in found}
    assert unscoped.state == "Rows"
    assert named in str(unscoped)
    assert str(unscoped).endswith("grant s3:GetObject yourself")


def test_a_manifest_key_given_as_a_placeholder_is_placed_once_its_value_is_known() -> None:
    document = distributed_csv_map()
    document["States"]["Rows"]["ItemReader"] = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "MANIFEST"},
        "Parameters": {"Bucket": "inventory", "Key": "${Manifest}"},
    }
    found, unscoped = integrations.accesses(document, {"ScoreArn"})
    assert unscoped == []
    (inventory,) = [access for access in found if access.sid == "ReadInventoryFiles"]

    def filled(value: str) -> Callable[[str], str]:
        return lambda text: text.replace("${Manifest}", value)

    assert integrations.resource_arns(inventory, ENV, filled(MANIFEST)) == [
        "arn:aws:s3:::inventory/inventories/uploads/daily/data/*"
    ]
    with pytest.raises(integrations.IntegrationError, match="is not an S3 Inventory manifest's key"):
        integrations.resource_arns(inventory, ENV, filled("exports/2024/01/manifest.json"))


def test_a_reader_whose_key_is_computed_at_run_time_names_the_state() -> None:
    document = distributed_csv_map()
    document["States"]["Rows"]["ItemReader"]["Parameters"] = {"Bucket": "uploads", "Key.$": "$.key"}
    _, (unscoped,) = integrations.accesses(document, {"ScoreArn"})
    assert unscoped.state == "Rows"
    assert "Key is taken from the execution data" in str(unscoped)
    assert "s3:GetObject" in str(unscoped)


def test_a_role_past_iams_inline_limit_moves_its_grants_to_managed_policies(declare: Declare, tmp_path: Path) -> None:
    # Two hundred tables, each its own statement's resource: far past 10,240 characters.
    tables = {f"T{n}": task("arn:aws:states:::dynamodb:putItem", Parameters={"TableName": f"orders-{n:03}", "Item": {}})
              for n in range(200)}  # fmt: skip
    document = machine(**tables)
    args = WorkflowArgs(state_machine_name="flow", definition_file=definition_file(tmp_path, document))
    run = declare(lambda: Workflow("flow", args))
    inline = policy_of(run)["Statement"]
    managed = [json.loads(policy.inputs["policy"])["Statement"] for policy in run.of_type("aws:iam/policy:Policy")]
    attached = run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert len(managed) == len(attached) >= 1
    assert [s["Sid"] for s in inline] == ["DeliverExecutionLogs", "WriteTraces"]
    assert iam.policy_size(inline) <= iam.ROLE_INLINE_POLICY_CHARACTERS
    assert all(iam.policy_size(part) <= iam.MANAGED_POLICY_CHARACTERS for part in managed)
    granted = {arn for part in managed for statement in part for arn in statement["Resource"]}
    assert granted == {f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders-{n:03}" for n in range(200)}


def test_the_role_is_laid_out_from_upper_bounds_so_no_value_can_exceed_iams_limits(tmp_path: Path) -> None:
    # Seeded: up to 160 tasks on tables, topics and functions whose values are known only at deploy
    # time, each as long as its value_lengths allows; the policies laid out before any value is
    # known must hold them all, within IAM's limits, however they turn out.
    rng = random.Random(23)
    env = integrations.Environment("aws", "us-east-1", ACCOUNT, "flow")
    laid_out_in_parts = 0
    for _ in range(30):
        states: dict[str, Any] = {}
        lengths: dict[str, int] = {}
        values: dict[str, str] = {}
        for number in range(rng.randint(1, 160)):
            name, bound = f"V{number}", rng.randint(70, 300)
            kind = rng.choice(["table", "topic", "function"])
            if kind == "table":
                states[f"T{number}"] = task("arn:aws:states:::dynamodb:putItem",
                                            Parameters={"TableName": f"${{{name}}}", "Item": {}})  # fmt: skip
                values[name] = f"{name}-".ljust(bound, "t")
            elif kind == "topic":
                states[f"T{number}"] = task("arn:aws:states:::sns:publish",
                                            Parameters={"TopicArn": f"${{{name}}}", "Message": "m"})  # fmt: skip
                values[name] = f"arn:aws:sns:us-east-1:{ACCOUNT}:{name}-".ljust(bound, "n")
            else:
                states[f"T{number}"] = task(f"${{{name}}}", Retry=[{"ErrorEquals": TRANSIENT}])
                values[name] = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}-".ljust(bound, "f")
            assert len(values[name]) <= bound
            lengths[name] = bound
        # Each value stands in by its placeholder, as `deployment.plan` stands them in.
        functions = {name: TaskFunctionArgs(arn=f"${{{name}}}", timeout_seconds=5)
                     for name, value in values.items() if ":function:" in value}  # fmt: skip
        extra = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*"]}
        given = WorkflowArgs(
            state_machine_name="flow", definition_file=definition_file(tmp_path, machine(**states)),
            functions=functions, substitutions={name: f"${{{name}}}" for name in values if name not in functions},
            value_lengths=lengths, extra_statements=[extra])  # fmt: skip
        args = workflow.resolve("flow", given)
        layout = workflow._layout(args)
        inline, managed = workflow._policies(args, layout, values, {}, env)
        assert iam.policy_size(inline) <= iam.ROLE_INLINE_POLICY_CHARACTERS
        assert all(iam.policy_size(part) <= iam.MANAGED_POLICY_CHARACTERS for part in managed)
        granted = {arn for part in [inline, *managed] for statement in part for arn in statement["Resource"]}
        assert len(granted - {"*"}) == len(values) + 1  # every value's resource, and the extra statement's
        laid_out_in_parts += layout is not None
    assert 0 < laid_out_in_parts < 30  # both layouts were exercised


def test_values_longer_than_any_guess_are_laid_out_before_anything_is_declared(
    declare: Declare, tmp_path: Path
) -> None:
    # Forty topics whose ARNs, known only at deploy time, have 330 characters each: more than
    # fit inline. Laid out from their lengths, the role holds them in managed policies.
    states = {f"T{n}": task("arn:aws:states:::sns:publish", Parameters={"TopicArn": f"${{Topic{n}}}", "Message": "m"})
              for n in range(40)}  # fmt: skip
    arns = {f"Topic{n}": f"arn:aws:sns:us-east-1:{ACCOUNT}:{n:03}".ljust(330, "t") for n in range(40)}
    args = WorkflowArgs(state_machine_name="flow", definition_file=definition_file(tmp_path, machine(**states)),
                        substitutions={name: pulumi.Output.from_input(arn) for name, arn in arns.items()},
                        value_lengths=dict.fromkeys(arns, 330), log_level="OFF", tracing_enabled=False)  # fmt: skip
    run = declare(lambda: Workflow("flow", args))
    managed = [json.loads(policy.inputs["policy"])["Statement"] for policy in run.of_type("aws:iam/policy:Policy")]
    assert len(managed) >= 2
    assert all(iam.policy_size(part) <= iam.MANAGED_POLICY_CHARACTERS for part in managed)
    assert {arn for part in managed for statement in part for arn in statement["Resource"]} == set(arns.values())
    # Without their lengths, each counts as IAM's longest ARN, and the workflow is refused before anything.
    declared = ProgramRun()
    unbounded: WorkflowArgs = {**args, "value_lengths": {}}
    with pytest.raises(ValueError, match=r"its role needs \d+ customer managed policies"):
        declare(lambda: Workflow("flow", unbounded), into=declared)
    assert declared.resources == []


# --- customer managed keys of the targets (WorkflowArgs.target_keys) ----------------------------

TOPIC_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1111aaaa-0000-0000-0000-000000000000"
TABLE_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/2222bbbb-0000-0000-0000-000000000000"


def _publishing_and_saving(tmp_path: Path) -> str:
    return definition_file(tmp_path, machine(
        Work=task("${WorkerArn}", Retry=[{"ErrorEquals": TRANSIENT}]),
        Notify=task("arn:aws:states:::sns:publish", Parameters={"TopicArn": "${TopicArn}", "Message.$": "$"}),
        Save=task("arn:aws:states:::dynamodb:putItem", Parameters={"TableName": "${Table}", "Item": {}}),
    ))  # fmt: skip


@pytest.mark.parametrize("known", [True, False], ids=["plain-string-values", "output-values"])
def test_a_targets_key_is_granted_through_that_targets_service_only(
    known: bool, declare: Declare, tmp_path: Path
) -> None:
    def value(text: str) -> pulumi.Input[str]:
        return text if known else pulumi.Output.from_input(text)

    args = WorkflowArgs(
        state_machine_name="flow",
        definition_file=_publishing_and_saving(tmp_path),
        substitutions={"TopicArn": value(f"arn:aws:sns:us-east-1:{ACCOUNT}:reports"), "Table": value("t")},
        functions=worker(value(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:w")),
        target_keys={"TopicArn": value(TOPIC_KEY), "Table": value(TABLE_KEY)},
        tracing_enabled=False,
        log_level="OFF",
    )  # fmt: skip
    statements = policy_of(declare(lambda: Workflow("flow", args)))["Statement"]
    keyed = [s for s in statements if s["Sid"].startswith("UseTargetKeys")]
    assert keyed == [
        {"Sid": "UseTargetKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": [TABLE_KEY],
         "Condition": {"StringEquals": {"kms:ViaService": "dynamodb.us-east-1.amazonaws.com"}}},
        {"Sid": "UseTargetKeys2", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": [TOPIC_KEY],
         "Condition": {"StringEquals": {"kms:ViaService": "sns.us-east-1.amazonaws.com"}}},
    ]  # fmt: skip


def test_a_key_for_what_no_task_writes_to_is_refused_before_anything(declare: Declare, tmp_path: Path) -> None:
    args = WorkflowArgs(
        state_machine_name="flow",
        definition_file=_publishing_and_saving(tmp_path),
        substitutions={"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:reports", "Table": "t"},
        functions=worker(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:w"),
        # The function is no encrypted target, and Topic is no placeholder (TopicArn is).
        target_keys={"WorkerArn": TOPIC_KEY, "Topic": TOPIC_KEY},
    )  # fmt: skip
    declared = ProgramRun()
    with pytest.raises(ValueError, match="target_keys") as error:
        declare(lambda: Workflow("flow", args), into=declared)
    assert str(error.value) == (
        "Workflow 'flow': target_keys names Topic, WorkerArn, which no task publishes, sends or writes to; "
        "a key applies to the ${Name} target of a task of dynamodb, sns, sqs; such targets here: Table, TopicArn."
    )
    assert declared.resources == []


def test_a_role_past_iams_managed_policy_count_is_refused_before_anything(declare: Declare, tmp_path: Path) -> None:
    # Forty tables known only at deploy time, each counted at IAM's longest ARN (2048 characters):
    # two to a managed policy, past the ten a role may have.
    tables = {f"T{n}": task("arn:aws:states:::dynamodb:putItem", Parameters={"TableName": f"${{Table{n}}}", "Item": {}})
              for n in range(40)}  # fmt: skip
    args = WorkflowArgs(
        state_machine_name="flow",
        definition_file=definition_file(tmp_path, machine(**tables)),
        substitutions={f"Table{n}": pulumi.Output.from_input(f"orders-{n}") for n in range(40)},
    )
    declared = ProgramRun()
    with pytest.raises(ValueError, match=r"its role needs \d+ customer managed policies") as error:
        declare(lambda: Workflow("flow", args), into=declared)
    needed = int(str(error.value).split("needs ")[1].split()[0])
    assert needed > iam.MANAGED_POLICIES_PER_ROLE
    assert "split the workflow, or call fewer distinct resources" in str(error.value)
    assert declared.resources == []
    # Given the values' real lengths (as the deployment gives them), the same workflow fits.
    bounded: WorkflowArgs = {**args, "value_lengths": {f"Table{n}": 12 for n in range(40)}}
    assert declare(lambda: Workflow("flow", bounded)).of_type("aws:iam/rolePolicy:RolePolicy")


def test_the_role_limits_are_iams_documented_quotas() -> None:
    # "IAM and AWS STS quotas", IAM User Guide (reference_iam-quotas.html): role policy size 10,240
    # characters, managed policy size 6,144, managed policies per role 10 by default (up to 20).
    # A change here must follow a change of the page, not a layout that would not fit.
    assert (iam.ROLE_INLINE_POLICY_CHARACTERS, iam.MANAGED_POLICY_CHARACTERS, iam.MANAGED_POLICIES_PER_ROLE) == (
        10_240,
        6_144,
        10,
    )
