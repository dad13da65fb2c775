"""Monitoring: the alarms, their notification topic and a dashboard for a stack's workflows.

One per stack. Children:

- `{name}-key`: a customer managed KMS key (rotation on) for the topic. CloudWatch
  cannot publish to a topic encrypted with the AWS-managed `alias/aws/sns` key,
  whose policy grants it nothing and cannot be edited; this key's policy lets
  CloudWatch encrypt for this account only (`iam.alarm_topic_key_policy`).
- `{name}-topic` and `{name}-topic-policy`: the SNS topic every alarm notifies,
  which only CloudWatch alarms of this stack (name prefix, account, region) may
  publish to;
- `{name}-email`: an email subscription, when `alarm_email` is set. AWS mails a
  confirmation link to the address and delivers nothing until it is followed;
  Pulumi cannot delete a subscription still pending (deleting the topic does);
- `{name}-{workflow}-{what}`: one alarm per metric below, notifying the topic on
  ALARM and on OK;
- `{name}-dashboard`: a CloudWatch dashboard (unless `dashboard=False`).

What is alarmed, for each monitored workflow:

- Step Functions (AWS/States, StateMachineArn): ExecutionsFailed,
  ExecutionsTimedOut, ExecutionsAborted, ExecutionThrottled;
- its schedule (AWS/Scheduler, ScheduleGroup): TargetErrorCount,
  InvocationDroppedCount, InvocationsFailedToBeSentToDeadLetterCount;
- its dead-letter queue (AWS/SQS, QueueName): ApproximateNumberOfMessagesVisible;
- each function (AWS/Lambda, FunctionName): Errors, Throttles.

The alarms and the dashboard body are built as plain data (`alarm_specs`,
`dashboard_body`) so that tests read exactly what is declared.

Its arguments name what is watched by ARNs and names, which any Pulumi language can pass;
from Python, `monitored(workflow, functions=...)` reads them off the components themselves.
"""

import dataclasses
import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NotRequired, TypedDict, cast

import pulumi
import pulumi_aws as aws

from serverless_workflows import iam, monitoring_plan
from serverless_workflows.alarm_thresholds import AlarmThresholds, ResolvedThresholds
from serverless_workflows.arguments import checked
from serverless_workflows.aws_context import AwsContext, console_host
from serverless_workflows.handler_function import HandlerFunction
from serverless_workflows.monitoring_plan import (
    MonitoredWorkflow,
    MonitoringPlan,
    alarm_specs,
    dashboard_body,
    dashboard_pages,
)
from serverless_workflows.names import monitoring_names
from serverless_workflows.workflow import Workflow

TYPE_TOKEN = "serverless-workflows:index:Monitoring"
# KMS waits 7 to 30 days before deleting a key; the longest wait leaves the most time
# to cancel a deletion by mistake.
KEY_DELETION_WINDOW_DAYS = 30


class MonitoredWorkflowArgs(TypedDict):
    """One workflow Monitoring alarms on and charts, by the names and ARNs of its resources.
    `monitored(workflow, functions=...)` reads them off a Workflow and its HandlerFunctions."""

    name: str
    """The workflow's name in alarm names and widget titles: letters, digits, '-' or '_'."""
    state_machine_arn: pulumi.Input[str]
    """The state machine's ARN (the StateMachineArn dimension of the Step Functions metrics)."""
    schedule_group: NotRequired[pulumi.Input[str]]
    """Its schedule's group (the ScheduleGroup dimension of EventBridge Scheduler's metrics).
    Default: no schedule, no schedule alarms."""
    dead_letter_queue_name: NotRequired[pulumi.Input[str]]
    """The name (not the URL) of its schedule's dead-letter queue. Default: none, no queue alarm."""
    function_names: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Its functions: how alarms and widgets name each -> the function's name (the FunctionName
    dimension of Lambda's metrics). Default: none."""
    thresholds: NotRequired[AlarmThresholds]
    """This workflow's alarms' thresholds, over the stack's (`MonitoringArgs.thresholds`), so that a
    noisy workflow is tuned alone. Default: the stack's."""


class MonitoringArgs(TypedDict):
    """What Monitoring watches and whom it tells; only the first two have no default. The prefix,
    the address and the thresholds are plain values, checked before anything is declared; the ARNs
    and names of what is watched take a `pulumi.Input`."""

    name_prefix: str
    """Stem of the physical names (topic, alarms, dashboard), e.g. "serverless-workflows-dev".
    Only this stack's alarms, named `{name_prefix}-...`, may publish to the topic."""
    workflows: Sequence[MonitoredWorkflowArgs]
    """The workflows to alarm on and chart; from Python, `monitored(workflow, functions=...)` each."""
    alarm_email: NotRequired[str]
    """An address subscribed to the topic. AWS mails it a confirmation link, and nothing
    is delivered until someone follows it. Default: no subscription."""
    thresholds: NotRequired[AlarmThresholds]
    """Every alarm's threshold, period and evaluation count. Default: see AlarmThresholds."""
    dashboard: NotRequired[bool]
    """Create the stack's CloudWatch dashboard: one page, or as many as CloudWatch's widget
    limit needs, each listing the others. Default: True."""
    retain_data: NotRequired[bool]
    """Keep the KMS key when the stack is destroyed (`retain_on_delete`): once a key is
    deleted, messages it encrypted can no longer be read. Default: False."""


def monitored(
    workflow: Workflow,
    *,
    functions: Sequence[HandlerFunction] = (),
    thresholds: AlarmThresholds | None = None,
    name: str | None = None,
) -> MonitoredWorkflowArgs:
    """What Monitoring watches of `workflow` and of the `functions` its tasks invoke, read off the
    components: the state machine, its schedule's group and dead-letter queue if it has them, and
    each function, named in alarms by its component's name. The workflow is named by its
    component's name, unless `name` is given; `thresholds` tune its alarms alone."""
    watched = MonitoredWorkflowArgs(
        name=workflow.pulumi_resource_name if name is None else name,
        state_machine_arn=workflow.state_machine_arn,
        function_names={function.pulumi_resource_name: function.function_name for function in functions},
    )
    if workflow.schedule_group_name is not None:
        watched["schedule_group"] = workflow.schedule_group_name
    if workflow.dead_letter_queue_name is not None:
        watched["dead_letter_queue_name"] = workflow.dead_letter_queue_name
    if thresholds is not None:
        watched["thresholds"] = thresholds
    return watched


def watching(record: MonitoredWorkflow) -> MonitoredWorkflowArgs:
    """A workflow of the plan as Monitoring's argument, for a caller that knows its resources'
    names before they exist (the catalogue's checks)."""
    fields = {item.name: getattr(record, item.name) for item in dataclasses.fields(record)}
    if record.thresholds is not None:
        fields["thresholds"] = record.thresholds.as_args()
    return cast(MonitoredWorkflowArgs, {key: value for key, value in fields.items() if value is not None})


def plan(args: MonitoringArgs) -> MonitoringPlan:
    """`args` read into one shape, every default filled in; a field of another type is refused in one line."""
    # Named by its prefix, as every later refusal names it, once there is one to name it by.
    prefix = args.get("name_prefix") if isinstance(args, Mapping) else None
    given = checked(args, MonitoringArgs, f"Monitoring {prefix!r}" if isinstance(prefix, str) else "Monitoring")
    stack = given.get("thresholds", {})
    workflows = [MonitoredWorkflow(**_with_thresholds_resolved(flow, over=stack)) for flow in given.pop("workflows")]
    return MonitoringPlan(workflows=workflows, **_with_thresholds_resolved(given))


def _with_thresholds_resolved(given: dict[str, Any], over: Mapping[str, Any] = MappingProxyType({})) -> dict[str, Any]:
    """`given`'s thresholds with what they leave out taken from `over` (a workflow's, from the
    component's), then from the defaults: field by field, so a workflow that sets only a value keeps
    the period the stack set."""
    if "thresholds" in given:
        layered = {name: {**over.get(name, {}), **given["thresholds"].get(name, {})}
                   for name in {*over, *given["thresholds"]}}  # fmt: skip
        given["thresholds"] = ResolvedThresholds.of(cast(AlarmThresholds, layered))
    return given


def validate(args: MonitoringArgs) -> None:
    """Reject arguments AWS would reject, or that would alarm on the wrong thing, before anything is declared."""
    monitoring_plan.validate(plan(args))


def dashboard_console_url(partition: str, region: str, name: str) -> str:
    """The dashboard's page in the CloudWatch console, on the partition's own console host."""
    return f"https://{region}.{console_host(partition)}/cloudwatch/home?region={region}#dashboards:name={name}"


def _resolved(flow: MonitoredWorkflow) -> pulumi.Output[MonitoredWorkflow]:
    """`flow` with every Input resolved to its string, for `dashboard_body`."""
    functions = pulumi.Output.all(**flow.function_names) if flow.function_names else pulumi.Output.from_input({})
    return pulumi.Output.all(flow.state_machine_arn, flow.schedule_group, flow.dead_letter_queue_name, functions).apply(
        lambda v: dataclasses.replace(
            flow, state_machine_arn=v[0], schedule_group=v[1], dead_letter_queue_name=v[2], function_names=v[3]
        )
    )


class Monitoring(pulumi.ComponentResource):
    """The alarms of a set of workflows, their encrypted notification topic, and a dashboard."""

    topic_arn: pulumi.Output[str]
    """The SNS topic every alarm notifies."""
    key_arn: pulumi.Output[str]
    """The KMS key that encrypts the topic."""
    dashboard_name: pulumi.Output[str] | None
    """The first page of the dashboard's name; None without a dashboard."""
    dashboard_url: pulumi.Output[str] | None
    """The first page of the dashboard: the one a stack has always had."""
    dashboard_urls: pulumi.Output[list[str]]
    """Every page of the dashboard, in order; none without a dashboard."""
    alarm_names: pulumi.Output[list[str]]
    """Every alarm's name."""

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        planned = plan(args)
        monitoring_plan.validate(planned)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws_env = AwsContext.lookup(self)
        prefix = planned.name_prefix
        names = monitoring_names(name, prefix)

        key = aws.kms.Key(
            names.key.pulumi,
            description=f"Encrypts the alarm notifications of {prefix}",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=pulumi.Output.all(aws_env.partition, aws_env.account_id).apply(
                lambda v: iam.alarm_topic_key_policy(partition=v[0], account_id=v[1])
            ),
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=planned.retain_data or None),
        )
        topic = aws.sns.Topic(names.topic.pulumi, name=names.topic.physical, kms_master_key_id=key.arn, opts=child)
        topic_policy = aws.sns.TopicPolicy(
            names.topic_policy.pulumi,
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, aws_env.partition, aws_env.region, aws_env.account_id).apply(
                lambda v: iam.alarm_topic_policy(
                    v[0], account_id=v[3], alarm_arns=iam.alarm_arn_pattern(v[1], v[2], v[3], prefix)
                )
            ),
            opts=child,
        )
        if planned.alarm_email is not None:
            aws.sns.TopicSubscription(
                names.email.pulumi, topic=topic.arn, protocol="email", endpoint=planned.alarm_email, opts=child
            )

        alarms = [
            aws.cloudwatch.MetricAlarm(
                names.alarm(spec.name).pulumi,
                name=names.alarm(spec.name).physical,
                alarm_description=spec.description,
                namespace=spec.namespace,
                metric_name=spec.metric_name,
                dimensions=dict(spec.dimensions),
                statistic=spec.statistic,
                period=spec.period_seconds,
                evaluation_periods=spec.evaluation_periods,
                threshold=spec.threshold,
                comparison_operator=spec.comparison_operator,
                treat_missing_data=spec.treat_missing_data,
                alarm_actions=[topic.arn],
                ok_actions=[topic.arn],
                # CloudWatch must be allowed to publish before an alarm first changes state.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[topic_policy]),
            )
            for spec in alarm_specs(planned)
        ]

        self.dashboard_name = None
        self.dashboard_url = None
        pages = dashboard_pages(planned.workflows) if planned.dashboard else []
        page_names = [names.dashboard_page(number) for number in range(1, len(pages) + 1)]
        titles = [f"{prefix} page {number} of {len(pages)}" for number in range(1, len(pages) + 1)]

        def body(env: list[Any]) -> str:
            partition, region, *flows = env
            # One page needs no index; with several, each lists them all.
            index = [
                (title, dashboard_console_url(partition, region, page.physical_in(region)))
                for title, page in zip(titles, page_names, strict=True)
            ] if len(pages) > 1 else []  # fmt: skip
            return json.dumps(dashboard_body(flows, region=region, index=index), sort_keys=True)

        dashboards = []
        for page, page_name in zip(pages, page_names, strict=True):
            dashboards.append(
                aws.cloudwatch.Dashboard(
                    page_name.pulumi,
                    dashboard_name=aws_env.region.apply(page_name.physical_in),
                    dashboard_body=pulumi.Output.all(
                        aws_env.partition, aws_env.region, *[_resolved(flow) for flow in page]
                    ).apply(body),
                    opts=child,
                )
            )
        self.dashboard_urls = pulumi.Output.all(
            *[
                pulumi.Output.all(aws_env.partition, aws_env.region, dashboard.dashboard_name).apply(
                    lambda v: dashboard_console_url(v[0], v[1], v[2])
                )
                for dashboard in dashboards
            ]
        ) if dashboards else pulumi.Output.from_input([])  # fmt: skip
        if dashboards:
            self.dashboard_name = dashboards[0].dashboard_name
            self.dashboard_url = self.dashboard_urls.apply(lambda urls: str(urls[0]))

        self.topic_arn = topic.arn
        self.key_arn = key.arn
        # Output.all() of nothing never resolves, so an empty list is wrapped instead.
        self.alarm_names = (
            pulumi.Output.all(*[alarm.name for alarm in alarms]) if alarms else pulumi.Output.from_input([])
        )
        self.register_outputs(
            {
                "topic_arn": self.topic_arn,
                "key_arn": self.key_arn,
                "dashboard_name": self.dashboard_name,
                "dashboard_url": self.dashboard_url,
                "dashboard_urls": self.dashboard_urls,
                "alarm_names": self.alarm_names,
            }
        )
