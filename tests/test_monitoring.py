"""Monitoring: alarms, their encrypted topic and the dashboard, under mocks and in the in-memory AWS."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import pulumi
import pytest

from rehearsal.fake_aws import ACCOUNT_ID
from rehearsal.program import ProgramRun, run_under_mocks
from serverless_workflows.alarm_thresholds import AlarmThresholds, ResolvedThreshold, ResolvedThresholds, Threshold
from serverless_workflows.monitoring import Monitoring, MonitoringArgs, plan, watching
from serverless_workflows.monitoring_plan import (
    MAX_DASHBOARD_WIDGETS,
    MonitoredWorkflow,
    MonitoringPlan,
    alarm_specs,
    dashboard_body,
    dashboard_pages,
)
from tests.support import PREFIX, SUITE_CATALOGUE, CloudStack, Declare, Deploy, with_config
from workflows.catalogue import SCHEDULED
from workflows.outputs import ALARM_TOPIC_OUTPUT, DASHBOARD_OUTPUT

if TYPE_CHECKING:
    # Annotations only: the rehearsal layer's fixtures import moto, which takes a second or two.
    from rehearsal.moto_aws import InMemoryAws

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SCHEDULED_ARN = f"arn:aws:states:us-east-1:{ACCOUNT_ID}:stateMachine:{PREFIX}-scheduled"
CALL_CENTER_ARN = f"arn:aws:states:us-east-1:{ACCOUNT_ID}:stateMachine:{PREFIX}-call-center"
GROUP = f"{PREFIX}-scheduled"
QUEUE = f"{PREFIX}-scheduled-schedule-dlq"
FUNCTIONS = {"open-case": f"{PREFIX}-open-case", "close-case": f"{PREFIX}-close-case"}
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:{PREFIX}-alarms"


def workflows(*, as_outputs: bool = False) -> list[MonitoredWorkflow]:
    """The two tutorials' workflows; `as_outputs` passes the call center's values as Outputs,
    as the program does (call it inside the Pulumi runtime then)."""

    def value(text: str) -> pulumi.Input[str]:
        return pulumi.Output.from_input(text) if as_outputs else text

    return [
        MonitoredWorkflow("scheduled", SCHEDULED_ARN, schedule_group=GROUP, dead_letter_queue_name=QUEUE),
        MonitoredWorkflow(
            "call-center",
            value(CALL_CENTER_ARN),
            function_names={name: value(physical) for name, physical in FUNCTIONS.items()},
        ),
    ]


def monitoring_args(name_prefix: str, workflows: list[MonitoredWorkflow], **fields: Any) -> MonitoringArgs:
    """Monitoring's arguments for `workflows`, records of what it watches."""
    watched = [watching(flow) for flow in workflows]
    return cast(MonitoringArgs, {"name_prefix": name_prefix, "workflows": watched, **fields})


def monitoring(**overrides: Any) -> Callable[[], dict[str, Any]]:
    """A declaring function: one Monitoring of the two workflows, its outputs returned."""

    def build() -> dict[str, Any]:
        values: dict[str, Any] = {"name_prefix": PREFIX, "workflows": workflows(as_outputs=True)}
        values.update(overrides)
        component = Monitoring("monitoring", monitoring_args(**values))
        outputs = {"topic_arn": component.topic_arn, "alarm_names": component.alarm_names}
        if component.dashboard_name is not None and component.dashboard_url is not None:
            outputs.update(dashboard_name=component.dashboard_name, dashboard_url=component.dashboard_url)
        return outputs

    return build


# The Monitoring of the two workflows with the default arguments: many tests read it, none changes
# it, so it is declared once per test process.
_DEFAULT_RUN: list[ProgramRun] = []


@pytest.fixture
def default_run(declare: Declare) -> ProgramRun:
    if not _DEFAULT_RUN:
        _DEFAULT_RUN.append(declare(monitoring()))
    return _DEFAULT_RUN[0]


def alarms(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {r.inputs["name"]: r.inputs for r in run.of_type(ALARM)}


def execution_alarms(workflow: str, arn: str) -> dict[str, tuple[str, str, dict[str, str], str]]:
    return {
        f"{PREFIX}-{workflow}-{what}": ("AWS/States", metric, {"StateMachineArn": arn}, "Sum")
        for what, metric in [
            ("executions-failed", "ExecutionsFailed"),
            ("executions-timed-out", "ExecutionsTimedOut"),
            ("executions-aborted", "ExecutionsAborted"),
            ("executions-throttled", "ExecutionThrottled"),
        ]
    }


SCHEDULE = {"ScheduleGroup": GROUP}
# Alarm name -> (namespace, metric, dimensions, statistic): the whole expected set.
EXPECTED_ALARMS = {
    **execution_alarms("scheduled", SCHEDULED_ARN),
    f"{PREFIX}-scheduled-schedule-target-errors": ("AWS/Scheduler", "TargetErrorCount", SCHEDULE, "Sum"),
    f"{PREFIX}-scheduled-schedule-dropped": ("AWS/Scheduler", "InvocationDroppedCount", SCHEDULE, "Sum"),
    f"{PREFIX}-scheduled-schedule-dead-letter-failed": (
        "AWS/Scheduler", "InvocationsFailedToBeSentToDeadLetterCount", SCHEDULE, "Sum",
    ),
    f"{PREFIX}-scheduled-dead-letters": (
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": QUEUE}, "Maximum",
    ),
    **execution_alarms("call-center", CALL_CENTER_ARN),
    **{
        f"{PREFIX}-call-center-{name}-{what}": ("AWS/Lambda", metric, {"FunctionName": physical}, "Sum")
        for name, physical in FUNCTIONS.items()
        for what, metric in [("errors", "Errors"), ("throttles", "Throttles")]
    },
}  # fmt: skip


def test_every_alarm_watches_its_metric_and_notifies_the_topic(default_run: ProgramRun) -> None:
    run = default_run
    declared = alarms(run)
    assert set(declared) == set(EXPECTED_ALARMS)
    component = run.named("monitoring")
    topic_policy = run.named("monitoring-topic-policy")
    for name, (namespace, metric, dimensions, statistic) in EXPECTED_ALARMS.items():
        alarm = declared[name]
        assert (alarm["namespace"], alarm["metricName"], alarm["dimensions"], alarm["statistic"]) == (
            namespace,
            metric,
            dimensions,
            statistic,
        ), name
        assert alarm["threshold"] == 1
        assert alarm["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert (alarm["period"], alarm["evaluationPeriods"]) == (300, 1)
        # Every metric here only exists when its event happens: no data is the healthy case.
        assert alarm["treatMissingData"] == "notBreaching"
        assert alarm["alarmActions"] == alarm["okActions"] == [TOPIC_ARN]
        registration = next(r for r in run.of_type(ALARM) if r.inputs["name"] == name)
        assert registration.parent == component.urn
        # CloudWatch may publish from the alarm's first state change on.
        assert topic_policy.urn in registration.dependencies


def test_alarm_names_are_an_output_and_follow_prefix_workflow_what(default_run: ProgramRun) -> None:
    outputs = default_run.outputs
    assert sorted(outputs["alarm_names"]) == sorted(EXPECTED_ALARMS)
    assert outputs["topic_arn"] == TOPIC_ARN


def test_descriptions_say_what_happened_and_where_to_look(default_run: ProgramRun) -> None:
    declared = alarms(default_run)
    for name, alarm in declared.items():
        description = alarm["alarmDescription"]
        workflow = "call-center" if "-call-center-" in name else "scheduled"
        assert f"workflow '{workflow}'" in description, name
        assert "within 5 minutes" in description, name
        assert "console" in description.lower() or "python -m ops" in description, name
        assert len(description) <= 1024
    failed = declared[f"{PREFIX}-call-center-executions-failed"]["alarmDescription"]
    assert failed.startswith("1 or more execution(s) of workflow 'call-center' FAILED within 5 minutes")
    assert "`python -m ops failures call-center`" in failed
    errors = declared[f"{PREFIX}-call-center-open-case-errors"]["alarmDescription"]
    assert "function 'open-case'" in errors
    assert "/aws/lambda/" in errors


def test_thresholds_are_overridable_one_alarm_kind_at_a_time(declare: Declare) -> None:
    thresholds = AlarmThresholds(
        function_errors=Threshold(value=5, period_seconds=600, evaluation_periods=3),
        dead_letter_messages=Threshold(value=10),
    )
    declared = alarms(declare(monitoring(thresholds=thresholds)))
    errors = declared[f"{PREFIX}-call-center-open-case-errors"]
    assert (errors["threshold"], errors["period"], errors["evaluationPeriods"]) == (5, 600, 3)
    assert errors["alarmDescription"].startswith(
        "5 or more invocation(s) of function 'open-case' of workflow 'call-center' ended in an ERROR "
        "in each of 3 consecutive periods of 10 minutes"
    )
    assert declared[f"{PREFIX}-scheduled-dead-letters"]["threshold"] == 10
    untouched = declared[f"{PREFIX}-call-center-open-case-throttles"]
    assert (untouched["threshold"], untouched["period"], untouched["evaluationPeriods"]) == (1, 300, 1)


def test_the_topic_is_encrypted_with_its_own_rotating_key(declare: Declare, default_run: ProgramRun) -> None:
    run = default_run
    key = run.named("monitoring-key")
    topic = run.named("monitoring-topic").inputs
    assert topic["name"] == f"{PREFIX}-alarms"
    # CloudWatch cannot publish to a topic under the AWS-managed alias/aws/sns key.
    assert topic["kmsMasterKeyId"] == f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/monitoring-key-id"
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert key.retain_on_delete is False
    assert declare(monitoring(retain_data=True)).named("monitoring-key").retain_on_delete is True


def test_key_policy_lets_the_account_administer_and_cloudwatch_encrypt_for_this_account(
    default_run: ProgramRun,
) -> None:
    policy = json.loads(default_run.named("monitoring-key").inputs["policy"])
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchAlarmsEncryptNotifications",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
            },
        ],
    }


def test_topic_policy_lets_only_this_stacks_alarms_publish(default_run: ProgramRun) -> None:
    topic_policy = default_run.named("monitoring-topic-policy").inputs
    assert topic_policy["arn"] == TOPIC_ARN
    assert json.loads(topic_policy["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": TOPIC_ARN,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT_ID}:alarm:{PREFIX}-*"},
                },
            }
        ],
    }


def test_the_email_subscription_exists_only_when_an_address_is_given(declare: Declare, default_run: ProgramRun) -> None:
    subscription = "aws:sns/topicSubscription:TopicSubscription"
    assert default_run.of_type(subscription) == []
    (email,) = declare(monitoring(alarm_email="on-call+alarms@example.co.uk")).of_type(subscription)
    assert email.inputs == {"topic": TOPIC_ARN, "protocol": "email", "endpoint": "on-call+alarms@example.co.uk"}


def expect_refusal(declare: Declare, build: Callable[[], object], match: str) -> None:
    declared = ProgramRun()
    with pytest.raises(ValueError, match=match):
        declare(build, into=declared)
    assert declared.resources == [], "nothing may be declared before validation fails"


ALLOWED_EMAIL = "one address such as oncall@example.com"


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"alarm_email": "oncall"}, f"alarm_email 'oncall' is not an email address; use {ALLOWED_EMAIL}"),
        ({"alarm_email": "Ops <ops@example.com>"}, "is not an email address; .*no display name"),
        ({"alarm_email": "a@example.com,b@example.com"}, "is not an email address"),
        ({"alarm_email": "on call@example.com"}, "is not an email address"),
        ({"alarm_email": "oncall@localhost"}, "is not an email address"),
        ({"name_prefix": "bad prefix"}, "name_prefix must be letters, digits, '-' or '_'"),
        (
            {"workflows": [MonitoredWorkflow("flow", "arn"), MonitoredWorkflow("flow", "arn")]},
            "workflow 'flow' is listed twice",
        ),
        (
            {"workflows": [MonitoredWorkflow("flow", "arn", function_names={"open case": "fn"})]},
            "function name 'open case' must be letters",
        ),
        (
            {"workflows": [MonitoredWorkflow("f" * 240, "arn")]},
            r"the alarm name '.*' has 2\d\d characters; CloudWatch allows 255",
        ),
        (
            {"thresholds": AlarmThresholds(executions_failed=Threshold(period_seconds=90))},
            r"thresholds.executions_failed.period_seconds = 90 is not valid: use a whole multiple of 60 seconds, "
            r"at most 604,800 \(7 days\): these metrics have one-minute resolution",
        ),
        (
            {"thresholds": AlarmThresholds(function_errors=Threshold(evaluation_periods=0))},
            "thresholds.function_errors.evaluation_periods = 0 is not valid: use a whole number from 1 to 288 ",
        ),
        (
            {"thresholds": AlarmThresholds(dead_letter_messages=Threshold(value=-1))},
            "thresholds.dead_letter_messages.value = -1 is not valid: use a number greater than 0",
        ),
        (
            # With >=, 0 fires on the zeros Lambda reports for every invocation without an error.
            {"thresholds": AlarmThresholds(function_errors=Threshold(value=0))},
            "thresholds.function_errors.value = 0 is not valid: use a number greater than 0",
        ),
        (
            {"thresholds": AlarmThresholds(executions_aborted=Threshold(period_seconds=600, evaluation_periods=145))},
            r"evaluation_periods = 145 is not valid: use a whole number from 1 to 144 for periods of 600 s: "
            r"CloudWatch evaluates at most 86,400 s \(1 day\) of periods under an hour",
        ),
        (
            # 2 widgets of its executions and 2 per function: 502, more than a page of its own holds.
            {"workflows": [MonitoredWorkflow("wide", "arn", function_names={f"f{i}": f"f{i}" for i in range(250)})]},
            r"workflow 'wide' alone needs 502 dashboard widgets \(two per function\); a CloudWatch dashboard "
            "holds 500",
        ),
    ],
)
def test_bad_args_are_refused_before_anything_is_declared(
    declare: Declare, overrides: dict[str, Any], match: str
) -> None:
    expect_refusal(declare, monitoring(**overrides), match)


def test_hourly_periods_may_span_a_week(declare: Declare) -> None:
    weekly = AlarmThresholds(executions_failed=Threshold(period_seconds=3600, evaluation_periods=168))
    alarm = alarms(declare(monitoring(thresholds=weekly)))[f"{PREFIX}-scheduled-executions-failed"]
    assert (alarm["period"], alarm["evaluationPeriods"]) == (3600, 168)


def test_dashboard_body_has_widgets_per_workflow_schedule_and_function() -> None:
    body = dashboard_body(workflows(), region="eu-west-1")
    widgets = {w["properties"]["title"]: w for w in body["widgets"]}
    assert list(widgets) == [
        "scheduled: executions",
        "scheduled: execution duration (ms)",
        "scheduled: schedule",
        "call-center: executions",
        "call-center: execution duration (ms)",
        "call-center / open-case: errors",
        "call-center / open-case: duration (ms)",
        "call-center / close-case: errors",
        "call-center / close-case: duration (ms)",
    ]
    sfn = ["StateMachineArn", CALL_CENTER_ARN]
    assert widgets["call-center: executions"]["properties"]["metrics"] == [
        ["AWS/States", "ExecutionsStarted", *sfn],
        ["AWS/States", "ExecutionsSucceeded", *sfn],
        ["AWS/States", "ExecutionsFailed", *sfn],
    ]
    assert [row[:4] for row in widgets["call-center: execution duration (ms)"]["properties"]["metrics"]] == [
        ["AWS/States", "ExecutionTime", *sfn]
    ] * 2
    assert widgets["scheduled: schedule"]["properties"]["metrics"] == [
        ["AWS/Scheduler", "InvocationAttemptCount", "ScheduleGroup", GROUP],
        ["AWS/Scheduler", "InvocationsSentToDeadLetterCount", "ScheduleGroup", GROUP],
    ]
    function = ["FunctionName", FUNCTIONS["open-case"]]
    assert widgets["call-center / open-case: errors"]["properties"]["metrics"] == [["AWS/Lambda", "Errors", *function]]
    assert widgets["call-center / open-case: errors"]["properties"]["stat"] == "Sum"
    duration = widgets["call-center / open-case: duration (ms)"]["properties"]
    assert (duration["metrics"], duration["stat"]) == ([["AWS/Lambda", "Duration", *function]], "Average")
    # Dashboards are global: every widget names the region its metrics come from.
    assert {w["properties"]["region"] for w in body["widgets"]} == {"eu-west-1"}
    places = {(w["x"], w["y"]) for w in body["widgets"]}
    assert len(places) == len(body["widgets"]), "widgets overlap"
    assert all(w["x"] + w["width"] <= 24 for w in body["widgets"])


def test_the_declared_dashboard_is_that_body_with_a_regional_name_and_url(default_run: ProgramRun) -> None:
    run = default_run
    dashboard = run.named("monitoring-dashboard").inputs
    assert json.loads(dashboard["dashboardBody"]) == dashboard_body(workflows(), region="us-east-1")
    name = f"{PREFIX}-use1"
    assert dashboard["dashboardName"] == name
    assert run.outputs["dashboard_name"] == name
    assert run.outputs["dashboard_url"] == (
        f"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name={name}"
    )


def test_without_a_dashboard_there_is_no_dashboard_output(declare: Declare) -> None:
    holder: list[Monitoring] = []

    def build() -> None:
        holder.append(Monitoring("monitoring", monitoring_args(PREFIX, workflows(), dashboard=False)))

    run = declare(build)
    assert run.of_type("aws:cloudwatch/dashboard:Dashboard") == []
    assert holder[0].dashboard_name is None
    assert holder[0].dashboard_url is None


def many_workflows(count: int, functions: int = 5) -> list[MonitoredWorkflow]:
    """`count` workflows of `functions` functions each: 2 + 2 x functions widgets apiece."""
    return [
        MonitoredWorkflow(
            f"flow-{number}",
            f"arn:aws:states:us-east-1:{ACCOUNT_ID}:stateMachine:{PREFIX}-flow-{number}",
            function_names={f"step-{step}": f"{PREFIX}-flow-{number}-{step}" for step in range(functions)},
        )
        for number in range(count)
    ]


def charted(body: dict[str, Any]) -> list[str]:
    """The workflows a page charts, by their executions widget, in order."""
    titles = [w["properties"]["title"] for w in body["widgets"] if w["type"] == "metric"]
    return [title.removesuffix(": executions") for title in titles if title.endswith(": executions")]


def test_workflows_past_the_widget_limit_go_on_pages_that_keep_each_workflow_whole() -> None:
    # 45 workflows of 12 widgets: 540, past CloudWatch's 500 for one dashboard.
    flows = many_workflows(45)
    pages = dashboard_pages(flows)
    assert [flow.name for page in pages for flow in page] == [flow.name for flow in flows]
    index = [("page 1", "https://one"), ("page 2", "https://two")]
    bodies = [dashboard_body(page, region="us-east-1", index=index) for page in pages]
    assert len(bodies) == 2
    for body in bodies:
        assert len(body["widgets"]) <= MAX_DASHBOARD_WIDGETS
        # Each page lists both, first, across the whole width; the charts start below it.
        assert body["widgets"][0] == {
            "type": "text", "x": 0, "y": 0, "width": 24, "height": 2,
            "properties": {"markdown": "[page 1](https://one)  \n[page 2](https://two)"},
        }  # fmt: skip
        assert min(w["y"] for w in body["widgets"][1:]) == 2
    # Every widget of a workflow is on the page that charts it.
    for page, body in zip(pages, bodies, strict=True):
        names = {flow.name for flow in page}
        titles = [w["properties"]["title"] for w in body["widgets"] if w["type"] == "metric"]
        assert {title.split(":")[0].split(" / ")[0] for title in titles} == names
        assert len(titles) == 12 * len(page)
    assert dashboard_pages(many_workflows(41)) == [many_workflows(41)]  # 492 widgets: one page, as before


def test_a_dashboard_past_the_limit_is_declared_as_pages_the_first_keeping_its_names(declare: Declare) -> None:
    flows = many_workflows(45)
    holder: list[Monitoring] = []

    def build() -> dict[str, Any]:
        holder.append(Monitoring("monitoring", monitoring_args(PREFIX, flows)))
        return {"urls": holder[0].dashboard_urls, "first": holder[0].dashboard_url}

    run = declare(build)
    # Registered as the engine gets to them; in page order by name.
    pages = sorted(run.of_type("aws:cloudwatch/dashboard:Dashboard"), key=lambda page: page.name)
    # The first page is the dashboard a stack has always had: same Pulumi name, same physical name.
    assert [(page.name, page.inputs["dashboardName"]) for page in pages] == [
        ("monitoring-dashboard", f"{PREFIX}-use1"),
        ("monitoring-dashboard-2", f"{PREFIX}-use1-2"),
    ]
    url = "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name="
    assert run.outputs["urls"] == [f"{url}{PREFIX}-use1", f"{url}{PREFIX}-use1-2"]
    assert run.outputs["first"] == f"{url}{PREFIX}-use1"
    bodies = [json.loads(page.inputs["dashboardBody"]) for page in pages]
    assert [name for body in bodies for name in charted(body)] == [flow.name for flow in flows]
    for body in bodies:
        assert len(body["widgets"]) <= MAX_DASHBOARD_WIDGETS
        assert f"{url}{PREFIX}-use1-2" in body["widgets"][0]["properties"]["markdown"]
    # Every workflow keeps all its alarms, whatever page it is charted on.
    assert len(run.of_type(ALARM)) == 45 * (4 + 2 * 5)


def test_a_workflows_own_thresholds_apply_to_its_alarms_alone(declare: Declare) -> None:
    scheduled, call_center = workflows()
    noisy = ResolvedThresholds(function_errors=ResolvedThreshold(value=5, evaluation_periods=3))
    tuned = [scheduled, MonitoredWorkflow(call_center.name, call_center.state_machine_arn,
                                          function_names=call_center.function_names, thresholds=noisy)]  # fmt: skip
    specs = {spec.name: spec for spec in alarm_specs(MonitoringPlan(PREFIX, tuned))}
    assert (specs[f"{PREFIX}-call-center-open-case-errors"].threshold,
            specs[f"{PREFIX}-call-center-open-case-errors"].evaluation_periods) == (5, 3)  # fmt: skip
    assert specs[f"{PREFIX}-call-center-open-case-errors"].description.startswith("5 or more ")
    # Its other alarms, and every other workflow's, keep the stack's.
    assert specs[f"{PREFIX}-call-center-open-case-throttles"].threshold == 1
    assert specs[f"{PREFIX}-scheduled-executions-failed"].threshold == 1
    wrong = ResolvedThresholds(executions_failed=ResolvedThreshold(value=0))
    refused = [MonitoredWorkflow("w", "arn", thresholds=wrong)]
    expect_refusal(
        declare,
        lambda: Monitoring("m", monitoring_args(PREFIX, refused)),
        r"workflow 'w': thresholds.executions_failed.value = 0 is not valid",
    )


def test_a_workflows_thresholds_leave_what_they_do_not_set_to_the_components() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:w"
    own = AlarmThresholds(executions_failed=Threshold(value=3), function_errors=Threshold(value=2))
    planned = plan(
        MonitoringArgs(
            name_prefix=PREFIX,
            thresholds=AlarmThresholds(function_errors=Threshold(value=5, period_seconds=600)),
            workflows=[
                {"name": "w", "state_machine_arn": arn, "thresholds": own},
                {"name": "v", "state_machine_arn": arn},
            ],
        )
    )  # fmt: skip
    tuned, plain = planned.workflows
    assert tuned.thresholds is not None
    assert tuned.thresholds.executions_failed == ResolvedThreshold(value=3)
    # Its own value over the component's period; what it does not name, the component's or the defaults.
    assert tuned.thresholds.function_errors == ResolvedThreshold(value=2, period_seconds=600)
    assert tuned.thresholds.function_throttles == ResolvedThreshold()
    assert plain.thresholds is None
    assert planned.thresholds.function_errors == ResolvedThreshold(value=5, period_seconds=600)


def test_no_workflows_means_no_alarms_and_an_empty_dashboard(declare: Declare) -> None:
    run = declare(monitoring(workflows=[]))
    assert run.outputs["alarm_names"] == []
    assert json.loads(run.named("monitoring-dashboard").inputs["dashboardBody"]) == {"widgets": []}


def test_the_component_creates_its_resources_in_the_in_memory_aws(moto: InMemoryAws) -> None:
    prefix = "monitoring-rehearsal"

    def build() -> dict[str, Any]:
        component = Monitoring(
            "monitoring", monitoring_args(prefix, workflows(as_outputs=True), alarm_email="oncall@example.com")
        )
        return {
            "topic_arn": component.topic_arn,
            "key_arn": component.key_arn,
            "alarm_names": component.alarm_names,
            "dashboard_name": component.dashboard_name,
        }

    outputs = run_under_mocks(build, moto.new_resource, moto.call).outputs
    topic_arn = outputs["topic_arn"]

    cloudwatch = moto.client("cloudwatch")
    created = {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNamePrefix=f"{prefix}-")["MetricAlarms"]}
    assert sorted(created) == sorted(outputs["alarm_names"])
    assert sorted(created) == sorted(name.replace(PREFIX, prefix, 1) for name in EXPECTED_ALARMS)
    for alarm in created.values():
        assert alarm["AlarmActions"] == alarm["OKActions"] == [topic_arn]
        assert alarm["TreatMissingData"] == "notBreaching"
    dead_letters = created[f"{prefix}-scheduled-dead-letters"]
    assert dead_letters["Dimensions"] == [{"Name": "QueueName", "Value": QUEUE}]
    assert (dead_letters["Statistic"], dead_letters["Threshold"]) == ("Maximum", 1.0)

    dashboard = cloudwatch.get_dashboard(DashboardName=outputs["dashboard_name"])
    assert json.loads(dashboard["DashboardBody"]) == dashboard_body(workflows(), region="us-east-1")

    attributes = moto.client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert attributes["KmsMasterKeyId"] == outputs["key_arn"]
    assert json.loads(attributes["Policy"])["Statement"][0]["Condition"]["ArnLike"] == {
        "aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT_ID}:alarm:{prefix}-*"
    }
    (subscription,) = moto.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "oncall@example.com")

    kms = moto.client("kms")
    assert kms.get_key_rotation_status(KeyId=outputs["key_arn"])["KeyRotationEnabled"] is True
    statements = json.loads(kms.get_key_policy(KeyId=outputs["key_arn"], PolicyName="default")["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["AccountAdministersThroughIam", "CloudWatchAlarmsEncryptNotifications"]


def test_make_demo_lists_each_alarm_its_topic_and_what_the_dashboard_charts(
    shared_cloud: CloudStack, capsys: pytest.CaptureFixture[str]
) -> None:
    from rehearsal import demo

    demo.show_monitoring(shared_cloud.cloud, shared_cloud.stack, shared_cloud.outputs)
    lines = capsys.readouterr().out.splitlines()
    declared = sorted(
        (r.inputs["name"], r.inputs["namespace"], r.inputs["metricName"]) for r in shared_cloud.run.of_type(ALARM)
    )
    (dashboard,) = shared_cloud.run.of_type("aws:cloudwatch/dashboard:Dashboard")
    widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
    assert lines == [
        "",
        f"== {len(declared)} alarms notify {shared_cloud.outputs[ALARM_TOPIC_OUTPUT]}:",
        *(f"   {name}  ({namespace} {metric})" for name, namespace, metric in declared),
        f"   dashboard: {shared_cloud.outputs[DASHBOARD_OUTPUT]}",
        f"   it charts: {'; '.join(w['properties']['title'] for w in widgets if 'title' in w['properties'])}",
    ]
    assert any(line.endswith("-scheduled-executions-failed  (AWS/States ExecutionsFailed)") for line in lines)


def test_make_demo_says_when_a_stack_has_no_dashboard(moto: InMemoryAws, capsys: pytest.CaptureFixture[str]) -> None:
    from rehearsal import demo

    config = with_config(dashboardEnabled="false")
    run = moto.deploy(stack="nodashboard", config=config, catalogue=(SCHEDULED,))
    assert DASHBOARD_OUTPUT not in run.outputs
    demo.show_monitoring(moto, "nodashboard", run.outputs)
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1] == "   no dashboard (dashboardEnabled is false)"
    assert any(line.endswith("-scheduled-executions-failed  (AWS/States ExecutionsFailed)") for line in printed)


def test_what_the_plan_checks_of_monitoring_is_what_is_declared(deploy: Deploy) -> None:
    """The program checks Monitoring's arguments before anything exists, from names standing in
    for ARNs (workflows/monitored.py), and declares it from the components' outputs: both must
    make the same alarms and chart the same widgets, or the check checks something else."""
    import deployment
    from settings import StackSettings
    from stack_files import stack_config
    from workflows.monitored import monitored

    run = deploy(catalogue=SUITE_CATALOGUE)
    settings = StackSettings.from_config(stack_config("dev"), "dev", SUITE_CATALOGUE)
    records = [watching(monitored(spec, settings.physical_name)) for spec in SUITE_CATALOGUE]
    planned = plan(deployment.monitoring_args(settings, records))
    assert sorted(spec.name for spec in alarm_specs(planned)) == sorted(a.inputs["name"] for a in run.of_type(ALARM))
    (page,) = run.of_type("aws:cloudwatch/dashboard:Dashboard")
    declared = json.loads(page.inputs["dashboardBody"])["widgets"]
    assert [w["properties"]["title"] for w in dashboard_body(planned.workflows, "us-east-1")["widgets"]] == [
        w["properties"]["title"] for w in declared
    ]
