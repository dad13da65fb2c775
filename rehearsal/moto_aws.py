"""An in-memory AWS (moto) that the Pulumi program deploys into under mocks.

`InMemoryAws` creates each resource the program declares with the boto3 call
the AWS provider would make, so IAM roles, log groups, queues, Lambda
functions, state machines and schedules really exist in moto, and moto's
Step Functions engine executes the state machines.

moto runs Lambda code in Docker, which is not available: each invocation runs
the function's own deployment package (the zip the program declared) in a fresh,
isolated Python interpreter (`LambdaSandbox`), so a packaging mistake fails here
as it would in Lambda. That and moto's other patches (JSONata, virtual time,
mocked responses) are applied together by `rehearsal/moto_patches.py`.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import boto3
import pulumi
from moto import mock_aws
from moto.awslambda.models import LambdaFunction
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from rehearsal import fake_aws, moto_patches
from rehearsal.program import ProgramRun, run_program
from serverless_workflows.lambda_package import archive_zip
from workflows.spec import WorkflowSpec

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
_MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": True}}

# Runs inside the isolated interpreter: imports the handler from the task
# root only, calls it, and reports the result or the error the way the Lambda
# Python runtime does (errorType is the exception's class name).
_RUNNER = r"""
import importlib, json, os, random, sys, traceback
task_root, handler = sys.argv[1], sys.argv[2]
sys.path.insert(0, task_root)
seed = os.environ.get("REHEARSAL_RANDOM_SEED")
if seed:
    random.seed(int(seed))
class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    aws_request_id = "rehearsal"
    def get_remaining_time_in_millis(self):
        return 1000 * int(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])
event = json.loads(sys.stdin.read() or "{}")
try:
    module_name, function_name = handler.rsplit(".", 1)
    result = getattr(importlib.import_module(module_name), function_name)(event, Context())
    sys.stdout.write(json.dumps(result))
except Exception as error:
    sys.stdout.write(json.dumps({
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_tb(error.__traceback__),
    }))
    sys.exit(1)
"""


class LambdaSandbox:
    """Runs a moto Lambda function's deployment package in its own interpreter."""

    def __init__(self, random_seed: int | None = None) -> None:
        self.random_seed = random_seed
        self.invocations: list[tuple[str, Any]] = []
        self.packages: dict[str, bytes] = {}
        """Function name -> the deployment package its last invocation ran from."""
        self._workdir = tempfile.TemporaryDirectory(prefix="rehearsal-lambda-")
        self._task_roots: dict[str, Path] = {}
        # Executions run on moto's threads: two ticks of one workflow, or a Map's iterations,
        # invoke one function at once, and both would unpack its package into one folder.
        self._unpacking = threading.Lock()

    def close(self) -> None:
        self._workdir.cleanup()

    def _task_root(self, code: bytes) -> Path:
        digest = hashlib.sha256(code).hexdigest()
        with self._unpacking:
            if digest not in self._task_roots:
                root = Path(self._workdir.name) / digest[:16]
                with zipfile.ZipFile(io.BytesIO(code)) as bundle:
                    bundle.extractall(root)
                self._task_roots[digest] = root
            return self._task_roots[digest]

    def invoke(self, function: LambdaFunction, event: Any) -> tuple[str, bool, str]:
        """Moto's `_invoke_lambda` contract: (payload, errored, logs)."""
        self.invocations.append((function.function_name, event))
        self.packages[function.function_name] = function.code_bytes
        env = {
            "PATH": os.environ.get("PATH", ""),
            "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
            **({"REHEARSAL_RANDOM_SEED": str(self.random_seed)} if self.random_seed is not None else {}),
        }
        try:
            finished = subprocess.run(
                # -I -S: no working tree and no site-packages, only the task root, as in Lambda.
                [
                    sys.executable,
                    "-I",
                    "-S",
                    "-c",
                    _RUNNER,
                    str(self._task_root(function.code_bytes)),
                    str(function.handler),
                ],
                input=json.dumps(event),
                capture_output=True,
                text=True,
                env=env,
                timeout=int(function.timeout),
                check=False,
            )
        except subprocess.TimeoutExpired:
            payload = {"errorType": "Sandbox.Timedout", "errorMessage": f"Task timed out after {function.timeout}s"}
            return json.dumps(payload), True, ""
        if finished.returncode not in (0, 1) or not finished.stdout:
            payload = {"errorType": "Runtime.ExitError", "errorMessage": finished.stderr.strip()[-2000:]}
            return json.dumps(payload), True, finished.stderr
        return finished.stdout, finished.returncode == 1, finished.stderr


class RehearsalError(RuntimeError):
    """The program declares something the rehearsal cannot create."""


class InMemoryAws:
    """Pulumi mocks backed by moto. Use inside `InMemoryAws.running()`."""

    SUPPORTED: ClassVar[dict[str, Callable[[InMemoryAws, dict[str, Any], str], tuple[str, dict[str, Any]]]]]

    def __init__(self, sandbox: LambdaSandbox) -> None:
        self.sandbox = sandbox
        self.session = boto3.Session(region_name=REGION)
        self.created: list[tuple[str, str]] = []
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self._tick_numbers = itertools.count()  # runs a tick starts are numbered across ticks
        self.deployments: dict[tuple[str, tuple[int, ...]], tuple[ProgramRun, tuple[WorkflowSpec, ...]]] = {}
        """(stack, the catalogue's entries) -> the deployment `rehearsal.run` made of them, and the catalogue."""
        # Pulumi's mocks create resources from several threads at once, and moto's backends are
        # plain dicts: an alarm put while another thread lists alarms fails with "dictionary
        # changed size during iteration". Calls into moto from the mocks are serialized; the GIL
        # serialized most of their work anyway.
        self._moto_lock = threading.Lock()

    _active: ClassVar[InMemoryAws | None] = None
    _depth: ClassVar[int] = 0

    @classmethod
    @contextmanager
    def running(cls, random_seed: int | None = None) -> Iterator[InMemoryAws]:
        """Start moto with fake credentials and the rehearsal's patches (moto_patches). Inside a
        running one, the same one: moto and its patches are process-wide."""
        if cls._active is not None:
            cls._depth += 1
            try:
                yield cls._active
            finally:
                cls._depth -= 1
            return
        sandbox = LambdaSandbox(random_seed)
        with ExitStack() as stack:
            stack.enter_context(
                mock.patch.dict(
                    os.environ,
                    {
                        "AWS_ACCESS_KEY_ID": "rehearsal",
                        "AWS_SECRET_ACCESS_KEY": "rehearsal",
                        "AWS_DEFAULT_REGION": REGION,
                        "AWS_REGION": REGION,
                    },
                )
            )
            # patch.dict restores these on exit; a real profile or endpoint must not leak in.
            for variable in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
                os.environ.pop(variable, None)
            stack.enter_context(mock_aws(config=_MOTO_CONFIG))  # type: ignore[call-overload]
            stack.enter_context(moto_patches.patched(sandbox.invoke))
            stack.callback(sandbox.close)
            # Moto's engine logs every failed state as an error; a failed
            # execution is an expected outcome here and is reported by the caller.
            engine_log = logging.getLogger("moto.stepfunctions")
            stack.callback(engine_log.setLevel, engine_log.level)
            engine_log.setLevel(logging.CRITICAL)
            cloud = cls(sandbox)
            cls._active = cloud
            stack.callback(setattr, cls, "_active", None)
            yield cloud

    def client(self, service: str) -> Any:
        """One client per service: making one loads the service's model, which takes longer than
        most calls, and resources are created from several threads at once (clients are thread-safe,
        sessions are not)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = self.session.client(service)
            return self._clients[service]

    def deploy(
        self,
        *,
        stack: str = "dev",
        config: dict[str, str] | None = None,
        catalogue: tuple[WorkflowSpec, ...] | None = None,
    ) -> ProgramRun:
        """Run the program with every resource created here. The program is first evaluated
        under plain mocks, so that a resource type the rehearsal cannot create stops it
        before anything exists, with the list of such types."""
        dry_run = run_program(fake_aws.new_resource, fake_aws.call, stack=stack, config=config, catalogue=catalogue)
        unsupported = sorted(
            {r.type for r in dry_run if r.custom and not r.type.startswith("pulumi:providers:")} - set(self.SUPPORTED)
        )
        if unsupported:
            raise RehearsalError(
                f"The rehearsal cannot create {', '.join(unsupported)}; it creates "
                f"{', '.join(sorted(self.SUPPORTED))}. Add a method for each to rehearsal/moto_aws.py."
            )
        return run_program(self.new_resource, self.call, stack=stack, config=config, catalogue=catalogue)

    def tick_schedules(self, group_prefix: str = "", *, groups: Collection[str] | None = None) -> list[str]:
        """Do what EventBridge Scheduler does on a tick, once for every enabled schedule
        (of the groups starting with `group_prefix`, or of exactly `groups`): assume the
        schedule's role and start its target with its input. Returns the execution ARNs."""
        scheduler = self.client("scheduler")
        started: list[str] = []
        for page in scheduler.get_paginator("list_schedules").paginate():
            for summary in page["Schedules"]:
                group = summary["GroupName"]
                if not group.startswith(group_prefix) or (groups is not None and group not in groups):
                    continue
                schedule = scheduler.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
                if schedule["State"] != "ENABLED":
                    continue
                target = schedule["Target"]
                credentials = self.client("sts").assume_role(
                    RoleArn=target["RoleArn"], RoleSessionName="scheduler-tick"
                )["Credentials"]
                as_scheduler = self.session.client(
                    "stepfunctions",
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"],
                )
                started.append(
                    as_scheduler.start_execution(
                        stateMachineArn=target["Arn"],
                        name=f"tick-{next(self._tick_numbers)}-{uuid.uuid4().hex[:8]}",
                        input=target.get("Input", "{}"),
                    )["executionArn"]
                )
        return started

    # --- Pulumi mocks ---------------------------------------------------------

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            with self._moto_lock:
                identity = self.client("sts").get_caller_identity()
            return {"accountId": identity["Account"], "arn": identity["Arn"], "userId": identity["UserId"]}
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": REGION, "region": REGION}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com"}
        raise NotImplementedError(f"The rehearsal has no answer for invoke {args.token}")

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom or args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-id", dict(args.inputs)
        create = self.SUPPORTED.get(args.typ)
        if create is None:
            raise RehearsalError(f"The rehearsal cannot create {args.typ} ({args.name})")
        with self._moto_lock:
            resource_id, computed = create(self, args.inputs, args.name)
            self.created.append((args.typ, resource_id))
        return resource_id, {**args.inputs, **computed}

    # One method per resource type; SUPPORTED (below the class) maps type tokens to them.

    def _role(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:
        role = self.client("iam").create_role(
            RoleName=inputs["name"],
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            Description=inputs.get("description", ""),
        )["Role"]
        return role["RoleName"], {"arn": role["Arn"]}

    def _rolePolicy(self, inputs: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:  # noqa: N802
        self.client("iam").put_role_policy(RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"])
        return f"{inputs['role']}:{name}", {"name": name}

    def _logGroup(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:  # noqa: N802
        logs = self.client("logs")
        logs.create_log_group(logGroupName=inputs["name"])
        # As in AWS, a group declared without a retention keeps its logs forever; the tests say so.
        if "retentionInDays" in inputs:
            logs.put_retention_policy(logGroupName=inputs["name"], retentionInDays=int(inputs["retentionInDays"]))
        (group,) = logs.describe_log_groups(logGroupNamePrefix=inputs["name"])["logGroups"]
        return inputs["name"], {"arn": group["arn"].removesuffix(":*")}

    def _queue(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:
        sqs = self.client("sqs")
        url = sqs.create_queue(
            QueueName=inputs["name"],
            Attributes={
                "SqsManagedSseEnabled": str(inputs.get("sqsManagedSseEnabled", False)).lower(),
                # SQS keeps messages 4 days unless told otherwise.
                "MessageRetentionPeriod": str(int(inputs.get("messageRetentionSeconds") or 345_600)),
            },
        )["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, {"arn": arn, "url": url}

    def _scheduleGroup(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:  # noqa: N802
        arn = self.client("scheduler").create_schedule_group(Name=inputs["name"])["ScheduleGroupArn"]
        return inputs["name"], {"arn": arn}

    def _schedule(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:
        target = inputs["target"]
        # Optional, as in AWS: without them a target gets EventBridge's default retries and no
        # dead-letter queue, which the tests name (test_rehearsal, the policy pack's).
        optional: dict[str, Any] = {}
        if "retryPolicy" in target:
            optional["RetryPolicy"] = {
                "MaximumRetryAttempts": int(target["retryPolicy"]["maximumRetryAttempts"]),
                "MaximumEventAgeInSeconds": int(target["retryPolicy"]["maximumEventAgeInSeconds"]),
            }
        if "deadLetterConfig" in target:
            optional["DeadLetterConfig"] = {"Arn": target["deadLetterConfig"]["arn"]}
        arn = self.client("scheduler").create_schedule(
            Name=inputs["name"],
            GroupName=inputs["groupName"],
            Description=inputs.get("description", ""),
            ScheduleExpression=inputs["scheduleExpression"],
            ScheduleExpressionTimezone=inputs.get("scheduleExpressionTimezone", "UTC"),
            State=inputs["state"],
            FlexibleTimeWindow={"Mode": inputs["flexibleTimeWindow"]["mode"]},
            Target={
                "Arn": target["arn"],
                "RoleArn": target["roleArn"],
                "Input": target["input"],
                **optional,
            },
        )["ScheduleArn"]
        return f"{inputs['groupName']}/{inputs['name']}", {"arn": arn}

    def _function(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:
        code = inputs["code"]
        if not isinstance(code, pulumi.AssetArchive):
            raise TypeError(f"{inputs['name']}: the rehearsal packages AssetArchive code only, got {code!r}")
        logging = inputs["loggingConfig"]
        function = self.client("lambda").create_function(
            FunctionName=inputs["name"],
            Description=inputs.get("description", ""),
            Runtime=inputs["runtime"],
            Role=inputs["role"],
            Handler=inputs["handler"],
            Code={"ZipFile": archive_zip(code)},
            Timeout=int(inputs["timeout"]),
            MemorySize=int(inputs["memorySize"]),
            Architectures=inputs["architectures"],
            LoggingConfig={
                "LogFormat": logging["logFormat"],
                "LogGroup": logging["logGroup"],
                "ApplicationLogLevel": logging["applicationLogLevel"],
                "SystemLogLevel": logging["systemLogLevel"],
            },
            TracingConfig={"Mode": inputs["tracingConfig"]["mode"]},
        )
        return inputs["name"], {"arn": function["FunctionArn"]}

    def _stateMachine(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:  # noqa: N802
        logging = inputs["loggingConfiguration"]
        logging_configuration: dict[str, Any] = {
            "level": logging["level"],
            "includeExecutionData": logging["includeExecutionData"],
        }
        if "logDestination" in logging:
            group_arn = logging["logDestination"]
            logging_configuration["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": group_arn}}]
        arn = self.client("stepfunctions").create_state_machine(
            name=inputs["name"],
            definition=moto_patches.definition_for_moto(inputs["definition"]),
            roleArn=inputs["roleArn"],
            type=inputs["type"],
            loggingConfiguration=logging_configuration,
            tracingConfiguration={"enabled": inputs["tracingConfiguration"]["enabled"]},
        )["stateMachineArn"]
        return arn, {"arn": arn}

    def _topic(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:
        attributes = {"KmsMasterKeyId": inputs["kmsMasterKeyId"]} if inputs.get("kmsMasterKeyId") else {}
        arn = self.client("sns").create_topic(Name=inputs["name"], Attributes=attributes)["TopicArn"]
        return arn, {"arn": arn}

    def _topicPolicy(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:  # noqa: N802
        self.client("sns").set_topic_attributes(
            TopicArn=inputs["arn"], AttributeName="Policy", AttributeValue=inputs["policy"]
        )
        return inputs["arn"], {}

    def _topicSubscription(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:  # noqa: N802
        arn = self.client("sns").subscribe(
            TopicArn=inputs["topic"], Protocol=inputs["protocol"], Endpoint=inputs["endpoint"]
        )["SubscriptionArn"]
        return arn, {"arn": arn}

    def _table(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:
        keys = [{"AttributeName": inputs["hashKey"], "KeyType": "HASH"}]
        if inputs.get("rangeKey"):
            keys.append({"AttributeName": inputs["rangeKey"], "KeyType": "RANGE"})
        table = self.client("dynamodb").create_table(
            TableName=inputs["name"],
            BillingMode=inputs["billingMode"],
            KeySchema=keys,
            AttributeDefinitions=[
                {"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs["attributes"]
            ],
            SSESpecification={"Enabled": bool((inputs.get("serverSideEncryption") or {}).get("enabled"))},
        )["TableDescription"]
        return inputs["name"], {"arn": table["TableArn"]}

    def _metricAlarm(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:  # noqa: N802
        cloudwatch = self.client("cloudwatch")
        optional = {
            "AlarmDescription": inputs.get("alarmDescription"),
            "Statistic": inputs.get("statistic"),
            "TreatMissingData": inputs.get("treatMissingData"),
            "DatapointsToAlarm": int(inputs["datapointsToAlarm"]) if inputs.get("datapointsToAlarm") else None,
        }
        cloudwatch.put_metric_alarm(
            AlarmName=inputs["name"],
            MetricName=inputs["metricName"],
            Namespace=inputs["namespace"],
            Period=int(inputs["period"]),
            EvaluationPeriods=int(inputs["evaluationPeriods"]),
            Threshold=float(inputs["threshold"]),
            ComparisonOperator=inputs["comparisonOperator"],
            Dimensions=[{"Name": k, "Value": v} for k, v in (inputs.get("dimensions") or {}).items()],
            AlarmActions=inputs.get("alarmActions") or [],
            OKActions=inputs.get("okActions") or [],
            **{k: v for k, v in optional.items() if v is not None},
        )
        (alarm,) = cloudwatch.describe_alarms(AlarmNames=[inputs["name"]])["MetricAlarms"]
        return inputs["name"], {"arn": alarm["AlarmArn"]}

    def _dashboard(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:
        self._check_dashboard_body(inputs["dashboardName"], inputs["dashboardBody"])
        self.client("cloudwatch").put_dashboard(
            DashboardName=inputs["dashboardName"], DashboardBody=inputs["dashboardBody"]
        )
        arn = f"arn:aws:cloudwatch::{ACCOUNT_ID}:dashboard/{inputs['dashboardName']}"
        return inputs["dashboardName"], {"dashboardArn": arn}

    @staticmethod
    def _check_dashboard_body(name: str, body: str) -> None:
        """What the dashboard body syntax requires and moto does not check: a JSON object with a
        `widgets` list, each widget with a type and properties, metric widgets with their region
        (dashboards are global) and metric rows that start with the namespace and metric name."""
        try:
            parsed = json.loads(body)
        except ValueError as error:
            raise RehearsalError(f"dashboard {name}: the body is not JSON ({error})") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("widgets"), list):
            raise RehearsalError(f"dashboard {name}: the body must be a JSON object with a 'widgets' list")
        for index, widget in enumerate(parsed["widgets"]):
            properties = widget.get("properties") if isinstance(widget, dict) else None
            if not isinstance(properties, dict) or "type" not in widget:
                raise RehearsalError(f"dashboard {name}: widget {index} needs a 'type' and 'properties'")
            if widget["type"] != "metric":
                continue
            rows = properties.get("metrics")
            if not properties.get("region") or not isinstance(rows, list):
                raise RehearsalError(f"dashboard {name}: metric widget {index} needs a 'region' and a 'metrics' list")
            for row in rows:
                if not isinstance(row, list) or len(row) < 2 or not all(isinstance(part, str) for part in row[:2]):
                    raise RehearsalError(f"dashboard {name}: metric widget {index} has a malformed metric row {row!r}")

    def _key(self, inputs: dict[str, Any], _: str) -> tuple[str, dict[str, Any]]:
        kms = self.client("kms")
        optional = {"Policy": inputs.get("policy"), "Description": inputs.get("description")}
        key = kms.create_key(**{k: v for k, v in optional.items() if v})["KeyMetadata"]
        if inputs.get("enableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
        return key["KeyId"], {"arn": key["Arn"], "keyId": key["KeyId"]}


# Type token -> how InMemoryAws creates it; `deploy` refuses a program declaring anything else.
InMemoryAws.SUPPORTED = {
    "aws:iam/role:Role": InMemoryAws._role,
    "aws:iam/rolePolicy:RolePolicy": InMemoryAws._rolePolicy,
    "aws:cloudwatch/logGroup:LogGroup": InMemoryAws._logGroup,
    "aws:cloudwatch/metricAlarm:MetricAlarm": InMemoryAws._metricAlarm,
    "aws:cloudwatch/dashboard:Dashboard": InMemoryAws._dashboard,
    "aws:sqs/queue:Queue": InMemoryAws._queue,
    "aws:sns/topic:Topic": InMemoryAws._topic,
    "aws:sns/topicPolicy:TopicPolicy": InMemoryAws._topicPolicy,
    "aws:sns/topicSubscription:TopicSubscription": InMemoryAws._topicSubscription,
    "aws:dynamodb/table:Table": InMemoryAws._table,
    "aws:kms/key:Key": InMemoryAws._key,
    "aws:scheduler/scheduleGroup:ScheduleGroup": InMemoryAws._scheduleGroup,
    "aws:scheduler/schedule:Schedule": InMemoryAws._schedule,
    "aws:lambda/function:Function": InMemoryAws._function,
    "aws:sfn/stateMachine:StateMachine": InMemoryAws._stateMachine,
}
