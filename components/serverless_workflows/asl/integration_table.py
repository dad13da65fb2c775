"""The optimised integrations and the IAM statements AWS documents for each, as data.

One entry per `service:action` of an optimised integration (`arn:aws:states:::SERVICE:ACTION`),
plus the Distributed Map's item reader, result writer and child executions. Each entry names
the AWS page its statements come from ("IAM policies for <service>" in the Step Functions
developer guide), the integration patterns Step Functions offers for it, and its grants: the
IAM actions, on which resources, under which conditions, for which patterns.

Resources and condition values are templates. `{partition}`, `{region}`, `{account}` and
`{state_machine}` (the workflow's own state machine name, known before its ARN exists) come
from the deployment; `{Name}` is the task argument `Name` as written (`{Overrides.TaskRoleArn}`
reaches into an object), and `{Name|form}` turns it into an ARN with one of the forms of
`integrations.FORMS` (a name or an ARN, a queue URL, ...). A grant whose argument is taken from
the execution data cannot be scoped: `integrations.accesses` reports it as `Unscoped`, never `*`.

Where AWS documents `"Resource": "*"` for an action that has a resource type, the grant here
scopes it (to the named resource, or to that type's ARNs in the account and region when only
a run ID names it). `*` stays only for actions that take no resource ARN at all
(`NO_RESOURCE_TYPE`, checked against IAM's data by tests/test_integration_table.py), always in
a statement whose Sid says so.

The second family of calls, the AWS SDK integrations (`aws-sdk:SERVICE:action`), is derived from
IAM's data instead of written here: `sdk_table` builds an `Integration` per call, which the same
derivation applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

DEV_GUIDE = "https://docs.aws.amazon.com/step-functions/latest/dg/"

REQUEST_RESPONSE, SYNC, SYNC2, TOKEN = "", ".sync", ".sync:2", ".waitForTaskToken"
ALL_PATTERNS = frozenset({REQUEST_RESPONSE, SYNC, SYNC2, TOKEN})
RUN_A_JOB = frozenset({SYNC, SYNC2})

STAR = "*"
"""The one resource of an action that takes none."""
ANY_BUCKET = "arn:{partition}:s3:::*"
"""Every S3 bucket: only Athena's query grants use it (`integrations.any_bucket_grants`; the policy
pack's S3_ANY_BUCKET_ACTIONS holds the same actions)."""

NAME_OR_ARN_FORMS = frozenset({"name-or-arn", "ssm-parameter"})
"""Forms of an argument that takes a name or an ARN (EventBridge's EventBusName, DynamoDB's
TableName, Systems Manager's parameter Name, as each API Reference says): an ARN stands for the
template's text up to it, the resource it names (a table's ARN before its `/index/...`)."""
NO_ARN_FORMS = frozenset({"s3-bucket-name", "s3-copy-source"})
"""Forms of an argument that names an S3 bucket, where the API also takes an access point's (or an
Outposts bucket's) ARN: such a call is authorised on the access point, whose grants are not derived.
An ARN there is refused: by the derivation when the value is written, by `integrations` once filled."""
NOT_DERIVED_FOR_ARNS = (
    "a call through an S3 access point or to an Outposts bucket is authorised on the access point, "
    "whose grants are not derived"
)
"""Why an ARN is refused where NO_ARN_FORMS name a bucket."""


def names_by_arn(value: str) -> bool:
    """Whether an argument holds an ARN (a CopySource's may be URL-encoded and start with a slash)."""
    return unquote(value).lstrip("/").startswith("arn:")


Condition = tuple[tuple[str, str, str], ...]
"""(operator, key, value template), e.g. ("StringEquals", "iam:PassedToService", "ecs-tasks.amazonaws.com")."""


@dataclass(frozen=True)
class Grant:
    """Some IAM actions on some resources, for some patterns of one integration."""

    sid: str
    """The statement it joins: one statement per sid (and condition), so unrelated grants never merge."""
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    """Templates (see the module's docstring); STAR only for actions in NO_RESOURCE_TYPE."""
    patterns: frozenset[str] = ALL_PATTERNS
    """The integration patterns that need it."""
    condition: Condition = ()
    optional: tuple[str, ...] = ()
    """Arguments that may be absent: the grant is then left out (a role override not written)."""
    defaults: tuple[tuple[str, str], ...] = ()
    """(argument, value) used when the argument is absent, as the service defaults it."""
    keys: tuple[tuple[str, str], ...] = ()
    """(name, key): names in the templates that stand for keys of a map argument, which name resources
    themselves (DynamoDB's `RequestItems`, table -> request) where no argument path reaches them."""
    passable_roles: str | None = None
    """For `iam:PassRole` on roles the definition only names through a task or job definition: the
    service principal they are passed to; the roles come from the workflow's `passable_roles`."""


@dataclass(frozen=True)
class Integration:
    key: str
    """`service:action` as in the Resource ARN (`batch:submitJob`)."""
    page: str
    """The AWS page that documents its IAM policy, relative to DEV_GUIDE."""
    patterns: frozenset[str]
    """The patterns Step Functions offers for it."""
    grants: tuple[Grant, ...]
    encrypted_with: str | None = None
    """The service whose `kms:ViaService` a customer managed key of the target is used through."""
    each: str | None = None
    """A list argument whose every item names a target (EventBridge `Entries`): templates read the item."""
    targets: tuple[str, ...] = field(default=())
    """The arguments that name what the task acts on, for messages and the docs' table."""

    @property
    def url(self) -> str:
        return DEV_GUIDE + self.page


def _rule(sid: str, name: str, patterns: frozenset[str] = RUN_A_JOB) -> Grant:
    """The managed EventBridge rule Step Functions uses to follow a job it waits for (`.sync`)."""
    return Grant(
        sid,
        ("events:DescribeRule", "events:PutRule", "events:PutTargets"),
        (f"arn:{{partition}}:events:{{region}}:{{account}}:rule/{name}",),
        patterns,
    )


def _pass_role(sid: str, parameter: str, service: str, *, optional: bool = False) -> Grant:
    """`iam:PassRole` on the role that `parameter` names, only to `service`."""
    return Grant(
        sid,
        ("iam:PassRole",),
        ("{" + parameter + "|role}",),
        condition=(("StringEquals", "iam:PassedToService", service),),
        optional=(parameter,) if optional else (),
    )


def _pass_listed_roles(sid: str, service: str) -> Grant:
    passed_to = (("StringEquals", "iam:PassedToService", service),)
    return Grant(sid, ("iam:PassRole",), (), condition=passed_to, passable_roles=service)


_ARN = "arn:{partition}"
_HERE = "{region}:{account}"


def _in(service: str, path: str) -> str:
    """An ARN of `service` in this account and region."""
    return f"{_ARN}:{service}:{_HERE}:{path}"


# --- Lambda, SNS, SQS, DynamoDB, EventBridge, Step Functions --------------------------------------

_CORE = (
    Integration("lambda:invoke", "lambda-iam.html", frozenset({REQUEST_RESPONSE, TOKEN}),
                (Grant("InvokeTaskFunctions", ("lambda:InvokeFunction",), ("{FunctionName|function}",)),),
                targets=("FunctionName",)),
    Integration("sns:publish", "sns-iam.html", frozenset({REQUEST_RESPONSE, TOKEN}),
                (Grant("PublishToTopics", ("sns:Publish",), ("{TopicArn|arn}",)),),
                encrypted_with="sns", targets=("TopicArn",)),
    Integration("sqs:sendMessage", "sqs-iam.html", frozenset({REQUEST_RESPONSE, TOKEN}),
                (Grant("SendToQueues", ("sqs:SendMessage",), ("{QueueUrl|queue-url}",)),),
                encrypted_with="sqs", targets=("QueueUrl",)),
    *(Integration(f"dynamodb:{action}", "dynamo-iam.html", frozenset({REQUEST_RESPONSE}),
                  (Grant(sid, (f"dynamodb:{action[0].upper()}{action[1:]}",), ("{TableName|dynamodb-table}",)),),
                  encrypted_with="dynamodb", targets=("TableName",))
      for action, sid in (("getItem", "ReadTableItems"), ("putItem", "PutTableItems"),
                          ("updateItem", "UpdateTableItems"), ("deleteItem", "DeleteTableItems"))),
    Integration("states:startExecution", "stepfunctions-iam.html", ALL_PATTERNS, (
        Grant("StartNestedWorkflows", ("states:StartExecution",), ("{StateMachineArn|arn}",)),
        Grant("FollowNestedExecutions", ("states:DescribeExecution", "states:StopExecution"),
              ("{StateMachineArn|executions-of}",), RUN_A_JOB),
        _rule("ManageNestedExecutionRule", "StepFunctionsGetEventsForStepFunctionsExecutionRule"),
    ), targets=("StateMachineArn",)),
    Integration("events:putEvents", "eventbridge-iam.html", frozenset({REQUEST_RESPONSE, TOKEN}),
                (Grant("PutEventsOnBuses", ("events:PutEvents",), ("{EventBusName|event-bus}",),
                       defaults=(("EventBusName", "default"),)),),
                each="Entries", targets=("Entries[].EventBusName",)),
)  # fmt: skip

# --- jobs: Batch, ECS/Fargate, EKS ----------------------------------------------------------------

_BATCH_JOBS = _in("batch", "job/*")
_EKS = (
    Integration("eks:createCluster", "eks-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("CreateEksClustersNoResourceType", ("eks:CreateCluster",), (STAR,)),
        Grant("ManageEksClusters", ("eks:DeleteCluster", "eks:DescribeCluster"), (_in("eks", "cluster/{Name}"),)),
        _pass_role("PassRolesToEks", "RoleArn", "eks.amazonaws.com"),
    ), targets=("Name",)),
    Integration("eks:createNodegroup", "eks-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("DescribeSubnetsNoResourceType", ("ec2:DescribeSubnets",), (STAR,)),
        Grant("CreateEksNodegroups", ("eks:CreateNodegroup",), (_in("eks", "cluster/{ClusterName}"),)),
        Grant("ManageEksNodegroups", ("eks:DeleteNodegroup", "eks:DescribeNodegroup"),
              (_in("eks", "nodegroup/{ClusterName}/{NodegroupName}/*"),)),
        Grant("ReadEksNodeRoles", ("iam:GetRole", "iam:ListAttachedRolePolicies"), ("{NodeRole|role}",)),
        _pass_role("PassRolesToEks", "NodeRole", "eks.amazonaws.com"),
    ), targets=("ClusterName", "NodegroupName")),
    Integration("eks:deleteCluster", "eks-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("ManageEksClusters", ("eks:DeleteCluster", "eks:DescribeCluster"), (_in("eks", "cluster/{Name}"),)),
    ), targets=("Name",)),
    Integration("eks:deleteNodegroup", "eks-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("ManageEksNodegroups", ("eks:DeleteNodegroup", "eks:DescribeNodegroup"),
              (_in("eks", "nodegroup/{ClusterName}/{NodegroupName}/*"),)),
    ), targets=("ClusterName", "NodegroupName")),
    # The Kubernetes API server authorises these two, not IAM: the role must be mapped to a
    # Kubernetes identity in the cluster (docs/adding-a-workflow.md says how).
    Integration("eks:runJob", "connect-eks.html", frozenset({REQUEST_RESPONSE, SYNC}), (), targets=("ClusterName",)),
    Integration("eks:call", "connect-eks.html", frozenset({REQUEST_RESPONSE}), (), targets=("ClusterName",)),
)  # fmt: skip

_JOBS = (
    Integration("batch:submitJob", "batch-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("SubmitBatchJobs", ("batch:SubmitJob",),
              ("{JobQueue|batch-job-queue}", "{JobDefinition|batch-job-definition}", _BATCH_JOBS)),
        Grant("DescribeBatchJobsNoResourceType", ("batch:DescribeJobs",), (STAR,), RUN_A_JOB),
        Grant("StopBatchJobs", ("batch:TerminateJob",), (_BATCH_JOBS,), RUN_A_JOB),
        _rule("ManageBatchJobRule", "StepFunctionsGetEventsForBatchJobsRule"),
    ), targets=("JobQueue", "JobDefinition")),
    Integration("ecs:runTask", "ecs-iam.html", frozenset({REQUEST_RESPONSE, SYNC, TOKEN}), (
        Grant("RunEcsTasks", ("ecs:RunTask",), ("{TaskDefinition|ecs-task-definition}",)),
        Grant("FollowEcsTasks", ("ecs:DescribeTasks", "ecs:StopTask"), ("{Cluster|ecs-tasks-of-cluster}",), RUN_A_JOB,
              defaults=(("Cluster", "default"),)),
        _rule("ManageEcsTaskRule", "StepFunctionsGetEventsForECSTaskRule"),
        _pass_role("PassRolesToEcsTasks", "Overrides.TaskRoleArn", "ecs-tasks.amazonaws.com", optional=True),
        _pass_listed_roles("PassRolesToEcsTasks", "ecs-tasks.amazonaws.com"),
    ), targets=("TaskDefinition",)),
    *_EKS,
)  # fmt: skip

# --- data and analytics: Glue, DataBrew, Athena, EMR, EMR Serverless, EMR on EKS ------------------

_ATHENA_WORKGROUPS = _in("athena", "workgroup/{WorkGroup}")
_ATHENA_QUERY_GRANTS = (
    Grant("ReadAthenaDataCatalogs", ("athena:GetDataCatalog",), (_in("athena", "datacatalog/*"),)),
    # On every bucket, as AWS's page grants them, since nothing in the task names the buckets: a query
    # names tables, whose data Athena reads (and writes, for CREATE TABLE AS, INSERT INTO and UNLOAD)
    # wherever the catalogue puts it, and without ResultConfiguration.OutputLocation its results go
    # to the work group's location. Scoping to OutputLocation would refuse those writes at run time.
    Grant("AthenaQueryDataInAnyBucket", ("s3:AbortMultipartUpload", "s3:CreateBucket", "s3:GetBucketLocation",
                                         "s3:GetObject", "s3:ListBucket", "s3:ListBucketMultipartUploads",
                                         "s3:ListMultipartUploadParts", "s3:PutObject"), (ANY_BUCKET,)),
    Grant("AthenaGlueCatalog", ("glue:BatchCreatePartition", "glue:BatchDeletePartition", "glue:BatchDeleteTable",
                                "glue:BatchGetPartition", "glue:CreateDatabase", "glue:CreatePartition",
                                "glue:CreateTable", "glue:DeleteDatabase", "glue:DeletePartition", "glue:DeleteTable",
                                "glue:GetDatabase", "glue:GetDatabases", "glue:GetPartition", "glue:GetPartitions",
                                "glue:GetTable", "glue:GetTables", "glue:UpdateDatabase", "glue:UpdatePartition",
                                "glue:UpdateTable"),
          (_in("glue", "catalog"), _in("glue", "database/*"), _in("glue", "table/*"),
           _in("glue", "userDefinedFunction/*"))),
    Grant("LakeFormationDataAccessNoResourceType", ("lakeformation:GetDataAccess",), (STAR,)),
)  # fmt: skip
_EMR_CLUSTER = _in("elasticmapreduce", "cluster/{ClusterId}")

_ANALYTICS = (
    Integration("glue:startJobRun", "glue-iam.html", frozenset({REQUEST_RESPONSE, SYNC, TOKEN}), (
        Grant("RunGlueJobs", ("glue:StartJobRun",), (_in("glue", "job/{JobName}"),)),
        Grant("FollowGlueJobs", ("glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns"),
              (_in("glue", "job/{JobName}"),), RUN_A_JOB),
    ), targets=("JobName",)),
    Integration("databrew:startJobRun", "databrew-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("RunDataBrewJobs", ("databrew:StartJobRun",), (_in("databrew", "job/{Name}"),)),
        Grant("FollowDataBrewJobs", ("databrew:ListJobRuns", "databrew:StopJobRun"),
              (_in("databrew", "job/{Name}"),), RUN_A_JOB),
    ), targets=("Name",)),
    Integration("athena:startQueryExecution", "athena-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("StartAthenaQueries", ("athena:StartQueryExecution",), (_ATHENA_WORKGROUPS,),
              defaults=(("WorkGroup", "primary"),)),
        Grant("FollowAthenaQueries", ("athena:GetQueryExecution", "athena:StopQueryExecution"),
              (_ATHENA_WORKGROUPS,), RUN_A_JOB, defaults=(("WorkGroup", "primary"),)),
        *_ATHENA_QUERY_GRANTS,
    ), targets=("WorkGroup",)),
    # A query execution ID names no work group, so these reach the account's work groups, as AWS documents.
    Integration("athena:stopQueryExecution", "athena-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("StopAthenaQueries", ("athena:StopQueryExecution",), (_in("athena", "workgroup/*"),)),)),
    Integration("athena:getQueryExecution", "athena-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("ReadAthenaQueries", ("athena:GetQueryExecution",), (_in("athena", "workgroup/*"),)),)),
    Integration("athena:getQueryResults", "athena-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("ReadAthenaQueryResults", ("athena:GetQueryResults",), (_in("athena", "workgroup/*"),)),
        # A query execution ID names no result location: its results may be in any bucket.
        Grant("ReadAthenaResultsInAnyBucket", ("s3:GetObject",), (ANY_BUCKET,)),
    )),
    Integration("elasticmapreduce:createCluster", "emr-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("CreateEmrClustersNoResourceType", ("elasticmapreduce:RunJobFlow",), (STAR,)),
        Grant("FollowNewEmrClusters", ("elasticmapreduce:DescribeCluster", "elasticmapreduce:TerminateJobFlows"),
              (_in("elasticmapreduce", "cluster/*"),)),
        _pass_role("PassRolesToEmr", "ServiceRole", "elasticmapreduce.amazonaws.com"),
        _pass_role("PassRolesToEmrInstances", "JobFlowRole", "ec2.amazonaws.com"),
        _pass_role("PassRolesToEmrAutoScaling", "AutoScalingRole", "application-autoscaling.amazonaws.com",
                   optional=True),
        _rule("ManageEmrRunJobFlowRule", "StepFunctionsGetEventForEMRRunJobFlowRule"),
    ), targets=("Name",)),
    Integration("elasticmapreduce:setClusterTerminationProtection", "emr-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("ProtectEmrClusters", ("elasticmapreduce:SetTerminationProtection",), (_EMR_CLUSTER,)),
    ), targets=("ClusterId",)),
    Integration("elasticmapreduce:modifyInstanceFleetByName", "emr-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("ModifyEmrInstanceFleets",
              ("elasticmapreduce:ListInstanceFleets", "elasticmapreduce:ModifyInstanceFleet"), (_EMR_CLUSTER,)),
    ), targets=("ClusterId",)),
    Integration("elasticmapreduce:modifyInstanceGroupByName", "emr-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("ModifyEmrInstanceGroups",
              ("elasticmapreduce:ListInstanceGroups", "elasticmapreduce:ModifyInstanceGroups"), (_EMR_CLUSTER,)),
    ), targets=("ClusterId",)),
    Integration("elasticmapreduce:terminateCluster", "emr-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("TerminateEmrClusters", ("elasticmapreduce:DescribeCluster", "elasticmapreduce:TerminateJobFlows"),
              (_EMR_CLUSTER,)),
        _rule("ManageEmrTerminateJobFlowsRule", "StepFunctionsGetEventForEMRTerminateJobFlowsRule"),
    ), targets=("ClusterId",)),
    Integration("elasticmapreduce:addStep", "emr-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("AddEmrSteps", ("elasticmapreduce:AddJobFlowSteps",), (_EMR_CLUSTER,)),
        Grant("FollowEmrSteps", ("elasticmapreduce:CancelSteps", "elasticmapreduce:DescribeStep"),
              (_EMR_CLUSTER,), RUN_A_JOB),
        _rule("ManageEmrAddJobFlowStepsRule", "StepFunctionsGetEventForEMRAddJobFlowStepsRule"),
    ), targets=("ClusterId",)),
    Integration("elasticmapreduce:cancelStep", "emr-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("CancelEmrSteps", ("elasticmapreduce:CancelSteps",), (_EMR_CLUSTER,)),
    ), targets=("ClusterId",)),
    Integration("emr-containers:createVirtualCluster", "emr-eks-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("CreateEmrVirtualClustersNoResourceType", ("emr-containers:CreateVirtualCluster",), (STAR,)),
        Grant("CreateEmrContainersServiceRole", ("iam:CreateServiceLinkedRole",),
              ("arn:{partition}:iam::{account}:role/aws-service-role/emr-containers.amazonaws.com/"
               "AWSServiceRoleForAmazonEMRContainers",),
              condition=(("StringLike", "iam:AWSServiceName", "emr-containers.amazonaws.com"),)),
    )),
    Integration("emr-containers:deleteVirtualCluster", "emr-eks-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("DeleteEmrVirtualClusters", ("emr-containers:DeleteVirtualCluster",),
              (_in("emr-containers", "/virtualclusters/{Id}"),)),
        Grant("FollowEmrVirtualClusters", ("emr-containers:DescribeVirtualCluster",),
              (_in("emr-containers", "/virtualclusters/{Id}"),), RUN_A_JOB),
    ), targets=("Id",)),
    Integration("emr-containers:startJobRun", "emr-eks-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("StartEmrContainersJobs", ("emr-containers:StartJobRun",),
              (_in("emr-containers", "/virtualclusters/{VirtualClusterId}"),),
              condition=(("StringEquals", "emr-containers:ExecutionRoleArn", "{ExecutionRoleArn|role}"),)),
        Grant("FollowEmrContainersJobs", ("emr-containers:CancelJobRun", "emr-containers:DescribeJobRun"),
              (_in("emr-containers", "/virtualclusters/{VirtualClusterId}/jobruns/*"),), RUN_A_JOB),
    ), targets=("VirtualClusterId",)),
    Integration("emr-serverless:createApplication", "emr-serverless-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        # On "/*", as AWS's page grants it (IAM's data lists no resource type for CreateApplication).
        Grant("CreateEmrServerlessApplications", ("emr-serverless:CreateApplication",), (_in("emr-serverless", "/*"),)),
        # An application's ID is known only once it exists: the account's applications, as AWS documents.
        Grant("FollowNewEmrServerlessApplications",
              ("emr-serverless:DeleteApplication", "emr-serverless:GetApplication"),
              (_in("emr-serverless", "/applications/*"),), RUN_A_JOB),
        _rule("ManageEmrServerlessApplicationRule", "StepFunctionsGetEventsForEMRServerlessApplicationRule"),
        # The first application of an account creates EMR Serverless's service-linked role.
        Grant("CreateEmrServerlessServiceRole", ("iam:CreateServiceLinkedRole",),
              ("arn:{partition}:iam::{account}:role/aws-service-role/ops.emr-serverless.amazonaws.com/"
               "AWSServiceRoleForAmazonEMRServerless",),
              condition=(("StringLike", "iam:AWSServiceName", "ops.emr-serverless.amazonaws.com"),)),
    ), targets=("Name",)),
    Integration("emr-serverless:startJobRun", "emr-serverless-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("StartEmrServerlessJobs", ("emr-serverless:StartJobRun",),
              (_in("emr-serverless", "/applications/{ApplicationId}"),)),
        Grant("FollowEmrServerlessJobs", ("emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"),
              (_in("emr-serverless", "/applications/{ApplicationId}/jobruns/*"),), RUN_A_JOB),
        _pass_role("PassRolesToEmrServerless", "ExecutionRoleArn", "emr-serverless.amazonaws.com"),
        _rule("ManageEmrServerlessJobRule", "StepFunctionsGetEventsForEMRServerlessJobRule"),
    ), targets=("ApplicationId",)),
    *(Integration(f"emr-serverless:{action}", "emr-serverless-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant(sid, (f"emr-serverless:{action[0].upper()}{action[1:]}",),
              (_in("emr-serverless", "/applications/{ApplicationId}"),)),
        Grant("FollowEmrServerlessApplications", ("emr-serverless:GetApplication",),
              (_in("emr-serverless", "/applications/{ApplicationId}"),), RUN_A_JOB),
        # Waiting for an application to start, Step Functions may stop it (the page's StartApplication policy).
        *([Grant("StopStartingEmrServerlessApplications", ("emr-serverless:StopApplication",),
                 (_in("emr-serverless", "/applications/{ApplicationId}"),), RUN_A_JOB)]
          if action == "startApplication" else []),
        _rule("ManageEmrServerlessApplicationRule", "StepFunctionsGetEventsForEMRServerlessApplicationRule"),
    ), targets=("ApplicationId",)) for action, sid in (
        ("startApplication", "StartEmrServerlessApplications"), ("stopApplication", "StopEmrServerlessApplications"),
        ("deleteApplication", "DeleteEmrServerlessApplications"))),
    Integration("emr-serverless:cancelJobRun", "emr-serverless-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("CancelEmrServerlessJobs", ("emr-serverless:CancelJobRun",),
              (_in("emr-serverless", "/applications/{ApplicationId}/jobruns/{JobRunId}"),)),
        Grant("FollowCancelledEmrServerlessJobs", ("emr-serverless:GetJobRun",),
              (_in("emr-serverless", "/applications/{ApplicationId}/jobruns/{JobRunId}"),), RUN_A_JOB),
        _rule("ManageEmrServerlessJobRule", "StepFunctionsGetEventsForEMRServerlessJobRule"),
    ), targets=("ApplicationId", "JobRunId")),
)  # fmt: skip

# --- machine learning and media: SageMaker, Bedrock, MediaConvert ----------------------------------


def _sagemaker_job(action: str, kind: str, name: str, rule: str, role: str | None) -> Integration:
    noun = f"{action[len('create') :]}s"
    job = _in("sagemaker", f"{kind}/{{{name}}}*")
    grants = [
        # AWS's page grants ListTags and AddTags on "*"; both take the job as resource, which names it here.
        Grant(
            f"Create{noun}",
            (f"sagemaker:{action[0].upper()}{action[1:]}", "sagemaker:AddTags", "sagemaker:ListTags"),
            (job,),
        ),
        Grant(f"Follow{noun}", (f"sagemaker:Describe{noun[:-1]}", f"sagemaker:Stop{noun[:-1]}"), (job,), RUN_A_JOB),
        _rule(f"Manage{noun}Rule", rule),
    ]
    if role is not None:
        grants.append(_pass_role("PassRolesToSageMaker", role, "sagemaker.amazonaws.com"))
    return Integration(f"sagemaker:{action}", "sagemaker-iam.html", frozenset({REQUEST_RESPONSE, SYNC, TOKEN}),
                       tuple(grants), targets=(name,))  # fmt: skip


_MEDIA_AND_ML = (
    _sagemaker_job("createTrainingJob", "training-job", "TrainingJobName",
                   "StepFunctionsGetEventsForSageMakerTrainingJobsRule", "RoleArn"),
    _sagemaker_job("createTransformJob", "transform-job", "TransformJobName",
                   "StepFunctionsGetEventsForSageMakerTransformJobsRule", None),
    _sagemaker_job("createProcessingJob", "processing-job", "ProcessingJobName",
                   "StepFunctionsGetEventsForSageMakerProcessingJobsRule", "RoleArn"),
    # The tuning rule's name as AWS's own Step Functions notebooks grant it (aws/amazon-sagemaker-examples,
    # step-functions-data-science-sdk/hello_world_workflow): the page has no tuning section.
    _sagemaker_job("createHyperParameterTuningJob", "hyper-parameter-tuning-job", "HyperParameterTuningJobName",
                   "StepFunctionsGetEventsForSageMakerTuningJobsRule", "TrainingJobDefinition.RoleArn"),
    _sagemaker_job("createLabelingJob", "labeling-job", "LabelingJobName",
                   "StepFunctionsGetEventsForSageMakerLabelingJobsRule", "RoleArn"),
    Integration("sagemaker:createModel", "sagemaker-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("CreateModels", ("sagemaker:CreateModel",), (_in("sagemaker", "model/{ModelName}"),)),
        _pass_role("PassRolesToSageMaker", "ExecutionRoleArn", "sagemaker.amazonaws.com"),
    ), targets=("ModelName",)),
    Integration("sagemaker:createEndpointConfig", "sagemaker-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("CreateEndpointConfigs", ("sagemaker:CreateEndpointConfig",),
              (_in("sagemaker", "endpoint-config/{EndpointConfigName}"),)),
    ), targets=("EndpointConfigName",)),
    Integration("sagemaker:createEndpoint", "sagemaker-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("CreateEndpoints", ("sagemaker:CreateEndpoint",),
              (_in("sagemaker", "endpoint/{EndpointName}"), _in("sagemaker", "endpoint-config/{EndpointConfigName}"))),
    ), targets=("EndpointName",)),
    Integration("sagemaker:updateEndpoint", "sagemaker-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("UpdateEndpoints", ("sagemaker:UpdateEndpoint",),
              (_in("sagemaker", "endpoint/{EndpointName}"), _in("sagemaker", "endpoint-config/{EndpointConfigName}"))),
    ), targets=("EndpointName",)),
    Integration("bedrock:invokeModel", "bedrock-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("InvokeBedrockModels", ("bedrock:InvokeModel",), ("{ModelId|bedrock-model}",)),
        Grant("ReadBedrockInputs", ("s3:GetObject",), ("{Input.S3Uri|s3-object}",), optional=("Input.S3Uri",)),
        Grant("WriteBedrockOutputs", ("s3:PutObject",), ("{Output.S3Uri|s3-object}",), optional=("Output.S3Uri",)),
    ), targets=("ModelId",)),
    Integration("bedrock:createModelCustomizationJob", "bedrock-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("CustomizeBedrockModels", ("bedrock:CreateModelCustomizationJob",),
              ("{BaseModelIdentifier|bedrock-model}", _in("bedrock", "custom-model/*"),
               _in("bedrock", "model-customization-job/*"))),
        Grant("FollowBedrockCustomizations", ("bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"),
              (_in("bedrock", "model-customization-job/*"),), RUN_A_JOB),
        _pass_role("PassRolesToBedrock", "RoleArn", "bedrock.amazonaws.com"),
    ), targets=("BaseModelIdentifier",)),
    Integration("mediaconvert:createJob", "mediaconvert-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("CreateMediaConvertJobs", ("mediaconvert:CreateJob",), ("{Queue|mediaconvert-queue}",),
              defaults=(("Queue", "Default"),)),
        Grant("FollowMediaConvertJobs", ("mediaconvert:CancelJob", "mediaconvert:GetJob"),
              (_in("mediaconvert", "jobs/*"),), RUN_A_JOB),
        _pass_role("PassRolesToMediaConvert", "Role", "mediaconvert.amazonaws.com"),
        _rule("ManageMediaConvertJobRule", "StepFunctionsGetEventsForMediaConvertJobRule"),
    ), targets=("Queue",)),
)  # fmt: skip

# --- CodeBuild, API Gateway, the HTTP Task ----------------------------------------------------------

_PROJECT = _in("codebuild", "project/{ProjectName}")
# A build's or batch's ID is known only once it runs, so these reach the account's projects, as AWS documents.
_ANY_PROJECT = _in("codebuild", "project/*")

_CALLS = (
    Integration("codebuild:startBuild", "codebuild-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("StartBuilds", ("codebuild:StartBuild",), (_PROJECT,)),
        Grant("FollowBuilds", ("codebuild:BatchGetBuilds", "codebuild:StopBuild"), (_PROJECT,), RUN_A_JOB),
        _rule("ManageCodeBuildStartBuildRule", "StepFunctionsGetEventForCodeBuildStartBuildRule"),
    ), targets=("ProjectName",)),
    Integration("codebuild:stopBuild", "codebuild-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("StopBuilds", ("codebuild:StopBuild",), (_ANY_PROJECT,)),)),
    Integration("codebuild:batchDeleteBuilds", "codebuild-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("DeleteBuilds", ("codebuild:BatchDeleteBuilds",), (_ANY_PROJECT,)),)),
    Integration("codebuild:batchGetReports", "codebuild-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("ReadBuildReports", ("codebuild:BatchGetReports",), (_in("codebuild", "report-group/*"),)),)),
    Integration("codebuild:startBuildBatch", "codebuild-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("StartBuildBatches", ("codebuild:StartBuildBatch",), (_PROJECT,)),
        Grant("FollowBuildBatches", ("codebuild:BatchGetBuildBatches", "codebuild:StopBuildBatch"), (_PROJECT,),
              RUN_A_JOB),
        _rule("ManageCodeBuildStartBuildBatchRule", "StepFunctionsGetEventForCodeBuildStartBuildBatchRule"),
    ), targets=("ProjectName",)),
    Integration("codebuild:stopBuildBatch", "codebuild-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("StopBuildBatches", ("codebuild:StopBuildBatch",), (_ANY_PROJECT,)),)),
    Integration("codebuild:retryBuildBatch", "codebuild-iam.html", frozenset({REQUEST_RESPONSE, SYNC}), (
        Grant("RetryBuildBatches", ("codebuild:RetryBuildBatch",), (_ANY_PROJECT,)),
        Grant("FollowRetriedBuildBatches", ("codebuild:BatchGetBuildBatches", "codebuild:StopBuildBatch"),
              (_ANY_PROJECT,), RUN_A_JOB),
    )),
    Integration("codebuild:deleteBuildBatch", "codebuild-iam.html", frozenset({REQUEST_RESPONSE}), (
        Grant("DeleteBuildBatches", ("codebuild:DeleteBuildBatch",), (_ANY_PROJECT,)),)),
    Integration("apigateway:invoke", "api-gateway-iam.html", frozenset({REQUEST_RESPONSE, TOKEN}), (
        Grant("InvokeApis", ("execute-api:Invoke",), ("{ApiEndpoint|execute-api}/{Stage}/{Method}{Path}",),
              defaults=(("Path", "/*"), ("Stage", "*"))),
    ), targets=("ApiEndpoint",)),
    Integration("http:invoke", "call-https-apis.html", frozenset({REQUEST_RESPONSE, TOKEN}), (
        # AWS scopes the HTTP Task's own permission to the state machine, narrowed by method and endpoint.
        Grant("InvokeHttpEndpoints", ("states:InvokeHTTPEndpoint",),
              ("arn:{partition}:states:{region}:{account}:stateMachine:{state_machine}",),
              condition=(("StringEquals", "states:HTTPMethod", "{Method}"),
                         ("StringLike", "states:HTTPEndpoint", "{ApiEndpoint}"))),
        Grant("RetrieveConnectionCredentials", ("events:RetrieveConnectionCredentials",),
              ("{Authentication.ConnectionArn|arn}",)),
        Grant("ReadConnectionSecrets", ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"),
              ("{Authentication.ConnectionArn|connection-secret}",)),
    ), targets=("ApiEndpoint", "Authentication.ConnectionArn")),
)  # fmt: skip

ONE_API_CALL = frozenset({
    "lambda:invoke", "sns:publish", "sqs:sendMessage", "dynamodb:getItem", "dynamodb:putItem",
    "dynamodb:updateItem", "dynamodb:deleteItem", "states:startExecution", "events:putEvents", "batch:submitJob",
    "ecs:runTask", "glue:startJobRun", "databrew:startJobRun", "athena:startQueryExecution",
    "athena:stopQueryExecution", "athena:getQueryExecution", "athena:getQueryResults", "codebuild:startBuild",
    "codebuild:stopBuild", "codebuild:batchDeleteBuilds", "codebuild:batchGetReports", "codebuild:startBuildBatch",
    "codebuild:stopBuildBatch", "codebuild:retryBuildBatch", "codebuild:deleteBuildBatch",
    "sagemaker:createTrainingJob", "sagemaker:createTransformJob", "sagemaker:createProcessingJob",
    "sagemaker:createHyperParameterTuningJob", "sagemaker:createLabelingJob", "sagemaker:createModel",
    "sagemaker:createEndpointConfig", "sagemaker:createEndpoint", "sagemaker:updateEndpoint", "eks:createCluster",
    "eks:createNodegroup", "eks:deleteCluster", "eks:deleteNodegroup", "emr-containers:createVirtualCluster",
    "emr-containers:deleteVirtualCluster", "emr-containers:startJobRun", "mediaconvert:createJob",
    "bedrock:createModelCustomizationJob",
})  # fmt: skip
"""The optimised integrations whose parameters are those of the one API operation of the same name
(the service's, `states` being botocore's `stepfunctions`): checked against botocore's model. The
others differ from their API (EMR's `addStep`, EMR Serverless, Bedrock's `invokeModel` with `Input`
and `Output`, the HTTP Task...)."""

OPTIMISED: dict[str, Integration] = {
    entry.key: entry for entry in (*_CORE, *_JOBS, *_ANALYTICS, *_MEDIA_AND_ML, *_CALLS)
}
"""Every optimised integration this project derives a policy for, by `service:action`."""

# --- the Distributed Map ------------------------------------------------------------------------------

DISTRIBUTED_MAP_PAGE = "iam-policies-eg-dist-map.html"

ITEM_READERS: dict[str, Integration] = {
    # A CSV, JSON or JSONL object, or a manifest: the object itself.
    "s3:getObject": Integration("s3:getObject", DISTRIBUTED_MAP_PAGE, frozenset({REQUEST_RESPONSE}), (
        Grant("ReadItemObjects", ("s3:GetObject",), ("arn:{partition}:s3:::{Bucket}/{Key}",)),
    ), targets=("Bucket", "Key")),
    # The objects under a prefix: listing the bucket, only under that prefix.
    "s3:listObjectsV2": Integration("s3:listObjectsV2", DISTRIBUTED_MAP_PAGE, frozenset({REQUEST_RESPONSE}), (
        Grant("ListItemObjects", ("s3:ListBucket",), ("arn:{partition}:s3:::{Bucket}",),
              condition=(("StringLike", "s3:prefix", "{Prefix}*"),), defaults=(("Prefix", ""),)),
    ), targets=("Bucket", "Prefix")),
}  # fmt: skip
"""What a Distributed Map's ItemReader reads, by the `service:action` of its Resource."""

# An S3 Inventory manifest lists data files that Step Functions then reads. S3 publishes them next to it:
# <prefix>/<source bucket>/<config ID>/<YYYY-MM-DDTHH-MMZ>/manifest.json and <...>/<config ID>/data/*
# (S3 User Guide, "Locating your inventory list"), which is where AWS's Distributed Map page grants them.
MANIFEST_DATA = Grant(
    "ReadInventoryFiles", ("s3:GetObject",), ("arn:{partition}:s3:::{Bucket}/{Key|s3-inventory-data}",)
)

RESULT_WRITER = Integration("s3:putObject", DISTRIBUTED_MAP_PAGE, frozenset({REQUEST_RESPONSE}), (
    Grant("WriteMapResults", ("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts",
                              "s3:PutObject"), ("arn:{partition}:s3:::{Bucket}/{Prefix}*",),
          defaults=(("Prefix", ""),)),
), targets=("Bucket", "Prefix"))  # fmt: skip
"""A Distributed Map's ResultWriter."""

CHILD_EXECUTIONS = Integration("states:startExecution", DISTRIBUTED_MAP_PAGE, frozenset({REQUEST_RESPONSE}), (
    # The children are executions of this very state machine: its name is known before its ARN,
    # so the role's policy names it without waiting for the state machine (which needs the role).
    Grant("StartMapRunChildren", ("states:StartExecution",),
          ("arn:{partition}:states:{region}:{account}:stateMachine:{state_machine}",)),
    # As the page grants it now: on the state machine's executions (an earlier version of the page
    # also granted StopExecution, on "execution:<name>/*").
    Grant("DescribeOwnExecutions", ("states:DescribeExecution",),
          ("arn:{partition}:states:{region}:{account}:execution:{state_machine}:*",)),
    # Redriving a Map Run restarts its failed children: IAM's "labelled execution" type,
    # execution:<state machine>/<Map Run label>:<id> (redrive-map-run.html, "IAM permissions to
    # redrive a Map Run").
    Grant("RedriveMapRunChildren", ("states:RedriveExecution",),
          ("arn:{partition}:states:{region}:{account}:execution:{state_machine}/*",)),
))  # fmt: skip
"""What every Distributed Map needs to run its children."""

# --- customer managed keys ------------------------------------------------------------------------

KMS_PAGE = "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service"
KMS_TARGET = Grant("UseTargetKeys", ("kms:Decrypt", "kms:GenerateDataKey"), ("{key}",),
                   condition=(("StringEquals", "kms:ViaService", "{service}.{region}.amazonaws.com"),))  # fmt: skip
"""On the customer managed key of a target the stack creates, used only through that target's service."""

NO_RESOURCE_TYPE = frozenset(
    {
        "batch:DescribeJobs",
        "ec2:DescribeSubnets",
        "eks:CreateCluster",
        "elasticmapreduce:RunJobFlow",
        "emr-containers:CreateVirtualCluster",
        "lakeformation:GetDataAccess",
    }
)
"""The actions granted on `*` above: IAM defines no resource type for them (pinned to IAM's data
by tests/test_integration_table.py; the policy pack's STAR_RESOURCE_ACTIONS, every action IAM defines no
resource type for, holds them too)."""


def _scope(template: str) -> str:
    """A resource template as the docs show it: `glue:job/{JobName}` for the job's ARN template."""
    shown = template.removeprefix("arn:{partition}:").replace(":{region}:{account}:", ":")
    return shown.replace("|", " as ")


def markdown_table() -> str:
    """The docs' table of integrations (docs/adding-a-workflow.md), one row per entry."""
    lines = ["| Integration | IAM actions | Resources | AWS page |", "|---|---|---|---|"]
    entries = [*OPTIMISED.values(), *ITEM_READERS.values(), RESULT_WRITER]
    for entry in entries:
        patterns = ", ".join("request-response" if not p else f"`{p}`" for p in sorted(entry.patterns))
        actions = ", ".join(f"`{a}`" for a in sorted({a for g in entry.grants for a in g.actions}))
        scopes = ", ".join(dict.fromkeys(f"`{_scope(r)}`" for g in entry.grants for r in g.resources))
        listed = " (+ `passable_roles`)" if any(g.passable_roles for g in entry.grants) else ""
        what = f"`{entry.key}` ({patterns})" if entry.page != DISTRIBUTED_MAP_PAGE else f"Distributed Map `{entry.key}`"
        lines.append(f"| {what} | {actions or 'none (Kubernetes RBAC)'} | {scopes or '-'}{listed} | "
                     f"[{entry.page}]({entry.url}) |")  # fmt: skip
    return "\n".join(lines)
