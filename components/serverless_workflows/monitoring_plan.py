"""What Monitoring declares, as plain data: the alarms of each workflow, the dashboard's
pages and widgets, and the checks of its arguments.

Kept apart from the component (`monitoring.py`) and free of the Pulumi SDK, so that the
catalogue's tools (the cost estimate prices the alarms and dashboards, `ops cost` loads no SDK)
and the tests read exactly what the component declares.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from serverless_workflows.addresses import EMAIL_RULE, is_email
from serverless_workflows.alarm_thresholds import ResolvedThreshold, ResolvedThresholds, threshold_problem
from serverless_workflows.defaults import DASHBOARD_ENABLED, RETAIN_DATA
from serverless_workflows.names import alarm_name, handler_function_names, region_code, workflow_names
from serverless_workflows.refusals import ArgumentError, ArgumentPath, Key, RefusalError

if TYPE_CHECKING:
    import pulumi


# CloudWatch's and SNS's limits (PutMetricAlarm, PutDashboard, CreateTopic).
MAX_ALARM_NAME = 255
MAX_ALARM_DESCRIPTION = 1024
MAX_DASHBOARD_NAME = 255
MAX_DASHBOARD_WIDGETS = 500
MAX_TOPIC_NAME = 256
# Dashboards are global to the account, so their name carries the region (as role names
# do); names.region_code gives at most 6 characters for today's regions, 10 leaves room.
REGION_CODE_ROOM = 10
# A page after the first adds "-<page>" to the dashboard's name.
PAGE_NUMBER_ROOM = 5
DASHBOARD_PERIOD_SECONDS = 300

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class MonitoredWorkflow:
    """One workflow, and the resources of it that are alarmed: a MonitoredWorkflowArgs
    (`serverless_workflows.monitoring`) with its defaults filled in, or the catalogue's view of an
    entry (`workflows/monitored.py`)."""

    name: str
    """The workflow's name in alarm names and widget titles."""
    state_machine_arn: pulumi.Input[str]
    """The StateMachineArn dimension of the Step Functions metrics."""
    schedule_group: pulumi.Input[str] | None = None
    """The ScheduleGroup dimension of its schedule's metrics. Default: no schedule."""
    dead_letter_queue_name: pulumi.Input[str] | None = None
    """The QueueName of its schedule's dead-letter queue (not the URL). Default: none."""
    function_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Catalogue function name -> physical function name (FunctionName dimension). Default: none."""
    thresholds: ResolvedThresholds | None = None
    """This workflow's alarms' thresholds, over the stack's (`MonitoringPlan.thresholds`), so
    that a noisy workflow is tuned alone. Default: the stack's."""


@dataclass(frozen=True)
class MonitoringPlan:
    """What Monitoring watches and whom it tells, every default filled in: its MonitoringArgs
    (`serverless_workflows.monitoring`) read, or what the cost estimate prices."""

    name_prefix: str
    """Stem of the physical names (topic, alarms, dashboard), e.g. "serverless-workflows-dev".
    Only this stack's alarms, named `{name_prefix}-...`, may publish to the topic."""
    workflows: Sequence[MonitoredWorkflow]
    """The workflows to alarm on and chart."""
    alarm_email: str | None = None
    """An address subscribed to the topic. AWS mails it a confirmation link, and nothing
    is delivered until someone follows it. Default: no subscription."""
    thresholds: ResolvedThresholds = field(default_factory=ResolvedThresholds)
    """Every alarm's threshold, period and evaluation count. Default: see AlarmThresholds."""
    dashboard: bool = DASHBOARD_ENABLED
    """Create the stack's CloudWatch dashboard: one page, or as many as CloudWatch's widget
    limit needs, each listing the others (`dashboard_pages`). Default: True."""
    retain_data: bool = RETAIN_DATA
    """Keep the KMS key when the stack is destroyed (`retain_on_delete`): once a key is
    deleted, messages it encrypted can no longer be read. Default: False."""


@dataclass(frozen=True)
class _Metric:
    """One alarmed metric, the same for every workflow (or function) it applies to."""

    what: str
    """The alarm name's last part; for a function, it follows the function's name."""
    namespace: str
    metric_name: str
    dimension: str
    statistic: str
    threshold: str
    """The ResolvedThresholds field."""
    treat_missing_data: str
    happened: str
    """What reaching the threshold means, completing "{count} ... {window}"."""
    look: str
    """Where the person on call looks first."""


def _scheduler_role_mark() -> str:
    """What the name of every scheduler role holds between its workflow's part and its region's."""
    stem, region = "<state machine>", "<region>"
    role = workflow_names("<workflow>", stem).schedule.scheduler_role.physical_in(region)
    return role.removeprefix(stem).removesuffix(region_code(region))


def _function_log_group(function_name: str) -> str:
    return handler_function_names("<function>", function_name).log_group.physical


# All of these metrics are counts of events that CloudWatch only receives when the
# event happens: no data means nothing happened, so missing data is "notBreaching".
# Treating it as "missing" would leave each alarm in INSUFFICIENT_DATA most of the time.
_WORKFLOW_METRICS = (
    _Metric(
        what="executions-failed",
        namespace="AWS/States",
        metric_name="ExecutionsFailed",
        dimension="StateMachineArn",
        statistic="Sum",
        threshold="executions_failed",
        # Published only when an execution ends; an idle workflow sends no data.
        treat_missing_data="notBreaching",
        happened="execution(s) of workflow '{workflow}' FAILED",
        look="Which ones and why: `python -m ops failures {workflow}`, then `python -m ops history <execution ARN>` "
        "for the failing state. Console: Step Functions > State machines > the one in this alarm's "
        "StateMachineArn dimension > Executions, status Failed.",
    ),
    _Metric(
        what="executions-timed-out",
        namespace="AWS/States",
        metric_name="ExecutionsTimedOut",
        dimension="StateMachineArn",
        statistic="Sum",
        threshold="executions_timed_out",
        # Published only when an execution ends; an idle workflow sends no data.
        treat_missing_data="notBreaching",
        happened="execution(s) of workflow '{workflow}' TIMED OUT (ran past the definition's TimeoutSeconds)",
        look="The last state entered is where it hung: `python -m ops failures {workflow}`, then "
        "`python -m ops history <execution ARN>`. Console: Step Functions > State machines > the one in this "
        "alarm's StateMachineArn dimension > Executions, status Timed out.",
    ),
    _Metric(
        what="executions-aborted",
        namespace="AWS/States",
        metric_name="ExecutionsAborted",
        dimension="StateMachineArn",
        statistic="Sum",
        threshold="executions_aborted",
        # Published only when an execution is stopped; usually never.
        treat_missing_data="notBreaching",
        happened="execution(s) of workflow '{workflow}' were ABORTED (a StopExecution call, by a person or a program)",
        look="Who stopped them: CloudTrail event history, event name StopExecution. Which ones: "
        "`python -m ops failures {workflow}`. Console: Step Functions > State machines > the one in this "
        "alarm's StateMachineArn dimension > Executions, status Aborted.",
    ),
    _Metric(
        what="executions-throttled",
        namespace="AWS/States",
        metric_name="ExecutionThrottled",
        dimension="StateMachineArn",
        statistic="Sum",
        threshold="executions_throttled",
        # This metric exists only while Step Functions throttles; there is no zero to publish.
        treat_missing_data="notBreaching",
        happened="state transition(s) of workflow '{workflow}' were THROTTLED by Step Functions: "
        "its executions run late",
        look="Throttling is per account and region: look at what else runs here, and at the Step Functions "
        "quotas in the Service Quotas console. Executions delayed too long fail or time out: "
        "`python -m ops failures {workflow}`.",
    ),
)
_SCHEDULE_METRICS = (
    _Metric(
        what="schedule-target-errors",
        namespace="AWS/Scheduler",
        metric_name="TargetErrorCount",
        dimension="ScheduleGroup",
        statistic="Sum",
        threshold="schedule_target_errors",
        # Published only when a StartExecution call fails.
        treat_missing_data="notBreaching",
        happened="time(s) EventBridge Scheduler could NOT START workflow '{workflow}' (StartExecution failed)",
        look="Usual causes: the scheduler role lost states:StartExecution, the state machine was replaced, or "
        "Step Functions throttled. Scheduler retries; ticks it gives up on go to the dead-letter queue. "
        "Console: EventBridge > Schedules, the group in this alarm's ScheduleGroup dimension.",
    ),
    _Metric(
        what="schedule-dropped",
        namespace="AWS/Scheduler",
        metric_name="InvocationDroppedCount",
        dimension="ScheduleGroup",
        statistic="Sum",
        threshold="schedule_invocations_dropped",
        # Published only when Scheduler gives up on a tick.
        treat_missing_data="notBreaching",
        happened="tick(s) of the schedule of workflow '{workflow}' were DROPPED after every retry: "
        "the workflow did not run for them",
        look="Look for them in the workflow's dead-letter queue (SQS console, Send and receive messages, Poll): "
        "their attributes carry the error. Then see the schedule in EventBridge > Schedules, the group in "
        "this alarm's ScheduleGroup dimension.",
    ),
    _Metric(
        what="schedule-dead-letter-failed",
        namespace="AWS/Scheduler",
        metric_name="InvocationsFailedToBeSentToDeadLetterCount",
        dimension="ScheduleGroup",
        statistic="Sum",
        threshold="schedule_dead_letter_failures",
        # Published only when a dead-lettering attempt fails.
        treat_missing_data="notBreaching",
        happened="undeliverable tick(s) of workflow '{workflow}' could NOT be sent to the dead-letter queue either: "
        "they are LOST",
        look="Check that the dead-letter queue exists and that the scheduler role may sqs:SendMessage to it "
        f"(IAM console: the role whose name holds '{_scheduler_role_mark()}'). Ticks lost meanwhile are not "
        "recoverable; start the workflow by hand if they mattered: `python -m ops run {workflow}`.",
    ),
)
_QUEUE_METRICS = (
    _Metric(
        what="dead-letters",
        namespace="AWS/SQS",
        metric_name="ApproximateNumberOfMessagesVisible",
        dimension="QueueName",
        statistic="Maximum",
        threshold="dead_letter_messages",
        # SQS publishes while a queue holds messages or is used; an empty idle queue may
        # send nothing, which is the healthy case.
        treat_missing_data="notBreaching",
        happened="tick(s) of workflow '{workflow}' wait in its DEAD-LETTER QUEUE: Scheduler could not deliver them",
        look="Read them in the SQS console (the queue in this alarm's QueueName dimension; Send and receive "
        "messages, Poll): the attributes carry the error. Fix the cause, then delete them; this alarm "
        "stays in ALARM until the queue is empty.",
    ),
)
_FUNCTION_METRICS = (
    _Metric(
        what="errors",
        namespace="AWS/Lambda",
        metric_name="Errors",
        dimension="FunctionName",
        statistic="Sum",
        threshold="function_errors",
        # Published only when the function is invoked; an idle function sends no data.
        treat_missing_data="notBreaching",
        happened="invocation(s) of function '{function}' of workflow '{workflow}' ended in an ERROR",
        look=f"Its logs: CloudWatch Logs group {_function_log_group('<the FunctionName dimension>')}, level ERROR. "
        "The executions it broke: `python -m ops failures {workflow}`.",
    ),
    _Metric(
        what="throttles",
        namespace="AWS/Lambda",
        metric_name="Throttles",
        dimension="FunctionName",
        statistic="Sum",
        threshold="function_throttles",
        # Published only when the function is invoked; an idle function sends no data.
        treat_missing_data="notBreaching",
        happened="invocation(s) of function '{function}' of workflow '{workflow}' were THROTTLED (concurrency limit)",
        look="The workflow retries throttled calls, so executions slow down before they fail. Look at the "
        "account's concurrent executions in the Lambda console and at `python -m ops failures {workflow}`.",
    ),
)


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm exactly as it is declared."""

    name: str
    workflow: str
    namespace: str
    metric_name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str
    threshold: float
    period_seconds: int
    evaluation_periods: int
    comparison_operator: str
    treat_missing_data: str
    description: str


def _window(threshold: ResolvedThreshold) -> str:
    minutes = threshold.period_seconds // 60
    period = f"{minutes} minute{'s' if minutes != 1 else ''}"
    if threshold.evaluation_periods == 1:
        return f"within {period}"
    return f"in each of {threshold.evaluation_periods} consecutive periods of {period}"


def _spec(
    args: MonitoringPlan,
    metric: _Metric,
    flow: MonitoredWorkflow,
    dimension: pulumi.Input[str],
    function: str | None = None,
) -> AlarmSpec:
    workflow = flow.name
    threshold: ResolvedThreshold = getattr(flow.thresholds or args.thresholds, metric.threshold)
    what = f"{function}-{metric.what}" if function is not None else metric.what
    names = {"workflow": workflow, "function": function or ""}
    description = (
        f"{threshold.value:g} or more {metric.happened.format(**names)} {_window(threshold)} "
        f"({metric.namespace} {metric.metric_name}, {metric.statistic}). {metric.look.format(**names)}"
    )
    return AlarmSpec(
        name=alarm_name(args.name_prefix, workflow, what),
        workflow=workflow,
        namespace=metric.namespace,
        metric_name=metric.metric_name,
        dimensions={metric.dimension: dimension},
        statistic=metric.statistic,
        threshold=threshold.value,
        period_seconds=threshold.period_seconds,
        evaluation_periods=threshold.evaluation_periods,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data=metric.treat_missing_data,
        description=description,
    )


def alarm_specs(args: MonitoringPlan) -> list[AlarmSpec]:
    """Every alarm of `args`, in declaration order: per workflow, its execution alarms,
    then its schedule's, its dead-letter queue's and its functions'."""
    specs: list[AlarmSpec] = []
    for flow in args.workflows:
        specs += [_spec(args, metric, flow, flow.state_machine_arn) for metric in _WORKFLOW_METRICS]
        if flow.schedule_group is not None:
            specs += [_spec(args, metric, flow, flow.schedule_group) for metric in _SCHEDULE_METRICS]
        if flow.dead_letter_queue_name is not None:
            specs += [_spec(args, metric, flow, flow.dead_letter_queue_name) for metric in _QUEUE_METRICS]
        for function, physical in flow.function_names.items():
            specs += [_spec(args, metric, flow, physical, function) for metric in _FUNCTION_METRICS]
    return specs


def _workflow_widgets(
    flow: MonitoredWorkflow, region: str, period_seconds: int = DASHBOARD_PERIOD_SECONDS
) -> list[dict[str, Any]]:
    """One workflow's widgets: executions started/succeeded/failed and their duration; its
    schedule's invocation attempts and dead-lettered ticks; per function, errors and duration.
    Dashboards are global, so every widget names its region."""

    def widget(title: str, metrics: list[list[Any]], stat: str) -> dict[str, Any]:
        return {
            "type": "metric",
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": region,
                "view": "timeSeries",
                "stacked": False,
                "stat": stat,
                "period": period_seconds,
                "metrics": metrics,
            },
        }

    arn = ["StateMachineArn", flow.state_machine_arn]
    widgets = [
        widget(
            f"{flow.name}: executions",
            [
                ["AWS/States", metric, *arn]
                for metric in ("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed")
            ],
            "Sum",
        ),
        widget(
            f"{flow.name}: execution duration (ms)",
            [
                ["AWS/States", "ExecutionTime", *arn, {"stat": "Average", "label": "average"}],
                ["AWS/States", "ExecutionTime", *arn, {"stat": "Maximum", "label": "maximum"}],
            ],
            "Average",
        ),
    ]
    if flow.schedule_group is not None:
        group = ["ScheduleGroup", flow.schedule_group]
        widgets.append(
            widget(
                f"{flow.name}: schedule",
                [
                    ["AWS/Scheduler", "InvocationAttemptCount", *group],
                    ["AWS/Scheduler", "InvocationsSentToDeadLetterCount", *group],
                ],
                "Sum",
            )
        )
    for function, physical in flow.function_names.items():
        name = ["FunctionName", physical]
        widgets.append(widget(f"{flow.name} / {function}: errors", [["AWS/Lambda", "Errors", *name]], "Sum"))
        widgets.append(
            widget(f"{flow.name} / {function}: duration (ms)", [["AWS/Lambda", "Duration", *name]], "Average")
        )
    return widgets


# With more than one page, each page's first widget lists them all, one line a page.
INDEX_HEIGHT = 2


def dashboard_pages(workflows: Sequence[MonitoredWorkflow]) -> list[list[MonitoredWorkflow]]:
    """The workflows charted on each page of the dashboard, in order: all on one page while they
    fit CloudWatch's widget limit; else as many pages as it takes, each keeping a workflow's
    widgets together and room for the page index. A workflow too big for a page of its own is
    left alone on one (`validate` refuses it)."""
    sizes = [len(_workflow_widgets(flow, region="")) for flow in workflows]
    if sum(sizes) <= MAX_DASHBOARD_WIDGETS:
        return [list(workflows)]
    room = MAX_DASHBOARD_WIDGETS - 1
    pages: list[list[MonitoredWorkflow]] = [[]]
    used = 0
    for flow, size in zip(workflows, sizes, strict=True):
        if pages[-1] and used + size > room:
            pages.append([])
            used = 0
        pages[-1].append(flow)
        used += size
    return pages


def dashboard_body(
    workflows: Sequence[MonitoredWorkflow],
    region: str,
    period_seconds: int = DASHBOARD_PERIOD_SECONDS,
    index: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """One page of the dashboard as plain data, from workflows whose values are resolved strings:
    each workflow's widgets, two a row; with `index` (each page's title and console URL), a
    first row listing the pages."""
    widgets = [widget for flow in workflows for widget in _workflow_widgets(flow, region, period_seconds)]
    top = 0
    if index:
        links = "  \n".join(f"[{title}]({url})" for title, url in index)
        widgets.insert(0, {"type": "text", "x": 0, "y": 0, "width": 24, "height": INDEX_HEIGHT,
                           "properties": {"markdown": links}})  # fmt: skip
        top = INDEX_HEIGHT
    charts = widgets[1:] if index else widgets
    for position, placed in enumerate(charts):
        placed["x"], placed["y"] = (position % 2) * 12, top + (position // 2) * 6
    return {"widgets": widgets}


def _check_threshold(what: str, field_name: str, threshold: ResolvedThreshold, at: ArgumentPath = ()) -> None:
    """`at`: where the thresholds are, among the arguments (a workflow's own, or the component's)."""
    problem = threshold_problem(threshold)
    if problem is not None:
        value = getattr(threshold, problem.field)
        raise ArgumentError(
            f"{what}: thresholds.{field_name}.{problem.field} = {value!r} is not valid: use {problem.allowed}.",
            (*at, "thresholds", field_name, problem.field),
        )


def validate(args: MonitoringPlan) -> None:
    """Reject arguments AWS would reject, or that would alarm on the wrong thing, before anything is declared."""
    what = f"Monitoring {args.name_prefix!r}"
    if not _NAME.match(args.name_prefix):
        raise ArgumentError(
            f"{what}: name_prefix must be letters, digits, '-' or '_' (it starts every physical name).",
            ("name_prefix",),
        )
    if len(args.name_prefix) + 1 + REGION_CODE_ROOM + PAGE_NUMBER_ROOM > MAX_DASHBOARD_NAME:
        raise ArgumentError(
            f"{what}: name_prefix has {len(args.name_prefix)} characters; the dashboard name "
            f"(prefix, '-', region code, page number) must fit in {MAX_DASHBOARD_NAME}.",
            ("name_prefix",),
        )
    _check_workflows(what, args.workflows)
    for threshold_field in dataclasses.fields(ResolvedThresholds):
        _check_threshold(what, threshold_field.name, getattr(args.thresholds, threshold_field.name))
        for number, flow in enumerate(args.workflows):
            if flow.thresholds is not None:
                where = f"{what}: workflow {flow.name!r}"
                threshold = getattr(flow.thresholds, threshold_field.name)
                _check_threshold(where, threshold_field.name, threshold, ("workflows", number))
    if args.alarm_email is not None and not is_email(args.alarm_email):
        raise ArgumentError(
            f"{what}: alarm_email {args.alarm_email!r} is not an email address; use {EMAIL_RULE}.", ("alarm_email",)
        )
    _check_alarms(what, alarm_specs(args))
    # The layout does not depend on the values, so unresolved ones count the same.
    for page in dashboard_pages(args.workflows) if args.dashboard else []:
        widgets = sum(len(_workflow_widgets(flow, region="")) for flow in page)
        if widgets > MAX_DASHBOARD_WIDGETS:
            raise RefusalError(
                f"{what}: workflow {page[0].name!r} alone needs {widgets} dashboard widgets (two per function); "
                f"a CloudWatch dashboard holds {MAX_DASHBOARD_WIDGETS}. Split its functions across workflows, "
                "or set dashboard=False."
            )


def _check_workflows(what: str, workflows: Sequence[MonitoredWorkflow]) -> None:
    seen: set[str] = set()
    for number, flow in enumerate(workflows):
        if not _NAME.match(flow.name):
            raise ArgumentError(
                f"{what}: workflow name {flow.name!r} must be letters, digits, '-' or '_'.",
                ("workflows", number, "name"),
            )
        if flow.name in seen:
            raise ArgumentError(
                f"{what}: workflow {flow.name!r} is listed twice; alarm names would collide.",
                ("workflows", number, "name"),
            )
        seen.add(flow.name)
        for function in flow.function_names:
            if not _NAME.match(function):
                raise ArgumentError(
                    f"{what}: workflow {flow.name!r}: function name {function!r} must be letters, digits, '-' or '_'.",
                    ("workflows", number, "function_names", Key(function)),
                )


def _check_alarms(what: str, specs: Sequence[AlarmSpec]) -> None:
    names: set[str] = set()
    for spec in specs:
        if len(spec.name) > MAX_ALARM_NAME:
            raise RefusalError(
                f"{what}: the alarm name {spec.name!r} has {len(spec.name)} characters; CloudWatch allows "
                f"{MAX_ALARM_NAME}. Shorten name_prefix, the workflow or the function name."
            )
        if spec.name in names:
            raise RefusalError(f"{what}: two alarms would be named {spec.name!r}; rename a workflow or function.")
        names.add(spec.name)
        if len(spec.description) > MAX_ALARM_DESCRIPTION:
            raise RefusalError(
                f"{what}: the description of alarm {spec.name!r} has {len(spec.description)} characters; "
                f"CloudWatch allows {MAX_ALARM_DESCRIPTION}. Shorten the workflow or function name."
            )
